"""Noticing commits to the database: SQLite's data_version, PostgreSQL's LISTEN/NOTIFY.

Each feed owns a connection of its own, opened for that purpose and used by one thread
(the watcher in `services.live`): it never holds a transaction open, so it keeps no
snapshot alive and blocks no writer.
"""

from __future__ import annotations

import select
import sqlite3
import threading
from typing import Protocol

import peewee

from contacts_tui.store.database import BUSY_TIMEOUT_MS, is_postgres

CHANNEL = "contacts_tui_changed"
"""The PostgreSQL channel the triggers of migration 0006 notify on every write."""


class ChangeFeed(Protocol):
    polls: int
    """Queries sent to the database to look for changes (PostgreSQL sends none)."""

    def wait(self, timeout: float, stop: threading.Event) -> bool:
        """Wait up to `timeout` seconds (less once `stop` is set); True when a commit was
        made since the last call, by any connection but this feed's own."""
        ...

    def close(self) -> None: ...


class SqliteChangeFeed:
    """`PRAGMA data_version` on a connection of its own, once per wait.

    data_version changes when a connection other than the one asking commits. This
    connection never writes, so every commit counts: other sessions' and this
    session's own worker threads' alike (each has a connection of its own).
    Autocommit (isolation_level=None): the pragma opens no transaction, and reading
    it costs a look at the WAL index, microseconds.
    """

    def __init__(self, path: str) -> None:
        self.polls = 0
        self._connection = sqlite3.connect(
            path,
            isolation_level=None,
            check_same_thread=False,  # made on the UI thread, used by the watcher's
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
        self._version = self._data_version()

    def _data_version(self) -> int:
        self.polls += 1
        return self._connection.execute("PRAGMA data_version").fetchone()[0]

    def wait(self, timeout: float, stop: threading.Event) -> bool:
        if stop.wait(timeout):
            return False
        version = self._data_version()
        changed = version != self._version
        self._version = version
        return changed

    def close(self) -> None:
        self._connection.close()


class PostgresChangeFeed:
    """LISTEN on a connection of its own; the triggers of migration 0006 NOTIFY.

    Waiting is a select() on the connection's socket: no query is sent while nothing
    happens, and a notification (delivered when the writer commits) ends the wait at
    once. Notifications of one transaction are merged by the server into one.
    """

    def __init__(self, params: dict) -> None:
        import psycopg2

        self.polls = 0
        self._connection = psycopg2.connect(**params)
        self._connection.autocommit = True
        with self._connection.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float, stop: threading.Event) -> bool:
        connection = self._connection
        connection.poll()  # notifications that came while we were not waiting
        if not connection.notifies:
            select.select([connection], [], [], timeout)
            if stop.is_set():
                return False
            connection.poll()
        changed = bool(connection.notifies)
        connection.notifies.clear()
        return changed

    def close(self) -> None:
        self._connection.close()


def open_change_feed(db: peewee.Database) -> ChangeFeed:
    """A feed of the commits made to `db`, on a connection of its own."""
    if is_postgres(db):
        params = dict(db.connect_params)
        params["database"] = db.database
        return PostgresChangeFeed(params)
    return SqliteChangeFeed(db.database)
