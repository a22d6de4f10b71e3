"""The Details tab: adding, editing, deleting and starring e-mails, phones, addresses and bank
accounts with the keyboard, every bad input refused at its field, duplicates and primaries."""

from __future__ import annotations

import contextlib
import sqlite3

import peewee
import pytest
from pilot_helpers import screen_text, toasts, until
from pilot_helpers import settle as settle_workers
from textual import on, work
from textual.app import App, ComposeResult
from textual.widgets import Checkbox, Footer, Input, Select, Static

from contacts_tui.app import ContactsApp
from contacts_tui.dialogs.choose_primary import ChoosePrimaryDialog
from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.duplicate_dialog import DuplicateDialog
from contacts_tui.dialogs.record_form import RecordForm
from contacts_tui.dialogs.unsaved_dialog import UnsavedDialog
from contacts_tui.panels.details_panel import DetailsPanel
from contacts_tui.screens.contact_detail import ContactDetailScreen
from contacts_tui.services import ContactService
from contacts_tui.store import database as store_database
from contacts_tui.store.models import BankAccount, Email, database
from contacts_tui.widgets.record_table import PRIMARY_MARK, RecordTable

ES_NATIONAL_CHECK_WRONG = "ES2921000418460200051332"  # IBAN check digits fine, bank's not
FR_NATIONAL_CHECK_WRONG = "FR8420041010050500013M02607"


class DetailsHost(App):
    """The Details tab on its own, re-reading the contact on Changed as the detail screen does."""

    def __init__(self, workspace, contact_id: int) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = ContactService(workspace.config, workspace.user)
        self.contact_id = contact_id
        self.changes = 0

    def compose(self) -> ComposeResult:
        yield DetailsPanel(self.contact_id)
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(RecordTable).focus()

    @on(DetailsPanel.Changed)
    def changed(self) -> None:
        self.changes += 1
        self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def reload(self) -> None:
        detail = self.service.get_contact(self.contact_id)
        self.call_from_thread(self.query_one(DetailsPanel).show, detail)


@pytest.fixture
def contact_id(service):
    return service.create_contact("Maria Martínez").id


@pytest.fixture
def app(workspace, contact_id):
    return DetailsHost(workspace, contact_id)


async def settle(pilot) -> None:
    """Let workers finish and their results reach the screen (a save may trigger a reload)."""
    await pilot.pause()
    await settle_workers(pilot, rounds=4)


def section(app, kind: str) -> RecordTable:
    """The section of the topmost screen that has a Details tab (a dialog may be above it)."""
    for screen in reversed(app.screen_stack):
        found = screen.query(f"#records-{kind}")
        if found:
            return found.first(RecordTable)
    raise AssertionError(f"no {kind} section on any screen")


def rows(app, kind: str) -> list[list[str]]:
    table = section(app, kind).data_table
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def go_to(pilot, kind: str) -> None:
    """Focus a section with tab, as a user would."""
    order = ["bank_account", "address", "email", "phone"]
    app = pilot.app
    for _ in range(len(order) * 2):
        if app.focused is section(app, kind).data_table:
            return
        await pilot.press("tab")
    raise AssertionError(f"tab never reached {kind}")


async def fill(pilot, values: dict[str, str]) -> RecordForm:
    form = pilot.app.screen
    assert isinstance(form, RecordForm)
    for key, value in values.items():
        widget = form.field_widget(key)
        if isinstance(widget, Select):
            widget.value = value if value else Select.NULL
        else:
            widget.value = value
        await pilot.pause()
    return form


def error_at(form: RecordForm, key: str) -> str:
    label = form.query_one(f"#error-{key}", Static)
    return str(label.render()) if label.display else ""


async def open_form(pilot, kind: str, key: str = "a") -> None:
    """Open a section's record form: a adds, enter edits the row under the cursor."""
    await go_to(pilot, kind)
    await pilot.press(key)
    await pilot.pause()


async def add(pilot, kind: str, values: dict[str, str]) -> RecordForm:
    await open_form(pilot, kind)
    form = await fill(pilot, values)
    await pilot.press("ctrl+s")
    await settle(pilot)
    return form


def saved(service, contact_id: int):
    return service.get_contact(contact_id)


@contextlib.asynccontextmanager
async def contact_screen(workspace, contact_id: int):
    """The whole app with the contact's screen open: (app, pilot)."""
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await app.push_screen(ContactDetailScreen(contact_id))
        await settle(pilot)
        yield app, pilot


