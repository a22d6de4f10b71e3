"""Dialog: lifecycle.toml changed on disk while the admin edited it; keep both, theirs or yours."""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from contacts_tui.dialogs.dialog import Dialog, cancel_binding, layout_css
from contacts_tui.safe_text import display_safe
from contacts_tui.services.lifecycle_merge import Merge

LifecycleChoice = Literal["merge", "reload", "overwrite"]


class LifecycleConflictDialog(Dialog[LifecycleChoice | None]):
    """Each changed item with what they did and what you did, one below the other (so it
    reads at 80 columns); returns "merge", "reload", "overwrite" or None (keep editing)."""

    DEFAULT_CSS = layout_css(__file__, "lifecycle_conflict.tcss")

    BINDINGS = [
        Binding(
            "m",
            "choose('merge')",
            "Keep both",
            id="lifecycle_conflict.merge",
            tooltip="Save their changes and yours together (yours where you both changed one)",
        ),
        Binding(
            "r",
            "choose('reload')",
            "Take theirs",
            id="lifecycle_conflict.reload",
            tooltip="Throw away your edits and show the file as they saved it",
        ),
        Binding(
            "o",
            "choose('overwrite')",
            "Overwrite",
            id="lifecycle_conflict.overwrite",
            tooltip="Save your version on top of theirs: their changes are lost",
        ),
        cancel_binding(
            "lifecycle_conflict.cancel",
            "Close this and keep your edits unsaved",
            description="Keep editing",
        ),
    ]

    def __init__(self, file_name: str, merge: Merge) -> None:
        super().__init__()
        self.file_name = file_name
        self.merge = merge

    def compose(self) -> ComposeResult:
        merge = self.merge
        with Vertical():
            yield Label(
                Text(
                    f"{display_safe(self.file_name)} was changed on disk since you opened it "
                    "(another admin or an editor). What each of you changed:"
                ),
                classes="dialog--question",
            )
            with VerticalScroll(id="lifecycle-changes"):
                for change in merge.changes:
                    mark = "✗ both changed: " if change.clash else "• "
                    yield Static(
                        Text(mark + display_safe(change.item)),
                        classes="change-item" + (" -clash" if change.clash else ""),
                    )
                    yield Static(
                        Text(f"theirs: {display_safe(change.theirs)}"), classes="change-side"
                    )
                    yield Static(
                        Text(f"yours:  {display_safe(change.yours)}"), classes="change-side"
                    )
                if not merge.changes:
                    yield Static("Only the layout of the file differs (comments, order of keys).")
            yield Label(Text(self._merge_note()), id="lifecycle-merge-note")
            with Horizontal(id="lifecycle-conflict-buttons"):
                if merge.merged is not None:
                    yield Button("Keep both (m)", id="merge", variant="primary", compact=True)
                yield Button("Take theirs (r)", id="reload", compact=True)
                yield Button("Overwrite (o)", id="overwrite", variant="warning", compact=True)
                yield Button("Keep editing (esc)", id="cancel", compact=True)

    def _merge_note(self) -> str:
        merge = self.merge
        if merge.merged is None:
            return f"Both cannot be kept: {display_safe(merge.problem)}"
        if merge.clashes:
            return (
                f"Keep both saves their changes with yours; on the {merge.clashes} "
                "item(s) you both changed, yours. Overwrite drops all of theirs."
            )
        return "Keep both saves their changes with yours. Overwrite drops all of theirs."

    def on_mount(self) -> None:
        # The safe answer has the focus: enter never overwrites anyone's work.
        self.query_one("#cancel", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters == ("merge",):
            return self.merge.merged is not None
        return True

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.action_choose(event.button.id or "")

    def action_choose(self, choice: str) -> None:
        if choice == "merge" and self.merge.merged is None:
            return
        if choice in ("merge", "reload", "overwrite"):
            self.dismiss(choice)  # type: ignore[arg-type]
