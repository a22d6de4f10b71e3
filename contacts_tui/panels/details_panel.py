"""The Details tab of a contact: bank accounts, addresses, e-mails and phone numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from contacts_tui.dialogs.choose_primary import ChoosePrimaryDialog
from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.record_form import RecordForm
from contacts_tui.safe_text import display_safe
from contacts_tui.services import ConflictError, ContactDetail, NotFoundError
from contacts_tui.validation import ValidationError
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.record_table import SECTIONS, RecordTable, Section
from contacts_tui.widgets.reporting import reported_work, tell


class DetailsPanel(Widget):
    """The four record sections of one contact, each an editable RecordTable.

    `tab` moves between the sections; in a section `a` adds, `enter` edits, `d` deletes
    (asking first) and `p` makes the record under the cursor the primary one. After any
    change the panel posts `Changed`; whoever hosts it re-reads the contact and calls
    `show` again.
    """

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
        self._select: dict[str, int] = {}  # per section kind: the record to put the cursor on

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):
            yield Static("", classes="details--warning", id="details-warning")
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

    def table(self, kind: str) -> RecordTable:
        return self.query_one(f"#records-{kind}", RecordTable)

    def _refresh(self) -> None:
        detail = self.detail
        for table in self.query(RecordTable):
            records = table.section.records(detail) if detail else ()
            table.show(records, select_id=self._select.pop(table.section.kind, None))
        warning = self.query_one("#details-warning", Static)
        missing = missing_primaries(detail) if detail else []
        text = (
            f"⚠ This contact has no primary {' and no primary '.join(missing)}." if missing else ""
        )
        warning.update(Text(text))
        warning.display = bool(missing)

    # ----- what the sections ask for ---------------------------------------------------

    @on(RecordTable.Requested)
    def _requested(self, event: RecordTable.Requested) -> None:
        event.stop()
        section, record = event.table.section, event.record
        if event.action == "add":
            self._open_form(section, None)
        elif event.action == "edit":
            self._open_form(section, record)
        elif event.action == "delete":
            self._ask_delete(section, record)
        elif event.action == "primary":
            self.make_primary(section, record.id)

    def _records(self, section: Section) -> tuple:
        return section.records(self.detail) if self.detail else ()

    def reopen_form(self, kind: str, record_id: int | None, values: dict[str, str]) -> None:
        """Open the form of a draft being restored, with what it held."""
        section = next((s for s in SECTIONS if s.kind == kind), None)
        if section is None:
            return
        record = next((r for r in self._records(section) if r.id == record_id), None)
        if record_id is not None and record is None:
            tell(self, f"That {section.noun} was deleted meanwhile; your edit opens as a new one.")
        self._open_form(section, record, values)

    def _open_form(
        self, section: Section, record: Any | None, values: dict[str, str] | None = None
    ) -> None:
        has_primary = (
            any(r.is_primary for r in self._records(section)) if section.has_primary else True
        )

        form = RecordForm(section, self.contact_id, record, has_primary=has_primary, initial=values)

        def saved(info: Any | None) -> None:
            if info is not None:
                self._changed(section, info.id)
                self.table(section.kind).focus()
            elif form.record_gone:  # deleted in another session: the list is stale
                self.post_message(self.Changed(self, self.contact_id))

        self.app.push_screen(form, saved)

    @reported_work(exclusive=True, group="details-dialog")
    async def _ask_delete(self, section: Section, record: Any) -> None:
        """Ask before deleting; for the primary, also which record takes its place."""
        noun = section.noun
        others = [r for r in self._records(section) if r.id != record.id]
        what = display_safe(section.summary(record))
        successor = None
        if section.has_primary and record.is_primary and len(others) > 1:
            successor = await self.app.push_screen_wait(
                ChoosePrimaryDialog(
                    f"Delete the primary {noun} {what}? Choose the {noun} that becomes the"
                    " primary one instead:",
                    [(r.id, section.summary(r)) for r in others],
                )
            )
            if successor is None:
                return
        else:
            question = f"Delete the {noun} {what}?"
            if section.has_primary and record.is_primary and others:
                successor = others[0].id
                question += (
                    f" {display_safe(section.summary(others[0]))} becomes the primary {noun}."
                )
            elif section.has_primary and record.is_primary:
                question += f" The contact will have no primary {noun}."
            confirmed = await self.app.push_screen_wait(
                ConfirmDialog(question, confirm_label="Delete", danger=True)
            )
            if not confirmed:
                return
        self.delete(section, record.id, successor)

    # ----- writing (worker threads) ------------------------------------------------------

    @reported_work(thread=True, exclusive=True, group="store")
    def delete(self, section: Section, record_id: int, successor_id: int | None) -> None:
        try:
            contacts_app(self).service.records.delete(section.kind, record_id, successor_id)
        except (ValidationError, NotFoundError, ConflictError) as error:
            self.app.call_from_thread(self._refused, section, str(error))
            return
        self.app.call_from_thread(self._changed, section, successor_id)

    @reported_work(thread=True, exclusive=True, group="store")
    def make_primary(self, section: Section, record_id: int) -> None:
        try:
            contacts_app(self).service.records.make_primary(section.kind, record_id)
        except (ValidationError, NotFoundError, ConflictError) as error:
            self.app.call_from_thread(self._refused, section, str(error))
            return
        self.app.call_from_thread(self._changed, section, record_id)

    def _changed(self, section: Section, select_id: int | None) -> None:
        if select_id is not None:
            self._select[section.kind] = select_id
        self.post_message(self.Changed(self, self.contact_id))

    def _refused(self, section: Section, message: str) -> None:
        tell(self, display_safe(message), title=section.title, severity="error")
        # What the user saw may be stale (a colleague deleted the record): read it again.
        self.post_message(self.Changed(self, self.contact_id))


def missing_primaries(detail: ContactDetail) -> list[str]:
    """Which of e-mail and phone number the contact has no primary of (spec section 8)."""
    missing = []
    if not any(e.is_primary for e in detail.emails):
        missing.append("e-mail")
    if not any(p.is_primary for p in detail.phones):
        missing.append("phone number")
    return missing
