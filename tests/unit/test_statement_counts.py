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
