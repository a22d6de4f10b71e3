"""The contact table's columns: what each is called, how wide, and how they share a width.

Pure layout, no Textual: the table draws with it, the Columns dialog offers COLUMNS, and
the benchmark computes what the first screen must show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from rich.cells import cell_len, set_cell_size

from contacts_tui.services import SORT_KEYS


@dataclass(frozen=True)
class Column:
    """How one column of the table is labelled and sized."""

    label: str
    width: int  # the width it gets when there is room
    min_width: int  # below this it is dropped rather than squeezed
    grow: bool = False  # takes a share of the width left over
    align_right: bool = False

    @property
    def sortable(self) -> bool:
        return self.key in SORT_KEYS

    key: str = ""


def _columns(**columns: Column) -> dict[str, Column]:
    return {key: replace(column, key=key) for key, column in columns.items()}


COLUMNS: dict[str, Column] = _columns(
    name=Column("Name", 22, 12, grow=True),
    email=Column("E-mail", 32, 12, grow=True),
    phone=Column("Number", 16, 16),
    company=Column("Company", 20, 10, grow=True),
    status=Column("Status", 8, 6),
    full_name=Column("Full Name", 24, 12, grow=True),
    stage=Column("Stage", 18, 10),
    category=Column("Category", 18, 10),
    template=Column("Lifecycle", 16, 10),
    segmentation=Column("Segmentation", 13, 8),
    scoring=Column("Scoring", 7, 7, align_right=True),
    reason_code=Column("Reason Code", 20, 10),
    accounts=Column("Assigned Accounts", 20, 10, grow=True),
    updated=Column("Updated", 16, 16),
)
"""Every column the table can show, by key, in the order the Columns dialog offers them."""

DEFAULT_COLUMNS: tuple[str, ...] = ("name", "email", "phone", "company", "status")

REQUIRED_COLUMN = "name"
"""Never dropped, whatever the width or the user's choice: it says which contact a row is."""


SHRINK_ORDER: tuple[tuple[str, int | None], ...] = (
    ("company", 14),
    ("*", None),
    ("name", 16),
    ("company", None),
    ("email", 24),
    ("name", None),
    ("email", None),
)
"""Who gives up cells first when the row is short of room, and down to what width (None:
the column's minimum; "*": every other column, right to left). Company and Name give
before E-mail; a number never: a cut phone number cannot be dialled."""

WHOLE_COLUMNS = frozenset({"phone"})
"""Columns never cut: they are as wide as their longest value, or dropped."""


def fit_columns(
    keys: Sequence[str], width: int, content: Mapping[str, int] | None = None
) -> list[tuple[str, int]]:
    """The columns that fit in `width` cells (each also takes a leading space), with widths.

    `content` gives the widest value of a column where it is known (the rows at hand):
    a column in WHOLE_COLUMNS is never narrower than that. Each column gets its usual
    width when there is room; short of room they shrink in SHRINK_ORDER, then columns
    are dropped from the right, but never the Name column.
    """
    content = content or {}
    chosen = list(keys)
    wanted = {k: COLUMNS[k].width for k in chosen}
    least = {k: COLUMNS[k].min_width for k in chosen}
    for key in WHOLE_COLUMNS.intersection(chosen):
        wanted[key] = least[key] = max(wanted[key], content.get(key, 0))

    def needed(sizes: Mapping[str, int]) -> int:
        return sum(sizes[k] + 1 for k in chosen)

    while len(chosen) > 1 and needed(least) > width:
        rightmost = next(k for k in reversed(chosen) if k != REQUIRED_COLUMN)
        chosen.remove(rightmost)
    if needed(least) > width:  # only the Name column is left and even it does not fit
        return [(chosen[0], max(1, width - 1))]
    widths = {k: wanted[k] for k in chosen}
    excess = needed(widths) - width
    for key, floor in SHRINK_ORDER:
        if excess <= 0:
            break
        others = [k for k in reversed(chosen) if k not in ("company", "name", "email")]
        for k in others if key == "*" else [key] if key in widths else []:
            lowest = least[k] if floor is None else max(least[k], floor)
            give = min(excess, max(0, widths[k] - lowest))
            widths[k] -= give
            excess -= give
    # Room to spare: the growing columns share it, so the rows fill the width.
    spare = -excess
    growing = [k for k in chosen if COLUMNS[k].grow] or chosen[-1:]
    for n, key in enumerate(growing):
        extra = spare // (len(growing) - n)
        widths[key] += extra
        spare -= extra
    return [(k, widths[k]) for k in chosen]


def fit(text: str, width: int, align_right: bool = False) -> str:
    """`text` cut with an ellipsis or padded to exactly `width` cells."""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else "…"[:width]
    padding = " " * (width - length)
    return padding + text if align_right else text + padding
