"""What a Pilot test's screen shows, as plain text lines."""

from __future__ import annotations

import html
import re

from textual.app import App


def screen_text(app: App) -> str:
    """The visible text of the app's screen (from its SVG screenshot), one row a line."""
    svg = app.export_screenshot()
    rows: dict[str, list[tuple[float, str]]] = {}
    for match in re.finditer(
        r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg, re.S
    ):
        x, y, content = match.groups()
        rows.setdefault(y, []).append((float(x), html.unescape(content).replace("\xa0", " ")))
    return "\n".join(
        "".join(text for _, text in sorted(parts))
        for _, parts in sorted(rows.items(), key=lambda item: float(item[0]))
    )
