"""Dialog: the fields of one lifecycle item (name, key, description…), checked before it closes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from contacts_tui.dialogs.dialog import Dialog, cancel_binding, layout_css
from contacts_tui.services.lifecycle_admin import slug

DIM = Style(dim=True)


@dataclass(frozen=True)
class ItemField:
    id: str  # "name", "key", "description", "first_step"…: what the checker reports
    label: str
    value: str = ""
    editable: bool = True
    note: str = ""  # shown after the label: "fixed: contacts may use it"


Checker = Callable[[dict[str, str]], tuple[str, str] | None]
"""Given the typed values, None when they are fine, else (field id, message for it)."""


class LifecycleItemDialog(Dialog[dict[str, str] | None]):
    """Returns the values by field id (enter, once the checker accepts them) or None (escape).

    While the admin has not typed a key of their own, the `key` field follows the name
    (its slug), so a new item gets a key without thinking about it.
    """

    DEFAULT_CSS = layout_css(__file__, "lifecycle_item_dialog.tcss")

    BINDINGS = [cancel_binding("lifecycle_item.cancel", "Close without changing anything")]

    def __init__(self, title: str, fields: list[ItemField], check: Checker) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.check = check
        key = next((f for f in fields if f.id == "key"), None)
        name = next((f for f in fields if f.id == "name"), None)
        # The key follows the name only for a new item whose key was derived from it.
        self._key_follows = bool(key and key.editable and name and key.value == slug(name.value))

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text), classes="dialog--title")
            for field in self.fields:
                label = Text(field.label)
                if field.note:
                    label.append(f"  ({field.note})", DIM)
                yield Label(label, classes="item--label")
                yield Input(
                    field.value,
                    id=f"item-{field.id}",
                    compact=True,
                    disabled=not field.editable,
                    select_on_focus=False,
                )
                yield Label("", id=f"item-{field.id}-error", classes="item--error")
            yield Label("enter: OK · tab: next field · escape: cancel", classes="dialog--hint")

    def on_mount(self) -> None:
        first = next((f for f in self.fields if f.editable), None)
        if first is not None:
            self.query_one(f"#item-{first.id}", Input).focus()

    def values(self) -> dict[str, str]:
        return {f.id: self.query_one(f"#item-{f.id}", Input).value for f in self.fields}

    def show_error(self, field_id: str, message: str) -> None:
        for field in self.fields:
            label = self.query_one(f"#item-{field.id}-error", Label)
            text = message if field.id == field_id else ""
            label.update(Text(text))
            label.set_class(bool(text), "-shown")
        target = self.query_one(f"#item-{field_id}", Input)
        if not target.disabled:
            target.focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        field_id = (event.input.id or "").removeprefix("item-")
        if field_id == "name" and self._key_follows:
            key = self.query_one("#item-key", Input)
            with key.prevent(Input.Changed):
                key.value = slug(event.value)
        elif field_id == "key" and event.input.has_focus:
            self._key_follows = False  # typed by hand: no longer follows the name
        error = self.query_one(f"#item-{field_id}-error", Label)
        if error.has_class("-shown"):
            error.set_class(False, "-shown")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        values = self.values()
        problem = self.check(values)
        if problem is not None:
            self.show_error(*problem)
            return
        self.dismiss(values)
