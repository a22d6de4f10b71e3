"""A search typed on supersedes the reads of the shorter term: they are stopped, quietly."""

from __future__ import annotations

import threading

import pytest
from test_contact_list import SIZE, list_screen, settle
from textual.widgets import Input

from contacts_tui.app import ContactsApp
from contacts_tui.demo import add_demo_contacts
from contacts_tui.services import ContactFilter, ContactService
from contacts_tui.store.database import with_connection
from contacts_tui.store.models import database
from contacts_tui.widgets import reporting
from contacts_tui.widgets.dashboard import DashboardBar

# About 20 s unless it is interrupted: long beside the stop, short enough that a broken
# stop fails the test instead of hanging the run.
ENDLESS = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000000) "
    "SELECT max(x) FROM n"
)


@pytest.fixture
def contacts(workspace, service) -> ContactService:
    add_demo_contacts(workspace.config, 2000, workspace.user, seed=7)
    return service


async def test_typing_on_stops_the_count_of_the_shorter_term(workspace, contacts, monkeypatch):
    counting = threading.Event()
    ended: list[BaseException] = []
    count = ContactService.count.__wrapped__

    @with_connection
    def slow_count_of_ma(self, contact_filter: ContactFilter) -> int:
        if contact_filter.search == "ma":
            counting.set()
            try:
                database.execute_sql(ENDLESS)
            except BaseException as error:
                ended.append(error)
                raise
        return count(self, contact_filter)

    monkeypatch.setattr(ContactService, "count", slow_count_of_ma)
    app = ContactsApp(workspace)
    reported: list = []
    # what would show an error on screen
    monkeypatch.setattr(reporting, "tell_error", lambda node, error: reported.append(error))
    async with app.run_test(size=SIZE) as pilot:
        screen = list_screen(app)
        await settle(app, pilot)
        await pilot.press("slash", "m", "a")
        for _ in range(750):  # up to 15 s on a busy machine
            if counting.is_set():
                break
            await pilot.pause(0.02)
        assert counting.is_set(), "the count of 'ma' never started"
        await pilot.press("r")
        await settle(app, pilot)

        assert len(ended) == 1 and "interrupt" in str(ended[0])
        assert reported == []
        wanted = ContactFilter(search="mar")
        assert screen.query_one("#search", Input).value == "mar"
        assert screen.contact_filter == wanted
        assert screen.table.total == contacts.count(wanted) > 0
        first = contacts.list_page(wanted, limit=3).rows
        assert screen.table.window[:3] == first
        assert screen.query_one(DashboardBar).counts == contacts.dashboard(wanted)


async def test_a_new_view_stops_the_dashboard_counts_of_the_old_one(
    workspace, contacts, monkeypatch
):
    """The old view's counts are stopped when the view changes, not when the new view
    has been counted (at a million contacts that is seconds of a second scan)."""
    counting = threading.Event()
    ended: list[BaseException] = []
    dashboard = ContactService.dashboard.__wrapped__

    @with_connection
    def slow_dashboard_of_ma(self, contact_filter: ContactFilter):
        if contact_filter.search == "ma":
            counting.set()
            try:
                database.execute_sql(ENDLESS)
            except BaseException as error:
                ended.append(error)
                raise
        return dashboard(self, contact_filter)

    monkeypatch.setattr(ContactService, "dashboard", slow_dashboard_of_ma)
    # The dashboard reads its counts itself (as after an edit), not those the list's
    # count has just read with the total.
    monkeypatch.setattr(ContactService, "counted_dashboard", lambda self, view: None)
    app = ContactsApp(workspace)
    reported: list = []
    monkeypatch.setattr(reporting, "tell_error", lambda node, error: reported.append(error))
    async with app.run_test(size=SIZE) as pilot:
        screen = list_screen(app)
        await settle(app, pilot)
        await pilot.press("slash", "m", "a")
        for _ in range(750):  # up to 15 s on a busy machine
            if counting.is_set():
                break
            await pilot.pause(0.02)
        assert counting.is_set(), "the dashboard of 'ma' never started"
        # The new view is never counted, so only the view change itself can stop the
        # old read (a count would lead to dashboard.load(), which stops it too).
        monkeypatch.setattr(screen.table._window, "_count_soon", lambda: None)
        await pilot.press("r")
        for _ in range(250):
            if ended:
                break
            await pilot.pause(0.02)
        assert len(ended) == 1 and "interrupt" in str(ended[0])
        assert reported == []


async def test_a_search_is_counted_once_for_its_rows_and_its_dashboard(
    workspace, contacts, monkeypatch
):
    """The list's count reads the dashboard's counts with the total; the dashboard shows
    those, without reading the matches a second time."""
    read: list[ContactFilter] = []
    counts_of = ContactService._dashboard

    def counting(self, contact_filter: ContactFilter):
        read.append(contact_filter)
        return counts_of(self, contact_filter)

    monkeypatch.setattr(ContactService, "_dashboard", counting)
    asked: list[ContactFilter] = []  # the dashboard's own worker: a thread, a connection
    dashboard = ContactService.dashboard

    def asking(self, contact_filter: ContactFilter):
        asked.append(contact_filter)
        return dashboard(self, contact_filter)

    monkeypatch.setattr(ContactService, "dashboard", asking)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = list_screen(app)
        await settle(app, pilot)
        read.clear()
        asked.clear()
        await pilot.press("slash", "m", "a", "r")
        wanted = ContactFilter(search="mar")
        bar = screen.query_one(DashboardBar)
        for _ in range(750):  # up to 15 s on a busy machine
            if bar.contact_filter == wanted and bar.counts is not None and not bar.busy:
                break
            await pilot.pause(0.02)
        await settle(app, pilot)
        assert read.count(wanted) == 1
        assert asked == []
        assert bar.counts == contacts.dashboard(wanted)
        assert bar.counts.total > 0
        assert f"Open {bar.counts.open:,}" in str(bar.render())
