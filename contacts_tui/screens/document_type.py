"""Dialog: which document type (Contract, Identification, …) a document is."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


class DocumentTypeDialog(ModalScreen[str | None]):
    """Lists the configured document types; enter picks one, escape cancels (None)."""

    DEFAULT_CSS = """
    DocumentTypeDialog {
        align: center middle;
        & > Vertical {
            width: 60;
            max-width: 100%;
            height: auto;
            max-height: 90%;
            border: thick $primary;
            background: $surface;
            padding: 0 1;
        }
        & #document-type-question { width: 100%; margin-bottom: 1; }
        & OptionList { height: auto; max-height: 14; }
        & #document-type-hint { color: $text-muted; margin-top: 1; }
    }
    """

    BINDINGS = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="document_type.cancel",
            tooltip="Choose no type and go back",
        ),
    ]

    def __init__(self, question: str, types: tuple[str, ...], current: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.types = types
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.question), id="document-type-question")
            # Types come from lifecycle.toml: Text, so "[x]" in a name is not markup.
            yield OptionList(
                *(Option(Text(name), id=str(index)) for index, name in enumerate(self.types)),
                id="document-type-options",
            )
            yield Label("enter: choose · escape: cancel", id="document-type-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.types.index(self.current) if self.current in self.types else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.types[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
