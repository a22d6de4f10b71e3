"""The list screen's dialogs, driven with Pilot in a small host app: keys, messages, results."""

from __future__ import annotations

import json
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import screen_text, until
from pilot_helpers import settle as settle_workers
from test_key_order import arrive_together
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, Label, ProgressBar, RadioSet, Select

from contacts_tui import export
from contacts_tui.demo import add_demo_contacts
from contacts_tui.dialogs import export_dialog
from contacts_tui.dialogs.add_contact import AddContactDialog
from contacts_tui.dialogs.columns_dialog import ColumnsDialog
from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.export_dialog import ExportDialog
from contacts_tui.dialogs.filter_dialog import FilterDialog, describe_filter
from contacts_tui.services import TENANT_WIDE, AccountInfo, ContactFilter, ContactService
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
    await settle_workers(pilot)


# ----- ConfirmDialog ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "answer"), [("y", True), ("enter", False), ("n", False), ("escape", False)]
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


async def test_confirm_enter_is_the_safe_choice_until_the_user_picks_the_named_button():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(ConfirmDialog("Delete “Ada”?", confirm_label="Delete", danger=True))
        await pilot.pause()
        assert app.focused is app.screen.query_one("#confirm-no")
        assert "y: Delete · n / escape / enter: cancel" in screen_text(app)
        await pilot.press("enter", "enter")  # a key typed ahead never says yes
        await pilot.pause()
        assert app.results == [False]
        app.open(ConfirmDialog("Delete “Ada”?", confirm_label="Delete", danger=True))
        await pilot.pause()
        await pilot.press("shift+tab", "enter")  # the named button, chosen on purpose
        await pilot.pause()
        assert app.results == [False, True]


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


# ----- FilterDialog -------------------------------------------------------------------


def options_of(select: Select) -> list:
    return [value for _, value in select._options if value != Select.NULL]


async def open_filter(app: Host, pilot, current: ContactFilter) -> FilterDialog:
    dialog = FilterDialog(current)
    app.open(dialog)
    await settle(app, pilot)
    return dialog


async def test_filter_shows_current_values_and_enter_keeps_them_with_the_search(workspace, service):
    acme = service.create_company("Acme")
    app = Host(workspace)
    current = ContactFilter(
        search="mar", status="Closed", company=acme.id, scoring_min=10, archived=True
    )
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_filter(app, pilot, current)
        assert dialog.query_one("#filter-company", Select).value == acme.id
        text = screen_text(app)
        for expected in ("Closed", "Acme", "10", "Show archived contacts instead"):
            assert expected in text, text
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [current]


async def test_filter_picks_with_keys_and_applies(workspace, service):
    service.create_company("Acme")
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_filter(app, pilot, ContactFilter(search="ann"))
        assert isinstance(app.focused, Select) and app.focused.id == "filter-status"
        # space opens the list, ↓ moves, enter picks (and does not apply yet).
        await pilot.press("space", "down", "enter")
        await pilot.pause()
        assert dialog.query_one("#filter-status", Select).value == "Open"
        assert app.results == []
        # tab to Company (status → category → step → company); pick Tenant-Wide.
        await pilot.press("tab", "tab", "tab", "space", "down", "enter")
        await pilot.pause()
        assert dialog.query_one("#filter-company", Select).value == TENANT_WIDE
        # Scoring: type a range; (past Account and Attention) archived: toggle with space.
        await pilot.press(
            "tab", "tab", "tab", "2", "0", "tab", "8", "0", "tab", "tab", "tab", "space"
        )
        await pilot.pause()
        assert dialog.query_one("#filter-archived").value is True
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [
        ContactFilter(
            search="ann",
            status="Open",
            company=TENANT_WIDE,
            scoring_min=20,
            scoring_max=80,
            archived=True,
        )
    ]


async def test_filter_applies_the_scoring_typed_just_before_enter(workspace):
    # One read of the terminal: "80" and its enter. The priority enter must not apply
    # the "8" that had reached the field so far.
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_filter(app, pilot, ContactFilter())
        dialog.query_one("#filter-scoring-min", Input).focus()
        await pilot.pause()
        arrive_together(app, "8", "0", "enter")
        await until(pilot, lambda: app.results, "the filter applied")
    assert app.results == [ContactFilter(scoring_min=80)]


