"""Dialog: which columns the contact list shows, and in what order."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, OptionList
from textual.widgets.option_list import Option

from contacts_tui.dialogs.dialog import Dialog, cancel_binding, layout_css

ALWAYS_SHOWN = "name"
"""The column that identifies a contact: it can move, but never be hidden."""


class ColumnsDialog(Dialog[list[str] | None]):
    """Shows every available column with a mark; dismisses the shown keys in order.

    `current`: the keys shown now, in order; `available`: key → label of every column, in
    the default order (hidden columns are listed after the shown ones in that order).
    Keys: space shows/hides, shift+↑/↓ (or K/J) move, enter applies, escape cancels.
    """

    DEFAULT_CSS = layout_css(__file__, "columns_dialog.tcss")

    BINDINGS = [
        Binding(
            "space",
            "toggle",
            "Show/hide",
            id="columns.toggle",
            tooltip="Show or hide the highlighted column",
        ),
        Binding(
            "shift+up,K",
            "move(-1)",
            "Move up",
            id="columns.move_up",
            tooltip="Move the highlighted column left in the list",
        ),
        Binding(
            "shift+down,J",
            "move(1)",
            "Move down",
            id="columns.move_down",
            tooltip="Move the highlighted column right in the list",
        ),
        # Priority over the list's own enter (which would only "select" an option);
        # check_action hands enter back to a focused button.
        Binding(
            "enter",
            "apply",
            "Apply",
            priority=True,
            id="columns.apply",
            tooltip="Use these columns",
        ),
        cancel_binding("columns.cancel", "Keep the columns as they were"),
    ]

    def __init__(self, current: list[str], available: dict[str, str]) -> None:
        super().__init__()
        self.available = dict(available)
        shown = [key for key in dict.fromkeys(current) if key in available]
        if ALWAYS_SHOWN in available and ALWAYS_SHOWN not in shown:
            shown.insert(0, ALWAYS_SHOWN)
        hidden = [key for key in available if key not in shown]
        # (key, shown) in display order: what the dialog edits.
        self.columns: list[tuple[str, bool]] = [(k, True) for k in shown] + [
            (k, False) for k in hidden
        ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Columns", id="columns-title", classes="dialog--title")
            yield OptionList(*self._options(), id="columns-list")
            yield Label(id="columns-message")
            with Horizontal(id="columns-buttons"):
                yield Button("Apply", variant="primary", compact=True, id="columns-apply")
                yield Button("Cancel", compact=True, id="columns-cancel")
            yield Label(
                # One line at the dialog's width, so 80×24 shows it whole (Cancel is a
                # button, and escape cancels every dialog).
                "space show/hide · K/J or shift+↑↓ move · enter apply",
                id="columns-hint",
                classes="dialog--hint",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def _options(self) -> list[Option]:
        return [self._option(key, shown) for key, shown in self.columns]

    def _option(self, key: str, shown: bool) -> Option:
        mark = "[x]" if shown else "[ ]"
        note = "  (always shown)" if key == ALWAYS_SHOWN else ""
        prompt = Text(f"{mark} {self.available[key]}")
        prompt.append(note, style="dim")
        return Option(prompt, id=key)

    def _refresh(self, highlight: int) -> None:
        options = self.query_one(OptionList)
        options.set_options(self._options())
        options.highlighted = highlight

    def _say(self, message: str) -> None:
        label = self.query_one("#columns-message", Label)
        label.update(message)
        label.set_class(bool(message), "-shown")

    @property
    def shown(self) -> list[str]:
        return [key for key, shown in self.columns if shown]

    # ----- actions --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # On a focused button, enter and space press it.
        return not (action in ("apply", "toggle") and isinstance(self.focused, Button))

    def action_toggle(self) -> None:  # type: ignore[override]  # a column, not DOMNode's
        index = self.query_one(OptionList).highlighted
        if index is None:
            return
        key, shown = self.columns[index]
        if key == ALWAYS_SHOWN:
            self._say(f"{self.available[key]} is always shown; it can only move.")
            return
        self.columns[index] = (key, not shown)
        self._say("")
        self._refresh(index)

    def action_move(self, step: int) -> None:
        index = self.query_one(OptionList).highlighted
        if index is None:
            return
        target = index + step
        if not 0 <= target < len(self.columns):
            return
        self.columns[index], self.columns[target] = self.columns[target], self.columns[index]
        self._say("")
        self._refresh(target)

    @on(Button.Pressed, "#columns-apply")
    def action_apply(self) -> None:
        self.dismiss(self.shown)

    @on(Button.Pressed, "#columns-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        # A mouse click on a row shows/hides it (enter is the dialog's own binding).
        self.action_toggle()
