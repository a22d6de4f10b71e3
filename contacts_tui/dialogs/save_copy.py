"""Dialog: save a verified copy of a document to a path on this server, asking before replacing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input

from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.dialog import cancel_binding
from contacts_tui.dialogs.file_dialog import FileDialog
from contacts_tui.documents import DocumentError, IntegrityError, TargetExistsError
from contacts_tui.safe_text import display_safe
from contacts_tui.services import DocumentInfo, NotFoundError
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.file_picker import FileTree, PathInput, resolve_typed_path
from contacts_tui.widgets.reporting import reported_work


class SaveCopyScreen(FileDialog):
    """Returns the path the copy was saved to, or None when cancelled."""

    BINDINGS = [cancel_binding("save_copy.cancel", "Save nothing")]

    ID_PREFIX = "save-copy"

    @dataclass
    class Finished(Message):
        """The save worker's outcome: saved, the target exists, or why it failed."""

        target: Path
        saved: bool = False
        exists: bool = False
        error: str | None = None

    def __init__(self, document: DocumentInfo, *, start: Path | None = None) -> None:
        super().__init__(start)
        self.document = document
        self.saving = False
        """A save is running: enter does nothing until it ends."""

    def compose(self) -> ComposeResult:
        yield from self.compose_dialog(
            title=f"Save a copy of {display_safe(self.document.file_name)}",
            path=str(self.start / self.document.file_name),
            placeholder="where to save; tab completes",
            tooltip="The file to create; a folder saves under the document's name",
            message="The copy is readable by you only (0600).",
            hint="enter save · tab complete · ↓ tree · "
            "in the tree: . hidden files, backspace up · escape cancel",
        )

    def tree_target(self, path: Path) -> Path:
        # A folder in the tree means "in there, under the document's name".
        return path / self.document.file_name if path.is_dir() else path

    @on(FileTree.FileSelected, "#save-copy-tree")
    def file_selected(self, event: FileTree.FileSelected) -> None:
        event.stop()
        self._save(Path(event.path), overwrite=False)

    @on(PathInput.Completed)
    def show_candidates(self, event: PathInput.Completed) -> None:
        if not event.candidates:
            self._say("Nothing here matches; a new file name is fine.")
        elif len(event.candidates) > 1:
            self._say("  ".join(display_safe(c) for c in event.candidates[:12]))

    @on(Input.Submitted, "#save-copy-path")
    def path_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self._say("Type the path of the file to create.", error=True)
            return
        target = resolve_typed_path(event.value, self.start)
        if target.is_dir() and not target.is_symlink():
            target = target / self.document.file_name
        self._save(target, overwrite=False)

    def _save(self, target: Path, *, overwrite: bool) -> None:
        if self.saving:
            return
        self.saving = True
        self._say(f"Saving to {display_safe(str(target))}…")
        self.save(target, overwrite)

    @reported_work(thread=True, exclusive=True, group="store")
    def save(self, target: Path, overwrite: bool) -> None:
        try:
            contacts_app(self).service.documents.save_copy(
                self.document.id, target, overwrite=overwrite
            )
        except TargetExistsError:
            self.post_message(self.Finished(target, exists=True))
        except IntegrityError as error:
            self.post_message(
                self.Finished(target, error=f"Integrity error: {error} Nothing was saved.")
            )
        except (DocumentError, NotFoundError) as error:
            self.post_message(self.Finished(target, error=str(error)))
        else:
            self.post_message(self.Finished(target, saved=True))

    def worker_failed(self, work_name: str, message: str) -> bool:
        if work_name != "save":
            return False
        self.saving = False
        self._say(f"The copy was not saved: {message}", error=True)
        return True

    def on_save_copy_screen_finished(self, message: Finished) -> None:
        self.saving = False
        if message.saved:
            self.dismiss(message.target)
        elif message.exists:
            self._ask_to_replace(message.target)
        else:
            self._say(message.error or "The copy could not be saved.", error=True)
            self.query_one(PathInput).focus()

    def _ask_to_replace(self, target: Path) -> None:
        def answered(replace: bool | None) -> None:
            if replace:
                self._save(target, overwrite=True)
            else:
                self._say("Nothing was replaced; choose another name.", error=True)
                self.query_one(PathInput).focus()

        question = f"{display_safe(str(target))} already exists. Replace it with this copy?"
        self._say(f"{display_safe(str(target))} already exists.")
        self.app.push_screen(
            ConfirmDialog(question, confirm_label="Replace", danger=True), answered
        )