async def add_in_screen(pilot, kind: str, values: dict[str, str]) -> None:
    """Add a record from the contact's screen (its section focused directly) and save."""
    section(pilot.app, kind).focus()
    await pilot.press("a")
    await pilot.pause()
    await fill(pilot, values)
    await pilot.press("ctrl+s")
    await settle(pilot)


# ----- showing -------------------------------------------------------------------------------


async def test_shows_records_formatted_with_primary_marked(app, service, contact_id):
    service.records.add_email(contact_id, "maria@example.com", "Business")
    service.records.add_email(contact_id, "m@example.org", "Personal")
    service.records.add_bank_account(contact_id, "Main", "DE89370400440532013000", "COBADEFFXXX")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert rows(app, "email") == [
            [PRIMARY_MARK, "maria@example.com", "Business"],
            ["", "m@example.org", "Personal"],
        ]
        assert rows(app, "bank_account") == [["Main", "DE89 3704 0044 0532 0130 00", "COBADEFFXXX"]]
        text = screen_text(app)
        assert "This contact has no primary phone number." in text
        assert "no primary e-mail" not in text
        assert "No phone numbers yet" in text


async def test_phones_shown_in_international_format(app, service, contact_id):
    service.records.add_phone(contact_id, "020 7946 0958", "Office")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert rows(app, "phone") == [[PRIMARY_MARK, "+44 20 7946 0958", "020 7946 0958", "Office"]]
        assert "no primary phone" not in screen_text(app)
        assert "no primary e-mail" in screen_text(app)


async def test_stored_control_characters_never_reach_the_terminal(app, service, contact_id):
    # Data written around the services (an old import, another tool) is shown harmless.
    with database.connection_context():
        Email.create(contact=contact_id, email="evil@example.com\x1b]52;c;aGk=\x07", type="[b]x")
        BankAccount.create(contact=contact_id, name="\x1b[2J[red]Main\u202e", iban="DE89")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        cells = [c for kind in ("email", "bank_account") for row in rows(app, kind) for c in row]
        assert not any(ch in c for c in cells for ch in "\x1b\x07\u202e")
        assert ["", "evil@example.com", "[b]x"] in rows(app, "email")
        assert rows(app, "bank_account")[0][0] == "[red]Main"  # shown literally, not as markup


async def test_tab_moves_between_sections(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tables = [t.data_table for t in app.query(RecordTable)]
        assert app.focused is tables[0]
        for expected in tables[1:]:
            await pilot.press("tab")
            assert app.focused is expected


# ----- adding --------------------------------------------------------------------------------


async def test_add_email_first_becomes_primary(app, service, contact_id):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, "email")
        form = app.screen
        assert isinstance(form, RecordForm)
        type_select = form.query_one("#field-type", Select)
        options = [value for _, value in type_select._options if value != Select.NULL]
        assert options == list(service.config.picklists.email_types)
        primary = form.query_one("#field-primary", Checkbox)
        assert primary.value and primary.disabled  # the first one is primary by itself
        await pilot.press(*"maria@example.com")
        type_select.value = "Business"
        await pilot.press("enter")  # enter in a field saves
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        assert rows(app, "email") == [[PRIMARY_MARK, "maria@example.com", "Business"]]
        assert app.focused is section(app, "email").data_table
        assert "no primary e-mail" not in screen_text(app)
    detail = saved(service, contact_id)
    assert [(e.email, e.is_primary) for e in detail.emails] == [("maria@example.com", True)]


