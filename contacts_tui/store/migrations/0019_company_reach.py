"""The funnel by company kept by the database too, exactly, in stage_reach (0012) itself.

A company is a contact column like the segmentation, but there are hundreds of them: kept
as the other dimensions are, per (group, company, day D, previous day P), a year of a
million contacts' history is millions of rows, and a report read them for seconds. So the
company's rows are split by what a period [S, E) asks of them (a contact reaches the group
in it when it has a change with S <= D < E and P < S):

* a first entry into the group (no P): counted twice, per day (dim `company:day`) and per
  block of BLOCK days (`company:block`, D being the block's first day, blocks counted from
  1970-01-01). A period is its whole blocks plus the days at either end: a few dozen rows
  per company and group instead of one per day.
* a later entry (P is a day): per (D, P) as before, in a class by the days from P to D
  (`company<8`: fewer than 8, …, `company<all`). A change of class `<W` with P < S <= D has
  D < S + W, so a period reads of each class only its first W days' changes.

Each row's value is "D<tab>company", not the company: the rows of every company for a
group are then in day order, one range of the primary key per part of a period.

The same triggers keep them (a change's company is its contact's), a contact moved to
another company moves its history, and `store.bulk` / `store.summaries` count them with
the rest. This migration counts the company rows of the groups already counted, in one
pass over the history (3.3 million changes: about a minute; the keys counted so far go
to a temporary table every FLUSH_KEYS, and the database adds them up), and makes stage_reach a
WITHOUT ROWID table on SQLite: the reports read its rows in key order without a lookup of
each in the table (the rows of 500 companies, read through the key, took 4 s at a million).
"""

import functools
import importlib
from collections import Counter
from datetime import date
from typing import Any

from peewee import PostgresqlDatabase

_REACH: Any = importlib.import_module("contacts_tui.store.migrations.0012_stage_reach")
_BULK_GATES = importlib.import_module(
    "contacts_tui.store.migrations.0016_bulk_inserts_skip_every_row_trigger"
)

COMPANY = "company"  # the dimension the change triggers count, split before it is stored
FIRST_DAY, FIRST_BLOCK = "company:day", "company:block"
BLOCK = 16
"""Days per block of first entries (whole blocks of a year: ~22 rows a company)."""
WINDOWS = (8, 32, 128, 512)
"""The classes of later entries, by days since the previous entry (then `company<all`)."""
LATER_ALL = "company<all"
EPOCH = date(1970, 1, 1).toordinal()


def later_dim(gap: int | None) -> str:
    """The dimension of a later entry `gap` days after the previous one."""
    for window in WINDOWS:
        if gap is not None and gap < window:
            return f"company<{window}"
    return LATER_ALL


def block_start(day: date) -> date:
    return date.fromordinal(day.toordinal() - (day.toordinal() - EPOCH) % BLOCK)


@functools.lru_cache(maxsize=65536)
def _day(value: object) -> tuple[date, str, object, str]:
    """A day as the database gives it → (date, ISO text, its block's first day as the
    database gives days, that day's ISO text)."""
    d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    b = block_start(d)
    return d, d.isoformat(), b.isoformat() if isinstance(value, str) else b, b.isoformat()


@functools.lru_cache(maxsize=1 << 20)
def _values(day: object, company: str) -> tuple[str, str, object, date]:
    """(the value of a day's row, of its block's row, the block's first day, the day)."""
    d, text, block, block_text = _day(day)
    return f"{text}\t{company}", f"{block_text}\t{company}", block, d


def split(grp: str, company: str, day: object, prev: object, none: object) -> tuple:
    """The stage_reach keys (grp, dim, value, day, prev_day) one counted change of the
    company dimension is kept under; days as the database gives them (`none`: no P)."""
    value, block_value, block, d = _values(day, company)
    if prev == none:
        return (grp, FIRST_DAY, value, day, prev), (grp, FIRST_BLOCK, block_value, block, prev)
    return ((grp, later_dim((d - _day(prev)[0]).days), value, day, prev),)


