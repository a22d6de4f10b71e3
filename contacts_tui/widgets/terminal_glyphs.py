"""Which symbols the terminal at hand can draw: a Linux console has no emoji and no ✓.

The Linux virtual console (TERM=linux) and the old hardware terminals draw text from a
font of 256 or 512 glyphs, essentially code page 437: box drawing, blocks, ► ▼, •, ○, √,
♦, but no emoji (📁), no ✓ ✗ ● ◆. There a symbol outside that set is a blank or a
diamond with a question mark, so widgets take their symbols from `limited_font()`.
"""

from __future__ import annotations

import os

LIMITED_TERMINALS = frozenset(
    {"linux", "vt100", "vt102", "vt220", "vt320", "cons25", "ansi", "dumb", "console"}
)
"""TERM values (before any `-suffix`, as in `linux-16color`) of consoles with such a font."""


def limited_font() -> bool:
    """True when the terminal shows only the code page 437 symbols (TERM=linux…)."""
    term = os.environ.get("TERM", "").lower()
    return term.split("-", 1)[0] in LIMITED_TERMINALS
