"""A bulk write's search index rows go in without FTS5's merging after each batch, and
the index is left as any write leaves it: whole, as quick to search, its settings as
they were, and no other connection ever sees them changed."""

from __future__ import annotations

import sqlite3

from contacts_tui.services import ContactFilter
from contacts_tui.services.imports import import_contacts
from contacts_tui.store.bulk import FTS_AUTOMERGE

FIRST = ("Ada", "Chloé", "Łukasz", "Grace", "Hiro")
LAST = ("Lovelace", "Müller", "Okafor", "Hopper")


def write_people(path, count: int) -> None:
    lines = ["Name,E-mail,Phone"] + [
        f"{FIRST[n % 5]} {LAST[n % 4]},p{n}@example.com,+44 20 7946 {n:04d}" for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def automerge(path) -> str | None:
    """The index's setting as another connection sees it (None: FTS5's default)."""
    with sqlite3.connect(path) as other:
        row = other.execute("SELECT v FROM contact_fts_config WHERE k = 'automerge'").fetchone()
    return row and str(row[0])


def segments(db) -> int:
    """The segments of the index, from its structure record: its second varint."""
    block = db.execute_sql("SELECT block FROM contact_fts_data WHERE id = 10").fetchone()[0]
    return block[5]  # cookie (4 bytes), levels (1 byte when < 128), segments


def count(service, text: str) -> int:
    return service.count(ContactFilter(search=text))


def test_searches_right_after_a_bulk_import_find_short_and_long_terms(workspace, service, tmp_path):
    path = tmp_path / "people.csv"
    write_people(path, 600)
    db_file = workspace.folder / "contacts.db"
    seen: list[str | None] = []
    # 30 batches: more segments than FTS5 keeps of a size (16), so its crisis merges
    # run as they must; another connection sees the setting untouched after each one.
    summary = import_contacts(
        service,
        path,
        on_duplicate="create",
        batch_size=20,
        progress=lambda done, total: seen.append(automerge(db_file)),
    )
    assert summary.imported == 600
    assert set(seen) == {None, str(FTS_AUTOMERGE)}  # before the first batch; after
    assert automerge(db_file) == str(FTS_AUTOMERGE)
    db = workspace.database
    db.execute_sql("INSERT INTO contact_fts(contact_fts, rank) VALUES ('integrity-check', 1)")
    assert 1 < segments(db) < 16  # batches' own, crisis merges' too
    assert count(service, "müller") == count(service, "MULLER") == 150  # long: FTS5
    assert count(service, "ada lovelace") == 30  # every 20th row
    assert count(service, "lovelace") == 150
    assert count(service, "ok") == 150  # short: a word start
    assert count(service, "+44 20 7946 0599") == 1
    assert count(service, "p599@example.com") == 1
    # A colleague's contact saved after it is found too (FTS5 merges as before).
    saved = service.create_contact("Zebedee Quist")
    service.records.add_email(saved.id, "zq@example.com")
    assert count(service, "quist") == count(service, "zq") == 1


def test_a_setting_the_workspace_chose_is_kept(workspace, service, tmp_path):
    db = workspace.database
    with db.atomic():
        db.execute_sql("INSERT INTO contact_fts(contact_fts, rank) VALUES ('automerge', 8)")
    path = tmp_path / "people.csv"
    write_people(path, 100)
    import_contacts(service, path, batch_size=20)
    assert automerge(workspace.folder / "contacts.db") == "8"
    assert count(service, "hopper") == 25
