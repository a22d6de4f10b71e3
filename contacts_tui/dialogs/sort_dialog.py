"""Dialog: pick the column to sort the contact list by (the current one again reverses)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from contacts_tui.dialogs.dialog import Dialog, layout_css


class SortDialog(Dialog[str | None]):
    """Dismisses with the chosen column key, or None when cancelled."""

    DEFAULT_CSS = layout_css(__file__, "sort_dialog.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="sort.cancel", tooltip="Keep the current order"),
    ]

    def __init__(self, columns: list[tuple[str, str]], current: str, descending: bool) -> None:
        """`columns` are the sortable (key, label) pairs; `current` is sorted now."""
        super().__init__()
        self._columns = columns
        self._current = current
        self._descending = descending

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Sort by", classes="title")
            options = []
            for key, label in self._columns:
                if key == self._current:
                    turn = "▲ → ▼" if not self._descending else "▼ → ▲"
                    label = f"{label}  ({turn})"
                options.append(Option(label, id=key))
            yield OptionList(*options, id="sort-columns")
            yield Label("enter: sort · same column: reverse", classes="hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        keys = [key for key, _ in self._columns]
        if self._current in keys:
            option_list.highlighted = keys.index(self._current)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
