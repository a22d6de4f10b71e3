"""One editable table for a contact's sub-records, configured by a section description.

The Details tab shows bank accounts, addresses, e-mails and phone numbers with this one
widget: a `Section` says which columns to show, which fields the add/edit form asks for
(required or not, free text, a picklist, a country or a state) and which service kind
saves them. The widget itself only shows rows and turns keys into requests; the
DetailsPanel that hosts it does the asking and the saving.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static

from contacts_tui.safe_text import display_safe
from contacts_tui.services import ContactDetail
from contacts_tui.validation import format_iban, format_phone, state_choices
from contacts_tui.widgets.reporting import tell

PRIMARY_MARK = "★"

# ----- section descriptions --------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One field of the add/edit form; `key` is the service's (and the record's) name for it."""

    key: str
    label: str
    required: bool = False
    kind: str = "text"  # "text", "type" (a config picklist), "country", "state"
    picklist: str = ""  # for kind "type": the name of the config picklist
    placeholder: str = ""
    max_length: int = 200


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the table: its heading and how a record is shown in it."""

    label: str
    cell: Callable[[Any], str]
    width: int | None = None


@dataclass(frozen=True)
class Section:
    """Everything the table, the form and the panel need to know about one kind of record."""

    kind: str  # the service's name for the kind: "email", "phone", "address", "bank_account"
    title: str  # "E-mails"
    noun: str  # "e-mail", for questions and messages
    columns: tuple[ColumnSpec, ...]
    fields: tuple[FieldSpec, ...]
    records: Callable[[ContactDetail], tuple]
    summary: Callable[[Any], str]  # one line that names a record in a question
    has_primary: bool = True
    duplicate_field: str | None = None  # the field whose value other contacts may share

    def field(self, key: str) -> FieldSpec:
        return next(f for f in self.fields if f.key == key)


def _state_name(record: Any) -> str:
    names = dict(state_choices(record.country)) if record.country else {}
    return names.get(record.state, record.state)


def _address_line(record: Any) -> str:
    parts = [record.address, " ".join(p for p in (record.zip_code, record.locality) if p)]
    parts += [record.city, record.country]
    return ", ".join(p for p in parts if p)


BANK_ACCOUNTS = Section(
    kind="bank_account",
    title="Bank Accounts",
    noun="bank account",
    columns=(
        ColumnSpec("Name", lambda r: r.name),
        ColumnSpec("IBAN", lambda r: format_iban(r.iban)),
        ColumnSpec("SWIFT", lambda r: r.bic),
    ),
    fields=(
        FieldSpec("name", "Name", required=True, placeholder="e.g. Main account"),
        FieldSpec("iban", "IBAN", required=True, placeholder="e.g. DE89 3704 0044 0532 0130 00"),
        FieldSpec("bic", "SWIFT", placeholder="8 or 11 characters, e.g. COBADEFFXXX"),
    ),
    records=lambda detail: detail.bank_accounts,
    summary=lambda r: f"{r.name} ({format_iban(r.iban)})",
    has_primary=False,
    duplicate_field="iban",
)

ADDRESSES = Section(
    kind="address",
    title="Addresses",
    noun="address",
    columns=(
        ColumnSpec("Address", lambda r: r.address),
        ColumnSpec("Zip Code", lambda r: r.zip_code),
        ColumnSpec("Locality", lambda r: r.locality),
        ColumnSpec("City", lambda r: r.city),
        ColumnSpec("State", _state_name),
        ColumnSpec("Country", lambda r: r.country),
        ColumnSpec("Type", lambda r: r.type),
    ),
    fields=(
        FieldSpec("address", "Address", required=True, placeholder="Street and number"),
        FieldSpec("country", "Country", kind="country"),
        FieldSpec("state", "State", kind="state"),
        FieldSpec("city", "City"),
        FieldSpec("zip_code", "Zip Code", required=True, max_length=16),
        FieldSpec("locality", "Locality", required=True, placeholder="Town or district"),
        FieldSpec("type", "Type", kind="type", picklist="address_types"),
    ),
    records=lambda detail: detail.addresses,
    summary=_address_line,
)

EMAILS = Section(
    kind="email",
    title="E-mails",
    noun="e-mail",
    columns=(
        ColumnSpec("E-mail", lambda r: r.email),
        ColumnSpec("Type", lambda r: r.type),
    ),
    fields=(
        FieldSpec("email", "E-mail", required=True, placeholder="name@example.com", max_length=320),
        FieldSpec("type", "Type", kind="type", picklist="email_types"),
    ),
    records=lambda detail: detail.emails,
    summary=lambda r: r.email,
    duplicate_field="email",
)

PHONES = Section(
    kind="phone",
    title="Phone Numbers",
    noun="phone number",
    columns=(
        ColumnSpec("Number", lambda r: format_phone(r.number)),
        ColumnSpec("As typed", lambda r: r.typed),
        ColumnSpec("Type", lambda r: r.type),
    ),
    fields=(
        FieldSpec("number", "Number", required=True, placeholder="+44 20 7946 0958", max_length=40),
        FieldSpec("type", "Type", kind="type", picklist="phone_types"),
    ),
    records=lambda detail: detail.phones,
    summary=lambda r: format_phone(r.number),
    duplicate_field="number",
)

SECTIONS = (BANK_ACCOUNTS, ADDRESSES, EMAILS, PHONES)
"""The Details tab's sections, top to bottom."""


