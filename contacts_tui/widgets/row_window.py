"""The contact list's window of rows: which rows it holds, and the reads that fill it.

An object the contact table (widgets/contact_table.py) owns, which draws the rows and
takes the keys and tells the window where the view is (`WindowView`). The window holds
the rows on screen plus a margin, reads pages around them with keyset pagination in
thread workers (the table's), jumps, reloads after a change, counts the view, and stops
the reads a newer view has made useless (StoppableReads).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from textual.dom import DOMNode
from textual.timer import Timer
from textual.worker import get_current_worker

from contacts_tui.services import (
    SORT_KEYS,
    ContactFilter,
    ContactRow,
    ContactService,
    Page,
    ReadStopped,
    StoppableReads,
)
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.reporting import run_reported

COUNT_DELAY = 0.05
"""Seconds a new view must stay before it is counted (see `_count_soon`): longer than the
~40 ms a page takes, so a quick typist's next key comes first; a count that starts
anyway is stopped by that key. The dashboard comes with the count (services.count)."""

EXACT_POSITION_ROWS = 100_000
"""After a change, the rows before the view are counted again only up to this many
(counting them costs about 2 s at row 600,000 of a million); further down the numbers
are kept as they were, which is exact unless rows came or went above the view."""


class WindowView(Protocol):
    """What the window needs of the widget that shows it: where the view is, and how to
    show what the window brought."""

    @property
    def top_row(self) -> int:
        """The row shown first."""

    @property
    def cursor_row(self) -> int: ...

    @property
    def body_height(self) -> int:
        """How many rows fit on screen."""

    def place(self, cursor: int, top: int) -> None:
        """Move the cursor and the view (within the rows the window says there are)."""

    def show_rows(self, cursor: int, top: int) -> None:
        """The rows were replaced: repaint them all, with the cursor and view there."""

    def renumber(self, by: int) -> None:
        """The rows were numbered `by` off: the cursor and the view follow."""

    def repaint(self) -> None:
        """Every row changed, or their numbers."""

    def repaint_rows(self, *rows: int) -> None:
        """These rows changed (and so the status line)."""

    def window_loaded(self) -> None:
        """A view change, jump or reload has landed (or failed)."""

    def window_counted(self, total: int) -> None:
        """The number of contacts in the view is known."""


class RowWindow:
    """The rows of one view of the contacts held around the screen, and their reads.

    `node` runs the reads (its workers, its timer); `view` shows the rows. A read's
    answer carries the generation it was asked for: a later view change makes it stale,
    and it is dropped on arrival.
    """

    def __init__(self, node: DOMNode, view: WindowView) -> None:
        self.node = node
        self.view = view
        self.contact_filter = ContactFilter()
        self.sort = "name"
        self.descending = False
        # `rows[0]` is row `start` of the list.
        self.rows: list[ContactRow] = []
        self.start = 0
        self.total: int | None = None  # None until counted
        self.generation = 0  # bumped whenever the view changes: late answers are dropped
        self.reads = StoppableReads()  # the reads on their way, stopped at each generation
        self.jumping = False  # a jump or reload is on its way: no window fetch meanwhile
        self.fetching = False
        self.loaded = False  # the first page arrived
        self.more_below = False  # rows exist below the window
        self._count_timer: Timer | None = None
        self.count_seconds = 0.0
        """How long the last count took: the list recounts other sessions' changes no
        more often than a multiple of it (the database is shared by every session)."""

    # ----- what it holds ------------------------------------------------------------------

    @property
    def margin(self) -> int:
        return max(self.view.body_height, 20)

    def capacity(self) -> int:
        return self.view.body_height + 2 * self.margin

    def row_at(self, index: int) -> ContactRow | None:
        offset = index - self.start
        if 0 <= offset < len(self.rows):
            return self.rows[offset]
        return None

    def limit(self) -> int:
        """How many rows the cursor can reach now."""
        if self.total is not None:
            return self.total
        return self.start + len(self.rows)

    @property
    def at_first_row(self) -> bool:
        """The first row of the list is held, and no jump is on its way."""
        return self.start == 0 and bool(self.rows) and not self.jumping

    @property
    def at_last_row(self) -> bool:
        """The last row of the list is held (and counted), and no jump is on its way."""
        end = self.start + len(self.rows)
        return self.total is not None and bool(self.rows) and end == self.total and not self.jumping

    # ----- what the table asks ------------------------------------------------------------

    def show(
        self,
        contact_filter: ContactFilter | None = None,
        sort: str | None = None,
        descending: bool | None = None,
        first_page: Page | None = None,
    ) -> None:
        """Another view of the contacts, from its first row (`first_page`: already read)."""
        if sort is not None:
            if sort not in SORT_KEYS:
                raise ValueError(f"cannot sort by {sort!r}")
            self.sort = sort
        if descending is not None:
            self.descending = descending
        # Another order holds the same contacts: the count stands, only a new filter
        # (or search) is counted again.
        recount = contact_filter is not None and contact_filter != self.contact_filter
        if contact_filter is not None:
            self.contact_filter = contact_filter
        if first_page is None:
            self.jump("first", reset=recount)
            return
        self.new_generation()
        self.total = None
        self._jumped(self.generation, "first", first_page.rows, first_page.has_more, None)

    def jump(self, where: str, reset: bool = False) -> None:
        """Read the first or last page afresh; `reset` when the view itself changed."""
        self.new_generation()
        self.jumping = True
        if reset:
            self.total = None
        self._run(
            self._jump,
            "store.page",
            self.reads.ticket(),
            self.generation,
            where,
            self.contact_filter,
            self.sort,
            self.descending,
            self.view.body_height + self.margin,
            self.total,
        )

    def reload(self, recount: bool = True) -> None:
        """Read the rows again where the view is (see ContactTable.reload)."""
        if not self.rows:
            self.jump("first", reset=True)
            return
        self.new_generation()
        self.jumping = True
        anchor = self.row_at(self.view.top_row) or self.rows[0]
        cursor = self.row_at(self.view.cursor_row)
        self._run(
            self._load_around,
            "store.reload",
            self.reads.ticket(),
            self.generation,
            anchor.sort_key,
            cursor.id if cursor else None,
            self.contact_filter,
            self.sort,
            self.descending,
            self.capacity(),
        )
        if recount:
            self.recount()

    def reload_at(self, contact_id: int) -> None:
        """Read the rows again around one contact (see ContactTable.reload_at)."""
        if not self.rows:
            self.jump("first", reset=True)
            return
        self.new_generation()
        self.jumping = True
        anchor = self.row_at(self.view.top_row) or self.rows[0]
        self._run(
            self._load_at_contact,
            "store.reload",
            self.reads.ticket(),
            self.generation,
            contact_id,
            anchor.sort_key,
            self.contact_filter,
            self.sort,
            self.descending,
            self.capacity(),
        )
        self.recount()

    def recount(self) -> None:
        """Count the view again (then `window_counted`), keeping the rows."""
        ticket = self.reads.ticket()
        self._run(self._count, "store.count", ticket, self.generation, self.contact_filter)

    def new_generation(self) -> None:
        """Make every answer on its way stale, and stop the reads that would bring them."""
        self.generation += 1
        self.reads.stop_all()
        self.fetching = False  # a window read that was on its way will never land

    def read_failed(self) -> bool:
        """A read failed: stop looking busy. True when a jump or reload was on its way."""
        was_loading = self.jumping
        self.jumping = self.fetching = False
        self.loaded = True
        return was_loading

    # ----- keeping the window around the view ---------------------------------------------

    def fill(self) -> None:
        """Read the rows just above or below the window when the view comes near its edge."""
        if self.jumping or self.fetching or not self.rows:
            return
        top, height, margin = self.view.top_row, self.view.body_height, self.margin
        start, end = self.start, self.start + len(self.rows)
        low = max(0, top - margin // 2)
        high = top + height + margin // 2
        if self.total is not None:
            high = min(high, self.total)
        if high > end and self.more_below:
            self._fetch_next("after", end, self.rows[-1], max(top + height + margin - end, margin))
        elif low < start:
            self._fetch_next("before", start, self.rows[0], max(start - max(0, top - margin), 1))

    def _fetch_next(self, direction: str, edge: int, anchor: ContactRow, limit: int) -> None:
        self.fetching = True
        self._run(
            self._fetch,
            "store.window",
            self.reads.ticket(),
            self.generation,
            direction,
            edge,
            anchor,
            limit,
        )

    def trim(self) -> None:
        """Forget rows far from the view, so memory stays bounded wherever the user goes."""
        top, height = self.view.top_row, self.view.body_height
        keep_from = max(self.start, top - 2 * self.margin)
        keep_to = top + height + 2 * self.margin
        drop_front = keep_from - self.start
        if drop_front > 0:
            del self.rows[:drop_front]
            self.start += drop_front
        if self.start + len(self.rows) > keep_to:
            del self.rows[max(0, keep_to - self.start) :]

    def _shift(self, by: int) -> None:
        """Renumber every row by `by`, when the store says the positions were off."""
        self.start += by
        self.view.renumber(by)

    # ----- the reads ------------------------------------------------------------------------
    # One worker group per kind of read, because `exclusive` cancels the other workers of
    # its group, and a jump, a window read, a reload and a count must not cancel each
    # other (a jump's answer itself starts the next window read). Each read carries the
    # ticket of its generation's reads (`StoppableReads`): a new generation stops the
    # query itself, which would otherwise run to its end (Textual's cancel only sets a
    # flag) with its memory.

    @property
    def _service(self) -> ContactService:
        return contacts_app(self.node).service

    def _run(self, read: Callable[..., None], group: str, *args: object) -> None:
        run_reported(self.node, read, *args, thread=True, exclusive=True, group=group)

    def _answer(self, landed: Callable[..., object], *args: object) -> None:
        """Hand a read's answer to the UI thread, unless its worker was cancelled."""
        if not get_current_worker().is_cancelled:
            self.node.app.call_from_thread(landed, *args)

    def _read_around(
        self,
        contact_filter: ContactFilter,
        sort: str,
        descending: bool,
        key: tuple,
        limit: int,
    ) -> tuple[tuple[ContactRow, ...], Page]:
        """A margin of rows before `key`, and `limit` rows from there on."""
        service = self._service
        above = service.list_page(
            contact_filter, sort, descending, after=key, limit=self.margin, backwards=True
        ).rows
        from_key = above[-1].sort_key if above else None
        below = service.list_page(contact_filter, sort, descending, after=from_key, limit=limit)
        return above, below

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
            with self.reads.reading(ticket):
                page = self._service.list_page(
                    self.contact_filter,
                    self.sort,
                    self.descending,
                    after=anchor.sort_key,
                    limit=limit,
                    backwards=direction == "before",
                )
        except ReadStopped:
            return
        self._answer(
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
        self.fetching = False
        if generation != self.generation or not self.rows:
            return
        if direction == "after":
            if self.start + len(self.rows) != edge or self.rows[-1].id != anchor_id:
                self.fill()
                return
            self.rows.extend(rows)
            end = self.start + len(self.rows)
            self.more_below = has_more
            if not has_more and self.total != end:
                self.total = end  # the list changed under us: the store is right
        else:
            if self.start != edge or self.rows[0].id != anchor_id:
                self.fill()
                return
            self.rows[:0] = rows
            self.start -= len(rows)
            if not has_more and self.start != 0:
                self._shift(-self.start)  # rows were added or removed above
        self.trim()
        self.view.repaint()
        self.fill()

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
            with self.reads.reading(ticket):
                page = service.list_page(
                    contact_filter, sort, descending, limit=limit, backwards=last
                )
                if last and total is None:
                    total = service.count(contact_filter)
        except ReadStopped:
            return
        self._answer(self._jumped, generation, where, page.rows, page.has_more, total)

    def _jumped(
        self,
        generation: int,
        where: str,
        rows: tuple[ContactRow, ...],
        has_more: bool,
        total: int | None,
    ) -> None:
        if generation != self.generation:
            return
        if where == "first" and not has_more:
            self.total = len(rows)  # the whole view is on this page: no need to count
            self.view.window_counted(self.total)
        if where == "last":
            counted_now = self.total is None and total is not None
            total = max(total or 0, len(rows))
            self.total = total
            if counted_now:  # the jump counted the view (its own count is now stale)
                self.view.window_counted(total)
            self._land(rows, total - len(rows), more_below=False)
            cursor, top = total - 1, total - self.view.body_height
        else:
            self._land(rows, 0, more_below=has_more)
            cursor = top = 0
        self.view.show_rows(cursor, top)
        self.trim()  # a page read before the size was known may be longer than needed
        self.view.window_loaded()
        if self.total is None:
            self._count_soon()

    def _land(self, rows: tuple[ContactRow, ...], start: int, more_below: bool) -> None:
        """A jump or reload brought the whole window: hold `rows` from row `start`."""
        self.jumping = False
        self.loaded = True
        self.rows = list(rows)
        self.start = start
        self.more_below = more_below

    def _count_at_least_held(self) -> None:
        """The rows held reach further than the count: the list grew since it was counted."""
        end = self.start + len(self.rows)
        if self.total is not None and end > self.total:
            self.total = end

    def _count_soon(self) -> None:
        """Count the view once it has settled: while the user types a search, counting
        every intermediate term (a full index scan each) would compete with the rows."""
        if self._count_timer is not None:
            self._count_timer.stop()
        generation = self.generation
        ticket = self.reads.ticket()
        self._count_timer = self.node.set_timer(
            COUNT_DELAY,
            lambda: self._run(self._count, "store.count", ticket, generation, self.contact_filter),
        )

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
        try:
            with self.reads.reading(ticket):
                above, below = self._read_around(
                    contact_filter, sort, descending, anchor_key, limit
                )
        except ReadStopped:
            return
        self._answer(
            self._reloaded, generation, above + below.rows, len(above), below.has_more, cursor_id
        )

    def _load_at_contact(
        self,
        ticket: int,
        generation: int,
        contact_id: int,
        fallback_anchor: tuple,
        contact_filter: ContactFilter,
        sort: str,
        descending: bool,
        limit: int,
    ) -> None:
        """Read the window around one contact, and its row number; a view without it is
        read again from where it was (`_load_around`)."""
        service = self._service
        try:
            with self.reads.reading(ticket):
                row = service.row_of(contact_id, contact_filter, sort)
                if row is not None:
                    position = service.position(contact_filter, sort, descending, row.sort_key)
                    above, below = self._read_around(
                        contact_filter, sort, descending, row.sort_key, limit
                    )
        except ReadStopped:
            return
        if row is None:
            self._answer(
                lambda: self._run(
                    self._load_around,
                    "store.reload",
                    self.reads.ticket(),  # taken on the UI thread, as every ticket is
                    generation,
                    fallback_anchor,
                    contact_id,
                    contact_filter,
                    sort,
                    descending,
                    limit,
                )
            )
            return
        self._answer(
            self._landed_at,
            generation,
            above + below.rows,
            position - len(above),
            below.has_more,
            contact_id,
        )

    def _landed_at(
        self,
        generation: int,
        rows: tuple[ContactRow, ...],
        start: int,
        more_below: bool,
        contact_id: int,
    ) -> None:
        if generation != self.generation:
            return
        self._land(rows, start, more_below)
        self._count_at_least_held()
        ids = [row.id for row in rows]
        cursor = start + ids.index(contact_id) if contact_id in ids else start
        self.view.show_rows(cursor, cursor - self.view.body_height // 2)  # mid-screen
        self.view.window_loaded()

    def _reloaded(
        self,
        generation: int,
        rows: tuple[ContactRow, ...],
        above: int,
        more_below: bool,
        cursor_id: int | None,
    ) -> None:
        if generation != self.generation:
            return
        old_top, old_cursor = self.view.top_row, self.view.cursor_row
        # The row shown first keeps its number (exact unless rows were added or removed
        # above it: `_locate` checks that), unless it is now the first of all.
        start = max(0, old_top - above) if above else 0
        self._land(rows, start, more_below)
        self._count_at_least_held()
        # A view at the very top stays there: contacts added above show, and the cursor
        # moves down with its own contact.
        top = start + above if old_top > 0 else 0
        ids = [row.id for row in rows]
        # A cursor whose contact left the view (archived, filtered out) stays in its place.
        stayed = old_cursor - old_top + top
        cursor = start + ids.index(cursor_id) if cursor_id in ids else stayed
        self.view.show_rows(cursor, top)
        self.view.window_loaded()
        if above and start <= EXACT_POSITION_ROWS:
            self._locate_first(generation)

    # ----- other sessions' changes ----------------------------------------------------------

    def apply_changes(self, contact_ids: frozenset[int]) -> None:
        """Bring the window up to date after other sessions changed these contacts:
        only they are read (those held, and those that now sort into the window), not
        the window. Most changes are to contacts elsewhere in the list: one look-up by
        id that finds nothing to show, and nothing is painted."""
        if not self.rows:
            self.jump("first", reset=True)
            return
        self.new_generation()
        self.jumping = True
        rows = self.rows
        self._run(
            self._read_changes,
            "store.reload",
            self.reads.ticket(),
            self.generation,
            contact_ids,
            [row.id for row in rows if row.id not in contact_ids],
            None if self.start == 0 else rows[0].sort_key,
            rows[-1].sort_key if self.more_below else None,
            self.contact_filter,
            self.sort,
            self.descending,
        )

    def _read_changes(
        self,
        ticket: int,
        generation: int,
        contact_ids: frozenset[int],
        kept_ids: list[int],
        first: tuple | None,
        last: tuple | None,
        contact_filter: ContactFilter,
        sort: str,
        descending: bool,
    ) -> None:
        try:
            with self.reads.reading(ticket):
                changed = self._service.window_changes(
                    contact_filter, sort, descending, contact_ids, kept_ids, first, last
                )
        except ReadStopped:
            return
        self._answer(self._changes_read, generation, contact_ids, changed)

    def _changes_read(
        self,
        generation: int,
        contact_ids: frozenset[int],
        changed: tuple[tuple[ContactRow, int], ...],
    ) -> None:
        if generation != self.generation:
            return
        self.jumping = False
        old = self.rows
        kept = [row for row in old if row.id not in contact_ids]
        merged: list[ContactRow] = []
        taken = 0
        for row, before in changed:  # in display order: `before` never decreases
            merged += kept[taken:before]
            taken = max(taken, before)
            merged.append(row)
        merged += kept[taken:]
        if not merged:  # every row held left the view
            self.jump("first", reset=False)
            return
        if [row.id for row in merged] == [row.id for row in old]:
            self.rows = merged
            # The same contacts in the same order: repaint the changed rows only.
            self.view.repaint_rows(
                *(self.start + i for i, r in enumerate(old) if r.id in contact_ids)
            )
        else:
            self._rows_moved(old, merged, contact_ids)
        self.view.window_loaded()
        self.fill()
        shown = {row.id for row in old} | {row.id for row, _ in changed}
        if self.start and not contact_ids <= shown and self.start <= EXACT_POSITION_ROWS:
            # Some changed contact sorts outside the window: it may have left or joined
            # the rows above it, and the window's row numbers with it.
            self._locate_first(generation)

    def _rows_moved(
        self, old: list[ContactRow], merged: list[ContactRow], contact_ids: frozenset[int]
    ) -> None:
        """Show `merged` in place of `old`: the first unchanged row on screen keeps its
        line (a view at the very top stays there, and rows added above show), and the
        cursor stays on its contact, or on its line if the contact left."""
        old_top, old_cursor = self.view.top_row, self.view.cursor_row
        on_screen = old_top - self.start
        ids = [row.id for row in merged]
        top = old_top
        if old_top > 0:
            for line, row in enumerate(old[on_screen:]):
                if row.id not in contact_ids:
                    top = self.start + ids.index(row.id) - line
                    break
        cursor_row = self.row_at(old_cursor)
        if cursor_row is not None and cursor_row.id in ids:
            cursor = self.start + ids.index(cursor_row.id)
        else:
            cursor = old_cursor - old_top + top
        self.rows = merged
        self._count_at_least_held()
        self.view.show_rows(cursor, top)

    # ----- row numbers and the count --------------------------------------------------------

    def _locate_first(self, generation: int) -> None:
        """Count the rows before the window's first row again (a change may have moved it)."""
        self._run(
            self._locate,
            "store.position",
            self.reads.ticket(),
            generation,
            self.rows[0],
            self.contact_filter,
            self.sort,
            self.descending,
        )

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
            with self.reads.reading(ticket):
                position = self._service.position(contact_filter, sort, descending, row.sort_key)
        except ReadStopped:
            return
        self._answer(self._located, generation, row.id, position)

    def _located(self, generation: int, contact_id: int, position: int) -> None:
        if generation != self.generation:
            return
        ids = [row.id for row in self.rows]
        if contact_id in ids and position != self.start + ids.index(contact_id):
            self._shift(position - (self.start + ids.index(contact_id)))
            self.view.repaint()

    def _count(self, ticket: int, generation: int, contact_filter: ContactFilter) -> None:
        if generation != self.generation:
            return
        began = time.perf_counter()
        try:
            with self.reads.reading(ticket):
                total = self._service.count(contact_filter)
        except ReadStopped:
            return
        self._answer(self._counted, generation, total, time.perf_counter() - began)

    def _counted(self, generation: int, total: int, took: float = 0.0) -> None:
        self.count_seconds = took
        if generation != self.generation:
            return
        self.total = total
        self.more_below = self.start + len(self.rows) < total
        self.view.window_counted(total)
        if self.loaded and not self.jumping:
            self.view.place(self.view.cursor_row, self.view.top_row)
        self.view.repaint()  # the status line and the position indicator's scale changed
