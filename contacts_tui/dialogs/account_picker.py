"""Dialog: tick the accounts a contact is assigned to, or type a new account's name.

It writes nothing: what it returns is an edit of the contact's Assigned Accounts, saved
(a new account created) with the contact's ctrl+s, like every other field.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, SelectionList
from textual.widgets.selection_list import Selection

from contacts_tui.dialogs.dialog import Dialog, cancel_binding, layout_css
from contacts_tui.safe_text import display_safe
from contacts_tui.services import AccountInfo
from contacts_tui.validation import ValidationError, clean_text
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.reporting import reported_work
from contacts_tui.widgets.toggles import MarkedSelectionList


def is_new(account: AccountInfo) -> bool:
    """An account typed into the picker, created only when the contact is saved."""
    return account.id < 0


def account_label(account: AccountInfo) -> str:
    suffix = " (new)" if is_new(account) else " (archived)" if account.archived else ""
    return display_safe(account.name) + suffix


class AccountPicker(Dialog[tuple[AccountInfo, ...] | None]):
    """Returns the ticked accounts (ctrl+s) or None (escape); a new account has an id
    below zero (see `is_new`)."""

    DEFAULT_CSS = layout_css(__file__, "account_picker.tcss")

    BINDINGS = [
        Binding(
            "ctrl+s",
            "done",
            "Done",
            id="account_picker.done",
            tooltip="Assign the ticked accounts (saved, new ones created, with the contact)",
        ),
        cancel_binding("account_picker.cancel", "Close without changing the assigned accounts"),
        Binding(
            "down",
            "focus_list",
            "To the list",
            show=False,
            id="account_picker.list",
            tooltip="Move from the name box to the list of accounts",
        ),
    ]

    @dataclass
    class Loaded(Message):
        accounts: tuple[AccountInfo, ...]

    def __init__(self, selected: tuple[AccountInfo, ...]) -> None:
        super().__init__()
        self.known: dict[int, AccountInfo] = {a.id: a for a in selected}
        self.selected: set[int] = {a.id for a in selected}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Assigned accounts", classes="account-picker--title")
            yield Input(
                placeholder="Filter, or a new account's name + enter",
                id="account-name",
                compact=True,
            )
            yield Label("", id="account-error")
            yield MarkedSelectionList[int](id="account-list")
            yield Label(
                "space: tick · enter in the box: tick or add new · ^s: done · esc: cancel",
                classes="dialog--hint",
            )

    def on_mount(self) -> None:
        self.query_one("#account-name", Input).focus()
        self._rebuild()
        self.load_accounts()

    @reported_work(thread=True, exclusive=True, group="store")
    def load_accounts(self) -> None:
        self.post_message(self.Loaded(contacts_app(self).service.accounts()))

    def on_account_picker_loaded(self, message: Loaded) -> None:
        self.known.update({a.id: a for a in message.accounts})
        self._rebuild()

    def _error(self, text: str) -> None:
        label = self.query_one("#account-error", Label)
        label.update(Text(text))
        label.set_class(bool(text), "-shown")

    def _rebuild(self) -> None:
        """Show the accounts matching the filter box; ticks live in self.selected."""
        needle = self.query_one("#account-name", Input).value.strip().casefold()
        shown = sorted(
            (a for a in self.known.values() if needle in a.name.casefold()),
            key=lambda a: a.name.casefold(),
        )
        selections = self.query_one(SelectionList)
        selections.clear_options()
        selections.add_options(
            [
                Selection(
                    Text(account_label(a)),
                    a.id,
                    a.id in self.selected,
                )
                for a in shown
            ]
        )

    @on(Input.Changed, "#account-name")
    def filter_changed(self) -> None:
        self._error("")
        self._rebuild()

    @on(Input.Submitted, "#account-name")
    def name_submitted(self, event: Input.Submitted) -> None:
        try:
            name = clean_text(event.value, field="Account name", required=True)
        except ValidationError as error:
            self._error(str(error))
            return
        existing = next(
            (a for a in self.known.values() if a.name.casefold() == name.casefold()), None
        )
        if existing is None:  # created when the contact is saved, not now
            existing = AccountInfo(min([0, *self.known]) - 1, name)
            self.known[existing.id] = existing
        self.selected.add(existing.id)
        event.input.value = ""
        self._rebuild()

    @on(SelectionList.SelectionToggled)
    def toggled(self, event: SelectionList.SelectionToggled) -> None:
        # Read the tick from the list itself: the message only carries an index.
        value = event.selection.value
        if value in event.selection_list.selected:
            self.selected.add(value)
        else:
            self.selected.discard(value)

    def action_focus_list(self) -> None:
        selections = self.query_one(SelectionList)
        if selections.highlighted is None and selections.option_count:
            selections.highlighted = 0
        selections.focus()

    def action_done(self) -> None:
        chosen = sorted(
            (self.known[i] for i in self.selected if i in self.known),
            key=lambda a: a.name.casefold(),
        )
        self.dismiss(tuple(chosen))