async def test_filter_steps_follow_the_chosen_category(workspace, service):
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_filter(app, pilot, ContactFilter(stage="contacted"))
        stage = dialog.query_one("#filter-stage", Select)
        every_step = options_of(stage)
        assert {"new_lead", "negotiation_started", "closed_won"} <= set(every_step)
        dialog.query_one("#filter-category", Select).value = "negotiation"
        await pilot.pause()
        assert options_of(stage) == ["negotiation_started", "contract_drafted"]
        assert stage.value == Select.NULL  # "contacted" is not a negotiation step
        stage.value = "contract_drafted"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [ContactFilter(category="negotiation", stage="contract_drafted")]


async def test_filter_offers_config_picklists_companies_and_accounts(workspace, service):
    acme = service.create_company("Acme [bold]Corp[/bold]")
    key = service.create_account("Key accounts")
    old = service.create_account("Old accounts")
    service.archive_account(old.id)
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_filter(app, pilot, ContactFilter())
        assert options_of(dialog.query_one("#filter-company", Select)) == [TENANT_WIDE, acme.id]
        assert options_of(dialog.query_one("#filter-account", Select)) == [key.id, old.id]
        segmentation = options_of(dialog.query_one("#filter-segmentation", Select))
        assert segmentation == ["", *workspace.config.picklists.segmentation]
        reasons = options_of(dialog.query_one("#filter-reason", Select))
        assert reasons == ["", *workspace.config.picklists.reason_codes]
        dialog.query_one("#filter-company", Select).value = acme.id
        dialog.query_one("#filter-account", Select).value = key.id
        dialog.query_one("#filter-segmentation", Select).value = "SMB"
        dialog.query_one("#filter-reason", Select).value = ""
        await pilot.pause()
        assert "Acme [bold]Corp[/bold]" in screen_text(app)  # not read as markup
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [
        ContactFilter(company=acme.id, account=key.id, segmentation="SMB", reason_code="")
    ]


@pytest.mark.parametrize(
    ("low", "high", "message"),
    [
        ("150", "", "Scoring must be a whole number from 0 to 100."),
        ("", "-5", "Scoring must be a whole number from 0 to 100."),
        ("70", "20", "The lowest scoring (70) is above the highest (20)."),
    ],
)
async def test_filter_refuses_a_bad_scoring_range_at_the_field(workspace, low, high, message):
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_filter(app, pilot, ContactFilter())
        dialog.query_one("#filter-scoring-min", Input).focus()
        await pilot.press(*low)
        dialog.query_one("#filter-scoring-max", Input).focus()
        await pilot.press(*high)
        await pilot.pause()
        assert message in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == []  # not applied
        assert app.screen is dialog
        assert app.focused.has_class("-invalid")
        # Correcting the value removes the message, and enter applies.
        app.focused.value = ""
        await pilot.pause()
        assert message not in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
    assert len(app.results) == 1


async def test_filter_clear_all_and_clear_one_field_keep_the_search(workspace):
    app = Host(workspace)
    current = ContactFilter(
        search="x", status="Open", category="conversion", scoring_max=50, archived=True
    )
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_filter(app, pilot, current)
        await pilot.press("delete")  # status is focused: clears it
        await pilot.pause()
        assert dialog.query_one("#filter-status", Select).value == Select.NULL
        assert dialog.query_one("#filter-category", Select).value == "conversion"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert dialog.query_one("#filter-category", Select).value == Select.NULL
        assert dialog.query_one("#filter-scoring-max", Input).value == ""
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [ContactFilter(search="x")]


async def test_filter_escape_cancels(workspace):
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_filter(app, pilot, ContactFilter(status="Open"))
        await pilot.press("space")  # open the list: escape first closes it…
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == []
        await pilot.press("escape")  # …then cancels the dialog
        await pilot.pause()
    assert app.results == [None]


def test_describe_filter(workspace):
    config = workspace.config
    assert describe_filter(ContactFilter(search="ignored"), config) == ""
    text = describe_filter(
        ContactFilter(status="Open", category="negotiation", company=TENANT_WIDE),
        config,
    )
    assert text == "Status: Open · Category: Negotiation · Company: Tenant-Wide"
    text = describe_filter(
        ContactFilter(
            stage="closed_won",
            company=7,
            segmentation="",
            reason_code="Referral",
            scoring_min=10,
            scoring_max=90,
            account=3,
            archived=True,
        ),
        config,
        companies={7: "Acme\x1b[2J"},
        accounts=[AccountInfo(3, "Key")],
    )
    assert text == (
        "Step: Closed – Won · Company: Acme · Segmentation: (not set) · "
        "Reason code: Referral · Scoring: 10-90 · Account: Key · Archived contacts"
    )
    assert describe_filter(ContactFilter(scoring_min=5), config) == "Scoring: from 5"
    assert describe_filter(ContactFilter(scoring_max=5), config) == "Scoring: up to 5"
    assert describe_filter(ContactFilter(company=99), config) == "Company: #99"


