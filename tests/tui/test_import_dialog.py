"""The import dialog: pick a file, see the dry run, import with progress, cancel, reload."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from pathlib import Path

import pytest
from pilot_helpers import screen_text, toasts
from textual.widgets import Button, RadioSet, Select, Static

from contacts_tui.app import ContactsApp
from contacts_tui.dialogs import import_dialog
from contacts_tui.dialogs.import_dialog import ImportDialog, ImportFilePicker
from contacts_tui.screens.contact_list import ContactListScreen
from contacts_tui.services import imports
from contacts_tui.widgets.dashboard import DashboardBar

SIZE = (100, 30)
CSV = "Name,E-mail,Stage\nAnn,ann@example.com,Bogus\nBob,bob@example.com,Qualified\n"


async def settle(pilot) -> None:
    """Let workers finish and their messages land: not the file tree's folder loader
    (it lives as long as the tree) nor the list's import action (it waits on dialogs)."""
    for _ in range(2):
        busy = [
            w
            for w in pilot.app.workers
            if w.group not in ("_loader", "dialog") and not w.is_finished
        ]
        await asyncio.gather(*(w.wait() for w in busy), return_exceptions=True)
        await pilot.pause()


async def wait_for(pilot, condition, what: str) -> None:
    for _ in range(200):
        await settle(pilot)
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


async def open_dialog(app, pilot, path: Path) -> ImportDialog:
    await settle(pilot)
    await pilot.press("i")
    await settle(pilot)
    assert isinstance(app.screen, ImportFilePicker)
    picker_input = app.screen.query_one("#file-picker-path")
    picker_input.value = str(path)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ImportDialog), "the dialog")
    dialog = app.screen
    await wait_for(pilot, lambda: dialog.checked is not None, "the dry run")
    return dialog


def forty_in_batches_of_five(tmp_path: Path, monkeypatch) -> Path:
    """A file of 40 people, imported in batches of exactly 5 (the size otherwise adapts
    to how long the last batch took)."""
    for name in ("BATCH_SIZE", "MIN_BATCH", "MAX_BATCH"):
        monkeypatch.setattr(imports, name, 5)
    rows = "".join(f"Person {n},p{n}@example.com\n" for n in range(40))
    path = tmp_path / "many.csv"
    path.write_text("Name,E-mail\n" + rows)
    return path


def status(dialog: ImportDialog) -> str:
    return str(dialog.query_one("#import-status", Static).content)


async def test_dry_run_first_then_import_reloads_the_list_and_toasts(workspace, service, tmp_path):
    service.create_contact("Existing")
    path = tmp_path / "people.csv"
    path.write_text(CSV)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        dialog = await open_dialog(app, pilot, path)
        # Nothing written yet: the dry run says what would happen and why a row fails.
        assert service.count() == 1
        assert status(dialog).startswith(
            "Would import 2 contacts; would skip 0 duplicates; would refuse 0 rows; "
            "1 value would be kept in the contacts' notes."
        )
        problems = str(dialog.query_one("#import-problems", Static).content)
        assert "line 2: kept in notes: Stage “Bogus”: not a step" in problems
        assert "line 2: kept in notes: Stage “Bogus”" in screen_text(app)
        assert dialog.query_one("#import-format", RadioSet).pressed_button.name == "csv"
        start = dialog.query_one("#import-start", Button)
        assert not start.disabled and start.has_focus
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.imported is not None, "the import")
        done = (
            "Imported 2 contacts; skipped 0 duplicates; refused 0 rows; "
            "1 value kept in the contacts' notes."
        )
        assert status(dialog) == done
        assert service.count() == 3
        # Nothing is left to pick or import: the hint says how to close.
        assert "enter or esc closes" in screen_text(app)
        assert "ctrl+s import" not in screen_text(app)
        screen = app.screen_stack[0]
        await pilot.press("enter")  # Close
        assert app.screen is screen
        assert isinstance(screen, ContactListScreen)
        await wait_for(pilot, lambda: screen.table.total == 3, "the reload")
        await wait_for(pilot, lambda: screen.query_one(DashboardBar).counts.total == 3, "counts")
        assert await toasts(pilot) == [f"Import\n{done}"]
        assert app.is_running and app.return_code is None


