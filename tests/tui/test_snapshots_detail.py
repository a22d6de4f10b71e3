"""SVG snapshots of the contact detail screen at 80×24 and 120×40, on fixed data.

Time is frozen: every stored timestamp is rewritten to a fixed date, the History tab's
clock is fixed and its times are shown in UTC, and the users are named. The History tab is
the one shown, so the Details and Documents tabs (other widgets, other snapshots) do not
churn these. Update with `pytest --snapshot-update` after a deliberate change to the look,
and check the SVGs by eye before committing.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from textual.worker import WorkerCancelled

from contacts_tui.app import ContactsApp
from contacts_tui.panels.history_panel import HistoryPanel
from contacts_tui.screens.contact_detail import ContactDetailScreen
from contacts_tui.services import ContactService
from contacts_tui.store.models import AuditEntry, Contact, StageChange

START = datetime(2026, 3, 2, 9, 30)
NOW = datetime(2026, 3, 27, 16, 0)


@pytest.fixture
def detail_app(workspace) -> tuple[ContactsApp, int]:
    workspace.user = "alice"
    service = ContactService(workspace.config, "alice")
    bob = ContactService(workspace.config, "bob")
    accounts = [service.create_account(n).id for n in ("Babbage & Co", "Royal Society")]
    contact = service.create_contact("Ada Lovelace", "Analytical Engines Ltd")
    contact = service.update_contact(
        contact.id,
        contact.version,
        full_name="Augusta Ada King",
        scoring=87,
        segmentation="Enterprise",
        reason_code="Referral",
        accounts=accounts,
    )
    for step, user in (("contacted", service), ("qualified", bob), ("proposal_sent", bob)):
        contact = user.set_stage(contact.id, step)
    bob.update_contact(contact.id, contact.version, scoring=92)
    with workspace.database.connection_context():
        # Spread the history over fixed days, in the order it was written.
        for model in (StageChange, AuditEntry):
            for n, row in enumerate(model.select().order_by(model.id)):
                row.at = START + timedelta(days=4 * n, hours=n)
                row.save()
        Contact.update(created_at=START, updated_at=START + timedelta(days=20)).execute()
    return ContactsApp(workspace), contact.id


async def opened(pilot, contact_id: int) -> None:
    app = pilot.app
    with contextlib.suppress(WorkerCancelled):
        await app.workers.wait_for_complete()
    await app.push_screen(ContactDetailScreen(contact_id))
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ContactDetailScreen) and screen.detail is not None
    history = screen.query_one(HistoryPanel)
    history.clock = lambda: NOW
    history.timezone = UTC
    history.show(screen.detail)
    await pilot.press("3")
    await pilot.pause()


def test_detail_at_80x24(snap_compare, detail_app):
    app, contact_id = detail_app

    async def run_before(pilot) -> None:
        await opened(pilot, contact_id)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_detail_at_120x40_with_an_edit_and_the_stepper_focused(snap_compare, detail_app):
    app, contact_id = detail_app

    async def run_before(pilot) -> None:
        await opened(pilot, contact_id)
        await pilot.press("0", *"Ada King", "escape", "right")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
