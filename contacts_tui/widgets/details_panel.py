"""The Details tab of a contact: bank accounts, addresses, e-mails and phone numbers."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from contacts_tui.services import ContactDetail
from contacts_tui.widgets.record_table import SECTIONS, RecordTable


class DetailsPanel(Widget):
    """The four record sections of one contact, each an editable RecordTable."""

    DEFAULT_CSS = """
    DetailsPanel {
        height: 1fr;
    }
    DetailsPanel > VerticalScroll {
        height: 1fr;
    }
    DetailsPanel .details--warning {
        color: $text-warning;
        background: $warning-muted;
        padding: 0 1;
        margin-bottom: 1;
    }
    """

    @dataclass
    class Changed(Message):
        """A record was added, edited, deleted or made primary; re-read the contact."""

        panel: DetailsPanel
        contact_id: int

        @property
        def control(self) -> DetailsPanel:
            return self.panel

    def __init__(self, contact_id: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.contact_id = contact_id
        self.detail: ContactDetail | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", classes="details--warning", id="details-warning", markup=False)
            for section in SECTIONS:
                yield RecordTable(section)

    def on_mount(self) -> None:
        self._refresh()

    def show(self, detail: ContactDetail) -> None:
        """Show the records of the freshly read contact."""
        self.contact_id = detail.id
        self.detail = detail
        if self.is_mounted:
            self._refresh()

    def _refresh(self) -> None:
        detail = self.detail
        for table in self.query(RecordTable):
            table.show(table.section.records(detail) if detail else ())
        warning = self.query_one("#details-warning", Static)
        missing = missing_primaries(detail) if detail else []
        warning.update(
            f"⚠ This contact has no primary {' and no primary '.join(missing)}." if missing else ""
        )
        warning.display = bool(missing)


def missing_primaries(detail: ContactDetail) -> list[str]:
    """Which of e-mail and phone number the contact has no primary of (spec section 8)."""
    missing = []
    if not any(e.is_primary for e in detail.emails):
        missing.append("e-mail")
    if not any(p.is_primary for p in detail.phones):
        missing.append("phone number")
    return missing
