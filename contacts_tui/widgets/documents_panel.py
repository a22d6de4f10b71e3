"""The Documents tab of a contact: the contact's files, with upload, preview, save and delete."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static

from contacts_tui.documents import human_size
from contacts_tui.services import ContactDetail, DocumentInfo
from contacts_tui.validation import display_safe

COLUMNS = (
    ("File name", "file_name"),
    ("Type", "doc_type"),
    ("Size", "size"),
    ("Uploaded", "uploaded_at"),
    ("By", "uploaded_by"),
)


class DocumentsPanel(Widget):
    """The documents of one contact, as a table."""

    DEFAULT_CSS = """
    DocumentsPanel {
        height: 1fr;
    }
    DocumentsPanel > DataTable {
        height: 1fr;
    }
    DocumentsPanel > .documents--empty {
        color: $text-muted;
        padding: 0 1;
    }
    """

    @dataclass
    class Changed(Message):
        """A document of the contact was uploaded, deleted or retyped; re-read the contact."""

        panel: DocumentsPanel
        contact_id: int

        @property
        def control(self) -> DocumentsPanel:
            return self.panel

    def __init__(self, contact_id: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.contact_id = contact_id
        self.documents: tuple[DocumentInfo, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(
            "No documents yet. Press u to upload one.", classes="documents--empty", markup=False
        )
        yield DataTable(id="documents-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in COLUMNS:
            table.add_column(label, key=key)
        self._refresh_table()

    def show(self, detail: ContactDetail) -> None:
        """Show the documents of the freshly read contact."""
        self.contact_id = detail.id
        self.documents = detail.documents
        if self.is_mounted:
            self._refresh_table()

    def _refresh_table(self) -> None:
        table = self.query_one(DataTable)
        selected = self.selected
        table.clear()
        for doc in self.documents:
            table.add_row(*_cells(doc), key=str(doc.id))
        self.query_one(".documents--empty").display = not self.documents
        if selected is not None:
            for index, doc in enumerate(self.documents):
                if doc.id == selected.id:
                    table.move_cursor(row=index)

    @property
    def selected(self) -> DocumentInfo | None:
        """The document under the cursor, if any."""
        if not self.is_mounted or not self.documents:
            return None
        row = self.query_one(DataTable).cursor_row
        if 0 <= row < len(self.documents):
            return self.documents[row]
        return None


def _cells(doc: DocumentInfo) -> tuple[Text, ...]:
    # Text objects, never str: a DataTable parses str cells as Rich markup.
    return (
        Text(display_safe(doc.file_name)),
        Text(display_safe(doc.doc_type) or "—"),
        Text(human_size(doc.size), justify="right"),
        Text(f"{doc.uploaded_at:%Y-%m-%d %H:%M}"),
        Text(display_safe(doc.uploaded_by)),
    )
