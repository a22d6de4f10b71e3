"""The funnel by company from company_reach (migration 0017) equals the history's count.

The default view reads company_reach when no change is dated after the period; a filter
that keeps every contact reads the history: the same rows either way, after any write.
"""

from __future__ import annotations

import random
from datetime import datetime

from report_history import SPAN, build_history

from contacts_tui.services import ContactFilter
from contacts_tui.services.reports import ReportService
from contacts_tui.store import summaries
from contacts_tui.store.database import with_connection
from contacts_tui.store.models import Contact, StageChange, database

EVERYONE = ContactFilter(scoring_min=None, search=" ")


def _rows(breakdown) -> dict:
    return {r.value: (r.reached, r.won, r.lost) for r in breakdown.rows}


def _same(reports: ReportService, span=SPAN) -> dict:
    kept = _rows(reports.breakdown(span, "company"))
    assert kept == _rows(reports.breakdown(span, "company", EVERYONE))
    assert not with_connection(summaries.reach_mismatches)()
    return kept


def test_company_breakdown_follows_every_kind_of_write(service, backend):
    ids = build_history(service)
    reports = ReportService(service)
    assert with_connection(summaries.company_is_exact)(SPAN.bounds[1])
    assert _same(reports) == {
        "Acme": ((2, 1, 0, 0, 0), 0, 0),
        "": ((2, 0, 1, 0, 2), 1, 1),
    }
    eve = service.get_contact(ids["Eve"])
    service.update_contact(eve.id, eve.version, company="Acme")  # her history moves along
    assert _same(reports)["Acme"] == ((3, 1, 0, 0, 1), 0, 1)

    @with_connection
    def edit_history() -> None:
        with database.atomic():
            StageChange.update(at=datetime(2025, 12, 30)).where(
                StageChange.contact == ids["Cy"], StageChange.to_stage == "new_lead"
            ).execute()
            StageChange.delete().where(
                StageChange.contact == ids["Bob"], StageChange.to_stage == "closed_won"
            ).execute()

    edit_history()
    _same(reports)
    service.archive(ids["Ada"])
    service.archive(ids["Dee"], archived=False)
    _same(reports)
    with_connection(lambda: Contact.delete().where(Contact.id == ids["Cy"]).execute())()
    _same(reports)


def test_a_change_dated_after_the_period_sends_the_report_to_the_history(service, backend):
    """Ada's last change into Lead generation in the period is followed by one after it:
    the kept sums would miss her, so the report counts from the history."""
    ids = build_history(service)
    reports = ReportService(service)
    before = _same(reports)
    with_connection(
        lambda: StageChange.create(
            contact=ids["Ada"],
            from_stage="qualified",
            to_stage="contacted",
            at=datetime(2026, 4, 5),
        )
    )()
    assert not with_connection(summaries.company_is_exact)(SPAN.bounds[1])
    assert _same(reports) == before  # Ada still reached Lead generation in the period


def test_blocks_cover_a_range_exactly():
    pick = random.Random(11)
    for _ in range(300):
        first = pick.randrange(700_000, 740_000)
        after = first + pick.choice([0, 1, 2, 3, 31, 92, 365, 366, 4000, 9000])
        days = []
        for level, bucket in summaries.blocks(first, after):
            days += range(bucket << level, (bucket + 1) << level)
        assert sorted(days) == list(range(first, after))
        assert len(summaries.blocks(first, after)) <= 2 * 12 + (after - first) // 2**11
