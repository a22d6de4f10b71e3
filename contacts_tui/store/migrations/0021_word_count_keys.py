"""PostgreSQL: each contact_word row carries its contact's count key, so a short search's
counts read only that term's index entries.

A search of one or two characters (`jo`, 86,787 matches at a million contacts) was
counted by looking each match up in contact_counted: 290-440 ms whatever the plan (a
hash join, a nested loop, a covering index), against ~100 ms on SQLite, whose contact_key
letters (0018) need no join. Here every contact_word row holds `code`, the count_key
code of its contact's counted columns (archived, template, stage, status, segmentation,
reason code, missing a primary), and the primary key carries it (INCLUDE), so `jo`'s
counts are one index-only pass over its own entries grouped by code: ~25 ms.

* count_key: as SQLite's (0018), the same columns and letters, so that `migrate --to`
  copies SQLite's as it is. Codes are only added (`count_key_of`, under a lock, as a
  new combination is rare), never changed or removed.
* Writers give each word its code (`store.search.insert_word_index`: one look-up per
  batch); a row inserted without one gets it from its contact (a trigger, ~30 µs a row:
  an older session's save, anything else that forgets).
* A contact whose counted columns change rewrites its words' code (a trigger on
  contact, not on contact_counted: a bulk insert fills contact_counted only at its end).

The table is rebuilt, not updated in place (14.7 million rows at a million contacts:
about a minute, against several for an UPDATE that leaves every row twice). SQLite:
nothing (0018's letters already count its searches).
"""

from peewee import PostgresqlDatabase

COLUMNS = ("archived", "template", "stage", "status", "segmentation", "reason_code", "missing")
MISSING = "CASE WHEN {row}.primary_email = '' OR {row}.primary_phone = '' THEN 1 ELSE 0 END"
# 0018's letter of a code (a frozen copy), in PostgreSQL's SQL.
LETTER = "chr({code} + 32 + CASE WHEN {code} + 32 >= 55296 THEN 2048 ELSE 0 END)"


def values(row: str) -> list[str]:
    """count_key's COLUMNS of a contact row."""
    return [*(f"{row}.{c}" for c in COLUMNS[:-1]), MISSING.format(row=row)]


def key_of(row: str) -> str:
    """count_key_of's arguments for a contact row."""
    return ", ".join(values(row))


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    columns = ", ".join(COLUMNS)
    db.execute_sql(
        "CREATE TABLE count_key (code INTEGER PRIMARY KEY, letter TEXT NOT NULL UNIQUE, "
        "archived BOOLEAN NOT NULL, template TEXT NOT NULL, stage TEXT NOT NULL, "
        "status TEXT NOT NULL, segmentation TEXT NOT NULL, reason_code TEXT NOT NULL, "
        f"missing INTEGER NOT NULL, UNIQUE ({columns}))"
    )
    named = ", ".join(f"{v} AS {c}" for v, c in zip(values("c"), COLUMNS, strict=True))
    db.execute_sql(
        f"INSERT INTO count_key (code, letter, {columns}) "
        f"SELECT n, {LETTER.format(code='n')}, {columns} FROM (SELECT "
        f"CAST(ROW_NUMBER() OVER (ORDER BY {columns}) AS INTEGER) AS n, {columns} "
        f"FROM (SELECT DISTINCT {named} FROM contact c) AS d) AS numbered"
    )
    # Arguments named apart from the columns (PL/pgSQL refuses an ambiguous name).
    arguments = ", ".join(
        f"given_{c} {'boolean' if c == 'archived' else 'integer' if c == 'missing' else 'text'}"
        for c in COLUMNS
    )
    looked_up = " AND ".join(f"k.{c} = given_{c}" for c in COLUMNS)
    given = ", ".join(f"given_{c}" for c in COLUMNS)
    db.execute_sql(
        f"CREATE FUNCTION count_key_of({arguments}) RETURNS integer "
        "LANGUAGE plpgsql AS $$ DECLARE kept integer; BEGIN "
        f"SELECT k.code INTO kept FROM count_key k WHERE {looked_up}; "
        "IF kept IS NULL THEN "
        # A new combination: one at a time, so that two sessions never take one code.
        # Looked up again under the lock (a new snapshot: another may have added it).
        "LOCK TABLE count_key IN EXCLUSIVE MODE; "
        f"SELECT k.code INTO kept FROM count_key k WHERE {looked_up}; "
        "IF kept IS NULL THEN "
        "SELECT COALESCE(MAX(code), 0) + 1 INTO kept FROM count_key; "
        f"INSERT INTO count_key (code, letter, {columns}) VALUES (kept, "
        f"{LETTER.format(code='kept')}, {given}); "
        "END IF; END IF; RETURN kept; END $$"
    )

    # The words again, each with its contact's code, read from the contacts themselves
    # (not contact_counted, which `check` may find wrong: that must not stop the app
    # from starting). A word of no contact (none should be) is left out: it would be
    # counted, as no page join would drop it.
    db.execute_sql(
        "CREATE TABLE contact_word_keyed (prefix TEXT NOT NULL, contact_id INTEGER NOT NULL, "
        "code INTEGER NOT NULL)"
    )
    joined = " AND ".join(
        f"k.{column} = {value}" for column, value in zip(COLUMNS, values("c"), strict=True)
    )
    db.execute_sql(
        "INSERT INTO contact_word_keyed SELECT w.prefix, w.contact_id, k.code "
        "FROM contact_word w JOIN contact c ON c.id = w.contact_id "
        f"JOIN count_key k ON {joined} ORDER BY w.prefix, w.contact_id"
    )
    triggers = [
        definition
        for (definition,) in db.execute_sql(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = 'contact_word'::regclass AND NOT tgisinternal"
        )
    ]
    db.execute_sql("DROP TABLE contact_word")
    db.execute_sql("ALTER TABLE contact_word_keyed RENAME TO contact_word")
    db.execute_sql(
        "ALTER TABLE contact_word ADD CONSTRAINT contact_word_pkey "
        "PRIMARY KEY (prefix, contact_id) INCLUDE (code)"
    )
    db.execute_sql("CREATE INDEX contact_word_contact ON contact_word (contact_id)")
    for definition in triggers:  # the change notification's (0006)
        db.execute_sql(definition)

    db.execute_sql(
        "CREATE FUNCTION contact_word_code() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"SELECT count_key_of({key_of('c')}) INTO NEW.code FROM contact c "
        "WHERE c.id = NEW.contact_id; RETURN NEW; END $$"
    )
    db.execute_sql(
        "CREATE TRIGGER contact_word_code BEFORE INSERT ON contact_word FOR EACH ROW "
        "WHEN (NEW.code IS NULL) EXECUTE FUNCTION contact_word_code()"
    )
    db.execute_sql(
        "CREATE FUNCTION contact_word_recode() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "DECLARE fresh integer; BEGIN "
        f"fresh := count_key_of({key_of('NEW')}); "
        "UPDATE contact_word SET code = fresh WHERE contact_id = NEW.id AND code <> fresh; "
        "RETURN NULL; END $$"
    )
    watched = (*COLUMNS[:-1], "primary_email", "primary_phone")
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in watched)
    db.execute_sql(
        "CREATE TRIGGER contact_word_recode AFTER UPDATE ON contact FOR EACH ROW "
        f"WHEN ({changed}) EXECUTE FUNCTION contact_word_recode()"
    )
    db.execute_sql("ANALYZE count_key")
    db.execute_sql("ANALYZE contact_word")
