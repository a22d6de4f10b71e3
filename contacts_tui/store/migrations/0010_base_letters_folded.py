"""Sorting and search fold Ł, Ø, Æ, Œ, Đ, Þ… to base letters: stored keys follow.

`store.search.fold` now maps the letters NFKD leaves whole (ł, ø, æ…) to base letters,
so `Łukasz` sorts among the L's and `lukasz` finds him. Contacts stored before kept the
old folding in `name_key`, `search_doc` and `contact_word`: a search folded the new way
would miss them. The stored texts are already folded the old way (lower-case, accents
off), so the new folding is the same letter map applied to them. Only contacts holding
one of those letters are rewritten, a batch at a time; the FTS update trigger follows
`search_doc` on SQLite, the pg_trgm index on PostgreSQL.
"""

import re

from peewee import PostgresqlDatabase

BATCH = 5000

# A frozen copy of store.search's map (a migration must not change when the code does).
BASE_LETTERS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ŧ": "t",
        "ħ": "h",
        "ŋ": "n",
    }
)
LETTERS = frozenset("łøæœđðþıŧħŋ")
WORD = re.compile(r"[^\W_]+")  # the words of store.search.word_prefixes


def prefixes(document):
    found = set()
    for word in WORD.findall(document):
        found.add(word[:1])
        found.add(word[:2])
    return found


def up(migrator, db):
    param = db.param
    postgres = isinstance(db, PostgresqlDatabase)
    conflict = " ON CONFLICT DO NOTHING" if postgres else ""
    insert = (
        "INSERT INTO contact_word VALUES"
        if postgres
        else "INSERT OR IGNORE INTO contact_word VALUES"
    )
    cursor = db.cursor()
    last_id = 0
    while True:
        rows = db.execute_sql(
            f"SELECT id, name_key, search_doc FROM contact WHERE id > {param} "
            f"ORDER BY id LIMIT {BATCH}",
            (last_id,),
        ).fetchall()
        if not rows:
            return
        last_id = rows[-1][0]
        for contact_id, name_key, document in rows:
            name_key, document = name_key or "", document or ""
            if LETTERS.isdisjoint(name_key) and LETTERS.isdisjoint(document):
                continue
            document = document.translate(BASE_LETTERS)
            db.execute_sql(
                f"UPDATE contact SET name_key = {param}, search_doc = {param} WHERE id = {param}",
                (name_key.translate(BASE_LETTERS), document, contact_id),
            )
            db.execute_sql(f"DELETE FROM contact_word WHERE contact_id = {param}", (contact_id,))
            cursor.executemany(
                f"{insert} ({param}, {param}){conflict}",
                [(prefix, contact_id) for prefix in sorted(prefixes(document))],
            )
