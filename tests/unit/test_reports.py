"""Sales reports against figures worked out by hand on a small fixed stage history.

The history (standard template unless said; the period is 2026-01-01 to 2026-03-31):
  Ada  (Enterprise, Acme, accounts North + South): new_lead 12-20 (before the period),
       contacted 01-05, interested 01-15, back to contacted 01-20, interested 02-01,
       qualified 02-11.
  Bob  (SMB, Tenant-Wide): new_lead 01-10, skips to proposal_sent 01-12, closed_won 02-16.
  Cy   (Enterprise, Acme): new_lead 01-03, contacted 01-08, then the partner template's
       referred 02-02.
  Dee  (archived): new_lead 01-04, contacted 01-06, closed_lost 01-30.
  Eve  (SMB): new_lead 02-20, closed_lost 03-02 (by bob; every other change by alice).
  Fay: new_lead 2025-06-01, contacted 2025-07-01, there since.
"""

from __future__ import annotations

from datetime import date

import pytest
from report_history import NOW, SPAN, build_history

from contacts_tui.services import ContactFilter
from contacts_tui.services.reports import ReportService, period
from contacts_tui.validation import ValidationError


@pytest.fixture
def reports(service) -> ReportService:
    build_history(service)
    return ReportService(service)


def test_funnel_counts_each_contact_once_per_step_and_leaves_archived_out(reports, backend):
    funnel = reports.funnel(SPAN)
    reached = {s.key: s.reached for s in funnel.steps}
    assert reached == {
        "new_lead": 3,  # Bob, Cy, Eve (Ada's was before the period)
        "contacted": 2,  # Ada twice counts once, Cy
        "interested": 1,
        "qualified": 1,
        "proposal_sent": 1,  # Bob skipped the steps between
        "proposal_follow_up": 0,
        "negotiation_started": 0,
        "contract_drafted": 0,
        "client_onboarded": 0,
        "closed_won": 1,
        "closed_lost": 1,  # Eve; Dee is archived
    }
    conversion = {s.key: s.conversion for s in funnel.steps}
    assert conversion["new_lead"] == pytest.approx(0.6667)
    assert conversion["contacted"] == 0.5
    assert conversion["interested"] == 1.0
    assert conversion["proposal_sent"] == 0.0
    assert conversion["proposal_follow_up"] is None  # nobody reached it
    assert conversion["closed_won"] is None  # closed steps convert to nothing
    categories = [(c.key, c.reached, c.conversion) for c in funnel.categories]
    assert categories == [
        ("lead_generation", 4, 0.25),
        ("lead_qualification", 1, 1.0),
        ("proposal_stage", 1, 0.0),
        ("negotiation", 0, None),
        ("conversion", 2, None),
    ]
    assert (funnel.won, funnel.lost, funnel.win_rate) == (1, 1, 0.5)


def test_funnel_of_the_archived_view_and_of_another_template(reports, backend):
    archived = reports.funnel(SPAN, ContactFilter(archived=True))
    assert {s.key: s.reached for s in archived.steps if s.reached} == {
        "new_lead": 1,
        "contacted": 1,
        "closed_lost": 1,
    }
    assert (archived.won, archived.lost, archived.win_rate) == (0, 1, 0.0)
    partner = reports.funnel(SPAN, template="partner")
    assert {s.key: s.reached for s in partner.steps if s.reached} == {"referred": 1}
    smb = reports.funnel(SPAN, ContactFilter(segmentation="SMB"))
    assert (smb.steps[0].reached, smb.won, smb.lost) == (2, 1, 1)


