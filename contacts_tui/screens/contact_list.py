"""The landing screen: the dashboard, the active filter, the search box and the contact table."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widget import AwaitMount
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from contacts_tui.preferences import load_columns, save_columns
from contacts_tui.recovery import Draft
from contacts_tui.safe_text import display_safe
from contacts_tui.services import TENANT_WIDE, ContactFilter, ContactRow
from contacts_tui.services.live import EVERYTHING, Committed
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.contact_table import ContactTable
from contacts_tui.widgets.dashboard import DashboardBar
from contacts_tui.widgets.keys_footer import KeysFooter
from contacts_tui.widgets.reporting import Severity, reported_work, tell
from contacts_tui.widgets.table_columns import COLUMNS, DEFAULT_COLUMNS
from contacts_tui.widgets.title_bar import TitleBar

BUSY_TICKS = 3
"""Change announcements (one a second at most) a refresh on its way may hold back."""

RECOUNT_EVERY = 1.0
RECOUNT_PAUSE = 5
"""Other sessions' changes are counted again no sooner than RECOUNT_EVERY seconds, or
RECOUNT_PAUSE times the last count's duration, after the last count: 0.2 s at 100,000
contacts, more when many sessions share the database (its own back-off)."""

SEARCH_PLACEHOLDER = "search name, e-mail, phone, company (press {key})"
BOLD = Style(bold=True)
DIM = Style(dim=True)


def _binding_commands() -> type[Provider]:
    # Imported when the palette opens, not at start: nothing on the way to first paint.
    from contacts_tui.screens.binding_commands import ScreenBindingCommands

    return ScreenBindingCommands


class ContactListScreen(Screen):
    """Every contact, a screenful at a time, with search, filter, sort and the list actions."""

    COMMAND_GROUP = "Contacts"
    AUTO_FOCUS = "#contacts"
    COMMANDS = {_binding_commands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "search",
            "Search",
            key_display="/",
            # Priority: handled as the key arrives, so the keys typed right after it
            # ("/mar" in one burst) are sent to the search box, not to the list.
            priority=True,
            id="list.search",
            tooltip="Find contacts by name, e-mail, phone or company as you type",
        ),
        Binding(
            "escape",
            "clear_search",
            "Clear search",
            id="list.clear_search",
            tooltip="Empty the search box and go back to the list",
        ),
        Binding("f", "filter", "Filter", id="list.filter", tooltip="Narrow the list down"),
        Binding(
            "x",
            "clear_filter",
            "Clear filter",
            show=False,
            id="list.clear_filter",
            tooltip="Show every contact again (the search stays)",
        ),
        Binding(
            "s",
            "sort",
            "Sort",
            id="list.sort",
            tooltip="Sort by a column; the same column again reverses the order",
        ),
        Binding(
            "c",
            "columns",
            "Columns",
            id="list.columns",
            tooltip="Show, hide and reorder the list's columns",
        ),
        Binding("a", "add", "Add", id="list.add", tooltip="Add a new contact"),
        Binding(
            "d",
            "archive",
            "Archive",
            id="list.archive",
            tooltip="Archive the contact under the cursor (restore it in the Archived view)",
        ),
        Binding(
            "e",
            "export",
            "Export",
            id="list.export",
            tooltip="Export the current view to CSV, JSON or vCard",
        ),
        Binding(
            "i",
            "import",
            "Import",
            # Not in the footer: at 80 columns it would push out "? Help", and an import is
            # rare beside the other keys (help and ctrl+p list it).
            show=False,
            id="list.import",
            tooltip="Add contacts from a CSV, JSON or vCard file (checked before writing)",
        ),
        Binding(
            "b",
            "board",
            "Board",
            # Not in the footer, as import: at 80 columns it would push out "? Help"
            # (help and ctrl+p list it).
            show=False,
            id="list.board",
            tooltip="The pipeline board: the lifecycle's steps as columns of the view's contacts",
        ),
        Binding(
            "r",
            "reports",
            "Reports",
            show=False,
            id="list.reports",
            tooltip="Sales reports of the view: funnel, time in stage, movement, breakdowns",
        ),
        Binding(
            "A",
            "accounts",
            "Accounts",
            show=False,
            id="list.accounts",
            tooltip="The accounts contacts are assigned to: create, rename, archive",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.contact_filter = ContactFilter()
        """The view on screen: every filter and the search text."""
        self._search_pending = False  # typed while a search was running
        self._reload_on_resume = False
        self._added_contact: int | None = None  # added from here: the cursor goes to it
        self._stale_rows = False  # committed meanwhile: the rows must be read again
        self._stale_ids: frozenset[int] | None = frozenset()  # which (None: any of them)
        self._stale_counts = False  # and the counts too
        self._recount_at = 0.0  # time.monotonic() from which other sessions' changes
        self._recount_timer: Timer | None = None  # are counted again (see _store_changed)
        self._counting = False  # a refresh's count and dashboard are on their way
        self._busy_ticks = 0  # commits announced while the list was still busy
        self._search_mounted: AwaitMount | None = None  # see _mount_search_box

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield DashboardBar(id="dashboard")
        yield Static(id="filter-summary")
        with Horizontal(id="search-bar"):
            yield Static("/", id="search-label")
            # The search box itself comes right after the first frame (see on_mount).
            yield Static(SEARCH_PLACEHOLDER.format(key="/"), id="search-placeholder")
            yield Static("", id="match-count")
        columns = load_columns(list(COLUMNS)) or list(DEFAULT_COLUMNS)
        yield ContactTable(columns, id="contacts")
        yield KeysFooter()

    def key_of(self, binding_id: str, default: str) -> str:
        """A key named in a hint, as the user's [keymap] may have remapped it."""
        keys = contacts_app(self).keymap.get(binding_id)
        if not keys:
            return default
        return self.app.get_key_display(Binding(keys.split(",")[0], ""))

    def on_mount(self) -> None:
        # The first page was read while the app started; the focus goes to the table
        # through AUTO_FOCUS.
        app = contacts_app(self)
        first_page, app.first_page = app.first_page, None
        self.table.show(self.contact_filter, first_page=first_page)
        self._show_filter_summary()
        self.call_after_refresh(self._mount_search_box)
        app.store_changed.subscribe(self, self._store_changed)
        app.lifecycle_changed.subscribe(self, self._lifecycle_changed)

    async def _mount_search_box(self) -> Input:
        """The search box, in place of its look-alike placeholder.

        Mounted after the first frame, not in it: Textual's Input brings the largest
        stylesheet of the screen and a cursor timer, about 5 ms on the way to the first
        rows. `/` pressed before it is there waits for it (action_search).
        """
        if self._search_mounted is None:
            key = self.key_of("list.search", "/")
            self.query_one("#search-label", Static).update(key)
            placeholder_text = SEARCH_PLACEHOLDER.format(key=key)
            box = Input(
                placeholder=placeholder_text, id="search", compact=True, select_on_focus=False
            )
            placeholder = self.query_one("#search-placeholder")
            self._search_mounted = self.query_one("#search-bar").mount(box, after=placeholder)
            placeholder.remove()
        await self._search_mounted  # at once when it is mounted already
        return self.query_one("#search", Input)

    def _search_box(self) -> Input | None:
        """The search box, or None in the moment before it is mounted."""
        return next(self.query("#search").results(Input), None)

    def on_screen_resume(self) -> None:
        # Back from the detail screen or the new-contact form: the contact may have
        # changed, moved in the sort order or left the view.
        added, self._added_contact = self._added_contact, None
        if self._reload_on_resume or added is not None:
            # Added from here: the cursor goes to the new contact, wherever it sorts,
            # even when the change feed told of it while the form was still open.
            self._reload_on_resume = False
            self._stale_rows = self._stale_counts = False  # this reload reads it all
            self._stale_ids = frozenset()
            if added is not None:
                self.table.reload_at(added)
            else:
                self.refresh_contacts()

    # ----- other sessions' changes --------------------------------------------------------

    def _store_changed(self, committed: Committed | None = None) -> None:
        """Someone committed: read again the changed contacts the list holds or that now
        sort into it (all its rows when it is not known which changed), and the counts
        when the commit may have changed them (a search may gain or lose any contact).

        Under a full screen (a contact) the list waits until it is back on view. A
        refresh still on its way is finished first (starting another would stop its
        reads, and under a steady stream of commits nothing would ever land); the next
        one follows when it has landed, with everything committed meanwhile. Three
        announcements in a row finding it busy mean something got stuck: refresh anyway.
        Counting reads every contact of the view: it is done again no sooner than
        RECOUNT_PAUSE times the last count's duration after it (the rows do not wait),
        so that many sessions do not keep the database busy counting.
        """
        if committed is not None and (committed.contacts or committed.counts):
            self._stale_rows = True
            self._stale_counts |= committed.counts
            known = self._stale_ids
            if known is None or committed.contact_ids is None:
                self._stale_ids = None
            else:
                self._stale_ids = known | committed.contact_ids
        if not (self._stale_rows or self._stale_counts):
            return  # other tables only: nothing the list shows
        if not self._on_view():
            self._reload_on_resume = True
            return
        if self._busy() and self._busy_ticks < BUSY_TICKS:
            self._busy_ticks += committed is not None
            return
        self._busy_ticks = 0
        recount = self._stale_counts or (self._stale_rows and bool(self.contact_filter.search))
        wait = self._recount_at - time.monotonic()
        if recount and wait > 0:
            self._stale_counts = True  # counted a moment ago: the counts follow later
            recount = False
            if self._recount_timer is None:
                self._recount_timer = self.set_timer(wait, self._recount_due)
        if self._stale_rows:
            ids, self._stale_ids = self._stale_ids, frozenset()
            self._stale_rows = False
            if ids is None:
                self.table.reload(recount=False)
            else:
                self.table.apply_changes(ids)
        if recount:
            self._stale_counts = False
            self._counting = True
            pause = max(RECOUNT_EVERY, RECOUNT_PAUSE * self.table.count_seconds)
            self._recount_at = time.monotonic() + pause
            self.table.recount()  # the dashboard follows once counted

    def _recount_due(self) -> None:
        self._recount_timer = None
        self._store_changed()

    def _busy(self) -> bool:
        dashboard = self.query_one(DashboardBar)
        return self.table.busy or self._counting or dashboard.busy or self._search_pending

    def _on_view(self) -> bool:
        """Whether the list is on screen: the top screen, or under dialogs only."""
        stack = self.app.screen_stack
        if self not in stack:
            return False
        return all(isinstance(s, ModalScreen) for s in stack[stack.index(self) + 1 :])

    @on(DashboardBar.Selected, "#dashboard")
    def _counter_selected(self, event: DashboardBar.Selected) -> None:
        """A dashboard counter was picked: filter the list by it (picked again: unset)."""
        self.apply_filter(event.counter.applied_to(self.contact_filter))

    @on(DashboardBar.Updated, "#dashboard")
    def _dashboard_updated(self) -> None:
        self._store_changed()  # what was committed while this refresh was on its way

    def _lifecycle_changed(self, _config: object) -> None:
        """New step, category or template names: the filter line, the rows' stage
        columns and the dashboard's categories follow."""
        self._show_filter_summary()
        self.table.refresh()
        self._store_changed(EVERYTHING)

    @property
    def table(self) -> ContactTable:
        return self.query_one("#contacts", ContactTable)

    def refresh_contacts(self) -> None:
        """Read the rows and the counts again after a change, keeping the cursor's place."""
        self.table.reload()  # the dashboard follows once the table has counted

    def apply_filter(self, contact_filter: ContactFilter) -> None:
        """Show another view: new rows from the top, new counts, a new summary line."""
        self.contact_filter = contact_filter
        self.query_one(DashboardBar).stop()  # its counts are for the view going away
        self.table.show(contact_filter)  # the dashboard follows once the table has counted
        self._show_filter_summary()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_search":
            # Only offered (and shown in the footer) when there is a search to clear.
            search = self._search_box()
            return search is not None and bool(search.value or search.has_focus)
        return True

    # ----- search -------------------------------------------------------------------------

    async def action_search(self) -> None:
        # At once, not on the next message like Widget.focus(): "/mar" typed fast
        # arrives in one read, and "mar" must land in the box, not on the list. While
        # this waits for a box still being mounted, the keys after "/" wait too.
        self.set_focus(await self._mount_search_box())

    def action_clear_search(self) -> None:
        search = self._search_box()
        if search is None or (not search.value and not search.has_focus):
            return
        self._search_pending = False
        with search.prevent(Input.Changed):
            search.value = ""
        self.query_one("#match-count", Static).update("")
        self.set_focus(self.table)
        self.refresh_bindings()
        if self.contact_filter.search:
            self.apply_filter(replace(self.contact_filter, search=""))

    @on(Input.Changed, "#search")
    def _search_typed(self) -> None:
        self.refresh_bindings()
        # Filter as you type without a query per keystroke: a search runs at once when
        # none is on its way; keys typed while one runs are gathered and searched
        # together the moment it lands. Unlike a fixed delay this never makes the last
        # keystroke wait for nothing, and never has two searches competing.
        if self.table.busy:
            self._search_pending = True
        else:
            self._run_search()

    @on(ContactTable.Loaded, "#contacts")
    def _table_loaded(self) -> None:
        if self._search_pending:
            self._search_pending = False
            self._run_search()
        else:
            self._store_changed()  # what was committed while these rows were on their way

    def _run_search(self) -> None:
        search = self._search_box()
        text = search.value if search is not None else ""
        if text != self.contact_filter.search:
            self.query_one("#match-count", Static).update("searching…")
            self.apply_filter(replace(self.contact_filter, search=text))

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.set_focus(self.table)

    @on(ContactTable.Counted, "#contacts")
    def _counted(self, event: ContactTable.Counted) -> None:
        self._counting = False
        # The dashboard is read after the count, not beside it: both scan every match,
        # and at a million contacts two at once doubled the memory a search needs.
        self.query_one(DashboardBar).load(self.contact_filter)
        label = self.query_one("#match-count", Static)
        if self.contact_filter.search:
            found = "1 match" if event.total == 1 else f"{event.total:,} matches"
            label.update(found if event.total else "no match")
        else:
            label.update("")

    # ----- opening, adding, archiving -----------------------------------------------------

    @on(ContactTable.Opened, "#contacts")
    def _opened(self, event: ContactTable.Opened) -> None:
        self.open_contact(event.contact_id)

    def open_contact(self, contact_id: int, restored: tuple[Draft, ...] = ()) -> None:
        from contacts_tui.screens.contact_detail import ContactDetailScreen

        def back(changed: bool | None) -> None:
            # Only a change is read again: commits of other sessions meanwhile have
            # already marked the list stale through the change feed (_store_changed).
            if changed:
                self._stale_rows = self._stale_counts = True
                # Named, or the rows read again would be none: the change feed may not
                # have told of this commit yet.
                if self._stale_ids is not None:
                    self._stale_ids |= {contact_id}
                if self._on_view():
                    self._store_changed()
                else:
                    self._reload_on_resume = True

        self.app.push_screen(ContactDetailScreen(contact_id, restored=restored), back)

    def action_add(self, initial: dict[str, str] | None = None) -> None:
        from contacts_tui.dialogs.add_contact import AddContactDialog

        def added(contact_id: int | None) -> None:
            if contact_id is not None:
                self._added_contact = contact_id
                self.open_contact(contact_id)

        self.app.push_screen(AddContactDialog(initial), added)

    def restore(self, drafts: tuple[Draft, ...]) -> None:
        """Open the forms a session that died left unsaved, with what they held."""
        for draft in drafts:
            if draft.kind == "new_contact":
                self.action_add(initial=draft.values)
        by_contact: dict[int, list[Draft]] = {}
        for draft in drafts:
            if draft.contact_id is not None and draft.kind in ("contact", "record"):
                by_contact.setdefault(draft.contact_id, []).append(draft)
        for contact_id, kept in by_contact.items():
            self.open_contact(contact_id, restored=tuple(kept))
        for draft in drafts:
            if draft.kind == "control_center":
                from contacts_tui.screens.control_center import ControlCenterScreen

                self.app.push_screen(ControlCenterScreen(restored=draft))

    def action_archive(self) -> None:
        from contacts_tui.dialogs.confirm import ConfirmDialog

        row = self.table.current_row
        if row is None:
            self.app.bell()
            return
        restoring = self.contact_filter.archived
        name = display_safe(row.name)
        if restoring:
            question = f"Restore {name}? The contact comes back to the list."
        else:
            question = (
                f"Archive {name}? The contact leaves the list; the Archived filter "
                "shows it and can restore it. Nothing is deleted."
            )

        def answered(yes: bool | None) -> None:
            if yes:
                self._archive(row, not restoring)

        label = "Restore" if restoring else "Archive"
        self.app.push_screen(ConfirmDialog(question, label, danger=not restoring), answered)

    @reported_work(thread=True, exclusive=True, group="store.archive")
    def _archive(self, row: ContactRow, archived: bool) -> None:
        contacts_app(self).service.archive(row.id, archived)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._archived, row, archived)

    def _archived(self, row: ContactRow, archived: bool) -> None:
        self.refresh_contacts()
        what = "Archived" if archived else "Restored"
        tell(self, f"{what} {row.name}.", title=what)

    # ----- filter, sort, columns, export --------------------------------------------------

    def action_filter(self) -> None:
        from contacts_tui.dialogs.filter_dialog import FilterDialog

        def chosen(new: ContactFilter | None) -> None:
            if new is not None:
                # The search box owns the search text; the dialog owns everything else.
                self.apply_filter(replace(new, search=self.contact_filter.search))

        self.app.push_screen(FilterDialog(self.contact_filter), chosen)

    def action_clear_filter(self) -> None:
        cleared = ContactFilter(search=self.contact_filter.search)
        if cleared != self.contact_filter:
            self.apply_filter(cleared)
        else:
            tell(self, "No filter to clear: the list shows every active contact.")

    def action_sort(self) -> None:
        from contacts_tui.dialogs.sort_dialog import SortDialog

        table = self.table
        offered = [(k, COLUMNS[k].label) for k in table.visible_columns if COLUMNS[k].sortable]

        def chosen(key: str | None) -> None:
            if key is not None:
                table.sort_by(key)

        self.app.push_screen(SortDialog(offered, table.sort, table.descending), chosen)

    def action_columns(self) -> None:
        from contacts_tui.dialogs.columns_dialog import ColumnsDialog

        def chosen(columns: list[str] | None) -> None:
            if columns is not None:
                self.table.set_columns(columns)
                if not save_columns(self.table.columns):
                    tell(
                        self,
                        "Your columns are used now but could not be saved for next time.",
                        severity="warning",
                    )

        available = {key: column.label for key, column in COLUMNS.items()}
        self.app.push_screen(ColumnsDialog(self.table.columns, available), chosen)

    def action_export(self) -> None:
        total = self.table.total
        if total is None:  # not counted yet: count first, the dialog says how many
            self._count_for_export(self.contact_filter)
        else:
            self._open_export(self.contact_filter, total)

    @reported_work(thread=True, exclusive=True, group="store.export_count")
    def _count_for_export(self, contact_filter: ContactFilter) -> None:
        total = contacts_app(self).service.count(contact_filter)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._open_export, contact_filter, total)

    def _open_export(self, contact_filter: ContactFilter, total: int) -> None:
        from contacts_tui.dialogs.export_dialog import NOTHING_TO_EXPORT, ExportDialog

        if total == 0:
            tell(self, NOTHING_TO_EXPORT, severity="warning")
            return
        table = self.table
        self.app.push_screen(ExportDialog(contact_filter, table.sort, table.descending, total))

    @reported_work(exclusive=True, group="dialog")
    async def action_import(self) -> None:
        from contacts_tui.dialogs.import_dialog import ImportDialog, ImportFilePicker
        from contacts_tui.preferences import load_import_folder, save_import_folder

        path = await self.app.push_screen_wait(ImportFilePicker(start=load_import_folder()))
        if path is None:
            return
        # The next file is often beside this one (a settings file we cannot write: no harm).
        await asyncio.to_thread(save_import_folder, path.parent)
        summary = await self.app.push_screen_wait(ImportDialog(path))
        # Reloaded even without a summary: an import that failed midway kept the
        # contacts of its earlier batches.
        self.refresh_contacts()
        if summary is not None:
            troubled = summary.rejected or summary.kept or summary.cancelled
            severity: Severity = "warning" if troubled else "information"
            tell(self, summary.text(), title="Import", severity=severity)

    # ----- the pipeline board and the reports --------------------------------------------

    def action_board(self) -> None:
        from contacts_tui.screens.pipeline_board import PipelineBoardScreen

        self._reload_on_resume = True  # contacts may have moved on the board
        self.app.push_screen(PipelineBoardScreen(self.contact_filter))

    def action_reports(self) -> None:
        from contacts_tui.screens.reports import ReportsScreen

        self.app.push_screen(ReportsScreen(self.contact_filter))

    def action_accounts(self) -> None:
        from contacts_tui.screens.accounts import AccountsScreen

        self._reload_on_resume = True  # a renamed account shows in the filter line
        self.app.push_screen(AccountsScreen())

    # ----- the filter summary line --------------------------------------------------------

    def _show_filter_summary(self) -> None:
        f = self.contact_filter
        if (f.company not in (None, TENANT_WIDE)) or f.account is not None:
            self._describe_filter(f)  # company and account names come from the store
        else:
            self._set_summary(f, {}, {})

    @reported_work(thread=True, exclusive=True, group="store.summary")
    def _describe_filter(self, f: ContactFilter) -> None:
        service = contacts_app(self).service
        companies = {c.id: c.name for c in service.companies()} if f.company else {}
        accounts = {}
        if f.account is not None:
            accounts = {a.id: a.name for a in service.accounts(include_archived=True)}
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._set_summary, f, companies, accounts)

    def _set_summary(self, f: ContactFilter, companies: dict, accounts: dict) -> None:
        # Style objects, not "bold"/"dim": Textual would parse style strings, and its
        # parser's first use costs a few ms of the start-up.
        text = Text("Filter: ", style=BOLD)
        if f == ContactFilter(search=f.search):
            text.append("all active contacts", style=DIM)
            text.append(f"   {self.key_of('list.filter', 'f')} to filter", style=DIM)
        else:
            from contacts_tui.dialogs.filter_dialog import describe_filter

            config = contacts_app(self).service.config
            # Plain text already made safe by describe_filter: never parsed as markup.
            text.append(describe_filter(f, config, companies, accounts))
            text.append("   f change · x clear", style=DIM)
        self.query_one("#filter-summary", Static).update(text)