# ----- ColumnsDialog ------------------------------------------------------------------

AVAILABLE = {
    "name": "Name",
    "email": "E-mail",
    "phone": "Number",
    "company": "Company",
    "status": "Status",
    "scoring": "Scoring",
}


async def test_columns_show_hide_and_reorder_with_keys():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = ColumnsDialog(["name", "email", "company", "status"], AVAILABLE)
        app.open(dialog)
        await pilot.pause()
        text = screen_text(app)
        assert "[x] Name" in text and "[ ] Number" in text
        # Order shown: name, email, company, status, then hidden phone, scoring.
        await pilot.press("down", "space")  # hide E-mail
        await pilot.press("down", "shift+up")  # Company moves above E-mail
        await pilot.press("down", "down", "down", "space")  # show Number (index 4)
        await pilot.press("K", "K")  # Number moves up two
        await pilot.press("end", "space", "J")  # show Scoring; it is last already
        await pilot.pause()
        assert "[ ] E-mail" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [["name", "company", "phone", "status", "scoring"]]


async def test_columns_name_cannot_be_hidden_but_can_move():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(ColumnsDialog(["email", "status"], AVAILABLE))  # name missing: put back
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert "Name is always shown" in screen_text(app)
        await pilot.press("shift+down", "enter")
        await pilot.pause()
    assert app.results == [["email", "name", "status"]]


async def test_columns_escape_cancels_and_unknown_keys_are_ignored():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = ColumnsDialog(["name", "gone", "status", "status"], AVAILABLE)
        app.open(dialog)
        await pilot.pause()
        assert dialog.shown == ["name", "status"]
        await pilot.press("down", "space", "escape")
        await pilot.pause()
    assert app.results == [None]


# ----- AddContactDialog ---------------------------------------------------------------


async def open_add(app: Host, pilot) -> AddContactDialog:
    dialog = AddContactDialog()
    app.open(dialog)
    await settle(app, pilot)
    return dialog


@pytest.mark.parametrize("typed", ["", "   "])
async def test_add_refuses_a_blank_name_at_the_field(workspace, service, typed):
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_add(app, pilot)
        await pilot.press(*typed, "enter")
        await settle(app, pilot)
        assert "Name is required." in screen_text(app)
        assert app.screen is dialog and app.focused.id == "add-name"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.results == []
        # Typing clears the message.
        await pilot.press("A")
        await pilot.pause()
        assert "Name is required." not in screen_text(app)
    assert service.count() == 0


async def test_add_refuses_control_characters(workspace, service):
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_add(app, pilot)
        dialog.query_one("#add-name", Input).value = "Eve\x1b]0;pwned\x07"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Name contains hidden control" in screen_text(app)
        dialog.query_one("#add-name", Input).value = "Eve"
        dialog.query_one("#add-company", Input).value = "Evil\u202eCorp"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Company contains hidden control" in screen_text(app)
        assert app.focused.id == "add-company"
    assert app.results == []
    assert service.count() == 0


async def test_add_tenant_wide_contact_with_enter(workspace, service):
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_add(app, pilot)
        assert "Tenant-Wide" in screen_text(app)
        await pilot.press(*"  Ada Lovelace ", "enter")
        await settle(app, pilot)
    (contact_id,) = app.results
    detail = service.get_contact(contact_id)
    assert detail.name == "Ada Lovelace"
    assert detail.company is None


async def test_add_offers_to_create_a_new_company_and_creates_it(workspace, service):
    service.create_company("Globex Ltd")
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_add(app, pilot)
        await pilot.press(*"Hank", "tab", *"glob")
        await pilot.pause()
        text = screen_text(app)
        assert "New company «glob» will be created." in text
        assert "Existing: Globex Ltd" in text
        await pilot.press(*"ocorp")
        await pilot.pause()
        assert "New company «globocorp» will be created." in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    (contact_id,) = app.results
    assert service.get_contact(contact_id).company.name == "globocorp"
    assert [c.name for c in service.companies()] == ["Globex Ltd", "globocorp"]


