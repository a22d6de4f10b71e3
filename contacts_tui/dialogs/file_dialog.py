"""The frame of the file dialogs: a path input with tab completion above a folder tree."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static, Tree

from contacts_tui.dialogs.dialog import Dialog, layout_css
from contacts_tui.widgets.file_picker import FileTree, PathInput


def start_folder() -> Path:
    """The current directory, or the home folder when the current one has been removed."""
    try:
        return Path.cwd()
    except OSError:
        return Path.home()


class FileDialog(Dialog[Path | None]):
    """A title, a path input, a message line, a folder tree from `start` and a key hint.

    The widgets are `#{ID_PREFIX}-title`, `-path`, `-message`, `-tree` and `-hint`. Moving
    in the tree fills in the path input (with `tree_target`), and the tree's hidden files
    toggle also decides what tab completes. What enter and a file picked in the tree do is
    the subclass's to say.
    """

    DEFAULT_CSS = layout_css(__file__, "file_dialog.tcss")

    ID_PREFIX: ClassVar[str]

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        self.start = start or start_folder()

    def compose_dialog(
        self, *, title: str, path: str, placeholder: str, tooltip: str, message: str, hint: str
    ) -> ComposeResult:
        """The dialog's widgets, for the subclass's `compose`; `title` may quote a file name."""
        prefix = self.ID_PREFIX
        with Vertical():
            yield Label(Text(title), id=f"{prefix}-title", classes="dialog--title")
            yield PathInput(
                path, cwd=self.start, id=f"{prefix}-path", placeholder=placeholder, tooltip=tooltip
            )
            yield Static(Text(message), id=f"{prefix}-message", classes="file-dialog--message")
            yield FileTree(self.start, id=f"{prefix}-tree")
            yield Label(hint, id=f"{prefix}-hint", classes="dialog--hint")

    def on_mount(self) -> None:
        path_input = self.query_one(PathInput)
        path_input.focus()
        path_input.cursor_position = len(path_input.value)

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one(f"#{self.ID_PREFIX}-message", Static)
        message.update(Text(text))
        message.set_class(error, "-error")

    def tree_target(self, path: Path) -> Path:
        """The path that highlighting `path` in the tree puts in the path input."""
        return path

    @on(Tree.NodeHighlighted)
    def _follow_tree(self, event: Tree.NodeHighlighted) -> None:
        entry = event.node.data
        # Only the user's own moves: the tree highlights its first line when it loads.
        if entry is None or not self.query_one(FileTree).has_focus:
            return
        self.query_one(PathInput).value = str(self.tree_target(Path(entry.path)))

    @on(FileTree.HiddenToggled)
    def _complete_hidden_too(self, event: FileTree.HiddenToggled) -> None:
        self.query_one(PathInput).show_hidden = event.show_hidden