class Dialect(_REACH.Dialect):
    """0012's triggers, with the company counted and split as above."""

    def dims_of_contact(self, row: str) -> str:
        return f"{super().dims_of_contact(row)} UNION ALL SELECT '{COMPANY}', {row}.company_name"

    def dims_of_change(self, row: str) -> str:
        return (
            f"{super().dims_of_change(row)} UNION ALL SELECT '{COMPANY}', "
            f"(SELECT company_name FROM contact WHERE id = {row}.contact_id)"
        )

    def epoch_days(self, day: str) -> str:
        if self.postgres:
            return f"({day} - DATE '1970-01-01')"
        return f"CAST(julianday({day}) - 2440587.5 AS INTEGER)"

    def block_of(self, day: str) -> str:
        if self.postgres:
            return f"({day} - mod({self.epoch_days(day)}, {BLOCK}))"  # psycopg: no %
        return f"date({day}, '-' || ({self.epoch_days(day)} % {BLOCK}) || ' days')"

    def text(self, day: str) -> str:
        return f"to_char({day}, 'YYYY-MM-DD')" if self.postgres else day

    def upsert(self, rows: str) -> str:
        """0012's, the company's rows split: a first entry twice (k.n 0, 1), by day and
        by block; a later one once, in the class of its gap."""
        first = f"r.dim = '{COMPANY}' AND r.prev_day = {self.none}"
        gap = (
            "(r.day - r.prev_day)"
            if self.postgres
            else "CAST(julianday(r.day) - julianday(r.prev_day) AS INTEGER)"
        )
        classes = " ".join(f"WHEN {gap} < {w} THEN 'company<{w}'" for w in WINDOWS)
        day = f"CASE WHEN {first} AND k.n = 1 THEN {self.block_of('r.day')} ELSE r.day END"
        tab = "chr(9)" if self.postgres else "char(9)"
        split_rows = (
            "SELECT r.grp, "
            f"CASE WHEN r.dim <> '{COMPANY}' THEN r.dim "
            f"WHEN {first} THEN CASE WHEN k.n = 0 THEN '{FIRST_DAY}' ELSE '{FIRST_BLOCK}' END "
            f"{classes} ELSE '{LATER_ALL}' END AS dim, "
            f"CASE WHEN r.dim = '{COMPANY}' THEN {self.text(day)} || {tab} || r.value "
            "ELSE r.value END AS value, "
            f"{day} AS day, r.prev_day, r.contacts "
            f"FROM ({rows}) AS r CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1) AS k "
            f"WHERE k.n = 0 OR ({first})"
        )
        return super().upsert(split_rows)


def triggers(sql: Dialect) -> dict[str, tuple[str, str, str | None, str]]:
    """0012's triggers with the company, and one moving a contact's history when its
    company changes (as the segmentation's does)."""
    found = _REACH.triggers(sql)
    moved = sql.contact_rows(
        "NEW.id",
        f"SELECT '{COMPANY}' AS dim, OLD.company_name AS value, -1 AS sign "
        f"UNION ALL SELECT '{COMPANY}', NEW.company_name, 1",
        "d.sign",
    )
    found["stage_reach_company"] = (
        "contact",
        "AFTER UPDATE",
        "OLD.company_name <> NEW.company_name AND "
        + (
            "NOT OLD.archived AND NOT NEW.archived"
            if sql.postgres
            else "OLD.archived = 0 AND NEW.archived = 0"
        ),
        sql.upsert(moved),
    )
    return found


FLUSH_KEYS = 500_000
"""Counted keys held in memory before they are added to the database's table (a million
contacts count ~3.5 million: gigabytes held at once)."""


