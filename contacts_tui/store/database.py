"""Opening the database (SQLite file or PostgreSQL URL), its pragmas, and migrating it."""

from __future__ import annotations

import errno
import fcntl
import functools
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

import peewee

from contacts_tui.safe_text import first_line
from contacts_tui.store import is_postgres_url
from contacts_tui.store.deferred_indexes import rebuild_abandoned
from contacts_tui.store.models import ALL_MODELS, database

EXCEPTION_WRAPPER = peewee.__exception_wrapper__  # type: ignore[attr-defined]
"""Turns a driver's errors into peewee's, as peewee's own calls do (not in its stubs)."""

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_TABLE = "schema_migration"  # where playhouse.migrations.Runner records them
Announce = Callable[[list[str]], None]  # told which migrations are about to run
BUSY_TIMEOUT_MS = 5000
WAIT_NOTICE_MS = 300
"""A write that has waited this long for another writer's lock says so (`waits_reported`)."""

# synchronous=FULL: a committed contact survives a power cut, not only a crash.
SQLITE_PRAGMAS = (
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("synchronous", "full"),
    ("busy_timeout", BUSY_TIMEOUT_MS),
    # 1 MB, not 16 (changed for the list screen's memory target): every worker thread
    # opens its own short-lived connection, so the cache never outlives one call and a
    # big one only multiplies memory by the reads running at once (1M contacts, while
    # searching: 99 MB peak with 16 MB, 61 MB with 2 MB; 1 MB took 1.4 MB more off each
    # read running, with the same CPU time for the list's pages and counts).
    ("cache_size", -1000),
)


class StoreError(Exception):
    """The database cannot be used; the message is one line for the person at the terminal."""


class DatabaseBusy(StoreError):
    """Another writer held the database for longer than every retry waited: nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            "Another user's change is still being written to the database, so nothing was "
            "saved; try again in a moment."
        )


def is_postgres(db: peewee.Database | None = None) -> bool:
    return isinstance(db or database.obj, peewee.PostgresqlDatabase)


def create_private_file(path: Path, mode: int = 0o600) -> None:
    """Create an empty file with `mode` unless it exists, so SQLite never creates it 0644."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, mode)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, mode)  # the umask must not take the group's bits of a shared workspace
    finally:
        os.close(fd)


def connect_sqlite(path: Path, mode: int = 0o600) -> peewee.SqliteDatabase:
    """A SQLite database at `path` whose write transactions all begin IMMEDIATE.

    A new file is created with `mode` first: SQLite alone would create it 0644.
    """
    if path.exists() and not path.is_file():
        raise StoreError(f"{path} is not a database file.")
    try:
        create_private_file(path, mode)
    except OSError as error:
        raise StoreError(f"Cannot create the database {path}: {error.strerror}.") from None
    if not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(f"The database {path} is not writable by you.")
    # SQLite gives its -wal and -shm files the database file's own mode.
    return SqliteReportingWaits(
        str(path),
        pragmas=SQLITE_PRAGMAS,
        lock_type="IMMEDIATE",
        timeout=BUSY_TIMEOUT_MS / 1000,
    )


_waits = threading.local()


@contextmanager
def waits_reported(on_wait: Callable[[], None]) -> Iterator[None]:
    """Call `on_wait()` (in this thread) whenever a write of this block waits for a lock.

    Both databases wait for another writer silently, for up to the busy timeout and then
    for each retry: a save under a colleague's import looked hung for 15 s. The UI passes
    a callback that puts "waiting" on screen. SQLite waits for its one write lock in
    BEGIN IMMEDIATE (see `SqliteReportingWaits`); PostgreSQL for a row or table lock at
    any statement of the transaction, so the transaction waits a short `lock_timeout`
    first and, once the user is told, is run again with the rest (see `with_connection`).
    """
    previous = getattr(_waits, "on_wait", None), getattr(_waits, "told", False)
    _waits.on_wait, _waits.told = on_wait, False
    try:
        yield
    finally:
        _waits.on_wait, _waits.told = previous


def _lock_timeout_ms() -> int:
    """How long the statements of a PostgreSQL transaction starting now wait for a lock:
    briefly while a listener has not been told of a wait, else the rest of the timeout."""
    short = getattr(_waits, "on_wait", None) is not None and not getattr(_waits, "told", False)
    _waits.short_wait = short
    if short:
        return WAIT_NOTICE_MS
    return BUSY_TIMEOUT_MS - (WAIT_NOTICE_MS if getattr(_waits, "told", False) else 0)


