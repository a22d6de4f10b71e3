"""The virtual contact table: moving, paging, jumping, mouse, columns, cells and memory."""

from __future__ import annotations

import contextlib

import pytest
from screen_text import screen_text
from textual.worker import WorkerCancelled

from contacts_tui.app import ContactsApp
from contacts_tui.demo import add_demo_contacts
from contacts_tui.screens.contact_detail import ContactDetailScreen
from contacts_tui.services import ContactFilter, ContactRow, ContactService
from contacts_tui.store.models import Contact
from contacts_tui.widgets.contact_table import ContactTable
from contacts_tui.widgets.dashboard import DashboardBar
from contacts_tui.widgets.table_columns import COLUMNS, DEFAULT_COLUMNS, fit_columns

SIZE = (100, 30)
BODY = SIZE[1] - 5 - 2  # header, dashboard, summary, search bar, footer; table header/status
CONTACTS = 3000


@pytest.fixture
def many(workspace, service) -> ContactService:
    add_demo_contacts(workspace.config, CONTACTS, workspace.user, seed=7)
    return service


def all_rows(service: ContactService, sort: str = "name", descending: bool = False):
    rows: list[ContactRow] = []
    after = None
    while True:
        page = service.list_page(ContactFilter(), sort, descending, after=after, limit=500)
        rows += page.rows
        if not page.has_more:
            return rows
        after = page.rows[-1].sort_key


async def settle(app, pilot) -> None:
    """Let workers finish and their messages land, and the view be counted."""
    table = app.screen.query_one(ContactTable)
    for _ in range(50):
        for _ in range(2):
            await wait_for_workers(app)
            await pilot.pause()
        dashboard = app.screen.query_one(DashboardBar)
        if (
            not table.busy
            and table.total is not None
            and not table._window.fetching
            and dashboard.counts is not None
            and not dashboard.busy
        ):
            return
        await pilot.pause(0.05)  # the count waits for the view to settle (COUNT_DELAY)
    raise AssertionError("the table never settled")


async def wait_for_workers(app) -> None:
    # A jump or a sort supersedes the reads still running (exclusive workers): those
    # end cancelled, which is what the app wants and not a failure here.
    with contextlib.suppress(WorkerCancelled):
        await app.workers.wait_for_complete()


def table_of(app) -> ContactTable:
    return app.screen.query_one(ContactTable)


def assert_window_matches(table: ContactTable, expected: list[ContactRow]) -> None:
    """Every row held is the row at that position of the whole list."""
    start = table._window.start
    assert [r.id for r in table.window] == [
        r.id for r in expected[start : start + len(table.window)]
    ]


async def test_first_screen_shows_the_first_rows_in_name_order(workspace, many):
    expected = all_rows(many)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        assert table.has_focus
        assert table.total == CONTACTS
        assert table.cursor_row == 0
        assert table.current_row.id == expected[0].id
        text = screen_text(app)
        assert "Name ▲" in text
        assert f"Row 1 of {CONTACTS:,}" in text
        for row in expected[:BODY]:
            assert row.name in text
        # Only the screen plus a margin is held, never the whole list.
        assert len(table.window) <= BODY + 2 * max(BODY, 20)


async def test_j_k_and_arrows_move_one_row(workspace, many):
    expected = all_rows(many)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        await pilot.press("k")  # already at the top: stays
        assert table.cursor_row == 0
        await pilot.press("j", "j", "down")
        assert table.cursor_row == 3
        assert table.current_row.id == expected[3].id
        await pilot.press("k", "up")
        assert table.cursor_row == 1
        assert f"Row 2 of {CONTACTS:,}" in screen_text(app)


async def test_G_jumps_to_the_exact_last_row_and_g_back(workspace, many):
    expected = all_rows(many)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        await pilot.press("G")
        await settle(app, pilot)
        assert table.cursor_row == CONTACTS - 1
        assert table.current_row.id == expected[-1].id
        assert f"Row {CONTACTS:,} of {CONTACTS:,}" in screen_text(app)
        assert_window_matches(table, expected)
        await pilot.press("k", "k")
        await settle(app, pilot)
        assert table.current_row.id == expected[-3].id
        await pilot.press("g")
        await settle(app, pilot)
        assert table.cursor_row == 0
        assert table.current_row.id == expected[0].id
        await pilot.press("end")
        await settle(app, pilot)
        assert table.cursor_row == CONTACTS - 1
        await pilot.press("home")
        await settle(app, pilot)
        assert table.cursor_row == 0


