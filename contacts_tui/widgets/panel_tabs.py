"""Tabs switched by number keys as well as by clicks, which a late focus message cannot undo."""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane


class PanelTabs(TabbedContent):
    """A TabbedContent whose tab, once switched by a key, stays switched.

    TabbedContent shows the pane of a widget that gets focus, through a message the pane
    sends when it sees the focus arrive. That message can still be on its way when a key
    switches tabs (the screen focusing its first widget as it opens, on a busy machine),
    and it would then switch back. A pane is shown for focus only while the focus is still
    in it.
    """

    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        focused = self.screen.focused
        if focused is None or event.tab_pane not in focused.ancestors_with_self:
            event.stop()
            event.prevent_default()  # the focus has moved on since: keep the tab shown

    def switch_to(self, tab: str) -> None:
        """Show `tab`, leaving no focus behind in the pane it replaces (its late message
        would be honoured otherwise); the caller focuses the new pane after the refresh."""
        focused = self.screen.focused
        if focused is not None and self.active_pane in focused.ancestors:
            self.screen.set_focus(None)
        self.active = tab