async def test_add_picks_an_existing_company_by_completion_or_any_case(workspace, service):
    globex = service.create_company("Globex Ltd")
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_add(app, pilot)
        await pilot.press(*"Hank", "tab", *"glo", "right")  # → takes the suggestion
        await pilot.pause()
        assert app.focused.value == "Globex Ltd"
        assert "Existing company «Globex Ltd»." in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        await open_add(app, pilot)
        await pilot.press(*"Ivy", "tab", *"GLOBEX LTD", "enter")
        await settle(app, pilot)
    first, second = app.results
    assert service.get_contact(first).company.id == globex.id
    assert service.get_contact(second).company.id == globex.id
    assert len(service.companies()) == 1


async def test_add_shows_a_store_error_in_the_dialog(workspace, service, monkeypatch):
    app = Host(workspace)

    def locked(*args, **kwargs):
        raise RuntimeError("database is locked")

    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_add(app, pilot)
        with monkeypatch.context() as patched:
            patched.setattr(app.service, "create_contact", locked)
            await pilot.press(*"Ada", "enter")
            await settle(app, pilot)
            assert "The contact was not saved: database is locked" in screen_text(app)
            assert app.screen is dialog
        await pilot.press("ctrl+s")  # saving again works
        await settle(app, pilot)
    assert len(app.results) == 1 and isinstance(app.results[0], int)


async def test_add_escape_cancels(workspace, service):
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_add(app, pilot)
        await pilot.press(*"Ada", "escape")
        await settle(app, pilot)
    assert app.results == [None]
    assert service.count() == 0


# ----- ExportDialog -------------------------------------------------------------------


@pytest.fixture
def out_dir(tmp_path, monkeypatch):
    """The user's home, where the export dialog first proposes its file; the app runs
    from another folder, which it must not propose."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    elsewhere = tmp_path / "started-here"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return home


def status_of(dialog: ExportDialog) -> str:
    """The dialog's status line, whole (long paths wrap on screen)."""
    return str(dialog.query_one("#export-status", Label).content)


async def open_export(app: Host, pilot, contact_filter=None, count=0) -> ExportDialog:
    dialog = ExportDialog(contact_filter or ContactFilter(), "name", False, count)
    app.open(dialog)
    await settle(app, pilot)
    return dialog


async def test_export_writes_the_whole_view_to_the_default_file(workspace, service, out_dir):
    for name in ("Ada", "Adam", "Grace"):
        service.create_contact(name)
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_export(app, pilot, ContactFilter(search="ada"), count=2)
        field = dialog.query_one("#export-path", Input)
        expected = export.default_path("csv", out_dir)
        assert field.value == f"~/{expected.name}"
        assert "2 contacts: the whole current view" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert status_of(dialog) == f"Exported 2 contacts to ~/{expected.name}."
        assert "Exported 2 contacts to" in screen_text(app)
        assert dialog.query_one(ProgressBar).percentage == 1
        assert app.results == []  # the result stays on screen until closed
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [expected]
    rows = expected.read_text("utf-8").splitlines()
    assert [r.split(",")[1] for r in rows[1:]] == ["Ada", "Adam"]
    assert stat.S_IMODE(expected.stat().st_mode) == 0o600


async def test_export_format_choice_changes_the_extension(workspace, service, out_dir):
    service.create_contact("Ada")
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_export(app, pilot, count=1)
        await pilot.press("shift+tab")  # to the format choice
        assert isinstance(app.focused, RadioSet)
        await pilot.press("right", "space")  # JSON
        await pilot.pause()
        field = dialog.query_one("#export-path", Input)
        assert field.value.endswith(".json")
        await pilot.press("right", "space")  # vCard
        await pilot.pause()
        assert field.value.endswith(".vcf")
        # enter on the choice exports, in the format under the cursor (as the hint says)
        await pilot.press("left", "enter")
        await settle(app, pilot)
        assert field.value.endswith(".json")
        assert status_of(dialog).startswith("Exported 1 contact to ~/contacts-")
        assert "Exported 1 contact to" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
    (path,) = app.results
    assert path.suffix == ".json"
    assert [c["name"] for c in json.loads(path.read_text("utf-8"))] == ["Ada"]


