"""The contact list screen: dashboard, search as you type, sort, the list actions, help."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
from pilot_helpers import toasts, until
from screen_text import screen_text
from textual.widgets import Input, OptionList
from textual.worker import WorkerCancelled

from contacts_tui.app import ContactsApp
from contacts_tui.demo import add_demo_contacts
from contacts_tui.dialogs.add_contact import AddContactDialog
from contacts_tui.dialogs.columns_dialog import ColumnsDialog
from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.export_dialog import ExportDialog
from contacts_tui.dialogs.filter_dialog import FilterDialog
from contacts_tui.dialogs.sort_dialog import SortDialog
from contacts_tui.preferences import load_columns
from contacts_tui.screens.contact_list import ContactListScreen
from contacts_tui.screens.help import HelpScreen
from contacts_tui.services import ContactFilter, ContactService
from contacts_tui.store.search import digits
from contacts_tui.widgets.dashboard import DashboardBar

SIZE = (100, 30)
CONTACTS = 2000


@pytest.fixture
def many(workspace, service) -> ContactService:
    add_demo_contacts(workspace.config, CONTACTS, workspace.user, seed=7)
    return service


async def settle(app, pilot) -> None:
    """Let workers finish, their messages land and the view be counted."""
    for _ in range(60):
        for _ in range(2):
            await wait_for_workers(app)
            await pilot.pause()
        screen = app.screen
        if not isinstance(screen, ContactListScreen):
            return
        table = screen.table
        dashboard = screen.query_one(DashboardBar)
        if (
            not table.busy
            and table.total is not None
            and dashboard.counts is not None
            and not dashboard.busy
            and not screen._search_pending
        ):
            return
        await pilot.pause(0.05)  # the count waits for the view to settle
    raise AssertionError("the list never settled")


async def wait_for_workers(app) -> None:
    # A search or a sort supersedes the reads still running (exclusive workers):
    # those end cancelled, which is what the app wants and not a failure here.
    with contextlib.suppress(WorkerCancelled):
        await app.workers.wait_for_complete()


def list_screen(app) -> ContactListScreen:
    screen = app.screen
    assert isinstance(screen, ContactListScreen)
    return screen


async def type_search(app, pilot, text: str) -> None:
    await pilot.press("slash", *text)
    await settle(app, pilot)


async def test_dashboard_shows_the_counts_of_the_view(workspace, many):
    expected = many.dashboard()
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        dashboard = app.screen.query_one(DashboardBar)
        assert dashboard.counts == expected
        text = screen_text(app)
        assert f"Open {expected.open:,}" in text
        assert f"Closed {expected.closed:,}" in text
        # 100 columns: the short form of the warning, and the line scrolls sideways to
        # the categories that do not fit.
        assert f"⚠ {expected.missing_primary:,} no primary" in text
        default = {c.key for c in workspace.config.default.categories}
        shown = {c.value: c.count for c in dashboard.counters() if c.kind == "category"}
        for category in expected.categories:
            if category.key in default:
                assert shown[category.key] == category.count


async def test_search_as_you_type_counts_matches_and_escape_clears(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        await type_search(app, pilot, "mar")
        expected = many.count(ContactFilter(search="mar"))
        assert 0 < expected < CONTACTS
        assert screen.contact_filter.search == "mar"
        assert screen.table.total == expected
        assert isinstance(app.focused, Input)
        assert f"{expected:,} matches" in screen_text(app)
        for row in screen.table.window:
            assert "mar" in " ".join((row.name, row.full_name, row.email, row.company)).lower()
        # escape empties the box, shows everything again and goes back to the list.
        await pilot.press("escape")
        await settle(app, pilot)
        assert screen.query_one("#search", Input).value == ""
        assert screen.contact_filter.search == ""
        assert screen.table.total == CONTACTS
        assert app.focused is screen.table
        assert "matches" not in screen_text(app)


async def test_keys_typed_before_the_search_box_is_mounted_wait_for_it(
    workspace, many, monkeypatch
):
    """The box comes right after the first frame; "/mar" typed before must land in it."""

    class BoxNotYetMounted(ContactListScreen):
        def call_after_refresh(self, callback, *args, **kwargs) -> bool:
            if getattr(callback, "__name__", "") == "_mount_search_box":
                return True  # as if the first frame had not been drawn yet
            return super().call_after_refresh(callback, *args, **kwargs)

    monkeypatch.setattr(ContactsApp, "get_default_screen", lambda self: BoxNotYetMounted())
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        assert not screen.query("#search")  # only the look-alike placeholder
        assert "search name, e-mail, phone, company" in screen_text(app)
        await pilot.press("slash", "m", "a", "r")  # "a" on the list would open Add
        await settle(app, pilot)
        assert screen.query_one("#search", Input).value == "mar"
        assert screen.contact_filter.search == "mar"
        assert app.screen is screen and isinstance(app.focused, Input)
        assert not screen.query("#search-placeholder")


async def test_search_with_two_characters_accents_and_phone_digits(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        await type_search(app, pilot, "jo")
        assert screen.table.total == many.count(ContactFilter(search="jo")) > 0
        await pilot.press("escape")
        await settle(app, pilot)
        await type_search(app, pilot, "jose")
        assert screen.table.total == many.count(ContactFilter(search="jose")) > 0
        assert any("José" in row.name for row in screen.table.window)
        await pilot.press("escape")
        await settle(app, pilot)
        phone = next(r.phone for r in many.list_page(limit=50).rows if r.phone)
        fragment = digits(phone)[-6:]
        await type_search(app, pilot, fragment)
        assert screen.table.total == many.count(ContactFilter(search=fragment)) > 0
        assert any(fragment in digits(row.phone) for row in screen.table.window)


async def test_a_search_that_matches_nothing_says_so(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        await type_search(app, pilot, "zzqxj")
        assert screen.table.total == 0
        text = screen_text(app)
        assert "No contacts match." in text
        assert "no match" in text
        assert "contacts-tui demo" not in text  # how to start is for an empty workspace
        await pilot.press("enter")  # back to the (empty) list: keys do nothing harmful
        await pilot.press("j", "G", "d")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactListScreen)


async def test_keys_typed_while_a_search_runs_are_searched_when_it_lands(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        search = screen.query_one("#search", Input)
        await pilot.press("slash")
        # Several changes before any answer: the first runs, the rest are gathered.
        for text in ("m", "ma", "mar", "mart"):
            search.value = text
            await pilot.pause(0)
        await settle(app, pilot)
        assert screen.contact_filter.search == "mart"
        assert screen.table.total == many.count(ContactFilter(search="mart"))


async def test_sort_dialog_sorts_and_the_same_column_again_reverses(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        await pilot.press("s")
        assert isinstance(app.screen, SortDialog)
        labels = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        assert labels[0].startswith("Name") and "Company" in labels
        await pilot.press("down", "down", "down", "enter")  # Name → E-mail → Number → Company
        await settle(app, pilot)
        table = screen.table
        assert (table.sort, table.descending) == ("company", False)
        first = many.list_page(ContactFilter(), "company", limit=1).rows[0]
        assert table.current_row.id == first.id
        assert "Company ▲" in screen_text(app)
        await pilot.press("s")
        await pilot.press("enter")  # the current column is highlighted: again reverses
        await settle(app, pilot)
        assert (table.sort, table.descending) == ("company", True)
        assert "Company ▼" in screen_text(app)
        await pilot.press("s", "escape")
        await settle(app, pilot)
        assert (table.sort, table.descending) == ("company", True)


async def test_enter_opens_the_detail_and_escape_comes_back_to_the_same_row(workspace, many):
    detail = pytest.importorskip("contacts_tui.screens.contact_detail")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        await pilot.press("pagedown", "j", "j")
        await settle(app, pilot)
        row, contact_id = screen.table.cursor_row, screen.table.current_row.id
        await pilot.press("enter")
        opened = detail.ContactDetailScreen
        await until(
            pilot,
            lambda: isinstance(app.screen, opened) and app.screen.detail is not None,
            "the contact open",
        )
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "back on the list")
        await settle(app, pilot)
        assert screen.table.cursor_row == row
        assert screen.table.current_row.id == contact_id


async def test_filter_dialog_result_is_applied_summarised_and_cleared_with_x(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        await type_search(app, pilot, "an")
        await pilot.press("enter")  # back to the list, the search stays
        await pilot.press("f")
        assert isinstance(app.screen, FilterDialog)
        app.screen.dismiss(ContactFilter(status="Closed"))
        await settle(app, pilot)
        wanted = ContactFilter(search="an", status="Closed")
        assert screen.contact_filter == wanted  # the search box keeps its text
        assert screen.table.total == many.count(wanted)
        assert screen.query_one(DashboardBar).counts == many.dashboard(wanted)
        assert "Status: Closed" in screen_text(app)
        await pilot.press("x")
        await settle(app, pilot)
        assert screen.contact_filter == ContactFilter(search="an")
        assert "all active contacts" in screen_text(app)


async def test_x_without_a_filter_says_there_is_none(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        await pilot.press("x")
        await settle(app, pilot)
        assert screen.contact_filter == ContactFilter()
        assert any("No filter to clear" in toast for toast in await toasts(pilot))


async def test_a_filter_with_no_results_shows_an_empty_list(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        screen.apply_filter(ContactFilter(scoring_min=101))
        await settle(app, pilot)
        assert screen.table.total == 0
        assert "No contacts match." in screen_text(app)
        assert screen.query_one(DashboardBar).counts.total == 0


async def test_columns_dialog_result_is_shown_and_kept_for_next_time(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        await pilot.press("c")
        assert isinstance(app.screen, ColumnsDialog)
        app.screen.dismiss(["name", "scoring", "stage"])
        await settle(app, pilot)
        assert screen.table.columns == ["name", "scoring", "stage"]
        assert "Scoring" in screen_text(app) and "E-mail" not in screen_text(app)
    assert load_columns() == ["name", "scoring", "stage"]
    app = ContactsApp(workspace)  # the next start shows the same columns
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert list_screen(app).table.columns == ["name", "scoring", "stage"]


async def test_add_contact_opens_its_detail_and_the_list_counts_it(workspace, many):
    detail = pytest.importorskip("contacts_tui.screens.contact_detail")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        open_before = screen.query_one(DashboardBar).counts.open
        await pilot.press("a")
        assert isinstance(app.screen, AddContactDialog)
        await pilot.press(*"Aaaaron Added", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, detail.ContactDetailScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.table.total == CONTACTS + 1
        assert screen.query_one(DashboardBar).counts.open == open_before + 1
        await pilot.press("g")
        await settle(app, pilot)
        assert screen.table.current_row.name == "Aaaaron Added"


async def test_back_from_an_added_contact_the_cursor_is_on_it(workspace, many):
    detail = pytest.importorskip("contacts_tui.screens.contact_detail")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        await pilot.press("a")
        assert isinstance(app.screen, AddContactDialog)
        await pilot.press(*"Mmmartha Middle", "enter")  # sorts far below the first screen
        await settle(app, pilot)
        assert isinstance(app.screen, detail.ContactDetailScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        table = screen.table
        assert table.current_row.name == "Mmmartha Middle"
        # The row number is right: the contacts sorting before it (by name, then id).
        before = many.position(ContactFilter(), "name", False, table.current_row.sort_key)
        assert table.cursor_row == before > 100
        assert "Mmmartha Middle" in screen_text(app)
        assert f"Row {table.cursor_row + 1:,} of {CONTACTS + 1:,}" in screen_text(app)


async def test_archive_asks_then_hides_the_contact_and_updates_the_dashboard(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        dashboard = screen.query_one(DashboardBar)
        await pilot.press("j", "j")
        row = screen.table.current_row
        before = dashboard.counts
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # cancelled: nothing happens
        await settle(app, pilot)
        assert screen.table.total == CONTACTS
        await pilot.press("d")
        await pilot.press("y")
        await settle(app, pilot)
        assert many.get_contact(row.id).archived
        assert screen.table.total == CONTACTS - 1
        assert screen.table.cursor_row == 2  # the next contact takes its place
        assert screen.table.current_row.id != row.id
        assert dashboard.counts.total == before.total - 1
        status = "open" if row.status == "Open" else "closed"
        assert getattr(dashboard.counts, status) == getattr(before, status) - 1
        # The Archived view shows it, and d there restores it.
        screen.apply_filter(ContactFilter(archived=True))
        await settle(app, pilot)
        assert screen.table.total == 1 and screen.table.current_row.id == row.id
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(app, pilot)
        assert not many.get_contact(row.id).archived
        assert screen.table.total == 0


async def test_export_opens_with_the_current_view(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        await type_search(app, pilot, "mar")
        await pilot.press("enter")
        screen.table.sort_by("company")
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.contact_filter == ContactFilter(search="mar")
        assert (dialog.sort, dialog.descending) == ("company", False)
        assert dialog.count == many.count(ContactFilter(search="mar"))


async def test_export_of_an_empty_view_is_refused_with_a_word(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await type_search(app, pilot, "zzzqqq")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert not isinstance(app.screen, ExportDialog)
        assert any("nothing to export" in toast for toast in await toasts(pilot))


async def test_help_lists_every_key_of_the_list(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for description in (
            "Search",
            "Filter",
            "Sort",
            "Columns",
            "Add",
            "Archive",
            "Export",
            "Next row",
            "Last row",
            "Half page down",
            "Open",
            "Quit",
        ):
            assert description in text, description
        await pilot.press("escape")
        assert isinstance(app.screen, ContactListScreen)


async def test_every_list_action_is_in_the_command_palette(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"sort")
        await pilot.pause(0.3)
        assert "Contacts: Sort" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        await settle(app, pilot)
        assert isinstance(app.screen, SortDialog)
        await pilot.press("escape")
        await pilot.pause()
        # The table's own keys are commands too: "Last row" jumps to the end.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"last row")
        await pilot.pause(0.3)
        assert "Contacts: Last" in screen_text(app)  # (highlighting splits the words)
        await pilot.press("enter")
        await settle(app, pilot)
        assert list_screen(app).table.cursor_row == CONTACTS - 1
        for action in ("filter", "columns", "add", "archive", "export", "search"):
            assert any(b.action == action for b in ContactListScreen.BINDINGS)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_small_and_large_terminals(workspace, many, size):
    app = ContactsApp(workspace)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        table = list_screen(app).table
        text = screen_text(app)
        assert "Name ▲" in text and f"Row 1 of {CONTACTS:,}" in text
        assert table.visible_columns[0] == "name"
        assert table._body_height >= 10
        first = table.current_row
        assert first.name in text
        assert app.focused is table, app.focused
        await pilot.press("G")
        await settle(app, pilot)
        assert table.cursor_row == CONTACTS - 1


async def test_G_right_after_a_search_still_counts_it_and_its_dashboard(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)
        await pilot.press("slash", *"mar", "enter", "G")  # before the view is counted
        await settle(app, pilot)
        wanted = ContactFilter(search="mar")
        total = many.count(wanted)
        assert screen.table.cursor_row == total - 1
        assert f"{total:,} matches" in screen_text(app)
        assert screen.query_one(DashboardBar).counts == many.dashboard(wanted)


async def test_a_read_that_fails_is_reported_in_one_line_and_the_list_stays(
    workspace, many, monkeypatch
):
    """The database going away mid-session: a message, not a traceback, and no exit."""
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = list_screen(app)

        def broken(*args, **kwargs):
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(ContactService, "companies", broken)
        screen._describe_filter(ContactFilter(company=1))  # a worker of the screen itself
        for _ in range(50):
            await pilot.pause(0.02)
            if app._notifications:
                break
        messages = [n.message for n in app._notifications]
        assert any("disk I/O error" in str(m) for m in messages), messages
        assert app.is_running and app.screen is screen


async def test_columns_dialog_fits_80x24_with_every_column_and_its_hint(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ColumnsDialog), "ColumnsDialog")
        assert isinstance(app.screen, ColumnsDialog)
        text = screen_text(app)
        assert "space show/hide · K/J or shift+↑↓ move · enter apply" in text
        assert "[x] Name" in text and "Apply" in text and "Cancel" in text
        await pilot.press("end")  # the list scrolls to the last column within the dialog
        await pilot.pause()
        assert "[ ] Updated" in screen_text(app)
