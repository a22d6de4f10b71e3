"""The frame every modal dialog shares: a bordered box in the middle of the screen."""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")


def cancel_binding(binding_id: str, tooltip: str, description: str = "Cancel") -> Binding:
    """Escape runs the dialog's `cancel` action: the way out of every dialog."""
    return Binding("escape", "cancel", description, id=binding_id, tooltip=tooltip)


class Dialog(ModalScreen[ResultT]):
    """A modal screen that composes one `Vertical` box, styled here once for every dialog.

    A subclass restyles what differs (width, border colour, height) in its own
    DEFAULT_CSS: `MyDialog > Vertical { width: 72; }` wins over the rule below, which
    matches every subclass through its base class name. The classes below are for the
    lines most dialogs have: a bold title, a question and a muted key hint.
    """

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        & > Vertical {
            width: 60;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: thick $primary;
            background: $surface;
            padding: 0 1;
        }
        & .dialog--title { text-style: bold; margin-bottom: 1; }
        & .dialog--question { width: 100%; margin-bottom: 1; }
        & .dialog--hint { width: 100%; color: $text-muted; }
    }
    """

    def action_cancel(self) -> None:
        """Close with no result; dialogs whose cancel says more override this."""
        self.dismiss(None)  # type: ignore[arg-type]
