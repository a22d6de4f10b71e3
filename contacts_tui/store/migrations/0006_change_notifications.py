"""PostgreSQL: every write to a table of the app notifies the sessions listening.

Sessions learn of other sessions' commits by LISTEN (store/change_feed.py). A trigger,
not the services, sends the notification: imports, the command line and older copies of
the app all write through the same tables, and NOTIFY inside a transaction is delivered
only when it commits (and once, however many rows it wrote). Statement-level: an import
of 10,000 contacts costs one call per statement, not per row. SQLite needs nothing
(sessions read PRAGMA data_version).

Every table present when this runs gets the trigger; a later migration that adds a table
whose changes the list shows should call `notify_on_writes` for it.
"""

from peewee import PostgresqlDatabase

CHANNEL = "contacts_tui_changed"  # store.change_feed.CHANNEL; migrations stay frozen


def notify_on_writes(db, table: str) -> None:
    db.execute_sql(f'DROP TRIGGER IF EXISTS contacts_tui_notify ON "{table}"')
    db.execute_sql(
        "CREATE TRIGGER contacts_tui_notify "
        f'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE PROCEDURE contacts_tui_notify()"
    )


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION contacts_tui_notify() RETURNS trigger AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', ''); RETURN NULL; END; "
        "$$ LANGUAGE plpgsql"
    )
    tables = db.execute_sql(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
        "AND table_name <> 'schema_migration'"
    ).fetchall()
    for (table,) in tables:
        notify_on_writes(db, table)
