"""The dashboard above the contact list: Open, Closed, per lifecycle category, missing data.

One line whatever the width: each count is a counter the user can select (tab to the bar,
←/→, enter, or a click) to filter the list by it; what does not fit scrolls sideways.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import get_current_worker

from contacts_tui.services import (
    MISSING_PRIMARY,
    STATUS_CLOSED,
    STATUS_OPEN,
    UNKNOWN_STEP,
    ContactFilter,
    Dashboard,
    ReadStopped,
    StoppableReads,
)
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.reporting import reported_work

LOAD_DELAY = 0.01
"""Seconds a view must stay on screen before its counts are read (see `load`): hardly
any, as the list asks only once its count is in, and the service read them with it."""

PREFIX = "This view: "
"""Says the counts are those of the list below, after its filter and search."""
GAP = "  "
GROUP = "  │  "
NARROW_GAP = " "
NARROW_GROUP = " │ "


@dataclass(frozen=True)
class Counter:
    """One count of the dashboard, and the filter selecting it sets."""

    kind: str  # "status", "category" or "attention"
    value: str  # the status, the category key, or the ContactFilter.attention value
    name: str
    count: int
    short_name: str = ""  # what a warning says when room is short

    @property
    def warning(self) -> bool:
        return self.kind == "attention"

    def text(self, short: bool = False) -> str:
        name = self.short_name if short and self.short_name else self.name
        if self.warning:
            return f"⚠ {self.count:,} {name}"
        return f"{name} {self.count:,}"

    def is_set_in(self, contact_filter: ContactFilter) -> bool:
        return getattr(contact_filter, _FILTER_FIELDS[self.kind]) == self.value

    def applied_to(self, contact_filter: ContactFilter) -> ContactFilter:
        """The filter with this counter's condition set, or cleared when it was set."""
        value = None if self.is_set_in(contact_filter) else self.value
        cleared_or_set: dict[str, Any] = {_FILTER_FIELDS[self.kind]: value}
        changed = replace(contact_filter, **cleared_or_set)
        if self.kind == "category":
            changed = replace(changed, stage=None)  # a step of another category matches none
        return changed


_FILTER_FIELDS = {"status": "status", "category": "category", "attention": "attention"}


