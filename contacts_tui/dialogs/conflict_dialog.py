"""Dialog: someone saved the contact meanwhile; their values beside yours, reload or overwrite."""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Label

from contacts_tui.dialogs.dialog import Dialog, cancel_binding, layout_css
from contacts_tui.safe_text import display_safe

ConflictChoice = Literal["reload", "overwrite"]


class ConflictDialog(Dialog[ConflictChoice | None]):
    """Returns "reload" (take theirs), "overwrite" (save yours on top) or None (keep editing)."""

    DEFAULT_CSS = layout_css(__file__, "conflict_dialog.tcss")

    BINDINGS = [
        Binding(
            "r",
            "choose('reload')",
            "Reload theirs",
            id="conflict.reload",
            tooltip="Throw away your edits and show what they saved",
        ),
        Binding(
            "o",
            "choose('overwrite')",
            "Overwrite",
            id="conflict.overwrite",
            tooltip="Save your values on top of theirs",
        ),
        cancel_binding(
            "conflict.cancel", "Close this and keep your edits unsaved", description="Keep editing"
        ),
    ]

    def __init__(self, message: str, rows: list[tuple[str, str, str]]) -> None:
        """`rows` are (field, their value, your value) for every field that differs."""
        super().__init__()
        self.message = message
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                Text(display_safe(self.message)), id="conflict-message", classes="dialog--question"
            )
            table: DataTable = DataTable(id="conflict-table", cursor_type="none")
            table.add_columns("Field", "Theirs (saved)", "Yours")
            for field, theirs, yours in self.rows:
                table.add_row(
                    Text(field),
                    Text(display_safe(theirs) or "(blank)"),
                    Text(display_safe(yours) or "(blank)"),
                )
            yield table
            with Horizontal(id="conflict-buttons"):
                yield Button("Reload theirs (r)", id="reload", compact=True)
                yield Button(
                    "Overwrite with mine (o)", id="overwrite", variant="warning", compact=True
                )
                yield Button("Keep editing (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#reload", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.action_choose(event.button.id or "")

    def action_choose(self, choice: str) -> None:
        if choice in ("reload", "overwrite"):
            self.dismiss(choice)  # type: ignore[arg-type]
