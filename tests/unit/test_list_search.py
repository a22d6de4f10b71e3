"""listing.search_page (the list's faster plans for a search) gives exactly `page`'s rows."""

from __future__ import annotations

import pytest

from contacts_tui.demo import add_demo_contacts
from contacts_tui.services import ContactFilter, ContactService
from contacts_tui.store import listing
from contacts_tui.store.database import with_connection

TERMS = [
    "mar",  # common: the scan-ahead plan answers
    "jo",  # a name prefix, and e-mails of other names (the merged plan)
    "m",
    "zz",  # nothing
    "44",  # phone digits
    "7",
    "4477",
    "jose",  # accents folded: José
    "maría müller",
    "ma ri",
    "x_y",  # LIKE wildcards are plain characters
    "50%",
    "jo.bz",
]


@pytest.fixture
def contacts(workspace, service) -> ContactService:
    add_demo_contacts(workspace.config, 3000, workspace.user, seed=5)
    # E-mails that do not follow the name: only the e-mail branch can find them.
    for name, email in (("Bob Zed", "jo.bz@example.com"), ("Ann Other", "mark@example.org")):
        created = service.create_contact(name)
        service.add_email(created.id, email, "Business", primary=True)
    archived = service.create_contact("Joanna Archived")
    service.archive(archived.id)
    return service


@with_connection
def both(contact_filter, sort, descending, after, limit, backwards):
    condition = listing.filter_condition(contact_filter)
    expected = listing.page(condition, sort, descending, after, limit, backwards)
    found = listing.search_page(contact_filter, (), sort, descending, after, limit, backwards)
    return expected, found


def walk(contact_filter, sort, descending, backwards, limit=37):
    """Every page of the view, both ways, with each plan; they must be the same pages."""
    after = None
    pages = 0
    while True:
        expected, found = both(contact_filter, sort, descending, after, limit, backwards)
        assert found == expected, (contact_filter.search, sort, descending, backwards, pages)
        pages += 1
        if len(expected) < limit or pages > 6:
            return
        edge = expected[0] if backwards else expected[-1]
        after = (edge[15], edge[14], edge[0])


@pytest.mark.parametrize("term", TERMS)
def test_search_pages_are_the_same_whatever_the_plan(contacts, term):
    for sort in ("name", "company", "email", "scoring"):
        for descending in (False, True):
            for backwards in (False, True):
                walk(ContactFilter(search=term), sort, descending, backwards)
    walk(ContactFilter(search=term, archived=True), "name", False, False)


def test_with_another_filter_the_index_plan_answers(contacts):
    walk(ContactFilter(search="mar", status="Open"), "name", False, False)
    walk(ContactFilter(search="jo", status="Closed"), "name", True, True)


def test_the_e_mail_branch_finds_contacts_by_e_mail_alone(contacts):
    names = [r.name for r in contacts.list_page(ContactFilter(search="jo"), limit=5000).rows]
    assert "Bob Zed" in names
    assert "Joanna Archived" not in names


def test_position_is_the_row_number_of_a_sort_key(workspace, service, backend):
    add_demo_contacts(workspace.config, 300, workspace.user, seed=9)
    for sort, descending in (("name", False), ("company", True), ("scoring", False)):
        rows = service.list_page(ContactFilter(), sort, descending, limit=1000).rows
        for n in (0, 1, 150, len(rows) - 1):
            assert service.position(ContactFilter(), sort, descending, rows[n].sort_key) == n
