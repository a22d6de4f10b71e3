"""A Select that opens on the first letter typed and searches with every letter typed.

Textual's Select searches only once its list is open and has the focus: letters typed on
the closed field, or in the moment the list is opening, are lost, so "spa" typed on the
Country field went nowhere. This one keeps them and hands them to the open list.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.widgets import OptionList, Select

SelectType = TypeVar("SelectType")


class TypeAheadSelect(Select[SelectType]):
    """A Select whose letters typed while closed open it and start its search."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._typed_ahead = ""  # letters waiting for the list to take the focus

    def on_key(self, event: events.Key) -> None:
        # Space keeps its meaning (open the list); any other letter starts a search.
        if not (self.has_focus and event.is_printable and event.character not in (None, " ")):
            return
        event.stop()
        event.prevent_default()
        self._typed_ahead += event.character or ""
        if not self.expanded:
            self.action_show_overlay()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The open list has the focus (and has just reset its search): type into it."""
        typed, self._typed_ahead = self._typed_ahead, ""
        if isinstance(event.widget, OptionList):
            for character in typed:
                event.widget.post_message(events.Key(character, character))