def _told_of_wait() -> bool:
    """After a PostgreSQL transaction's short first wait ran out: tell the listener, and
    say whether the transaction should be run again at once (with the rest of the wait)."""
    if not getattr(_waits, "short_wait", False):
        return False
    _waits.short_wait = False
    _waits.told = True
    _waits.on_wait()
    return True


def _retrying() -> None:
    """A retry after a full wait: it says again that it waits, as on SQLite."""
    _waits.told = False


def _write_wanted_path(db: peewee.Database) -> str:
    return f"{db.database}-write-wanted"


def _open_beside(db: peewee.Database, path: str) -> int:
    """A file beside the database, opened (created with the database's mode) for a flock."""
    mode = stat.S_IMODE(os.stat(db.database).st_mode)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, mode)
    with suppress(OSError):  # the umask may take the group's bits; a colleague's file
        os.fchmod(fd, mode)  # keeps its own mode
    return fd


@contextmanager
def _wanting_to_write(db: peewee.Database) -> Iterator[None]:
    """A shared flock on the database's `-write-wanted` file while this transaction waits
    for SQLite's write lock: the sign a bulk writer looks for between its batches
    (`ColleagueWaits`). Without the file (a folder this user cannot write), no sign."""
    try:
        fd = _open_beside(db, _write_wanted_path(db))
    except OSError:
        yield
        return
    try:
        # A bulk writer holds it exclusively for a moment only; never waited on for
        # longer, so that nothing holding it (a stopped process) can hold up a save.
        for _ in range(50):
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                time.sleep(0.001)
        yield
    finally:
        os.close(fd)  # releases the flock


class ColleagueWaits:
    """Whether another write is waiting for SQLite's lock, for a bulk writer (import,
    demo) between its batches: it pauses only then, long enough for the waiting write's
    busy handler to find the lock free. Its pauses were idle time otherwise: 0.5 s of a
    100,000-row import's 8 s.

    Every write transaction of this app holds a shared flock on a file beside the
    database while it waits (`_wanting_to_write`); an exclusive flock that cannot be taken
    at once means one does. PostgreSQL, or a file that cannot be opened: always a pause,
    as if someone waited."""

    def __init__(self, db: peewee.Database) -> None:
        self.fd: int | None = None
        if not is_postgres(db):
            with suppress(OSError):
                self.fd = _open_beside(db, _write_wanted_path(db))

    def __call__(self) -> bool:
        if self.fd is None:
            return True
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        return False

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class SqliteReportingWaits(peewee.SqliteDatabase):
    """SQLite whose write transactions tell `waits_reported`'s callback when they wait,
    and a bulk writer that they wait (`_wanting_to_write`)."""

    def begin(self, lock_type: str | None = None) -> None:
        with _wanting_to_write(self):
            self._begin(lock_type)

    def _begin(self, lock_type: str | None) -> None:
        on_wait = getattr(_waits, "on_wait", None)
        if on_wait is None:
            return super().begin(lock_type)
        connection = self.connection()
        # A short first wait, then the rest of the busy timeout once the user knows.
        connection.execute(f"PRAGMA busy_timeout = {WAIT_NOTICE_MS}")
        try:
            try:
                return super().begin(lock_type)
            except peewee.OperationalError as error:
                if not is_busy(error):
                    raise
            on_wait()
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS - WAIT_NOTICE_MS}")
            return super().begin(lock_type)
        finally:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


@functools.cache
def _postgres_class() -> type[peewee.PostgresqlDatabase]:
    # Imported here: most workspaces are SQLite, and these cost ~20 ms of every start.
    from playhouse.pool import PooledPostgresqlDatabase

    class PostgresReportingWaits(PooledPostgresqlDatabase):
        """PostgreSQL whose write transactions wait for locks no longer than the busy
        timeout (the server's default is forever), and briefly first when a wait is to be
        reported (`waits_reported`)."""

        def begin(self, isolation_level: str | None = None) -> None:
            super().begin(isolation_level)
            with EXCEPTION_WRAPPER:
                self.cursor().execute(f"SET LOCAL lock_timeout = {int(_lock_timeout_ms())}")

    return PostgresReportingWaits


