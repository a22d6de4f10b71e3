"""Content-addressed document storage on disk: safe uploads, verified reads and saved copies."""

from __future__ import annotations

import errno
import mimetypes
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contacts_tui.private_file import (
    PRIVATE,
    FileModes,
    UnsafePathError,
    atomic_writer,
    make_folder,
    set_modes,
    sync_folder,
)
from contacts_tui.temp_files import (
    UPLOAD_TEMP_PREFIX,
    UPLOAD_TEMP_SUFFIX,
    leftovers,
    locked_temp_file,
)

if TYPE_CHECKING:
    from hashlib import _Hash

MAX_NAME_LENGTH = 120
CHUNK_SIZE = 1024 * 1024
OCTET_STREAM = "application/octet-stream"

_SHA256 = re.compile(r"[0-9a-f]{64}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_PREFIX = re.compile(r"[0-9a-f]{2}")
_MAX_EXTENSION = 16
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
# Bidi marks, embeddings, overrides and isolates: they can make "exe.txt" display as "txt.exe".
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_NAME_DROPS = dict.fromkeys(
    [*range(0x00, 0x20), *range(0x7F, 0xA0), *(ord(c) for c in _BIDI)], None
)
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
)
_BMP_HEADER_SIZES = (12, 40, 52, 56, 108, 124)


def _sha256() -> _Hash:
    """A new SHA-256 hasher: OpenSSL's, six times the speed of Python's own on a large file.

    The TUI starts without OpenSSL (see `cli.run_app`, which keeps `_hashlib` out of
    hashlib); the first document hashed loads it.
    """
    if "_hashlib" in sys.modules and sys.modules["_hashlib"] is None:
        del sys.modules["_hashlib"]
    try:
        from _hashlib import openssl_sha256
    except ImportError:  # a Python built without OpenSSL
        import hashlib

        return hashlib.sha256()
    return openssl_sha256()


class DocumentError(Exception):
    """A document could not be stored, read or saved; the message is meant for the user."""


class IntegrityError(DocumentError):
    """A stored document is missing or its bytes no longer match its SHA-256."""


class TooLargeError(DocumentError):
    """A file is larger than the configured upload limit."""


class TargetExistsError(DocumentError, FileExistsError):
    """Saving a copy would overwrite an existing file and overwriting was not asked for."""


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    media_type: str


def human_size(n: int) -> str:
    """A byte count as people read it: "0 B", "1.2 KB", "50 MB" (units of 1024)."""
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if round(value, 1) < 10:
            return f"{value:.1f} {unit}".replace(".0 ", " ")
        if round(value) < 1024 or unit == "TB":
            return f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


def size_beside_limit(size: int, limit: int) -> tuple[str, str]:
    """`size` and `limit` in the same binary unit, `size` precise enough to differ from it.

    "52.5 MiB" beside "50 MiB": rounded alike, a file just over the limit read as
    "50 MB, over the 50 MB limit". Binary units, named so: the limit is a count of MiB.
    """
    unit, scale = _binary_unit(limit)
    limit_text = limit_size(limit)
    for decimals in (1, 2, 3):
        number = _trimmed(size / scale, decimals)
        if float(number) > limit / scale:
            return f"{number} {unit}", limit_text
    # Over by a few bytes: only the byte counts tell them apart.
    return f"{size:,} bytes", f"{limit_text} ({limit:,} bytes)"


def limit_size(limit: int) -> str:
    """A size limit in binary units, named so: "50 MiB", "1.5 MiB"."""
    unit, scale = _binary_unit(limit)
    return _trimmed(limit / scale, 3) + f" {unit}"


def _binary_unit(n: int) -> tuple[str, int]:
    unit, scale = "B", 1
    for name in ("KiB", "MiB", "GiB", "TiB"):
        if n < scale * 1024:
            break
        unit, scale = name, scale * 1024
    return unit, scale


