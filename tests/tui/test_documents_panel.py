"""The Documents tab driven by the keyboard: upload through the picker, preview, save, delete."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import stat
from pathlib import Path

import peewee
import pytest
from pilot_helpers import until
from screen_text import screen_text
from textual import on
from textual.app import App, ComposeResult
from textual.widgets import DataTable, ProgressBar, Static, TabbedContent

from contacts_tui.app import ContactsApp
from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.document_preview import DocumentPreviewScreen
from contacts_tui.dialogs.document_type import DocumentTypeDialog
from contacts_tui.dialogs.file_picker import FilePickerScreen
from contacts_tui.dialogs.save_copy import SaveCopyScreen
from contacts_tui.documents import CHUNK_SIZE, BlobStore
from contacts_tui.panels import documents_panel
from contacts_tui.panels.documents_panel import DocumentsPanel
from contacts_tui.screens.contact_detail import ContactDetailScreen
from contacts_tui.services import ContactService, DocumentInfo
from contacts_tui.widgets.file_picker import FileTree, PathInput, complete_path
from contacts_tui.widgets.preview_lines import PreviewLines
from contacts_tui.workspace import Workspace

SIZE = (100, 30)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x00\x80\x08\x02"


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def docs(workspace: Workspace) -> ContactService:
    store = BlobStore(workspace.documents, group_shared=workspace.group_shared)
    return ContactService(workspace.config, workspace.user, blobs=store)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder the app is started in: the pickers begin here."""
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "contract.txt").write_text("Signed on the dotted line.\n")
    (folder / "notes").mkdir()
    (folder / ".secret").write_text("hidden")
    monkeypatch.chdir(folder)
    return folder


class Host(App):
    """Stands in for the detail screen: re-reads the contact when the panel says so."""

    def __init__(self, workspace: Workspace, service: ContactService, contact_id: int) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = service
        self.contact_id = contact_id
        self.changes = 0

    def compose(self) -> ComposeResult:
        yield DocumentsPanel(self.contact_id, id="panel")

    def on_mount(self) -> None:
        self.query_one(DocumentsPanel).show(self.service.get_contact(self.contact_id))
        self.query_one(DataTable).focus()

    @on(DocumentsPanel.Changed)
    def reload(self) -> None:
        self.changes += 1
        self.query_one(DocumentsPanel).show(self.service.get_contact(self.contact_id))


async def settle(app: App, pilot) -> None:
    """Let workers finish and their messages land.

    A DirectoryTree's loader worker waits for folders to load as long as the tree lives,
    so it is left out; the folder loads it starts are waited for.
    """
    for _ in range(3):
        busy = [w for w in app.workers if w.group != "_loader" and not w.is_finished]
        await asyncio.gather(*(w.wait() for w in busy), return_exceptions=True)
        await pilot.pause()


def status_of(app: App) -> str:
    return str(app.query_one("#documents-status", Static).render())


def names_in_table(app: App) -> list[str]:
    table = app.query_one("#documents-table", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def picker_message(app: App) -> str:
    return str(app.screen.query_one("#file-picker-message", Static).render())


async def type_path(pilot, text: str) -> None:
    path_input = pilot.app.screen.query_one(PathInput)
    path_input.value = ""
    await pilot.press(*text)
    await pilot.pause()


def add(docs: ContactService, contact_id: int, folder: Path, name: str, data: bytes, kind="Note"):
    source = folder / name
    source.write_bytes(data)
    return docs.documents.add(contact_id, source, kind)


# ----- upload ----------------------------------------------------------------------------


async def test_upload_through_the_picker_with_tab_completion(workspace, docs, files):
    contact = docs.create_contact("Ann Lee")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        assert "No documents yet" in screen_text(app)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, FilePickerScreen), "FilePickerScreen")
        assert isinstance(app.screen, FilePickerScreen)
        path_input = app.screen.query_one(PathInput)
        assert path_input.value == f"{files}/"  # starts in the current directory

        await pilot.press("c", "o", "tab")  # completes to the only match
        assert path_input.value == f"{files}/contract.txt"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DocumentTypeDialog), "DocumentTypeDialog")
        assert isinstance(app.screen, DocumentTypeDialog)
        await pilot.press("home", "down", "down", "enter")  # Contract, Identification, Proposal
        await settle(app, pilot)

        assert names_in_table(app) == ["contract.txt"]
        (info,) = docs.get_contact(contact.id).documents
        assert (info.file_name, info.doc_type) == ("contract.txt", "Proposal")
        assert docs.documents.read(info.id)[1] == b"Signed on the dotted line.\n"
        assert status_of(app) == "Uploaded contract.txt (27 B) as Proposal."
        assert app.changes == 1
        assert not app.query_one(ProgressBar).display
        assert "Proposal" in screen_text(app)


