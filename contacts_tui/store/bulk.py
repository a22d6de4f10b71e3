"""Contacts inserted in bulk (demo, import): what the per-row triggers do, done once.

The insert triggers of `contact`, `stage_change` and `contact_account` (search index, change
counter and its ring, count summaries, the funnel's counts) cost most of a bulk insert's
time, run row by row. They skip the contacts of a range of ids the bulk writer names
(migrations 0015 and 0016: a row of `bulk_insert` on SQLite, two transaction-local settings
on PostgreSQL); this does their work for the whole range in one statement each. Everything
happens in the caller's write transaction, so no other connection ever sees the range,
and every other insert (a colleague's save meanwhile, the app's own) fires the triggers
as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import peewee

from contacts_tui.store import summaries
from contacts_tui.store.change_feed import RING
from contacts_tui.store.database import is_postgres

_MISSING = "CASE WHEN primary_email = '' OR primary_phone = '' THEN 1 ELSE 0 END"
_TALLY = "archived, template, stage, status, segmentation, reason_code"
_IN_RANGE = "BETWEEN {p} AND {p}"


def _statements(postgres: bool) -> dict[str, tuple[str, ...]]:
    """The triggers' work for the contacts of a range of ids, by trigger (migrations 0001,
    0006, 0011, 0012, 0013, 0017, 0018, 0020), with the range's two bounds as each
    statement's parameters."""
    p = "%s" if postgres else "?"
    in_range = _IN_RANGE.format(p=p)
    day = (lambda c: f"CAST({c} AS DATE)") if postgres else (lambda c: f"date({c})")
    mine = (lambda table: f"{table}.") if postgres else (lambda table: "")
    work = {
        "contact_summary_insert": (
            f"INSERT INTO contact_tally SELECT {_TALLY}, {_MISSING}, COUNT(*) FROM contact "
            f"WHERE id {in_range} GROUP BY {_TALLY}, {_MISSING} "
            f"ON CONFLICT ({_TALLY}, missing) "
            f"DO UPDATE SET contacts = {mine('contact_tally')}contacts + excluded.contacts",
            f"INSERT INTO created_day SELECT {day('created_at')}, COUNT(*) FROM contact "
            f"WHERE id {in_range} AND NOT archived GROUP BY 1 "
            f"ON CONFLICT (day) DO UPDATE SET contacts = {mine('created_day')}contacts "
            "+ excluded.contacts",
        ),
        "stage_change_summary_insert": (
            # NOT EXISTS, as the trigger: a join had PostgreSQL read every contact.
            f"INSERT INTO stage_day SELECT {day('s.at')}, s.to_stage, COUNT(*) "
            f"FROM stage_change s WHERE s.contact_id {in_range} AND NOT EXISTS "
            "(SELECT 1 FROM contact c WHERE c.id = s.contact_id AND c.archived) GROUP BY 1, 2 "
            f"ON CONFLICT (day, stage) DO UPDATE SET changes = {mine('stage_day')}changes "
            "+ excluded.changes",
        ),
        "contact_counted_insert": (
            f"INSERT INTO contact_counted SELECT id, {_TALLY}, {_MISSING} FROM contact "
            f"WHERE id {in_range}",
        ),
    }
    # Migration 0018 (SQLite): each new contact's letter, from its contact_counted row
    # (so after contact_counted_insert's work: `contacts_added_in_bulk` runs them in order).
    keys = summaries.key_statements("contact_counted", f"s.id {in_range}")
    if postgres:
        return {**work, **_POSTGRES_ONLY}
    return {
        **work,
        "contact_fts_insert": (
            f"INSERT INTO contact_fts (rowid, search_doc) "
            f"SELECT id, search_doc FROM contact WHERE id {in_range}",
        ),
        # 0006's counter, before 0013 replaced it by the logged one below.
        "contact_insert_counted": (
            "UPDATE change_counter SET row_changes = row_changes + n, "
            f"count_changes = count_changes + n FROM (SELECT COUNT(*) AS n FROM contact "
            f"WHERE id {in_range})",
        ),
        # Each contact bumps the counters by one and is logged in the ring under the new
        # count, in id order (the order of the inserts); the ring keeps the last RING.
        "contact_insert_logged": (
            "UPDATE change_counter SET row_changes = row_changes + n, "
            f"count_changes = count_changes + n FROM (SELECT COUNT(*) AS n FROM contact "
            f"WHERE id {in_range})",
            "INSERT OR REPLACE INTO contact_change (slot, seq, contact_id, counted) "
            f"SELECT (c.row_changes - x.n + x.k) % {RING}, c.row_changes - x.n + x.k, x.id, 1 "
            "FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS k, COUNT(*) OVER () AS n "
            f"FROM contact WHERE id {in_range}) AS x, change_counter c "
            f"WHERE x.k > x.n - {RING} ORDER BY x.k",
        ),
        # Migration 0017 (its PostgreSQL triggers do not skip): the stays of the new
        # contacts, and each one's latest change.
        "stay_day_change_insert": (
            "INSERT INTO stay_day (step, day, days, stays) "
            "SELECT s.step, date(s.ended), (CAST(julianday(date(s.ended)) - "
            "julianday(date(s.began)) AS INTEGER) - (substr(s.ended, 12) < substr(s.began, 12))), "
            "COUNT(*) FROM (SELECT contact_id, to_stage AS step, at AS began, "
            "LEAD(at) OVER (PARTITION BY contact_id ORDER BY at, id) AS ended "
            f"FROM stage_change WHERE contact_id {in_range}) AS s "
            "JOIN contact c ON c.id = s.contact_id WHERE s.ended IS NOT NULL AND NOT c.archived "
            "GROUP BY 1, 2, 3 "
            "ON CONFLICT (step, day, days) DO UPDATE SET stays = stays + excluded.stays",
        ),
        "stage_since_insert": (
            "INSERT INTO stage_since (contact_id, stage, since) "
            "SELECT contact_id, to_stage, at FROM stage_change s "
            f"WHERE contact_id {in_range} AND NOT EXISTS (SELECT 1 FROM stage_change n "
            "WHERE n.contact_id = s.contact_id AND (n.at > s.at OR (n.at = s.at AND n.id > s.id)))",
        ),
        "contact_key_insert": keys,
    }


