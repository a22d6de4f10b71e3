"""`contacts-tui backup`: a consistent copy of the workspace's SQLite database."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import peewee


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
    try:
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise BackupError(f"{target} exists already; choose a new file name.") from None
    except OSError as error:
        raise BackupError(f"Cannot create {target}: {error.strerror}.") from None
    os.close(fd)
    try:
        source = sqlite3.connect(db.database, timeout=db.connect_params.get("timeout", 5))
        try:
            copy = sqlite3.connect(target)
            with copy:
                source.backup(copy)
            copy.close()
        finally:
            source.close()
    except (sqlite3.Error, OSError) as error:
        target.unlink(missing_ok=True)
        raise BackupError(f"The backup failed: {error}.") from None
    return target.stat().st_size
