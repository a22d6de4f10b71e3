"""Dialog: the e-mail, phone number or IBAN being saved already belongs to other contacts."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, OptionList
from textual.widgets.option_list import Option

from contacts_tui.dialogs.dialog import Dialog, cancel_binding, layout_css
from contacts_tui.safe_text import display_safe

SAVE_ANYWAY = "save"


class DuplicateDialog(Dialog[str | int | None]):
    """Returns "save" (save anyway), a contact id (open that contact) or None (cancel)."""

    DEFAULT_CSS = layout_css(__file__, "duplicate_dialog.tcss")

    BINDINGS = [
        Binding(
            "ctrl+s",
            "save_anyway",
            "Save anyway",
            id="duplicate.save",
            tooltip="Save it on this contact too",
        ),
        Binding(
            "o",
            "open",
            "Open contact",
            id="duplicate.open",
            tooltip="Open the highlighted contact that has it (your form stays as it is)",
        ),
        cancel_binding("duplicate.cancel", "Do not save; go back to the form"),
    ]

    def __init__(self, noun: str, value: str, owners: list[tuple[int, str]]) -> None:
        """`owners` are (contact id, name) of the contacts that have `value` already."""
        super().__init__()
        self.noun = noun
        self.value = value
        self.owners = owners

    def compose(self) -> ComposeResult:
        names = [display_safe(name) for _, name in self.owners]
        who = names[0] if len(names) == 1 else f"{len(names)} other contacts"
        message = Text.assemble(
            f"This {self.noun} ",
            (display_safe(self.value), "bold"),
            f" already belongs to {who}.",
            " Save it here anyway, open that contact, or cancel?",
        )
        with Vertical():
            yield Label(message, id="duplicate-message", classes="dialog--question")
            yield OptionList(
                *(
                    Option(Text(name), id=str(cid))
                    for (cid, _), name in zip(self.owners, names, strict=True)
                ),
                id="duplicate-owners",
            )
            with Horizontal(id="duplicate-buttons"):
                yield Button("Save anyway", variant="warning", id="duplicate-save")
                yield Button("Open contact", id="duplicate-open")
                yield Button("Cancel", id="duplicate-cancel")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        self.query_one("#duplicate-cancel", Button).focus()

    def action_save_anyway(self) -> None:
        self.dismiss(SAVE_ANYWAY)

    def action_open(self) -> None:
        owners = self.query_one(OptionList)
        index = owners.highlighted if owners.highlighted is not None else 0
        self.dismiss(self.owners[index][0])

    @on(OptionList.OptionSelected)
    def _owner_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    @on(Button.Pressed, "#duplicate-save")
    def _save_pressed(self) -> None:
        self.action_save_anyway()

    @on(Button.Pressed, "#duplicate-open")
    def _open_pressed(self) -> None:
        self.action_open()

    @on(Button.Pressed, "#duplicate-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