async def test_add_second_email_as_primary(app, service, contact_id):
    service.records.add_email(contact_id, "old@example.com")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, "email")
        primary = app.screen.query_one("#field-primary", Checkbox)
        assert not primary.value and not primary.disabled
        primary.value = True
        await fill(pilot, {"email": "new@example.com"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(app, "email") == [
            [PRIMARY_MARK, "new@example.com", ""],
            ["", "old@example.com", ""],
        ]


async def test_add_phone_keeps_what_was_typed(app, service, contact_id):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await add(pilot, "phone", {"number": "020 7946 0958", "type": "Mobile"})
        assert rows(app, "phone") == [[PRIMARY_MARK, "+44 20 7946 0958", "020 7946 0958", "Mobile"]]
    assert saved(service, contact_id).phones[0].number == "+442079460958"


async def test_add_address_offers_the_countrys_states(app, service, contact_id):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, "address")
        form = app.screen
        assert isinstance(form, RecordForm)
        # No country: the state is free text.
        assert isinstance(form.field_widget("state"), Input)
        await fill(pilot, {"country": "ES"})
        states = form.field_widget("state")
        assert isinstance(states, Select)
        codes = [value for _, value in states._options if value != Select.NULL]
        assert "ES-M" in codes and "ES-B" in codes and "DE-BY" not in codes
        await fill(
            pilot,
            {
                "address": "Calle Mayor 1",
                "state": "ES-M",
                "city": "Madrid",
                "zip_code": "28013",
                "locality": "Centro",
                "type": "Billing",
            },
        )
        # Gibraltar has no ISO 3166-2 subdivisions: back to free text.
        await fill(pilot, {"country": "GI"})
        assert isinstance(form.field_widget("state"), Input)
        await fill(pilot, {"country": "ES", "state": "ES-M"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(app, "address") == [
            [PRIMARY_MARK, "Calle Mayor 1", "28013", "Centro", "Madrid", "Madrid", "ES", "Billing"]
        ]
    address = saved(service, contact_id).addresses[0]
    assert (address.country, address.state) == ("ES", "ES-M")


async def test_letters_typed_on_the_closed_country_field_open_it_and_search(
    app, service, contact_id
):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, "address")
        form = app.screen
        await pilot.press("tab")  # Address → Country, closed
        country = form.field_widget("country")
        assert app.focused is country and not country.expanded
        await pilot.press("s", "p", "a")  # at once: none may be lost while it opens
        await pilot.pause()
        assert country.expanded
        await pilot.press("enter")
        await pilot.pause()
        assert country.value == "ES"
        assert "Spain (ES)" in screen_text(app)
        await pilot.press("shift+tab", "tab", "space")  # space still just opens the list
        await pilot.pause()
        assert country.expanded and country.value == "ES"


async def test_add_bank_account_offers_the_swift_code_of_the_iban(app, service, contact_id):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, "bank_account")
        form = await fill(pilot, {"name": "Savings", "iban": "de89 3704 0044 0532 0130 00"})
        hint = form.query_one("#hint-bic", Static)
        assert hint.display and "COBADEFFXXX" in str(hint.render())
        await pilot.press("ctrl+b")
        assert form.query_one("#field-bic", Input).value == "COBADEFFXXX"
        await pilot.pause()
        assert not form.query_one("#hint-bic", Static).display
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(app, "bank_account") == [
            ["Savings", "DE89 3704 0044 0532 0130 00", "COBADEFFXXX"]
        ]


async def test_swift_of_another_country_warns_but_saves(app, service, contact_id):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, "bank_account")
        form = await fill(
            pilot, {"name": "Main", "iban": "DE89370400440532013000", "bic": "BNPAFRPPXXX"}
        )
        hint = str(form.query_one("#hint-bic", Static).render())
        assert "France" in hint and "Germany" in hint
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert saved(service, contact_id).bank_accounts[0].bic == "BNPAFRPPXXX"


# ----- bad input: the message at its field, nothing saved --------------------------------------


