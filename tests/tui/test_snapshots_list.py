"""SVG snapshots of the contact list, the screen people look at most, on fixed demo data.

Nothing time-dependent is shown: the default columns leave out Updated, and the demo data
comes from a fixed seed. Update them with `pytest --snapshot-update` after a deliberate
change to the look, and check the SVGs by eye before committing.
"""

from __future__ import annotations

import contextlib

import pytest
from textual.worker import WorkerCancelled

from contacts_tui.app import ContactsApp
from contacts_tui.demo import add_demo_contacts
from contacts_tui.screens.contact_list import ContactListScreen
from contacts_tui.widgets.dashboard import DashboardBar


@pytest.fixture
def demo_app(workspace) -> ContactsApp:
    add_demo_contacts(workspace.config, 300, "demo", seed=11)
    return ContactsApp(workspace)


async def settled(pilot) -> None:
    """Rows, count and dashboard on screen, nothing still loading."""
    app = pilot.app
    for _ in range(60):
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ContactListScreen)
        dashboard = screen.query_one(DashboardBar)
        table = screen.table
        if (
            not table.busy
            and table.total is not None
            and dashboard.counts is not None
            and not dashboard.busy
        ):
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError("the list never settled")


def test_list_at_100x30(snap_compare, demo_app):
    async def run_before(pilot) -> None:
        await settled(pilot)
        await pilot.press("j", "j", "j")

    assert snap_compare(demo_app, terminal_size=(100, 30), run_before=run_before)


def test_list_at_80x24_drops_columns_from_the_right(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=settled)


def test_list_searched_and_sorted_at_120x40(snap_compare, demo_app):
    async def run_before(pilot) -> None:
        await settled(pilot)
        await pilot.press("slash", *"mar")
        await settled(pilot)
        await pilot.press("enter")
        pilot.app.screen.table.sort_by("company")
        pilot.app.screen.table.sort_by("company")  # again: descending
        await settled(pilot)
        await pilot.press("pagedown")
        await settled(pilot)

    assert snap_compare(demo_app, terminal_size=(120, 40), run_before=run_before)
