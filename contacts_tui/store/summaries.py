"""Counts the database keeps by trigger (migrations 0011 and 0012), read, checked and rebuilt.

Each summary table has a query here that counts the same thing from the rows
themselves: `check` compares the two, and `rebuild` replaces a table's rows by it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from contacts_tui.store.database import is_postgres
from contacts_tui.store.models import database


def _day(column: str) -> str:
    return f"CAST({column} AS DATE)" if is_postgres() else f"date({column})"


def _not_archived(row: str) -> str:
    return f"NOT {row}.archived" if is_postgres() else f"{row}.archived = 0"


def _missing(row: str) -> str:
    return f"CASE WHEN {row}.primary_email = '' OR {row}.primary_phone = '' THEN 1 ELSE 0 END"


_TALLY_COLUMNS = "archived, template, stage, status, segmentation, reason_code"


def _sources() -> dict[str, tuple[tuple[str, ...], str]]:
    """Summary table → (its columns, the query counting it from the rows)."""
    return {
        "contact_tally": (
            (*_TALLY_COLUMNS.split(", "), "missing", "contacts"),
            f"SELECT {_TALLY_COLUMNS}, {_missing('contact')}, COUNT(*) FROM contact "
            f"GROUP BY {_TALLY_COLUMNS}, {_missing('contact')}",
        ),
        "stage_day": (
            ("day", "stage", "changes"),
            f"SELECT {_day('s.at')}, s.to_stage, COUNT(*) FROM stage_change s "
            f"JOIN contact c ON c.id = s.contact_id WHERE {_not_archived('c')} GROUP BY 1, 2",
        ),
        "created_day": (
            ("day", "contacts"),
            f"SELECT {_day('c.created_at')}, COUNT(*) FROM contact c "
            f"WHERE {_not_archived('c')} GROUP BY 1",
        ),
    }


SUMMARY_TABLES = ("contact_tally", "stage_day", "created_day")


def mismatches() -> list[str]:
    """The summary tables whose counts differ from a count of the rows (empty: all true)."""
    wrong = []
    for table, (columns, source) in _sources().items():
        kept = _as_counts(database.execute_sql(f"SELECT {', '.join(columns)} FROM {table}"))
        counted = _as_counts(database.execute_sql(source))
        if kept != counted:
            wrong.append(table)
    return wrong


def _as_counts(cursor: Iterable[tuple]) -> dict[tuple, int]:
    """Key → count, leaving out zero counts (a summary keeps a row whose count fell to 0)."""
    counts: dict[tuple, int] = {}
    for row in cursor:
        *key, n = row
        if n:
            counts[tuple(key)] = int(n)
    return counts


def rebuild(tables: Iterable[str] = SUMMARY_TABLES) -> None:
    """Count each table again from the rows (in the caller's write transaction)."""
    sources = _sources()
    for table in tables:
        columns, source = sources[table]
        database.execute_sql(f"DELETE FROM {table}")
        database.execute_sql(f"INSERT INTO {table} ({', '.join(columns)}) {source}")


# ----- reading --------------------------------------------------------------------------


def stage_tally(
    archived: bool,
    status: str | None = None,
    stages: Iterable[str] | None = None,
    segmentation: str | None = None,
    reason_code: str | None = None,
    template: str | None = None,
) -> list[tuple[str, str, int, int]]:
    """(stage, status, contacts, contacts missing a primary e-mail or phone) of the contacts
    matching these fields, from contact_tally: a few hundred rows whatever the size."""
    param = database.param
    where = [f"archived = {param}"]
    values: list[object] = [archived]
    for column, value in (
        ("status", status),
        ("segmentation", segmentation),
        ("reason_code", reason_code),
        ("template", template),
    ):
        if value is not None:
            where.append(f"{column} = {param}")
            values.append(value)
    if stages is not None:
        stages = list(stages)
        if not stages:
            return []
        where.append(f"stage IN ({', '.join(param for _ in stages)})")
        values.extend(stages)
    cursor = database.execute_sql(
        "SELECT stage, status, SUM(contacts), SUM(contacts * missing) FROM contact_tally "
        f"WHERE {' AND '.join(where)} GROUP BY stage, status HAVING SUM(contacts) > 0",
        values,
    )
    return [(stage, status, int(n), int(m)) for stage, status, n, m in cursor]


def contacts_per_step() -> dict[tuple[str, str], int]:
    """(template, step) → contacts on it, archived ones too."""
    cursor = database.execute_sql(
        "SELECT template, stage, SUM(contacts) FROM contact_tally GROUP BY template, stage "
        "HAVING SUM(contacts) > 0"
    )
    return {(template, stage): int(n) for template, stage, n in cursor}


def changes_per_day(
    start: datetime, end: datetime, stages: Iterable[str] | None = None
) -> list[tuple[date, str, int]]:
    """(UTC day, step, stage changes) of contacts not archived, for days in [start, end)."""
    param = database.param
    cursor = database.execute_sql(
        f"SELECT day, stage, changes FROM stage_day WHERE day >= {param} AND day < {param} "
        "AND changes <> 0",
        (start.date().isoformat(), end.date().isoformat()),
    )
    wanted = None if stages is None else set(stages)
    return [
        (_as_date(day), stage, int(n))
        for day, stage, n in cursor
        if wanted is None or stage in wanted
    ]


def created_per_day(start: datetime, end: datetime) -> list[tuple[date, int]]:
    """(UTC day, contacts created) of contacts not archived, for days in [start, end)."""
    param = database.param
    cursor = database.execute_sql(
        f"SELECT day, contacts FROM created_day WHERE day >= {param} AND day < {param} "
        "AND contacts <> 0",
        (start.date().isoformat(), end.date().isoformat()),
    )
    return [(_as_date(day), int(n)) for day, n in cursor]


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
