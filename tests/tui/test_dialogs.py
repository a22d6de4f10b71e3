"""The list screen's dialogs, driven with Pilot in a small host app: keys, messages, results."""

from __future__ import annotations

from typing import Any

import pytest
from screen_text import screen_text
from textual.app import App
from textual.screen import Screen

from contacts_tui.screens.confirm import ConfirmDialog
from contacts_tui.services import ContactService
from contacts_tui.workspace import Workspace


class Host(App):
    """Just enough of ContactsApp for a dialog: the service, the workspace, a blank screen."""

    def __init__(self, workspace: Workspace | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        if workspace is not None:
            self.service = ContactService(workspace.config, workspace.user)
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(Screen())

    def open(self, dialog) -> None:
        self.push_screen(dialog, callback=self.results.append)


async def settle(app: App, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


# ----- ConfirmDialog ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "answer"), [("y", True), ("enter", True), ("n", False), ("escape", False)]
)
async def test_confirm_keys(keys, answer):
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(ConfirmDialog("Archive “Ada”?", confirm_label="Archive", danger=True))
        await pilot.pause()
        text = screen_text(app)
        assert "Archive “Ada”?" in text
        assert "Archive" in text and "Cancel" in text
        await pilot.press(keys)
        await pilot.pause()
        assert app.results == [answer]
        assert not isinstance(app.screen, ConfirmDialog)


async def test_confirm_enter_on_the_focused_cancel_button_cancels():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(ConfirmDialog("Discard your edits?"))
        await pilot.pause()
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert app.results == [False]


async def test_confirm_shows_contact_data_as_plain_text_not_markup():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(ConfirmDialog("Delete [b]Eve[/b]\x1b[31m?", confirm_label="[red]Go"))
        await pilot.pause()
        text = screen_text(app)
        assert "Delete [b]Eve[/b]?" in text  # the escape sequence is gone whole
        assert "[red]Go" in text
        await pilot.press("y", "y")  # a double press dismisses once
        await pilot.pause()
        assert app.results == [True]
