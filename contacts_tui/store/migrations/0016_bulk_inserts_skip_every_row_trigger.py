"""Contacts inserted in bulk skip the rest of the per-row insert triggers, on both databases.

Migration 0015 let a bulk insert (demo, import) skip SQLite's search index and count
summary triggers. Those of 0012 and 0013 still ran per row: each stage change inserted
counted the funnel's groups with two subqueries (a third of the demo's time on SQLite, and
most of it on PostgreSQL, where no trigger skipped at all), each contact wrote its row of
`contact_counted` and bumped the change counter and its ring. `store.bulk` now does their
work once per batch, in the same write transaction, exactly as the rows' triggers would.

SQLite: the triggers skip contacts a row of `bulk_insert` covers, as 0015's do.
PostgreSQL: a trigger's WHEN cannot read a table, so the range is two settings local to the
bulk writer's transaction (`set_config(…, true)`: no other connection sees them, and they end
with it); the per-row insert triggers that also handle deletes are split in two, so that
the insert's one can say WHEN.
"""

from peewee import PostgresqlDatabase

SQLITE_GATED = {
    "contact_counted_insert": "new.id",
    "contact_insert_logged": "new.id",
    "stage_reach_change_insert": "new.contact_id",
    "stage_reach_account_insert": "new.contact_id",
}
"""The triggers a bulk insert now does the work of, and the contact id of the row each sees."""

# PostgreSQL: (table, the trigger and its function, when, the contact id of the row).
POSTGRES_GATED = {
    "contact_summary_insert": ("contact", "contact_summary", "AFTER", "NEW.id"),
    "contact_counted_insert": ("contact", "contact_counted", "AFTER", "NEW.id"),
    "stage_change_summary_insert": (
        "stage_change",
        "stage_change_summary",
        "AFTER",
        "NEW.contact_id",
    ),
    "stage_reach_change_insert": (
        "stage_change",
        "stage_reach_change_insert",
        "BEFORE",
        "NEW.contact_id",
    ),
    "stage_reach_account_insert": (
        "contact_account",
        "stage_reach_account_insert",
        "BEFORE",
        "NEW.contact_id",
    ),
}
FIRST, LAST = "contacts_tui.bulk_first", "contacts_tui.bulk_last"  # store.bulk's


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        up_postgresql(db)
    else:
        up_sqlite(db)


def up_sqlite(db) -> None:
    for name, contact_id in SQLITE_GATED.items():
        stored = db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).fetchone()
        if stored is None or "bulk_insert" in stored[0]:
            continue
        head, body = stored[0].split(" BEGIN ", 1)
        skip = (
            "NOT EXISTS (SELECT 1 FROM bulk_insert "
            f"WHERE {contact_id} BETWEEN first_id AND last_id)"
        )
        db.execute_sql(f"DROP TRIGGER {name}")
        db.execute_sql(f"{head} WHEN {skip} BEGIN {body}")


def up_postgresql(db) -> None:
    def setting(name: str) -> str:
        return f"NULLIF(current_setting('{name}', true), '')::bigint"

    for name, (table, function, when, contact_id) in POSTGRES_GATED.items():
        skip = f"NOT COALESCE({contact_id} BETWEEN {setting(FIRST)} AND {setting(LAST)}, false)"
        if function != name:
            # One trigger for inserts and deletes: the deletes keep it, inserts get their own.
            db.execute_sql(f"DROP TRIGGER IF EXISTS {function} ON {table}")
            db.execute_sql(
                f"CREATE TRIGGER {function} {when} DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            )
        db.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        db.execute_sql(
            f"CREATE TRIGGER {name} {when} INSERT ON {table} FOR EACH ROW WHEN ({skip}) "
            f"EXECUTE FUNCTION {function}()"
        )
