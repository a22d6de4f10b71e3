"""Contacts inserted in bulk (demo, import): what the per-row triggers do, done once.

On SQLite the insert triggers of `contact` and `stage_change` (search index, change
counter, count summaries) cost most of a bulk insert's time, run row by row. They skip the
contacts whose ids a row of `bulk_insert` covers (migration 0015); this does their work
for the whole range in one statement each. Everything happens in the caller's write
transaction, so no other connection ever sees the `bulk_insert` row, and every other
insert (a colleague's save meanwhile, the app's own) fires the triggers as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import peewee

from contacts_tui.store.database import is_postgres

_MISSING = "CASE WHEN primary_email = '' OR primary_phone = '' THEN 1 ELSE 0 END"
_TALLY = "archived, template, stage, status, segmentation, reason_code"
_IN_RANGE = "BETWEEN ? AND ?"

# The triggers' work, for contacts in a range of ids (see migrations 0001, 0006, 0011, 0017).
_WORK = {
    "contact_fts_insert": (
        "INSERT INTO contact_fts (rowid, search_doc) "
        f"SELECT id, search_doc FROM contact WHERE id {_IN_RANGE}",
    ),
    "contact_insert_counted": (
        "UPDATE change_counter SET row_changes = row_changes + n, "
        f"count_changes = count_changes + n FROM (SELECT COUNT(*) AS n FROM contact "
        f"WHERE id {_IN_RANGE})",
    ),
    "contact_summary_insert": (
        f"INSERT INTO contact_tally SELECT {_TALLY}, {_MISSING}, COUNT(*) FROM contact "
        f"WHERE id {_IN_RANGE} GROUP BY {_TALLY}, {_MISSING} "
        f"ON CONFLICT ({_TALLY}, missing) DO UPDATE SET contacts = contacts + excluded.contacts",
        "INSERT INTO created_day SELECT date(created_at), COUNT(*) FROM contact "
        f"WHERE id {_IN_RANGE} AND NOT archived GROUP BY 1 "
        "ON CONFLICT (day) DO UPDATE SET contacts = contacts + excluded.contacts",
    ),
    "stage_change_summary_insert": (
        "INSERT INTO stage_day SELECT date(s.at), s.to_stage, COUNT(*) FROM stage_change s "
        f"JOIN contact c ON c.id = s.contact_id WHERE s.contact_id {_IN_RANGE} "
        "AND NOT c.archived GROUP BY 1, 2 "
        "ON CONFLICT (day, stage) DO UPDATE SET changes = changes + excluded.changes",
    ),
    # Migration 0017: the stays of the new contacts, and each one's latest change.
    "stay_day_change_insert": (
        "INSERT INTO stay_day (step, day, days, stays) "
        "SELECT s.step, date(s.ended), (CAST(julianday(date(s.ended)) - "
        "julianday(date(s.began)) AS INTEGER) - (substr(s.ended, 12) < substr(s.began, 12))), "
        "COUNT(*) FROM (SELECT contact_id, to_stage AS step, at AS began, "
        "LEAD(at) OVER (PARTITION BY contact_id ORDER BY at, id) AS ended "
        f"FROM stage_change WHERE contact_id {_IN_RANGE}) AS s "
        "JOIN contact c ON c.id = s.contact_id WHERE s.ended IS NOT NULL AND NOT c.archived "
        "GROUP BY 1, 2, 3 "
        "ON CONFLICT (step, day, days) DO UPDATE SET stays = stays + excluded.stays",
    ),
    "stage_since_insert": (
        "INSERT INTO stage_since (contact_id, stage, since) "
        "SELECT contact_id, to_stage, at FROM stage_change s "
        f"WHERE contact_id {_IN_RANGE} AND NOT EXISTS (SELECT 1 FROM stage_change n "
        "WHERE n.contact_id = s.contact_id AND (n.at > s.at OR (n.at = s.at AND n.id > s.id)))",
    ),
}


def _skipping_triggers(db: peewee.Database) -> list[str]:
    """The triggers of this database that leave a bulk insert's rows to it."""
    names = db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%bulk_insert%'"
    )
    return [name for (name,) in names if name in _WORK]


@contextmanager
def contacts_added_in_bulk(db: peewee.Database, first_id: int, last_id: int) -> Iterator[None]:
    """New contacts `first_id`…`last_id` and their stage history, inserted in this block,
    are indexed for search, counted and summarised at its end, in one statement each.

    The caller inserts only new contacts in that range (ids it chose under the write
    lock), inside its own write transaction. Only the triggers that skip such rows are
    stood in for: any other does its work row by row, as always. PostgreSQL does all of
    it itself.
    """
    if is_postgres(db):
        yield
        return
    skipping = _skipping_triggers(db)
    db.execute_sql("INSERT INTO bulk_insert (first_id, last_id) VALUES (?, ?)", (first_id, last_id))
    yield
    for trigger in skipping:
        for statement in _WORK[trigger]:
            db.execute_sql(statement, (first_id, last_id))
    db.execute_sql("DELETE FROM bulk_insert")
