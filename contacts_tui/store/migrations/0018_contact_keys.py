"""SQLite: each contact's counted columns as one letter, so a search's counts read no rows.

A search's dashboard counts looked each match up in contact_counted and grouped the
matches by their stage and status: at a million contacts `mar` (177,000 matches) took
0.4-0.7 s, most of it sorting the matches for GROUP BY and reading ~40-byte rows.

* count_key: every combination of contact_counted's columns (archived, template, stage,
  status, segmentation, reason code, missing a primary) ever seen, each with a code and a
  letter of its own. Rows are only added, never changed or removed: a letter means one
  combination for good.
* contact_key: each contact's letter, keyed by id (a few bytes a row).

A search's counts are then one string, the letters of its matches joined
(`group_concat`, no sort), counted in Python and read back through count_key
(`store.summaries.keyed_stage_counts`): 0.1 s for `mar`.

Kept by triggers on contact_counted (itself kept by the contact's triggers, 0012), in
the transaction of every write. The insert trigger skips the contacts of a bulk insert
(0015), whose writer does its work in one statement (`store.bulk`). PostgreSQL: nothing
(its search counts read the contacts as before).
"""

from peewee import PostgresqlDatabase

COLUMNS = ("archived", "template", "stage", "status", "segmentation", "reason_code", "missing")


def letter(code: str) -> str:
    """The letter of a code: a character from U+0021 up, skipping UTF-16's surrogates
    (which neither UTF-8 nor Python's str decoding take). A frozen copy of
    store.summaries.LETTER."""
    return f"char({code} + 32 + CASE WHEN {code} + 32 >= 55296 THEN 2048 ELSE 0 END)"


def same_key(left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} = {right}.{c}" for c in COLUMNS)


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        return
    columns = ", ".join(COLUMNS)
    db.execute_sql(
        "CREATE TABLE count_key (code INTEGER PRIMARY KEY, letter TEXT NOT NULL UNIQUE, "
        "archived INTEGER NOT NULL, template TEXT NOT NULL, stage TEXT NOT NULL, "
        "status TEXT NOT NULL, segmentation TEXT NOT NULL, reason_code TEXT NOT NULL, "
        f"missing INTEGER NOT NULL, UNIQUE ({columns}))"
    )
    db.execute_sql("CREATE TABLE contact_key (id INTEGER PRIMARY KEY, letter TEXT NOT NULL)")
    db.execute_sql(
        f"INSERT INTO count_key (code, letter, {columns}) "
        f"SELECT n, {letter('n')}, {columns} FROM (SELECT ROW_NUMBER() OVER () AS n, "
        f"{columns} FROM (SELECT DISTINCT {columns} FROM contact_counted))"
    )
    db.execute_sql(
        "INSERT INTO contact_key (id, letter) SELECT c.id, k.letter FROM contact_counted c "
        f"JOIN count_key k ON {same_key('k', 'c')}"
    )
    is_new = " AND ".join(f"{c} = NEW.{c}" for c in COLUMNS)
    # NOT EXISTS, not OR IGNORE: a trigger's conflict clause gives way to the outer
    # statement's (an INSERT OR REPLACE would replace the key, and orphan its letter).
    new_key = (
        f"INSERT INTO count_key (code, letter, {columns}) "
        f"SELECT m, {letter('m')}, {', '.join(f'NEW.{c}' for c in COLUMNS)} "
        "FROM (SELECT COALESCE(MAX(code), 0) + 1 AS m FROM count_key) "
        f"WHERE NOT EXISTS (SELECT 1 FROM count_key WHERE {is_new});"
    )
    keyed = (
        f"INSERT INTO contact_key (id, letter) SELECT NEW.id, letter FROM count_key WHERE {is_new};"
    )
    skip = "NOT EXISTS (SELECT 1 FROM bulk_insert WHERE NEW.id BETWEEN first_id AND last_id)"
    db.execute_sql(
        "CREATE TRIGGER contact_key_insert AFTER INSERT ON contact_counted "
        f"WHEN {skip} BEGIN {new_key} {keyed} END"
    )
    db.execute_sql(
        "CREATE TRIGGER contact_key_update AFTER UPDATE ON contact_counted BEGIN "
        f"DELETE FROM contact_key WHERE id = OLD.id; {new_key} {keyed} END"
    )
    db.execute_sql(
        "CREATE TRIGGER contact_key_delete AFTER DELETE ON contact_counted BEGIN "
        "DELETE FROM contact_key WHERE id = OLD.id; END"
    )
