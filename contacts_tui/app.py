"""The Textual application: wires the workspace's services and pushes the first screen."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker

from contacts_tui.documents import BlobStore
from contacts_tui.screens.contact_list import ContactListScreen
from contacts_tui.services import ContactService
from contacts_tui.store.database import first_line
from contacts_tui.validation import display_safe
from contacts_tui.workspace import Workspace


class ContactsApp(App):
    """Sales Management → Contacts."""

    TITLE = "Contacts"
    SUB_TITLE = "Sales Management"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        # Not in the footer: it is the same in every terminal app, and at 80 columns
        # the footer has room only for the keys of this screen (help and ctrl+p list it).
        Binding("q", "quit", "Quit", show=False, id="app.quit", tooltip="Leave contacts-tui"),
        Binding(
            "question_mark",
            "help",
            "Help",
            key_display="?",
            id="app.help",
            tooltip="Every key of this screen and what it does",
        ),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        # documents: the workspace's document store (issue 6).
        store = BlobStore(workspace.documents, group_shared=workspace.group_shared)
        self.service = ContactService(workspace.config, workspace.user, documents=store)

    def get_default_screen(self) -> Screen:
        # The list is the first screen itself, not pushed over an empty one: one frame
        # fewer to draw and send before the contacts show.
        return ContactListScreen()

    def action_help(self) -> None:
        from contacts_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Every key of this screen and what it does", self.action_help)

    def report_worker_error(self, worker: Worker) -> None:
        """Tell the user that a background read or write failed, in one line.

        Widgets call this from their `Worker.StateChanged` handlers (the message does
        not bubble), so every database failure looks the same, wherever it happened.
        """
        error = worker.error
        if error is None:
            return
        self.notify(
            Text(display_safe(first_line(error))),
            title="Could not finish that",
            severity="error",
            timeout=10,
        )