class DashboardBar(Widget, can_focus=True):
    """Counts for the contacts in the current view, read in a worker whenever asked."""

    HELP_GROUP = "The dashboard (tab from the list)"

    DEFAULT_CSS = """
    DashboardBar {
        height: 1;
        padding: 0 1;
        background: $boost;
        color: $foreground;
        & > .dashboard--label { color: $text-muted; }
        & > .dashboard--count { text-style: bold; }
        & > .dashboard--open { color: $success; text-style: bold; }
        & > .dashboard--closed { color: $text-muted; text-style: bold; }
        & > .dashboard--warning { color: $warning; text-style: bold; }
        & > .dashboard--set { text-style: bold underline; }
        & > .dashboard--cursor { text-style: reverse; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "dashboard--label",
        "dashboard--count",
        "dashboard--open",
        "dashboard--closed",
        "dashboard--warning",
        "dashboard--set",
        "dashboard--cursor",
    }

    HELP_GROUP = "The dashboard"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left,h",
            "move(-1)",
            "Previous count",
            show=False,
            id="dashboard.previous",
            tooltip="Move to the previous count of the dashboard",
        ),
        Binding(
            "right,l",
            "move(1)",
            "Next count",
            show=False,
            id="dashboard.next",
            tooltip="Move to the next count of the dashboard",
        ),
        Binding(
            "enter,space",
            "select",
            "Filter by it",
            id="dashboard.select",
            tooltip="Show only the contacts of this count (again: show them all)",
        ),
    ]

    @dataclass
    class Selected(Message):
        """The user picked a counter (enter or a click): filter the list by it."""

        bar: DashboardBar
        counter: Counter

        @property
        def control(self) -> DashboardBar:
            return self.bar

    @dataclass
    class Updated(Message):
        """New counts are on screen."""

        bar: DashboardBar
        dashboard: Dashboard

        @property
        def control(self) -> DashboardBar:
            return self.bar

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.counts: Dashboard | None = None
        """The counts shown, or None until the first are read."""
        self.contact_filter = ContactFilter()
        """The view the counts are for: its counters are shown as set."""
        self.cursor = 0
        """The index of the counter under the cursor, among `counters()`."""
        self._offset = 0  # the first cell shown, when the line is wider than the bar
        self.tooltip = (
            "Counts of the contacts listed below: they follow the filter and the search. "
            "Pick one (tab here, ←/→, enter, or a click) to filter by it; again to unset."
        )
        self._timer: Timer | None = None
        self._pending = False
        self._reads = StoppableReads()

    def load(self, contact_filter: ContactFilter) -> None:
        """Count the contacts of this view again (after a filter change or an edit).

        The counts are read once the view has stayed for LOAD_DELAY: they scan every
        matching contact, and reading them for each of several quick changes would
        only slow the rows down. A read still running for earlier counts is stopped: at a
        million contacts one can take half a second and megabytes of sort buffers.
        """
        if self._timer is not None:
            self._timer.stop()
        self._reads.stop_all()
        self.contact_filter = contact_filter
        # The list's count read them a moment ago (services.count): shown now, without a
        # worker and a second trip to the store.
        counted = contacts_app(self).service.counted_dashboard(contact_filter)
        if counted is not None:
            self._show(counted)
            return
        ticket = self._reads.ticket()
        self._pending = True
        self._timer = self.set_timer(LOAD_DELAY, lambda: self._read(ticket, contact_filter))

    def stop(self) -> None:
        """The view changed: stop reading the old view's counts now, not at the next
        load() (which comes only once the new view is counted)."""
        if self._timer is not None:
            self._timer.stop()
        self._reads.stop_all()

    @property
    def busy(self) -> bool:
        """New counts were asked for and are not on screen yet."""
        return self._pending

    @reported_work(thread=True, exclusive=True, group="store.dashboard")
    def _read(self, ticket: int, contact_filter: ContactFilter) -> None:
        try:
            with self._reads.reading(ticket):
                counts = contacts_app(self).service.dashboard(contact_filter)
        except ReadStopped:
            return  # a newer load() stopped it, and reads the counts it wants
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, counts)

    def _show(self, counts: Dashboard) -> None:
        self._pending = False
        self.counts = counts
        self.refresh(layout=True)
        self.post_message(self.Updated(self, counts))

    def worker_failed(self, work_name: str, message: str) -> bool:
        """The counts could not be read: ask again next time (the toast says why)."""
        self._pending = False
        return False

    def shown_categories(self) -> list[tuple[str, int]]:
        """(name, count) of the categories worth showing: those of the default lifecycle,
        and of any other lifecycle only those that hold contacts in this view."""
        return [(c.name, c.count) for c in self.counters() if c.kind == "category"]

    def counters(self) -> list[Counter]:
        """Every counter on the line, in order: status, the warnings that have contacts
        (or are set in the filter, so they can be cleared), then the categories."""
        if self.counts is None:
            return []
        f = self.contact_filter
        counters = [
            Counter("status", STATUS_OPEN, "Open", self.counts.open),
            Counter("status", STATUS_CLOSED, "Closed", self.counts.closed),
        ]
        # The warnings before the categories: at 80 columns the categories scroll, and
        # what needs attention must not be the part out of sight.
        if self.counts.missing_primary or f.attention == MISSING_PRIMARY:
            counters.append(
                Counter(
                    "attention",
                    MISSING_PRIMARY,
                    "missing primary e-mail/phone",
                    self.counts.missing_primary,
                    "no primary",
                )
            )
        if self.counts.unknown_stage or f.attention == UNKNOWN_STEP:
            counters.append(
                Counter(
                    "attention",
                    UNKNOWN_STEP,
                    "at a step no longer configured",
                    self.counts.unknown_stage,
                    "at unknown step",
                )
            )
        config = contacts_app(self).service.config
        default = {category.key for category in config.default.categories}
        counters += [
            Counter("category", c.key, c.name, c.count)
            for c in self.counts.categories
            if c.count or c.key in default or c.key == f.category
        ]
        return counters

    # ----- keys and mouse -----------------------------------------------------------------

    def action_move(self, step: int) -> None:
        counters = self.counters()
        if counters:
            self.cursor = max(0, min(self.cursor + step, len(counters) - 1))
            self.refresh()

    def action_select(self) -> None:
        counters = self.counters()
        if counters:
            self.cursor = min(self.cursor, len(counters) - 1)
            self.post_message(self.Selected(self, counters[self.cursor]))

    def on_click(self, event: events.Click) -> None:
        x = event.x - 1 + self._offset  # one cell of padding
        for index, (start, end) in enumerate(self._line()[1]):
            if start <= x < end:
                self.cursor = index
                self.refresh()
                self.action_select()
                return

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # ----- drawing ------------------------------------------------------------------------

    def _line(self) -> tuple[list[tuple[str, int | None]], list[tuple[int, int]]]:
        """The line as (text, counter index or None) pieces, and each counter's cells.

        The full form, else short warnings and single spaces; a line still too wide
        scrolls (category names are never cut: "Lead …" and "Lead …" say nothing).
        """
        counters = self.counters()
        width = max(1, self.size.width - 2)
        pieces: list[tuple[str, int | None]] = []
        for short in (False, True):
            pieces = self._pieces(counters, short)
            if sum(cell_len(text) for text, _ in pieces) <= width:
                break
        spans: list[tuple[int, int]] = []
        x = 0
        for text, index in pieces:
            if index is not None:
                spans.append((x, x + cell_len(text)))
            x += cell_len(text)
        return pieces, spans

    @staticmethod
    def _pieces(counters: list[Counter], short: bool) -> list[tuple[str, int | None]]:
        gap, group = (NARROW_GAP, NARROW_GROUP) if short else (GAP, GROUP)
        pieces: list[tuple[str, int | None]] = [(PREFIX, None)]
        previous = None
        for index, counter in enumerate(counters):
            if previous is not None:
                pieces.append((group if counter.kind != previous else gap, None))
            pieces.append((counter.text(short), index))
            previous = counter.kind
        return pieces

    def render(self) -> Text:
        label = self.get_component_rich_style("dashboard--label")
        if self.counts is None:
            return Text("Counting…", style=label)
        counters = self.counters()
        self.cursor = min(self.cursor, max(0, len(counters) - 1))
        pieces, spans = self._line()
        text = Text(no_wrap=True, overflow="crop")
        for piece, index in pieces:
            if index is None:
                text.append(piece, style=label)
                continue
            counter = counters[index]
            style = self._counter_style(counter)
            if counter.is_set_in(self.contact_filter):
                style += self.get_component_rich_style("dashboard--set")
            if self.has_focus and index == self.cursor:
                style += self.get_component_rich_style("dashboard--cursor")
            text.append(piece, style=style)
        return self._scrolled(text, spans)

    def _counter_style(self, counter: Counter) -> Style:
        if counter.warning:
            return self.get_component_rich_style("dashboard--warning")
        if counter.kind == "status":
            name = "dashboard--open" if counter.value == STATUS_OPEN else "dashboard--closed"
            return self.get_component_rich_style(name)
        return self.get_component_rich_style("dashboard--count")

    def _scrolled(self, text: Text, spans: list[tuple[int, int]]) -> Text:
        """The part of the line that fits, keeping the cursor's counter in view, with ‹
        and › where more is hidden."""
        width = max(1, self.size.width - 2)
        if text.cell_len <= width:
            self._offset = 0
            return text
        start, end = spans[self.cursor] if spans else (0, 0)
        room = width - 2  # a marker cell at each end
        offset = self._offset if self.has_focus else 0
        if end - offset > room:
            offset = end - room
        if start < offset:
            offset = start
        offset = max(0, min(offset, text.cell_len - room))
        self._offset = offset
        label = self.get_component_rich_style("dashboard--label")
        if not offset:  # no marker on the left: one more cell of the line
            shown = text[: room + 1]
        else:
            shown = Text("‹", style=label)
            shown.append_text(text[offset : offset + room])
        shown.append("›" if offset + room < text.cell_len else " ", style=label)
        return shown
