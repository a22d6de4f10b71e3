"""The counts the database keeps by trigger stay equal to a count of the rows, whoever writes.

Each test writes the way one part of the app does (the services, import, the demo, the
Control Center's step removal, a raw delete) and then compares every summary table with
the rows (`summaries.mismatches`), and the dashboard read from the summary with the one
a scan of the contacts gives.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from report_history import SPAN, build_history

from contacts_tui.check import check_summaries
from contacts_tui.demo import add_demo_contacts
from contacts_tui.services import ContactFilter
from contacts_tui.services import lifecycle_admin as admin
from contacts_tui.services.imports import import_contacts
from contacts_tui.services.reports import ReportService
from contacts_tui.store import listing, summaries
from contacts_tui.store.database import with_connection
from contacts_tui.store.models import Contact, StageChange, database


@with_connection
def mismatches() -> list[str]:
    return summaries.mismatches()


@with_connection
def scanned(service, contact_filter: ContactFilter) -> list[tuple]:
    """The dashboard's per-stage counts the old way: a scan of the contacts."""
    return sorted(listing.stage_counts(service.view_condition(contact_filter)))


@with_connection
def tallied(service, contact_filter: ContactFilter) -> list[tuple]:
    steps = service.category_steps(contact_filter.category)
    return sorted(listing.tallied_stage_counts(contact_filter, steps))


FILTERS = [
    ContactFilter(),
    ContactFilter(archived=True),
    ContactFilter(status="Closed"),
    ContactFilter(category="lead_generation"),
    ContactFilter(category="lead_generation", stage="contacted"),
    ContactFilter(category="conversion", stage="contacted"),
    ContactFilter(segmentation="SMB", status="Open"),
    ContactFilter(reason_code=""),
]


@pytest.fixture(autouse=True)
def counted_groups(service) -> None:
    """The funnel's groups of every lifecycle, counted before anything is written: from
    then on the triggers alone keep them (the tests' writes come after)."""
    groups = []
    for template in service.config.templates:
        groups += [[s.key] for s in template.steps()]
        groups += [[s.key for s in c.steps] for c in template.categories]
        for outcome in ("won", "lost"):
            groups.append([s.key for s in template.steps() if s.is_closed and s.outcome == outcome])
    with_connection(summaries.fill_groups)([g for g in groups if g])
    assert with_connection(summaries.missing_groups)(groups) == []


SEARCHES = ["a", "ad", "ad b", "acme", "ada", "zz"]


@with_connection
def searched(service, contact_filter: ContactFilter) -> list[tuple] | None:
    steps = service.category_steps(contact_filter.category)
    counts = listing.searched_stage_counts(contact_filter, steps)
    return None if counts is None else sorted(counts)


def assert_true_counts(service) -> None:
    assert mismatches() == []
    assert not with_connection(summaries.reach_mismatches)()
    for contact_filter in FILTERS:
        assert listing.is_tallied(contact_filter)
        assert tallied(service, contact_filter) == scanned(service, contact_filter), contact_filter
        for term in SEARCHES:
            with_search = replace(contact_filter, search=term)
            counts = searched(service, with_search)
            if counts is not None:  # PostgreSQL's long terms read the contacts themselves
                assert counts == scanned(service, with_search), with_search


def test_every_service_write_keeps_the_counts_true(service, backend):
    ids = build_history(service)  # creates, edits, accounts, raw history rewrites
    assert_true_counts(service)
    ada = service.get_contact(ids["Ada"])
    service.set_stage(ada.id, "closed_won", ada.version)
    service.records.add_email(ids["Bob"], "bob@example.com", primary=True)
    service.records.add_phone(ids["Bob"], "+44 20 7946 0958", primary=True)
    eve = service.get_contact(ids["Eve"])
    service.update_contact(eve.id, eve.version, segmentation="Partner", reason_code="Referral")
    assert_true_counts(service)
    service.archive(ids["Ada"])
    service.archive(ids["Dee"], archived=False)
    assert_true_counts(service)
    service.create_contact("Gil")
    assert_true_counts(service)


def test_the_dashboard_reads_the_summary_and_agrees_with_a_search(service, backend):
    build_history(service)
    dashboard = service.dashboard(ContactFilter())
    assert (dashboard.total, dashboard.closed, dashboard.missing_primary) == (5, 2, 5)
    # A search is counted from contact_counted for the ids the search index gives.
    assert not listing.is_tallied(ContactFilter(search="ada"))
    assert service.dashboard(ContactFilter(search="ada")).total == 1
    assert service.dashboard(ContactFilter(search="b", status="Closed")).total == 1  # Bob