async def upload_with_keys(app, pilot, name: str) -> None:
    """a, the file's name, enter; then enter on the type the list starts on."""
    await pilot.press("a")
    await pilot.pause()
    await type_path(pilot, name)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, DocumentTypeDialog), "DocumentTypeDialog")
    assert isinstance(app.screen, DocumentTypeDialog)


async def test_the_type_list_starts_on_a_neutral_type_then_on_the_last_one_used(
    workspace, docs, files
):
    contact = docs.create_contact("Ann Lee")
    (files / "passport.pdf").write_bytes(b"%PDF-1.4 passport")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        await upload_with_keys(app, pilot, "contract.txt")
        dialog = app.screen
        assert dialog.types[dialog.query_one("OptionList").highlighted] == "Other"
        await pilot.press("home", "down", "enter")  # Identification
        await settle(app, pilot)
        await upload_with_keys(app, pilot, "passport.pdf")
        dialog = app.screen
        assert dialog.types[dialog.query_one("OptionList").highlighted] == "Identification"
        await pilot.press("enter")
        await settle(app, pilot)
    assert [d.doc_type for d in docs.get_contact(contact.id).documents] == [
        "Identification",
        "Identification",
    ]


async def test_the_same_file_again_is_uploaded_only_if_the_user_says_so(workspace, docs, files):
    contact = docs.create_contact("Ann Lee")
    docs.documents.add(contact.id, files / "contract.txt", "Contract")
    (files / "copy-of-contract.txt").write_bytes((files / "contract.txt").read_bytes())
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        await upload_with_keys(app, pilot, "copy-of-contract.txt")  # same bytes, other name
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        text = screen_text(app)
        assert "This contact has copy-of-contract.txt already" in text
        assert "contract.txt (Contract, uploaded" in text
        await pilot.press("n")
        await settle(app, pilot)
        assert names_in_table(app) == ["contract.txt"]
        assert status_of(app).startswith("Nothing was uploaded: this contact has it already")
        await upload_with_keys(app, pilot, "copy-of-contract.txt")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("y")  # a second copy, asked for
        await settle(app, pilot)
        assert sorted(names_in_table(app)) == ["contract.txt", "copy-of-contract.txt"]
        assert status_of(app).startswith("Uploaded copy-of-contract.txt")


async def test_the_upload_message_goes_when_its_document_is_deleted_elsewhere(
    workspace, docs, files
):
    contact = docs.create_contact("Ann Lee")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        await upload_with_keys(app, pilot, "contract.txt")
        await pilot.press("enter")
        await settle(app, pilot)
        assert status_of(app) == "Uploaded contract.txt (27 B) as Other."
        (info,) = docs.get_contact(contact.id).documents
        docs.documents.delete(info.id)  # another session
        app.reload()  # the contact is read again, as a live refresh does
        await settle(app, pilot)
        assert names_in_table(app) == []
        assert status_of(app) == ""
        assert "Uploaded contract.txt" not in screen_text(app)


