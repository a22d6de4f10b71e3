"""Dialog at start: the unsaved edits of a session that ended unexpectedly, to restore or not."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from contacts_tui.dialogs.dialog import Dialog
from contacts_tui.recovery import Draft
from contacts_tui.safe_text import display_safe

RESTORE = "restore"
DISCARD = "discard"


class RestoreDialog(Dialog[str | None]):
    """Lists the forms left unsaved; `r` reopens them, `d` discards them, escape asks again
    at the next start."""

    DEFAULT_CSS = """
    RestoreDialog {
        & > Vertical { width: 70; padding: 1 2; }
        & #restore-buttons { height: auto; align-horizontal: right; margin-top: 1; }
        & #restore-buttons Button { margin-left: 2; }
    }
    """

    BINDINGS = [
        Binding("r", "restore", "Restore", id="restore.restore", tooltip="Reopen the forms"),
        Binding("d", "discard", "Discard", id="restore.discard", tooltip="Forget these edits"),
        Binding("escape", "cancel", "Later", id="restore.later", tooltip="Ask at the next start"),
    ]

    def __init__(self, drafts: tuple[Draft, ...]) -> None:
        super().__init__()
        self.drafts = drafts

    def compose(self) -> ComposeResult:
        listed = "\n".join(f"  • {display_safe(d.title)}" for d in self.drafts)
        with Vertical():
            yield Label("Unsaved edits found", classes="dialog--title")
            yield Label(
                Text(
                    "contacts-tui ended unexpectedly while you were editing:\n"
                    f"{listed}\nReopen them with what you had typed?"
                ),
                id="restore-question",
                classes="dialog--question",
            )
            with Horizontal(id="restore-buttons"):
                yield Button("Restore", variant="primary", id="restore-yes")
                yield Button("Discard", variant="error", id="restore-no")
            hint = "r / enter: restore · d: discard · escape: ask again next time"
            yield Label(Text(hint), classes="dialog--hint")

    def on_mount(self) -> None:
        self.query_one("#restore-yes", Button).focus()

    @on(Button.Pressed, "#restore-yes")
    def action_restore(self) -> None:
        if self.is_active:
            self.dismiss(RESTORE)

    @on(Button.Pressed, "#restore-no")
    def action_discard(self) -> None:
        if self.is_active:
            self.dismiss(DISCARD)