async def test_paging_keys_move_by_a_screen_or_half_and_rows_stay_in_order(workspace, many):
    expected = all_rows(many)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        body = table._body_height
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert table.cursor_row == body // 2
        await pilot.press("ctrl+u")
        await settle(app, pilot)
        assert table.cursor_row == 0
        await pilot.press("pagedown", "pagedown")
        await settle(app, pilot)
        assert table.cursor_row == 2 * body
        assert table.current_row.id == expected[2 * body].id
        await pilot.press("pageup")
        await settle(app, pilot)
        assert table.cursor_row == body
        assert table.current_row.id == expected[body].id


async def test_paging_through_every_row_keeps_positions_exact_and_memory_bounded(
    workspace, service
):
    add_demo_contacts(workspace.config, 400, workspace.user, seed=3)
    expected = all_rows(service)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        capacity = table._body_height + 4 * table._window.margin
        largest = 0
        while table.cursor_row < len(expected) - 1:
            before = table.cursor_row
            await pilot.press("pagedown")
            await settle(app, pilot)
            assert table.cursor_row > before
            assert table.current_row.id == expected[table.cursor_row].id
            assert_window_matches(table, expected)
            largest = max(largest, len(table.window))
        assert largest <= capacity
        # And all the way back up, reading pages above the window.
        while table.cursor_row > 0:
            await pilot.press("pageup")
            await settle(app, pilot)
            assert table.current_row.id == expected[table.cursor_row].id
            assert_window_matches(table, expected)


async def test_enter_and_double_click_post_opened(workspace, many):
    expected = all_rows(many)
    opened: list[int] = []
    seen: set[int] = set()

    def hook(message) -> None:
        # The hook sees the message at every node it bubbles through: count it once.
        if isinstance(message, ContactTable.Opened) and id(message) not in seen:
            seen.add(id(message))
            opened.append(message.contact_id)

    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        await pilot.press("j")
        table.action_open()
        await pilot.pause()
        assert opened == [expected[1].id]
        # The list opens the contact: wait until its screen is up before going back
        # (an escape that arrives while it is still loading stays on the list).
        for _ in range(200):
            if isinstance(app.screen, ContactDetailScreen):
                break
            await pilot.pause(0.05)
        await wait_for_workers(app)
        await pilot.pause()
        await pilot.press("escape")
        await settle(app, pilot)
        # A double click on the fourth row opens that one.
        await pilot.click(ContactTable, offset=(5, 4), times=2)
        await pilot.pause()
        assert table.cursor_row == 3
        assert opened[-1] == expected[3].id


async def test_click_moves_the_cursor_and_wheel_scrolls(workspace, many):
    expected = all_rows(many)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        await pilot.click(ContactTable, offset=(5, 6))
        assert table.cursor_row == 5
        await pilot.pause()
        for _ in range(10):  # Pilot has no wheel helper: post what the driver would
            table.post_message(_wheel_down(table))
        await settle(app, pilot)
        assert table._top == 30
        assert table.cursor_row == 30  # carried along when it would leave the screen
        assert table.current_row.id == expected[30].id
        assert_window_matches(table, expected)


def _wheel_down(table: ContactTable):
    from textual.events import MouseScrollDown

    return MouseScrollDown(table, 5, 5, 0, 1, 0, False, False, False)


async def test_click_on_a_header_sorts_and_again_reverses(workspace, many):
    expected = all_rows(many, "company")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        x = next(
            sum(w + 1 for _, w in table._column_layout[1][:n])
            for n, (key, _) in enumerate(table._column_layout[1])
            if key == "company"
        )
        await pilot.click(ContactTable, offset=(x + 2, 0))
        await settle(app, pilot)
        assert (table.sort, table.descending) == ("company", False)
        assert table.current_row.id == expected[0].id
        assert "Company ▲" in screen_text(app)
        await pilot.click(ContactTable, offset=(x + 2, 0))
        await settle(app, pilot)
        assert (table.sort, table.descending) == ("company", True)
        assert "Company ▼" in screen_text(app)
        assert table.current_row.id == all_rows(many, "company", True)[0].id


