"""`migrate --to`: copy a SQLite workspace's database into an empty PostgreSQL database.

The target gets the schema from the same numbered migrations, then every table's rows
in batches, parents before children, all in one PostgreSQL transaction: a copy that
fails or does not verify leaves no row behind (only the empty schema, so running it
again works). The source is only
read, inside one read transaction, so sessions may keep working while it runs and the
copy is of one moment. Each table is verified by its row count and a checksum computed
the same way from both databases.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import peewee

from contacts_tui.safe_text import first_line
from contacts_tui.store.database import (
    MIGRATION_TABLE,
    StoreError,
    applied_migrations,
    connect_url,
    migrate,
)
from contacts_tui.store.postgres_copy import copy_rows

BATCH_ROWS = 5000  # rows per read and per COPY: large enough that round trips don't dominate
# SQLite's own tables, and the FTS5 index the SQLite schema keeps (PostgreSQL has pg_trgm).
_SQLITE_ONLY = ("sqlite_%", "contact_fts%")

Progress = Callable[[int, int, str], None]  # rows done, rows in all, the table being copied


class MigrateError(Exception):
    """Nothing was copied (or all of it was undone); one line saying why."""


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    checksum: str  # the same from both databases, or the copy is undone
    columns: tuple[str, ...] = ()


def copy_to_postgres(
    source: peewee.SqliteDatabase, url: str, progress: Progress | None = None
) -> list[TableCopy]:
    """Copy every table of `source` into the empty PostgreSQL database at `url`."""
    try:
        target = connect_url(url)
    except StoreError as error:
        raise MigrateError(str(error)) from None
    if not isinstance(target, peewee.PostgresqlDatabase):
        raise MigrateError(f"{url} is not a PostgreSQL URL (postgresql://user@host/name).")
    try:
        with source.connection_context(), target.connection_context():
            copies = _copy(source, target, progress)
            _vacuum(target, copies, progress)
            return copies
    except peewee.DatabaseError as error:  # includes psycopg2's, wrapped by peewee
        raise MigrateError(f"The copy failed and was undone: {first_line(error)}.") from None
    finally:
        if hasattr(target, "close_all"):
            target.close_all()


def _copy(
    source: peewee.SqliteDatabase, target: peewee.PostgresqlDatabase, progress: Progress | None
) -> list[TableCopy]:
    refuse_unless_empty(target)
    migrate(target)
    if applied_migrations(target) != applied_migrations(source):
        raise MigrateError("The two databases' schemas differ; update contacts-tui on both.")
    source.execute_sql("BEGIN")  # one snapshot of every table, while others keep writing
    try:
        # Both schemas come from the same migrations (checked above), so a table only
        # SQLite has is SQLite's own machinery (the change counter live refresh polls).
        tables = [t for t in _tables_in_order(source) if target.table_exists(t)]
        totals = {t: _count(source, t) for t in tables}
        copies: list[TableCopy] = []
        with target.atomic():
            indexes = _drop_secondary_indexes(target, tables)
            # The summary tables are copied as they are: their triggers must not count
            # the copied rows a second time (nor notify sessions of an empty database).
            for table in tables:
                target.execute_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            done = 0
            for table in tables:
                columns, convert = _shared_columns(source, target, table)
                derived = _derived_columns(target, table, columns)
                read = (*(f'"{c}"' for c in columns), *derived.values())
                columns = (*columns, *derived)
                digest = 0
                for rows in _batches(source, table, columns, read):
                    rows = _converted(rows, convert)
                    digest += _digest(rows)
                    copy_rows(target, table, columns, rows)
                    done += len(rows)
                    if progress is not None:
                        progress(done, sum(totals.values()), table)
                _reset_sequence(target, table)
                copies.append(TableCopy(table, totals[table], _hex(digest), columns))
            if progress is not None:
                progress(done, sum(totals.values()), "building indexes, verifying")
            for definition in indexes:  # one build each: far faster than row by row
                target.execute_sql(definition)
            for table in tables:
                target.execute_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
            for copy in copies:
                _verify(target, copy)
            for table in tables:
                # Statistics now, not at autovacuum's next pass: without them the
                # planner guesses, and the first searches of a million contacts read
                # the wrong index.
                target.execute_sql(f'ANALYZE "{table}"')
        return copies
    finally:
        source.execute_sql("ROLLBACK")  # read only: nothing to keep


def _vacuum(
    target: peewee.PostgresqlDatabase, copies: list[TableCopy], progress: Progress | None
) -> None:
    """VACUUM the committed copy: it marks every page visible to all, so counts and
    searches read the indexes alone (index-only scans) from the first query on, not
    after autovacuum's next pass (a million contacts: 16 s here). The copy is done and
    verified already: a failure here leaves the work to autovacuum."""
    if progress is not None:
        rows = sum(copy.rows for copy in copies)
        progress(rows, rows, "committed; marking the pages visible (VACUUM)")
    try:
        for copy in copies:
            target.execute_sql(f'VACUUM "{copy.table}"')
    except peewee.DatabaseError:
        pass


def refuse_unless_empty(target: peewee.PostgresqlDatabase) -> None:
    """Refuse a database with a row in any table (an empty schema of ours is fine)."""
    for table in target.get_tables():
        if table == MIGRATION_TABLE:
            continue
        if target.execute_sql(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
            raise MigrateError(
                f"The PostgreSQL database is not empty (table {table} has rows); "
                "migrate copies only into an empty database. Create one: createdb NAME"
            )


def _tables_in_order(source: peewee.SqliteDatabase) -> list[str]:
    """The tables to copy, each after the tables its foreign keys point to."""
    skip = " AND ".join("name NOT LIKE ?" for _ in _SQLITE_ONLY)
    names = [
        name
        for (name,) in source.execute_sql(
            f"SELECT name FROM sqlite_master WHERE type = 'table' AND {skip} ORDER BY name",
            _SQLITE_ONLY,
        )
        if name != MIGRATION_TABLE
    ]
    parents = {
        name: {row[2] for row in source.execute_sql(f'PRAGMA foreign_key_list("{name}")')}
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= {*ordered, n}]
        if not ready:
            raise MigrateError("The tables' foreign keys form a cycle; cannot order the copy.")
        ordered.extend(ready)
    return ordered


def _count(db: peewee.Database, table: str) -> int:
    return db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


Converters = dict[int, Callable[[object], object]]
"""By column position, how a SQLite value becomes the PostgreSQL one (others stay)."""


def _shared_columns(
    source: peewee.SqliteDatabase, target: peewee.PostgresqlDatabase, table: str
) -> tuple[tuple[str, ...], Converters]:
    """The table's columns, and the converters of those whose values SQLite keeps otherwise."""
    types = {c.name: c.data_type for c in target.get_columns(table)}
    columns = tuple(c.name for c in source.get_columns(table))
    extra = [c for c in columns if c not in types]
    if extra:
        raise MigrateError(f"The PostgreSQL table {table} has no column {', '.join(extra)}.")
    converters = {n: _CONVERTERS.get(types[c].split()[0]) for n, c in enumerate(columns)}
    return columns, {n: f for n, f in converters.items() if f is not None}