BAD_INPUT = [
    ("email", {"email": "maria@"}, "email", "after the @-sign"),
    ("email", {"email": "maria.example.com"}, "email", "@-sign"),
    ("email", {"email": ""}, "email", "required"),
    ("email", {"email": "maria@example.com\x1b[31m"}, "email", "control"),
    ("email", {"email": "maria@exa\u202emple.com"}, "email", "control"),
    ("phone", {"number": "020 7946 09"}, "number", "not a valid United Kingdom phone number"),
    ("phone", {"number": "+44 20"}, "number", "too short"),
    ("phone", {"number": "07946 0958 123456"}, "number", "too long"),
    ("phone", {"number": "+1 202 555 01y9"}, "number", "only contain digits"),
    ("phone", {"number": "+1 202 555 01x9"}, "number", "too short"),  # before x: its ext.
    ("phone", {"number": ""}, "number", "required"),
    ("phone", {"number": "+44 20 7946 0958\x9b"}, "number", "control"),
    ("address", {"zip_code": "28013", "locality": "Centro"}, "address", "required"),
    ("address", {"address": "Calle Mayor 1", "locality": "Centro"}, "zip_code", "required"),
    ("address", {"address": "Calle Mayor 1", "zip_code": "28013"}, "locality", "required"),
    ("address", {"address": "A", "zip_code": "28013!", "locality": "C"}, "zip_code", "letters"),
    ("address", {"address": "A\x07", "zip_code": "1", "locality": "C"}, "address", "control"),
    ("bank_account", {"iban": "DE89370400440532013000"}, "name", "required"),
    ("bank_account", {"name": "Main"}, "iban", "required"),
    ("bank_account", {"name": "M", "iban": "DE89370400440532013001"}, "iban", "check digits"),
    ("bank_account", {"name": "M", "iban": "DE8937040044053201300"}, "iban", "22 characters"),
    ("bank_account", {"name": "M", "iban": "GB28NWBK60161331926819"}, "iban", "check digits"),
    ("bank_account", {"name": "M", "iban": ES_NATIONAL_CHECK_WRONG}, "iban", "national check"),
    ("bank_account", {"name": "M", "iban": FR_NATIONAL_CHECK_WRONG}, "iban", "national check"),
    ("bank_account", {"name": "M", "iban": "NL91ABNA04171643001"}, "iban", "18 characters"),
    (
        "bank_account",
        {"name": "M", "iban": "BR1800360305000010009795493C2"},
        "iban",
        "check digits",
    ),
    ("bank_account", {"name": "M", "iban": "US89370400440532013000"}, "iban", "does not use"),
    (
        "bank_account",
        {"name": "M", "iban": "DE89370400440532013000", "bic": "COBADEF"},
        "bic",
        "8 or 11",
    ),
    (
        "bank_account",
        {"name": "M", "iban": "DE89370400440532013000", "bic": "COBA1EFFXXX"},
        "bic",
        "2 letters for the country",
    ),
    (
        "bank_account",
        {"name": "M", "iban": "DE89370400440532013000", "bic": "COBAXXFF"},
        "bic",
        "not a country code",
    ),
    ("bank_account", {"name": "M\x1b[2J", "iban": "DE89370400440532013000"}, "name", "control"),
]


@pytest.mark.parametrize(("kind", "values", "field", "words"), BAD_INPUT)
async def test_bad_input_is_refused_at_its_field(
    app, service, contact_id, kind, values, field, words
):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await add(pilot, kind, values)
        assert app.screen is form  # still open, with what was typed
        message = error_at(form, field)
        assert words in message
        assert form.field_widget(field).has_class("-invalid")
        assert app.focused is form.field_widget(field)
        others = [s.key for s in form.section.fields if s.key != field]
        assert not any(error_at(form, key) for key in others if key not in values or values[key])
        assert app.changes == 0
    detail = saved(service, contact_id)
    assert (detail.emails, detail.phones, detail.addresses, detail.bank_accounts) == (
        (), (), (), ()
    )  # fmt: skip


async def test_every_bad_field_is_shown_at_once_then_fixed(app, service, contact_id):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await add(pilot, "address", {"country": "ES"})
        assert {key for key in ("address", "zip_code", "locality") if error_at(form, key)} == {
            "address",
            "zip_code",
            "locality",
        }
        await fill(pilot, {"address": "Calle Mayor 1", "zip_code": "28013", "locality": "Centro"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    assert saved(service, contact_id).addresses[0].address == "Calle Mayor 1"


async def test_each_field_is_checked_on_leaving_it_and_its_message_goes_once_fixed(
    app, service, contact_id
):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, "bank_account")
        form = app.screen
        assert isinstance(form, RecordForm)
        await pilot.press("tab")  # past Name, untouched: no message yet
        await pilot.pause()
        assert app.focused is form.field_widget("iban")
        assert not error_at(form, "name")
        await pilot.press(*"DE89370400440532013001", "tab")  # a wrong check digit, then leave
        await pilot.pause()
        assert "check digits" in error_at(form, "iban")
        assert form.field_widget("iban").has_class("-invalid")
        assert "check digits" in screen_text(app)
        await pilot.press("shift+tab", "backspace", "0")  # fixed: the message goes at once
        await pilot.pause()
        assert not error_at(form, "iban")
        assert not form.field_widget("iban").has_class("-invalid")
        assert "check digits" not in screen_text(app)
        await pilot.press("backspace")  # broken again while the message is away: quiet
        await pilot.pause()
        assert not error_at(form, "iban")
        await pilot.press("0", "shift+tab", "M", "backspace", "tab")  # Name emptied, left
        await pilot.pause()
        assert "required" in error_at(form, "name")
        await pilot.press("shift+tab", "M")
        await pilot.pause()
        assert not error_at(form, "name")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    assert saved(service, contact_id).bank_accounts[0].iban == "DE89370400440532013000"


async def test_an_email_is_checked_on_leaving_it(app, service, contact_id):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, "email")
        form = app.screen
        assert isinstance(form, RecordForm)
        await pilot.press(*"maria@", "tab")
        await pilot.pause()
        assert error_at(form, "email")
        assert app.screen is form
        await pilot.press("shift+tab", *"example.com")
        await pilot.pause()
        assert not error_at(form, "email")


