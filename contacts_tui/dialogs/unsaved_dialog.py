"""Dialog: leave a form with unsaved values? Save, Discard or keep editing."""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from contacts_tui.dialogs.dialog import Dialog, layout_css

LeaveChoice = Literal["save", "discard"]


class UnsavedDialog(Dialog[LeaveChoice | None]):
    """Asks what to do with unsaved values; dismisses "save", "discard" or None (keep editing).

    Keep editing is the safe choice, so it has the focus and enter and escape both
    mean it: a key typed ahead never throws the values away. ctrl+s saves (as in
    every form: `s` sorts), `d` discards (the named buttons do the same).
    """

    DEFAULT_CSS = layout_css(__file__, "unsaved_dialog.tcss")

    BINDINGS = [
        Binding("ctrl+s", "choose('save')", "Save", id="unsaved.save", tooltip="Save, then close"),
        Binding(
            "d", "choose('discard')", "Discard", id="unsaved.discard", tooltip="Close, losing them"
        ),
        Binding("escape", "cancel", "Keep editing", id="unsaved.keep", tooltip="Back to the form"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__(classes="-danger")
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical():
            question = f"The {self.what} has unsaved changes."
            yield Label(Text(question), id="unsaved-question", classes="dialog--question")
            with Horizontal(id="unsaved-buttons"):
                yield Button("Save", variant="primary", id="unsaved-save")
                yield Button("Discard", variant="error", id="unsaved-discard")
                yield Button("Keep editing", id="unsaved-keep")
            hint = "^s: save · d: discard · escape / enter: keep editing"
            yield Label(Text(hint), id="unsaved-hint", classes="dialog--hint")

    def on_mount(self) -> None:
        self.query_one("#unsaved-keep", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        choices = {"unsaved-save": "save", "unsaved-discard": "discard"}
        self.action_choose(choices.get(event.button.id or ""))

    def action_choose(self, choice: str | None) -> None:
        # A second key press before the screen is gone must not dismiss twice.
        if self.is_active:
            self.dismiss(choice)  # type: ignore[arg-type]

    def action_cancel(self) -> None:
        self.action_choose(None)