_POSTGRES_ONLY = {
    # Migrations 0017 and 0020: the stays of the new contacts (whole histories, all in
    # the range), and each one's latest change.
    "stay_day_change_insert": (
        "INSERT INTO stay_day (step, day, days, stays) "
        "SELECT s.step, CAST(s.ended AS DATE), "
        "CAST(EXTRACT(DAY FROM (s.ended - s.began)) AS INTEGER), COUNT(*) "
        "FROM (SELECT contact_id, to_stage AS step, at AS began, "
        "LEAD(at) OVER (PARTITION BY contact_id ORDER BY at, id) AS ended "
        "FROM stage_change WHERE contact_id BETWEEN %s AND %s) AS s "
        "JOIN contact c ON c.id = s.contact_id WHERE s.ended IS NOT NULL AND NOT c.archived "
        "GROUP BY 1, 2, 3 "
        "ON CONFLICT (step, day, days) DO UPDATE SET stays = stay_day.stays + excluded.stays",
    ),
    "stage_since_insert": (
        "INSERT INTO stage_since (contact_id, stage, since) "
        "SELECT DISTINCT ON (contact_id) contact_id, to_stage, at FROM stage_change "
        "WHERE contact_id BETWEEN %s AND %s ORDER BY contact_id, at DESC, id DESC",
    ),
}
"""PostgreSQL's statements of the triggers SQLite's schema words differently."""


_REACH = ("stage_reach_change_insert", "stage_reach_account_insert")
"""The funnel's triggers: skipped together, stood in for by one count of the range."""


def _skipping_triggers(db: peewee.Database) -> list[str]:
    """The triggers of this database that leave a bulk insert's rows to it."""
    if is_postgres(db):
        names = db.execute_sql(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND pg_get_triggerdef(oid) LIKE %s",
            ("%contacts_tui.bulk_first%",),
        )
    else:
        names = db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%bulk_insert%'"
        )
    return [name for (name,) in names]


