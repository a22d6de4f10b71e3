"""Indexes a big import builds once, after its rows, rather than row by row.

A first import into an empty or small workspace (a team arriving with its address book)
spent a third of its writing on indexes that only make reads quicker: the list's sort
indexes, its counts' and the board's, and `contact_word`'s index by contact. Each new
contact went into every one of them at its own place, and each batch rewrote most of
their pages; built after the rows (CREATE INDEX sorts once and writes each page once),
the same contacts cost far less. Bulk loaders do the same (pg_restore, `migrate --to`).

While they are gone every read still gets the right answer, by scanning instead of
seeking: a colleague's list, counts and searches stay right during the import, only
slower, and the import is taken this way only while the workspace is small
(`services.imports.BULK_AT_MOST`), where a scan takes a fraction of a second. The
search indexes (FTS5 and `contact_word` itself) and the kept counts are written with
every batch as always: what a colleague searches for is found as soon as it is saved.

Safety:
- each dropped index is recorded in `deferred_index` (migration 0022) in the very
  transaction that drops it; a rebuilt one's record goes in the transaction that builds it;
- the importing process holds a shared flock on a file beside the database from before
  it drops them until they are built again; when the import ends in any way (done,
  cancelled, failed) they are built again, one per transaction (each holds the write lock
  for less than a second at BULK_AT_MOST contacts, as a batch does);
- a process that dies meanwhile leaves its records and releases its flock (the kernel
  does): the next process to open the workspace finds the flock free and builds them.

SQLite only: on PostgreSQL CREATE INDEX blocks every colleague's save for the whole build,
and its writes happen in the server's processes.
"""

from __future__ import annotations

import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import peewee

DEFERRED = (
    "contact_sort_name",
    *(f"contact_sort_{n}" for n in range(10)),
    "contact_list_counts",
    "contact_board",
    "contact_word_contact",
)
"""The indexes dropped during a bulk import: those only reads use, and which a new contact
goes into at a random place. Kept: the primary keys and `contact_word` (the search),
the records' indexes (duplicate look-ups read them every batch), `contact_uid` (the same)
and the small ones."""

IN_ORDER = ("contact_board", "contact_sort_9")
"""Of DEFERRED, those whose entries for an import's new contacts go at their end, when
the contacts carry no times of their own (CSV, vCard): contact_board's are a contact's
lifecycle step, then its id (a few groups, each written at its end); contact_sort_9's
start with the batch's time. Kept during a bulk import of such a file (`built_after`'s
`kept`): 100,000 rows wrote them at no measurable cost and built the others 0.14 s
sooner (1.35 -> 1.21 s CPU, 2 pairs). `contact_word_contact` would be too, but a
batch's words go in by prefix, its ids in no order: it cost 0.5-1.1 s CPU to keep and
saved 0.2-0.3 s to build."""


def _lock_path(db: peewee.Database) -> Path:
    return Path(f"{db.database}-bulk.lock")


def _open_lock(db: peewee.Database) -> int:
    path = Path(db.database)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o600
    lock = os.open(_lock_path(db), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, mode)
    with suppress(OSError):  # the umask may take the group's bits; a colleague's file
        os.fchmod(lock, mode)  # keeps its own mode
    return lock


@contextmanager
def built_after(db: peewee.Database, kept: tuple[str, ...] = ()) -> Iterator[None]:
    """The DEFERRED indexes but those `kept` are dropped for this block and built again
    at its end, however it ends. The caller writes in its own transactions, none held
    across the block's end."""
    lock = _open_lock(db)
    try:
        fcntl.flock(lock, fcntl.LOCK_SH)  # another bulk import may hold it too
        _drop(db, tuple(name for name in DEFERRED if name not in kept))
        try:
            yield
        except BaseException:
            # What went wrong is what to tell; an index that cannot be built now (the
            # disk full, say) stays recorded and is built when the workspace next opens.
            with suppress(Exception):
                rebuild(db)
            raise
        rebuild(db)
    finally:
        os.close(lock)  # releases the flock


def _drop(db: peewee.Database, names: tuple[str, ...] = DEFERRED) -> None:
    marks = ", ".join("?" for _ in names)
    with db.atomic():
        found = db.execute_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
            names,
        ).fetchall()
        for name, sql in found:
            db.execute_sql(
                "INSERT OR IGNORE INTO deferred_index (name, sql) VALUES (?, ?)", (name, sql)
            )
            db.execute_sql(f'DROP INDEX "{name}"')


def rebuild(db: peewee.Database) -> None:
    """Build every recorded index again, one per transaction."""
    for (name,) in db.execute_sql("SELECT name FROM deferred_index ORDER BY name").fetchall():
        with db.atomic():
            row = db.execute_sql(
                "SELECT sql FROM deferred_index WHERE name = ?", (name,)
            ).fetchone()
            if row is None:  # another process built it meanwhile
                continue
            exists = db.execute_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
            ).fetchone()
            if not exists:
                db.execute_sql(row[0])
            db.execute_sql("DELETE FROM deferred_index WHERE name = ?", (name,))


def rebuild_abandoned(db: peewee.Database) -> None:
    """Build the indexes an import that died left recorded (none running: its flock is
    free). Called when a workspace opens, before its migrations (which may name them)."""
    if not db.table_exists("deferred_index"):
        return
    if db.execute_sql("SELECT 1 FROM deferred_index LIMIT 1").fetchone() is None:
        return
    try:
        lock = _open_lock(db)
    except OSError:  # a folder this user may read but not write: left to whoever can
        return
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # an import is running: it builds them at its end
        rebuild(db)
    finally:
        os.close(lock)