async def test_changing_the_format_or_duplicates_checks_again(workspace, service, tmp_path):
    known = service.create_contact("Ann Known")
    service.records.add_email(known.id, "ann@example.com")
    path = tmp_path / "people.data"  # no known extension: CSV until the user says
    path.write_text(CSV.replace("Bogus", "New Lead"))
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot, path)
        assert dialog.checked.duplicates == 1 and dialog.checked.imported == 1
        dialog.query_one("#import-duplicates", RadioSet).query("RadioButton").last().value = True
        await wait_for(pilot, lambda: dialog.checked and dialog.checked.imported == 2, "recheck")
        dialog.query_one("#import-duplicates", RadioSet).query("RadioButton")[1].value = True
        await wait_for(
            pilot, lambda: dialog.checked and dialog.checked.updated == 1, "recheck: update"
        )
        assert "would update 1 contact" in status(dialog)
        dialog.query_one("#import-format", RadioSet).query(
            "RadioButton"
        ).last().value = True  # vCard: no card in a CSV file
        await wait_for(pilot, lambda: "holds no vCard" in status(dialog), "the vCard error")
        assert dialog.query_one("#import-start", Button).disabled
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContactListScreen)
        assert service.count() == 1


async def test_cancel_stops_between_batches_and_keeps_what_was_imported(
    workspace, service, tmp_path, monkeypatch
):
    path = forty_in_batches_of_five(tmp_path, monkeypatch)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot, path)
        original = imports._write_batch

        def slow_write(run, batch):
            # Cancel as the second batch is written: that one finishes, no third starts.
            if run.imported == 5:
                app.call_from_thread(dialog.action_cancel)
            return original(run, batch)

        monkeypatch.setattr(imports, "_write_batch", slow_write)
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.imported is not None, "the cancelled import")
        assert dialog.imported.cancelled
        assert service.count() == dialog.imported.imported == 10
        assert "(the contacts imported before the cancel stay)" in status(dialog)


async def test_the_collector_is_held_back_while_writing_and_given_back(
    workspace, service, tmp_path, monkeypatch
):
    # The import runs in a worker thread of the app's process: the collector it holds
    # back while writing is the app's too, and must be running again once it is done.
    path = tmp_path / "people.csv"
    path.write_text(CSV)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot, path)
        assert gc.isenabled()  # after the dry run
        during: list[bool] = []
        original = imports._write_batch

        def write_batch(run, batch):
            during.append(gc.isenabled())
            return original(run, batch)

        monkeypatch.setattr(imports, "_write_batch", write_batch)
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.imported is not None, "the import")
        assert during == [False]
        assert gc.isenabled()
        assert service.count() == 2
        assert status(dialog).startswith("Imported 2 contacts")


async def test_folders_are_refused_in_the_picker(workspace, tmp_path):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        app.screen.query_one("#file-picker-path").value = str(tmp_path)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ImportFilePicker)  # a folder opens in the tree
        missing = tmp_path / "gone.csv"
        app.screen.query_one("#file-picker-path").value = str(missing)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ImportFilePicker)
        assert "There is no file" in screen_text(app)


@pytest.mark.parametrize("size", [(80, 24)])
async def test_the_dialog_fits_80x24(workspace, tmp_path, size):
    path = tmp_path / "people.csv"
    path.write_text(CSV)
    app = ContactsApp(workspace)
    async with app.run_test(size=size) as pilot:
        await open_dialog(app, pilot, path)
        text = screen_text(app)
        for shown in ("Import contacts", "Would import 2 contacts", "line 2: kept in", "Cancel"):
            assert shown in text, shown
        assert "Import " in text and "esc cancel" in text


async def test_import_is_a_list_key_and_a_palette_command():
    binding = next(b for b in ContactListScreen.BINDINGS if b.action == "import")
    assert (binding.key, binding.id, binding.description) == ("i", "list.import", "Import")
    assert binding.tooltip


@pytest.mark.parametrize(
    ("term", "shown", "not_shown"),
    [("linux", ("► folder",), ("📁", "📄")), ("xterm-256color", ("📁",), ())],
)
async def test_the_file_picker_draws_what_the_terminal_can_show(
    workspace, tmp_path, monkeypatch, term, shown, not_shown
):
    monkeypatch.setenv("TERM", term)
    (tmp_path / "folder").mkdir()
    (tmp_path / "people.csv").write_text(CSV)
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        app.screen.query_one("#file-picker-path").value = str(tmp_path)
        await pilot.press("enter")  # a folder opens in the tree
        await wait_for(pilot, lambda: "people.csv" in screen_text(app), "the folder's files")
        text = screen_text(app)
        for glyph in shown:
            assert glyph in text
        for glyph in not_shown:
            assert glyph not in text


