"""Dialog: which document type (Contract, Identification, …) a document is."""

from __future__ import annotations

from rich.text import Text
from textual.widgets.option_list import Option

from contacts_tui.dialogs.dialog import cancel_binding, layout_css
from contacts_tui.dialogs.pick_one import PickOneDialog


class DocumentTypeDialog(PickOneDialog[str | None]):
    """Lists the configured document types; enter picks one, escape cancels (None)."""

    DEFAULT_CSS = layout_css(__file__, "document_type.tcss")

    BINDINGS = [cancel_binding("document_type.cancel", "Choose no type and go back")]

    ID_PREFIX = "document-type"

    def __init__(self, question: str, types: tuple[str, ...], current: str | None = None) -> None:
        self.question = question
        self.types = types
        self.current = current
        super().__init__(
            Text(question),
            # Types come from lifecycle.toml: Text, so "[x]" in a name is not markup.
            [Option(Text(name), id=str(index)) for index, name in enumerate(types)],
            types.index(current) if current in types else 0,
        )

    def picked(self, option: Option) -> str:
        return self.types[int(option.id or 0)]
