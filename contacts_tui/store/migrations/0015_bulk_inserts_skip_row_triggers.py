"""SQLite: contacts inserted in bulk are indexed and counted in one statement each, not per row.

The per-row insert triggers (the FTS5 search index, the change counter, the count
summaries of contacts and of stage changes) ran once per inserted contact and history row:
most of the time `demo` spent inserting. Dropping them around a batch was a schema change
under colleagues' feet. Instead, each now skips the contacts whose ids a row of
`bulk_insert` covers: a bulk writer adds that row, inserts its contacts and their history,
does what the triggers would have done in one statement each, and deletes the row again,
all in its own write transaction, so no other connection ever sees it (every other insert
fires the triggers as before). See `store.bulk`. PostgreSQL: nothing to do (no per-row
insert work that a bulk insert would skip).
"""

from peewee import PostgresqlDatabase

GATED = {
    "contact_fts_insert": "new.id",
    "contact_insert_counted": "new.id",
    "contact_summary_insert": "new.id",
    "stage_change_summary_insert": "new.contact_id",
}
"""The triggers a bulk insert does the work of, and the contact id of the row each sees.
`store.bulk` does the work of those that skip, read from the schema, so a database whose
triggers differ (others replaced since) is still counted right."""


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql("CREATE TABLE bulk_insert (first_id INTEGER NOT NULL, last_id INTEGER NOT NULL)")
    for name, contact_id in GATED.items():
        # Each trigger as it is stored, with the condition added before its body (one a
        # later schema replaced, as 0013 did the counter's, is not there to change).
        stored = db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).fetchone()
        if stored is None or "bulk_insert" in stored[0]:
            continue
        head, body = stored[0].split(" BEGIN ", 1)
        skip = (
            "WHEN NOT EXISTS (SELECT 1 FROM bulk_insert "
            f"WHERE {contact_id} BETWEEN first_id AND last_id)"
        )
        db.execute_sql(f"DROP TRIGGER {name}")
        db.execute_sql(f"{head} {skip} BEGIN {body}")
