"""Cells of CSV exports that no spreadsheet runs as a formula, and reading them back.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and tab or CR, which they
strip first) as a formula (OWASP "CSV injection"); a leading apostrophe makes them show
it as text. Programs set for `;` as the list separator (most of Europe) split `a;=b` into
two cells, the second a formula: so every `;`-separated part is guarded, and every cell
holding `;`, `,`, a tab or a line break is put in quotes, which keeps it one cell.

The guard must come off again on import, and only the guard: a value that itself starts
with apostrophes before a formula character gets one more, so `'=x` exports as `''=x`
and imports as `'=x`, never as `=x`.
"""

from __future__ import annotations

import csv
import re
from typing import IO

_NEEDS_GUARD = re.compile(r"(?:^|(?<=;))(?='*[=+\-@\t\r])")
_GUARDED = re.compile(r"(?:^|(?<=;))'(?='*[=+\-@\t\r])")
_NEEDS_QUOTES = re.compile(r'[;,\t\r\n"]')
# _NEEDS_GUARD over a whole row, its cells joined by \x1f: one substitution per row, not
# one per cell (a million rows of 29 cells: 29 million calls).
_CELL = "\x1f"
_ROW_NEEDS_GUARD = re.compile(r"[\x1f;]'*[=+\-@\t\r]")  # the guard goes after [\x1f;]


def guard(value: object) -> object:
    """The value as a cell text that no spreadsheet evaluates (non-text values as they are)."""
    if isinstance(value, str):
        return _NEEDS_GUARD.sub("'", value)
    return value


def _guarded_line(line: str) -> str:
    """`guard` of every cell of a line of cells joined by _CELL, in one scan (a lookbehind
    substitution over the line took three times as long)."""
    line = _CELL + line
    parts: list[str] = []
    last = 0
    for match in _ROW_NEEDS_GUARD.finditer(line):
        parts += (line[last : match.start() + 1], "'")
        last = match.start() + 1
    parts.append(line[last:])
    return "".join(parts)[1:]


def unguard(cell: str) -> str:
    """A cell of a guarded export back to the value that was exported."""
    return _GUARDED.sub("", cell)


def field(value: object) -> str:
    """One RFC 4180 field: quoted when it holds `;`, `,`, a tab, a line break or a quote."""
    text = "" if value is None else str(value)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


class Writer:
    """csv.writer with CRLF line ends that also quotes cells holding `;` or a tab.

    csv.QUOTE_MINIMAL quotes only `,`, quotes and line breaks; the rare row with `;` or
    a tab is written by `field`, every other by the csv module (a million rows: one
    C-level scan each, not a Python call per cell).
    """

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.csv = csv.writer(out, lineterminator="\r\n")

    def writerow(self, row) -> None:
        line = "\x1f".join(map(str, row))
        if ";" in line or "\t" in line:
            self.out.write(",".join(map(field, row)) + "\r\n")
        else:
            self.csv.writerow(row)

    def writerow_guarded(self, cells: list[str]) -> None:
        """writerow of text cells, each guarded (`guard`)."""
        line = _CELL.join(cells)
        if line.count(_CELL) == len(cells) - 1:
            cells = _guarded_line(line).split(_CELL)
        else:  # a cell holds the joining character itself
            cells = [_NEEDS_GUARD.sub("'", cell) for cell in cells]  # guard of a str
        if ";" in line or "\t" in line:
            self.out.write(",".join(map(field, cells)) + "\r\n")
        else:
            self.csv.writerow(cells)

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)
