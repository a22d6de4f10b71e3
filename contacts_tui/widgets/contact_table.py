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
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from contacts_tui.lifecycle import LifecycleConfig
from contacts_tui.safe_text import display_safe
from contacts_tui.services import ContactFilter, ContactRow, Page
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.row_window import RowWindow
from contacts_tui.widgets.table_columns import (
    COLUMNS,
    DEFAULT_COLUMNS,
    REQUIRED_COLUMN,
    fit,
    fit_columns,
)

TENANT_WIDE_LABEL = "Tenant-Wide"
MEASURED_COLUMNS = ("phone",)
"""Columns whose width follows their values (see `fit_columns`)."""

# What an empty workspace shows in the list's body: a blank table says nothing about
# where to begin. The keys are the list screen's (list.add, list.import).
FIRST_STEPS = (
    "  No contacts yet. To start:",
    "",
    "    a   add a contact",
    "    i   import contacts from a CSV, JSON or vCard file",
    "",
    "  Or, to try the app with sample data, quit and run:  contacts-tui demo",
)


class ContactTable(Widget, can_focus=True):
    """The contact list: a fixed header, a row cursor, and a status line with the position."""

    HELP_GROUP = "The list"

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

    BINDINGS: ClassVar[list[BindingType]] = [
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

        table: ContactTable
        contact_id: int

        @property
        def control(self) -> ContactTable:
            return self.table

    @dataclass
    class Loaded(Message):
        """A view change, jump or reload has landed (or failed): no read is on its way."""

        table: ContactTable
        rows: int  # rows in the window now

        @property
        def control(self) -> ContactTable:
            return self.table

    @dataclass
    class Counted(Message):
        """The number of contacts in the current view is known (after every reload)."""

        table: ContactTable
        total: int

        @property
        def control(self) -> ContactTable:
            return self.table

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
        self._window = RowWindow(self, view=self)
        """The rows held around the screen, and the reads that bring them."""
        self._cursor = 0
        self._top = 0  # the row shown first
        self._column_layout: tuple[tuple, list[tuple[str, int]]] = ((), [])
        self._widest: tuple[tuple, dict[str, int]] = ((), {})
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
        return self._window.contact_filter

    @property
    def sort(self) -> str:
        return self._window.sort

    @property
    def descending(self) -> bool:
        return self._window.descending

    @property
    def total(self) -> int | None:
        """How many contacts the current view holds; None until counted."""
        return self._window.total

    @property
    def count_seconds(self) -> float:
        """How long the last count took: the list recounts other sessions' changes no
        more often than a multiple of it (the database is shared by every session)."""
        return self._window.count_seconds

    @property
    def cursor_row(self) -> int:
        """The 0-based position of the cursor in the whole list."""
        return self._cursor

    @property
    def current_row(self) -> ContactRow | None:
        """The contact under the cursor, if it is loaded."""
        return self._window.row_at(self._cursor)

    @property
    def window(self) -> tuple[ContactRow, ...]:
        """The rows held in memory: the ones on screen plus a margin."""
        return tuple(self._window.rows)

    @property
    def busy(self) -> bool:
        """A new view, a jump or a reload is on its way (not Widget.loading: a loading
        widget cannot take the focus)."""
        return self._window.jumping or not self._window.loaded

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
        self._window.show(contact_filter, sort, descending, first_page)

    def sort_by(self, key: str) -> None:
        """Sort by a column; sorting again by the same column reverses the order."""
        if key == self.sort:
            self.show(descending=not self.descending)
        else:
            self.show(sort=key, descending=False)

    def reload(self, recount: bool = True) -> None:
        """Read the rows again where the cursor is, after a change to the contacts.

        `recount=False` when the change cannot have changed how many there are (a
        contact's name or notes edited elsewhere): counting is the costly part.
        """
        self._window.reload(recount)

    def reload_at(self, contact_id: int) -> None:
        """Read the rows again around contact `contact_id` and put the cursor on it (a
        contact just added); where the view leaves it out, as `reload` does."""
        self._window.reload_at(contact_id)

    def apply_changes(self, contact_ids: frozenset[int]) -> None:
        """Other sessions changed these contacts: read them again where the window holds
        them or where they now sort into it; the rest of the window stays as it is."""
        self._window.apply_changes(contact_ids)

    def recount(self) -> None:
        """Count the view again (then `Counted`), keeping the rows."""
        self._window.recount()

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
        if self._window.at_first_row:
            self.place(0, 0)
        else:
            self._window.jump("first")

    def action_last_row(self) -> None:
        if self._window.at_last_row:
            total = self._window.limit()
            self.place(total - 1, total - self._body_height)
        else:
            self._window.jump("last")

    def action_open(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Opened(self, row.id))

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
        self.repaint_rows(self._cursor)

    def on_blur(self) -> None:
        self.repaint_rows(self._cursor)

    def on_resize(self) -> None:
        self.place(self._cursor, self._top)

    # ----- moving -------------------------------------------------------------------------

    @property
    def _body_height(self) -> int:
        return max(1, self.size.height - 2)  # a header line and a status line

    def _limit(self) -> int:
        """How many rows the cursor can reach now."""
        return self._window.limit()

    def _move(self, index: int) -> None:
        """Put the cursor on row `index`, scrolling only as far as needed to show it."""
        top = self._top
        if index < top:
            top = index
        elif index >= top + self._body_height:
            top = index - self._body_height + 1
        self.place(index, top)

    def _page(self, rows: int) -> None:
        """Move the cursor and the view together, as far as the list allows."""
        self.place(self._cursor + rows, self._top + rows)

    def _scroll(self, rows: int) -> None:
        """Scroll the view, taking the cursor along only where it would leave the screen."""
        top = max(0, min(self._top + rows, self._limit() - self._body_height))
        cursor = min(max(self._cursor, top), top + self._body_height - 1)
        self.place(cursor, top)

    def place(self, cursor: int, top: int) -> None:
        """Move the cursor and the view together (within the list), and read what they
        come near."""
        limit = self._limit()
        cursor = max(0, min(cursor, limit - 1))
        top = max(0, min(top, limit - self._body_height))
        top = min(max(top, cursor - self._body_height + 1), cursor)
        old_cursor, old_top = self._cursor, self._top
        self._cursor, self._top = cursor, top
        if top != old_top:
            self.refresh()
        elif cursor != old_cursor:
            self.repaint_rows(old_cursor, cursor)
        self._window.fill()

    def repaint_rows(self, *indexes: int) -> None:
        """Repaint these rows and the status line: nothing else is sent to the terminal."""
        width = self.size.width
        for index in indexes:
            y = index - self._top + 1
            if 1 <= y <= self._body_height:
                self.refresh(Region(0, y, width, 1))
        self.refresh(Region(0, self.size.height - 1, width, 1))
        # The position indicator follows the view, not the cursor: it moved only if the
        # view scrolled, and then the whole table is repainted anyway.

    def worker_failed(self, work_name: str, message: str) -> bool:
        """A read failed: stop looking busy (the toast says why)."""
        was_loading = self._window.read_failed()
        self.refresh()
        if was_loading:
            self.window_loaded()
        return False

    # ----- what the window of rows is told (`WindowView`) --------------------------------

    @property
    def top_row(self) -> int:
        return self._top

    @property
    def body_height(self) -> int:
        return self._body_height

    def show_rows(self, cursor: int, top: int) -> None:
        # Set the cursor directly first so that `place` always reports the move.
        self._cursor = -1
        self.refresh()
        self.place(cursor, top)

    def renumber(self, by: int) -> None:
        self._cursor = max(0, self._cursor + by)
        self._top = max(0, self._top + by)

    def repaint(self) -> None:
        self.refresh()

    def window_loaded(self) -> None:
        self.post_message(self.Loaded(self, len(self._window.rows)))

    def window_counted(self, total: int) -> None:
        self.post_message(self.Counted(self, total))

    # ----- drawing ------------------------------------------------------------------------

    @staticmethod
    def _valid_columns(keys: Iterable[str]) -> list[str]:
        chosen = list(dict.fromkeys(k for k in keys if k in COLUMNS))
        if REQUIRED_COLUMN not in chosen:
            chosen.insert(0, REQUIRED_COLUMN)
        return chosen

    def _layout(self) -> list[tuple[str, int]]:
        # One cell on the right is the position indicator.
        content = self._widest_values()
        key = (tuple(self._columns), self.size.width, tuple(content.items()))
        if self._column_layout[0] != key:
            width = max(2, self.size.width - 1)
            self._column_layout = (key, fit_columns(self._columns, width, content))
        return self._column_layout[1]

    def _widest_values(self) -> dict[str, int]:
        """The widest number among the rows held, so the Number column never cuts one
        (measured again only when the rows change)."""
        rows = self._window.rows
        window = (
            self._window.start,
            len(rows),
            rows[0].id if rows else 0,
            rows[-1].id if rows else 0,
        )
        if self._widest[0] != window:
            widest = {
                key: max((cell_len(display_safe(getattr(row, key))) for row in rows), default=0)
                for key in MEASURED_COLUMNS
            }
            self._widest = (window, widest)
        return self._widest[1]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._render_header(width)
        if y == self.size.height - 1:
            return self._render_status(width)
        index = self._top + y - 1
        indicator = self._render_indicator(y - 1)
        row = self._window.row_at(index)
        if row is None:
            style = self.rich_style
            text = self._first_steps_line(y - 1, width - 1)
            return Strip([Segment(text, style), indicator], width)
        cursor = index == self._cursor
        return self._render_row(row, cursor, width, indicator)

    def _first_steps_line(self, line: int, width: int) -> str:
        """Line `line` of the body of an empty workspace: how to start, or blank."""
        empty = self._window.loaded and self._window.total == 0 and not self._is_narrowed()
        if not empty or self.contact_filter.archived or not 0 < line <= len(FIRST_STEPS):
            return " " * width
        return fit(FIRST_STEPS[line - 1], width)

    def _render_header(self, width: int) -> Strip:
        style = self.get_component_rich_style("contact-table--header")
        arrow = " ▼" if self.descending else " ▲"
        cells = []
        for key, size in self._layout():
            column = COLUMNS[key]
            label = column.label
            if key == self.sort and size > len(arrow):
                # A narrow column cuts its label, never the arrow telling the sort order.
                label = label if len(label) + len(arrow) <= size else fit(label, size - 2)
                label += arrow
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
        if not self._window.loaded:
            left = " Loading contacts…"
        elif self._window.total == 0 or (self._window.total is None and not self._window.rows):
            left = " No contacts match." if self._is_narrowed() else " No contacts yet."
        elif self._window.total is None:
            left = f" Row {self._cursor + 1:,} of …"
        else:
            left = f" Row {self._cursor + 1:,} of {self._window.total:,}"
        label = COLUMNS[self.sort].label if self.sort in COLUMNS else self.sort
        right = f"sorted by {label} {'▼' if self.descending else '▲'} "
        gap = width - cell_len(left) - cell_len(right)
        text = left + " " * gap + right if gap > 0 else fit(left, width)
        return Strip([Segment(text, style)], width)

    def _is_narrowed(self) -> bool:
        return self.contact_filter != ContactFilter(archived=self.contact_filter.archived)

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
            template = contacts_app(self).service.config.template(row.template)
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
        config = contacts_app(self).service.config
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
