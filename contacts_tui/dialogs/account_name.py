"""Dialog: type an account's name (new account or rename), checked before it closes."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from contacts_tui.dialogs.dialog import Dialog, cancel_binding, layout_css
from contacts_tui.validation import ValidationError, clean_text


class AccountNameDialog(Dialog[str | None]):
    """Returns the cleaned name (enter) or None (escape)."""

    DEFAULT_CSS = layout_css(__file__, "account_name.tcss")

    BINDINGS = [cancel_binding("account_name.cancel", "Close without changing anything")]

    def __init__(
        self, title: str, value: str = "", *, taken: set[str] | None = None, error: str = ""
    ) -> None:
        """`taken` are the casefolded names of the other accounts (names are unique)."""
        super().__init__()
        self.title_text = title
        self.value = value
        """The text the shown error is about."""
        self.taken = taken or set()
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text))
            yield Input(self.value, id="account-name-input", compact=True, placeholder="Name")
            yield Label(
                Text(self.error), id="account-name-error", classes="-shown" if self.error else ""
            )
            yield Label("enter: OK · escape: cancel", classes="dialog--hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def _show_error(self, text: str) -> None:
        label = self.query_one("#account-name-error", Label)
        label.update(Text(text))
        label.set_class(bool(text), "-shown")

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        # (Mounting the input reports its first value: keep an error given for that.)
        if event.value != self.value:
            self.value = event.value
            self._show_error("")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        try:
            name = clean_text(event.value, field="Account name", required=True)
        except ValidationError as error:
            self._show_error(str(error))
            return
        if name.casefold() in self.taken:
            self._show_error(f"An account called “{name}” exists already.")
            return
        self.dismiss(name)