def _converted(rows: list[tuple], convert: Converters) -> list[tuple]:
    """The rows with PostgreSQL's Python values: only the columns that need it are
    touched (most hold text and integers, the same in both)."""
    if not convert:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for n, f in convert.items():
            values[n] = f(values[n])
        out.append(tuple(values))
    return out


_DERIVED = {
    # Migration 0021: each word's count key code, SQLite's own (0018) for its contact
    # (count_key is copied as it is, so the codes mean the same combinations).
    ("contact_word", "code"): (
        "(SELECT k.code FROM contact_key c JOIN count_key k ON k.letter = c.letter "
        "WHERE c.id = contact_word.contact_id)"
    ),
}
"""(table, column) PostgreSQL has and SQLite does not → the SQLite expression of its value."""


def _derived_columns(
    target: peewee.PostgresqlDatabase, table: str, columns: tuple[str, ...]
) -> dict[str, str]:
    """The columns of `table` only PostgreSQL has, each with its value read from SQLite."""
    present = {c.name for c in target.get_columns(table)}
    return {
        column: expression
        for (name, column), expression in _DERIVED.items()
        if name == table and column in present and column not in columns
    }


def _batches(
    db: peewee.Database,
    table: str,
    columns: tuple[str, ...],
    read: tuple[str, ...] | None = None,
) -> Iterator[list]:
    """The rows of `table`, a batch at a time: `columns`, or the expressions `read`."""
    names = ", ".join(read or (f'"{c}"' for c in columns))
    order = "ORDER BY id" if "id" in columns else ""
    sql = f'SELECT {names} FROM "{table}" {order}'
    if not isinstance(db, peewee.PostgresqlDatabase):
        cursor = db.execute_sql(sql)
        while rows := cursor.fetchmany(BATCH_ROWS):
            yield rows
        return
    # psycopg2's ordinary cursor fetches the whole result at execute (fetchmany only
    # slices it): a table of millions of rows, checksummed, held ~1 GB. A named cursor
    # is read on the server a batch at a time. psycopg2 names none under autocommit,
    # which peewee uses even inside a transaction, unless it is held past the commit.
    cursor = db.connection().cursor(name=f"contacts_tui_read_{table}", withhold=True)
    try:
        cursor.itersize = BATCH_ROWS
        cursor.execute(sql)
        while rows := cursor.fetchmany(BATCH_ROWS):
            yield rows
    finally:
        cursor.close()


