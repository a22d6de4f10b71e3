"""PostgreSQL: contacts inserted in bulk skip the time-in-stage insert triggers too.

Migration 0017 kept stay_day and stage_since by triggers on every stage change; on SQLite
their insert triggers skip the contacts of a bulk insert (demo, import), whose writer
does their work once per batch (`store.bulk`), but on PostgreSQL they ran row by row:
each change looked up its neighbours and upserted stay_day, most of a PostgreSQL demo's
time. They now skip the bulk writer's range as 0016's do (two settings local to its
transaction), and `store.bulk` stands in for them on both databases.
"""

from peewee import PostgresqlDatabase

# (the trigger and its function, when, the contact id of the row): both on stage_change.
GATED = {
    "stay_day_change_insert": ("BEFORE", "NEW.contact_id"),
    "stage_since_insert": ("AFTER", "NEW.contact_id"),
}
FIRST, LAST = "contacts_tui.bulk_first", "contacts_tui.bulk_last"  # store.bulk's


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return  # SQLite's have skipped since 0017

    def setting(name: str) -> str:
        return f"NULLIF(current_setting('{name}', true), '')::bigint"

    for name, (when, contact_id) in GATED.items():
        skip = f"NOT COALESCE({contact_id} BETWEEN {setting(FIRST)} AND {setting(LAST)}, false)"
        db.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON stage_change")
        db.execute_sql(
            f"CREATE TRIGGER {name} {when} INSERT ON stage_change FOR EACH ROW "
            f"WHEN ({skip}) EXECUTE FUNCTION {name}()"
        )
