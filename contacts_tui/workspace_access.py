"""Who may use a workspace: `init --group` prepares one, and every start checks it.

A workspace is private (0700 folder, 0600 files) or shared with one Unix group (2770
folder owned by that group, 0660 files). Either way nobody outside may read or write
it, and its owner must be inside: a folder someone else owns, or one others can write,
lets them swap the database or lifecycle.toml under the team. SQLite's locks do not
hold on network file systems, so a SQLite workspace there is refused too.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shlex
import stat
from pathlib import Path

from contacts_tui.private_file import PRIVATE, FileModes, make_folder

# File system types (as /proc/mounts names them) whose locking SQLite cannot trust.
NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "fuse.sshfs", "glusterfs"}
)
# The files of a workspace checked at start, and the "others" bits each must not have. The
# folder itself may have none, so a file's own read bit reaches nobody; a planted database
# others can read or write, or a lifecycle.toml they can write, is still refused.
CHECKED_FILES = {
    "contacts.db": 0o006,
    "contacts.db-wal": 0o006,
    "contacts.db-shm": 0o006,
    "lifecycle.toml": 0o002,
}


class AccessError(Exception):
    """The workspace is not safe to use; one line, with the command that fixes it."""


def check_workspace_access(given: Path, *, sqlite: Path | None, mounts: str | None = None) -> None:
    """Refuse a workspace others could read or tamper with, or SQLite on a network share.

    `given` is the path as the user gave it; symlinks in it are resolved and the
    folder they lead to is what is checked. `sqlite` is the SQLite database file (None:
    the database is PostgreSQL). `mounts` is /proc/mounts' text (for tests).
    """
    folder = Path(given).expanduser().resolve()
    info = os.stat(folder)
    _check_entry(folder, info, 0o007)
    for name, others in CHECKED_FILES.items():
        path = folder / name
        try:
            entry = os.lstat(path)
        except FileNotFoundError:
            continue
        except PermissionError:
            raise AccessError(
                f"You cannot open the workspace {folder}: it is shared with the group "
                f"{_group_name(info.st_gid)}, and you are not in it. Fix (as root): "
                f"usermod -aG {shlex.quote(_group_name(info.st_gid))} "
                f"{shlex.quote(_user_name(os.geteuid()))}, then log in again."
            ) from None
        if stat.S_ISLNK(entry.st_mode):
            raise AccessError(
                f"{path} is a symbolic link; a workspace holds its own files. "
                f"Fix: move the real file into place (mv <its target> {shlex.quote(str(path))})."
            )
        _check_entry(path, entry, others)
    if sqlite is not None:
        kind = file_system_type(sqlite.expanduser().resolve(), mounts)
        if kind in NETWORK_FILE_SYSTEMS:
            raise AccessError(
                f"{sqlite} is on a network file system ({kind}), where SQLite's "
                "locks do not hold and sessions would corrupt the database; use PostgreSQL: "
                "contacts-tui migrate --to postgresql://… then --db postgresql://…"
            )


def _check_entry(path: Path, info: os.stat_result, others: int) -> None:
    quoted = shlex.quote(str(path))
    if info.st_mode & others:
        raise AccessError(
            f"{path} can be read or written by every user of this machine "
            f"(mode {stat.filemode(info.st_mode)}). Fix: chmod o-rwx {quoted}"
        )
    if not _is_member(info.st_uid, info.st_gid):
        owner = _user_name(info.st_uid)
        raise AccessError(
            f"{path} belongs to {owner}, who is outside its group {_group_name(info.st_gid)}. "
            f"Fix (as root): chown {shlex.quote(_user_name(os.geteuid()))} {quoted}, "
            "or use a workspace of your own (--home)"
        )


def _is_member(uid: int, gid: int) -> bool:
    """Whether the user `uid` is the current user, root, or a member of group `gid`."""
    if uid in (os.geteuid(), 0):
        return True
    try:
        account = pwd.getpwuid(uid)
    except KeyError:
        return False  # a number with no account: nobody can vouch for it
    if account.pw_gid == gid:
        return True
    try:
        return account.pw_name in grp.getgrgid(gid).gr_mem
    except KeyError:
        return False


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


_OCTAL = re.compile(r"\\([0-7]{3})")


def file_system_type(path: Path, mounts: str | None = None) -> str:
    """The type of the file system `path` is on, from the longest matching mount point."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""  # not Linux: nothing to go by
    best, kind = "", ""
    target = str(path)
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        # /proc/mounts writes a space in a mount point as \040 (and tab, newline, \ alike).
        point = _OCTAL.sub(lambda m: chr(int(m[1], 8)), fields[1])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


# ----- init --------------------------------------------------------------------------------


def group_id(name: str) -> int:
    """The gid of the group `name`; the caller must be in it (or root)."""
    try:
        gid = grp.getgrnam(name).gr_gid
    except KeyError:
        raise AccessError(
            f"There is no group {name!r} on this machine (see: getent group)."
        ) from None
    if os.geteuid() != 0 and gid not in os.getgroups() and gid != os.getegid():
        user = _user_name(os.geteuid())
        raise AccessError(
            f"You are not in the group {name}. Fix (as root): usermod -aG {shlex.quote(name)} "
            f"{shlex.quote(user)}, then log in again."
        )
    return gid


def prepare_access(folder: Path, group: str | None) -> tuple[FileModes, list[str]]:
    """Make `folder` private or shared with `group`, with everything already in it.

    Returns the modes and what could not be fixed (a file another member owns).
    """
    modes = FileModes.shared(group_id(group)) if group else PRIVATE
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise AccessError(f"{folder} exists but is not a folder.")
    folder.parent.mkdir(parents=True, exist_ok=True)
    make_folder(folder, modes)
    folder = folder.resolve()
    problems: list[str] = []
    _set(folder, modes, folder=True, problems=problems)
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(top, name)
            entry = os.lstat(path)
            if stat.S_ISLNK(entry.st_mode):
                problems.append(f"{path} is a symbolic link; left as it is")
            elif stat.S_ISDIR(entry.st_mode) or stat.S_ISREG(entry.st_mode):
                _set(path, modes, folder=stat.S_ISDIR(entry.st_mode), problems=problems)
    return modes, problems


def _set(path: Path, modes: FileModes, *, folder: bool, problems: list[str]) -> None:
    try:  # links were skipped by the caller
        if modes.group is not None:
            os.chown(path, -1, modes.group)
        os.chmod(path, modes.folder if folder else modes.file)
    except PermissionError:
        owner = _user_name(os.lstat(path).st_uid)
        problems.append(f"{path} belongs to {owner}: only they (or root) can change its mode")
