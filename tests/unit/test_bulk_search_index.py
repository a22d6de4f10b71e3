"""Contacts added in bulk (demo, import) are indexed for search and counted in one statement
each, exactly as the per-row triggers index and count everyone else's."""

from __future__ import annotations

import json
from collections import Counter

from contacts_tui.cli import main
from contacts_tui.demo import add_demo_contacts
from contacts_tui.services import ContactFilter
from contacts_tui.services.imports import import_contacts
from contacts_tui.store import summaries
from contacts_tui.store.database import with_connection
from contacts_tui.store.models import Contact, database


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


def _summaries_true() -> None:
    assert with_connection(summaries.mismatches)() == []
    assert not with_connection(summaries.reach_mismatches)()


@with_connection
def _ring_since(seq: int) -> list[tuple[int, int]]:
    rows = database.execute_sql(
        "SELECT seq, contact_id FROM contact_change WHERE seq > ? ORDER BY seq", (seq,)
    )
    return list(rows)


def test_bulk_inserts_leave_every_summary_as_the_row_triggers_would(
    workspace, service, backend, tmp_path
):
    # Counted groups of the funnel (a report was opened), an account, history that goes
    # back and forth, archived contacts: what the per-row triggers count, the batch counts.
    groups = [[s.key] for s in service.config.default.steps()]
    groups += [[s.key for s in c.steps] for c in service.config.default.categories]
    with_connection(summaries.fill_groups)(groups)
    service.create_account("North")
    service.create_contact("Before Bulk")
    history = [
        {"from": "", "to": "new_lead", "at": "2026-01-03T09:00:00", "by": "ann"},
        {"from": "new_lead", "to": "contacted", "at": "2026-01-05T09:00:00", "by": "bob"},
        {"from": "contacted", "to": "new_lead", "at": "2026-01-05T09:00:00", "by": "ann"},
        {"from": "new_lead", "to": "contacted", "at": "2026-02-01T10:00:00", "by": "ann"},
    ]
    people = [
        {
            "name": f"Bulk Person {n}",
            "stage_key": "contacted",
            "segmentation": "SMB" if n % 2 else "",
            "assigned_accounts": ["North"] if n % 3 else [],
            "archived": n % 5 == 0,
            "emails": [{"email": f"p{n}@example.com", "primary": True}] if n % 4 else [],
            "phones": [{"number": f"+44 20 7946 {n:04d}", "primary": True}] if n % 6 else [],
            "stage_history": history,
        }
        for n in range(40)
    ]
    source = tmp_path / "people.json"
    source.write_text(json.dumps(people))
    before = counted(workspace) if backend == "sqlite" else None
    report = import_contacts(service, source)
    assert report.imported == 40, report
    _summaries_true()
    with database.connection_context():
        reached = database.execute_sql("SELECT SUM(contacts) FROM stage_reach").fetchone()[0]
        ids = dict(Contact.select(Contact.name, Contact.id).tuples())
    assert reached > 0  # the imported histories are in the funnel's counts
    if backend == "sqlite":
        # The counter moved once per contact and per account link, as row by row, and the
        # ring names each change under its own number: a session sees every contact added.
        changed = Counter(ids[f"Bulk Person {n}"] for n in range(40))
        changed.update(ids[f"Bulk Person {n}"] for n in range(40) if n % 3)
        after = counted(workspace)
        total = sum(changed.values())
        assert after[0] - before[0] == total and after[1] - before[1] == total
        ring = _ring_since(before[0])
        assert [seq for seq, _ in ring] == list(range(before[0] + 1, after[0] + 1))
        assert Counter(contact_id for _, contact_id in ring) == changed
    add_demo_contacts(service.config, 700, service.user, seed=5)
    _summaries_true()
    # Afterwards, one by one, the triggers count again (the bulk's range is gone).
    contact = service.create_contact("After Bulk")
    service.update_contact(contact.id, contact.version, segmentation="SMB")
    _summaries_true()
