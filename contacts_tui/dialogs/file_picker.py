"""Dialog: choose a file on this server to upload, by typing its path or walking a folder tree."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.widgets import DirectoryTree, Input

from contacts_tui.dialogs.dialog import cancel_binding
from contacts_tui.dialogs.file_dialog import FileDialog
from contacts_tui.documents import limit_size, size_beside_limit
from contacts_tui.safe_text import display_safe
from contacts_tui.widgets.file_picker import FileTree, PathInput, resolve_typed_path

SHOWN_CANDIDATES = 12


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
        size, limit = size_beside_limit(info.st_size, max_bytes)
        return f"{shown} is {size}, over the {limit} limit for documents."
    return None


class FilePickerScreen(FileDialog):
    """Returns the chosen file's absolute path, or None when cancelled with escape."""

    BINDINGS = [cancel_binding("file_picker.cancel", "Upload nothing")]

    ID_PREFIX = "file-picker"

    def __init__(
        self,
        title: str = "Upload a file",
        *,
        start: Path | None = None,
        max_bytes: int | None = None,
    ) -> None:
        super().__init__(start)
        self.title_text = title
        self.max_bytes = max_bytes

    def compose(self) -> ComposeResult:
        yield from self.compose_dialog(
            title=self.title_text,
            path=str(self.start).rstrip("/") + "/",
            placeholder="a file path; tab completes",
            tooltip="Type a path (tab completes) and press enter, or go down to the tree",
            message=self._limit_note(),
            hint="tab complete · ↓ tree · enter choose · "
            "in the tree: . hidden files, backspace up · escape cancel",
        )

    def _limit_note(self) -> str:
        if self.max_bytes is None:
            return ""
        return f"Files up to {limit_size(self.max_bytes)}."

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

    @on(DirectoryTree.FileSelected, "#file-picker-tree")
    def file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self._choose(Path(event.path))

    @on(FileTree.HiddenToggled)
    def hidden_toggled(self, event: FileTree.HiddenToggled) -> None:
        # (FileDialog makes tab complete hidden names too.)
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
