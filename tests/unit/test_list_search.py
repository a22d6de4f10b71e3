"""listing.search_page (the list's faster plans for a search) gives exactly `page`'s rows."""

from __future__ import annotations

import pytest

from contacts_tui.demo import add_demo_contacts
from contacts_tui.services import ContactFilter, ContactService
from contacts_tui.store import listing
from contacts_tui.store.database import with_connection
from contacts_tui.store.models import Contact, ContactWord, database
from contacts_tui.store.search import word_prefixes

TERMS = [
    "mar",  # common: the scan-ahead plan answers
    "jo",  # the start of names, e-mails of other names, companies
    "wa",
    "jo wa",  # two word starts
    "mar jo",  # a short term beside a trigram term: anywhere
    "m",
    "zz",  # nothing
    "44",  # phone digits
    "7",
    "+4",  # the digits of the number
    "@",  # no letter or digit: finds nothing
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
        service.records.add_email(created.id, email, "Business", primary=True)
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


# The word-start plans, made to answer at these sizes: (FEW_MATCHES, MANY_MATCHES,
# WORD_SCAN) for sorting every match; reading the list in order against the matches
# listed first; against the word index; and each giving up to the next after a few rows.
PLAN_SIZES = {
    "sorted": (10**9, 10**9, (12000, 100000)),
    "listed": (1, 10**9, (12000, 100000)),
    "looked up": (1, 1, (12000, 100000)),
    "gives up": (1, 1, (40, 150)),
}


@pytest.fixture(params=PLAN_SIZES)
def plan(request, monkeypatch) -> str:
    few, many, scan = PLAN_SIZES[request.param]
    monkeypatch.setattr(listing, "FEW_MATCHES", few)
    monkeypatch.setattr(listing, "MANY_MATCHES", many)
    monkeypatch.setattr(listing, "WORD_SCAN", scan)
    return request.param


@pytest.mark.parametrize("term", TERMS)
def test_search_pages_are_the_same_whatever_the_plan(contacts, term):
    for sort in ("name", "company", "email", "scoring"):
        for descending in (False, True):
            for backwards in (False, True):
                walk(ContactFilter(search=term), sort, descending, backwards)
    walk(ContactFilter(search=term, archived=True), "name", False, False)


@pytest.mark.parametrize("term", ["jo", "wa", "jo wa", "m", "zz", "+4"])
def test_word_start_pages_are_the_same_whatever_the_plan(contacts, term, plan):
    for sort in ("name", "company", "scoring"):
        for descending in (False, True):
            for backwards in (False, True):
                walk(ContactFilter(search=term), sort, descending, backwards)
    walk(ContactFilter(search=term, archived=True), "name", False, False)
    walk(ContactFilter(search=term, status="Closed"), "email", True, False)


def test_with_another_filter_the_index_plan_answers(contacts):
    walk(ContactFilter(search="mar", status="Open"), "name", False, False)
    walk(ContactFilter(search="jo", status="Closed"), "name", True, True)


def test_a_short_term_finds_contacts_by_e_mail_alone(contacts):
    names = [r.name for r in contacts.list_page(ContactFilter(search="jo"), limit=5000).rows]
    assert "Bob Zed" in names
    assert "Joanna Archived" not in names


@pytest.mark.parametrize("sort", ["name", "company", "phone", "updated"])
def test_search_pages_on_both_databases(workspace, service, backend, plan, sort):
    """Every page forwards and backwards is ORDER BY's, whichever plan answers."""
    add_demo_contacts(workspace.config, 400, workspace.user, seed=3)
    for term in ("jo", "a", "wa 4", "ma", "mar jo"):
        for descending in (False, True):
            for backwards in (False, True):
                walk(ContactFilter(search=term), sort, descending, backwards, limit=23)


def test_position_is_the_row_number_of_a_sort_key(workspace, service, backend):
    add_demo_contacts(workspace.config, 300, workspace.user, seed=9)
    for sort, descending in (("name", False), ("company", True), ("scoring", False)):
        rows = service.list_page(ContactFilter(), sort, descending, limit=1000).rows
        for n in (0, 1, 150, len(rows) - 1):
            assert service.position(ContactFilter(), sort, descending, rows[n].sort_key) == n


def names_found(service: ContactService, text: str) -> set[str]:
    return {r.name for r in service.list_page(ContactFilter(search=text), limit=500).rows}


def test_short_terms_match_the_start_of_any_word(workspace, service, backend):
    """`wa` finds Wayne companies and wade@… e-mails, never the inside of a word."""
    service.create_contact("Bruce Banner", company="Wayne Enterprises")
    wade = service.create_contact("Dee Moss")
    service.records.add_email(wade.id, "wade.moss@example.com", "Business", primary=True)
    phoned = service.create_contact("Tel Only")
    service.records.add_phone(phoned.id, "+44 20 7946 0958")
    full = service.create_contact("Kim Lee")
    service.update_contact(full.id, full.version, full_name="Kimberly Walsh Lee")
    service.create_contact("Howard Swan")  # "wa" only inside words
    service.create_contact("José Ñúñez")
    assert names_found(service, "wa") == {"Bruce Banner", "Dee Moss", "Kim Lee"}
    assert names_found(service, "WA") == names_found(service, "wa")
    assert names_found(service, "w") >= {"Bruce Banner", "Dee Moss", "Kim Lee"}
    assert names_found(service, "en") == {"Bruce Banner"}  # Enterprises
    assert names_found(service, "ex") == {"Dee Moss"}  # example.com
    assert names_found(service, "44") == {"Tel Only"}
    assert names_found(service, "+4") == {"Tel Only"}
    assert names_found(service, "nu") == {"José Ñúñez"}  # folded like the long terms
    assert names_found(service, "wa mo") == {"Dee Moss"}
    assert names_found(service, "moss wa") == {"Dee Moss"}
    assert names_found(service, "@") == set()
    assert service.count(ContactFilter(search="wa")) == 3
    assert service.dashboard(ContactFilter(search="wa")).total == 3


def test_the_word_index_follows_every_change(workspace, service, backend):
    contact = service.create_contact("Ann Smith")
    email = service.records.add_email(contact.id, "wade@example.com", "Business", primary=True)
    assert names_found(service, "wa") == {"Ann Smith"}
    service.records.update_email(email.id, "zoe@example.com", "Business", primary=True)
    assert names_found(service, "wa") == set()
    assert names_found(service, "zo") == {"Ann Smith"}
    current = service.get_contact(contact.id)
    service.update_contact(contact.id, current.version, name="Walter Smith")
    assert names_found(service, "wa") == {"Walter Smith"}
    assert names_found(service, "an") == set()
    with database.connection_context():
        Contact.delete().where(Contact.id == contact.id).execute()
        left = ContactWord.select().where(ContactWord.contact == contact.id).count()
    assert left == 0  # the delete trigger


def test_demo_and_import_write_the_word_index(workspace, service, backend, tmp_path):
    from contacts_tui.services.imports import import_contacts

    add_demo_contacts(workspace.config, 200, workspace.user, seed=4)
    source = tmp_path / "people.csv"
    source.write_text("Name,Email,Company\nQuinn Zapata,qz@walrus.example,Walrus Works\n")
    assert import_contacts(service, source).imported == 1
    assert names_found(service, "wa") >= {"Quinn Zapata"}
    with database.connection_context():
        documents = list(Contact.select(Contact.id, Contact.search_doc).tuples())
        stored = set(ContactWord.select(ContactWord.prefix, ContactWord.contact).tuples())
    assert stored == {(p, i) for i, doc in documents for p in word_prefixes(doc)}


def test_letters_without_a_base_letter_sort_and_search_folded(workspace, service, backend):
    """Ł, Ø, Æ… sort among L, O, A as É sorts among E, and `lukasz` finds Łukasz."""
    for name in ("Zoe Zed", "Łukasz Nowak", "Émile Roux", "Ørjan Berg", "Mia Hall", "Æsa Dal"):
        service.create_contact(name)
    page = service.list_page(ContactFilter(), limit=50, sort="name")
    assert [r.name for r in page.rows] == [
        "Æsa Dal",
        "Émile Roux",
        "Łukasz Nowak",
        "Mia Hall",
        "Ørjan Berg",
        "Zoe Zed",
    ]
    assert names_found(service, "lukasz") == {"Łukasz Nowak"}
    assert names_found(service, "ørj") == {"Ørjan Berg"}
    assert names_found(service, "orjan") == {"Ørjan Berg"}


def test_sorting_every_match_of_a_short_term_answers_on_both_databases(
    backend, contacts, monkeypatch
):
    # PostgreSQL sorts the matches it is given (its planner walked the sort index for a
    # prefix no contact has, 6 s at a million); none at all ("zz") is a page of none.
    # Above MANY_MATCHES (1 here) it joins the word index as SQLite does.
    monkeypatch.setattr(listing, "FEW_MATCHES", 10**9)
    monkeypatch.setattr(listing, "WORD_SCAN", (0, 0))  # reading the list gives up at once
    for many in (10**9, 1):
        monkeypatch.setattr(listing, "MANY_MATCHES", many)
        for term in ("jo", "zz", "jo wa", "+4"):
            walk(ContactFilter(search=term), "name", False, False)
            walk(ContactFilter(search=term), "company", True, True)
            walk(ContactFilter(search=term, status="Closed"), "name", False, True)