async def test_a_relative_path_and_a_folder_typed_in_the_picker(workspace, docs, files):
    (files / "notes" / "call.md").write_text("# Call\n")
    contact = docs.create_contact("Ann")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await type_path(pilot, "notes")
        await pilot.press("enter")  # a folder: the tree and the input move into it
        await pilot.pause()
        assert app.screen.query_one(PathInput).value == f"{files}/notes/"
        assert Path(app.screen.query_one(FileTree).path) == files / "notes"
        await pilot.press("c", "enter")
        await pilot.pause()
        assert "There is no file" in picker_message(app)
        await pilot.press("tab", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert names_in_table(app) == ["call.md"]


async def test_the_tree_hides_dot_files_until_dot_is_pressed(workspace, docs, files):
    contact = docs.create_contact("Ann")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await settle(app, pilot)
        tree = app.screen.query_one(FileTree)

        def labels() -> set[str]:
            return {str(node.label) for node in tree.root.children}

        assert labels() == {"contract.txt", "notes"}
        await pilot.press("down")  # from the input into the tree
        assert tree.has_focus
        await pilot.press(".")
        await settle(app, pilot)
        assert labels() == {"contract.txt", "notes", ".secret"}
        assert app.screen.query_one(PathInput).show_hidden
        await pilot.press(".")
        await settle(app, pilot)
        assert labels() == {"contract.txt", "notes"}

        # enter on a file in the tree chooses it
        await pilot.press("down", "down", "enter")
        await until(pilot, lambda: isinstance(app.screen, DocumentTypeDialog), "DocumentTypeDialog")
        assert isinstance(app.screen, DocumentTypeDialog)


async def test_a_file_over_the_limit_is_refused_in_the_picker(workspace, docs, files):
    docs.set_config(dataclasses.replace(workspace.config, document_max_mb=1))
    (files / "big.bin").write_bytes(b"\0" * (1024 * 1024 + 1))
    contact = docs.create_contact("Ann")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await type_path(pilot, "big.bin")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, FilePickerScreen), "FilePickerScreen")
        assert isinstance(app.screen, FilePickerScreen)
        # One byte over: the sizes differ where they are shown, in the unit of the limit.
        assert (
            "big.bin is 1,048,577 bytes, over the 1 MiB (1,048,576 bytes) limit"
            in picker_message(app)
        )
        assert app.screen.query_one("#file-picker-message").has_class("-error")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen.query_one(DocumentsPanel), DocumentsPanel)
    assert docs.get_contact(contact.id).documents == ()
    assert docs.blobs.all_hashes() == set()


async def test_a_file_that_vanishes_before_the_upload_is_a_clear_failure(workspace, docs, files):
    contact = docs.create_contact("Ann")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await type_path(pilot, "contract.txt")
        await pilot.press("enter")
        await pilot.pause()
        (files / "contract.txt").unlink()  # gone while the user picks a type
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Upload failed: contract.txt no longer exists" in status_of(app)
        assert app.query_one("#documents-status").has_class("-error")
        assert app.changes == 0
    assert docs.blobs.all_hashes() == set()
    assert docs.blobs.stray_temp_files() == []


async def test_cancelling_the_type_uploads_nothing(workspace, docs, files):
    contact = docs.create_contact("Ann")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await type_path(pilot, "contract.txt")
        await pilot.press("enter", "escape")
        await settle(app, pilot)
        assert "Nothing was uploaded" in status_of(app)
    assert docs.blobs.all_hashes() == set()


async def test_an_unexpected_failure_is_reported_and_the_panel_recovers(
    workspace, docs, files, monkeypatch
):
    contact = docs.create_contact("Ann")

    def locked(*args, **kwargs):
        raise peewee.OperationalError("database is locked")

    monkeypatch.setattr(docs.documents, "add", locked)
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await type_path(pilot, "contract.txt")
        await pilot.press("enter", "enter")
        await settle(app, pilot)
        assert status_of(app) == "That did not finish: database is locked"
        panel = app.query_one(DocumentsPanel)
        assert panel.uploading is None and not app.query_one(ProgressBar).display
        monkeypatch.undo()
        await pilot.press("a")  # a new upload is possible again
        await pilot.pause()
        assert isinstance(app.screen, FilePickerScreen)


