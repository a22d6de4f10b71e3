"""SVG snapshots at 80×24 with NO_COLOR=1 of the screens people look at most: the list, a
contact, a record form, help and the Control Center.

Without colour every state must read from the characters alone (a checkbox's [x], the
cursor's reverse video, ⚠), which is what these pin. Deterministic: fixed data (a seeded
demo, fixed names and timestamps), no clock on screen, the input cursor not blinking,
and each snapshot taken only once what it shows has been read (conditions, not sleeps),
so a loaded machine makes them slower, not different. Update with `pytest
--snapshot-update` after a deliberate change to the look, and check the SVGs by eye.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

import pytest
from textual.widgets import Input
from textual.worker import WorkerCancelled

from contacts_tui.app import ContactsApp
from contacts_tui.demo import add_demo_contacts
from contacts_tui.dialogs.record_form import RecordForm
from contacts_tui.screens.contact_detail import ContactDetailScreen
from contacts_tui.screens.contact_list import ContactListScreen
from contacts_tui.screens.control_center import ControlCenterScreen
from contacts_tui.screens.help import HelpScreen
from contacts_tui.services import ContactService
from contacts_tui.store.models import AuditEntry, Contact, StageChange
from contacts_tui.widgets.dashboard import DashboardBar

SIZE = (80, 24)
WHEN = datetime(2026, 3, 2, 9, 30)


@pytest.fixture(autouse=True)
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    # Read (and removed from the environment) when the app is made: set before that.
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def list_app(workspace) -> ContactsApp:
    add_demo_contacts(workspace.config, 300, "demo", seed=11)
    return ContactsApp(workspace)


@pytest.fixture
def contact_app(workspace) -> tuple[ContactsApp, int]:
    workspace.user = "alice"
    service = ContactService(workspace.config, "alice")
    contact = service.create_contact("Ada Lovelace", "Analytical Engines Ltd")
    contact = service.update_contact(
        contact.id,
        contact.version,
        full_name="Augusta Ada King",
        scoring=87,
        segmentation="Enterprise",
        reason_code="Referral",
    )
    service.records.add_email(contact.id, "ada@analytical-engines.example")
    contact = service.set_stage(contact.id, "qualified")
    with workspace.database.connection_context():
        for model in (StageChange, AuditEntry):
            model.update(at=WHEN).execute()
        Contact.update(created_at=WHEN, updated_at=WHEN + timedelta(days=3)).execute()
    return ContactsApp(workspace), contact.id


async def idle(pilot) -> None:
    """Every worker done and its message handled."""
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def until(pilot, ready, what: str) -> None:
    """Wait for a condition, however slow the machine (workers, then a short pause)."""
    for _ in range(400):
        await idle(pilot)
        if ready():
            await idle(pilot)
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never ready: {what}")


def steady_cursors(app) -> None:
    """A blinking cursor is drawn or not depending on when the picture is taken."""
    for box in app.screen.query(Input):
        box.cursor_blink = False


async def list_settled(pilot) -> None:
    def ready() -> bool:
        screen = pilot.app.screen
        if not isinstance(screen, ContactListScreen):
            return False
        dashboard = screen.query_one(DashboardBar)
        table = screen.table
        return (
            not table.busy
            and table.total is not None
            and dashboard.counts is not None
            and not dashboard.busy
            and bool(screen.query("#search"))  # the box replaced its placeholder
        )

    await until(pilot, ready, "the list")
    steady_cursors(pilot.app)


async def contact_open(pilot, contact_id: int) -> ContactDetailScreen:
    await list_settled(pilot)
    await pilot.app.push_screen(ContactDetailScreen(contact_id))
    await until(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, ContactDetailScreen)
            and pilot.app.screen.detail is not None
        ),
        "the contact",
    )
    steady_cursors(pilot.app)
    return pilot.app.screen


def test_list(snap_compare, list_app):
    async def run_before(pilot) -> None:
        await list_settled(pilot)
        await pilot.press("j", "j")

    assert snap_compare(list_app, terminal_size=SIZE, run_before=run_before)


def test_help_on_the_list(snap_compare, list_app):
    async def run_before(pilot) -> None:
        await list_settled(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")

    assert snap_compare(list_app, terminal_size=SIZE, run_before=run_before)


def test_contact(snap_compare, contact_app):
    app, contact_id = contact_app

    async def run_before(pilot) -> None:
        await contact_open(pilot, contact_id)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_record_form(snap_compare, contact_app):
    app, contact_id = contact_app

    async def run_before(pilot) -> None:
        screen = await contact_open(pilot, contact_id)
        screen.query_one("#records-phone").data_table.focus()
        await pilot.press("a")
        await until(pilot, lambda: isinstance(pilot.app.screen, RecordForm), "the form")
        await pilot.press(*"020 7946 0958")
        steady_cursors(pilot.app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_control_center(snap_compare, contact_app):
    app, _ = contact_app

    async def run_before(pilot) -> None:
        await list_settled(pilot)
        await pilot.press("ctrl+o")
        await until(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, ControlCenterScreen)
                and pilot.app.screen.counts.counted
            ),
            "the Control Center",
        )

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
