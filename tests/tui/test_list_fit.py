"""The list at 80×24 and wider: the dashboard is one line, numbers are never cut, and
its counters filter the list (keys and mouse)."""

from __future__ import annotations

import contextlib

import pytest
from screen_text import screen_text
from textual.widgets import Select
from textual.worker import WorkerCancelled

from contacts_tui.app import ContactsApp
from contacts_tui.demo import add_demo_contacts
from contacts_tui.dialogs.filter_dialog import FilterDialog, describe_filter
from contacts_tui.screens.contact_list import ContactListScreen
from contacts_tui.screens.help import binding_groups
from contacts_tui.services import MISSING_PRIMARY, UNKNOWN_STEP, ContactFilter, ContactService
from contacts_tui.store.models import Contact
from contacts_tui.widgets.contact_table import ContactTable
from contacts_tui.widgets.dashboard import DashboardBar
from contacts_tui.widgets.table_columns import DEFAULT_COLUMNS, fit_columns

CONTACTS = 300
LONG_NUMBER = "+353 (0)1 234 5678 x99"  # 22 cells: an Irish number with an extension


@pytest.fixture
def many(workspace, service) -> ContactService:
    add_demo_contacts(workspace.config, CONTACTS, workspace.user, seed=11)
    return service


async def settle(app, pilot) -> None:
    for _ in range(80):
        for _ in range(2):
            with contextlib.suppress(WorkerCancelled):
                await app.workers.wait_for_complete()
            await pilot.pause()
        screen = app.screen
        if not isinstance(screen, ContactListScreen):
            return
        dashboard = screen.query_one(DashboardBar)
        table = screen.table
        if not table.busy and table.total is not None and dashboard.counts and not dashboard.busy:
            return
        await pilot.pause(0.05)
    raise AssertionError("the list never settled")


def dashboard_line(app) -> str:
    """The dashboard's line as drawn (screen_text drops the spaces between its counters)."""
    return app.screen.query_one(DashboardBar).render().plain


# ----- columns ------------------------------------------------------------------------------


def test_a_number_is_never_cut_and_company_and_name_give_first():
    for width in range(40, 200):
        layout = dict(fit_columns(DEFAULT_COLUMNS, width, {"phone": 22}))
        assert "name" in layout
        if "phone" in layout:
            assert layout["phone"] >= 22
    layout = dict(fit_columns(DEFAULT_COLUMNS, 79, {"phone": 16}))
    assert layout["phone"] == 16
    assert layout["company"] == 10  # at its minimum before E-mail gives its last cells
    assert layout["name"] >= 16
    assert sum(w + 1 for w in layout.values()) == 79
    # Too narrow for a whole number: the column is dropped, never cut.
    narrow = dict(fit_columns(["name", "phone"], 30, {"phone": 22}))
    assert narrow.keys() == {"name"}


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40)])
async def test_numbers_whole_and_dashboard_one_line(workspace, many, size):
    first = Contact.select().order_by(Contact.name_key, Contact.id).get()
    Contact.update(primary_phone=LONG_NUMBER).where(Contact.id == first.id).execute()
    app = ContactsApp(workspace)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        dashboard = screen.query_one(DashboardBar)
        assert dashboard.size.height == 1
        table = screen.query_one(ContactTable)
        # Title, dashboard, filter line, search bar, footer: the rest is the table.
        assert table.size.height == size[1] - 5
        lines = screen_text(app).splitlines()
        assert dashboard.region.y == 1
        assert dashboard_line(app).strip().startswith("This view: Open")
        assert any(LONG_NUMBER in line for line in lines)
        for row in table.window[: table.size.height - 2]:
            if row.phone:
                assert any(row.phone in line for line in lines), row.phone


# ----- the dashboard's counters -------------------------------------------------------------


async def test_dashboard_counters_filter_by_keyboard_and_again_clear(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        dashboard = screen.query_one(DashboardBar)
        for _ in range(4):  # tab reaches it from the list, as it reaches the search box
            if app.focused is dashboard:
                break
            await pilot.press("tab")
        assert app.focused is dashboard
        groups = dict(binding_groups(screen))  # what help (?) lists here
        assert "Filter by it" in [description for _, description, _ in groups["The dashboard"]]
        await pilot.press("right", "enter")  # Closed
        await settle(app, pilot)
        assert screen.contact_filter == ContactFilter(status="Closed")
        closed = many.count(ContactFilter(status="Closed"))
        assert screen.table.total == closed
        assert "Filter: Status: Closed" in screen_text(app)
        assert all(row.status == "Closed" for row in screen.table.window)
        await pilot.press("enter")  # picked again: unset
        await settle(app, pilot)
        assert screen.contact_filter == ContactFilter()
        assert screen.table.total == CONTACTS


async def test_dashboard_scrolls_to_the_category_under_the_cursor(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        dashboard = screen.query_one(DashboardBar)
        counters = dashboard.counters()
        last = counters[-1]
        assert last.kind == "category"
        line = dashboard_line(app)
        assert last.name not in line and line.rstrip().endswith("›")  # out of sight
        dashboard.focus()
        await pilot.press(*["l"] * len(counters))
        line = dashboard_line(app)
        assert f"{last.name} {last.count:,}" in line and "‹" in line
        await pilot.press("space")
        await settle(app, pilot)
        assert screen.contact_filter.category == last.value
        assert screen.table.total == many.count(ContactFilter(category=last.value))


async def test_dashboard_warnings_filter_by_click(workspace, many):
    Contact.update(stage="retired_step").where(Contact.id <= 3).execute()
    app = ContactsApp(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        dashboard = screen.query_one(DashboardBar)
        line = dashboard_line(app)
        assert "⚠ 3 at unknown step" in line
        x = line.index("⚠ 3 at unknown step")
        await pilot.click(DashboardBar, offset=(x + 3, 0))
        await settle(app, pilot)
        assert screen.contact_filter.attention == UNKNOWN_STEP
        assert screen.table.total == 3
        assert {row.id for row in screen.table.window} == {1, 2, 3}
        text = screen_text(app)
        assert "At a step no longer configured" in text  # the filter line says so
        # The filter dialog shows it, and can set the other one.
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        attention = dialog.query_one("#filter-attention", Select)
        assert attention.value == UNKNOWN_STEP
        attention.value = MISSING_PRIMARY
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.contact_filter.attention == MISSING_PRIMARY
        expected = many.count(ContactFilter(attention=MISSING_PRIMARY))
        assert screen.table.total == expected == dashboard.counts.total
        assert dashboard.counts.missing_primary == expected


def test_attention_filters_count_what_the_dashboard_counts(workspace, many):
    Contact.update(stage="retired_step").where(Contact.id <= 5).execute()
    counts = many.dashboard()
    assert many.count(ContactFilter(attention=UNKNOWN_STEP)) == counts.unknown_stage == 5
    assert many.count(ContactFilter(attention=MISSING_PRIMARY)) == counts.missing_primary > 0
    searched = ContactFilter(search="a", attention=MISSING_PRIMARY)
    assert many.list_page(searched, limit=500).rows
    assert describe_filter(ContactFilter(attention=MISSING_PRIMARY), workspace.config) == (
        "Missing a primary e-mail or phone"
    )