def _trimmed(value: float, decimals: int) -> str:
    """`value` to `decimals` places without trailing zeros: 52.5, 50, 50.003."""
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def sanitize_filename(name: str) -> str:
    """The original file name made safe to keep and show as metadata (never used as a path).

    A name that is not valid UTF-8 (Python holds its bad bytes as lone surrogates, which
    no database can store) is read as Latin-1, the usual origin of such names: the
    bytes of `caf\xe9.txt` make `café.txt`; raw C1 control bytes are then dropped.
    """
    if _SURROGATE.search(name):
        name = os.fsencode(name).decode("latin-1")
    name = " ".join(name.split())  # tabs and newlines become single spaces first
    name = name.translate(_NAME_DROPS)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(name.split()).lstrip(". ")
    if len(name) > MAX_NAME_LENGTH:
        stem, extension = os.path.splitext(name)
        if len(extension) > _MAX_EXTENSION:
            stem, extension = name, ""
        name = stem[: MAX_NAME_LENGTH - len(extension)].rstrip() + extension
    return name or "unnamed"


def sniff_media_type(head: bytes) -> str | None:
    """The media type told by a file's first bytes, for the few formats we recognise."""
    for signature, media_type in _SIGNATURES:
        if head.startswith(signature):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES:
        return "image/bmp"
    return None


def guess_media_type(head: bytes, file_name: str) -> str:
    """The media type from the content where it is recognisable, else from the name."""
    sniffed = sniff_media_type(head)
    guessed = mimetypes.guess_type(sanitize_filename(file_name), strict=False)[0]
    if sniffed is None:
        return guessed or OCTET_STREAM
    # .docx, .xlsx, .odt, .epub and .jar are ZIP containers: their own type says more.
    if sniffed == "application/zip" and guessed and guessed.startswith("application/"):
        return guessed
    return sniffed


