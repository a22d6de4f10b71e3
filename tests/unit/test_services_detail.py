"""What the contact detail screen relies on from the services, on SQLite and PostgreSQL, and
the History tab's time-in-stage arithmetic."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from contacts_tui import lifecycle
from contacts_tui.panels.history_panel import describe_duration, history_rows, stage_spells
from contacts_tui.services import (
    AuditInfo,
    ConflictError,
    ContactService,
    StageChangeInfo,
)
from contacts_tui.validation import ValidationError

# ----- services ------------------------------------------------------------------------------


def test_update_checks_the_version_and_reports_what_was_saved(backend, service):
    contact = service.create_contact("Ada")
    other = ContactService(service.config, "bob")
    theirs = other.update_contact(contact.id, contact.version, name="Ada B")
    with pytest.raises(ConflictError) as conflict:
        service.update_contact(contact.id, contact.version, name="Ada C")
    assert conflict.value.current.name == "Ada B"
    assert conflict.value.current.updated_by == "bob"
    # Overwriting = saving again on the version the conflict reported.
    mine = service.update_contact(contact.id, conflict.value.current.version, name="Ada C")
    assert mine.name == "Ada C" and mine.version == theirs.version + 1


def test_nothing_is_saved_when_one_value_is_bad(backend, service):
    contact = service.create_contact("Ada")
    with pytest.raises(ValidationError, match="Scoring"):
        service.update_contact(contact.id, contact.version, full_name="Augusta", scoring=101)
    again = service.get_contact(contact.id)
    assert (again.full_name, again.version) == ("", contact.version)


def test_set_stage_writes_history_status_and_who_in_one_go(backend, service):
    contact = service.create_contact("Ada")
    closed = service.set_stage(contact.id, "closed_won", version=contact.version)
    assert (closed.stage, closed.status) == ("closed_won", "Closed")
    last = closed.stage_history[-1]
    assert (last.from_stage, last.to_stage, last.by) == ("new_lead", "closed_won", service.user)
    assert service.dashboard().closed == 1
    reopened = service.set_stage(contact.id, "qualified")
    assert reopened.status == "Open"


def test_set_stage_with_a_stale_version_is_a_conflict(backend, service):
    contact = service.create_contact("Ada")
    service.update_contact(contact.id, contact.version, full_name="Augusta")
    with pytest.raises(ConflictError):
        service.set_stage(contact.id, "contacted", version=contact.version)
    assert service.get_contact(contact.id).stage == "new_lead"


def test_template_change_needs_a_step_the_new_template_has(backend, service):
    contact = service.create_contact("Ada")
    with pytest.raises(ValidationError, match="choose the step"):
        service.update_contact(contact.id, contact.version, template="partner")
    moved = service.set_stage(contact.id, "referred", version=contact.version, template="partner")
    assert (moved.template, moved.stage) == ("partner", "referred")
    assert any(a.field == "template" and a.old_value == "standard" for a in moved.audit)


def test_a_step_missing_from_the_config_survives_other_edits(backend, service, workspace):
    contact = service.set_stage(service.create_contact("Ada").id, "contacted")
    text = workspace.config_path.read_text()
    start = text.index('[[templates.categories.steps]]\nkey = "contacted"')
    end = text.index("[[templates.categories]]", start)
    trimmed = ContactService(lifecycle.loads(text[:start] + text[end:]), "carol")
    saved = trimmed.update_contact(contact.id, contact.version, full_name="Augusta")
    assert saved.stage == "contacted"
    assert trimmed.dashboard().unknown_stage == 1


# ----- time in stage -------------------------------------------------------------------------

T0 = datetime(2026, 3, 1, 9, 0)


def change(start: str, end: str, days: float, by: str = "alice") -> StageChangeInfo:
    return StageChangeInfo(start, end, T0 + timedelta(days=days), by)


@pytest.mark.parametrize(
    ("spent", "text"),
    [
        (timedelta(seconds=30), "less than a minute"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=119), "119 minutes"),
        (timedelta(hours=2), "2 hours"),
        (timedelta(hours=47), "47 hours"),
        (timedelta(days=2), "2 days"),
        (timedelta(days=12, hours=5), "12 days"),
        (timedelta(seconds=-5), "less than a minute"),  # clocks of two servers disagree
    ],
)
def test_durations_read_naturally(spent, text):
    assert describe_duration(spent) == text


def test_each_stage_lasts_until_the_next_change_and_the_last_until_now():
    history = (
        change("", "new_lead", 0),
        change("new_lead", "qualified", 3),
        change("qualified", "proposal_sent", 5),
    )
    spells = stage_spells(history, now=T0 + timedelta(days=17))
    assert [(s.spent.days, s.ongoing) for s in spells] == [(3, False), (2, False), (12, True)]


def test_history_rows_newest_first_with_names_users_and_durations(service):
    contact = service.create_contact("Ada")
    detail = type(contact)(
        **{
            **contact.__dict__,
            "stage_history": (
                change("", "new_lead", 0),
                change("new_lead", "proposal_sent", 2, by="bob"),
                change("proposal_sent", "gone_step", 14),
            ),
            "audit": (
                AuditInfo(T0 + timedelta(days=5), "carol", "scoring", "", "80"),
                AuditInfo(T0 + timedelta(days=1), "alice", "template", "standard", "partner"),
                AuditInfo(T0, "alice", "created", "", "Ada"),
            ),
        }
    )
    rows = history_rows(detail, service.config, now=T0 + timedelta(days=20))
    assert [(r.by, r.what, r.change) for r in rows] == [
        ("alice", "Stage", "Proposal Sent → unknown: gone_step — 6 days in stage so far"),
        ("carol", "Scoring", "(blank) → 80"),
        ("bob", "Stage", "New Lead → Proposal Sent — 12 days in stage"),
        ("alice", "Lifecycle", "Standard sales → Partner and referral"),
        ("alice", "Stage", "New Lead — 2 days in stage"),
        ("alice", "Created", "Ada"),
    ]
