"""Short search terms match the start of any word: `wa` finds Wayne Ltd and wade@….

Trigram indexes (FTS5, pg_trgm) cannot find a term of one or two characters, so these
only matched the start of the name, the primary e-mail or the phone digits. `contact_word`
holds the first one and two characters of every word of each contact's search document
(`store.search.word_prefixes`), keyed by prefix for the search and by contact for
rewriting a contact's rows. Every writer of `search_doc` writes them in the same
transaction (`store.search.write_word_index`): SQLite has no way to split words inside a
trigger. No foreign key: checking one for each of the ~15 rows per contact the demo and
import insert costs more than the rows; a trigger removes a deleted contact's rows.

An existing database is filled here a batch at a time, so a big workspace is never held
in memory (at a million contacts about a minute: announced before it starts). The
indexes the short terms used before (name, e-mail and phone digits prefixes) go.
"""

import re

from peewee import PostgresqlDatabase

BATCH = 5000

# The same words as store.search.word_prefixes (a migration is a frozen copy): runs of
# letters and digits.
WORD = re.compile(r"[^\W_]+")


def prefixes(document):
    found = set()
    for word in WORD.findall(document):
        found.add(word[:1])
        found.add(word[:2])
    return found


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    param = db.param
    if postgres:
        db.execute_sql(
            "CREATE TABLE contact_word (prefix TEXT NOT NULL, contact_id INTEGER NOT NULL, "
            "PRIMARY KEY (prefix, contact_id))"
        )
        db.execute_sql(
            "CREATE FUNCTION contact_word_delete() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN DELETE FROM contact_word WHERE contact_id = OLD.id; RETURN OLD; END $$"
        )
        db.execute_sql(
            "CREATE TRIGGER contact_word_delete AFTER DELETE ON contact "
            "FOR EACH ROW EXECUTE FUNCTION contact_word_delete()"
        )
        for index in ("contact_name_prefix", "contact_email_prefix", "contact_digits_prefix"):
            db.execute_sql(f"DROP INDEX IF EXISTS {index}")
    else:
        # WITHOUT ROWID: the primary key is the table, no second copy of every row.
        db.execute_sql(
            "CREATE TABLE contact_word (prefix TEXT NOT NULL, contact_id INTEGER NOT NULL, "
            "PRIMARY KEY (prefix, contact_id)) WITHOUT ROWID"
        )
        db.execute_sql(
            "CREATE TRIGGER contact_word_delete AFTER DELETE ON contact BEGIN "
            "DELETE FROM contact_word WHERE contact_id = old.id; END"
        )
    db.execute_sql("DROP INDEX IF EXISTS contact_phone_digits")

    if not postgres:
        # A big page cache while filling (the app's is 2 MB): the rows of a batch land on
        # a thousand prefixes' pages at once. Given back below.
        cache = db.execute_sql("PRAGMA cache_size").fetchone()[0]
        db.execute_sql("PRAGMA cache_size = -262144")
    last_id = 0
    cursor = db.cursor()
    while True:
        rows = db.execute_sql(
            f"SELECT id, search_doc FROM contact WHERE id > {param} ORDER BY id LIMIT {BATCH}",
            (last_id,),
        ).fetchall()
        if not rows:
            break
        last_id = rows[-1][0]
        words = sorted((p, contact_id) for contact_id, doc in rows for p in prefixes(doc))
        if postgres:  # one statement per 1,000 rows, not a round trip per row
            from psycopg2.extras import execute_values

            execute_values(cursor, "INSERT INTO contact_word VALUES %s", words, page_size=1000)
        else:
            cursor.executemany("INSERT INTO contact_word VALUES (?, ?)", words)
    # Made once the rows are in: one sort instead of a million scattered inserts.
    db.execute_sql("CREATE INDEX contact_word_contact ON contact_word (contact_id)")
    if postgres:
        db.execute_sql("ANALYZE contact_word")
    else:
        db.execute_sql(f"PRAGMA cache_size = {int(cache)}")