def test_history_edited_or_deleted_and_contacts_deleted(service, backend):
    ids = build_history(service)

    @with_connection
    def raw_writes() -> None:
        with database.atomic():
            StageChange.update(to_stage="qualified").where(
                StageChange.contact == ids["Bob"], StageChange.to_stage == "proposal_sent"
            ).execute()
            StageChange.delete().where(StageChange.contact == ids["Cy"]).execute()
            # Several changes of one contact in one statement, not in time order: each
            # is counted against those before it in time, whatever the row order.
            fay = {"contact": ids["Fay"], "by": "carl"}
            StageChange.insert_many(
                [
                    {**fay, "to_stage": "qualified", "at": datetime(2026, 2, 3)},
                    {**fay, "to_stage": "interested", "at": datetime(2026, 1, 9)},
                    {**fay, "to_stage": "contacted", "at": datetime(2026, 1, 2)},
                    {**fay, "to_stage": "interested", "at": datetime(2026, 1, 9)},
                ]
            ).execute()
            # An archived contact and an open one, with their history (cascade).
            Contact.delete().where(Contact.id.in_([ids["Dee"], ids["Eve"]])).execute()

    raw_writes()
    assert_true_counts(service)


def test_import_demo_and_step_removal_keep_the_counts_true(service, backend, tmp_path):
    source = tmp_path / "people.csv"
    source.write_text("Name,E-mail\nIna,ina@example.com\nJon,\n", encoding="utf-8")
    import_contacts(service, source)
    add_demo_contacts(service.config, 60, service.user, seed=3)
    assert_true_counts(service)
    moved = admin.move_contacts(
        service, service.config, [admin.StepMove("standard", "new_lead", "standard", "contacted")]
    )
    assert moved > 0
    assert_true_counts(service)


def test_check_finds_a_wrong_count_and_repair_counts_again(service, backend):
    build_history(service)

    @with_connection
    def tamper() -> None:
        database.execute_sql("UPDATE stage_day SET changes = changes + 3")
        database.execute_sql("DELETE FROM contact_tally")
        database.execute_sql("UPDATE contact_counted SET stage = 'x' WHERE missing = 1")
        database.execute_sql("UPDATE stage_reach SET contacts = contacts + 1 WHERE dim = 'user'")

    tamper()
    # SQLite: each contact's letter follows contact_counted (so is wrong with it).
    wrong = "contact_tally, contact_counted, stage_day, " + (
        "contact_key, stage_reach" if backend == "sqlite" else "stage_reach"
    )
    problems = with_connection(check_summaries)()
    assert len(problems) == 1
    assert wrong in problems[0]
    assert "check --repair" in problems[0]
    repaired: list[str] = []
    assert with_connection(check_summaries)(repair=True, repaired=repaired) == []
    assert repaired == [f"counted the summaries again ({wrong})"]
    assert_true_counts(service)


def test_movement_from_the_summary_equals_movement_from_the_history(service, backend):
    build_history(service)
    reports = ReportService(service)
    # The default view reads the per-day summaries; a filter matching every contact that
    # is not archived reads the history: the same weeks either way.
    from_summary = reports.movement(SPAN)
    everyone = ContactFilter(scoring_min=None, search=" ")
    assert everyone != ContactFilter()
    from_history = reports.movement(SPAN, everyone)
    assert from_summary.weeks == from_history.weeks
    assert sum(w.changes for w in from_summary.weeks) > 0


@pytest.mark.parametrize("archived", [True, False])
def test_archiving_moves_the_whole_history(service, backend, archived):
    ids = build_history(service)
    contact_id = ids["Dee"] if not archived else ids["Ada"]
    service.archive(contact_id, archived)
    assert mismatches() == []


@pytest.mark.parametrize("search", ["", "a", "acme", "ada b"])
def test_board_counts_from_the_summaries_equal_a_scan(service, backend, search):
    from contacts_tui.services.board import BoardService
    from contacts_tui.store import reports as queries

    build_history(service)
    board = BoardService(service)
    template = service.config.default
    view = ContactFilter(search=search)
    scan = with_connection(queries.step_counts)(service.view_condition(view), template.key)
    assert board.counts(template, view) == scan
    assert sum(scan.values()) > 0 or search == "ada b"


