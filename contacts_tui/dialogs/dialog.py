"""The frame every modal dialog shares: a bordered box in the middle of the screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input

ResultT = TypeVar("ResultT")


def layout_css(module_file: str, name: str) -> str:
    """The .tcss file `name` beside `module_file`, for a screen's DEFAULT_CSS.

    Screens and dialogs keep their layout in a .tcss file each but hand it to Textual as
    default CSS, not CSS_PATH: on the first push of a screen with a CSS_PATH, Textual 8.2
    parses the whole stylesheet again and restyles every widget of the app. That made
    the first dialog of a session open in twice the time (565 -> 1163 ms median, sort
    dialog, loaded machine); default CSS is parsed on its own, once. One file per dialog,
    not one for all: the first dialog would parse them all (1.5x its open time).
    """
    return (Path(module_file).parent / name).read_text(encoding="utf-8")


def cancel_binding(binding_id: str, tooltip: str, description: str = "Cancel") -> Binding:
    """Escape runs the dialog's `cancel` action: the way out of every dialog."""
    return Binding("escape", "cancel", description, id=binding_id, tooltip=tooltip)


class Dialog(ModalScreen[ResultT]):
    """A modal screen that composes one `Vertical` box, framed once for every dialog.

    dialog.tcss frames it (`Dialog > Vertical`, which matches every subclass through its
    base class name); each dialog's own .tcss restyles what differs (width, border
    colour, height). Its classes are for the lines most dialogs have: a bold title
    (`dialog--title`), a question and a muted key hint.
    """

    DEFAULT_CSS = layout_css(__file__, "dialog.tcss")

    def action_cancel(self) -> None:
        """Close with no result; dialogs whose cancel says more override this."""
        self.dismiss(None)

    def after_typed_keys(self, action: Callable[[], Any]) -> None:
        """Run `action` (a priority key's: enter applies from inside a field) once the
        focused field has taken the keys that came before it.

        A priority binding runs as its key reaches the app, before the field has the
        letters of the same read: a pasted path and its enter, a fast typist over SSH
        (`80` and enter applied 8, or nothing)."""
        if isinstance(self.focused, Input):
            self.focused.call_later(action)
        else:
            self.call_later(action)
