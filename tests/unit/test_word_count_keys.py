"""A short search's counts, on both databases, stay equal to a plain count of the contacts
(COUNT(*) GROUP BY stage, status) whoever writes.

SQLite counts a search by each contact's letter (contact_key, migration 0018);
PostgreSQL by the count key code each contact_word row carries (0021). Each test writes
the way one writer does (a save, import, the demo, a second process, a raw insert, the
migration itself) and compares the dashboard's counts of short searches with a scan.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from contacts_tui.check import check_summaries
from contacts_tui.demo import add_demo_contacts
from contacts_tui.services import ContactFilter
from contacts_tui.services.imports import import_contacts
from contacts_tui.store import listing, summaries
from contacts_tui.store.database import open_database, with_connection
from contacts_tui.store.models import database

SEARCHES = ["a", "jo", "j", "ad", "jo s", "b", "zz"]


@with_connection
def counts(service, contact_filter: ContactFilter) -> tuple[list[tuple], list[tuple]]:
    """(the counts the dashboard reads for this search, a scan of the contacts)."""
    steps = service.category_steps(contact_filter.category)
    searched = listing.searched_stage_counts(contact_filter, steps)
    assert searched is not None, contact_filter  # short terms: counted by key, no scan
    scanned = listing.stage_counts(service.view_condition(contact_filter))
    return sorted(searched), sorted(scanned)


def assert_search_counts_true(service) -> None:
    for term in SEARCHES:
        for view in (
            ContactFilter(search=term),
            ContactFilter(search=term, archived=True),
            ContactFilter(search=term, status="Closed"),
            ContactFilter(search=term, segmentation="Partner"),
        ):
            searched, scanned = counts(service, view)
            assert searched == scanned, view
    assert with_connection(summaries.mismatches)() == []


def jo_smith_and_friends(service) -> dict[str, int]:
    ids = {}
    for name in ("Jo Smith", "Joan Jones", "Ada Byron", "Bob Jolly", "Jim Beam"):
        ids[name] = service.create_contact(name, company="Acme Joinery").id
    return ids


@with_connection
def without_the_fallback(backend: str) -> None:
    """PostgreSQL: the trigger that codes a word given without one is switched off, so
    a writer of the app that forgot the code fails here (it would be ~30 µs a word)."""
    if backend == "postgresql":
        database.execute_sql("ALTER TABLE contact_word DISABLE TRIGGER contact_word_code")


def test_saves_that_change_a_counted_field_keep_a_searchs_counts(service, backend):
    without_the_fallback(backend)
    ids = jo_smith_and_friends(service)
    assert_search_counts_true(service)
    jo = service.get_contact(ids["Jo Smith"])
    service.set_stage(jo.id, "closed_won", jo.version)  # stage and status
    joan = service.get_contact(ids["Joan Jones"])
    service.update_contact(joan.id, joan.version, segmentation="Partner", reason_code="Referral")
    service.records.add_email(ids["Bob Jolly"], "bob@example.com", primary=True)
    service.records.add_phone(
        ids["Bob Jolly"], "+44 20 7946 0958", primary=True
    )  # no longer missing
    assert_search_counts_true(service)
    service.archive(ids["Ada Byron"])
    service.archive(ids["Jo Smith"])
    assert_search_counts_true(service)
    service.archive(ids["Jo Smith"], archived=False)
    jim = service.get_contact(ids["Jim Beam"])
    service.update_contact(jim.id, jim.version, name="Joe Beam")  # new words, new key kept
    assert_search_counts_true(service)
    assert service.dashboard(ContactFilter(search="jo")).total == 4  # Jo, Joan, Bob Jolly, Joe


def test_import_and_demo_keep_a_searchs_counts(service, backend, tmp_path):
    without_the_fallback(backend)
    jo_smith_and_friends(service)
    source = tmp_path / "people.csv"
    source.write_text(
        "Name,E-mail,Stage\nJoss Ackland,joss@example.com,qualified\nJo Brand,,closed_lost\n",
        encoding="utf-8",
    )
    import_contacts(service, source)
    add_demo_contacts(service.config, 80, service.user, seed=5)
    assert_search_counts_true(service)


def test_a_second_process_keeps_a_searchs_counts(service, backend, workspace, request):
    ids = jo_smith_and_friends(service)
    url = request.getfixturevalue("pg_server_url") if backend == "postgresql" else None
    script = textwrap.dedent(
        f"""
        from pathlib import Path

        from contacts_tui.services import ContactService
        from contacts_tui.workspace import open_workspace

        ws = open_workspace(Path({str(workspace.folder)!r}), db_url={url!r})
        service = ContactService(ws.config, ws.user)
        jo = service.get_contact({ids["Jo Smith"]})
        service.set_stage(jo.id, "closed_lost", jo.version)
        service.archive({ids["Joan Jones"]})
        new = service.create_contact("Jody Other")
        service.update_contact(new.id, new.version, segmentation="Partner")
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert_search_counts_true(service)
    assert service.dashboard(ContactFilter(search="jo", status="Closed")).total == 1