async def test_a_large_upload_reports_progress(workspace, docs, files, monkeypatch):
    monkeypatch.setattr(documents_panel, "PROGRESS_INTERVAL", 0)
    data = os.urandom(3 * CHUNK_SIZE + 5)
    (files / "scan.bin").write_bytes(data)
    contact = docs.create_contact("Ann")
    seen: list[tuple[int, int]] = []

    def hook(message) -> None:
        if isinstance(message, DocumentsPanel._Progress):
            seen.append((message.done, message.total))

    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await type_path(pilot, "scan.bin")
        await pilot.press("enter", "enter")
        await settle(app, pilot)
        assert names_in_table(app) == ["scan.bin"]
        assert "(3 MB)" in status_of(app)
    assert {total for _, total in seen} == {len(data)}
    assert sorted({done for done, _ in seen}) == [
        CHUNK_SIZE,
        2 * CHUNK_SIZE,
        3 * CHUNK_SIZE,
        len(data),
    ]


def test_tab_completion_offers_hidden_names_only_when_asked(files):
    assert complete_path("", files).candidates == ("contract.txt", "notes/")
    assert complete_path("no", files).text == "notes/"
    assert complete_path(".s", files).text == ".secret"
    assert ".secret" in complete_path("", files, show_hidden=True).candidates
    assert complete_path("zzz", files).candidates == ()
    assert complete_path(f"{files}/co", Path("/")).text == f"{files}/contract.txt"


# ----- preview ---------------------------------------------------------------------------


async def open_preview(app: Host, pilot, row: int, key: str = "v") -> DocumentPreviewScreen:
    app.query_one(DataTable).move_cursor(row=row)
    await pilot.press(key)
    await settle(app, pilot)
    assert isinstance(app.screen, DocumentPreviewScreen)
    return app.screen


async def test_previewing_a_document_deleted_elsewhere_says_so_and_drops_it(
    workspace, docs, tmp_path
):
    contact = docs.create_contact("Ann")
    info = add(docs, contact.id, tmp_path, "offer.txt", b"An offer")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        ContactService(workspace.config, "bob", blobs=docs.blobs).documents.delete(info.id)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DocumentPreviewScreen)
        text = screen_text(app)
        assert "offer.txt is no longer attached to this contact" in text
        assert f"Document {info.id}" not in text
        await pilot.press("escape")
        await settle(app, pilot)
        assert names_in_table(app) == []
        assert status_of(app) == "offer.txt was deleted by someone else."


