"""The Documents tab of a contact: the contact's files, with upload, preview, save and delete."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, ProgressBar, Static

from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.document_preview import DocumentPreviewScreen
from contacts_tui.dialogs.document_type import DocumentTypeDialog
from contacts_tui.dialogs.file_picker import FilePickerScreen
from contacts_tui.dialogs.save_copy import SaveCopyScreen
from contacts_tui.documents import DocumentError, file_fingerprint, human_size
from contacts_tui.preferences import load_document_type, save_document_type
from contacts_tui.safe_text import display_safe
from contacts_tui.services import ContactDetail, DocumentInfo, NotFoundError
from contacts_tui.validation import ValidationError
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.reporting import reported_work, tell

COLUMNS = (
    ("File name", "file_name"),
    ("Type", "doc_type"),
    ("Size", "size"),
    ("Uploaded (UTC)", "uploaded_at"),
    ("By", "uploaded_by"),
)
PROGRESS_INTERVAL = 0.1  # seconds between progress bar updates from the upload thread


class DocumentsPanel(Widget, can_focus=False):
    """The documents of one contact: a upload, enter/v preview, e save a copy, d delete, t type."""

    HELP_GROUP = "Documents tab (2)"

    DEFAULT_CSS = """
    DocumentsPanel {
        height: 1fr;
        & > DataTable { height: 1fr; }
        & > #documents-empty { color: $text-muted; padding: 0 1; }
        & > #documents-status { height: auto; padding: 0 1; color: $text-muted; }
        & > #documents-status.-error { color: $error; }
        & > #documents-progress { padding: 0 1; }
    }
    """

    BINDINGS = [
        Binding(
            "a",
            "upload",
            "Upload",
            id="documents.upload",
            tooltip="Upload a file from this server to the contact's documents",
        ),
        Binding(
            "v",
            "preview",
            "Preview",
            id="documents.preview",
            tooltip="Show the selected document (enter does the same)",
        ),
        Binding(
            "e",
            "save_copy",
            "Save a copy",
            id="documents.save_copy",
            tooltip="Save a copy of the selected document to a folder of your choosing",
        ),
        Binding(
            "d",
            "delete",
            "Delete",
            id="documents.delete",
            tooltip="Delete the selected document (asks first)",
        ),
        Binding(
            "t",
            "change_type",
            "Change type",
            id="documents.change_type",
            tooltip="Change the document type of the selected document",
        ),
    ]

    @dataclass
    class Changed(Message):
        """A document of the contact was uploaded, deleted or retyped; re-read the contact."""

        panel: DocumentsPanel
        contact_id: int

        @property
        def control(self) -> DocumentsPanel:
            return self.panel

    @dataclass
    class _Done(Message):
        """An action's worker finished: the fresh list, and what to tell the user."""

        documents: tuple[DocumentInfo, ...] | None
        status: str
        error: bool = False
        changed: bool = False
        select: int | None = None  # the document id to put the cursor on
        upload_ended: bool = False

    @dataclass
    class _Progress(Message):
        done: int
        total: int

    def __init__(self, contact_id: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.contact_id = contact_id
        self.documents: tuple[DocumentInfo, ...] = ()
        """The rows shown, in table order."""
        self.uploading: str | None = None
        """The name of the file being uploaded, while an upload runs."""
        self._status_about: int | None = None
        """The document the status line speaks of: once it is gone, so is the line."""

    def compose(self) -> ComposeResult:
        yield Static(Text("No documents yet. Press a to upload one."), id="documents-empty")
        yield DataTable(id="documents-table", cursor_type="row", zebra_stripes=True)
        yield ProgressBar(id="documents-progress", show_eta=False)
        yield Static("", id="documents-status")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in COLUMNS:
            table.add_column(label, key=key)
        self.query_one(ProgressBar).display = False
        self._refresh_table()

    # ----- showing ---------------------------------------------------------------------

    def show(self, detail: ContactDetail) -> None:
        """Show the documents of the freshly read contact."""
        self.contact_id = detail.id
        self._set_documents(detail.documents)

    def _set_documents(self, documents: tuple[DocumentInfo, ...], select: int | None = None):
        keep = select if select is not None else (self.selected.id if self.selected else None)
        self.documents = documents
        if self.is_mounted:
            self._refresh_table(keep)
            if self._status_about is not None and all(
                doc.id != self._status_about for doc in documents
            ):
                self._say("")  # "Uploaded x as Contract." about a document deleted since

    def _refresh_table(self, select: int | None = None) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for doc in self.documents:
            table.add_row(*_cells(doc), key=str(doc.id))
        self.query_one("#documents-empty").display = not self.documents
        for index, doc in enumerate(self.documents):
            if doc.id == select:
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

    def _say(self, text: str, *, error: bool = False, about: int | None = None) -> None:
        """The status line (`about`: the document it speaks of); an error is a toast too."""
        self._status_about = about
        status = self.query_one("#documents-status", Static)
        status.update(Text(text))
        status.set_class(error, "-error")
        if error:
            tell(self, text, severity="error")

    def _require_selection(self) -> DocumentInfo | None:
        document = self.selected
        if document is None:
            self._say("There is no document to work on; press a to upload one.", error=True)
        return document

    # ----- actions ---------------------------------------------------------------------

    def action_upload(self) -> None:
        if self.uploading is not None:
            self._say(f"{self.uploading} is still uploading; wait for it to finish.", error=True)
            return
        max_bytes = contacts_app(self).service.config.document_max_mb * 1024 * 1024

        def picked(path: Path | None) -> None:
            if path is not None:
                self._choose_type(path, max_bytes)

        self.app.push_screen(FilePickerScreen("Upload a document", max_bytes=max_bytes), picked)

    def _choose_type(self, path: Path, max_bytes: int) -> None:
        types = contacts_app(self).service.config.picklists.document_types
        shown = display_safe(path.name)
        # The list starts on the type chosen last time; else on a neutral one, never
        # on the first type as if most documents were contracts.
        start = load_document_type()
        if start not in types:
            start = "Other" if "Other" in types else None

        def typed(doc_type: str | None) -> None:
            if doc_type is None:
                self._say(f"Nothing was uploaded: no type was chosen for {shown}.")
                return
            self.uploading = shown
            self._say(f"Checking {shown}…")
            self._look_for_same_file(path, doc_type, max_bytes)

        question = f"What kind of document is {shown}?"
        self.app.push_screen(DocumentTypeDialog(question, types, current=start), typed)

    @reported_work(thread=True, exclusive=True, group="documents-upload")
    def _look_for_same_file(self, path: Path, doc_type: str, max_bytes: int) -> None:
        """Is this very file (same content) attached already? Read in a thread: it may be big."""
        save_document_type(doc_type)  # where the type list starts next time
        fingerprint = file_fingerprint(path, max_bytes)
        same = next((doc for doc in self.documents if doc.sha256 == fingerprint), None)
        self.app.call_from_thread(self._ask_if_same_file, path, doc_type, same)

    def _ask_if_same_file(self, path: Path, doc_type: str, same: DocumentInfo | None) -> None:
        if same is None:
            self._start_upload(path, doc_type)
            return
        shown = display_safe(path.name)
        attached = (
            f"{display_safe(same.file_name)} ({display_safe(same.doc_type)}, uploaded "
            f"{same.uploaded_at:%Y-%m-%d} by {display_safe(same.uploaded_by)})"
        )

        def answered(again: bool | None) -> None:
            if again:
                self._start_upload(path, doc_type)
            else:
                self.uploading = None
                self._say(f"Nothing was uploaded: this contact has it already as {attached}.")

        question = f"This contact has {shown} already: {attached}. Upload a second copy?"
        self.app.push_screen(ConfirmDialog(question, confirm_label="Upload again"), answered)

    def _start_upload(self, path: Path, doc_type: str) -> None:
        shown = display_safe(path.name)
        self.uploading = shown
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._say(f"Uploading {shown}…")
        self.upload(path, doc_type)

    @reported_work(thread=True, exclusive=True, group="documents-upload")
    def upload(self, path: Path, doc_type: str) -> None:
        service = contacts_app(self).service
        last = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL or done == total:
                last = now
                self.post_message(self._Progress(done, total))

        shown = display_safe(path.name)
        try:
            info = service.documents.add(self.contact_id, path, doc_type, progress=progress)
            documents = service.documents.of_contact(self.contact_id)
        except (DocumentError, ValidationError, NotFoundError) as error:
            status = f"Upload failed: {error}"
            self.post_message(self._Done(None, status, error=True, upload_ended=True))
            return
        status = f"Uploaded {shown} ({human_size(info.size)}) as {info.doc_type}."
        self.post_message(
            self._Done(documents, status, changed=True, select=info.id, upload_ended=True)
        )

    @on(_Progress)
    def show_progress(self, message: _Progress) -> None:
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)

    @on(DataTable.RowSelected, "#documents-table")
    def row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_preview()

    def action_preview(self) -> None:
        document = self._require_selection()
        if document is None:
            return

        def closed(gone: bool | None) -> None:
            if gone:  # deleted in another session: this list is stale
                self._read_again(f"{display_safe(document.file_name)} was deleted by someone else.")

        self.app.push_screen(DocumentPreviewScreen(document), closed)

    @reported_work(thread=True, exclusive=True, group="store")
    def _read_again(self, status: str) -> None:
        documents = contacts_app(self).service.documents.of_contact(self.contact_id)
        self.post_message(self._Done(documents, status, changed=True))

    def action_save_copy(self) -> None:
        document = self._require_selection()
        if document is None:
            return

        def saved(target: Path | None) -> None:
            if target is not None:
                self._say(
                    f"Saved a copy of {display_safe(document.file_name)} to "
                    f"{display_safe(str(target))}."
                )

        self.app.push_screen(SaveCopyScreen(document), saved)

    def action_delete(self) -> None:
        document = self._require_selection()
        if document is None:
            return
        name = display_safe(document.file_name)

        def answered(delete: bool | None) -> None:
            if delete:
                self.delete(document)

        question = f"Delete {name}? Everyone working with this contact loses it."
        self.app.push_screen(ConfirmDialog(question, confirm_label="Delete", danger=True), answered)

    @reported_work(thread=True, exclusive=True, group="store")
    def delete(self, document: DocumentInfo) -> None:
        service = contacts_app(self).service
        name = display_safe(document.file_name)
        try:
            service.documents.delete(document.id)
        except NotFoundError:
            documents = service.documents.of_contact(self.contact_id)
            status = f"{name} was already deleted by someone else."
            self.post_message(self._Done(documents, status, changed=True))
            return
        except DocumentError as error:
            self.post_message(self._Done(None, f"Not deleted: {error}", error=True))
            return
        documents = service.documents.of_contact(self.contact_id)
        self.post_message(self._Done(documents, f"Deleted {name}.", changed=True))

    def action_change_type(self) -> None:
        document = self._require_selection()
        if document is None:
            return
        types = contacts_app(self).service.config.picklists.document_types
        name = display_safe(document.file_name)

        def typed(doc_type: str | None) -> None:
            if doc_type is not None and doc_type != document.doc_type:
                self.set_type(document, doc_type)

        self.app.push_screen(
            DocumentTypeDialog(f"Document type of {name}", types, current=document.doc_type),
            typed,
        )

    @reported_work(thread=True, exclusive=True, group="store")
    def set_type(self, document: DocumentInfo, doc_type: str) -> None:
        service = contacts_app(self).service
        name = display_safe(document.file_name)
        try:
            info = service.documents.set_type(document.id, doc_type)
        except (NotFoundError, ValidationError) as error:
            self.post_message(self._Done(None, f"Type not changed: {error}", error=True))
            return
        documents = service.documents.of_contact(self.contact_id)
        status = f"The type of {name} is now {info.doc_type}."
        self.post_message(self._Done(documents, status, changed=True, select=info.id))

    def worker_failed(self, work_name: str, message: str) -> bool:
        """Expected refusals come back as _Done; this is the rest (the database gone away…):
        an upload that died stops looking busy, and the status line says why."""
        if work_name in ("upload", "_look_for_same_file"):
            self.uploading = None
            self.query_one(ProgressBar).display = False
        self._say(f"That did not finish: {message}", error=True)
        return True

    @on(_Done)
    def finished(self, message: _Done) -> None:
        if message.upload_ended:
            self.uploading = None
            self.query_one(ProgressBar).display = False
        if message.documents is not None:
            self._set_documents(message.documents, message.select)
        self._say(message.status, error=message.error, about=message.select)
        if message.changed:
            self.post_message(self.Changed(self, self.contact_id))


def _cells(doc: DocumentInfo) -> tuple[Text, ...]:
    # Text objects, never str: a DataTable parses str cells as Rich markup.
    return (
        Text(display_safe(doc.file_name)),
        Text(display_safe(doc.doc_type) or "—"),
        Text(human_size(doc.size), justify="right"),
        Text(f"{doc.uploaded_at:%Y-%m-%d %H:%M}"),
        Text(display_safe(doc.uploaded_by)),
    )
