"""The funnel by company read from stage_reach equals a count of the history, for any period.

The company's rows are split by blocks of days and by the gap between a contact's entries
into a group (migration 0019): these tests cross every boundary of that split (periods of
one day to two years, starting on and off a block's first day, re-entries of each gap
class) and every write that moves the rows (a change written, edited or deleted, a
contact moved to another company, archived, restored, deleted).
"""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta

import pytest

from contacts_tui.check import check_summaries
from contacts_tui.demo import add_demo_contacts
from contacts_tui.store import reports as queries
from contacts_tui.store import summaries
from contacts_tui.store.database import with_connection
from contacts_tui.store.models import Contact, StageChange, database

START = datetime(2025, 1, 1)
# (company, steps each `days` after the previous): moves back make later entries into a
# group with gaps of 0, 3, 20, 60, 200 and 600 days (each class of 0019's WINDOWS).
CONTACTS = [
    ("Acme", [(0, "new_lead"), (3, "contacted"), (0, "new_lead"), (3, "contacted")]),
    ("Acme", [(10, "new_lead"), (5, "interested"), (20, "contacted"), (20, "interested")]),
    ("Acme", [(40, "new_lead"), (60, "qualified"), (60, "new_lead"), (1, "closed_won")]),
    ("Globex", [(17, "new_lead"), (200, "contacted"), (200, "new_lead"), (30, "closed_lost")]),
    ("Globex", [(100, "new_lead"), (600, "contacted"), (10, "new_lead")]),
    ("", [(5, "new_lead"), (16, "proposal_sent"), (16, "closed_won")]),
    ("", [(300, "new_lead"), (1, "contacted"), (400, "new_lead"), (2, "interested")]),
]


def group_sets(service) -> list[dict[str, list[str]]]:
    """The categories, the steps, the outcomes: a step in one group of each set (the
    history's query puts a change in one group of those it is asked for)."""
    template = service.config.default
    outcomes = {
        outcome: [s.key for s in template.steps() if s.is_closed and s.outcome == outcome]
        for outcome in ("won", "lost")
    }
    return [
        {c.key: [s.key for s in c.steps] for c in template.categories},
        {s.key: [s.key] for s in template.steps()},
        outcomes,
    ]


def groups(service) -> dict[str, list[str]]:
    return {k: v for found in group_sets(service) for k, v in found.items()}


@pytest.fixture
def history(service) -> dict[int, str]:
    """The groups counted first (the triggers alone keep them afterwards), then CONTACTS
    written a change at a time; contact id → company."""
    with_connection(summaries.fill_groups)(list(groups(service).values()))
    ids = {}
    for company, steps in CONTACTS:
        contact = service.create_contact(f"{company or 'None'} {len(ids)}", company or None)
        ids[contact.id] = company
        at = START + timedelta(hours=len(ids))
        with_connection(_write)(contact.id, steps, at)
    return ids


def _write(contact_id: int, steps: list[tuple[int, str]], at: datetime) -> None:
    with database.atomic():
        StageChange.delete().where(StageChange.contact == contact_id).execute()
        for days, step in steps:
            at += timedelta(days=days)
            StageChange.create(contact=contact_id, from_stage="", to_stage=step, at=at, by="al")


PERIODS = [
    (START + timedelta(days=offset), START + timedelta(days=offset + length))
    for offset in (0, 3, 21, 250, 700)
    for length in (1, 15, 17, 33, 130, 400, 900)
]


def assert_as_the_history(service) -> None:
    @with_connection
    def compare() -> None:
        assert not summaries.reach_mismatches()
        for wanted in group_sets(service):
            for start, end in PERIODS:
                kept = sorted(summaries.reached(wanted, start, end, "company"))
                counted = sorted(queries.reached(None, start, end, wanted, "company"))
                assert kept == counted, (start, end)

    compare()


def test_the_company_funnel_equals_the_history_for_any_period(service, backend, history):
    assert_as_the_history(service)
    # Something to compare: each company reaches the first category in the first year.
    year = with_connection(summaries.reached)(
        groups(service), START, START + timedelta(days=365), "company"
    )
    assert {company for company, group, n in year if group == "lead_generation" and n} == {
        "Acme",
        "Globex",
        "",
    }


def test_writes_move_the_company_rows(service, backend, history):
    acme = [i for i, company in history.items() if company == "Acme"]
    globex = [i for i, company in history.items() if company == "Globex"]
    contact = service.get_contact(acme[0])
    service.update_contact(contact.id, contact.version, company="Globex")  # moves its history
    contact = service.get_contact(globex[0])
    service.update_contact(contact.id, contact.version, company=None)
    service.archive(acme[1])
    assert_as_the_history(service)
    service.archive(acme[1], archived=False)
    service.set_stage(acme[2], "contacted")  # now: a later entry, no earlier one in range

    @with_connection
    def rewrite() -> None:
        with database.atomic():
            first = (
                StageChange.select()
                .where(StageChange.contact == globex[1])
                .order_by(StageChange.at)[0]
            )
            StageChange.update(at=first.at + timedelta(days=250)).where(
                StageChange.id == first.id
            ).execute()
            StageChange.delete().where(
                StageChange.contact == acme[1], StageChange.to_stage == "contacted"
            ).execute()
            Contact.delete().where(Contact.id == acme[2]).execute()

    rewrite()
    assert_as_the_history(service)


@pytest.mark.parametrize("chunk_rows", [1, summaries.CHECK_ROWS])
def test_check_finds_a_stale_company_row_and_repair_counts_it_again(
    service, backend, history, monkeypatch, chunk_rows
):
    """Also when check compares (and repair counts) a group at a time, as it does at a
    million contacts."""
    monkeypatch.setattr(summaries, "CHECK_ROWS", chunk_rows)
    assert with_connection(check_summaries)() == []

    @with_connection
    def tamper() -> None:
        database.execute_sql(
            "UPDATE stage_reach SET contacts = contacts + 1 WHERE dim = 'company:block'"
        )

    tamper()
    problems = with_connection(check_summaries)()
    assert len(problems) == 1 and "stage_reach" in problems[0]
    assert with_connection(check_summaries)(repair=True, repaired=[]) == []
    assert_as_the_history(service)


def test_the_migration_counts_an_existing_history_and_keeps_the_bulk_path(
    service, backend, history
):
    """A database of the previous release (counted groups, no company rows, no company
    trigger) is counted by 0019 once; afterwards the triggers and a bulk insert (the
    demo's, which skips the row triggers) keep it exact."""
    migration = importlib.import_module("contacts_tui.store.migrations.0019_company_reach")

    @with_connection
    def as_before() -> None:
        with database.atomic():
            database.execute_sql("DELETE FROM stage_reach WHERE substr(dim, 1, 7) = 'company'")
            on = " ON contact" if backend == "postgresql" else ""
            database.execute_sql(f"DROP TRIGGER stage_reach_company{on}")
            assert summaries.reach_mismatches()
            migration.up(None, database.obj)

    as_before()
    assert_as_the_history(service)
    add_demo_contacts(service.config, 40, service.user, seed=5)
    contact = service.get_contact(next(iter(history)))
    service.update_contact(contact.id, contact.version, company="Initech")
    assert_as_the_history(service)
