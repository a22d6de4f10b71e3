"""Other sessions' changes reach the list by reading only the contacts they changed.

A colleague's save used to make every session read its whole screenful again. Now the
change feed names the contacts, and the list reads those alone: nothing when they are
elsewhere in the list, the row itself when it is on screen, and where it now sorts
when it moved. These tests check the list against a fresh read of the store after
each change (the order is the database's), with the changes made by another process.
"""

from __future__ import annotations

import pytest
from pilot_helpers import screen_text
from pilot_helpers import settle as settle_workers
from test_live_refresh import elsewhere, wait_until

from contacts_tui.app import ContactsApp
from contacts_tui.demo import add_demo_contacts
from contacts_tui.screens.contact_list import ContactListScreen
from contacts_tui.services import ContactFilter
from contacts_tui.widgets.dashboard import DashboardBar

SIZE = (100, 30)
CONTACTS = 300  # several screenfuls: the table holds only a window of them


@pytest.fixture
def db_url(backend, request) -> str | None:
    return None if backend == "sqlite" else request.getfixturevalue("pg_server_url")


@pytest.fixture
def many(workspace) -> int:
    add_demo_contacts(workspace.config, CONTACTS, workspace.user, seed=7)
    return CONTACTS


class Reads:
    """Counts the list's reads through the service the app uses."""

    def __init__(self, service) -> None:
        self.pages = 0
        self.changes = 0
        page, changes = service.list_page, service.window_changes

        def counted_page(*args, **kwargs):
            self.pages += 1
            return page(*args, **kwargs)

        def counted_changes(*args, **kwargs):
            self.changes += 1
            return changes(*args, **kwargs)

        service.list_page = counted_page
        service.window_changes = counted_changes


def list_ids(service, sort: str = "name", descending: bool = False) -> list[int]:
    page = service.list_page(ContactFilter(), sort, descending, limit=10**4)
    return [row.id for row in page.rows]


def assert_window_is_the_store(screen: ContactListScreen, expected: list[int]) -> None:
    """The rows held are the store's rows at their places, and the cursor's number is
    its contact's place in the store's order."""
    table = screen.table
    ids = [row.id for row in table.window]
    current = table.current_row
    assert current is not None
    start = table.cursor_row - ids.index(current.id)
    assert expected[start : start + len(ids)] == ids
    assert expected.index(current.id) == table.cursor_row


async def wait_for_changes_read(pilot, app, reads: Reads, before: int) -> None:
    await wait_until(pilot, lambda: reads.changes > before)
    await settle_workers(pilot, rounds=3)
    await wait_until(pilot, lambda: not app.screen.table.busy)


def rename(contact_id: int, name: str) -> str:
    return (
        f"c = service.get_contact({contact_id})\n"
        f"service.update_contact(c.id, c.version, name={name!r})\n"
    )


async def test_a_change_elsewhere_reads_one_contact_and_a_move_keeps_the_cursor(
    backend, workspace, service, many, db_url
):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle_workers(pilot, rounds=3)
        screen = app.screen
        await pilot.press("j", "j")
        await settle_workers(pilot)
        order = list_ids(service)
        cursor_id = screen.table.current_row.id
        held = screen.table.window
        assert len(held) < len(order)
        reads = Reads(app.service)

        # The last contact of the list, renamed so that it stays last: far from the
        # window, so one look-up and nothing else; the rows on screen are the same.
        last = order[-1]
        elsewhere(workspace, db_url, rename(last, "Zzzz Still Last"))
        await wait_for_changes_read(pilot, app, reads, 0)
        assert reads.pages == 0
        assert screen.table.window == held
        assert screen.table.current_row.id == cursor_id

        # Renamed to sort first: it joins the top of the window, the cursor moves
        # down with its own contact, and still no page is read.
        changes = reads.changes
        elsewhere(workspace, db_url, rename(last, "Aaaa Now First"))
        await wait_for_changes_read(pilot, app, reads, changes)
        assert reads.pages == 0
        assert screen.table.window[0].name == "Aaaa Now First"
        assert "Aaaa Now First" in screen_text(app)
        assert screen.table.current_row.id == cursor_id
        assert screen.table.cursor_row == 3
        assert_window_is_the_store(screen, list_ids(service))

        # The contact under the cursor renamed to sort further down, inside the
        # window: the cursor follows it.
        changes = reads.changes
        target = screen.table.window[12]
        name = target.name + " Moved"  # sorts right after the 13th row
        elsewhere(workspace, db_url, rename(cursor_id, name))
        await wait_for_changes_read(pilot, app, reads, changes)
        assert reads.pages == 0
        assert screen.table.current_row.id == cursor_id
        assert screen.table.current_row.name == name
        assert_window_is_the_store(screen, list_ids(service))


