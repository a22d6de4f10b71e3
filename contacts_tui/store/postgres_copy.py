"""PostgreSQL bulk loading: rows by COPY (`migrate --to`), statistics kept up (the demo).

COPY takes the rows as one stream, without a statement per row or per page of rows
(INSERT … VALUES, execute_values), several times faster on the server. The stream is
written in CSV by the csv module, in C: formatting each value in Python cost as much as
the COPY itself. In PostgreSQL's CSV an unquoted empty field is NULL and a quoted one
('""') the empty string; every string is quoted here, so none can pass for NULL.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

import peewee

EXCEPTION_WRAPPER = peewee.__exception_wrapper__  # type: ignore[attr-defined]


class _Null(int):
    """Written as an unquoted empty field, PostgreSQL's NULL in CSV: the csv module leaves
    numbers unquoted and quotes everything else (QUOTE_NONNUMERIC), None included."""

    def __str__(self) -> str:
        return ""

    __repr__ = __str__


NULL = _Null()


def copy_rows(
    db: peewee.PostgresqlDatabase,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
) -> None:
    """COPY `rows` (ints, floats, bools, strings, dates and times, None: no bytes) into
    `table`, inside the caller's transaction."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writerows([NULL if value is None else value for value in row] for row in rows)
    buffer.seek(0)
    names = ", ".join(f'"{c}"' for c in columns)
    with EXCEPTION_WRAPPER:  # the driver's errors as peewee's, as every other statement's
        db.cursor().copy_expert(f'COPY "{table}" ({names}) FROM STDIN WITH (FORMAT csv)', buffer)


def analyze_when_grown(db: peewee.PostgresqlDatabase, tables: Sequence[str], known: int) -> int:
    """ANALYZE `tables` when `contact` holds twice the rows the planner last counted
    (`known`, 0 at first); returns the count it now knows.

    A bulk load outgrows the statistics long before autovacuum, which skips a table the
    loader keeps locked, gathers them again. Planned for an empty `contact`, each foreign
    key check of a new row read a whole index (a row per contact, for every e-mail and
    stage change): a PostgreSQL demo took quadratic time. ANALYZE invalidates the cached
    plans. Call it between write transactions: it does not wait for them or stop them.
    """
    (rows,) = db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM contact").fetchone()
    if rows < 2 * known + 1000:
        return known
    for table in tables:
        db.execute_sql(f'ANALYZE "{table}"')
    return rows
