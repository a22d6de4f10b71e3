"""Text made safe for the terminal: stored data and error messages can never drive it."""

from __future__ import annotations

import re

# Characters that could drive the terminal or disguise text: C0/C1 controls (ESC, CSI, NUL...),
# line/paragraph separators, bidi marks, embeddings, overrides and isolates, lone surrogates,
# and the invisible zero-width space, word joiner and BOM (they make equal names look different).
# Zero-width joiner and non-joiner (U+200D, U+200C) stay allowed: emoji and Indic/Persian need them.
_UNSAFE_RANGES = (
    (0x00, 0x1F),
    (0x7F, 0x9F),
    (0x061C, 0x061C),
    (0x200B, 0x200B),
    (0x200E, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2060),
    (0x2066, 0x2069),
    (0xD800, 0xDFFF),
    (0xFEFF, 0xFEFF),
)
UNSAFE_CHAR = re.compile(
    "[" + "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in _UNSAFE_RANGES) + "]"
)
# Whole escape sequences, so their parameters don't leak onto the screen as text:
# CSI (ESC [ or U+009B) ... final byte; OSC/DCS/SOS/PM/APC and their text up to the next
# control character (the BEL or ST that ends them goes with the other controls); other ESC x.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x00-\x1f\x7f-\x9f]*"
    r"|\x1b[ -/]*[0-~]?"
)
_DISPLAY_TABLE: dict[int, str | None] = {
    code: None for low, high in _UNSAFE_RANGES for code in range(low, high + 1)
}
_DISPLAY_TABLE.update(dict.fromkeys(map(ord, "\t\n\v\f\r\x85\u2028\u2029"), " "))


def display_safe(value: object) -> str:
    """Return ``value`` as text that cannot drive the terminal (None shows as blank)."""
    text = "" if value is None else str(value)
    if UNSAFE_CHAR.search(text) is None:  # the usual case: one scan, no copy
        return text
    return _ESCAPE_SEQUENCE.sub("", text).translate(_DISPLAY_TABLE)


_LINES_TABLE = {code: None for code in _DISPLAY_TABLE if chr(code) not in "\t\n\r"}


def lines_safe(text: str) -> str:
    """``text`` with its tabs and line breaks but nothing else that could drive the
    terminal: a whole file shown there (an export to standard output)."""
    if UNSAFE_CHAR.search(text) is None:
        return text
    return _ESCAPE_SEQUENCE.sub("", text).translate(_LINES_TABLE)


def first_line(error: BaseException) -> str:
    """The first line of an error's message (its type's name when it has none)."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0].rstrip(".")


def error_message(error: BaseException) -> str:
    """An error as one line a person can read at a terminal, safe to print or show."""
    return display_safe(first_line(error))
