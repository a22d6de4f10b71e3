"""Dialog: choose a file on this server to upload, by typing its path or walking a folder tree."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Label, Static, Tree

from contacts_tui.documents import human_size
from contacts_tui.validation import display_safe
from contacts_tui.widgets.file_picker import FileTree, PathInput, resolve_typed_path

SHOWN_CANDIDATES = 12


def start_folder() -> Path:
    """The current directory, or the home folder when the current one has been removed."""
    try:
        return Path.cwd()
    except OSError:
        return Path.home()


def upload_problem(path: Path, max_bytes: int | None) -> str | None:
    """Why `path` cannot be uploaded, in a sentence; None when it looks fine."""
    shown = display_safe(str(path))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return f"There is no file {shown}."
    except PermissionError:
        return f"You are not allowed to look at {shown}."
    except OSError as error:
        return f"{shown} cannot be used ({display_safe(error.strerror or error)})."
    if stat.S_ISDIR(info.st_mode):
        return f"{shown} is a folder; choose a file in it."
    if not stat.S_ISREG(info.st_mode):
        return f"{shown} is not a regular file (a pipe, socket or device); choose a file."
    if not os.access(path, os.R_OK):
        return f"You are not allowed to read {shown}."
    if max_bytes is not None and info.st_size > max_bytes:
        return (
            f"{shown} is {human_size(info.st_size)}, over the {human_size(max_bytes)} "
            "limit for documents."
        )
    return None


class FilePickerScreen(ModalScreen[Path | None]):
    """Returns the chosen file's absolute path, or None when cancelled with escape."""

    DEFAULT_CSS = """
    FilePickerScreen {
        align: center middle;
        & > Vertical {
            width: 100;
            max-width: 100%;
            height: 90%;
            border: thick $primary;
            background: $surface;
            padding: 0 1;
        }
        & #file-picker-title { text-style: bold; margin-bottom: 1; }
        & #file-picker-message { color: $text-muted; height: auto; max-height: 3; }
        & #file-picker-message.-error { color: $error; }
        & FileTree { height: 1fr; margin-top: 1; }
        & #file-picker-hint { color: $text-muted; width: 100%; }
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="file_picker.cancel", tooltip="Upload nothing"),
    ]

    def __init__(
        self,
        title: str = "Upload a file",
        *,
        start: Path | None = None,
        max_bytes: int | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.start = start or start_folder()
        self.max_bytes = max_bytes

    def compose(self) -> ComposeResult:
        start = str(self.start).rstrip("/") + "/"
        with Vertical():
            yield Label(Text(self.title_text), id="file-picker-title")
            yield PathInput(
                start,
                cwd=self.start,
                id="file-picker-path",
                placeholder="a file path; tab completes",
                tooltip="Type a path (tab completes) and press enter, or go down to the tree",
            )
            yield Static(self._limit_note(), id="file-picker-message", markup=False)
            yield FileTree(self.start, id="file-picker-tree")
            yield Label(
                "tab complete · ↓ tree · enter choose · "
                "in the tree: . hidden files, backspace up · escape cancel",
                id="file-picker-hint",
            )

    def on_mount(self) -> None:
        path_input = self.query_one(PathInput)
        path_input.focus()
        path_input.cursor_position = len(path_input.value)

    def _limit_note(self) -> str:
        if self.max_bytes is None:
            return ""
        return f"Files up to {human_size(self.max_bytes)}."

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#file-picker-message", Static)
        message.update(Text(text))
        message.set_class(error, "-error")

    # ----- the path input --------------------------------------------------------------

    @on(PathInput.Completed)
    def show_candidates(self, event: PathInput.Completed) -> None:
        candidates = event.candidates
        if not candidates:
            self._say("Nothing here matches what you typed.", error=True)
        elif len(candidates) > 1:
            shown = "  ".join(display_safe(c) for c in candidates[:SHOWN_CANDIDATES])
            more = len(candidates) - SHOWN_CANDIDATES
            self._say(shown + (f"  … {more} more" if more > 0 else ""))
        else:
            self._say(self._limit_note())

    @on(Input.Submitted, "#file-picker-path")
    def path_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self._say("Type a file path, or pick a file in the tree.", error=True)
            return
        path = resolve_typed_path(event.value, self.start)
        if path.is_dir():
            self._open_folder(path)
            return
        self._choose(path)

    # ----- the tree --------------------------------------------------------------------

    @on(Tree.NodeHighlighted, "#file-picker-tree")
    def follow_tree(self, event: Tree.NodeHighlighted) -> None:
        entry = event.node.data
        if entry is None or not self.query_one(FileTree).has_focus:
            return
        self.query_one(PathInput).value = str(entry.path)

    @on(DirectoryTree.FileSelected, "#file-picker-tree")
    def file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self._choose(Path(event.path))

    @on(FileTree.HiddenToggled)
    def hidden_toggled(self, event: FileTree.HiddenToggled) -> None:
        self.query_one(PathInput).show_hidden = event.show_hidden
        self._say("Hidden files shown." if event.show_hidden else "Hidden files hidden.")

    def _open_folder(self, folder: Path) -> None:
        tree = self.query_one(FileTree)
        tree.path = folder
        path_input = self.query_one(PathInput)
        path_input.value = str(folder).rstrip("/") + "/"
        path_input.cursor_position = len(path_input.value)
        self._say(self._limit_note())

    # ----- result ----------------------------------------------------------------------

    def _choose(self, path: Path) -> None:
        problem = upload_problem(path, self.max_bytes)
        if problem is not None:
            self._say(problem, error=True)
            self.query_one(PathInput).focus()
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