class BlobStore:
    """Files stored once per content under <folder>/<sha[:2]>/<sha>."""

    def __init__(self, folder: Path, *, group_shared: bool = False) -> None:
        """`group_shared`: the workspace's group shares it (modes of `init --group`)."""
        self.folder = Path(folder)
        self.modes = PRIVATE
        try:
            if group_shared:  # in the group of the workspace folder that holds documents/
                self.modes = FileModes.shared(os.stat(self.folder.parent).st_gid)
            make_folder(self.folder, self.modes)
        except OSError as error:
            raise DocumentError(
                f"The documents folder {self.folder} could not be created ({_reason(error)})."
            ) from error

    def put(
        self,
        source: Path,
        *,
        original_name: str,
        max_bytes: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> StoredBlob:
        """Store a copy of source; the same content is kept only once."""
        shown = sanitize_filename(original_name)
        source_fd = _open_regular_file(source, shown)
        try:
            total = os.fstat(source_fd).st_size
            if total > max_bytes:
                raise TooLargeError(_too_large(shown, max_bytes))
            # Locked while this process lives: a killed upload's file is told from a
            # running one's by the lock (see temp_files), and removed at the next start.
            try:
                with locked_temp_file(
                    self.folder, UPLOAD_TEMP_PREFIX, UPLOAD_TEMP_SUFFIX, self.modes.file
                ) as (temp_fd, temp):
                    try:
                        set_modes(temp_fd, self.modes)  # the group of a shared workspace
                        digest, size, head = _copy_counted(
                            source_fd, temp_fd, shown, max_bytes, total, progress
                        )
                        os.fsync(temp_fd)
                        self._publish(temp, digest)
                    finally:
                        temp.unlink(missing_ok=True)
            except OSError as error:  # write side only: read errors are already DocumentErrors
                raise _write_error(error, shown) from error
        finally:
            os.close(source_fd)
        return StoredBlob(digest, size, guess_media_type(head, original_name))

    def path_of(self, sha256: str) -> Path:
        """Where the blob with this hash lives; refuses anything but 64 lowercase hex digits."""
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise DocumentError("That is not a valid document fingerprint.")
        return self.folder / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def read(self, sha256: str, *, limit: int | None = None, name: str | None = None) -> bytes:
        """The first `limit` bytes (or all), after checking the hash over the whole file."""
        parts: list[bytes] = []
        kept = 0
        for chunk in self._verified_chunks(sha256, name):
            if limit is None:
                parts.append(chunk)
            elif kept < limit:
                parts.append(chunk[: limit - kept])
                kept += len(parts[-1])
        return b"".join(parts)

    def verify(self, sha256: str) -> bool:
        """Whether the blob is present and its bytes still match its hash."""
        try:
            for _chunk in self._verified_chunks(sha256, None):
                pass
        except IntegrityError:
            return False
        return True

    def remove(self, sha256: str) -> None:
        """Delete a blob; one that is already gone is fine."""
        try:
            self.path_of(sha256).unlink(missing_ok=True)
        except OSError as error:
            raise DocumentError(
                f"The stored document could not be removed ({_reason(error)})."
            ) from error

    def all_hashes(self) -> set[str]:
        """Every blob on disk, whether or not a database row refers to it."""
        found: set[str] = set()
        for sub in self.folder.iterdir():
            if _PREFIX.fullmatch(sub.name) and sub.is_dir():
                found.update(
                    entry.name
                    for entry in sub.iterdir()
                    if _SHA256.fullmatch(entry.name)
                    and entry.name.startswith(sub.name)
                    and entry.is_file()
                )
        return found

    def stray_temp_files(self) -> list[Path]:
        """Temporary upload files; a crash leaves them, but so does an upload still running."""
        return sorted(self.folder.glob(f"{UPLOAD_TEMP_PREFIX}*{UPLOAD_TEMP_SUFFIX}"))

    def leftover_temp_files(self) -> list[Path]:
        """The temporary files of uploads whose process is gone (killed, crashed)."""
        return leftovers(self.folder, UPLOAD_TEMP_PREFIX, UPLOAD_TEMP_SUFFIX)

    def save_copy(
        self, sha256: str, target: Path, *, overwrite: bool = False, name: str | None = None
    ) -> None:
        """Write a verified copy to target (mode 0600), never through a symbolic link."""
        target = Path(target)
        self.path_of(sha256)
        existing = _lstat_target(target)
        if existing is not None:
            if stat.S_ISLNK(existing.st_mode):
                raise DocumentError(f"{target} is a symbolic link; choose another file name.")
            if stat.S_ISDIR(existing.st_mode):
                raise DocumentError(f"{target} is a folder; choose a file name.")
            if not overwrite:
                raise TargetExistsError(f"{target} already exists.")
            if not stat.S_ISREG(existing.st_mode):
                raise DocumentError(f"{target} is not a regular file; choose another file name.")
        if not target.parent.is_dir():
            raise DocumentError(f"The folder {target.parent} does not exist.")
        # A replacement goes through a temporary file, so the old copy stays whole
        # until the new one is; a new file never clobbers one that appears meanwhile.
        try:
            with atomic_writer(target, PRIVATE, overwrite=overwrite, binary=True) as out:
                for chunk in self._verified_chunks(sha256, name):
                    out.write(chunk)
        except FileExistsError as error:
            raise TargetExistsError(f"{target} already exists.") from error
        except UnsafePathError as error:
            raise DocumentError(f"{error} Choose another file name.") from error
        except OSError as error:
            raise _write_error(error, target.name, folder=target.parent) from error

    def _publish(self, temp: Path, digest: str) -> None:
        """Give the finished temp file its final name, atomically; keep an intact twin."""
        final = self.path_of(digest)
        make_folder(final.parent, self.modes)
        try:
            # link() never replaces: a concurrent upload of the same bytes just finds it there.
            os.link(temp, final)
        except FileExistsError:
            if not self.verify(digest):
                os.replace(temp, final)  # repair a damaged copy with the good bytes
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            os.replace(temp, final)  # no hard links here; replace is atomic as well
        sync_folder(final.parent)

    def _verified_chunks(self, sha256: str, name: str | None) -> Iterator[bytes]:
        """The blob's chunks; raises IntegrityError at the end when the hash differs."""
        path = self.path_of(sha256)
        shown = name or "this document"
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError as error:
            raise IntegrityError(f"The stored copy of {shown} is missing.") from error
        except OSError as error:
            raise DocumentError(
                f"The stored copy of {shown} could not be read ({_reason(error)})."
            ) from error
        hasher = _sha256()
        try:
            while chunk := os.read(fd, CHUNK_SIZE):
                hasher.update(chunk)
                yield chunk
        except OSError as error:
            raise DocumentError(
                f"The stored copy of {shown} could not be read ({_reason(error)})."
            ) from error
        finally:
            os.close(fd)
        if hasher.hexdigest() != sha256:
            raise IntegrityError(
                f"The stored copy of {shown} is damaged "
                "(its content no longer matches its fingerprint)."
            )


def file_fingerprint(source: Path, max_bytes: int) -> str | None:
    """The sha256 a stored copy of `source` would have; None when it cannot be read or is
    over `max_bytes` (the upload itself then says why)."""
    try:
        fd = _open_regular_file(source, source.name)
    except DocumentError:
        return None
    hasher = _sha256()
    done = 0
    try:
        while chunk := os.read(fd, CHUNK_SIZE):
            done += len(chunk)
            if done > max_bytes:
                return None
            hasher.update(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return hasher.hexdigest()


def _open_regular_file(source: Path, shown: str) -> int:
    """A read descriptor for source, refusing folders, pipes and devices before reading."""
    try:
        if stat.S_ISDIR(os.stat(source).st_mode):
            raise DocumentError(f"{shown} is a folder, not a file.")
        # O_NONBLOCK: opening a FIFO swapped in after the check must not hang.
        fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError as error:
        raise DocumentError(f"{shown} no longer exists, so it could not be uploaded.") from error
    except PermissionError as error:
        raise DocumentError(f"You are not allowed to read {shown}.") from error
    except OSError as error:
        raise DocumentError(f"{shown} could not be opened ({_reason(error)}).") from error
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise DocumentError(
            f"{shown} is not a regular file (it is a pipe, socket or device), "
            "so it cannot be uploaded."
        )
    return fd


def _copy_counted(
    source_fd: int,
    target_fd: int,
    shown: str,
    max_bytes: int,
    total: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[str, int, bytes]:
    """Copy while hashing; stops one byte past the limit. Returns hash, size and first chunk."""
    hasher = _sha256()
    done = 0
    head = b""
    while True:
        try:
            chunk = os.read(source_fd, max(0, min(CHUNK_SIZE, max_bytes + 1 - done)))
        except OSError as error:
            raise DocumentError(
                f"{shown} could not be read to the end ({_reason(error)}); nothing was stored."
            ) from error
        if not chunk:
            break
        done += len(chunk)
        if done > max_bytes:
            raise TooLargeError(_too_large(shown, max_bytes))
        head = head or chunk
        hasher.update(chunk)
        _write_all(target_fd, chunk)
        if progress is not None:
            progress(done, total)
    if done != total:
        raise DocumentError(
            f"{shown} changed while it was being uploaded; nothing was stored. Try again."
        )
    return hasher.hexdigest(), done, head


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _lstat_target(target: Path) -> os.stat_result | None:
    try:
        return os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise DocumentError(f"{target} cannot be used ({_reason(error)}).") from error


def _too_large(shown: str, max_bytes: int) -> str:
    return f"{shown} is larger than the {limit_size(max_bytes)} limit."


def _write_error(error: OSError, shown: str, *, folder: Path | None = None) -> DocumentError:
    if error.errno in _DISK_FULL:
        return DocumentError(
            f"The disk is full, so {shown} could not be saved. Free some space and try again."
        )
    if isinstance(error, PermissionError) and folder is not None:
        return DocumentError(f"You are not allowed to write to the folder {folder}.")
    return DocumentError(f"{shown} could not be saved ({_reason(error)}).")


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