def words_without_their_key() -> int:
    """PostgreSQL: contact_word rows whose code is not their contact's count key."""
    return database.execute_sql(
        "SELECT COUNT(*) FROM contact_word w JOIN contact c ON c.id = w.contact_id "
        "JOIN count_key k ON k.code = w.code WHERE (k.archived, k.template, k.stage, "
        "k.status, k.segmentation, k.reason_code, k.missing) IS DISTINCT FROM (c.archived, "
        "c.template, c.stage, c.status, c.segmentation, c.reason_code, "
        "CASE WHEN c.primary_email = '' OR c.primary_phone = '' THEN 1 ELSE 0 END)"
    ).fetchone()[0]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_word_written_without_its_key_gets_its_contacts(service, backend):
    """A writer that leaves the code out (an older session's save, a hand-made row) gets
    it from the contact; a word of no contact is refused, not counted nowhere."""
    ids = jo_smith_and_friends(service)
    bob = ids["Bob Jolly"]

    @with_connection
    def raw_words() -> None:
        database.execute_sql(
            "INSERT INTO contact_word (prefix, contact_id) VALUES ('zz', %s)", (bob,)
        )
        assert words_without_their_key() == 0
        with pytest.raises(Exception, match="code"), database.atomic():
            database.execute_sql(
                "INSERT INTO contact_word (prefix, contact_id) VALUES ('zz', %s)", (bob + 1000,)
            )

    raw_words()
    assert service.dashboard(ContactFilter(search="zz")).total == 1
    assert_search_counts_true(service)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_check_finds_a_word_with_a_wrong_key_and_repair_sets_it(service, backend):
    ids = jo_smith_and_friends(service)
    view = ContactFilter(search="jo")
    true = counts(service, view)[1]

    @with_connection
    def tamper() -> None:
        database.execute_sql(
            "UPDATE contact_word SET code = (SELECT MAX(code) FROM count_key) + 7 "
            "WHERE contact_id = %s",
            (ids["Jo Smith"],),
        )

    tamper()
    assert counts(service, view)[0] != true
    problems = with_connection(check_summaries)()
    assert len(problems) == 1 and "contact_word" in problems[0]
    assert with_connection(check_summaries)(repair=True) == []
    assert counts(service, view)[0] == true
    assert with_connection(words_without_their_key)() == 0


@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_migration_gives_existing_words_their_keys(workspace, service, backend):
    """A database from before 0021: its words are rebuilt with their codes, read from the
    contacts, keep their change notification, and a search is counted from the index."""
    ids = jo_smith_and_friends(service)
    jo = service.get_contact(ids["Jo Smith"])
    service.set_stage(jo.id, "closed_won", jo.version)
    service.archive(ids["Ada Byron"])

    @with_connection
    def as_before_0021() -> None:
        for statement in (
            "DROP TRIGGER contact_word_recode ON contact",
            "DROP FUNCTION contact_word_recode",
            "DROP TRIGGER contact_word_code ON contact_word",
            "DROP FUNCTION contact_word_code",
            "DROP FUNCTION count_key_of",
            "DROP TABLE count_key",
            "ALTER TABLE contact_word DROP CONSTRAINT contact_word_pkey",
            "ALTER TABLE contact_word DROP COLUMN code",
            "ALTER TABLE contact_word ADD PRIMARY KEY (prefix, contact_id)",
            "DELETE FROM schema_migration WHERE name = '0021_word_count_keys'",
            # A wrong contact_counted (`check` would say so) must not give wrong codes.
            "UPDATE contact_counted SET stage = 'x'",
        ):
            database.execute_sql(statement)

    as_before_0021()
    announced: list[list[str]] = []
    open_database(workspace.database, announced.append)
    assert announced == [["0021_word_count_keys"]]

    @with_connection
    def schema() -> tuple[list[str], str]:
        triggers = [
            name
            for (name,) in database.execute_sql(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'contact_word'::regclass "
                "AND NOT tgisinternal ORDER BY tgname"
            )
        ]
        (key,) = database.execute_sql(
            "SELECT pg_get_indexdef('contact_word_pkey'::regclass)"
        ).fetchone()
        assert words_without_their_key() == 0
        return triggers, key

    triggers, key = schema()
    assert triggers == ["contact_word_code", "contacts_tui_notify"]
    assert key.endswith("(prefix, contact_id) INCLUDE (code)")
    assert with_connection(check_summaries)(repair=True) == []  # contact_counted
    assert_search_counts_true(service)
    bob = service.get_contact(ids["Bob Jolly"])
    service.set_stage(bob.id, "closed_lost", bob.version)  # the triggers are back
    assert_search_counts_true(service)