async def test_preview_of_each_kind(workspace, docs, tmp_path):
    contact = docs.create_contact("Ann")
    add(docs, contact.id, tmp_path, "readme.txt", b"Plain words [bold]not markup[/bold]\n")
    add(docs, contact.id, tmp_path, "script.py", b"def greet():\n    return 'hi'\n")
    add(docs, contact.id, tmp_path, "leads.csv", b"name,city\nAnn,Oslo\nBob,Rome\n")
    add(docs, contact.id, tmp_path, "photo.png", PNG)
    add(docs, contact.id, tmp_path, "blob.bin", b"\x00\x01\x02binary")
    add(docs, contact.id, tmp_path, "offer.pdf", b"%PDF-1.4\nnot really a pdf\n")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_preview(app, pilot, 0, key="enter")
        assert screen.preview.kind == "text"
        text = screen_text(app)
        assert "Plain words [bold]not markup[/bold]" in text
        assert "Type: Plain text" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DocumentPreviewScreen)

        screen = await open_preview(app, pilot, 1)
        assert screen.preview.kind == "code"
        # Highlighted words are separate SVG runs, so read the widget's own text here.
        assert screen.query_one(PreviewLines).plain == "1 │ def greet():\n2 │     return 'hi'"
        assert "Python source" in screen_text(app)
        await pilot.press("escape")

        screen = await open_preview(app, pilot, 2)
        table = screen.query_one("#preview-table", DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["name", "city"]
        assert [[str(c) for c in table.get_row_at(i)] for i in range(2)] == [
            ["Ann", "Oslo"],
            ["Bob", "Rome"],
        ]
        await pilot.press("escape")

        screen = await open_preview(app, pilot, 3)
        assert screen.preview.kind == "image"
        assert "Dimensions: 256 × 128" in screen_text(app)
        assert "no preview for this kind of file" in screen_text(app)
        await pilot.press("escape")

        screen = await open_preview(app, pilot, 4)
        assert screen.preview.kind == "binary"
        assert "no preview for this kind of file" in screen_text(app)
        await pilot.press("escape")

        screen = await open_preview(app, pilot, 5)
        assert screen.preview.kind == "pdf"
        text = screen_text(app)
        assert "PDF document" in text
        if shutil.which("pdftotext") is None:
            assert "Install pdftotext" in text


async def test_an_altered_blob_shows_an_integrity_error_never_its_content(
    workspace, docs, tmp_path
):
    contact = docs.create_contact("Ann")
    info = add(docs, contact.id, tmp_path, "terms.txt", b"Pay within 30 days.\n")
    blob = docs.blobs.path_of(info.sha256)
    blob.write_bytes(b"Pay within 3000 days.\n")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_preview(app, pilot, 0)
        text = screen_text(app)
        assert "Integrity error" in text
        assert "terms.txt is damaged" in text
        assert "3000 days" not in text
        assert screen.preview is None and screen.error is not None


# ----- save a copy -----------------------------------------------------------------------


async def test_save_a_copy_asks_before_replacing_and_refuses_symlinks(workspace, docs, files):
    contact = docs.create_contact("Ann")
    add(docs, contact.id, files, "contract.txt", b"the real thing\n")
    app = Host(workspace, docs, contact.id)
    out = files / "out"
    out.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, SaveCopyScreen), "the save dialog")
        assert isinstance(app.screen, SaveCopyScreen)
        path_input = app.screen.query_one(PathInput)
        assert path_input.value == f"{files}/contract.txt"  # the upload itself is there

        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)  # never overwrites without asking
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, SaveCopyScreen), "SaveCopyScreen")
        assert isinstance(app.screen, SaveCopyScreen)
        assert "Nothing was replaced" in screen_text(app)
        assert (files / "contract.txt").read_bytes() == b"the real thing\n"

        (out / "link.txt").symlink_to(files / "victim.txt")
        await type_path(pilot, "out/link.txt")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "symbolic link" in str(app.screen.query_one("#save-copy-message").render())
        assert not (files / "victim.txt").exists()

        await type_path(pilot, "out")  # a folder: saved under the document's name
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, SaveCopyScreen)
        saved = out / "contract.txt"
        assert saved.read_bytes() == b"the real thing\n"
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        assert f"to {saved}" in status_of(app)

        saved.write_bytes(b"old")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, SaveCopyScreen), "the save dialog")
        await type_path(pilot, "out/contract.txt")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert saved.read_bytes() == b"the real thing\n"


async def test_save_of_an_altered_blob_writes_nothing(workspace, docs, files):
    contact = docs.create_contact("Ann")
    info = add(docs, contact.id, files, "a.txt", b"original\n")
    docs.blobs.path_of(info.sha256).write_bytes(b"tampered\n")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, SaveCopyScreen), "the save dialog")
        await type_path(pilot, "copy.txt")
        await pilot.press("enter")
        await settle(app, pilot)
        message = str(app.screen.query_one("#save-copy-message").render())
        assert message.startswith("Integrity error:") and "Nothing was saved" in message
    assert not (files / "copy.txt").exists()


