"""`contacts-tui backup`: a consistent copy of the workspace's SQLite database."""

from __future__ import annotations

import errno
import os
import sqlite3
from contextlib import suppress
from pathlib import Path

import peewee

from contacts_tui.temp_files import PART_SUFFIX, locked_temp_file


class BackupError(Exception):
    """The backup could not be made; the message is one line for the person at the terminal."""


def backup_database(db: peewee.Database, target: Path) -> int:
    """Copy a live SQLite database to `target` (a new 0600 file); returns its size in bytes.

    SQLite's online backup reads a consistent snapshot while other users go on writing.
    The target must not exist and is never reached through a symbolic link.
    """
    if not isinstance(db, peewee.SqliteDatabase):
        raise BackupError(
            "Backups of a PostgreSQL database are made with pg_dump on the database server."
        )
    target = Path(target)
    if os.path.lexists(target):
        raise BackupError(f"{target} exists already; choose a new file name.")
    # The copy is made under a temporary name and linked to `target` only when complete:
    # a backup killed midway must not leave a file that opens as a valid, empty database.
    try:
        with locked_temp_file(target.parent, f".{target.name}.", PART_SUFFIX) as (_, temp):
            try:
                _copy(db, temp)
                _publish(temp, target)
            finally:
                temp.unlink(missing_ok=True)
    except BackupError:
        raise
    except FileExistsError:
        raise BackupError(f"{target} exists already; choose a new file name.") from None
    except (sqlite3.Error, OSError) as error:
        raise BackupError(f"The backup failed: {_reason(error)}.") from None
    return target.stat().st_size


def _copy(db: peewee.SqliteDatabase, temp: Path) -> None:
    source = sqlite3.connect(db.database, timeout=db.connect_params.get("timeout", 5))
    try:
        copy = sqlite3.connect(temp)
        try:
            with copy:
                source.backup(copy)
            # One file: the copy must not depend on a -wal beside the temporary name.
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
    finally:
        source.close()
    with open(temp, "rb+") as written:
        os.fsync(written.fileno())


def _publish(temp: Path, target: Path) -> None:
    """Give the complete copy its name; never over a file that appeared meanwhile."""
    try:
        os.link(temp, target, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK):
            raise
        # No hard links here: claim the name exclusively, then rename over the claim.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
        os.replace(temp, target)
    with suppress(OSError):
        folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return "the disk is full"
        return (error.strerror or str(error)).lower()
    text = str(error).rstrip(".")
    return "the disk is full" if "disk is full" in text else text
