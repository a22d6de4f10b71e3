"""PostgreSQL's bulk path (COPY, the triggers' work done once per batch) writes what SQLite's does.

The demo makes the same contacts from the same seed on either database, so a row lost or
altered by the COPY (a NULL read as the empty string, a quote, a time) or a kept summary
counted otherwise than by the row triggers shows as a difference between the two.
"""

from __future__ import annotations

from datetime import datetime

from conftest import fresh_pg_url

from contacts_tui import demo
from contacts_tui.demo import add_demo_contacts
from contacts_tui.store import summaries
from contacts_tui.store.database import with_connection
from contacts_tui.store.models import (
    Address,
    BankAccount,
    Contact,
    Email,
    Phone,
    StageChange,
    database,
)
from contacts_tui.workspace import open_workspace

CONTACTS = 520  # two batches: the first of 500, and a second one after it
KEPT = {  # the summaries' rows, the same text from both databases
    "stay_day": "SELECT step, CAST(day AS TEXT), days, stays FROM stay_day ORDER BY 1, 2, 3",
    "stage_since": "SELECT contact_id, stage, since FROM stage_since ORDER BY 1",
    "stage_day": "SELECT CAST(day AS TEXT), stage, changes FROM stage_day ORDER BY 1, 2",
    "created_day": "SELECT CAST(day AS TEXT), contacts FROM created_day ORDER BY 1",
    "contact_counted": "SELECT * FROM contact_counted ORDER BY id",
    "contact_word": "SELECT prefix, contact_id FROM contact_word ORDER BY contact_id, prefix",
}


def as_time(value):
    """SQLite keeps a time as ISO text, PostgreSQL's driver gives a datetime."""
    if isinstance(value, str) and len(value) > 18 and value[10:11] == " ":
        return datetime.fromisoformat(value)
    return value


def demo_rows(home, url=None) -> dict[str, list]:
    ws = open_workspace(home, db_url=url)
    try:
        assert add_demo_contacts(ws.config, CONTACTS, "demo", seed=11) == CONTACTS
        assert with_connection(summaries.mismatches)() == []
        with database.connection_context():
            rows = {
                model.__name__: list(model.select().order_by(model.id).tuples())
                for model in (Contact, Email, Phone, Address, BankAccount, StageChange)
            }
            for name, sql in KEPT.items():
                rows[name] = [tuple(map(as_time, r)) for r in database.execute_sql(sql)]
        return rows
    finally:
        if hasattr(ws.database, "close_all"):
            ws.database.close_all()
        else:
            ws.database.close()


def test_a_postgresql_demo_holds_exactly_the_rows_and_counts_of_a_sqlite_one(
    tmp_path, pg_server_url, monkeypatch
):
    # The same moment for both: the histories are made back from "now".
    monkeypatch.setattr(demo, "utc_now", lambda: datetime(2026, 6, 1, 12, 30, 15, 250000))
    on_sqlite = demo_rows(tmp_path / "sqlite")
    on_postgres = demo_rows(tmp_path / "postgres", fresh_pg_url(pg_server_url))
    assert len(on_postgres["Contact"]) == CONTACTS
    scoring = Contact._meta.sorted_field_names.index("scoring")
    assert any(c[scoring] is None for c in on_postgres["Contact"])  # NULLs, not ''
    assert len(on_postgres["stay_day"]) > 50 and len(on_postgres["stage_since"]) == CONTACTS
    for table, rows in on_sqlite.items():
        theirs = on_postgres[table]
        assert len(theirs) == len(rows), table
        assert theirs == rows, table
