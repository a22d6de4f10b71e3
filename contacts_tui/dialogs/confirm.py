"""Dialog: a yes/no question (archive, delete, discard edits…); dismisses True or False."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from contacts_tui.dialogs.dialog import Dialog, layout_css
from contacts_tui.safe_text import display_safe


class ConfirmDialog(Dialog[bool]):
    """Asks `question`; `y` or the named button confirms, `n`, escape or enter cancels.

    Enter is always the safe choice: the questions guard steps that delete, archive,
    discard or overwrite, and an enter meant for the screen below (a double press, a
    key typed ahead) must never say yes. So no binding maps enter to confirm, and the
    Cancel button has the focus when the dialog opens; enter presses whichever button
    the user moved the focus to.

    `danger` marks a step that is hard to undo: the dialog and its button turn red.
    The question may quote contact data: it is shown as plain text, never as markup.
    """

    DEFAULT_CSS = layout_css(__file__, "confirm.tcss")

    BINDINGS = [
        Binding("y", "confirm", "Yes", id="confirm.yes", tooltip="Go ahead"),
        Binding("n,escape", "cancel", "No", id="confirm.no", tooltip="Leave things as they are"),
    ]

    def __init__(self, question: str, confirm_label: str = "Yes", danger: bool = False) -> None:
        super().__init__(classes="-danger" if danger else None)
        self.question = question
        self.confirm_label = confirm_label
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                Text(display_safe(self.question)), id="confirm-question", classes="dialog--question"
            )
            with Horizontal(id="confirm-buttons"):
                yield Button(
                    Text(self.confirm_label),
                    variant="error" if self.danger else "primary",
                    id="confirm-yes",
                )
                yield Button("Cancel", id="confirm-no")
            hint = f"y: {self.confirm_label} · n / escape / enter: cancel"
            yield Label(Text(hint), id="confirm-hint", classes="dialog--hint")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def action_confirm(self) -> None:
        self._answer(True)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        self._answer(False)

    def _answer(self, answer: bool) -> None:
        # A second key press before the screen is gone must not dismiss twice.
        if self.is_active:
            self.dismiss(answer)
