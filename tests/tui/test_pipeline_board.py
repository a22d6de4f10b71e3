"""The pipeline board: columns, paging, and moving contacts with the stepper's questions."""

from __future__ import annotations

import pytest
from pilot_helpers import screen_text, settle, until
from textual.widgets import OptionList

from contacts_tui.app import ContactsApp
from contacts_tui.dialogs.choose_step import ChooseStepDialog
from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.screens.contact_detail import ContactDetailScreen
from contacts_tui.screens.pipeline_board import PipelineBoardScreen
from contacts_tui.services import ContactFilter
from contacts_tui.widgets.board_column import BoardColumn


@pytest.fixture
def people(service) -> dict[str, int]:
    """Ada at New Lead, Bob at Contacted, Cy at Client Onboarded (all standard)."""
    ids = {name: service.create_contact(name).id for name in ("Ada", "Bob", "Cy")}
    service.set_stage(ids["Bob"], "contacted")
    service.set_stage(ids["Cy"], "client_onboarded")
    return ids


async def open_board(pilot) -> PipelineBoardScreen:
    await settle(pilot, 2)
    await pilot.press("b")
    await settle(pilot, 3)
    board = pilot.app.screen
    assert isinstance(board, PipelineBoardScreen)
    return board


def column(board: PipelineBoardScreen, step: str) -> BoardColumn:
    return board.query_one(f"#column-{step}", BoardColumn)


def names(board: PipelineBoardScreen, step: str) -> list[str]:
    return [card.name for card in column(board, step).cards]


async def go_to(pilot, board: PipelineBoardScreen, step: str) -> None:
    for _ in range(12):
        if board.current_column is column(board, step):
            return
        await pilot.press("l")
    raise AssertionError(f"never reached {step}")


async def toast(pilot, text: str) -> str:
    """Wait for a notification with `text` to be drawn; the screen's text then."""
    for _ in range(40):
        await settle(pilot)
        shown = screen_text(pilot.app)
        if text in shown:
            return shown
        await pilot.pause(0.05)
    raise AssertionError(f"no toast with {text!r}; notified: {pilot.app._notifications}")


async def test_board_shows_the_steps_with_counts_and_cards(workspace, people):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        board = await open_board(pilot)
        assert names(board, "new_lead") == ["Ada"]
        assert names(board, "contacted") == ["Bob"]
        assert names(board, "client_onboarded") == ["Cy"]
        assert column(board, "qualified").count == 0
        text = screen_text(app)
        assert "Lead Generation" in text and "New Lead" in text
        assert "0 days · Tenant-Wide" in text
        assert "3 contacts" in text
        assert board.current_column is column(board, "new_lead")


async def test_next_step_moves_at_once_and_the_counts_follow(workspace, service, people):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        board = await open_board(pilot)
        await pilot.press("right_square_bracket")
        await toast(pilot, "Moved Ada to Contacted.")
        assert not isinstance(app.screen, ConfirmDialog)
        assert service.get_contact(people["Ada"]).stage == "contacted"
        assert names(board, "new_lead") == []
        assert names(board, "contacted") == ["Ada", "Bob"]
        assert (column(board, "new_lead").count, column(board, "contacted").count) == (0, 2)


async def test_a_move_back_asks_and_no_keeps_the_contact(workspace, service, people):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        board = await open_board(pilot)
        await go_to(pilot, board, "contacted")
        await pilot.press("left_square_bracket")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Move Bob back from “Contacted” to “New Lead”?" in screen_text(app)
        await pilot.press("n")
        await settle(pilot, 2)
        assert app.screen is board
        assert service.get_contact(people["Bob"]).stage == "contacted"
        await pilot.press("left_square_bracket")
        await pilot.pause()
        await pilot.press("y")
        await toast(pilot, "Moved Bob to New Lead.")
        assert service.get_contact(people["Bob"]).stage == "new_lead"
        assert names(board, "new_lead") == ["Ada", "Bob"]


