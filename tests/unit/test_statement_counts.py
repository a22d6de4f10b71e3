"""How many statements the common actions send, on SQLite and on PostgreSQL.

Each action a user repeats all day is held to a budget: opening a contact, moving it
to another stage. Counted from peewee's own log of every statement it executes (the
change feed's connection is not peewee's and is not counted).
"""

from __future__ import annotations

import pytest
from statement_log import counted

from contacts_tui.services import ContactService

OPEN_BUDGET = 4
STAGE_CHANGE_BUDGET = 6


@pytest.fixture
def full_contact(backend, workspace) -> tuple[ContactService, int]:
    """A contact with something of every kind, so no read is skipped for being empty."""
    service = ContactService(workspace.config, workspace.user)
    contact = service.create_contact("Ada Lovelace", company="Analytical Engines")
    account = service.create_account("North")
    service.update_contact(contact.id, contact.version, accounts=(account.id,))
    service.records.add_email(contact.id, "ada@example.org", primary=True)
    service.records.add_email(contact.id, "ada@engines.example")
    service.records.add_phone(contact.id, "+44 20 7946 0018")
    service.records.add_address(
        contact.id, address="12 St James's Square", zip_code="SW1Y 4JH", locality="London"
    )
    service.records.add_bank_account(contact.id, "Coutts", "GB82 WEST 1234 5698 7654 32")
    for step in ("qualified", "contacted", "qualified"):
        service.set_stage(contact.id, step)
    return service, contact.id


def test_opening_a_contact_stays_within_its_budget(full_contact):
    service, contact_id = full_contact
    with counted() as log:
        detail = service.get_contact(contact_id)
    assert len(log.statements) <= OPEN_BUDGET, log.statements
    assert set(log.verbs()) == {"SELECT"}
    # ... and still everything is there, in the order the tabs show it.
    assert detail.company is not None and detail.company.name == "Analytical Engines"
    assert [a.name for a in detail.accounts] == ["North"]
    assert [e.email for e in detail.emails] == ["ada@example.org", "ada@engines.example"]
    assert detail.emails[0].is_primary and not detail.emails[1].is_primary
    assert [p.number for p in detail.phones] == ["+442079460018"]
    assert detail.addresses[0].zip_code == "SW1Y 4JH"
    assert detail.bank_accounts[0].iban == "GB82WEST12345698765432"
    assert [s.to_stage for s in detail.stage_history] == [
        "new_lead",
        "qualified",
        "contacted",
        "qualified",
    ]
    assert detail.audit[0].at >= detail.audit[-1].at
    assert detail.audit[-1].field == "created"


def test_a_stage_change_stays_within_its_budget(full_contact):
    service, contact_id = full_contact
    version = service.get_contact(contact_id).version
    with counted() as log:
        detail = service.set_stage(contact_id, "contacted", version=version)
    assert len(log.statements) <= STAGE_CHANGE_BUDGET, log.statements
    assert log.verbs().count("UPDATE") == 1
    assert log.verbs().count("INSERT") == 1
    assert detail.stage == "contacted"
    assert detail.version == version + 1
    assert detail.stage_history[-1].from_stage == "qualified"


def test_the_counter_sees_every_statement(backend, workspace):
    """The budget tests would pass on a counter that counts nothing."""
    service = ContactService(workspace.config, workspace.user)
    with counted() as log:
        service.create_contact("Grace")
        service.list_page()
    assert "INSERT" in log.verbs()
    assert "SELECT" in log.verbs()


def test_a_save_reads_the_history_once(full_contact, monkeypatch):
    """A save compares with the contact as stored without its history, and reads the
    history once, for the detail it returns: a long-lived contact's history made every
    save of it slower (read twice)."""
    from contacts_tui.store import contact_reads

    service, contact_id = full_contact
    before = service.get_contact(contact_id)
    history_reads = []
    events_of = contact_reads.events_of

    def counted_events_of(contact_id: int) -> list:
        history_reads.append(contact_id)
        return events_of(contact_id)

    # (A statement count cannot tell: PostgreSQL's union starts with a parenthesis.)
    monkeypatch.setattr(contact_reads, "events_of", counted_events_of)
    saved = service.update_contact(contact_id, before.version, full_name="Augusta Ada King")
    assert history_reads == [contact_id]
    assert saved.full_name == "Augusta Ada King"
    assert saved.audit[0].field == "full_name" and saved.audit[0].new_value == "Augusta Ada King"
    assert len(saved.audit) == len(before.audit) + 1
    assert [s.to_stage for s in saved.stage_history] == [s.to_stage for s in before.stage_history]


def test_a_conflicting_save_tells_the_contact_with_its_history(full_contact):
    from contacts_tui.services import ConflictError

    service, contact_id = full_contact
    stale = service.get_contact(contact_id)
    service.update_contact(contact_id, stale.version, full_name="Theirs")
    with pytest.raises(ConflictError) as raised:
        service.update_contact(contact_id, stale.version, full_name="Mine")
    current = raised.value.current
    assert current.full_name == "Theirs"
    assert current.audit[0].new_value == "Theirs"
    assert [s.to_stage for s in current.stage_history][-1] == "qualified"


def test_a_save_that_changes_nothing_returns_the_whole_contact(full_contact):
    service, contact_id = full_contact
    before = service.get_contact(contact_id)
    same = service.update_contact(contact_id, before.version, full_name=before.full_name)
    assert same.version == before.version
    assert same.audit == before.audit and same.stage_history == before.stage_history