async def test_scrolled_down_the_numbers_follow_changes_above_the_window(
    backend, workspace, service, many, db_url
):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle_workers(pilot, rounds=3)
        screen = app.screen
        for _ in range(6):  # well below the first window
            await pilot.press("pagedown")
            await settle_workers(pilot)
        table = screen.table
        order = list_ids(service)
        cursor_id = table.current_row.id
        position = table.cursor_row
        assert order.index(cursor_id) == position
        assert position - [r.id for r in table.window].index(cursor_id) > 0  # held from row > 0

        # The first contact of the list renamed to sort last: one row fewer above.
        elsewhere(workspace, db_url, rename(order[0], "Zzzz From The Top"))
        await wait_until(pilot, lambda: table.cursor_row == position - 1)
        assert table.current_row.id == cursor_id
        assert_window_is_the_store(screen, list_ids(service))

        # Two contacts archived: one above the window, one on screen below the cursor.
        order = list_ids(service)
        on_screen = [r.id for r in table.window]
        below = on_screen[on_screen.index(cursor_id) + 2]
        elsewhere(workspace, db_url, f"service.archive({order[3]})\nservice.archive({below})\n")
        await wait_until(pilot, lambda: below not in [r.id for r in table.window])
        await wait_until(pilot, lambda: table.cursor_row == position - 2)
        assert table.current_row.id == cursor_id
        assert_window_is_the_store(screen, list_ids(service))
        dashboard = screen.query_one(DashboardBar)
        await wait_until(pilot, lambda: dashboard.counts.total == CONTACTS - 2)


async def test_sorted_by_last_update_a_change_moves_the_contact_to_the_top(
    backend, workspace, service, many, db_url
):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle_workers(pilot, rounds=3)
        screen = app.screen
        screen.table.show(sort="updated", descending=True)
        await settle_workers(pilot, rounds=3)
        await pilot.press("j")
        await settle_workers(pilot)
        cursor_id = screen.table.current_row.id
        order = list_ids(service, sort="updated", descending=True)
        far = order[-1]  # updated longest ago: the bottom of the list
        reads = Reads(app.service)
        elsewhere(workspace, db_url, rename(far, "Freshly Edited"))
        await wait_for_changes_read(pilot, app, reads, 0)
        await wait_until(pilot, lambda: screen.table.window[0].id == far)
        assert reads.pages == 0
        assert screen.table.current_row.id == cursor_id
        assert screen.table.cursor_row == 2
        assert_window_is_the_store(screen, list_ids(service, sort="updated", descending=True))


async def test_a_search_gains_a_contact_renamed_elsewhere_and_counts_it(
    backend, workspace, service, many, db_url
):
    zed = service.create_contact("Zed Quuxley").id
    other = service.list_page(limit=1).rows[0].id
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle_workers(pilot, rounds=3)
        screen = app.screen
        await pilot.press("slash", *"quux")
        await settle_workers(pilot, rounds=3)
        await wait_until(pilot, lambda: "1 match" in screen_text(app))
        assert [row.id for row in screen.table.window] == [zed]

        elsewhere(workspace, db_url, rename(other, "Abel Quuxford"))
        await wait_until(pilot, lambda: "2 matches" in screen_text(app))
        # the count and the changed row are read separately: either may come first
        await wait_until(pilot, lambda: len(screen.table.window) == 2)
        assert [row.name for row in screen.table.window] == ["Abel Quuxford", "Zed Quuxley"]
        assert screen.table.current_row.id == zed  # the cursor stays on its contact
