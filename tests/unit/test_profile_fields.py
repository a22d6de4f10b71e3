"""The contact's profile fields: job title, department, website, birthday, nickname, notes."""

from __future__ import annotations

import dataclasses

import pytest

from contacts_tui.services import ContactFilter, ContactService
from contacts_tui.validation import (
    ValidationError,
    clean_notes,
    normalize_birthday,
    normalize_website,
)


def test_profile_fields_are_saved_audited_and_read_back(service, backend):
    contact = service.create_contact("Ada")
    updated = service.update_contact(
        contact.id,
        contact.version,
        job_title=" Chief Analyst ",
        department="Engines",
        website="example.org/ada",
        birthday="18151210",
        nickname="Countess",
        notes="Met at the Royal Society.\r\nLikes poetry.",
    )
    assert (updated.job_title, updated.department, updated.nickname) == (
        "Chief Analyst",
        "Engines",
        "Countess",
    )
    assert updated.website == "https://example.org/ada"
    assert updated.birthday == "1815-12-10"
    assert updated.notes == "Met at the Royal Society.\nLikes poetry."
    changed = {(a.field, a.old_value, a.new_value) for a in updated.audit}
    assert ("job_title", "", "Chief Analyst") in changed
    assert ("birthday", "", "1815-12-10") in changed
    assert service.get_contact(contact.id) == updated


def test_nickname_job_title_and_department_are_searched(service, backend):
    contact = service.create_contact("Robert Smith")
    service.update_contact(
        contact.id, contact.version, nickname="Bobby", job_title="Treasurer", department="Finance"
    )
    for text in ("bobby", "treasurer", "finance"):
        assert service.count(ContactFilter(search=text)) == 1, text
    assert service.count(ContactFilter(search="poetry")) == 0


def test_a_birthday_typed_with_slashes_is_read_by_the_workspace_country(service):
    us = ContactService(
        dataclasses.replace(service.config, default_phone_region="US"), service.user
    )
    contact = us.create_contact("Ada")
    saved = us.update_contact(contact.id, contact.version, birthday="4/12/1985")
    assert saved.birthday == "1985-04-12"
    saved = service.update_contact(contact.id, saved.version, birthday="4/12/1985")
    assert saved.birthday == "1985-12-04"  # the fixture's workspace is in GB


def test_a_bad_profile_value_saves_nothing(service):
    contact = service.create_contact("Ada")
    with pytest.raises(ValidationError, match="not a date"):
        service.update_contact(contact.id, contact.version, job_title="CEO", birthday="31/02")
    assert service.get_contact(contact.id).job_title == ""


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1985-04-12", "1985-04-12"),
        ("19850412", "1985-04-12"),  # vCard 3.0 basic form
        ("--0412", "--04-12"),  # vCard 4.0, no year
        ("--02-29", "--02-29"),
        ("1985-04-12T00:00:00Z", "1985-04-12"),  # Outlook writes a time
        ("", ""),
    ],
)
def test_birthday_forms(typed, stored):
    assert normalize_birthday(typed) == stored


@pytest.mark.parametrize(
    ("typed", "region", "stored"),
    [
        ("4/12/1985", "US", "1985-04-12"),  # Outlook's export on a US Windows
        ("4/12/1985", "GB", "1985-12-04"),  # …and on a British one
        ("4/12/1985", "", "1985-12-04"),
        ("13/4/1985", "US", "1985-04-13"),  # a part above 12 is the day, anywhere
        ("4/13/1985", "GB", "1985-04-13"),
        ("12.04.1985", "US", "1985-04-12"),  # dots and dashes: day first
        ("12-04-1985", "US", "1985-04-12"),
    ],
)
def test_birthday_written_with_slashes_is_read_by_the_workspace_country(typed, region, stored):
    assert normalize_birthday(typed, region) == stored


@pytest.mark.parametrize(
    "typed", ["1985-02-30", "31/02/1985", "13/13/1985", "4/12/85", "4/12-1985", "yesterday"]
)
def test_birthday_refused(typed):
    with pytest.raises(ValidationError):
        normalize_birthday(typed)


def test_website_and_notes():
    assert normalize_website("http://a.example") == "http://a.example"
    assert normalize_website("www.example.com") == "https://www.example.com"
    with pytest.raises(ValidationError):
        normalize_website("not a site")
    assert clean_notes("a\tb\r\nc") == "a    b\nc"
    with pytest.raises(ValidationError):
        clean_notes("evil\x1b[2J")