# ----- editing -------------------------------------------------------------------------------


async def test_a_record_deleted_in_another_session_while_edited_leaves_the_list(
    app, service, contact_id
):
    phone = service.records.add_phone(contact_id, "020 7946 0958", "Office")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, "phone", "enter")
        form = app.screen
        assert isinstance(form, RecordForm)
        ContactService(app.workspace.config, "bob").records.delete("phone", phone.id, None)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # what was typed stays
        text = screen_text(app)
        assert "no longer exists; someone may have deleted it" in text
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not form
        assert rows(app, "phone") == []  # read again: the deleted number is gone


async def test_edit_with_enter(app, service, contact_id):
    service.records.add_phone(contact_id, "020 7946 0958", "Office")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, "phone", "enter")
        form = app.screen
        assert isinstance(form, RecordForm)
        assert form.values() == {"number": "020 7946 0958", "type": "Office"}
        primary = form.query_one("#field-primary", Checkbox)
        assert primary.value and primary.disabled
        await fill(pilot, {"number": "+34 612 34 56 78", "type": "Mobile"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(app, "phone") == [
            [PRIMARY_MARK, "+34 612 34 56 78", "+34 612 34 56 78", "Mobile"]
        ]
    audit = [(a.field, a.new_value) for a in saved(service, contact_id).audit]
    assert ("phone number changed", "+34612345678 (Mobile)") in audit


async def test_bad_edit_keeps_the_saved_record(app, service, contact_id):
    service.records.add_bank_account(contact_id, "Main", "DE89370400440532013000")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, "bank_account", "enter")
        form = await fill(pilot, {"iban": ES_NATIONAL_CHECK_WRONG})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "national check" in error_at(form, "iban")
        await pilot.press("escape")  # the typed IBAN is unsaved: the form asks
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("d")  # discard
        await settle(pilot)
        assert rows(app, "bank_account") == [["Main", "DE89 3704 0044 0532 0130 00", ""]]
    assert saved(service, contact_id).bank_accounts[0].iban == "DE89370400440532013000"


async def test_edit_of_a_record_a_colleague_changed_is_not_overwritten(app, service, contact_id):
    email = service.records.add_email(contact_id, "a@example.com")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, "email", "enter")
        form = await fill(pilot, {"email": "mine@example.com"})
        service.records.update_email(email.id, "theirs@example.com")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "not saved" in str(form.query_one("#record-form-error", Static).render())
    assert saved(service, contact_id).emails[0].email == "theirs@example.com"


# ----- deleting and primaries ---------------------------------------------------------------


async def test_delete_asks_first(app, service, contact_id):
    service.records.add_bank_account(contact_id, "Main", "DE89370400440532013000")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, "bank_account")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        assert "DE89 3704 0044 0532 0130 00" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert len(rows(app, "bank_account")) == 1
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert rows(app, "bank_account") == []
    assert saved(service, contact_id).bank_accounts == ()


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("email", ["a@example.com", "b@example.com"]),
        ("phone", ["+442079460958", "+34612345678"]),
        ("address", ["Calle Mayor 1", "Gran Vía 2"]),
    ],
)
async def test_make_primary_with_p(app, service, contact_id, kind, values):
    for value in values:
        fields = {
            "email": {"email": value},
            "phone": {"number": value},
            "address": {"address": value, "zip_code": "28013", "locality": "Centro"},
        }[kind]
        service.records.add(kind, contact_id, fields)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, kind)
        await pilot.press("down", "space")
        await settle(pilot)
        marks = [row[0] for row in rows(app, kind)]
        assert marks == [PRIMARY_MARK, ""]
        table = section(app, kind)
        assert table.selected.is_primary  # the cursor stays on the record just starred
    records = {"email": "emails", "phone": "phones", "address": "addresses"}[kind]
    stored = getattr(saved(service, contact_id), records)
    assert [r.is_primary for r in sorted(stored, key=lambda r: r.id)] == [False, True]


