"""Temporary files that a killed process leaves behind, and how to tell them from live ones.

Uploads, exports and backups write to a temporary file beside their target and rename it
into place when complete. A process killed midway leaves that file (an upload's can be
gigabytes). Each such file is created with an exclusive flock held for as long as its
writer lives: the kernel drops the lock when the process dies, however it dies, so a
temp file nobody holds a lock on is a leftover, and one still locked is in use. The
writer's pid in the name says whose it was.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

_CREATE = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
# A writer creates its file and locks it in the next system call; a file this young may
# be between the two, and is left alone.
MIN_AGE_SECONDS = 10
# Exports and backups: distinctive, so that sweeping a folder never takes another
# program's `.part` files.
PART_SUFFIX = ".contacts-tui.part"
# Uploads, in the documents folder.
UPLOAD_TEMP_PREFIX = ".upload-"
UPLOAD_TEMP_SUFFIX = ".tmp"


def temp_name(prefix: str, suffix: str) -> str:
    """`<prefix><pid>-<random><suffix>`: unique, and saying which process wrote it."""
    # os.urandom is what `secrets` reads; `secrets` itself would load OpenSSL (via hmac)
    # into every session for this one name.
    return f"{prefix}{os.getpid()}-{os.urandom(8).hex()}{suffix}"


def create_locked(folder: Path, prefix: str, suffix: str, mode: int = 0o600) -> tuple[int, Path]:
    """A new file in `folder` (O_EXCL, never through a link) and its descriptor, flock-ed.

    The lock lasts until the descriptor is closed: the caller owns it.
    """
    path = Path(folder) / temp_name(prefix, suffix)
    fd = os.open(path, _CREATE, mode)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with suppress(OSError):
            os.fchmod(fd, mode)  # the umask must not narrow a group-shared mode
    except BaseException:
        os.close(fd)
        with suppress(OSError):
            path.unlink()
        raise
    return fd, path


@contextmanager
def locked_temp_file(
    folder: Path, prefix: str, suffix: str, mode: int = 0o600
) -> Iterator[tuple[int, Path]]:
    """`create_locked` for a block: the file is removed if the block fails, closed after.

    The caller renames the complete file into place inside the block; what is left of a
    killed process is found by `leftovers`.
    """
    fd, path = create_locked(folder, prefix, suffix, mode)
    try:
        yield fd, path
    except BaseException:
        with suppress(OSError):
            path.unlink()
        raise
    finally:
        os.close(fd)  # releases the lock


def is_leftover(path: Path, now: float | None = None) -> bool:
    """Whether no living process holds the temp file's lock (and it is not brand new)."""
    try:
        info = path.lstat()
        if (now or time.time()) - info.st_mtime < MIN_AGE_SECONDS:
            return False
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return False  # gone meanwhile, a symlink, or not ours to look at
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # its writer is alive
    finally:
        os.close(fd)
    return True


def leftovers(folder: Path, prefix: str, suffix: str) -> list[Path]:
    """The temp files of dead writers in `folder` matching `prefix*suffix`."""
    try:
        candidates = sorted(Path(folder).glob(f"{glob_escape(prefix)}*{glob_escape(suffix)}"))
    except OSError:
        return []
    now = time.time()
    return [path for path in candidates if is_leftover(path, now)]


def remove_leftovers(folder: Path, prefix: str, suffix: str) -> list[Path]:
    """Delete the temp files of dead writers; returns those removed. Never raises."""
    removed = []
    for path in leftovers(folder, prefix, suffix):
        with suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def glob_escape(text: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in text)


def remove_workspace_leftovers(folder: Path, documents: Path) -> list[Path]:
    """What killed uploads, exports and backups left, removed at the start of a command.

    Uploads write in the documents folder; exports and backups beside their target,
    by default the current folder (or the workspace).
    """
    removed = remove_leftovers(documents, UPLOAD_TEMP_PREFIX, UPLOAD_TEMP_SUFFIX)
    for place in dict.fromkeys((Path(folder), Path.cwd())):
        removed += remove_leftovers(place, ".", PART_SUFFIX)
    return removed
