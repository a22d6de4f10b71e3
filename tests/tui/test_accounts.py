"""The Accounts screen: contact counts, create, rename, archive and restore, from the palette."""

from __future__ import annotations

from pilot_helpers import screen_text, until
from pilot_helpers import settle as settle_workers
from textual.widgets import DataTable, Input

from contacts_tui.app import ContactsApp
from contacts_tui.dialogs.account_name import AccountNameDialog
from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.screens.accounts import AccountsScreen

SIZE = (100, 30)


async def settle(app: ContactsApp, pilot) -> None:
    """Let workers finish and their messages land (again: a worker may start another)."""
    await settle_workers(pilot, rounds=3)


async def open_accounts(app: ContactsApp, pilot) -> AccountsScreen:
    await settle(app, pilot)
    screen = AccountsScreen()
    await app.push_screen(screen)
    await settle(app, pilot)
    return screen


def rows(screen: AccountsScreen) -> list[tuple[str, str, str]]:
    table = screen.query_one(DataTable)
    return [tuple(str(cell) for cell in table.get_row_at(n)) for n in range(table.row_count)]


async def test_lists_accounts_with_their_contact_counts(workspace, service):
    acme = service.create_account("Acme")
    service.create_account("Globex")
    for name in ("Ada", "Grace"):
        contact = service.create_contact(name)
        service.update_contact(contact.id, contact.version, accounts=[acme.id])
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_accounts(app, pilot)
        assert rows(screen) == [("Acme", "2", "active"), ("Globex", "0", "active")]


async def test_empty_list_says_how_to_start(workspace, service):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_accounts(app, pilot)
        assert "No accounts yet. Press a to create one." in screen_text(app)


async def test_create_an_account_and_a_duplicate_is_refused_at_the_field(workspace, service):
    service.create_account("Acme")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_accounts(app, pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AccountNameDialog), "AccountNameDialog")
        assert isinstance(app.screen, AccountNameDialog)
        await pilot.press(*"acme", "enter")  # names are unique whatever the case
        await pilot.pause()
        assert isinstance(app.screen, AccountNameDialog)
        assert "exists already" in screen_text(app)
        app.screen.query_one(Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert "Account name is required." in screen_text(app)
        await pilot.press(*"Initech", "enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert [r[0] for r in rows(screen)] == ["Acme", "Initech"]
        assert screen.query_one(DataTable).cursor_row == 1  # on the new account
    assert [a.name for a in service.accounts()] == ["Acme", "Initech"]


async def test_rename_an_account(workspace, service):
    service.create_account("Acme")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_accounts(app, pilot)
        await pilot.press("enter")  # enter opens (renames) the thing under the cursor
        await pilot.pause()
        assert app.screen.query_one(Input).value == "Acme"
        app.screen.query_one(Input).value = ""
        await pilot.press(*"Acme Corporation", "enter")
        await settle(app, pilot)
        assert rows(screen)[0][0] == "Acme Corporation"
    assert [a.name for a in service.accounts()] == ["Acme Corporation"]


async def test_a_name_taken_meanwhile_reopens_the_dialog_with_the_reason(workspace, service):
    service.create_account("Acme")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_accounts(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        service.create_account("Umbrella")  # another user, after the list was read
        await pilot.press(*"Umbrella", "enter")
        await settle(app, pilot)
        await pilot.pause()  # the dialog comes back in a callback: let it draw
        assert isinstance(app.screen, AccountNameDialog)
        assert "exists already" in screen_text(app)
        assert app.screen.query_one(Input).value == "Umbrella"
    assert len(service.accounts()) == 2


async def test_archive_asks_and_restore_does_not(workspace, service):
    acme = service.create_account("Acme")
    contact = service.create_contact("Ada")
    service.update_contact(contact.id, contact.version, accounts=[acme.id])
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_accounts(app, pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Archive the account “Acme”" in screen_text(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert rows(screen)[0][2] == "active"
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert rows(screen)[0] == ("Acme", "1", "archived")
        assert service.accounts() == ()  # no longer offered for new assignments
        assert [a.name for a in service.get_contact(contact.id).accounts] == ["Acme"]
        await pilot.press("d")  # restore: harmless, so no question
        await settle(app, pilot)
        assert rows(screen)[0][2] == "active"
    assert [a.name for a in service.accounts()] == ["Acme"]


async def test_reached_from_the_command_palette_and_escape_goes_back(workspace, service):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        first = app.screen
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Accounts")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is first


async def test_account_names_cannot_drive_the_terminal(workspace, service):
    from contacts_tui.store.models import Account

    # Written past the service's checks (e.g. by an old import): still shown harmlessly.
    with workspace.database.connection_context():
        Account.create(name="Evil\x1b]0;pwned\x07 [bold]Corp")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_accounts(app, pilot)
        name = rows(screen)[0][0]
        assert "\x1b" not in name and "\x07" not in name
        assert "[bold]" in name  # shown literally, not as markup


async def test_A_on_the_list_opens_the_accounts_and_the_help_lists_it(workspace, service):
    from contacts_tui.screens.help import HelpScreen

    service.create_account("Acme")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        first = app.screen
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "HelpScreen")
        assert isinstance(app.screen, HelpScreen)
        row = next(line for line in screen_text(app).splitlines() if " Accounts " in line)
        assert row.strip("█▏ ").split()[0] == "A"
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("A")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountsScreen)
        assert rows(app.screen) == [("Acme", "0", "active")]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is first