def connect_url(url: str) -> peewee.Database:
    """A database from a URL: sqlite:///path or postgresql://user@host/name."""
    if url.startswith("sqlite:///"):
        return connect_sqlite(sqlite_url_path(url))
    if is_postgres_url(url):
        params = postgres_url_params(url)
        name = params.pop("database", None)
        if not name:
            raise StoreError(
                f"The database URL {url!r} names no database: use postgresql://user@host/dbname."
            )
        # A small pool: every worker thread opens and closes a connection per call.
        return _postgres_class()(name, max_connections=8, stale_timeout=300, **params)
    raise StoreError(
        f"Unknown database URL {url!r}: use sqlite:///path/to/contacts.db "
        "or postgresql://user@host/dbname."
    )


def sqlite_url_path(url: str) -> Path:
    """The file of a sqlite:/// URL, as SQLAlchemy reads it.

    sqlite:///contacts.db is relative to the current folder and sqlite:////srv/contacts.db
    (a fourth slash) is absolute. A relative path whose file does not exist while the
    absolute one does is refused: its author meant the absolute one, and colleagues in
    other folders would each get a database of their own.
    """
    text = url.removeprefix("sqlite:///")
    if not text:
        raise StoreError(
            f"The database URL {url!r} names no file: use sqlite:///contacts.db (relative "
            "to the current folder) or sqlite:////absolute/path/contacts.db."
        )
    path = Path(text).expanduser()
    if not path.is_absolute() and not path.exists() and Path("/", path).exists():
        raise StoreError(
            f"The database URL {url!r} is relative to the current folder, where there is "
            f"no {path}; for the file /{path} write sqlite:////{path} (four slashes)."
        )
    return path.absolute()  # the database stays where it was if the process changes folder


def postgres_url_params(url: str) -> dict:
    """psycopg2's connect() arguments in postgresql://user:password@host:port/name?opts.

    Not playhouse.db_url.parse: importing it loads playhouse's CockroachDB, Postgres
    extensions and cysqlite modules, a third of a start on PostgreSQL.
    """
    from urllib.parse import parse_qsl, unquote, urlsplit

    parts = urlsplit(url)
    params: dict = dict(parse_qsl(parts.query))
    if parts.path.strip("/"):
        params["database"] = unquote(parts.path.strip("/"))
    if parts.username:
        params["user"] = unquote(parts.username)
    if parts.password:
        params["password"] = unquote(parts.password)
    if parts.hostname:
        params["host"] = parts.hostname
    if parts.port:
        params["port"] = parts.port
    return params


def open_database(db: peewee.Database, announce: Announce | None = None) -> None:
    """Bind the models to `db`, check it is reachable and bring its schema up to date."""
    database.initialize(db)
    try:
        with db.connection_context():
            if not is_postgres(db):
                rebuild_abandoned(db)  # an import that died left indexes to build
            migrate(db, announce)
            missing = sorted(expected_tables(db) - set(db.get_tables()))
    except StoreError:
        raise
    except (peewee.OperationalError, peewee.DatabaseError, sqlite3.Error) as error:
        raise StoreError(f"Cannot open the database: {first_line(error)}.") from None
    if missing:
        # Every update is recorded as done, yet tables are gone: dropped by hand, or a
        # database of another program. Said here, rather than as a crash of the first query.
        raise StoreError(
            f"The database has no {', '.join(missing)} table{'s' * (len(missing) > 1)}: it "
            "was damaged or is not a contacts-tui database. Restore it from a backup."
        )


def expected_tables(db: peewee.Database) -> set[str]:
    """The tables the app's models (and, on SQLite, the search index) live in."""
    tables = {model._meta.table_name for model in ALL_MODELS}
    return tables if is_postgres(db) else tables | {"contact_fts"}


def schema_problems(db: peewee.Database) -> list[str]:
    """Tables and columns the app needs that the database lacks, one sentence each."""
    present = set(db.get_tables())
    problems = [
        f"The database has no {table} table." for table in sorted(expected_tables(db) - present)
    ]
    for model in ALL_MODELS:
        table = model._meta.table_name
        if table not in present:
            continue
        have = {column.name for column in db.get_columns(table)}
        lacking = [f.column_name for f in model._meta.sorted_fields if f.column_name not in have]
        if lacking:
            problems.append(f"The {table} table lacks the column(s) {', '.join(lacking)}.")
    return problems