# ----- the widget ------------------------------------------------------------------------


class RecordTable(Widget, can_focus=False):
    """The records of one section of one contact, with keys to add, edit, delete and star."""

    HELP_GROUP = "Details tab (1): the records of a section"

    DEFAULT_CSS = """
    RecordTable {
        height: auto;
        margin-bottom: 1;
    }
    RecordTable > .record-table--title {
        text-style: bold;
        color: $text-primary;
        padding: 0 1;
    }
    RecordTable:focus-within > .record-table--title {
        background: $primary-muted;
    }
    RecordTable > DataTable {
        height: auto;
        max-height: 9;
    }
    RecordTable > .record-table--empty {
        color: $text-muted;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("a", "add", "Add", id="records.add", tooltip="Add a record to this section"),
        # A priority binding: the DataTable inside would otherwise take enter for itself
        # and hide "Edit" from the footer.
        Binding(
            "enter",
            "edit",
            "Edit",
            id="records.edit",
            tooltip="Edit the record under the cursor",
            priority=True,
        ),
        Binding(
            "d",
            "delete",
            "Delete",
            id="records.delete",
            tooltip="Delete the record under the cursor (asks first)",
        ),
        Binding(
            "space",
            "make_primary",
            "Make primary",
            id="records.primary",
            tooltip="Make the record under the cursor the contact's primary one",
        ),
    ]

    @dataclass
    class Requested(Message):
        """The user asked to do something with this section: add, edit, delete or primary."""

        table: RecordTable
        action: str  # "add", "edit", "delete", "primary"
        record: Any  # the record under the cursor; None for "add"

        @property
        def control(self) -> RecordTable:
            return self.table

    def __init__(self, section: Section, **kwargs) -> None:
        kwargs.setdefault("id", f"records-{section.kind}")
        super().__init__(**kwargs)
        self.section = section
        self.records: tuple = ()

    def compose(self) -> ComposeResult:
        yield Static(self.section.title, classes="record-table--title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id=f"{self.id}-table")
        yield Static(
            f"No {self.section.title.lower()} yet — press a to add one.",
            classes="record-table--empty",
            markup=False,
        )

    def on_mount(self) -> None:
        table = self.data_table
        if self.section.has_primary:
            table.add_column(Text("Primary"), key="primary", width=7)
        for index, column in enumerate(self.section.columns):
            table.add_column(Text(column.label), key=str(index), width=column.width)
        self._fill()

    @property
    def data_table(self) -> DataTable:
        return self.query_one(DataTable)

    def show(self, records: tuple, select_id: int | None = None) -> None:
        """Show `records`; keep the cursor on `select_id` (or the record it was on)."""
        if select_id is None and self.selected is not None:
            select_id = self.selected.id
        self.records = tuple(records)
        if self.is_mounted:
            self._fill(select_id)

    def _fill(self, select_id: int | None = None) -> None:
        table = self.data_table
        table.clear()
        for record in self.records:
            table.add_row(*self._cells(record), key=str(record.id))
        self.query_one(".record-table--empty").display = not self.records
        for index, record in enumerate(self.records):
            if record.id == select_id:
                table.move_cursor(row=index)

    def _cells(self, record: Any) -> list[Text]:
        # Text objects, never str: a DataTable would parse a str as Rich markup.
        cells = []
        if self.section.has_primary:
            cells.append(Text(PRIMARY_MARK if record.is_primary else "", justify="center"))
        cells += [Text(display_safe(column.cell(record))) for column in self.section.columns]
        return cells

    @property
    def selected(self) -> Any | None:
        """The record under the cursor, if any."""
        if not self.is_mounted or not self.records:
            return None
        row = self.data_table.cursor_row
        return self.records[row] if 0 <= row < len(self.records) else None

    def focus(self, scroll_visible: bool = True) -> RecordTable:
        self.data_table.focus(scroll_visible)
        return self

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Bank accounts have no primary: hide the key there.
        return action != "make_primary" or self.section.has_primary

    @on(DataTable.RowSelected)
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        # A click on a row: edit it, as enter does.
        event.stop()
        self.action_edit()

    def _request(self, action: str) -> None:
        record = self.selected
        if action != "add" and record is None:
            verb = {"edit": "edit", "delete": "delete", "primary": "make primary"}[action]
            tell(self, f"There is no {self.section.noun} to {verb} here yet.", timeout=3)
            return
        self.post_message(self.Requested(self, action, record))

    def action_add(self) -> None:
        self._request("add")

    def action_edit(self) -> None:
        self._request("edit")

    def action_delete(self) -> None:
        self._request("delete")

    def action_make_primary(self) -> None:
        record = self.selected
        if record is not None and record.is_primary:
            tell(self, f"This {self.section.noun} is the primary one already.", timeout=3)
            return
        self._request("primary")