# Three cards as phones and mail clients write them, each with one value that cannot be
# stored: an e-mail with two @-signs, a country nobody knows, a phone of five digits.
BAD_VALUES_VCF = """\
BEGIN:VCARD
VERSION:3.0
FN:Peter Novak
N:Novak;Peter;;;
EMAIL;TYPE=INTERNET,WORK:peter.novak@example.com
EMAIL;TYPE=INTERNET,HOME:peter.novak@@example
TEL;TYPE=CELL:+420 601 123 456
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Lena Svensson
N:Svensson;Lena;;;
EMAIL;TYPE=INTERNET:lena@svensson.se
ADR;TYPE=WORK:;;Kungsgatan 4;Stockholm;;111 43;Narnia
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Tom Okafor
N:Okafor;Tom;;;
EMAIL;TYPE=INTERNET:tom.okafor@example.ng
TEL;TYPE=WORK:12345
END:VCARD
"""


async def test_every_report_can_be_read_at_80x24_by_scrolling(workspace, tmp_path):
    path = tmp_path / "contacts.vcf"
    path.write_text(BAD_VALUES_VCF.replace("\n", "\r\n"))
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(app, pilot, path)
        assert dialog.checked.kept == 3
        assert "“Narnia” is not a country we know" in screen_text(app)
        # The last report is below the fold: shift+tab from Import reaches the reports,
        # end scrolls to the last one, which is there whole.
        await pilot.press("shift+tab", "end")
        await settle(pilot)
        text = screen_text(app)
        assert "card 3 (line 16): kept in notes: Phone “12345; Office”" in text
        assert "the area code" in text


async def test_more_reports_than_kept_end_with_how_to_list_them_all(workspace, tmp_path):
    rows = "".join(f"Person {n},p{n}@example.com,123\n" for n in range(imports.KEPT_PROBLEMS + 20))
    path = tmp_path / "short-phones.csv"
    path.write_text("Name,E-mail,Phone\n" + rows)
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dialog(app, pilot, path)
        await pilot.press("shift+tab", "end")
        await settle(pilot)
        assert "… and 20 more (contacts-tui import --dry-run lists all)" in screen_text(app)


async def test_quitting_while_importing_stops_after_the_batch_being_written(
    workspace, service, tmp_path, monkeypatch
):
    # ctrl+q mid-import: the app leaves in a moment, with what was written kept, rather
    # than a blank terminal while the rest of the file goes in unseen.
    path = forty_in_batches_of_five(tmp_path, monkeypatch)
    finished = threading.Event()
    original_import = import_dialog.import_contacts

    def import_contacts(*args, **kwargs):
        try:
            return original_import(*args, **kwargs)
        finally:
            finished.set()

    monkeypatch.setattr(import_dialog, "import_contacts", import_contacts)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot, path)
        finished.clear()  # the dry run's
        original_write = imports._write_batch
        quit_pressed = threading.Event()

        def write_batch(run, batch):
            if run.imported == 5:  # the second batch: quit while it is written
                quit_pressed.set()
                for _ in range(500):  # until the app has closed the dialog
                    if dialog._cancel.is_set():
                        break
                    time.sleep(0.01)
            return original_write(run, batch)

        monkeypatch.setattr(imports, "_write_batch", write_batch)
        await pilot.press("enter")
        while not quit_pressed.is_set():  # (not wait_for: it waits for the import)
            await pilot.pause(0.01)
        await pilot.press("ctrl+q")
    assert finished.wait(timeout=30)
    assert service.count() == 10


async def test_the_picker_opens_in_the_folder_of_the_last_file_picked(workspace, tmp_path):
    # A second file from Downloads is picked without typing the folder again.
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    path = downloads / "people.csv"
    path.write_text(CSV)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(app, pilot, path)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ImportFilePicker)
        assert app.screen.query_one("#file-picker-path").value == f"{downloads}/"


async def test_a_file_read_in_the_wrong_code_page_is_read_again_in_the_one_chosen(
    workspace, service, tmp_path
):
    # A Turkish Windows export (cp1254) reads as cleanly in cp1252, the guess of a
    # workspace outside Turkey: the dialog shows the names as read, and offers the choice.
    path = tmp_path / "turkish.csv"
    path.write_bytes("Name,E-mail\r\nAyşe Yılmaz,ayse@example.com.tr\r\n".encode("cp1254"))
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(app, pilot, path)
        assert dialog.has_class("-encoded")
        assert "Read as cp1252 text (Ayþe, Yýlmaz…)" in screen_text(app)
        dialog.query_one("#import-encoding", Select).value = "cp1254"
        await wait_for(
            pilot,
            lambda: dialog.checked is not None and dialog.checked.encoding == "cp1254",
            "the dry run in cp1254",
        )
        assert "Read as cp1254 text (Ayşe, Yılmaz…)" in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dialog.imported is not None, "the import")
    assert [r.name for r in service.list_page().rows] == ["Ayşe Yılmaz"]


async def test_a_unicode_file_offers_no_encoding(workspace, service, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(CSV)
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(app, pilot, path)
        assert not dialog.has_class("-encoded")
        assert not dialog.query_one("#import-encoding-row").display