def migrate(db: peewee.Database, announce: Announce | None = None) -> list[str]:
    """Apply pending migrations, each in its own transaction; refuse a newer schema.

    `announce` is told the names first when an existing database is updated: rewriting
    a column of a million contacts takes a minute, which must not look like a hang.
    """
    files = {path.stem for path in MIGRATIONS.glob("[0-9]*.py")}
    if applied_migrations(db) == files:
        return []  # the usual start: the migration runner (6 ms of imports) is not needed
    # Colleagues start the new version at the same time: one updates the database, the
    # others wait for it and then find nothing left to do.
    with one_updater(db):
        applied = applied_migrations(db)
        if applied == files:
            return []
        if not applied:
            foreign = [t for t in db.get_tables() if not t.startswith("sqlite_")]
            if foreign:
                shown = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
                raise StoreError(
                    f"This database is not a contacts-tui database (it holds the tables "
                    f"{shown}); the app adds nothing to it. Give it a new database."
                )
        from playhouse.migrations import Runner

        runner = Runner(db, directory=str(MIGRATIONS))
        unknown = [m.name for m in runner.status() if m.path is None]
        if unknown:
            raise StoreError(
                "This database was written by a newer version of contacts-tui "
                f"(schema {unknown[-1]}); please upgrade the app."
            )
        if applied and announce is not None:
            announce([m.name for m in runner.status() if not m.applied])
        try:
            return runner.up()
        except Exception as error:
            raise StoreError(f"Updating the database schema failed: {first_line(error)}.") from None


MIGRATION_LOCK = 0x636F6E74  # "cont": the PostgreSQL advisory lock of schema updates


