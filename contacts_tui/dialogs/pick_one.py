"""The frame of the dialogs that ask a question with a list of answers to pick one from."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from contacts_tui.dialogs.dialog import Dialog, ResultT, layout_css


class PickOneDialog(Dialog[ResultT]):
    """A question, an OptionList and a key hint; enter picks an option, escape cancels (None).

    The widgets are `#{ID_PREFIX}-question`, `-options` and `-hint`. A subclass builds the
    options and says what a picked one returns (`picked`); the question is Text, so
    contact data in it is never read as markup.
    """

    DEFAULT_CSS = layout_css(__file__, "pick_one.tcss")

    ID_PREFIX: ClassVar[str]
    HINT: ClassVar[str] = "enter: choose · escape: cancel"

    def __init__(self, question: Text, options: list[Option], highlighted: int = 0) -> None:
        super().__init__()
        self._question = question
        self._options = options
        self._highlighted = highlighted

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._question, id=f"{self.ID_PREFIX}-question", classes="dialog--question")
            yield OptionList(*self._options, id=f"{self.ID_PREFIX}-options")
            yield Label(self.HINT, id=f"{self.ID_PREFIX}-hint", classes="dialog--hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self._highlighted
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.picked(event.option))

    def picked(self, option: Option) -> ResultT:
        """What the dialog returns for the option enter was pressed on."""
        raise NotImplementedError
