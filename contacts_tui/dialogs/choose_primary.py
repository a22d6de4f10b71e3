"""Dialog: deleting the primary e-mail (phone, address) — which one takes its place?"""

from __future__ import annotations

from rich.text import Text
from textual.widgets.option_list import Option

from contacts_tui.dialogs.dialog import cancel_binding, layout_css
from contacts_tui.dialogs.pick_one import PickOneDialog
from contacts_tui.safe_text import display_safe


class ChoosePrimaryDialog(PickOneDialog[int | None]):
    """Returns the id of the record that becomes primary (and so confirms), or None."""

    DEFAULT_CSS = layout_css(__file__, "choose_primary.tcss")

    BINDINGS = [cancel_binding("choose_primary.cancel", "Delete nothing")]

    ID_PREFIX = "choose-primary"
    HINT = "enter: delete, and make the highlighted one primary · escape: cancel"

    def __init__(self, question: str, candidates: list[tuple[int, str]]) -> None:
        """`candidates` are (record id, how it is shown) of the records that could take over."""
        self.question = question
        self.candidates = candidates
        super().__init__(
            Text(display_safe(question)),
            [Option(Text(display_safe(label)), id=str(i)) for i, label in candidates],
        )

    def picked(self, option: Option) -> int:
        return int(option.id or 0)
