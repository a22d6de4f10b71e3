"""The virtual contact table: draws only the rows on screen, paging them in from the store.

A million contacts never fit in memory, and Textual's DataTable holds every row. This
widget keeps a window of rows around the ones on screen and reads more with keyset
pagination (`ContactService.list_page`) in a thread worker as the cursor moves. It draws
itself line by line (Textual's Line API) so that a cursor move repaints two lines, not
the screen: over SSH every byte written to the terminal costs time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from textual import events, on, work
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from contacts_tui.lifecycle import LifecycleConfig
from contacts_tui.services import ContactFilter, ContactRow, ContactService, Page
from contacts_tui.store.database import ReadStopped, StoppableReads
from contacts_tui.store.listing import SORT_COLUMNS
from contacts_tui.validation import display_safe
from contacts_tui.widgets.table_columns import (
    COLUMNS,
    DEFAULT_COLUMNS,
    REQUIRED_COLUMN,
    fit,
    fit_columns,
)

TENANT_WIDE_LABEL = "Tenant-Wide"

COUNT_DELAY = 0.15
"""Seconds a new view must stay before it is counted (see `_count_soon`)."""

EXACT_POSITION_ROWS = 100_000
"""After a change, the rows before the view are counted again only up to this many
(counting them costs about 2 s at row 600,000 of a million); further down the numbers
are kept as they were, which is exact unless rows came or went above the view."""


class ContactTable(Widget, can_focus=True):
    """The contact list: a fixed header, a row cursor, and a status line with the position."""

    DEFAULT_CSS = """
    ContactTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        & > .contact-table--header { background: $panel; color: $foreground; text-style: bold; }
        & > .contact-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .contact-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .contact-table--muted { color: $text-muted; }
        & > .contact-table--status { background: $panel; color: $text-muted; }
        & > .contact-table--track { color: $panel; }
        & > .contact-table--thumb { color: $primary; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "contact-table--header",
        "contact-table--cursor",
        "contact-table--muted",
        "contact-table--status",
        "contact-table--track",
        "contact-table--thumb",
    }

    BINDINGS: ClassVar[list[Binding]] = [
        Binding(
            "j,down",
            "cursor_down",
            "Next row",
            show=False,
            id="table.down",
            tooltip="Move the cursor to the next contact",
        ),
        Binding(
            "k,up",
            "cursor_up",
            "Previous row",
            show=False,
            id="table.up",
            tooltip="Move the cursor to the previous contact",
        ),
        Binding(
            "g,home",
            "first_row",
            "First row",
            show=False,
            id="table.first",
            tooltip="Jump to the first contact of the list",
        ),
        Binding(
            "G,end",
            "last_row",
            "Last row",
            show=False,
            id="table.last",
            tooltip="Jump to the last contact of the list",
        ),
        Binding(
            "ctrl+d",
            "half_page_down",
            "Half page down",
            show=False,
            id="table.half_page_down",
            tooltip="Move down by half a screen",
        ),
        Binding(
            "ctrl+u",
            "half_page_up",
            "Half page up",
            show=False,
            id="table.half_page_up",
            tooltip="Move up by half a screen",
        ),
        Binding(
            "pagedown",
            "page_down",
            "Page down",
            show=False,
            id="table.page_down",
            tooltip="Move down by a screen",
        ),
        Binding(
            "pageup",
            "page_up",
            "Page up",
            show=False,
            id="table.page_up",
            tooltip="Move up by a screen",
        ),
        Binding(
            "enter",
            "open",
            "Open",
            id="table.open",
            tooltip="Open the contact under the cursor",
        ),
    ]

    @dataclass
    class Opened(Message):
        """The user asked to open a contact (enter or a double click)."""

        contact_id: int

    @dataclass
    class CursorMoved(Message):
        """The cursor is on another row (0-based); `contact_id` is None while it loads."""

        row: int
        contact_id: int | None

    @dataclass
    class Loaded(Message):
        """A view change, jump or reload has landed (or failed): no read is on its way."""

        rows: int  # rows in the window now

    @dataclass
    class Counted(Message):
        """The number of contacts in the current view is known (after every reload)."""

        total: int

    def __init__(
        self,
        columns: Iterable[str] = DEFAULT_COLUMNS,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._columns: list[str] = self._valid_columns(columns)
        self._filter = ContactFilter()
        self._sort = "name"
        self._descending = False
        # The window: `_rows[0]` is row `_start` of the list.
        self._rows: list[ContactRow] = []
        self._start = 0
        self._total: int | None = None  # None until counted
        self._cursor = 0
        self._top = 0  # the row shown first
        self._generation = 0  # bumped whenever the view changes: late answers are dropped
        self._reads = StoppableReads()  # the reads on their way, stopped at each new generation
        self._jumping = False  # a jump or reload is on its way: no window fetch meanwhile
        self._fetching = False
        self._loaded = False  # the first page arrived
        self._more_below = False  # rows exist below the window
        self._count_timer: Timer | None = None
        self._column_layout: tuple[tuple, list[tuple[str, int]]] = ((), [])
        self._names: dict[tuple[str, str], tuple[str, str]] = {}
        self._names_config: LifecycleConfig | None = None

    # ----- public API ---------------------------------------------------------------------

    @property
    def columns(self) -> list[str]:
        """The column keys the user chose, in order (some may not fit the width)."""
        return list(self._columns)

    @property
    def visible_columns(self) -> list[str]:
        """The column keys drawn at the current width."""
        return [key for key, _ in self._layout()]

    def set_columns(self, keys: Iterable[str]) -> None:
        """Show these columns in this order; unknown keys are ignored, Name is always kept."""
        self._columns = self._valid_columns(keys)
        self.refresh()

    @property
    def contact_filter(self) -> ContactFilter:
        return self._filter

    @property
    def sort(self) -> str:
        return self._sort

    @property
    def descending(self) -> bool:
        return self._descending

    @property
    def total(self) -> int | None:
        """How many contacts the current view holds; None until counted."""
        return self._total

    @property
    def cursor_row(self) -> int:
        """The 0-based position of the cursor in the whole list."""
        return self._cursor

    @property
    def current_row(self) -> ContactRow | None:
        """The contact under the cursor, if it is loaded."""
        return self._row_at(self._cursor)

    @property
    def window(self) -> tuple[ContactRow, ...]:
        """The rows held in memory: the ones on screen plus a margin."""
        return tuple(self._rows)

    @property
    def busy(self) -> bool:
        """A new view, a jump or a reload is on its way (not Widget.loading: a loading
        widget cannot take the focus)."""
        return self._jumping or not self._loaded

    def show(
        self,
        contact_filter: ContactFilter | None = None,
        sort: str | None = None,
        descending: bool | None = None,
        first_page: Page | None = None,
    ) -> None:
        """Show another view of the contacts, from its first row.

        `first_page`, when given, is that view's first page already read: it is shown at
        once, without a read in a worker (the app reads it while starting).
        """
        if sort is not None:
            if sort not in SORT_COLUMNS:
                raise ValueError(f"cannot sort by {sort!r}")
            self._sort = sort
        if descending is not None:
            self._descending = descending
        # Another order holds the same contacts: the count stands, only a new filter
        # (or search) is counted again.
        recount = contact_filter is not None and contact_filter != self._filter
        if contact_filter is not None:
            self._filter = contact_filter
        if first_page is None:
            self._start_jump("first", reset=recount)
            return
        self._new_generation()
        self._total = None
        self._jumped(self._generation, "first", first_page.rows, first_page.has_more, None)

    def sort_by(self, key: str) -> None:
        """Sort by a column; sorting again by the same column reverses the order."""
        if key == self._sort:
            self.show(descending=not self._descending)
        else:
            self.show(sort=key, descending=False)

    def reload(self) -> None:
        """Read the rows again where the cursor is, after a change to the contacts."""
        if not self._rows:
            self._start_jump("first", reset=True)
            return
        self._new_generation()
        self._jumping = True
        anchor = self._row_at(self._top) or self._rows[0]
        cursor = self._row_at(self._cursor)
        self._load_around(
            self._reads.ticket(),
            self._generation,
            anchor.sort_key,
            cursor.id if cursor else None,
            self._filter,
            self._sort,
            self._descending,
            self._capacity(),
        )
        self._count(self._reads.ticket(), self._generation, self._filter)

    # ----- actions ------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self._move(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self._cursor - 1)

    def action_half_page_down(self) -> None:
        self._page(max(1, self._body_height // 2))

    def action_half_page_up(self) -> None:
        self._page(-max(1, self._body_height // 2))

    def action_page_down(self) -> None:
        self._page(max(1, self._body_height))

    def action_page_up(self) -> None:
        self._page(-max(1, self._body_height))

    def action_first_row(self) -> None:
        if self._start == 0 and self._rows and not self._jumping:
            self._place(0, 0)
        else:
            self._start_jump("first")

    def action_last_row(self) -> None:
        end = self._start + len(self._rows)
        if self._total is not None and self._rows and end == self._total and not self._jumping:
            self._place(self._total - 1, self._total - self._body_height)
        else:
            self._start_jump("last")

    def action_open(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Opened(row.id))

    # ----- mouse --------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        y = event.y
        if y == 0:
            self._click_header(event.x)
            return
        index = self._top + y - 1
        if 1 <= y <= self._body_height and index < self._limit():
            self._move(index)
            if event.chain == 2:
                self.action_open()

    def _click_header(self, x: int) -> None:
        left = 0
        for key, width in self._layout():
            if left <= x < left + width + 1:
                if COLUMNS[key].sortable:
                    self.sort_by(key)
                return
            left += width + 1

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self._scroll(3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self._scroll(-3)

    def on_focus(self) -> None:
        self._refresh_rows(self._cursor)

    def on_blur(self) -> None:
        self._refresh_rows(self._cursor)

    def on_resize(self) -> None:
        self._place(self._cursor, self._top)

    # ----- moving -------------------------------------------------------------------------

    @property
    def _body_height(self) -> int:
        return max(1, self.size.height - 2)  # a header line and a status line

    def _limit(self) -> int:
        """How many rows the cursor can reach now."""
        if self._total is not None:
            return self._total
        return self._start + len(self._rows)

    def _move(self, index: int) -> None:
        """Put the cursor on row `index`, scrolling only as far as needed to show it."""
        top = self._top
        if index < top:
            top = index
        elif index >= top + self._body_height:
            top = index - self._body_height + 1
        self._place(index, top)

    def _page(self, rows: int) -> None:
        """Move the cursor and the view together, as far as the list allows."""
        self._place(self._cursor + rows, self._top + rows)

    def _scroll(self, rows: int) -> None:
        """Scroll the view, taking the cursor along only where it would leave the screen."""
        top = max(0, min(self._top + rows, self._limit() - self._body_height))
        cursor = min(max(self._cursor, top), top + self._body_height - 1)
        self._place(cursor, top)

    def _place(self, cursor: int, top: int) -> None:
        limit = self._limit()
        cursor = max(0, min(cursor, limit - 1))
        top = max(0, min(top, limit - self._body_height))
        top = min(max(top, cursor - self._body_height + 1), cursor)
        old_cursor, old_top = self._cursor, self._top
        self._cursor, self._top = cursor, top
        if top != old_top:
            self.refresh()
        elif cursor != old_cursor:
            self._refresh_rows(old_cursor, cursor)
        if cursor != old_cursor:
            row = self._row_at(cursor)
            self.post_message(self.CursorMoved(cursor, row.id if row else None))
        self._fill_window()

    def _refresh_rows(self, *indexes: int) -> None:
        """Repaint these rows and the status line: nothing else is sent to the terminal."""
        width = self.size.width
        for index in indexes:
            y = index - self._top + 1
            if 1 <= y <= self._body_height:
                self.refresh(Region(0, y, width, 1))
        self.refresh(Region(0, self.size.height - 1, width, 1))
        # The position indicator follows the view, not the cursor: it moved only if the
        # view scrolled, and then the whole table is repainted anyway.

    # ----- the window of rows -------------------------------------------------------------

    @property
    def _margin(self) -> int:
        return max(self._body_height, 20)

    def _capacity(self) -> int:
        return self._body_height + 2 * self._margin

    def _row_at(self, index: int) -> ContactRow | None:
        offset = index - self._start
        if 0 <= offset < len(self._rows):
            return self._rows[offset]
        return None

    def _fill_window(self) -> None:
        """Read the rows just above or below the window when the view comes near its edge."""
        if self._jumping or self._fetching or not self._rows:
            return
        start, end = self._start, self._start + len(self._rows)
        margin = self._margin
        low = max(0, self._top - margin // 2)
        high = self._top + self._body_height + margin // 2
        if self._total is not None:
            high = min(high, self._total)
        if high > end and self._more_below:
            wanted = self._top + self._body_height + margin - end
            self._fetching = True
            self._fetch(
                self._reads.ticket(),
                self._generation,
                "after",
                end,
                self._rows[-1],
                max(wanted, margin),
            )
        elif low < start:
            wanted = start - max(0, self._top - margin)
            self._fetching = True
            self._fetch(
                self._reads.ticket(),
                self._generation,
                "before",
                start,
                self._rows[0],
                max(wanted, 1),
            )

    def _trim(self) -> None:
        """Forget rows far from the view, so memory stays bounded wherever the user goes."""
        keep_from = max(self._start, self._top - 2 * self._margin)
        keep_to = self._top + self._body_height + 2 * self._margin
        drop_front = keep_from - self._start
        if drop_front > 0:
            del self._rows[:drop_front]
            self._start += drop_front
        if self._start + len(self._rows) > keep_to:
            del self._rows[max(0, keep_to - self._start) :]

    def _start_jump(self, where: str, reset: bool = False) -> None:
        """Read the first or last page afresh; `reset` when the view itself changed."""
        self._new_generation()
        self._jumping = True
        if reset:
            self._total = None
        self._jump(
            self._reads.ticket(),
            self._generation,
            where,
            self._filter,
            self._sort,
            self._descending,
            self._body_height + self._margin,
            self._total,
        )

    def _new_generation(self) -> None:
        """Make every answer on its way stale, and stop the reads that would bring them."""
        self._generation += 1
        self._reads.stop_all()
        self._fetching = False  # a window read that was on its way will never land

    # The workers: one group per kind of read, because `exclusive` cancels the other
    # workers of its group, and a jump, a window read, a reload and a count must not
    # cancel each other (a jump's answer itself starts the next window read). Each
    # answer carries the generation it was asked for; a later view change makes it
    # stale and it is dropped on arrival. Each also carries the ticket of its generation's
    # reads (`StoppableReads`): a new generation stops the query itself, which would
    # otherwise run to its end (Textual's cancel only sets a flag) with its memory.

    @property
    def _service(self) -> ContactService:
        return self.app.service  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, exit_on_error=False, group="store.window")
    def _fetch(
        self,
        ticket: int,
        generation: int,
        direction: str,
        edge: int,
        anchor: ContactRow,
        limit: int,
    ) -> None:
        try:
            with self._reads.reading(ticket):
                page = self._service.list_page(
                    self._filter,
                    self._sort,
                    self._descending,
                    after=anchor.sort_key,
                    limit=limit,
                    backwards=direction == "before",
                )
        except ReadStopped:
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(
                self._fetched, generation, direction, edge, anchor.id, page.rows, page.has_more
            )

    def _fetched(
        self,
        generation: int,
        direction: str,
        edge: int,
        anchor_id: int,
        rows: tuple[ContactRow, ...],
        has_more: bool,
    ) -> None:
        self._fetching = False
        if generation != self._generation or not self._rows:
            return
        if direction == "after":
            if self._start + len(self._rows) != edge or self._rows[-1].id != anchor_id:
                self._fill_window()
                return
            self._rows.extend(rows)
            end = self._start + len(self._rows)
            self._more_below = has_more
            if not has_more and self._total != end:
                self._total = end  # the list changed under us: the store is right
        else:
            if self._start != edge or self._rows[0].id != anchor_id:
                self._fill_window()
                return
            self._rows[:0] = rows
            self._start -= len(rows)
            if not has_more and self._start != 0:
                self._shift(-self._start)  # rows were added or removed above
        self._trim()
        self.refresh()
        self._fill_window()

    def _shift(self, by: int) -> None:
        """Renumber every row by `by`, when the store says the positions were off."""
        self._start += by
        self._cursor = max(0, self._cursor + by)
        self._top = max(0, self._top + by)

    @work(thread=True, exclusive=True, exit_on_error=False, group="store.page")
    def _jump(
        self,
        ticket: int,
        generation: int,
        where: str,
        contact_filter: ContactFilter,
        sort: str,
        descending: bool,
        limit: int,
        total: int | None,
    ) -> None:
        service = self._service
        last = where == "last"
        try:
            with self._reads.reading(ticket):
                page = service.list_page(
                    contact_filter, sort, descending, limit=limit, backwards=last
                )
                if last and total is None:
                    total = service.count(contact_filter)
        except ReadStopped:
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(
                self._jumped, generation, where, page.rows, page.has_more, total
            )

    def _jumped(
        self,
        generation: int,
        where: str,
        rows: tuple[ContactRow, ...],
        has_more: bool,
        total: int | None,
    ) -> None:
        if generation != self._generation:
            return
        self._jumping = False
        self._loaded = True
        self._rows = list(rows)
        self._more_below = has_more and where != "last"
        if where == "first" and not has_more:
            self._total = len(rows)  # the whole view is on this page: no need to count
            self.post_message(self.Counted(self._total))
        if where == "last":
            counted_now = self._total is None and total is not None
            total = max(total or 0, len(rows))
            self._total = total
            if counted_now:  # the jump counted the view (its own count is now stale)
                self.post_message(self.Counted(total))
            self._start = total - len(rows)
            cursor, top = total - 1, total - self._body_height
        else:
            self._start = 0
            cursor = top = 0
        # Set the cursor directly first so that _place always reports the move.
        self._cursor = -1
        self.refresh()
        self._place(cursor, top)
        self._trim()  # a page read before the size was known may be longer than needed
        self.post_message(self.Loaded(len(self._rows)))
        if self._total is None:
            self._count_soon()

    def _count_soon(self) -> None:
        """Count the view once it has settled: while the user types a search, counting
        every intermediate term (a full index scan each) would compete with the rows."""
        if self._count_timer is not None:
            self._count_timer.stop()
        generation = self._generation
        ticket = self._reads.ticket()
        self._count_timer = self.set_timer(
            COUNT_DELAY, lambda: self._count(ticket, generation, self._filter)
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="store.reload")
    def _load_around(
        self,
        ticket: int,
        generation: int,
        anchor_key: tuple,
        cursor_id: int | None,
        contact_filter: ContactFilter,
        sort: str,
        descending: bool,
        limit: int,
    ) -> None:
        """Re-read the window from the row that was shown first."""
        service = self._service
        try:
            with self._reads.reading(ticket):
                above = service.list_page(
                    contact_filter,
                    sort,
                    descending,
                    after=anchor_key,
                    limit=self._margin,
                    backwards=True,
                ).rows
                from_key = above[-1].sort_key if above else None
                below = service.list_page(
                    contact_filter, sort, descending, after=from_key, limit=limit
                )
        except ReadStopped:
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(
                self._reloaded,
                generation,
                above + below.rows,
                len(above),
                below.has_more,
                cursor_id,
            )

    def _reloaded(
        self,
        generation: int,
        rows: tuple[ContactRow, ...],
        above: int,
        more_below: bool,
        cursor_id: int | None,
    ) -> None:
        if generation != self._generation:
            return
        self._jumping = False
        self._loaded = True
        # The row shown first keeps its number (exact unless rows were added or removed
        # above it: `_locate` checks that), unless it is now the first of all.
        start = max(0, self._top - above) if above else 0
        self._rows = list(rows)
        self._start = start
        self._more_below = more_below
        top = start + above
        ids = [row.id for row in rows]
        if cursor_id in ids:
            cursor = start + ids.index(cursor_id)
        else:  # it left the view (archived, or filtered out): stay at the same place
            cursor = self._cursor - self._top + top
        if self._total is not None and start + len(rows) > self._total:
            self._total = start + len(rows)
        self._cursor = -1
        self.refresh()
        self._place(cursor, top)
        self.post_message(self.Loaded(len(self._rows)))
        if above and start <= EXACT_POSITION_ROWS:
            self._locate(
                self._reads.ticket(),
                generation,
                rows[0],
                self._filter,
                self._sort,
                self._descending,
            )

    @work(thread=True, exclusive=True, exit_on_error=False, group="store.position")
    def _locate(
        self,
        ticket: int,
        generation: int,
        row: ContactRow,
        contact_filter: ContactFilter,
        sort: str,
        descending: bool,
    ) -> None:
        """Count the rows before `row`, to correct the numbering after a change."""
        try:
            with self._reads.reading(ticket):
                position = self._service.position(contact_filter, sort, descending, row.sort_key)
        except ReadStopped:
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._located, generation, row.id, position)

    def _located(self, generation: int, contact_id: int, position: int) -> None:
        if generation != self._generation:
            return
        ids = [row.id for row in self._rows]
        if contact_id in ids and position != self._start + ids.index(contact_id):
            self._shift(position - (self._start + ids.index(contact_id)))
            self.refresh()

    @work(thread=True, exclusive=True, exit_on_error=False, group="store.count")
    def _count(self, ticket: int, generation: int, contact_filter: ContactFilter) -> None:
        if generation != self._generation:
            return
        try:
            with self._reads.reading(ticket):
                total = self._service.count(contact_filter)
        except ReadStopped:
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._counted, generation, total)

    def _counted(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        self._total = total
        self._more_below = self._start + len(self._rows) < total
        self.post_message(self.Counted(total))
        if self._loaded and not self._jumping:
            self._place(self._cursor, self._top)
        self.refresh()  # the status line and the position indicator's scale changed

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            was_loading = self._jumping
            self._jumping = self._fetching = False
            self._loaded = True
            self.refresh()
            if was_loading:
                self.post_message(self.Loaded(len(self._rows)))
            report = getattr(self.app, "report_worker_error", None)
            if report is not None:
                report(event.worker)

    # ----- drawing ------------------------------------------------------------------------

    @staticmethod
    def _valid_columns(keys: Iterable[str]) -> list[str]:
        chosen = list(dict.fromkeys(k for k in keys if k in COLUMNS))
        if REQUIRED_COLUMN not in chosen:
            chosen.insert(0, REQUIRED_COLUMN)
        return chosen

    def _layout(self) -> list[tuple[str, int]]:
        # One cell on the right is the position indicator.
        key = (tuple(self._columns), self.size.width)
        if self._column_layout[0] != key:
            self._column_layout = (key, fit_columns(self._columns, max(2, self.size.width - 1)))
        return self._column_layout[1]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._render_header(width)
        if y == self.size.height - 1:
            return self._render_status(width)
        index = self._top + y - 1
        indicator = self._render_indicator(y - 1)
        row = self._row_at(index)
        if row is None:
            style = self.rich_style
            return Strip([Segment(" " * (width - 1), style), indicator], width)
        cursor = index == self._cursor
        return self._render_row(row, cursor, width, indicator)

    def _render_header(self, width: int) -> Strip:
        style = self.get_component_rich_style("contact-table--header")
        arrow = " ▼" if self._descending else " ▲"
        cells = []
        for key, size in self._layout():
            column = COLUMNS[key]
            label = column.label + (arrow if key == self._sort else "")
            cells.append(" " + fit(label, size, column.align_right))
        text = "".join(cells)
        return Strip([Segment(fit(text, width), style)], width)

    def _render_row(self, row: ContactRow, cursor: bool, width: int, indicator: Segment) -> Strip:
        base = self.get_component_rich_style("contact-table--cursor") if cursor else self.rich_style
        muted = self.get_component_rich_style("contact-table--muted")
        segments: list[Segment] = []
        used = 0
        for key, size in self._layout():
            text, is_muted = self._cell(row, key)
            cell = " " + fit(text, size, COLUMNS[key].align_right)
            segments.append(Segment(cell, muted if is_muted and not cursor else base))
            used += size + 1
        segments.append(Segment(" " * max(0, width - 1 - used), base))
        segments.append(indicator)
        return Strip(segments, width).simplify()

    def _render_indicator(self, line: int) -> Segment:
        """One cell of the scrollbar-like position indicator at the right edge."""
        body = self._body_height
        total = self._limit()
        if total <= body:
            return Segment(" ", self.rich_style)
        thumb_size = max(1, body * body // total)
        span = max(1, total - body)
        thumb_top = round((body - thumb_size) * min(self._top, span) / span)
        if thumb_top <= line < thumb_top + thumb_size:
            return Segment("┃", self.get_component_rich_style("contact-table--thumb"))
        return Segment("│", self.get_component_rich_style("contact-table--track"))

    def _render_status(self, width: int) -> Strip:
        style = self.get_component_rich_style("contact-table--status")
        if not self._loaded:
            left = " Loading contacts…"
        elif self._total == 0 or (self._total is None and not self._rows):
            left = " No contacts match." if self._is_narrowed() else " No contacts yet."
        elif self._total is None:
            left = f" Row {self._cursor + 1:,} of …"
        else:
            left = f" Row {self._cursor + 1:,} of {self._total:,}"
        label = COLUMNS[self._sort].label if self._sort in COLUMNS else self._sort
        right = f"sorted by {label} {'▼' if self._descending else '▲'} "
        gap = width - cell_len(left) - cell_len(right)
        text = left + " " * gap + right if gap > 0 else fit(left, width)
        return Strip([Segment(text, style)], width)

    def _is_narrowed(self) -> bool:
        return self._filter != ContactFilter(archived=self._filter.archived)

    # ----- cell text ----------------------------------------------------------------------

    def _cell(self, row: ContactRow, key: str) -> tuple[str, bool]:
        """The text of one cell, made safe for the terminal, and whether it is a stand-in."""
        if key == "company":
            if not row.company:
                return TENANT_WIDE_LABEL, True
            return display_safe(row.company), False
        if key == "stage":
            return self._stage_names(row)[0], False
        if key == "category":
            return self._stage_names(row)[1], False
        if key == "template":
            template = self._service.config.template(row.template)
            return display_safe(template.name if template else row.template), False
        if key == "scoring":
            return ("" if row.scoring is None else str(row.scoring)), False
        if key == "accounts":
            return display_safe(", ".join(row.accounts)), False
        if key == "updated":
            local = row.updated_at.replace(tzinfo=UTC).astimezone()
            return local.strftime("%Y-%m-%d %H:%M"), False
        return display_safe(getattr(row, key)), False

    def _stage_names(self, row: ContactRow) -> tuple[str, str]:
        """(step name, category name) from the lifecycle configuration, cached."""
        config = self._service.config
        if config is not self._names_config:
            self._names = {}
            self._names_config = config
        key = (row.template, row.stage)
        names = self._names.get(key)
        if names is None:
            template = config.template(row.template)
            step = template.step(row.stage) if template else None
            if step is None:
                names = (f"unknown: {display_safe(row.stage)}", "")
            else:
                category = template.category_of(row.stage)  # type: ignore[union-attr]
                names = (display_safe(step.name), display_safe(category.name if category else ""))
            self._names[key] = names
        return names
