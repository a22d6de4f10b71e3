"""The title line at the top of the list: the palette icon and the app's name."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget

ICON = " ⭘ "
DIM = Style(dim=True)  # a Style, not "dim": Textual parses style strings the first time


class TitleBar(Widget, can_focus=False):
    """What Textual's Header shows (icon, title, sub-title), in one widget.

    Header composes four widgets, each with its own CSS to match and layout to do
    before the first screen of contacts can be drawn (about 6 ms of the start-up).
    A click on the icon opens the command palette, as Header's does.
    """

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def render(self) -> Text:
        title = Text(self.app.title, no_wrap=True, overflow="ellipsis", end="")
        if self.app.sub_title:
            title.append(" — ", DIM)
            title.append(self.app.sub_title, DIM)
        width = self.size.width
        room = width - 2 * len(ICON)  # centred on the line, clear of the icon
        title.truncate(max(0, room), overflow="ellipsis")
        line = Text(ICON, no_wrap=True, end="")
        line.append(" " * max(0, (room - title.cell_len) // 2))
        line.append_text(title)
        return line

    def _on_icon(self, x: int) -> bool:
        return x < len(ICON)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self.tooltip = "Open the command palette" if self._on_icon(event.x) else None

    async def on_click(self, event: events.Click) -> None:
        if self._on_icon(event.x):
            await self.run_action("app.command_palette")
