"""The History tab: stage changes with the time spent in each, and the field audit trail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import DataTable

from contacts_tui.lifecycle import LifecycleConfig
from contacts_tui.safe_text import display_safe
from contacts_tui.services import AuditInfo, ContactDetail, StageChangeInfo

# How audit field keys read in the table; fields other tabs audit fall back to their key.
FIELD_LABELS = {
    "created": "Created",
    "name": "Name",
    "full_name": "Full Name",
    "scoring": "Scoring",
    "segmentation": "Segmentation",
    "reason_code": "Reason Code",
    "company": "Company",
    "accounts": "Assigned Accounts",
    "template": "Lifecycle",
    "archived": "Archived",
}
BLANK = "(blank)"
COLUMNS = (("When", "when"), ("Who", "who"), ("What", "what"), ("Change", "change"))
COLUMN_WIDTH_MAX = 90
SCROLLBAR_CELLS = 2  # the table's vertical scrollbar, when the history is long


def utc_now() -> datetime:
    """Naive UTC, as the database stores times."""
    return datetime.now(UTC).replace(tzinfo=None)


def describe_duration(spent: timedelta) -> str:
    """'12 days', '5 hours', '3 minutes': the largest unit that reads naturally."""
    seconds = max(0, int(spent.total_seconds()))
    if seconds >= 2 * 86400:
        amount, unit = seconds // 86400, "day"
    elif seconds >= 2 * 3600:
        amount, unit = seconds // 3600, "hour"
    elif seconds >= 60:
        amount, unit = seconds // 60, "minute"
    else:
        return "less than a minute"
    return f"{amount} {unit}{'s' if amount != 1 else ''}"


@dataclass(frozen=True)
class StageSpell:
    """A stretch of time the contact spent at one step."""

    change: StageChangeInfo
    spent: timedelta
    ongoing: bool  # the contact is still at this step


def stage_spells(history: tuple[StageChangeInfo, ...], now: datetime) -> list[StageSpell]:
    """Time spent at each step: until the next change, or until now for the current one."""
    spells = []
    for position, change in enumerate(history):
        following = history[position + 1].at if position + 1 < len(history) else None
        spells.append(StageSpell(change, (following or now) - change.at, following is None))
    return spells


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    by: str
    what: str
    change: str


def history_rows(detail: ContactDetail, config: LifecycleConfig, now: datetime) -> list[HistoryRow]:
    """Stage changes and audit entries merged, newest first."""
    step_names = config.step_names()
    template_names = {t.key: t.name for t in config.templates}

    def step(key: str) -> str:
        return step_names.get(key, f"unknown: {key}") if key else "—"

    rows = []
    for spell in stage_spells(detail.stage_history, now):
        # Said as the time spent at the step moved to: a bare "— 9 days" read as an age.
        duration = describe_duration(spell.spent) + (
            " in stage so far" if spell.ongoing else " in stage"
        )
        moved = step(spell.change.to_stage)
        if spell.change.from_stage:
            moved = f"{step(spell.change.from_stage)} → {moved}"
        rows.append(HistoryRow(spell.change.at, spell.change.by, "Stage", f"{moved} — {duration}"))
    for entry in detail.audit:
        rows.append(_audit_row(entry, template_names))
    # Equal times keep stage rows above audit rows, so "Created" stays the last line.
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows


def _audit_row(entry: AuditInfo, template_names: dict[str, str]) -> HistoryRow:
    old, new = entry.old_value, entry.new_value
    if entry.field == "template":
        old, new = template_names.get(old, old), template_names.get(new, new)
    what = FIELD_LABELS.get(entry.field, entry.field.replace("_", " ").capitalize())
    if entry.field == "created":
        return HistoryRow(entry.at, entry.by, what, new or BLANK)
    return HistoryRow(entry.at, entry.by, what, f"{old or BLANK} → {new or BLANK}")


class HistoryPanel(Widget):
    """Newest first: who changed what, when, and how long each stage lasted."""

    DEFAULT_CSS = """
    HistoryPanel {
        height: 1fr;
        & > DataTable { height: 1fr; }
    }
    """

    def __init__(self, config: LifecycleConfig, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config
        self.clock: Callable[[], datetime] = utc_now
        """Where "now" comes from for the current stage's time so far (tests freeze it)."""
        self.timezone: tzinfo | None = None
        """Times are shown in this zone; None is the server's local time."""
        self._detail: ContactDetail | None = None

    def compose(self) -> ComposeResult:
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)

    def on_resize(self) -> None:
        if self._detail is not None:
            self.show(self._detail)  # the Change column's width follows the panel's

    def show(self, detail: ContactDetail) -> None:
        self._detail = detail
        # Every column: the audit trail's field names are stored text like its values.
        cells = [
            (
                Text(self._when(row.at)),
                Text(display_safe(row.by)),
                Text(display_safe(row.what)),
                Text(display_safe(row.change)),
            )
            for row in history_rows(detail, self.config, self.clock())
        ]
        table = self.query_one(DataTable)
        # Fixed widths from the data: auto-width columns filled before the table's first
        # idle keep their header's width on screen (Textual 8.2 caches the narrow lines).
        table.clear(columns=True)
        labels = [label for label, _ in COLUMNS]
        labels[0] = f"When ({self._zone_name()})"  # the times are not the database's UTC
        widths = [
            min(COLUMN_WIDTH_MAX, max([len(label), *(row[n].cell_len for row in cells)]))
            for n, label in enumerate(labels)
        ]
        # The last column (Change) gets what the others leave, and a cut text ends with
        # an ellipsis; each column takes its width plus a cell of padding either side.
        room = self.size.width - SCROLLBAR_CELLS - sum(w + 2 for w in widths[:-1]) - 2
        if self.size.width and widths[-1] > room:
            widths[-1] = max(len(labels[-1]), room)
            for row in cells:
                row[-1].truncate(widths[-1], overflow="ellipsis")
        for (_, key), label, width in zip(COLUMNS, labels, widths, strict=True):
            table.add_column(label, key=key, width=width)
        for number, row in enumerate(cells):
            table.add_row(*row, key=str(number))

    def _zone_name(self) -> str:
        return datetime.now(UTC).astimezone(self.timezone).tzname() or "local time"

    def _when(self, at: datetime) -> str:
        return at.replace(tzinfo=UTC).astimezone(self.timezone).strftime("%Y-%m-%d %H:%M")