@contextmanager
def contacts_added_in_bulk(db: peewee.Database, first_id: int, last_id: int) -> Iterator[None]:
    """New contacts `first_id`…`last_id`, their records, accounts and stage history,
    inserted in this block, are indexed for search, counted and summarised at its end,
    in one statement each.

    The caller inserts only new contacts in that range (ids it chose under the write
    lock), inside its own write transaction. Only the triggers that skip such rows are
    stood in for: any other does its work row by row, as always.
    """
    postgres = is_postgres(db)
    skipping = _skipping_triggers(db)
    if postgres:
        db.execute_sql(
            "SELECT set_config('contacts_tui.bulk_first', %s, true), "
            "set_config('contacts_tui.bulk_last', %s, true)",
            (str(first_id), str(last_id)),
        )
    else:
        db.execute_sql(
            "INSERT INTO bulk_insert (first_id, last_id) VALUES (?, ?)", (first_id, last_id)
        )
    yield
    # In the order of _statements: one trigger's work may read what another's wrote.
    for trigger, statements in _statements(postgres).items():
        if trigger in skipping:
            with _unmerged(db) if trigger == "contact_fts_insert" else nullcontext():
                for statement in statements:
                    db.execute_sql(statement, (first_id, last_id))
    if any(trigger in skipping for trigger in _REACH):
        _count_reach(db, first_id, last_id)
    if postgres:
        db.execute_sql(
            "SELECT set_config('contacts_tui.bulk_first', '', true), "
            "set_config('contacts_tui.bulk_last', '', true)"
        )
    else:
        db.execute_sql("DELETE FROM bulk_insert")


FTS_AUTOMERGE = 4
"""FTS5's own `automerge` when the search index's configuration does not name one."""


@contextmanager
def _unmerged(db: peewee.Database) -> Iterator[None]:
    """The search index (FTS5) takes the block's rows as a segment of their own, with
    none of the merging it does after each write; its `automerge` is as before at the
    block's end, in the same transaction: no other connection ever sees it changed.

    FTS5 writes the rows it was given when the next statement touching it begins (its
    savepoint), here the one that sets `automerge` back, so that write merges nothing.
    Its other limit (`crisismerge`: 16 segments of a size at most) still merges, so the
    index never holds more segments than it may after any write, and its searches are
    as quick. Each batch's automatic merging had rewritten what earlier ones wrote, some
    segments three times over: 100,000 contacts in 40 batches, 0.45 s of the importing
    process's 5.7 s of SQL.
    """
    row = db.execute_sql("SELECT v FROM contact_fts_config WHERE k = 'automerge'").fetchone()
    setting = "INSERT INTO contact_fts (contact_fts, rank) VALUES ('automerge', ?)"
    db.execute_sql(setting, (0,))
    yield
    db.execute_sql(setting, (FTS_AUTOMERGE if row is None else row[0],))


def _count_reach(db: peewee.Database, first_id: int, last_id: int) -> None:
    """The funnel's counts of the range's contacts, whole histories: what the triggers of
    each change and account link would have added (each group counts contacts up to its
    `filled_upto`; the rest are left to whoever is filling it)."""
    upto = dict(db.execute_sql("SELECT grp, MIN(filled_upto) FROM report_group GROUP BY grp"))
    upto = {grp: last for grp, last in upto.items() if last >= first_id}
    if upto:
        summaries.count_reach_of(first_id - 1, last_id, upto)


CHECKPOINT_PAGES = 8192
"""A bulk writer checkpoints the write-ahead log once it holds about this many pages
(32 MB), not at SQLite's 1,000 (after every batch): several batches' changes to a page
are copied into the database file once. The log file grows to about this size plus a
batch."""


class Checkpoints:
    """SQLite's checkpoints of a bulk writer's (demo, import) write-ahead log, taken
    between its batches, with SQLite's own turned off (`PRAGMA wal_autocheckpoint = 0`).

    SQLite's own run inside the commit of the batch that passes the limit, so the batch
    seemed to take longer than its write lock did and the next one was made smaller.
    These are PASSIVE (they never wait for, nor hold up, another writer) and come about
    every CHECKPOINT_PAGES pages, from the pages per contact seen so far.
    """

    def __init__(self, db: peewee.Database, least: int) -> None:
        self.db = db
        self.least = least  # contacts between two checkpoints, at least
        self.contacts = 0  # added since the last checkpoint
        self.every = least  # contacts; the first checkpoint measures the pages per contact

    def added(self, contacts: int, last: bool = False) -> None:
        self.contacts += contacts
        if self.contacts < self.every and not last:
            return
        _, pages, _ = self.db.execute_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        # The log holds what was written since the last checkpoint (when no reader kept it
        # from starting over; else more, and the next one comes sooner).
        self.every = max(self.least, CHECKPOINT_PAGES * self.contacts // max(pages, 1))
        self.contacts = 0
