"""The contact table's window of rows: which rows it holds, and the reads that fill it.

A mixin of ContactTable (widgets/contact_table.py), which draws the rows and takes the
keys: this part keeps the rows on screen plus a margin, reads pages around them with
keyset pagination in thread workers, jumps, reloads after a change, counts the view,
and stops the reads a newer view has made useless (StoppableReads).
"""

from __future__ import annotations

import time

from textual.worker import get_current_worker

from contacts_tui.services import ContactFilter, ContactRow, ContactService, ReadStopped
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.reporting import reported_work

COUNT_DELAY = 0.05
"""Seconds a new view must stay before it is counted (see `_count_soon`): longer than the
~40 ms a page takes, so a quick typist's next key comes first; a count that starts
anyway is stopped by that key. The dashboard comes with the count (services.count)."""

EXACT_POSITION_ROWS = 100_000
"""After a change, the rows before the view are counted again only up to this many
(counting them costs about 2 s at row 600,000 of a million); further down the numbers
are kept as they were, which is exact unless rows came or went above the view."""


class RowWindow:
    """The rows ContactTable holds and the reads that bring them (uses its attributes)."""

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
        return contacts_app(self).service

    @reported_work(thread=True, exclusive=True, group="store.window")
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

    @reported_work(thread=True, exclusive=True, group="store.page")
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
            self.post_message(self.Counted(self, self._total))
        if where == "last":
            counted_now = self._total is None and total is not None
            total = max(total or 0, len(rows))
            self._total = total
            if counted_now:  # the jump counted the view (its own count is now stale)
                self.post_message(self.Counted(self, total))
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
        self.post_message(self.Loaded(self, len(self._rows)))
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

    @reported_work(thread=True, exclusive=True, group="store.reload")
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

    @reported_work(thread=True, exclusive=True, group="store.reload")
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
            with self._reads.reading(ticket):
                row = service.row_of(contact_id, contact_filter, sort)
                if row is not None:
                    position = service.position(contact_filter, sort, descending, row.sort_key)
                    above = service.list_page(
                        contact_filter,
                        sort,
                        descending,
                        after=row.sort_key,
                        limit=self._margin,
                        backwards=True,
                    ).rows
                    from_key = above[-1].sort_key if above else None
                    below = service.list_page(
                        contact_filter, sort, descending, after=from_key, limit=limit
                    )
        except ReadStopped:
            return
        if get_current_worker().is_cancelled:
            return
        if row is None:
            self.app.call_from_thread(
                lambda: self._load_around(
                    self._reads.ticket(),  # taken on the UI thread, as every ticket is
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
        self.app.call_from_thread(
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
        if generation != self._generation:
            return
        self._jumping = False
        self._loaded = True
        self._rows = list(rows)
        self._start = start
        self._more_below = more_below
        ids = [row.id for row in rows]
        cursor = start + ids.index(contact_id) if contact_id in ids else start
        if self._total is not None and start + len(rows) > self._total:
            self._total = start + len(rows)
        self._cursor = -1
        self.refresh()
        self._place(cursor, cursor - self._body_height // 2)  # the contact mid-screen
        self.post_message(self.Loaded(self, len(self._rows)))

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
        # A view at the very top stays there: contacts added above show, and the cursor
        # moves down with its own contact.
        top = start + above if self._top > 0 else 0
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
        self.post_message(self.Loaded(self, len(self._rows)))
        if above and start <= EXACT_POSITION_ROWS:
            self._locate(
                self._reads.ticket(),
                generation,
                rows[0],
                self._filter,
                self._sort,
                self._descending,
            )

    def _apply_changes(self, contact_ids: frozenset[int]) -> None:
        """Bring the window up to date after other sessions changed these contacts:
        only they are read (those held, and those that now sort into the window), not
        the window. Most changes are to contacts elsewhere in the list: one look-up by
        id that finds nothing to show, and nothing is painted."""
        if not self._rows:
            self._start_jump("first", reset=True)
            return
        self._new_generation()
        self._jumping = True
        rows = self._rows
        self._read_changes(
            self._reads.ticket(),
            self._generation,
            contact_ids,
            [row.id for row in rows if row.id not in contact_ids],
            None if self._start == 0 else rows[0].sort_key,
            rows[-1].sort_key if self._more_below else None,
            self._filter,
            self._sort,
            self._descending,
        )

    @reported_work(thread=True, exclusive=True, group="store.reload")
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
            with self._reads.reading(ticket):
                changed = self._service.window_changes(
                    contact_filter, sort, descending, contact_ids, kept_ids, first, last
                )
        except ReadStopped:
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._changes_read, generation, contact_ids, changed)

    def _changes_read(
        self,
        generation: int,
        contact_ids: frozenset[int],
        changed: tuple[tuple[ContactRow, int], ...],
    ) -> None:
        if generation != self._generation:
            return
        self._jumping = False
        old = self._rows
        kept = [row for row in old if row.id not in contact_ids]
        merged: list[ContactRow] = []
        taken = 0
        for row, before in changed:  # in display order: `before` never decreases
            merged += kept[taken:before]
            taken = max(taken, before)
            merged.append(row)
        merged += kept[taken:]
        if not merged:  # every row held left the view
            self._start_jump("first", reset=False)
            return
        if [row.id for row in merged] == [row.id for row in old]:
            self._rows = merged
            # The same contacts in the same order: repaint the changed rows only.
            self._refresh_rows(*(self._start + i for i, r in enumerate(old) if r.id in contact_ids))
        else:
            self._rows_moved(old, merged, contact_ids)
        self.post_message(self.Loaded(self, len(self._rows)))
        self._fill_window()
        shown = {row.id for row in old} | {row.id for row, _ in changed}
        if self._start and not contact_ids <= shown and self._start <= EXACT_POSITION_ROWS:
            # Some changed contact sorts outside the window: it may have left or joined
            # the rows above it, and the window's row numbers with it.
            self._locate(
                self._reads.ticket(),
                generation,
                self._rows[0],
                self._filter,
                self._sort,
                self._descending,
            )

    def _rows_moved(
        self, old: list[ContactRow], merged: list[ContactRow], contact_ids: frozenset[int]
    ) -> None:
        """Show `merged` in place of `old`: the first unchanged row on screen keeps its
        line (a view at the very top stays there, and rows added above show), and the
        cursor stays on its contact, or on its line if the contact left."""
        on_screen = self._top - self._start
        ids = [row.id for row in merged]
        top = self._top
        if self._top > 0:
            for line, row in enumerate(old[on_screen:]):
                if row.id not in contact_ids:
                    top = self._start + ids.index(row.id) - line
                    break
        cursor_row = self._row_at(self._cursor)
        if cursor_row is not None and cursor_row.id in ids:
            cursor = self._start + ids.index(cursor_row.id)
        else:
            cursor = self._cursor - self._top + top
        self._rows = merged
        if self._total is not None and self._start + len(merged) > self._total:
            self._total = self._start + len(merged)
        self._cursor = -1
        self.refresh()
        self._place(cursor, top)

    @reported_work(thread=True, exclusive=True, group="store.position")
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

    @reported_work(thread=True, exclusive=True, group="store.count")
    def _count(self, ticket: int, generation: int, contact_filter: ContactFilter) -> None:
        if generation != self._generation:
            return
        began = time.perf_counter()
        try:
            with self._reads.reading(ticket):
                total = self._service.count(contact_filter)
        except ReadStopped:
            return
        if not get_current_worker().is_cancelled:
            took = time.perf_counter() - began
            self.app.call_from_thread(self._counted, generation, total, took)

    def _counted(self, generation: int, total: int, took: float = 0.0) -> None:
        self.count_seconds = took
        if generation != self._generation:
            return
        self._total = total
        self._more_below = self._start + len(self._rows) < total
        self.post_message(self.Counted(self, total))
        if self._loaded and not self._jumping:
            self._place(self._cursor, self._top)
        self.refresh()  # the status line and the position indicator's scale changed
