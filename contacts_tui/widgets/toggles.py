"""Checkbox, radio button and selection list whose state reads without colour.

Textual draws every toggle as `▐X▌` and tells on from off by colour alone, so with
NO_COLOR=1, on a 16-colour console or to a colour-blind user a ticked box looks like
an unticked one. These draw the state as characters: `[x]` / `[ ]` for boxes and
`(•)` / `( )` for radio buttons, in the toggle's own style.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import SelectionType

TICKED, UNTICKED = "[x]", "[ ]"
CHOSEN, NOT_CHOSEN = "(•)", "( )"


class MarkedCheckbox(Checkbox):
    """A Checkbox drawn `[x]` when ticked, `[ ]` when not."""

    @property
    def _button(self) -> Content:
        mark = TICKED if self.value else UNTICKED
        return Content.assemble((mark, self.get_visual_style("toggle--button")))


class MarkedRadioButton(RadioButton):
    """A RadioButton drawn `(•)` when chosen, `( )` when not."""

    @property
    def _button(self) -> Content:
        mark = CHOSEN if self.value else NOT_CHOSEN
        return Content.assemble((mark, self.get_visual_style("toggle--button")))


class MarkedSelectionList(SelectionList[SelectionType]):
    """A SelectionList whose rows start `[x]` when selected, `[ ]` when not."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        # The first three segments are SelectionList's one-cell button parts (left,
        # inner, right): one mark replaces them, in the inner part's style (which
        # carries the row's click meta).
        segments = list(line)
        if len(segments) < 3:
            return line
        mark = TICKED if selection.value in self._selected else UNTICKED
        return Strip([Segment(mark, segments[1].style), *segments[3:]], line.cell_length)