@pytest.mark.parametrize("merge_rows", [1, summaries.MERGE_ROWS])
def test_a_fill_in_several_batches_stages_its_counts_and_adds_them_once(
    service, backend, monkeypatch, merge_rows
):
    """A first fill appends each batch's counts to stage_reach_fill and adds them into
    stage_reach with its last batch (or whenever enough are staged); a change written
    between batches is counted by the triggers for the contacts already done."""
    monkeypatch.setattr(summaries, "MERGE_ROWS", merge_rows)
    ids = build_history(service)
    reports = ReportService(service)
    expected = reports.funnel(SPAN)
    groups = [[s.key for s in c.steps] for c in service.config.default.categories]

    @with_connection
    def forget_groups() -> None:
        for table in ("stage_reach", "report_group"):
            database.execute_sql(f"DELETE FROM {table} WHERE grp LIKE {database.param}", ("%,%",))

    forget_groups()
    batches = []
    counted = summaries._counted_reach

    def one_batch(lowest, highest, upto, contacts):
        batches.append((lowest, highest))
        if len(batches) == 2:  # the first batch's contacts are done: triggers count them
            ada = service.get_contact(ids["Ada"])
            service.set_stage(ada.id, "contacted", ada.version)
        return counted(lowest, highest, upto, contacts)

    summaries._counted_reach = one_batch
    try:
        with_connection(summaries.fill_groups)(groups, batch=ids["Ada"])
    finally:
        summaries._counted_reach = counted
    assert len(batches) >= 2
    assert not with_connection(summaries.reach_mismatches)()
    staged = with_connection(
        lambda: database.execute_sql("SELECT COUNT(*) FROM stage_reach_fill").fetchone()[0]
    )()
    assert staged == 0
    assert reports.funnel(SPAN).categories == expected.categories


def test_a_batch_counted_before_the_lock_is_counted_again_after_another_commit(service):
    """SQLite counts a batch without the write lock and keeps it only if no other
    connection committed meanwhile: a change committed by another connection right
    after the counting is in the counts all the same."""
    import sqlite3

    ids = build_history(service)
    groups = [[s.key for s in c.steps] for c in service.config.default.categories]

    @with_connection
    def forget_groups_and_path() -> str:
        for table in ("stage_reach", "report_group"):
            database.execute_sql(f"DELETE FROM {table} WHERE grp LIKE ?", ("%,%",))
        return database.obj.database

    path = forget_groups_and_path()
    counted = summaries._counted_reach
    calls = []

    def then_another_commits(lowest, highest, upto, contacts="contact"):
        counts = counted(lowest, highest, upto, contacts)
        if not calls:
            other = sqlite3.connect(path)
            other.execute(
                'INSERT INTO stage_change (contact_id, from_stage, to_stage, at, "by") '
                "VALUES (?, 'qualified', 'contacted', '2026-03-20 10:00:00', 'dan')",
                (ids["Ada"],),
            )
            other.commit()
            other.close()
        calls.append((lowest, highest))
        return counts

    summaries._counted_reach = then_another_commits
    try:
        with_connection(summaries.fill_groups)(groups)
    finally:
        summaries._counted_reach = counted
    assert len(calls) >= 2  # counted again, under the lock
    assert not with_connection(summaries.reach_mismatches)()


def test_a_search_is_counted_from_each_contacts_letter(service):
    """SQLite: a search's counts come from contact_key, one letter per contact; a wrong
    letter shows in the dashboard and in `check`, and --repair sets it right."""
    build_history(service)
    view = ContactFilter(search="a")
    assert with_connection(listing._matching_letters)("a") is not None
    true = searched(service, view)
    assert true == scanned(service, view) and sum(n for _, _, n, _ in true) == 2

    @with_connection
    def every_letter_as_bobs() -> None:
        (bob,) = database.execute_sql(
            "SELECT k.letter FROM contact_key k JOIN contact c ON c.id = k.id WHERE c.name = 'Bob'"
        ).fetchone()
        database.execute_sql("UPDATE contact_key SET letter = ?", (bob,))

    every_letter_as_bobs()
    assert searched(service, view) != true
    assert mismatches() == ["contact_key"]
    assert with_connection(check_summaries)(repair=True) == []
    assert searched(service, view) == true


def test_letters_skip_the_surrogates_and_new_keys_get_new_letters(service):
    """A new combination of counted columns gets the next code; the letters go on past
    U+D7FF at U+E000 (UTF-16's surrogates are no characters), so counting still works."""
    build_history(service)

    @with_connection
    def last_code_before_the_gap() -> None:
        last = 0xD7FF - 32
        database.execute_sql(
            "INSERT INTO count_key (code, letter, archived, template, stage, status, "
            "segmentation, reason_code, missing) VALUES (?, ?, 0, 'x', 'x', 'x', 'x', 'x', 0)",
            (last, chr(0xD7FF)),
        )

    last_code_before_the_gap()
    ada = service.create_contact("Ada Newkey")
    service.update_contact(ada.id, ada.version, segmentation="Partner", reason_code="Referral")

    @with_connection
    def letter_of(contact_id: int) -> str:
        return database.execute_sql(
            "SELECT letter FROM contact_key WHERE id = ?", (contact_id,)
        ).fetchone()[0]

    assert letter_of(ada.id) >= "\ue000"
    assert mismatches() == []
    for term in ("newkey", "ad", "a"):
        view = ContactFilter(search=term)
        assert searched(service, view) == scanned(service, view), term
    assert service.dashboard(ContactFilter(search="newkey")).total == 1
