"""A scrollable view of many styled lines that renders only the lines on screen."""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class PreviewLines(ScrollView, can_focus=True):
    """Highlighted source, a line per row, without wrapping: scroll sideways for long lines.

    A Static holding thousands of highlighted lines lays all of them out on the UI thread
    (seconds for a 256 KB file); this turns a line into segments only when it is shown.
    """

    DEFAULT_CSS = """
    PreviewLines {
        height: 1fr;
        padding: 0 1;
        background: $surface;
    }
    """

    def __init__(self, lines: list[Text] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lines: list[Text] = []
        self.set_lines(lines or [])

    def set_lines(self, lines: list[Text]) -> None:
        """Show `lines` (without newlines or tabs: see `split_lines`)."""
        self.lines = lines
        self._segments.cache_clear()
        width = max((cell_len(line.plain) for line in lines), default=0)
        self.virtual_size = Size(width, len(lines))
        self.refresh()

    @property
    def plain(self) -> str:
        """The text shown, without styles."""
        return "\n".join(line.plain for line in self.lines)

    @lru_cache(maxsize=256)  # noqa: B019 - one cache per view's lifetime, cleared with its lines
    def _segments(self, index: int) -> tuple[Segment, ...]:
        return tuple(self.lines[index].render(self.app.console))

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        style = self.rich_style
        if index >= len(self.lines):
            return Strip.blank(width, style)
        strip = Strip(self._segments(index)).apply_style(style)
        return strip.crop_extend(scroll_x, scroll_x + width, style)


def split_lines(text: Text, tab_size: int = 4) -> list[Text]:
    """A Text cut into lines with tabs expanded, ready for PreviewLines."""
    lines = text.split("\n", allow_blank=True)
    for line in lines:
        line.expand_tabs(tab_size)
    return list(lines)
