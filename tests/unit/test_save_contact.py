"""The contact screen's one save: fields, accounts, lifecycle and stage, all or nothing."""

from __future__ import annotations

import pytest

from contacts_tui.services import ConflictError
from contacts_tui.validation import ValidationError


def test_fields_accounts_and_stage_in_one_save(service, backend):
    acme = service.create_account("Acme")
    contact = service.create_contact("Ada")
    saved = service.save_contact(
        contact.id,
        contact.version,
        {"full_name": "Ada Lovelace", "accounts": (acme.id, "Initech")},
        stage="contacted",
    )
    assert (saved.full_name, saved.stage) == ("Ada Lovelace", "contacted")
    assert sorted(a.name for a in saved.accounts) == ["Acme", "Initech"]
    assert sorted(a.name for a in service.accounts()) == ["Acme", "Initech"]  # made by the save
    assert [(h.from_stage, h.to_stage) for h in saved.stage_history][-1] == (
        "new_lead",
        "contacted",
    )
    assert {"full_name", "accounts"} <= {a.field for a in saved.audit}


def test_a_template_change_with_its_step(service, backend):
    contact = service.create_contact("Ada")
    saved = service.save_contact(
        contact.id, contact.version, {}, template="partner", stage="intro_meeting"
    )
    assert (saved.template, saved.stage) == ("partner", "intro_meeting")


def test_a_refused_step_saves_nothing_not_even_the_fields_or_a_new_account(service, backend):
    contact = service.create_contact("Ada")
    with pytest.raises(ValidationError):
        service.save_contact(
            contact.id,
            contact.version,
            {"full_name": "Ada Lovelace", "accounts": ("Initech",)},
            stage="no_such_step",
        )
    current = service.get_contact(contact.id)
    assert (current.full_name, current.version, current.accounts) == ("", contact.version, ())
    assert service.accounts() == ()


def test_someone_elses_save_in_between_is_a_conflict(service, backend):
    contact = service.create_contact("Ada")
    service.update_contact(contact.id, contact.version, full_name="Theirs")
    with pytest.raises(ConflictError):
        service.save_contact(contact.id, contact.version, {}, stage="contacted")
    assert service.get_contact(contact.id).stage == "new_lead"


def test_a_new_account_someone_made_meanwhile_is_used_not_doubled(service, backend):
    contact = service.create_contact("Ada")
    service.create_account("Initech")
    saved = service.save_contact(contact.id, contact.version, {"accounts": ("Initech",)})
    assert [a.name for a in saved.accounts] == ["Initech"]
    assert len(service.accounts()) == 1
