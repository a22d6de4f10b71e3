"""Dialog: where something goes in the Control Center (a step, the default template)."""

from __future__ import annotations

from textual.widgets.option_list import Option

from contacts_tui.dialogs.dialog import cancel_binding, layout_css
from contacts_tui.dialogs.pick_one import PickOneDialog


class PickTarget(PickOneDialog[str]):
    """Where something goes: a step to move contacts to, or the default template."""

    DEFAULT_CSS = layout_css(__file__, "pick_target.tcss")

    ID_PREFIX = "cc-pick"
    BINDINGS = [cancel_binding("control_center_pick.cancel", "Close without choosing")]

    def picked(self, option: Option) -> str:
        return option.id or ""
