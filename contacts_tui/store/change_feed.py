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
"""The PostgreSQL channel the triggers of migrations 0006 and 0013 notify on every write."""

RING = 4096
"""Rows of SQLite's `contact_change` ring (migration 0013): the changes a session may
fall behind by and still be told which contacts changed."""


MAX_IDS = 500
"""Changed contacts a session is told by id; more (an import) are "any contact": reading
the screen's rows again is then cheaper than looking each one up."""


@dataclass(frozen=True)
class Committed:
    """What the commits since the last look may have changed (migrations 0006 and 0013).

    Neither: other tables only (documents, stage history, accounts).
    """

    contacts: bool
    """Contacts' own columns, what the list's rows show."""
    counts: bool
    """What the counts, the dashboard or a filter read (a contact added, archived,
    moved to another step, given a primary e-mail…); implies `contacts`."""
    contact_ids: frozenset[int] | None = frozenset()
    """The contacts changed (added, edited, removed); None: any may have been."""

    def __or__(self, other: Committed | None) -> Committed:
        """What this and `other` (committed later, or None: nothing) changed together."""
        if other is None:
            return self
        ids = None
        if self.contact_ids is not None and other.contact_ids is not None:
            ids = self.contact_ids | other.contact_ids
            if len(ids) > MAX_IDS:
                ids = None
        return Committed(self.contacts or other.contacts, self.counts or other.counts, ids)


EVERYTHING = Committed(contacts=True, counts=True, contact_ids=None)
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
    counters of migration 0006 read, to tell what changed, and the ring of migration
    0013, to tell which contacts.
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

    def _changed_ids(self, since: int, until: int) -> frozenset[int] | None:
        """The contacts of changes `since`+1 to `until` (row_changes values); None when
        the ring has reused some of their slots already, or lacks (an older schema)."""
        if until - since > RING:
            return None
        first, last = (since + 1) % RING, until % RING
        slots = "slot BETWEEN ? AND ?" if first <= last else "(slot >= ? OR slot <= ?)"
        query = f"SELECT seq, contact_id FROM contact_change WHERE {slots}"
        try:
            rows = self._connection.execute(query, (first, last)).fetchall()
        except sqlite3.OperationalError:
            return None
        ids = {contact_id for seq, contact_id in rows if since < seq <= until}
        logged = sum(since < seq <= until for seq, _ in rows)
        if logged != until - since or len(ids) > MAX_IDS:
            return None
        return frozenset(ids)

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
        if counters[0] == old[0]:
            return Committed(contacts=False, counts=False)
        ids = self._changed_ids(old[0], counters[0])
        return Committed(contacts=True, counts=counters[1] != old[1], contact_ids=ids)

    def close(self) -> None:
        self._connection.close()


class PostgresChangeFeed:
    """LISTEN on a connection of its own; the triggers of migrations 0006 and 0013 NOTIFY.

    Waiting is a select() on the connection's socket: no query is sent while nothing
    happens, and a notification (delivered when the writer commits) ends the wait at
    once. Notifications of one transaction are merged by the server into one per
    distinct payload.
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
        told: Committed | None = None
        for payload in payloads:
            told = told_by(payload) | told
        return told

    def close(self) -> None:
        self._connection.close()


def told_by(payload: str) -> Committed:
    """What one notification says: "other", "rows", "counts", or either with ":ID,ID…"."""
    kind, _, ids = payload.partition(":")
    if kind == "other":
        return Committed(contacts=False, counts=False)
    if kind not in ("rows", "counts"):
        return EVERYTHING  # a newer version's notification: read everything again
    try:
        contact_ids = frozenset(int(i) for i in ids.split(",")) if ids else None
    except ValueError:
        contact_ids = None
    if contact_ids is not None and len(contact_ids) > MAX_IDS:
        contact_ids = None
    return Committed(contacts=True, counts=kind == "counts", contact_ids=contact_ids)


def open_change_feed(db: peewee.Database) -> ChangeFeed:
    """A feed of the commits made to `db`, on a connection of its own."""
    if is_postgres(db):
        params = dict(db.connect_params)
        params["database"] = db.database
        return PostgresChangeFeed(params)
    return SqliteChangeFeed(db.database)
