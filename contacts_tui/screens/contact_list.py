"""The landing screen: every contact in a list."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header

from contacts_tui.services import Page
from contacts_tui.validation import display_safe

COLUMNS = (
    ("Name", "name"),
    ("E-mail", "email"),
    ("Number", "phone"),
    ("Company", "company"),
    ("Status", "status"),
)


class ContactListScreen(Screen):
    """The contacts, a page at a time."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="contacts", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#contacts", DataTable)
        for label, key in COLUMNS:
            table.add_column(label, key=key)
        self.load_page()

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def load_page(self) -> None:
        page = self.app.service.list_page(limit=200)
        self.app.call_from_thread(self.show_page, page)

    def show_page(self, page: Page) -> None:
        table = self.query_one("#contacts", DataTable)
        for row in page.rows:
            table.add_row(
                *(display_safe(getattr(row, key)) or "" for _, key in COLUMNS[:3]),
                display_safe(row.company) or "Tenant-Wide",
                row.status,
                key=str(row.id),
            )