async def test_sort_by_reverses_on_the_same_column_and_pages_stay_in_order(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        for sort, descending in (("scoring", False), ("scoring", True), ("email", False)):
            table.sort_by(sort)
            await settle(app, pilot)
            assert (table.sort, table.descending) == (sort, descending)
            expected = all_rows(many, sort, descending)
            await pilot.press("pagedown", "pagedown", "pagedown")
            await settle(app, pilot)
            assert table.current_row.id == expected[table.cursor_row].id
            assert_window_matches(table, expected)
            await pilot.press("G")
            await settle(app, pilot)
            assert table.current_row.id == expected[-1].id
            await pilot.press("g")
            await settle(app, pilot)


async def test_columns_that_do_not_fit_are_dropped_from_the_right_never_name(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        table.set_columns(list(COLUMNS))  # every column: far too wide for 80 cells
        await pilot.pause()
        shown = table.visible_columns
        assert shown[0] == "name"
        assert shown == list(COLUMNS)[: len(shown)]  # a prefix: dropped from the right
        assert len(shown) < len(COLUMNS)
        header = screen_text(app)
        assert "Name" in header and "Updated" not in header
        # Name last in the user's order still stays when the others cannot fit.
        table.set_columns(["reason_code", "accounts", "full_name", "email", "name"])
        await pilot.pause()
        assert "name" in table.visible_columns
        assert table.columns[-1] == "name"
        # A choice without Name gets it back in front.
        table.set_columns(["email", "company"])
        assert table.columns == ["name", "email", "company"]


def test_fit_columns_fills_the_width_and_keeps_name():
    for width in (20, 40, 79, 99, 199):
        layout = fit_columns(DEFAULT_COLUMNS, width)
        assert layout[0][0] == "name"
        assert sum(w + 1 for _, w in layout) <= width
        if width >= 79:
            assert sum(w + 1 for _, w in layout) == width
    assert [k for k, _ in fit_columns(DEFAULT_COLUMNS, 99)] == list(DEFAULT_COLUMNS)
    assert fit_columns(["email", "name"], 8) == [("name", 7)]


async def test_cells_tenant_wide_stage_names_unknown_steps_and_no_escape_codes(workspace, service):
    first = service.create_contact("Ada Lovelace", "Analytical Engines Ltd")
    lost = service.create_contact("Bob Gone")
    evil = service.create_contact("Carol")
    with workspace.database.connection_context():
        Contact.update(stage="gone").where(Contact.id == lost.id).execute()
        Contact.update(name="Carol \x1b[2J\x1b]0;pwned\x07[bold]x[/bold]").where(
            Contact.id == evil.id
        ).execute()
    app = ContactsApp(workspace)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        table.set_columns(["name", "company", "stage", "category", "template", "status"])
        await pilot.pause()
        text = screen_text(app)
        step = workspace.config.default.first_step
        category = workspace.config.default.category_of(step.key)
        assert "Analytical Engines Ltd" in text
        assert "Tenant-Wide" in text
        assert step.name in text and category.name in text
        assert workspace.config.default.name in text
        assert "unknown: gone" in text
        assert "[bold]x[/bold]" in text  # shown as typed, not parsed as markup
        strips = [table.render_line(y) for y in range(table.size.height)]
        drawn = "".join(seg.text for strip in strips for seg in strip)
        assert "\x1b" not in drawn and "\x07" not in drawn
        assert first.id in [r.id for r in table.window]


async def test_empty_view_says_so(workspace):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        assert table.total == 0 and table.current_row is None
        text = screen_text(app)
        assert "No contacts yet." in text
        # How to start: the keys that add and import, and the demo for sample data.
        assert "a   add a contact" in text
        assert "i   import contacts from a CSV, JSON or vCard file" in text
        assert "contacts-tui demo" in text
        await pilot.press("j", "G", "pagedown", "enter")  # nothing to move to, no error
        await settle(app, pilot)
        assert table.cursor_row == 0


async def test_reload_keeps_the_cursor_on_its_contact_and_renumbers_rows(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        await pilot.press("pagedown", "pagedown", "pagedown", "j")
        await settle(app, pilot)
        row, contact = table.cursor_row, table.current_row.id
        # Someone adds two contacts that sort above the view, one below it.
        many.create_contact("Aaaa First")
        many.create_contact("Aaab Second")
        many.create_contact("Zzzz Last")
        table.reload()
        await settle(app, pilot)
        expected = all_rows(many)
        assert table.current_row.id == contact
        assert table.cursor_row == row + 2
        assert expected[table.cursor_row].id == contact
        assert_window_matches(table, expected)
        assert table.total == CONTACTS + 3


async def test_a_narrow_sorted_column_keeps_its_arrow_in_the_header(workspace, many):
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        table.set_columns(["name", "scoring", "status", "company"])
        await pilot.pause()
        assert dict(table._layout())["scoring"] == len("Scoring")  # no room for " ▲"
        await pilot.press("s", "down", "enter")  # sort by the column after Name: Scoring
        await settle(app, pilot)
        assert table.sort == "scoring"
        header = next(line for line in screen_text(app).splitlines() if "Name" in line)
        assert "Scor… ▲" in header
        await pilot.press("s", "enter")  # again: reversed
        await settle(app, pilot)
        header = next(line for line in screen_text(app).splitlines() if "Name" in line)
        assert "Scor… ▼" in header
