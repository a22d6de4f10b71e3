"""Sales Management → Accounts, as much as contacts need: list, create, rename, archive."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from contacts_tui.dialogs.account_name import AccountNameDialog
from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.dialog import layout_css
from contacts_tui.safe_text import display_safe
from contacts_tui.screens.binding_commands import ScreenBindingCommands
from contacts_tui.services import AccountInfo
from contacts_tui.validation import ValidationError
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.keys_footer import KeysFooter
from contacts_tui.widgets.reporting import reported_work, tell

NAME_WIDTH_MAX = 48


class AccountsScreen(Screen[bool]):
    """Every account with how many contacts it has; archived ones are listed last."""

    COMMAND_GROUP = "Accounts"
    DEFAULT_CSS = layout_css(__file__, "accounts.tcss")
    COMMANDS = {ScreenBindingCommands}

    BINDINGS = [
        Binding("a", "create", "New account", id="accounts.create", tooltip="Create an account"),
        # A priority binding: the table would otherwise take enter for itself and hide
        # "Rename" from the footer (enter opens the thing under the cursor everywhere).
        Binding(
            "enter",
            "rename",
            "Rename",
            id="accounts.rename",
            tooltip="Rename the account under the cursor",
            priority=True,
        ),
        Binding(
            "d",
            "archive",
            "Archive/restore",
            id="accounts.archive",
            tooltip="Archive the account under the cursor (asks), or restore an archived one",
        ),
        Binding(
            "escape",
            "back",
            "Back",
            id="accounts.back",
            tooltip="Back to where you came from",
        ),
    ]

    @dataclass
    class Loaded(Message):
        accounts: tuple[AccountInfo, ...]
        select: int | None = None  # put the cursor on this account
        note: str = ""  # what was just written, for the user

    @dataclass
    class Refused(Message):
        """The service refused a name; reopen the dialog with the message."""

        message: str
        name: str
        account: AccountInfo | None  # None: creating

    def __init__(self) -> None:
        super().__init__()
        self.accounts: tuple[AccountInfo, ...] = ()
        self.changed = False

    def compose(self) -> ComposeResult:
        yield Static("Sales Management › Accounts", id="accounts-title")
        yield Static("No accounts yet. Press a to create one.", id="accounts-empty")
        yield DataTable(id="accounts-table", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()
        # Other sessions' new accounts and contact counts show; the cursor keeps its account.
        contacts_app(self).store_changed.subscribe(self, lambda _: self.load())

    @reported_work(thread=True, exclusive=True, group="store")
    def load(self) -> None:
        self._read()

    def _read(self, select: int | None = None, note: str = "") -> None:
        """(In a worker thread) read the accounts and post them to the screen."""
        accounts = contacts_app(self).service.accounts(include_archived=True)
        # Active accounts first, each group by name (the service sorts by name).
        ordered = tuple(sorted(accounts, key=lambda a: a.archived))
        self.post_message(self.Loaded(ordered, select, note))

    def on_accounts_screen_loaded(self, message: Loaded) -> None:
        if message.note:
            self.changed = True
            tell(self, message.note)
        self.accounts = message.accounts
        table = self.query_one(DataTable)
        keep = message.select if message.select is not None else self._cursor_id()
        # Fixed widths from the data: auto-width columns filled before the table's first
        # idle keep their header's width on screen (Textual 8.2 caches the narrow lines).
        names = [Text(display_safe(a.name)) for a in self.accounts]
        table.clear(columns=True)
        name_width = min(NAME_WIDTH_MAX, max([len("Account"), *(n.cell_len for n in names)]))
        table.add_column("Account", key="name", width=name_width)
        table.add_column("Contacts", key="contacts", width=len("Contacts"))
        table.add_column("Status", key="status", width=len("archived"))
        for account, name in zip(self.accounts, names, strict=True):
            table.add_row(
                name,
                Text(str(account.contacts), justify="right"),
                Text("archived" if account.archived else "active"),
                key=str(account.id),
            )
        self.query_one("#accounts-empty").set_class(not self.accounts, "-shown")
        if keep is not None:
            index = next((n for n, a in enumerate(self.accounts) if a.id == keep), None)
            if index is not None:
                table.move_cursor(row=index)

    def _cursor_id(self) -> int | None:
        account = self.current
        return account.id if account else None

    @property
    def current(self) -> AccountInfo | None:
        table = self.query_one(DataTable)
        if not self.accounts or table.cursor_row < 0 or table.cursor_row >= len(self.accounts):
            return None
        return self.accounts[table.cursor_row]

    def _taken(self, except_id: int | None = None) -> set[str]:
        return {a.name.casefold() for a in self.accounts if a.id != except_id}

    # ----- create and rename -----------------------------------------------------------

    def action_create(self, value: str = "", error: str = "") -> None:
        def named(name: str | None) -> None:
            if name is not None:
                self.write_name(None, name)

        dialog = AccountNameDialog("New account", value, taken=self._taken(), error=error)
        self.app.push_screen(dialog, named)

    def action_rename(self, value: str | None = None, error: str = "") -> None:
        account = self.current
        if account is None:
            return

        def named(name: str | None) -> None:
            if name is not None and name != account.name:
                self.write_name(account, name)

        title = f"Rename account “{display_safe(account.name)}”"
        taken = self._taken(except_id=account.id)
        text = display_safe(account.name) if value is None else value
        self.app.push_screen(AccountNameDialog(title, text, taken=taken, error=error), named)

    @reported_work(thread=True, exclusive=True, group="store")
    def write_name(self, account: AccountInfo | None, name: str) -> None:
        service = contacts_app(self).service
        try:
            if account is None:
                saved = service.create_account(name)
            else:
                saved = service.rename_account(account.id, name)
        except ValidationError as error:
            self.post_message(self.Refused(str(error), name, account))
            return
        verb = "created" if account is None else "renamed"
        self._read(saved.id, f"Account “{display_safe(saved.name)}” {verb}.")

    def on_accounts_screen_refused(self, message: Refused) -> None:
        # Someone took the name meanwhile: ask again, with the reason at the field.
        if message.account is None:
            self.action_create(message.name, message.message)
        else:
            self.action_rename(message.name, message.message)

    # ----- archive ---------------------------------------------------------------------

    def action_archive(self) -> None:
        account = self.current
        if account is not None:
            self.confirm_archive(account)

    @reported_work(exclusive=True, group="dialog")
    async def confirm_archive(self, account: AccountInfo) -> None:
        name = display_safe(account.name)
        if account.archived:
            self.write_archived(account, False)
            return
        contacts = f" It stays on its {account.contacts} contact(s)," if account.contacts else ""
        question = (
            f"Archive the account “{name}”?{contacts} but can no longer be picked for contacts."
            if contacts
            else f"Archive the account “{name}”? It can no longer be picked for contacts."
        )
        if await self.app.push_screen_wait(
            ConfirmDialog(question, confirm_label="Archive", danger=True)
        ):
            self.write_archived(account, True)

    @reported_work(thread=True, exclusive=True, group="store")
    def write_archived(self, account: AccountInfo, archived: bool) -> None:
        contacts_app(self).service.archive_account(account.id, archived)
        verb = "archived" if archived else "restored"
        self._read(account.id, f"Account “{display_safe(account.name)}” {verb}.")

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_rename()

    def action_back(self) -> None:
        self.dismiss(self.changed)