@contextmanager
def one_updater(db: peewee.Database) -> Iterator[None]:
    """Hold the lock of schema updates, waiting for another process that holds it.

    Not a transaction: playhouse's SQLite migrator switches foreign keys off around a
    migration, which works only outside one. SQLite: an flock on a file beside the
    database (flock, not fcntl: closing it cannot drop SQLite's own fcntl locks).
    PostgreSQL: a session advisory lock.
    """
    if is_postgres(db):
        db.execute_sql("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        try:
            yield
        finally:
            db.execute_sql("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
        return
    import fcntl

    path = Path(db.database)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o600
    try:
        lock = os.open(f"{path}-update.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, mode)
    except OSError as error:  # a folder this user may read but not write, say
        why = (error.strerror or str(error)).lower()
        raise StoreError(
            "This database needs updating for this version of contacts-tui, and cannot be "
            f"updated from here ({why}: {error.filename}). Ask whoever "
            "looks after the workspace to open it once with this version."
        ) from None
    with suppress(OSError):  # the umask may take the group's bits; a colleague's file
        os.fchmod(lock, mode)  # keeps its own mode
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
    finally:
        os.close(lock)  # releases the flock


ROWS_PER_INSERT = 1000
"""Rows one SQLite INSERT statement takes (fewer when they would pass its limit of
parameters)."""


def insert_rows(db: peewee.Database, table: str, columns: tuple[str, ...], rows: list) -> None:
    """Insert many rows of plain values at once, the fastest way each database has.

    For the demo and import, which write thousands of contacts inside one transaction:
    peewee's insert_many builds a query object per batch; this hands the rows straight
    to the driver (multi-row VALUES on both databases; execute_values on PostgreSQL).

    SQLite: many rows to a statement, not one statement per row (executemany). A table
    with a trigger that writes another table (contact's change counter) makes SQLite keep
    a statement journal of each page every statement changes, a dozen index pages per
    contact: one statement per row was half the time of writing a contact.
    """
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = db.cursor()
    if is_postgres(db):
        # Not COPY (`postgres_copy`, which `migrate --to` uses): psycopg2's copy_expert,
        # when the server drops the connection mid-COPY, printed the error's chain on
        # stderr before raising, and the demo and import must say one line.
        from psycopg2.extras import execute_values

        with EXCEPTION_WRAPPER:  # the driver's errors as peewee's, as elsewhere
            execute_values(
                cursor, f'INSERT INTO "{table}" ({names}) VALUES %s', rows, page_size=1000
            )
        return
    marks = "(" + ", ".join("?" for _ in columns) + ")"
    most = max(1, min(ROWS_PER_INSERT, _sqlite_parameters(db) // len(columns)))
    start = 0
    with EXCEPTION_WRAPPER:
        while start < len(rows):
            # The whole statement's size, then the rest in halves (512, 256, … 1 rows):
            # the same few statements every time, which the driver compiles once and
            # keeps. A statement sized to each remainder was compiled anew for every
            # batch and kept among the driver's 128 (~2 KB per row each: 80 MB of a
            # demo's memory).
            size = most if len(rows) - start >= most else 1 << (len(rows) - start).bit_length() - 1
            sql = f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join([marks] * size)
            cursor.execute(sql, list(chain.from_iterable(rows[start : start + size])))
            start += size


def _sqlite_parameters(db: peewee.Database) -> int:
    """How many parameters one statement may have on this SQLite (999 before 3.32)."""
    try:
        return db.connection().getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):  # Python before 3.11, or another driver
        return 999


def applied_migrations(db: peewee.Database) -> set[str]:
    """The names of the migrations this database has had (none for a new database)."""
    if not db.table_exists(MIGRATION_TABLE):
        return set()
    return {name for (name,) in db.execute_sql(f"SELECT name FROM {MIGRATION_TABLE}")}


T = TypeVar("T")

RETRIES = 3


def _error_chain(error: BaseException | None) -> Iterator[BaseException]:
    """`error` and those it arose from: peewee wraps the driver's error (its first
    argument), and a failed ROLLBACK is raised while handling the real error."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        wrapped = error.args[0] if error.args else None
        if isinstance(wrapped, BaseException) and id(wrapped) not in seen:
            yield from _error_chain(wrapped)
        error = error.__cause__ or error.__context__


def sqlstate(error: BaseException) -> str | None:
    """PostgreSQL's SQLSTATE code of `error` (or of one it arose from); None on SQLite."""
    codes = (getattr(e, "pgcode", None) for e in _error_chain(error))
    return next((code for code in codes if code), None)


def database_error(error: BaseException) -> BaseException | None:
    """The error of the database that `error` is or arose from, None if it is not one.

    What the server said, rather than what went wrong after it: once the server has
    ended the session, peewee's ROLLBACK fails with "connection already closed" (an
    InterfaceError: the driver's complaint about its connection, not the cause).
    """
    found = [
        cause
        for cause in _error_chain(error)
        if isinstance(cause, peewee.PeeweeException | sqlite3.Error)
        or type(cause).__module__.startswith("psycopg2")
    ]
    if not found:
        return None
    with_code = [cause for cause in found if getattr(cause, "pgcode", None)]
    causes = [cause for cause in found if "InterfaceError" not in type(cause).__name__]
    return (with_code or causes or found)[0]


PG_DISK_FULL = "53100"
PG_LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout ran out
PG_DEADLOCK = "40P01"  # the server chose this transaction to undo: running it again works


def disk_is_full(error: BaseException) -> bool:
    """Whether `error`, or one it arose from, says the disk (or quota) is full.

    SQLite rolls a transaction back itself when the disk fills (SQLITE_FULL), so the
    error that surfaces is often peewee's failed ROLLBACK ("no transaction is active"),
    raised while handling the real one. PostgreSQL says so with SQLSTATE 53100.
    """
    for cause in _error_chain(error):
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if getattr(cause, "pgcode", None) == PG_DISK_FULL:
            return True
        text = str(cause).lower()
        if "database or disk is full" in text or "no space left on device" in text:
            return True
    return False


def is_busy(error: BaseException) -> bool:
    """Another writer held a lock for longer than we waited (nothing of ours was written)."""
    code = sqlstate(error)
    if code is not None:
        return code in (PG_LOCK_NOT_AVAILABLE, PG_DEADLOCK)
    text = str(error).lower()
    return "locked" in text or "busy" in text


def with_connection(function: Callable[..., T]) -> Callable[..., T]:
    """Run `function` with a connection of this thread's, closed again when it returns.

    Callers are worker threads that come and go; keeping their connections open would
    leak one per thread and hold read snapshots open while the user is idle.
    Writes that find the database busy beyond the busy timeout are retried a few times,
    then raise `DatabaseBusy`.
    Inside `StoppableReads.reading` the connection can be stopped from another thread:
    the call then raises `ReadStopped` (see there).
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        attempt = 0
        while True:
            try:
                with database.connection_context(), _stoppable():
                    return function(*args, **kwargs)
            except peewee.OperationalError as error:
                if not is_busy(error) or database.in_transaction():
                    raise  # a call inside another's transaction: that one runs it again
                if _told_of_wait():
                    continue
                attempt += 1
                if attempt == RETRIES:
                    raise DatabaseBusy from error
                _retrying()
                time.sleep(0.05 * attempt)

    return wrapper


# ----- reads that a newer one makes useless ------------------------------------------------
# Every read of the list runs in a thread worker with its own connection. Textual cancels a
# superseded worker, but that only sets a flag: its query runs on to the end. While the user
# types a search, counts and dashboards over 100,000+ matches of terms already gone kept
# running beside the newest search, each with its own page cache and sort buffers (at a
# million contacts up to five at once, and the peak resident memory with them).


class ReadStopped(Exception):
    """A read was stopped because its answer is no longer wanted: not an error to show."""


class StoppableReads:
    """The reads one widget has running, so that it can stop those it no longer wants.

    On the UI thread: `ticket()` when asking for a read, `stop_all()` when every read
    asked for so far has become useless. In the worker: `with reads.reading(ticket):`
    around the service call. A stopped query ends at once (SQLite: `interrupt()`,
    PostgreSQL: `cancel()`) and the call raises `ReadStopped`; a read whose worker starts
    only after `stop_all()` does not run at all.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._epoch = 0  # bumped by stop_all: a ticket from before it is stale
        self._running: dict[int, _Read] = {}  # by thread

    def ticket(self) -> int:
        return self._epoch

    def stop_all(self) -> None:
        with self._lock:
            self._epoch += 1
            for read in self._running.values():
                read.stop()

    @contextmanager
    def reading(self, ticket: int) -> Iterator[None]:
        """Let the connections `with_connection` opens in this block be stopped."""
        _scope.reads = (self, ticket)
        try:
            yield
        finally:
            _scope.reads = None

    def _attach(self, ticket: int, connection: object) -> _Read:
        with self._lock:
            if ticket != self._epoch:
                raise ReadStopped
            read = _Read(connection)
            self._running[threading.get_ident()] = read
            return read

    def _detach(self) -> None:
        with self._lock:  # after this no stop() can reach the connection: it may close
            self._running.pop(threading.get_ident(), None)


class _Read:
    def __init__(self, connection: object) -> None:
        self.connection = connection
        self.stopped = False
        self.canceller: threading.Thread | None = None

    def stop(self) -> None:
        """Called with the registry's lock held, so the connection is still open."""
        self.stopped = True
        # sqlite3's interrupt() is thread-safe; one that comes between two statements of
        # a call is lost and that call runs on to its end, as every read did before.
        interrupt = getattr(self.connection, "interrupt", None)
        if interrupt is not None:
            interrupt()
            return
        # psycopg2's cancel() opens a connection to the server and waits for it: not on
        # the UI thread. `_stoppable` waits for it before the pool gets the connection
        # back, so that it cannot land on the next user's query.
        self.canceller = threading.Thread(
            target=_cancel_quietly, args=(self.connection,), daemon=True
        )
        self.canceller.start()


def _cancel_quietly(connection: Any) -> None:
    with suppress(Exception):  # already closed: nothing left to cancel
        connection.cancel()


_scope = threading.local()

CANCEL_WAIT = 5.0
"""Seconds a stopped PostgreSQL read waits for its cancel request to reach the server."""


@contextmanager
def _stoppable() -> Iterator[None]:
    """Register this thread's open connection with the reads of `StoppableReads.reading`."""
    reads, ticket = getattr(_scope, "reads", None) or (None, 0)
    if reads is None or threading.get_ident() in reads._running:  # none, or nested
        yield
        return
    read = reads._attach(ticket, database.connection())
    try:
        yield
    except Exception as error:
        if read.stopped:
            raise ReadStopped from error
        raise
    finally:
        reads._detach()
        if read.canceller is not None:
            read.canceller.join(CANCEL_WAIT)