@pytest.mark.parametrize(
    ("presses", "header"),
    [
        (3, "First Name,Last Name,Nickname,"),  # Google's: UTF-8 as it is
        (4, "\ufeffFirst Name,Last Name,Company,Department,"),  # Outlook's: marked UTF-8
    ],
)
async def test_export_writes_the_csv_google_or_outlook_imports(
    workspace, service, out_dir, presses, header
):
    # Google Contacts and Outlook keep our formula guard's apostrophe in the value
    # ('+1 415…): a contact going there takes their own columns, unguarded.
    ada = service.create_contact("Ada Lovelace")
    service.records.add_phone(ada.id, "+1 415 555 0132")
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_export(app, pilot, count=1)
        await pilot.press("shift+tab", *["right"] * presses, "space")
        assert "Google CSV" in screen_text(app) and "Outlook CSV" in screen_text(app)
        field = dialog.query_one("#export-path", Input)
        assert field.value.endswith(".csv")
        await pilot.press("enter")
        await settle(app, pilot)
        assert status_of(dialog).startswith("Exported 1 contact to ~/contacts-")
    (path,) = out_dir.iterdir()
    header_line, row = path.read_text("utf-8").splitlines()
    assert header_line.startswith(header)
    assert "Ada,Lovelace" in row or "Ada,,Lovelace" in row
    assert "+1 415-555-0132" in row and "'+" not in row


async def test_export_proposes_the_folder_of_the_last_export_per_user(
    workspace, service, out_dir, tmp_path
):
    service.create_contact("Ada")
    reports = tmp_path / "reports"
    reports.mkdir()
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_export(app, pilot, count=1)
        dialog.query_one("#export-path", Input).value = str(reports / "ada.csv")
        await pilot.press("enter")
        await settle(app, pilot)
        assert status_of(dialog) == f"Exported 1 contact to {reports / 'ada.csv'}."
        await pilot.press("escape")
        await pilot.pause()
        # The next export starts in that folder; a name typed alone goes there too.
        dialog = await open_export(app, pilot, count=1)
        field = dialog.query_one("#export-path", Input)
        assert Path(field.value) == export.default_path("csv", reports)
        field.value = "again.csv"
        await pilot.press("enter")
        await settle(app, pilot)
        assert (reports / "again.csv").is_file()
    assert not list(Path.cwd().iterdir())  # nothing where the app was started
    # A remembered folder that is gone: back to the home folder.
    reports.joinpath("ada.csv").unlink()
    reports.joinpath("again.csv").unlink()
    reports.rmdir()
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_export(app, pilot, count=1)
        assert dialog.query_one("#export-path", Input).value.startswith("~/contacts-")


async def test_export_writes_the_path_typed_or_pasted_just_before_enter(
    workspace, service, out_dir
):
    # One read of the terminal: a pasted path and its enter (or a fast typist over SSH).
    # The priority enter must not export to the letters that had reached the field so far.
    service.create_contact("Ada")
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_export(app, pilot, count=1)
        arrive_together(app, "ctrl+u", *"~/q3-leads.csv", "enter")
        await until(pilot, lambda: dialog.has_class("-done"), "the export")
        assert status_of(dialog) == "Exported 1 contact to ~/q3-leads.csv."
    assert [p.name for p in out_dir.iterdir()] == ["q3-leads.csv"]


async def test_export_of_an_empty_view_says_so_and_writes_nothing(workspace, service, out_dir):
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_export(app, pilot, count=0)
        assert "nothing to export" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert status_of(dialog) == export_dialog.NOTHING_TO_EXPORT
        assert app.screen is dialog
    assert list(out_dir.iterdir()) == []


