"""Sessions learn of each other's commits, and whether the list's counts may have changed.

Every session re-reads what it shows when someone commits (store/change_feed.py). Most
commits change a contact's own columns only (a name, a note), which cannot move the
counts: the dashboard and the count (a scan of every contact, 0.2 s at 100,000) are
then not read again. Triggers, not the services, say which: imports, the command line
and older copies of the app all write through the same tables.

SQLite: one row of two counters, bumped in the writer's own transaction; a session
reads it when PRAGMA data_version says something was committed.
PostgreSQL: NOTIFY, delivered when the transaction commits and merged into one per
distinct payload; statement-level where no row needs comparing, so an import of 10,000
contacts sends a handful. Every other table present when this runs notifies too (the
detail screen shows documents, history and accounts); a later migration adding a table
whose changes sessions should see calls `notify_on_writes` for it.
"""

from peewee import PostgresqlDatabase

CHANNEL = "contacts_tui_changed"  # store.change_feed.CHANNEL; migrations stay frozen

# Columns the counts, the dashboard or a filter read (search views always recount).
COUNTED = (
    "status",
    "stage",
    "template",
    "archived",
    "company_id",
    "segmentation",
    "reason_code",
    "scoring",
    "primary_email",
    "primary_phone",
)


def counted_changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in COUNTED)


def notify_on_writes(db, table: str, payload: str = "other") -> None:
    db.execute_sql(f'DROP TRIGGER IF EXISTS contacts_tui_notify ON "{table}"')
    db.execute_sql(
        "CREATE TRIGGER contacts_tui_notify "
        f'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE PROCEDURE contacts_tui_notify('{payload}')"
    )


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        up_postgresql(db)
    else:
        up_sqlite(db)


def up_postgresql(db) -> None:
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION contacts_tui_notify() RETURNS trigger AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', TG_ARGV[0]); RETURN NULL; END; "
        "$$ LANGUAGE plpgsql"
    )
    tables = db.execute_sql(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
        "AND table_name <> 'schema_migration'"
    ).fetchall()
    for (table,) in tables:
        payload = {"contact": "rows", "contact_account": "counts"}.get(table, "other")
        notify_on_writes(db, table, payload)
    db.execute_sql(
        "CREATE TRIGGER contacts_tui_notify_counts AFTER INSERT OR DELETE OR TRUNCATE "
        "ON contact FOR EACH STATEMENT EXECUTE PROCEDURE contacts_tui_notify('counts')"
    )
    db.execute_sql(
        "CREATE TRIGGER contacts_tui_notify_counted AFTER UPDATE ON contact FOR EACH ROW "
        f"WHEN ({counted_changed('IS DISTINCT FROM')}) "
        "EXECUTE PROCEDURE contacts_tui_notify('counts')"
    )


def up_sqlite(db) -> None:
    db.execute_sql(
        "CREATE TABLE change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "row_changes INTEGER NOT NULL, count_changes INTEGER NOT NULL)"
    )
    db.execute_sql("INSERT INTO change_counter VALUES (1, 0, 0)")
    both = (
        "UPDATE change_counter SET row_changes = row_changes + 1, count_changes = count_changes + 1"
    )
    for table in ("contact", "contact_account"):
        for event in ("INSERT", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER {table}_{event.lower()}_counted AFTER {event} ON {table} "
                f"BEGIN {both}; END"
            )
    db.execute_sql(
        "CREATE TRIGGER contact_account_update_counted AFTER UPDATE ON contact_account "
        f"BEGIN {both}; END"
    )
    db.execute_sql(
        "CREATE TRIGGER contact_update_counted AFTER UPDATE ON contact BEGIN "
        "UPDATE change_counter SET row_changes = row_changes + 1, "
        f"count_changes = count_changes + ({counted_changed('IS NOT')}); END"
    )