def test_time_in_stage_from_stays_that_ended_in_the_period(reports, backend):
    report = reports.time_in_stage(SPAN, now=NOW)
    figures = {s.key: (s.stays, s.median_days, s.p90_days) for s in report.steps if s.stays}
    assert figures == {
        "new_lead": (4, 7.5, 14.2),  # 16 (Ada), 2 (Bob), 5 (Cy), 10 (Eve)
        "contacted": (3, 12.0, 22.4),  # 10 and 12 (Ada, moved back between), 25 (Cy)
        "interested": (2, 7.5, 9.5),  # 5, 10
        "proposal_sent": (1, 35.0, 35.0),
    }
    # Fay has been in Contacted since 2025-07-01, beyond its 90th percentile; Cy changed
    # template, Bob and Eve are closed, Ada's step has no figures.
    assert [(s.name, s.step, s.days, s.p90_days) for s in report.stuck] == [
        ("Fay", "Contacted", 274.0, 22.4)
    ]


def test_movement_per_week(reports, backend):
    weeks = reports.movement(SPAN).weeks
    assert weeks[0].monday == date(2025, 12, 29)
    assert weeks[-1].monday == date(2026, 3, 30)
    assert len(weeks) == 14
    by_week = {w.monday.isoformat(): (w.changes, w.new_contacts, w.won, w.lost) for w in weeks}
    assert {k: v for k, v in by_week.items() if v != (0, 0, 0, 0)} == {
        "2025-12-29": (1, 1, 0, 0),
        "2026-01-05": (3, 1, 0, 0),
        "2026-01-12": (2, 0, 0, 0),
        "2026-01-19": (1, 0, 0, 0),
        "2026-01-26": (1, 0, 0, 0),
        "2026-02-02": (1, 0, 0, 0),
        "2026-02-09": (1, 0, 0, 0),
        "2026-02-16": (2, 1, 1, 0),
        "2026-03-02": (1, 0, 0, 1),
    }


def _rows(breakdown):
    return {r.value: (r.reached, r.won, r.lost, r.win_rate) for r in breakdown.rows}


def test_breakdowns(reports, backend):
    assert _rows(reports.breakdown(SPAN, "segmentation")) == {
        "Enterprise": ((2, 1, 0, 0, 0), 0, 0, None),
        "SMB": ((2, 0, 1, 0, 2), 1, 1, 0.5),
    }
    assert _rows(reports.breakdown(SPAN, "user")) == {
        "alice": ((4, 1, 1, 0, 1), 1, 0, 1.0),
        "bob": ((0, 0, 0, 0, 1), 0, 1, 0.0),
    }
    assert _rows(reports.breakdown(SPAN, "account")) == {
        "North": ((1, 1, 0, 0, 0), 0, 0, None),
        "South": ((1, 1, 0, 0, 0), 0, 0, None),
        "": ((3, 0, 1, 0, 2), 1, 1, 0.5),
    }
    assert _rows(reports.breakdown(SPAN, "company")) == {
        "Acme": ((2, 1, 0, 0, 0), 0, 0, None),
        "": ((2, 0, 1, 0, 2), 1, 1, 0.5),
    }
    assert _rows(reports.breakdown(SPAN, "reason_code")) == {
        "": ((4, 1, 1, 0, 2), 1, 1, 0.5),
    }


def test_periods():
    today = date(2026, 5, 14)
    assert (period("month", today).start, period("month", today).end) == (
        date(2026, 5, 1),
        date(2026, 5, 31),
    )
    quarter = period("quarter", today)
    assert (quarter.start, quarter.end) == (date(2026, 4, 1), date(2026, 6, 30))
    year = period("12months", today)
    assert (year.start, year.end) == (date(2025, 5, 15), date(2026, 5, 14))
    with pytest.raises(ValidationError, match="before it starts"):
        period("custom", start=date(2026, 2, 1), end=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="Unknown period"):
        period("week", today)


def test_a_report_sees_a_stage_change_at_once(service, backend):
    reports = ReportService(service)
    span = period("month")
    contact = service.create_contact("Zed")
    assert reports.funnel(span).steps[1].reached == 0
    service.set_stage(contact.id, "contacted")
    assert reports.funnel(span).steps[1].reached == 1
