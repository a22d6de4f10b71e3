"""Contacts added in bulk (demo, import) are indexed for search and counted in one statement
each, exactly as the per-row triggers index and count everyone else's."""

from __future__ import annotations

import json

from contacts_tui.cli import main
from contacts_tui.demo import add_demo_contacts
from contacts_tui.services import ContactFilter
from contacts_tui.store.models import Contact


def fts_is_whole(workspace) -> None:
    db = workspace.database
    # FTS5 checks its index against the contact table's search documents, row by row.
    db.execute_sql("INSERT INTO contact_fts(contact_fts, rank) VALUES ('integrity-check', 1)")
    assert db.execute_sql("SELECT COUNT(*) FROM bulk_insert").fetchone() == (0,)
    indexed = db.execute_sql("SELECT COUNT(*) FROM contact_fts").fetchone()[0]
    assert indexed == Contact.select().count()


def summaries_agree(workspace, capsys) -> None:
    """`check` recounts the count summaries from the rows and compares."""
    assert main(["--home", str(workspace.folder), "check"]) == 0, capsys.readouterr()


def found(service, text: str) -> set[str]:
    return {r.name for r in service.list_page(ContactFilter(search=text), limit=5000).rows}


def counted(workspace) -> tuple[int, int]:
    return workspace.database.execute_sql(
        "SELECT row_changes, count_changes FROM change_counter"
    ).fetchone()


def test_demo_contacts_are_searchable_and_counted_and_later_ones_too(workspace, service, capsys):
    before = counted(workspace)
    assert add_demo_contacts(service.config, 1200, "demo") == 1200
    fts_is_whole(workspace)
    after = counted(workspace)
    assert after[0] - before[0] >= 1200 and after[1] - before[1] >= 1200  # others refresh
    # A three-letter term goes through the trigram index: every matching demo contact.
    with_term = {name for (name,) in Contact.select(Contact.name).tuples() if "mül" in name.lower()}
    assert with_term and found(service, "Mül") >= with_term
    summaries_agree(workspace, capsys)
    service.create_contact("Zebulon Quaxley")  # one by one: the triggers index and count it
    assert found(service, "Quaxley") == {"Zebulon Quaxley"}
    fts_is_whole(workspace)
    summaries_agree(workspace, capsys)


def test_imported_contacts_are_searchable_and_counted(workspace, service, tmp_path, capsys):
    people = [{"name": f"Ximena Vortigern {n}", "stage": "qualified"} for n in range(300)]
    source = tmp_path / "people.json"
    source.write_text(json.dumps(people))
    assert main(["--home", str(workspace.folder), "import", str(source)]) == 0
    assert len(found(service, "Vortigern")) == 300
    fts_is_whole(workspace)
    summaries_agree(workspace, capsys)
