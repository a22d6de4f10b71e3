"""Dialog: deleting the primary e-mail (phone, address) — which one takes its place?"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from contacts_tui.validation import display_safe


class ChoosePrimaryDialog(ModalScreen[int | None]):
    """Returns the id of the record that becomes primary (and so confirms), or None."""

    DEFAULT_CSS = """
    ChoosePrimaryDialog {
        align: center middle;
        & > Vertical {
            width: 72;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: thick $error;
            background: $surface;
            padding: 0 1;
        }
        & #choose-primary-question { width: 100%; margin-bottom: 1; }
        & OptionList { height: auto; max-height: 10; }
        & #choose-primary-hint { color: $text-muted; margin-top: 1; }
    }
    """

    BINDINGS = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="choose_primary.cancel",
            tooltip="Delete nothing",
        ),
    ]

    def __init__(self, question: str, candidates: list[tuple[int, str]]) -> None:
        """`candidates` are (record id, how it is shown) of the records that could take over."""
        super().__init__()
        self.question = question
        self.candidates = candidates

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(display_safe(self.question)), id="choose-primary-question")
            yield OptionList(
                *(Option(Text(display_safe(label)), id=str(i)) for i, label in self.candidates),
                id="choose-primary-options",
            )
            yield Label(
                "enter: delete, and make the highlighted one primary · escape: cancel",
                id="choose-primary-hint",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
