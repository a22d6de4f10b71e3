"""Noticing commits to the database: SQLite's data_version, PostgreSQL's LISTEN/NOTIFY.

Each feed owns a connection of its own, opened for that purpose and used by one thread
(the watcher in `services.live`): it never holds a transaction open, so it keeps no
snapshot alive and blocks no writer.
"""

from __future__ import annotations

import select
import sqlite3
import threading
from dataclasses import dataclass
from typing import Protocol

import peewee

from contacts_tui.store.database import BUSY_TIMEOUT_MS, is_postgres

CHANNEL = "contacts_tui_changed"
"""The PostgreSQL channel the triggers of migration 0006 notify on every write."""


@dataclass(frozen=True)
class Committed:
    """What the commits since the last look may have changed (migration 0006 tells).

    Neither: other tables only (documents, stage history, accounts).
    """

    contacts: bool
    """Contacts' own columns, what the list's rows show."""
    counts: bool
    """What the counts, the dashboard or a filter read (a contact added, archived,
    moved to another step, given a primary e-mail…); implies `contacts`."""


EVERYTHING = Committed(contacts=True, counts=True)
"""When it cannot be known (the feed lost its connection meanwhile)."""


class ChangeFeed(Protocol):
    polls: int
    """Queries sent to the database to look for commits (PostgreSQL sends none)."""

    def wait(self, timeout: float, stop: threading.Event) -> Committed | None:
        """Wait up to `timeout` seconds (less once `stop` is set); what was committed
        since the last call, by any connection but this feed's own, or None."""
        ...

    def close(self) -> None: ...


class SqliteChangeFeed:
    """`PRAGMA data_version` on a connection of its own, once per wait.

    data_version changes when a connection other than the one asking commits. This
    connection never writes, so every commit counts: other sessions' and this
    session's own worker threads' alike (each has a connection of its own).
    Autocommit (isolation_level=None): the pragma opens no transaction, and reading
    it costs a look at the WAL index, microseconds. Only when it changed are the
    counters of migration 0006 read, to tell what changed.
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
        self._counters = self._read_counters()

    def _data_version(self) -> int:
        self.polls += 1
        return self._connection.execute("PRAGMA data_version").fetchone()[0]

    def _read_counters(self) -> tuple[int, int] | None:
        """The counters of migration 0006; None (everything may have changed) without."""
        query = "SELECT row_changes, count_changes FROM change_counter"
        try:
            return self._connection.execute(query).fetchone()
        except sqlite3.OperationalError:
            return None

    def wait(self, timeout: float, stop: threading.Event) -> Committed | None:
        if stop.wait(timeout):
            return None
        version = self._data_version()
        if version == self._version:
            return None
        self._version = version
        old, counters = self._counters, self._read_counters()
        self._counters = counters
        if counters is None or old is None:
            return EVERYTHING
        return Committed(contacts=counters[0] != old[0], counts=counters[1] != old[1])

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

    def wait(self, timeout: float, stop: threading.Event) -> Committed | None:
        connection = self._connection
        connection.poll()  # notifications that came while we were not waiting
        if not connection.notifies:
            select.select([connection], [], [], timeout)
            if stop.is_set():
                return None
            connection.poll()
        payloads = {notification.payload for notification in connection.notifies}
        connection.notifies.clear()
        if not payloads:
            return None
        counts = "counts" in payloads
        return Committed(contacts=counts or "rows" in payloads, counts=counts)

    def close(self) -> None:
        self._connection.close()


def open_change_feed(db: peewee.Database) -> ChangeFeed:
    """A feed of the commits made to `db`, on a connection of its own."""
    if is_postgres(db):
        params = dict(db.connect_params)
        params["database"] = db.database
        return PostgresChangeFeed(params)
    return SqliteChangeFeed(db.database)