def _boolean(value: object) -> object:
    """SQLite keeps booleans as 0 and 1."""
    return value if value is None else bool(value)


def _timestamp(value: object) -> object:
    """SQLite keeps times as ISO text."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value  # PostgreSQL says what is wrong with it, and the copy is undone
    return value


def _date(value: object) -> object:
    """SQLite keeps days (the summaries' UTC days) as ISO text."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value  # as _timestamp
    return value


_CONVERTERS: dict[str, Callable[[object], object]] = {  # by the first word of the type
    "boolean": _boolean,
    "timestamp": _timestamp,
    "date": _date,
}


def _reset_sequence(target: peewee.PostgresqlDatabase, table: str) -> None:
    """Let the next row the app adds take the id after the last one copied."""
    if "id" not in {c.name for c in target.get_columns(table)}:
        return
    (sequence,) = target.execute_sql(
        "SELECT pg_get_serial_sequence(%s, 'id')", (f'"{table}"',)
    ).fetchone()
    if sequence:
        target.execute_sql(
            f'SELECT setval(%s, COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table}"',
            (sequence,),
        )


def _verify(target: peewee.PostgresqlDatabase, copy: TableCopy) -> None:
    copied = _count(target, copy.table)
    if copied != copy.rows:
        raise MigrateError(
            f"{copy.table}: {copy.rows:,} rows in SQLite but {copied:,} copied; undone."
        )
    if checksum(target, copy.table, copy.columns) != copy.checksum:
        raise MigrateError(
            f"{copy.table}: the copied rows differ from SQLite's (checksum); undone."
        )


def checksum(db: peewee.Database, table: str, columns: tuple[str, ...]) -> str:
    """A digest of a table's rows, in any order (see _digest)."""
    return _hex(sum(_digest(rows) for rows in _batches(db, table, columns)))


def _digest(rows: list[tuple]) -> int:
    """The sum of each row's SHA-256, taken over the row's repr.

    SQLite's values are first made PostgreSQL's Python types (bool, datetime), so the
    same rows give the same reprs from both databases; a sum, not a hash of the
    sequence, because the two sort text differently.
    """
    sha256 = hashlib.sha256
    return sum(int.from_bytes(sha256(repr(row).encode()).digest(), "big") for row in rows)


def _hex(total: int) -> str:
    return f"{total % (1 << 256):064x}"


def _drop_secondary_indexes(target: peewee.PostgresqlDatabase, tables: list[str]) -> list[str]:
    """Drop the indexes no constraint needs; returns the statements that make them again."""
    found = target.execute_sql(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
        "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
        (tables,),
    ).fetchall()
    for name, _definition in found:
        target.execute_sql(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]
