"""Pieces of the keyboard file pickers: a path input with tab completion and a folder tree."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text, TextType
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DirectoryTree, Input

from contacts_tui.safe_text import display_safe
from contacts_tui.widgets.terminal_glyphs import limited_font

MAX_CANDIDATES = 2000  # a folder with more entries than this completes from the first ones


@dataclass(frozen=True)
class Completion:
    """The result of completing a path: the new text and the names that matched."""

    text: str
    candidates: tuple[str, ...]  # folder names end with "/"


def complete_path(text: str, cwd: Path, show_hidden: bool = False) -> Completion:
    """Complete the last part of `text` against the folder it names, like a shell does.

    A relative path is relative to `cwd`; `~` is expanded. The text grows by the longest
    prefix all matching names share, plus "/" when exactly one folder matched. Hidden
    names take part only when `show_hidden` or the typed part starts with ".".
    """
    expanded = os.path.expanduser(text) if text.startswith("~") else text
    head, slash, fragment = expanded.rpartition("/")
    folder_text = head + slash
    if folder_text:
        folder = Path(folder_text) if os.path.isabs(folder_text) else cwd / folder_text
    else:
        folder = cwd
    names: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if not entry.name.startswith(fragment):
                    continue
                if entry.name.startswith(".") and not (show_hidden or fragment.startswith(".")):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                names.append(entry.name + "/" if is_dir else entry.name)
                if len(names) >= MAX_CANDIDATES:
                    break
    except OSError:
        return Completion(text, ())
    names.sort(key=str.lower)
    if not names:
        return Completion(text, ())
    if len(names) == 1:
        return Completion(folder_text + names[0], tuple(names))
    # Names in one folder, not paths: the shared prefix character by character is the point.
    common = os.path.commonprefix([n.rstrip("/") for n in names])  # noqa: RUF071
    return Completion(folder_text + max(common, fragment, key=len), tuple(names))


def resolve_typed_path(text: str, cwd: Path) -> Path:
    """The absolute path a user typed: `~` expanded, relative to `cwd`, `..` kept lexical."""
    path = Path(os.path.expanduser(text.strip()))
    if not path.is_absolute():
        path = cwd / path
    return Path(os.path.normpath(path))


class PathInput(Input):
    """An input for a file path; tab completes it, repeated tab cycles through the matches."""

    HELP_GROUP = "The path box"

    BINDINGS = [
        Binding(
            "tab",
            "complete",
            "Complete",
            id="path_input.complete",
            tooltip="Complete the file or folder name; press again to cycle through matches",
        ),
        Binding(
            "down",
            "leave",
            "To the tree",
            show=False,
            id="path_input.leave",
            tooltip="Move to the folder tree",
        ),
    ]

    @dataclass
    class Completed(Message):
        """Tab was pressed: the names that matched (empty: nothing did)."""

        path_input: PathInput
        candidates: tuple[str, ...]

        @property
        def control(self) -> PathInput:
            return self.path_input

    show_hidden: reactive[bool] = reactive(False)
    """Whether completion offers hidden names without a typed leading dot."""

    def __init__(self, value: str = "", *, cwd: Path, **kwargs) -> None:
        super().__init__(value, **kwargs)
        self.cwd = cwd
        # (text we set, the folder part, candidates, index) while cycling through matches
        self._cycle: tuple[str, str, tuple[str, ...], int] | None = None

    def action_complete(self) -> None:
        if self._cycle is not None and self._cycle[0] == self.value:
            _, folder_text, candidates, index = self._cycle
            index = (index + 1) % len(candidates)
            self._set(folder_text + candidates[index])
            self._cycle = (self.value, folder_text, candidates, index)
            return
        self._cycle = None
        completion = complete_path(self.value, self.cwd, self.show_hidden)
        self.post_message(self.Completed(self, completion.candidates))
        if completion.text != self.value:
            self._set(completion.text)
        elif len(completion.candidates) > 1:
            folder_text = completion.text.rpartition("/")[0]
            folder_text += "/" if "/" in completion.text else ""
            self._set(folder_text + completion.candidates[0])
            self._cycle = (self.value, folder_text, completion.candidates, 0)

    def action_leave(self) -> None:
        self.screen.focus_next()

    def _set(self, value: str) -> None:
        self.value = value
        self.cursor_position = len(value)


class FileTree(DirectoryTree):
    """A folder tree: `.` shows or hides dot files; names can't drive the terminal."""

    HELP_GROUP = "The folders"

    BINDINGS = [
        Binding(
            ".",
            "toggle_hidden",
            "Hidden files",
            id="file_tree.toggle_hidden",
            tooltip="Show or hide files and folders whose names start with a dot",
        ),
        Binding(
            "backspace",
            "parent",
            "Parent folder",
            id="file_tree.parent",
            tooltip="Show the folder above this one",
        ),
    ]

    @dataclass
    class HiddenToggled(Message):
        tree: FileTree
        show_hidden: bool

        @property
        def control(self) -> FileTree:
            return self.tree

    show_hidden: reactive[bool] = reactive(False, init=False)
    """Whether names starting with a dot are listed."""

    def __init__(self, path: str | Path, **kwargs) -> None:
        super().__init__(path, **kwargs)
        if limited_font():  # a Linux console shows no 📁 📂 📄: arrows of its own font
            self.ICON_NODE, self.ICON_NODE_EXPANDED, self.ICON_FILE = "► ", "▼ ", "  "

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        if self.show_hidden:
            return paths
        return [path for path in paths if not path.name.startswith(".")]

    def process_label(self, label: TextType) -> Text:
        # The base class parses str labels as Rich markup; a file called "[red]x" is a name.
        if isinstance(label, str):
            label = Text(display_safe(label))
        return super().process_label(label)

    def watch_show_hidden(self, show_hidden: bool) -> None:
        if self.is_mounted:
            self.reload()
        self.post_message(self.HiddenToggled(self, show_hidden))

    def action_toggle_hidden(self) -> None:
        self.show_hidden = not self.show_hidden

    def action_parent(self) -> None:
        current = Path(self.path).expanduser().resolve()
        if current.parent != current:
            self.path = current.parent