# ----- delete and change type ----------------------------------------------------------


async def test_delete_asks_then_removes_row_and_blob(workspace, docs, tmp_path):
    contact = docs.create_contact("Ann")
    kept = add(docs, contact.id, tmp_path, "keep.txt", b"keep")
    gone = add(docs, contact.id, tmp_path, "drop.txt", b"drop")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(DataTable).move_cursor(row=1)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Delete drop.txt?" in screen_text(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert names_in_table(app) == ["keep.txt", "drop.txt"]

        await pilot.press("d", "y")
        await settle(app, pilot)
        assert names_in_table(app) == ["keep.txt"]
        assert status_of(app) == "Deleted drop.txt."
        assert app.changes == 1
    assert docs.blobs.all_hashes() == {kept.sha256}
    assert not docs.blobs.exists(gone.sha256)


async def test_deleting_what_someone_else_deleted_says_so(workspace, docs, tmp_path):
    contact = docs.create_contact("Ann")
    info = add(docs, contact.id, tmp_path, "a.txt", b"a")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        docs.documents.delete(info.id)  # another user, meanwhile
        await pilot.press("d", "y")
        await settle(app, pilot)
        assert "already deleted by someone else" in status_of(app)
        assert names_in_table(app) == []


async def test_change_type(workspace, docs, tmp_path):
    contact = docs.create_contact("Ann")
    add(docs, contact.id, tmp_path, "id.pdf", b"%PDF-1.4 passport", kind="Other")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DocumentTypeDialog)
        assert dialog.types[dialog.query_one("OptionList").highlighted] == "Other"
        await pilot.press("home", "down", "enter")  # Identification
        await settle(app, pilot)
        assert docs.get_contact(contact.id).documents[0].doc_type == "Identification"
        assert "Identification" in screen_text(app)
        assert app.changes == 1


async def test_actions_without_documents_explain_themselves(workspace, docs):
    contact = docs.create_contact("Ann")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE) as pilot:
        for key in ("v", "e", "d", "t"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is app.screen_stack[0]
            assert "There is no document" in status_of(app)


async def test_hostile_names_are_shown_as_plain_text(workspace, docs, tmp_path):
    contact = docs.create_contact("Ann")
    add(docs, contact.id, tmp_path, "[red]x[bold]\u202etxt.exe", b"x")
    app = Host(workspace, docs, contact.id)
    async with app.run_test(size=SIZE):
        (name,) = names_in_table(app)
        assert name == "[red]x[bold]txt.exe"
        assert "[red]x[bold]txt.exe" in screen_text(app)


# ----- through the contact detail screen ------------------------------------------------


async def test_upload_preview_and_delete_from_the_detail_screen(workspace, files):
    app = ContactsApp(workspace)
    contact = app.service.create_contact("Ada Lovelace")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = ContactDetailScreen(contact.id)
        await app.push_screen(screen)
        await settle(app, pilot)
        await pilot.press("2")
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "documents"
        table = screen.query_one("#documents-table", DataTable)
        assert table.has_focus  # the tab's keys work at once

        # The panel's keys are commands too: upload from the palette.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Contact: Upload")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await type_path(pilot, "contract.txt")
        await pilot.press("enter", "enter")  # the file, then the type it starts on: Other
        await settle(app, pilot)
        assert app.screen is screen
        documents: tuple[DocumentInfo, ...] = screen.detail.documents  # re-read via Changed
        assert [(d.file_name, d.doc_type) for d in documents] == [("contract.txt", "Other")]
        assert "contract.txt" in screen_text(app)

        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DocumentPreviewScreen)
        assert "Signed on the dotted line." in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("d", "y")
        await settle(app, pilot)
        assert screen.detail.documents == ()
        assert app.service.blobs.all_hashes() == set()
