"""SQLite: a bulk insert of contacts indexes them for search in one statement, not per row.

The FTS5 insert trigger (and the change counter's) ran once per inserted contact: two
thirds of the time `demo` spent inserting contacts. Dropping them around a batch was a
schema change under colleagues' feet. Instead, both triggers (the change log's insert
trigger of migration 0013, which replaced 0006's counter) now skip the contacts whose
ids a row of `bulk_insert` covers: a bulk writer adds that row, inserts its contacts,
indexes them and counts them in one statement each, and deletes the row again, all in its
own transaction, so no other connection ever sees it (every other insert fires the
triggers as before). A bulk insert bumps the counters without logging ids in the ring, so
other sessions read it as "anything may have changed", as for any change too big to log.
PostgreSQL has no per-row triggers on insert: nothing to do there.
"""

from peewee import PostgresqlDatabase

RING = 4096  # migration 0013's ring of changed contacts; migrations stay frozen
LOGGED = (
    "BEGIN UPDATE change_counter SET row_changes = row_changes + 1, "
    "count_changes = count_changes + 1; "
    "INSERT OR REPLACE INTO contact_change (slot, seq, contact_id, counted) "
    f"SELECT row_changes % {RING}, row_changes, NEW.id, 1 FROM change_counter; END"
)
SKIP = "WHEN NOT EXISTS (SELECT 1 FROM bulk_insert WHERE new.id BETWEEN first_id AND last_id)"


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql("CREATE TABLE bulk_insert (first_id INTEGER NOT NULL, last_id INTEGER NOT NULL)")
    db.execute_sql("DROP TRIGGER contact_fts_insert")
    db.execute_sql(
        f"CREATE TRIGGER contact_fts_insert AFTER INSERT ON contact {SKIP} BEGIN "
        "INSERT INTO contact_fts(rowid, search_doc) VALUES (new.id, new.search_doc); END"
    )
    db.execute_sql("DROP TRIGGER contact_insert_logged")
    db.execute_sql(f"CREATE TRIGGER contact_insert_logged AFTER INSERT ON contact {SKIP} {LOGGED}")


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql("DROP TRIGGER contact_fts_insert")
    db.execute_sql(
        "CREATE TRIGGER contact_fts_insert AFTER INSERT ON contact BEGIN "
        "INSERT INTO contact_fts(rowid, search_doc) VALUES (new.id, new.search_doc); END"
    )
    db.execute_sql("DROP TRIGGER contact_insert_logged")
    db.execute_sql(f"CREATE TRIGGER contact_insert_logged AFTER INSERT ON contact {LOGGED}")
    db.execute_sql("DROP TABLE bulk_insert")