def count_company_rows(db, postgres: bool, table: str) -> None:
    """Append the company's rows of every group counted so far (contacts up to its
    `filled_upto`) to `table`, from the history in one pass; a key may come several
    times (added up by the caller)."""
    none: object = date(1, 1, 1) if postgres else _REACH.NONE
    upto = dict(db.execute_sql("SELECT grp, MIN(filled_upto) FROM report_group GROUP BY grp"))
    groups_of: dict[str, list[str]] = {}
    for grp, step in db.execute_sql("SELECT grp, step FROM report_group"):
        if upto[grp] > 0:
            groups_of.setdefault(step, []).append(grp)
    if not groups_of:
        return
    param = "%s" if postgres else "?"

    def flush(counts: Counter) -> None:
        rows = [(*key, n) for key, n in counts.items()]
        for at in range(0, len(rows), 10000):
            db.cursor().executemany(
                f"INSERT INTO {table} VALUES ({', '.join(param for _ in range(6))})",
                rows[at : at + 10000],
            )
        counts.clear()

    day = "CAST(s.at AS DATE)" if postgres else "date(s.at)"
    cursor = db.execute_sql(
        f"SELECT s.contact_id, s.to_stage, {day}, c.company_name FROM stage_change s "
        f"JOIN contact c ON c.id = s.contact_id WHERE {'NOT' if postgres else ''} "
        f"c.archived{'' if postgres else ' = 0'} ORDER BY s.contact_id, s.at, s.id"
    )
    counts: Counter[tuple] = Counter()
    current: object = None
    last: dict = {}
    while rows := cursor.fetchmany(10000):
        for contact_id, step, when, company in rows:
            if contact_id != current:
                current, last = contact_id, {}
            for grp in groups_of.get(step, ()):
                if contact_id <= upto[grp]:
                    for key in split(grp, company, when, last.get(grp, none), none):
                        counts[key] += 1
                    last[grp] = when
        if len(counts) >= FLUSH_KEYS:
            flush(counts)
    flush(counts)


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    sql = Dialect(postgres)
    # Counted into a table of their own, then added up in key order by the database
    # (millions of rows at a million contacts).
    day = "DATE" if postgres else "TEXT"
    db.execute_sql(
        "CREATE TEMPORARY TABLE company_reach_counted (grp TEXT, dim TEXT, value TEXT, "
        f"day {day}, prev_day {day}, contacts INTEGER)"
    )
    count_company_rows(db, postgres, "company_reach_counted")
    if postgres:
        for name, (_, when, _, body) in triggers(sql).items():
            returned = "NULL"
            if when.startswith("BEFORE"):
                returned = "OLD" if when.endswith("DELETE") else "NEW"
            # Replacing the function keeps its triggers (0016 split and gated some).
            db.execute_sql(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body} RETURN {returned}; END $$"
            )
        where = f"WHEN ({triggers(sql)['stage_reach_company'][2]})"
        db.execute_sql(
            f"CREATE TRIGGER stage_reach_company AFTER UPDATE ON contact FOR EACH ROW {where} "
            "EXECUTE FUNCTION stage_reach_company()"
        )
    else:
        for (name,) in db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stage_reach_%'"
        ).fetchall():
            db.execute_sql(f"DROP TRIGGER {name}")
        db.execute_sql(
            "CREATE TABLE stage_reach_kept (grp TEXT NOT NULL, dim TEXT NOT NULL, "
            "value TEXT NOT NULL, day TEXT NOT NULL, prev_day TEXT NOT NULL, "
            "contacts INTEGER NOT NULL, PRIMARY KEY (grp, dim, value, day, prev_day)) "
            "WITHOUT ROWID"
        )
        db.execute_sql(
            "INSERT INTO stage_reach_kept SELECT grp, dim, value, day, prev_day, contacts "
            "FROM stage_reach ORDER BY grp, dim, value, day, prev_day"
        )
        db.execute_sql("DROP TABLE stage_reach")
        db.execute_sql("ALTER TABLE stage_reach_kept RENAME TO stage_reach")
        _REACH.create_triggers(db, postgres, triggers(sql))
        _BULK_GATES.up_sqlite(db)
    db.execute_sql(
        "INSERT INTO stage_reach (grp, dim, value, day, prev_day, contacts) "
        "SELECT grp, dim, value, day, prev_day, SUM(contacts) FROM company_reach_counted "
        "GROUP BY grp, dim, value, day, prev_day ORDER BY grp, dim, value, day, prev_day"
    )
    db.execute_sql("DROP TABLE company_reach_counted")