async def test_export_asks_before_replacing_a_file(workspace, service, out_dir):
    service.create_contact("Ada")
    target = export.default_path("csv", out_dir)
    target.write_text("keep")
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_export(app, pilot, count=1)
        # Not settle(): the dialog's worker waits for the answer, so wait for the screen.
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question == f"~/{target.name} exists already. Replace it?"
        assert "Replace it?" in screen_text(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert app.screen is dialog
        assert target.read_text() == "keep"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert status_of(dialog) == f"Exported 1 contact to ~/{target.name}."
    assert target.read_text("utf-8-sig").startswith("ID,Name")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("symlink", "is a symbolic link; exports never write through links"),
        ("missing", "does not exist"),
        ("folder", "is a folder"),
        ("blank", "Type the path of the file to write."),
    ],
)
async def test_export_refuses_bad_targets_at_the_field(workspace, service, out_dir, make, message):
    service.create_contact("Ada")
    victim = out_dir / "victim.txt"
    victim.write_text("do not touch")
    paths = {
        "symlink": out_dir / "link.csv",
        "missing": out_dir / "no" / "such" / "x.csv",
        "folder": out_dir,
        "blank": "   ",
    }
    (out_dir / "link.csv").symlink_to(victim)
    app = Host(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_export(app, pilot, count=1)
        dialog.query_one("#export-path", Input).value = str(paths[make])
        await pilot.press("enter")
        await settle(app, pilot)
        at_field = dialog.query_one("#export-path-message", Label)
        assert message in str(at_field.content)
        assert at_field.display and at_field.region.height >= 1  # on screen, whole
        assert app.screen is dialog
        assert app.focused.id == "export-path"
    assert victim.read_text() == "do not touch"
    assert sorted(p.name for p in out_dir.iterdir()) == ["link.csv", "victim.txt"]


async def test_export_shows_progress_stays_responsive_and_escape_removes_the_file(
    workspace, service, out_dir, monkeypatch
):
    add_demo_contacts(workspace.config, export.PAGE_SIZE * 2 + 10, "tester")
    monkeypatch.setattr(export_dialog, "PROGRESS_INTERVAL", 0)
    app = Host(workspace)
    reached, release = threading.Event(), threading.Event()
    original = app.service.view_condition  # asked once for each page the export reads
    calls = 0

    def slow_second_page(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 2:
            reached.set()
            release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(app.service, "view_condition", slow_second_page)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_export(app, pilot, count=service.count())
        await pilot.press("enter")
        while not reached.is_set():
            await pilot.pause(0.01)
        await pilot.pause(0.05)
        bar = dialog.query_one(ProgressBar)
        assert bar.display and bar.progress == export.PAGE_SIZE
        assert status_of(dialog).startswith("Exporting to")
        # The export thread is stuck in the database: the dialog still answers keys.
        await pilot.press("escape")
        await pilot.pause()
        assert status_of(dialog) == "Cancelling…"
        release.set()
        await settle(app, pilot)
    assert app.results == [None]
    assert list(out_dir.iterdir()) == []


async def test_quitting_while_exporting_stops_it_and_leaves_no_file(
    workspace, service, out_dir, monkeypatch
):
    add_demo_contacts(workspace.config, export.PAGE_SIZE * 2 + 10, "tester")
    app = Host(workspace)
    reached, finished = threading.Event(), threading.Event()
    original_condition = app.service.view_condition  # asked once for each page read
    calls = 0

    def second_page_after_the_quit(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 2:
            reached.set()
            for _ in range(500):  # until the app has closed the dialog
                if dialog._cancel.is_set():
                    break
                time.sleep(0.01)
        return original_condition(*args, **kwargs)

    original_export = export_dialog.export_contacts

    def export_contacts(*args, **kwargs):
        try:
            return original_export(*args, **kwargs)
        finally:
            finished.set()

    monkeypatch.setattr(app.service, "view_condition", second_page_after_the_quit)
    monkeypatch.setattr(export_dialog, "export_contacts", export_contacts)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_export(app, pilot, count=service.count())
        await pilot.press("enter")
        while not reached.is_set():
            await pilot.pause(0.01)
        await pilot.press("ctrl+q")
    assert finished.wait(timeout=30)
    assert list(out_dir.iterdir()) == []


async def test_export_failure_in_the_store_is_reported_and_leaves_no_file(
    workspace, service, out_dir, monkeypatch
):
    service.create_contact("Ada")
    app = Host(workspace)

    def broken(*args, **kwargs):
        raise RuntimeError("server closed the connection")

    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_export(app, pilot, count=1)
        with monkeypatch.context() as patched:
            patched.setattr(app.service, "view_condition", broken)  # the page's query
            await pilot.press("enter")
            await settle(app, pilot)
        assert status_of(dialog) == (
            "The export failed and no file was written: server closed the connection"
        )
        assert list(out_dir.iterdir()) == []
        # The dialog is usable again: the second try works.
        assert not dialog.query_one("#export-path", Input).disabled
        await pilot.press("enter")
        await settle(app, pilot)
        assert status_of(dialog).startswith("Exported 1 contact to")
