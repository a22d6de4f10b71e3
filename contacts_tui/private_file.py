"""The atomic private file write, and the modes every file and folder the app makes gets.

One policy for every writer (lifecycle.toml, its .bak, settings.toml, exports, document
blobs): the new content goes to a temporary file in the same folder, is synced, then
renamed over the name, and the folder is synced, so a crash leaves the old file or the
new one, never half of one. A symbolic link at the name is refused, never written
through and never replaced: someone who can plant a link in a shared folder must not
be able to make the app overwrite, or copy into a .bak, a file the link points at.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from contacts_tui.temp_files import PART_SUFFIX, create_locked

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafePathError(OSError):
    """The name is a symbolic link or not a regular file: nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(errno.ELOOP, message)

    def __str__(self) -> str:
        return self.strerror or ""


@dataclass(frozen=True)
class FileModes:
    """The modes (and group) of what the app creates in one place.

    Private: 0600 files, 0700 folders. Group-shared (`init --group`): 0660 files and
    2770 folders in the workspace's group; the setgid bit makes what others create
    in a folder take its group too, so every folder keeps it.
    """

    file: int = 0o600
    folder: int = 0o700
    group: int | None = None  # gid given to new files and folders; None: the user's own

    @classmethod
    def shared(cls, group: int) -> FileModes:
        return cls(0o660, 0o2770, group)

    @classmethod
    def of_folder(cls, folder: Path) -> FileModes:
        """The modes for files in `folder`: shared with its group if it is group-writable."""
        info = os.stat(folder)
        if info.st_mode & stat.S_IWGRP:
            return cls.shared(info.st_gid)
        return PRIVATE

    @property
    def is_shared(self) -> bool:
        return self.group is not None


PRIVATE = FileModes()


def set_modes(fd: int, modes: FileModes, *, folder: bool = False) -> None:
    """Give an open file or folder its mode and group, whatever the umask took away."""
    if modes.group is not None:
        # A member's own files already get the group from the setgid folder; chown can
        # fail only for someone outside the group, who then keeps their own group.
        with contextlib.suppress(PermissionError):
            os.fchown(fd, -1, modes.group)
    os.fchmod(fd, modes.folder if folder else modes.file)


def make_folder(path: Path, modes: FileModes = PRIVATE) -> bool:
    """Create one folder with `modes` (setgid kept when shared); False if it existed.

    An existing link in its place is refused: files written "into" it would land
    wherever it points.
    """
    try:
        os.mkdir(path, modes.folder & 0o777)
    except FileExistsError:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            raise UnsafePathError(f"{path} is not a folder (a symbolic link or a file).") from None
        return False
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        # mkdir's mode is narrowed by the umask and cannot carry setgid; chmod can.
        set_modes(fd, modes, folder=True)
    finally:
        os.close(fd)
    return True


def check_target(path: Path) -> os.stat_result | None:
    """The target's lstat, or None if there is none; refuses a link or a non-regular file."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        raise UnsafePathError(
            f"{path} is a symbolic link; the app never writes through links. "
            "Replace the link by a regular file."
        )
    if not stat.S_ISREG(info.st_mode):
        raise UnsafePathError(f"{path} is not a regular file.")
    return info


def read_file(path: Path) -> bytes | None:
    """The bytes of the file itself at `path` (None: there is none); never a link's target."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            check_target(path)  # says it is a link
        raise
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise UnsafePathError(f"{path} is not a regular file.")
        return file.read()


@contextlib.contextmanager
def atomic_writer(
    path: Path,
    modes: FileModes = PRIVATE,
    *,
    overwrite: bool = True,
    binary: bool = False,
    encoding: str = "utf-8",
    newline: str | None = "\n",
) -> Iterator[IO]:
    """A file to write `path`'s new content into; published atomically when the block ends.

    With `overwrite` False a file that appears at `path` meanwhile is never replaced
    (FileExistsError). On any error, or an exception in the block, nothing is published
    and the temporary file is removed.
    """
    path = Path(path)
    check_target(path)
    if not overwrite and os.path.lexists(path):
        raise FileExistsError(errno.EEXIST, f"{path} exists already", str(path))
    # Locked while this process lives: what a killed writer leaves is found and removed
    # at the next start (temp_files.remove_workspace_leftovers).
    fd, temp = create_locked(path.parent, f".{path.name}.", PART_SUFFIX, modes.file)
    try:
        set_modes(fd, modes)
        file: IO
        if binary:
            file = os.fdopen(fd, "wb")
        else:
            file = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with file:  # closing it releases the lock, after the rename
            yield file
            file.flush()
            os.fsync(file.fileno())
            _publish(temp, path, overwrite)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    sync_folder(path.parent)


def write_file(
    path: Path,
    content: bytes | str,
    modes: FileModes = PRIVATE,
    *,
    overwrite: bool = True,
    backup: Path | None = None,
) -> None:
    """Replace `path` with `content` atomically.

    With `backup`, the file as it is now (the file itself, never a link's target) is
    first kept there, written the same way; a missing file leaves the backup alone.
    """
    if backup is not None:
        check_target(path)
        previous = read_file(path)
        if previous is not None:
            write_file(backup, previous, modes)
    binary = isinstance(content, bytes)
    with atomic_writer(path, modes, overwrite=overwrite, binary=binary) as file:
        file.write(content)


def _publish(temp: Path, path: Path, overwrite: bool) -> None:
    if overwrite:
        check_target(path)  # again: a link may have been planted while we wrote
        os.replace(temp, path)  # rename replaces the name itself, never a link's target
        return
    try:
        os.link(temp, path, follow_symlinks=False)  # link() never replaces anything
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK):
            raise
        # No hard links on this file system: claim the name exclusively, then rename
        # the finished file over our own empty claim.
        os.close(os.open(path, _CREATE, 0o600))
        os.replace(temp, path)


def sync_folder(folder: Path) -> None:
    """Make a rename durable; a file system that cannot sync a folder is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.EBADF):
            raise
    finally:
        os.close(fd)
