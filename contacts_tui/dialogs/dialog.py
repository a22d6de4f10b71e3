"""The frame every modal dialog shares: a bordered box in the middle of the screen."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")

DIALOGS_CSS = Path(__file__).with_name("dialogs.tcss")
"""The layout of every dialog, in one file: Textual re-reads the whole stylesheet the
first time a screen brings a file of its own, so one file costs that once a session
rather than at the first open of each dialog."""


def cancel_binding(binding_id: str, tooltip: str, description: str = "Cancel") -> Binding:
    """Escape runs the dialog's `cancel` action: the way out of every dialog."""
    return Binding("escape", "cancel", description, id=binding_id, tooltip=tooltip)


class Dialog(ModalScreen[ResultT]):
    """A modal screen that composes one `Vertical` box, framed once for every dialog.

    dialogs.tcss frames it (`Dialog > Vertical`, which matches every subclass through
    its base class name) and then restyles what differs per dialog (width, border
    colour, height): a later rule of the same weight wins. Its classes are for the lines
    most dialogs have: a bold title (`dialog--title`), a question and a muted key hint.
    """

    CSS_PATH = DIALOGS_CSS

    def action_cancel(self) -> None:
        """Close with no result; dialogs whose cancel says more override this."""
        self.dismiss(None)  # type: ignore[arg-type]
