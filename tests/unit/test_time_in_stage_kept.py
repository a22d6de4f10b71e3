"""Time in stage from the whole days the database keeps (migration 0017) equals the history's.

The default view reads stay_day and stage_since; any other view reads the stage history.
Both count whole days (2 days and 20 hours is 2), so a filter that keeps every contact
gives the very same report, after whatever writes.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

import pytest
from report_history import NOW, SPAN, build_history

from contacts_tui.check import check_summaries
from contacts_tui.services import ContactFilter
from contacts_tui.services.reports import ReportService, _percentile
from contacts_tui.store import summaries
from contacts_tui.store.database import with_connection
from contacts_tui.store.models import Contact, StageChange, database

EVERYONE = ContactFilter(scoring_min=None, search=" ")
"""Every contact not archived, read from the history (it is not the default view)."""


@pytest.fixture
def reports(service) -> ReportService:
    return ReportService(service)


def _figures(report) -> dict:
    return {s.key: (s.stays, s.median_days, s.p90_days) for s in report.steps if s.stays}


def _both(reports: ReportService):
    kept = reports.time_in_stage(SPAN, now=NOW)
    counted = reports.time_in_stage(SPAN, EVERYONE, now=NOW)
    assert ContactFilter() != EVERYONE
    assert _figures(kept) == _figures(counted)
    assert kept.stuck == counted.stuck
    assert with_connection(summaries.mismatches)() == []
    return kept


@with_connection
def _add_changes(contact_id: int, changes: list[tuple[str, str]]) -> None:
    for at, step in changes:
        StageChange.create(
            contact=contact_id, from_stage="", to_stage=step, at=datetime.fromisoformat(at)
        )


def test_stays_count_whole_days(service, backend, reports):
    gus = service.create_contact("Gus").id
    with_connection(lambda: StageChange.delete().where(StageChange.contact == gus).execute())()
    _add_changes(
        gus,
        [
            ("2026-01-02 09:00:00", "new_lead"),
            ("2026-01-04 08:59:59.5", "contacted"),  # 1 day 23:59:59.5 after: 1
            ("2026-01-04 09:00:00", "interested"),  # half a second: 0
            ("2026-01-07 05:00:00", "qualified"),  # 2 days 20 hours: 2
            ("2026-01-08 05:00:00", "proposal_sent"),  # exactly 1 day: 1
        ],
    )
    figures = _figures(_both(reports))
    assert figures == {
        "new_lead": (1, 1.0, 1.0),
        "contacted": (1, 0.0, 0.0),
        "interested": (1, 2.0, 2.0),
        "qualified": (1, 1.0, 1.0),
    }


def test_the_kept_days_follow_every_kind_of_write(service, backend, reports):
    ids = build_history(service)
    kept = _both(reports)
    # The hand-computed figures of test_reports, from the kept days.
    assert _figures(kept)["new_lead"] == (4, 7.5, 14.2)
    assert [(s.name, s.days) for s in kept.stuck] == [("Fay", 274.0)]

    @with_connection
    def edit_history() -> None:
        with database.atomic():
            # An earlier time for one change, another step for another, one removed.
            StageChange.update(at=datetime(2026, 1, 7, 12)).where(
                StageChange.contact == ids["Ada"], StageChange.to_stage == "interested"
            ).execute()
            StageChange.update(to_stage="qualified").where(
                StageChange.contact == ids["Bob"], StageChange.to_stage == "proposal_sent"
            ).execute()
            StageChange.delete().where(
                StageChange.contact == ids["Cy"], StageChange.to_stage == "contacted"
            ).execute()

    edit_history()
    _both(reports)
    fay = service.get_contact(ids["Fay"])
    service.set_stage(fay.id, "interested", fay.version)  # no longer stuck in Contacted
    assert "Fay" not in [s.name for s in _both(reports).stuck]
    service.archive(ids["Ada"])
    service.archive(ids["Dee"], archived=False)
    _both(reports)
    # Deleted with their history (cascade): an open contact and an archived one.
    with_connection(
        lambda: Contact.delete().where(Contact.id.in_([ids["Bob"], ids["Ada"]])).execute()
    )()
    _both(reports)


def test_check_finds_wrong_kept_days_and_repair_counts_them_again(service, backend):
    build_history(service)

    @with_connection
    def tamper() -> None:
        database.execute_sql("UPDATE stay_day SET stays = stays + 2")
        database.execute_sql("DELETE FROM stage_since WHERE stage = 'contacted'")

    tamper()
    problems = with_connection(check_summaries)()
    assert len(problems) == 1 and "stay_day, stage_since" in problems[0]
    repaired: list[str] = []
    assert with_connection(check_summaries)(repair=True, repaired=repaired) == []
    assert repaired == ["counted the summaries again (stay_day, stage_since)"]
    assert with_connection(summaries.mismatches)() == []


def _percentile_of_list(values: list[int], p: int) -> float | None:
    """The percentile over the values themselves, as the report computed it before."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (rank - low), 1)


def test_percentiles_of_the_histogram_equal_those_of_the_values():
    pick = random.Random(5)
    for size in [0, 1, 2, 3, 7, 10, 11, 100, 1001]:
        values = [pick.choice([0, 0, 1, 2, 3, 5, 8, 13, 40, 400]) for _ in range(size)]
        for p in (50, 90):
            assert _percentile(Counter(values), p) == _percentile_of_list(values, p), (size, p)
