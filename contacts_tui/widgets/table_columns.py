"""The contact table's columns: what each is called, how wide, and how they share a width.

Pure layout, no Textual: the table draws with it, the Columns dialog offers COLUMNS, and
the benchmark computes what the first screen must show.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    email=Column("E-mail", 28, 12, grow=True),
    phone=Column("Number", 16, 14),
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


def fit_columns(keys: Sequence[str], width: int) -> list[tuple[str, int]]:
    """The columns that fit in `width` cells (each also takes a leading space), with widths.

    Columns that do not fit are dropped from the right, but never the Name column.
    """
    chosen = list(keys)

    def needed() -> int:
        return sum(COLUMNS[k].min_width + 1 for k in chosen)

    while len(chosen) > 1 and needed() > width:
        rightmost = next(k for k in reversed(chosen) if k != REQUIRED_COLUMN)
        chosen.remove(rightmost)
    widths = {k: COLUMNS[k].min_width for k in chosen}
    spare = width - needed()
    if spare < 0:  # only the Name column is left and even it does not fit
        return [(chosen[0], max(1, width - 1))]
    # The Name column grows first: it is the one people read. The others then share
    # what is left in proportion to what each still lacks, so none is starved.
    grow = min(spare, COLUMNS[REQUIRED_COLUMN].width - widths[REQUIRED_COLUMN])
    widths[REQUIRED_COLUMN] += grow
    spare -= grow
    lacking = {k: COLUMNS[k].width - widths[k] for k in chosen if widths[k] < COLUMNS[k].width}
    total_lack = sum(lacking.values())
    if total_lack:
        share = min(spare, total_lack)
        given = 0
        for key, lack in lacking.items():
            add = share * lack // total_lack
            widths[key] += add
            given += add
        spare -= given
        for key in lacking:  # the remainder of the division, one cell each
            if spare and widths[key] < COLUMNS[key].width:
                widths[key] += 1
                spare -= 1
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
