"""The dashboard above the contact list: Open, Closed, per lifecycle category, missing data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import get_current_worker

from contacts_tui.services import ContactFilter, Dashboard, ReadStopped, StoppableReads
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.reporting import reported_work

LOAD_DELAY = 0.01
"""Seconds a view must stay on screen before its counts are read (see `load`): hardly
any, as the list asks only once its count is in, and the service read them with it."""


class DashboardBar(Widget):
    """Counts for the contacts in the current view, read in a worker whenever asked."""

    DEFAULT_CSS = """
    DashboardBar {
        height: auto;
        max-height: 3;
        padding: 0 1;
        background: $boost;
        color: $foreground;
        & > .dashboard--label { color: $text-muted; }
        & > .dashboard--count { text-style: bold; }
        & > .dashboard--open { color: $success; text-style: bold; }
        & > .dashboard--closed { color: $text-muted; text-style: bold; }
        & > .dashboard--warning { color: $warning; text-style: bold; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "dashboard--label",
        "dashboard--count",
        "dashboard--open",
        "dashboard--closed",
        "dashboard--warning",
    }

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
        if self.counts is None:
            return []
        config = contacts_app(self).service.config
        default = {category.key for category in config.default.categories}
        return [(c.name, c.count) for c in self.counts.categories if c.count or c.key in default]

    def render(self) -> Text:
        if self.counts is None:
            return Text("Counting…", style=self.get_component_rich_style("dashboard--label"))
        label = self.get_component_rich_style("dashboard--label")
        count = self.get_component_rich_style("dashboard--count")
        parts: list[tuple[str, object]] = [
            ("Open ", label),
            (f"{self.counts.open:,}", self.get_component_rich_style("dashboard--open")),
            ("  Closed ", label),
            (f"{self.counts.closed:,}", self.get_component_rich_style("dashboard--closed")),
            ("  │", label),
        ]
        for name, n in self.shown_categories():
            parts.append((f"  {name} ", label))
            parts.append((f"{n:,}", count))
        text = Text.assemble(*parts)  # type: ignore[arg-type]
        if self.counts.missing_primary:
            text.append("  │  ", style=label)
            text.append(
                f"⚠ {self.counts.missing_primary:,} missing primary e-mail/phone",
                style=self.get_component_rich_style("dashboard--warning"),
            )
        if self.counts.unknown_stage:
            text.append("  │  ", style=label)
            text.append(
                f"⚠ {self.counts.unknown_stage:,} at a step no longer configured",
                style=self.get_component_rich_style("dashboard--warning"),
            )
        return text
