"""SQLite: a bulk insert of contacts indexes them for search in one statement, not per row.

The FTS5 insert trigger (and the change counter's) ran once per inserted contact: two
thirds of the time `demo` spent inserting contacts. Dropping them around a batch was a
schema change under colleagues' feet. Instead, both triggers now skip the contacts whose
ids a row of `bulk_insert` covers: a bulk writer adds that row, inserts its contacts,
indexes them and counts them in one statement each, and deletes the row again, all in its
own transaction, so no other connection ever sees it (every other insert fires the
triggers as before). PostgreSQL has no per-row triggers on insert: nothing to do there.
"""

from peewee import PostgresqlDatabase

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
    db.execute_sql("DROP TRIGGER contact_insert_counted")
    db.execute_sql(
        f"CREATE TRIGGER contact_insert_counted AFTER INSERT ON contact {SKIP} BEGIN "
        "UPDATE change_counter SET row_changes = row_changes + 1, "
        "count_changes = count_changes + 1; END"
    )


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql("DROP TRIGGER contact_fts_insert")
    db.execute_sql(
        "CREATE TRIGGER contact_fts_insert AFTER INSERT ON contact BEGIN "
        "INSERT INTO contact_fts(rowid, search_doc) VALUES (new.id, new.search_doc); END"
    )
    db.execute_sql("DROP TRIGGER contact_insert_counted")
    db.execute_sql(
        "CREATE TRIGGER contact_insert_counted AFTER INSERT ON contact BEGIN "
        "UPDATE change_counter SET row_changes = row_changes + 1, "
        "count_changes = count_changes + 1; END"
    )
    db.execute_sql("DROP TABLE bulk_insert")