async def test_deleting_the_primary_of_two_names_the_successor(app, service, contact_id):
    service.records.add_email(contact_id, "a@example.com")
    service.records.add_email(contact_id, "b@example.com")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, "email")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        assert "b@example.com becomes the primary e-mail" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert rows(app, "email") == [[PRIMARY_MARK, "b@example.com", ""]]


async def test_deleting_the_primary_of_many_asks_which_takes_its_place(app, service, contact_id):
    for number in ("+442079460958", "+34612345678", "+4930123456"):
        service.records.add_phone(contact_id, number)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, "phone")
        await pilot.press("d")
        await until(
            pilot, lambda: isinstance(app.screen, ChoosePrimaryDialog), "ChoosePrimaryDialog"
        )
        assert isinstance(app.screen, ChoosePrimaryDialog)
        await pilot.press("escape")  # changed their mind: nothing deleted
        await settle(pilot)
        assert len(rows(app, "phone")) == 3
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("down", "enter")  # the second candidate: +49 30 123456
        await settle(pilot)
        assert rows(app, "phone")[0][:2] == [PRIMARY_MARK, "+49 30 123456"]
        assert len(rows(app, "phone")) == 2


async def test_deleting_the_only_primary_warns_and_the_panel_says_so(app, service, contact_id):
    service.records.add_email(contact_id, "a@example.com")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, "email")
        await pilot.press("d")
        await pilot.pause()
        assert "no primary e-mail" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert "This contact has no primary e-mail and no primary phone number." in screen_text(app)


async def test_keys_on_an_empty_section_say_there_is_nothing(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, "email")
        for key in ("enter", "d", "space"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, RecordForm | ConfirmDialog)
        assert app.changes == 0


async def test_bank_accounts_have_no_primary_key(app, service, contact_id):
    service.records.add_bank_account(contact_id, "Main", "DE89370400440532013000")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, "bank_account")
        await pilot.press("space")
        await settle(pilot)
        assert app.changes == 0
        assert "Make primary" not in screen_text(app)


# ----- duplicates ----------------------------------------------------------------------------


@pytest.fixture
def other_with_the_email(service):
    other = service.create_contact("Juan Pérez")
    service.records.add_email(other.id, "shared@example.com")
    return other.id


async def test_duplicate_names_the_other_contact_then_saves_anyway(
    app, service, contact_id, other_with_the_email
):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await add(pilot, "email", {"email": "Shared@Example.com"})
        dialog = app.screen
        assert isinstance(dialog, DuplicateDialog)
        assert dialog.owners == [(other_with_the_email, "Juan Pérez")]
        assert "already belongs to Juan Pérez" in screen_text(app)
        await pilot.press("escape")  # cancel: back in the form, nothing saved
        await settle(pilot)
        assert app.screen is form
        assert saved(service, contact_id).emails == ()
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+s")  # save anyway: ctrl+s, as in every form
        await settle(pilot)
        assert rows(app, "email") == [[PRIMARY_MARK, "Shared@example.com", ""]]


async def test_duplicate_phone_and_iban_are_found_too(app, service, contact_id):
    other = service.create_contact("Juan Pérez")
    service.records.add_phone(other.id, "+34612345678")
    service.records.add_bank_account(other.id, "Shared", "DE89370400440532013000")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await add(pilot, "phone", {"number": "+34 612 345 678"})
        assert isinstance(app.screen, DuplicateDialog)
        await pilot.press("escape", "escape", "d")  # the duplicate, the form, discard
        await settle(pilot)
        await add(pilot, "bank_account", {"name": "Mine", "iban": "de89370400440532013000"})
        assert isinstance(app.screen, DuplicateDialog)
        assert "Juan Pérez" in screen_text(app)


async def test_duplicate_dialog_opens_the_other_contact(
    workspace, service, contact_id, other_with_the_email
):
    async with contact_screen(workspace, contact_id) as (app, pilot):
        await add_in_screen(pilot, "email", {"email": "shared@example.com"})
        assert isinstance(app.screen, DuplicateDialog)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.contact_id == other_with_the_email
        assert "Juan Pérez" in screen_text(app)
        await pilot.press("escape")  # back to the form, with what was typed
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)
        assert app.screen.values()["email"] == "shared@example.com"


