"""Services on SQLite and PostgreSQL: create, update with versions, stages, dashboard."""

from __future__ import annotations

import pytest

from contacts_tui.services import (
    TENANT_WIDE,
    ConflictError,
    ContactFilter,
    NotFoundError,
)
from contacts_tui.validation import ValidationError


def test_create_contact_starts_at_the_first_step(service, backend):
    contact = service.create_contact("  Ada Lovelace  ")
    assert contact.name == "Ada Lovelace"
    assert contact.company is None  # Tenant-Wide
    assert (contact.template, contact.stage, contact.status) == ("standard", "new_lead", "Open")
    assert contact.version == 1
    assert contact.created_by == service.user
    assert [(h.from_stage, h.to_stage) for h in contact.stage_history] == [("", "new_lead")]


@pytest.mark.parametrize("name", ["", "   ", "\t", None, "Ada\x1b[31m", "Eve\u202e"])
def test_create_contact_refuses_bad_names(service, name):
    with pytest.raises(ValidationError):
        service.create_contact(name)
    assert service.count() == 0


def test_create_contact_with_a_new_or_existing_company(service, backend):
    first = service.create_contact("Ada", "Analytical Engines Ltd")
    second = service.create_contact("Charles", first.company.id)
    assert first.company == second.company
    assert [c.name for c in service.companies()] == ["Analytical Engines Ltd"]
    assert service.count(ContactFilter(company=first.company.id)) == 2
    service.create_contact("Mary")
    assert service.count(ContactFilter(company=TENANT_WIDE)) == 1


def test_update_contact_writes_fields_audit_and_version(service, backend):
    contact = service.create_contact("Ada")
    updated = service.update_contact(
        contact.id,
        contact.version,
        full_name="Augusta Ada King",
        scoring="75",
        company="Babbage & Co",
    )
    assert updated.version == 2
    assert (updated.full_name, updated.scoring, updated.company.name) == (
        "Augusta Ada King",
        75,
        "Babbage & Co",
    )
    changed = {(a.field, a.old_value, a.new_value) for a in updated.audit}
    assert ("scoring", "", "75") in changed
    assert ("company", "Tenant-Wide", "Babbage & Co") in changed
    assert all(a.by == service.user for a in updated.audit)


def test_stale_version_is_a_conflict_carrying_their_values(service, backend):
    contact = service.create_contact("Ada")
    theirs = service.update_contact(contact.id, contact.version, full_name="Theirs")
    with pytest.raises(ConflictError) as caught:
        service.update_contact(contact.id, contact.version, full_name="Mine")
    assert caught.value.current.full_name == "Theirs"
    assert caught.value.current.version == theirs.version
    assert service.get_contact(contact.id).full_name == "Theirs"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "Name"),
        ({"scoring": "abc"}, "Scoring"),
        ({"scoring": 101}, "Scoring"),
        ({"scoring": -1}, "Scoring"),
        ({"template": "nope"}, "lifecycle"),
        ({"full_name": "x\x07"}, "Full name contains hidden control"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(service, changes, message):
    contact = service.create_contact("Ada")
    with pytest.raises(ValidationError, match=message):
        service.update_contact(contact.id, contact.version, **changes)
    assert service.get_contact(contact.id).version == contact.version


def test_set_stage_updates_status_and_history_in_one_go(service, backend):
    contact = service.create_contact("Ada")
    assert service.dashboard().open == 1
    won = service.set_stage(contact.id, "closed_won", version=contact.version)
    assert (won.stage, won.status, won.version) == ("closed_won", "Closed", contact.version + 1)
    assert won.stage_history[-1].from_stage == "new_lead"
    assert won.stage_history[-1].to_stage == "closed_won"
    assert won.stage_history[-1].by == service.user
    dashboard = service.dashboard()
    assert (dashboard.open, dashboard.closed) == (0, 1)
    assert {c.key: c.count for c in dashboard.categories}["conversion"] == 1
    with pytest.raises(ConflictError):
        service.set_stage(contact.id, "contacted", version=contact.version)
    with pytest.raises(ValidationError):
        service.set_stage(contact.id, "no_such_step")


def test_set_stage_can_change_the_template(service, backend):
    contact = service.create_contact("Ada")
    partner = service.config.template("partner")
    step = partner.first_step
    moved = service.set_stage(contact.id, step.key, template="partner")
    assert (moved.template, moved.stage) == ("partner", step.key)
    with pytest.raises(ValidationError, match="is not in the lifecycle"):
        service.update_contact(moved.id, moved.version, template="standard")


def test_archive_hides_and_restores(service, backend):
    contact = service.create_contact("Ada")
    service.archive(contact.id)
    assert service.count() == 0
    assert service.count(ContactFilter(archived=True)) == 1
    service.archive(contact.id, archived=False)
    assert service.count() == 1


def test_filters_combine(service, backend):
    ada = service.create_contact("Ada", "Acme")
    service.create_contact("Bob", "Acme")
    service.update_contact(ada.id, ada.version, scoring=80, segmentation="SMB")
    account = service.create_account("Key accounts")
    detail = service.get_contact(ada.id)
    service.update_contact(ada.id, detail.version, accounts=[account.id])
    assert service.count(ContactFilter(scoring_min=50)) == 1
    assert service.count(ContactFilter(segmentation="SMB", search="ada")) == 1
    assert service.count(ContactFilter(account=account.id)) == 1
    assert service.count(ContactFilter(category="lead_generation")) == 2
    assert service.count(ContactFilter(status="Closed")) == 0
    (row,) = service.list_page(ContactFilter(account=account.id)).rows
    assert row.accounts == ("Key accounts",)
    assert [a.contacts for a in service.accounts()] == [1]


def test_accounts_create_rename_archive(service, backend):
    account = service.create_account("North")
    with pytest.raises(ValidationError, match="exists already"):
        service.create_account("North")
    renamed = service.rename_account(account.id, "North-East")
    assert renamed.name == "North-East"
    service.archive_account(account.id)
    assert service.accounts() == ()
    assert len(service.accounts(include_archived=True)) == 1


def test_missing_contact(service, backend):
    with pytest.raises(NotFoundError):
        service.get_contact(999)


def test_dashboard_counts_unknown_steps(service, workspace):
    from contacts_tui.store.models import Contact, database

    contact = service.create_contact("Ada")
    with database.connection_context():
        Contact.update(stage="removed_by_admin").where(Contact.id == contact.id).execute()
    assert service.dashboard().unknown_stage == 1


def test_the_dashboard_after_a_count_is_read_with_it_once(service, backend, monkeypatch):
    """The list asks for the count, then the dashboard: one read answers both, once."""
    from contacts_tui.services import ContactFilter

    service.create_contact("Ada")
    service.create_contact("Abe")
    reads = []
    real = service._dashboard  # every way of counting (kept counts, search ids, a scan)
    monkeypatch.setattr(service, "_dashboard", lambda f: reads.append(f) or real(f))
    view = ContactFilter(search="a")
    assert service.count(view) == 2
    assert service.dashboard(view).total == 2
    assert len(reads) == 1  # the dashboard came with the count
    service.create_contact("Ava")
    assert service.dashboard(view).total == 3  # asked again: read afresh
    assert service.count(ContactFilter()) == 3
    assert service.dashboard(view).total == 3  # another view: not the count's
    assert len(reads) == 4