async def test_closing_asks_and_any_step_can_be_picked(workspace, service, people):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        board = await open_board(pilot)
        await go_to(pilot, board, "client_onboarded")
        await pilot.press("right_square_bracket")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Close Cy as “Closed – Won” (won)?" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, 2)
        assert service.get_contact(people["Cy"]).stage == "client_onboarded"
        await pilot.press("m")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ChooseStepDialog)
        options = dialog.query_one(OptionList)
        while options.highlighted_option.id != "closed_lost":
            await pilot.press("down")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Close Cy as “Closed – Lost” (lost)?" in screen_text(app)
        await pilot.press("y")
        await toast(pilot, "Moved Cy to Closed – Lost.")
        detail = service.get_contact(people["Cy"])
        assert (detail.stage, detail.status) == ("closed_lost", "Closed")
        assert names(board, "closed_lost") == ["Cy"]


async def test_a_contact_changed_meanwhile_is_not_moved(workspace, service, people):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        board = await open_board(pilot)
        ada = service.get_contact(people["Ada"])
        service.update_contact(ada.id, ada.version, full_name="Ada King")  # another session
        await pilot.press("right_square_bracket")
        await toast(pilot, "meanwhile; nothing was moved.")
        assert service.get_contact(people["Ada"]).stage == "new_lead"
        assert names(board, "new_lead") == ["Ada"]


async def test_enter_opens_the_contact_and_escape_goes_back(workspace, people):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        board = await open_board(pilot)
        await pilot.press("enter")
        await settle(pilot, 2)
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.contact_id == people["Ada"]
        await pilot.press("escape")
        await settle(pilot, 2)
        assert app.screen is board
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, PipelineBoardScreen)


async def test_the_lists_filter_applies(workspace, service, people):
    bob = service.get_contact(people["Bob"])
    service.update_contact(bob.id, bob.version, segmentation="SMB")
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot, 2)
        app.screen.apply_filter(ContactFilter(segmentation="SMB"))
        board = await open_board(pilot)
        assert board.contact_filter.segmentation == "SMB"
        assert names(board, "contacted") == ["Bob"]
        assert (names(board, "new_lead"), column(board, "new_lead").count) == ([], 0)
        assert "1 contacts" in screen_text(app)


async def test_a_long_column_loads_a_page_at_a_time(workspace, service):
    for n in range(75):
        service.create_contact(f"Lead {n:02d}")
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        board = await open_board(pilot)
        leads = column(board, "new_lead")
        assert leads.count == 75
        assert len(leads.cards) == 30 and leads.has_more
        await pilot.press("end")
        await settle(pilot, 3)
        assert len(leads.cards) == 60
        await pilot.press("end")
        await settle(pilot, 3)
        assert [c.name for c in leads.cards] == [f"Lead {n:02d}" for n in range(75)]
        assert not leads.has_more


async def test_at_80_columns_the_current_column_is_whole(workspace, people):
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        board = await open_board(pilot)
        for step in ("contacted", "interested", "qualified", "proposal_sent", "closed_lost"):
            await go_to(pilot, board, step)
            await pilot.pause()
            region = column(board, step).region
            assert region.x >= 0 and region.right <= 80, step


@pytest.mark.parametrize(("command", "screen_type"), [("Board", "PipelineBoardScreen"),
                                                       ("Reports", "ReportsScreen")])  # fmt: skip
async def test_the_palette_opens_the_board_and_the_reports(workspace, people, command, screen_type):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot, 2)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*f"Contacts: {command}")
        for _ in range(20):
            await pilot.pause(0.05)
            if f"Contacts: {command}" in screen_text(app):
                break
        await pilot.press("enter")
        await settle(pilot, 3)
        assert type(app.screen).__name__ == screen_type


async def test_another_sessions_move_shows_within_two_seconds(workspace, service, people):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        board = await open_board(pilot)
        service.set_stage(people["Ada"], "qualified")  # another connection, as another user's
        for _ in range(40):
            await pilot.pause(0.1)
            if names(board, "qualified") == ["Ada"]:
                break
        assert names(board, "qualified") == ["Ada"]
        assert names(board, "new_lead") == []