async def test_in_the_detail_screen_a_change_reloads_the_tab(workspace, service, contact_id):
    async with contact_screen(workspace, contact_id) as (app, pilot):
        await add_in_screen(pilot, "email", {"email": "maria@example.com"})
        assert isinstance(app.screen, ContactDetailScreen)
        assert rows(app, "email") == [[PRIMARY_MARK, "maria@example.com", ""]]


# ----- the database failing ------------------------------------------------------------------


async def test_a_failing_database_keeps_the_form_and_what_was_typed(app, contact_id, monkeypatch):
    def broken(*args, **kwargs):
        raise peewee.OperationalError("disk I/O error")

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app.service.records, "add", broken)
        form = await add(pilot, "email", {"email": "maria@example.com"})
        assert app.screen is form
        assert "disk I/O error" in str(form.query_one("#record-form-error", Static).render())
        assert form.values()["email"] == "maria@example.com"
        assert not form.query_one("#record-form-save").disabled  # the user can try again


async def test_a_failing_database_is_reported_from_the_panel(app, service, contact_id, monkeypatch):
    service.records.add_email(contact_id, "a@example.com")
    service.records.add_email(contact_id, "b@example.com")

    def broken(*args, **kwargs):
        raise peewee.OperationalError("disk I/O error")

    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app.service.records, "make_primary", broken)
        await go_to(pilot, "email")
        await pilot.press("down", "space")
        await settle(pilot)
        assert any("disk I/O error" in message for message in await toasts(pilot))
        assert rows(app, "email")[0][:2] == [PRIMARY_MARK, "a@example.com"]


async def test_a_save_under_a_held_lock_says_it_waits_then_keeps_the_form_to_try_again(
    app, service, contact_id, workspace, monkeypatch
):
    """Another process holds the write lock: the form says it waits, and when every retry
    has waited in vain, says so and keeps what was typed; saving again works."""
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 1500)
    waits: list[str] = []
    real_show_waiting = RecordForm.show_waiting

    def show_waiting(form, message):
        waits.append(message)
        return real_show_waiting(form, message)

    monkeypatch.setattr(RecordForm, "show_waiting", show_waiting)
    holder = sqlite3.connect(workspace.folder / "contacts.db", isolation_level=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        holder.execute("BEGIN IMMEDIATE")
        try:
            form = await add(pilot, "email", {"email": "maria@example.com"})
            for _ in range(300):
                if not form.saving:
                    break
                await pilot.pause(0.05)
        finally:
            holder.rollback()
        assert waits and waits[0].startswith("Waiting for another user's change")
        assert app.screen is form
        message = str(form.query_one("#record-form-error", Static).render())
        assert "Another user's change is still being written" in message
        assert "try again" in message
        assert form.values()["email"] == "maria@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    holder.close()
    assert [e.email for e in saved(service, contact_id).emails] == ["maria@example.com"]


# ----- leaving a form with unsaved values ------------------------------------------------


async def test_escape_on_an_untouched_form_closes_it_without_asking(app, contact_id):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_form(pilot, "email")
        assert isinstance(app.screen, RecordForm)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, (RecordForm, UnsavedDialog))


async def test_escape_with_unsaved_values_asks_save_discard_or_keep_editing(
    app, service, contact_id
):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_form(pilot, "email")
        form = await fill(pilot, {"email": "maria@example.com"})

        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, UnsavedDialog), "UnsavedDialog")
        assert isinstance(app.screen, UnsavedDialog)
        text = screen_text(app)
        assert "unsaved changes" in text
        assert "Save" in text and "Discard" in text and "Keep editing" in text
        await pilot.press("enter")  # enter is the safe choice: keep editing
        await settle(pilot)
        assert app.screen is form
        assert form.values()["email"] == "maria@example.com"

        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")  # escape in the question: keep editing too
        await settle(pilot)
        assert app.screen is form

        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+s")  # save, then close
        await settle(pilot)
        assert not isinstance(app.screen, (RecordForm, UnsavedDialog))
        assert rows(app, "email") == [[PRIMARY_MARK, "maria@example.com", ""]]
    assert [e.email for e in saved(service, contact_id).emails] == ["maria@example.com"]


async def test_discard_closes_the_form_and_saves_nothing(app, service, contact_id):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_form(pilot, "email")
        await fill(pilot, {"email": "maria@example.com"})
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("d")
        await settle(pilot)
        assert not isinstance(app.screen, (RecordForm, UnsavedDialog))
    assert saved(service, contact_id).emails == ()
