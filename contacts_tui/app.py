"""The Textual application: wires the workspace's services and pushes the first screen."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from contacts_tui.documents import BlobStore
from contacts_tui.screens.contact_list import ContactListScreen
from contacts_tui.services import ContactService
from contacts_tui.workspace import Workspace


class ContactsApp(App):
    """Sales Management → Contacts."""

    TITLE = "Contacts"
    SUB_TITLE = "Sales Management"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave contacts-tui"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        # documents: the workspace's document store (issue 6).
        store = BlobStore(workspace.documents, group_shared=workspace.group_shared)
        self.service = ContactService(workspace.config, workspace.user, documents=store)

    def on_mount(self) -> None:
        self.push_screen(ContactListScreen())
