"""A crash never loses what the open form held: the next start offers it back."""

from __future__ import annotations

import pytest
from pilot_helpers import settle, until
from textual.widgets import Input

from contacts_tui.app import ContactsApp
from contacts_tui.recovery import left_behind
from contacts_tui.screens.contact_detail import ContactDetailScreen

SIZE = (100, 30)


def on_top(app, name: str) -> bool:
    """The screen or dialog `name` is in front, mounted with its widgets."""
    return type(app.screen).__name__ == name and app.screen.is_mounted


def form_ready(app) -> bool:
    """A record form is on top with its fields, one of them focused: keys go into it."""
    return (
        on_top(app, "RecordForm")
        and bool(app.screen.query("#field-email"))
        and app.focused is not None
        and app.focused.screen is app.screen
    )


class Boom(Exception):
    """A bug nobody caught."""


async def crash_while_editing(workspace, contact_id: int, form_keys: tuple[str, ...]) -> int:
    """Edit the name on the contact's screen, open its e-mail form and type, then crash."""
    app = ContactsApp(workspace)
    with pytest.raises(Boom):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, rounds=2)
            await app.push_screen(ContactDetailScreen(contact_id))
            await settle(pilot, rounds=3)
            name = app.screen.query_one("#name", Input)
            name.focus()
            name.value = "Ada King"
            await pilot.press("escape", "1")  # out of the field; the Details tab
            await settle(pilot)
            app.screen.query_one("#records-email-table").focus()
            await pilot.press(*form_keys)
            await until(pilot, lambda: form_ready(app), "the e-mail form")
            await pilot.press(*"ada@example.org")
            await pilot.pause()

            def bug() -> None:
                raise Boom("a bug")

            app.call_later(bug)
            await pilot.pause()
    return app.return_code


async def test_a_crash_keeps_the_open_forms_and_the_next_start_restores_them(workspace, service):
    ada = service.create_contact("Ada Lovelace")
    assert await crash_while_editing(workspace, ada.id, ("a",)) == 1  # exits non-zero
    [session] = left_behind(str(workspace.folder.resolve()))
    assert {d.kind for d in session.drafts} == {"contact", "record"}

    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: on_top(app, "RestoreDialog"), "asked to restore")
        text = str(app.screen.query_one("#restore-question").render())
        assert "Ada Lovelace: Name" in text and "new e-mail" in text
        await pilot.press("r")
        await until(pilot, lambda: form_ready(app), "the restored e-mail form")
        form = app.screen
        assert form.values()["email"] == "ada@example.org"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ContactDetailScreen), "back")
        detail = app.screen
        assert detail.query_one("#name", Input).value == "Ada King"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not detail.query_one("#info").dirty, "saved")
    saved = service.get_contact(ada.id)
    assert saved.name == "Ada King"
    assert [e.email for e in saved.emails] == ["ada@example.org"]
    # Restored once: the next start asks nothing.
    assert left_behind(str(workspace.folder.resolve())) == []


async def test_discarding_forgets_the_drafts_and_a_clean_quit_leaves_none(workspace, service):
    ada = service.create_contact("Ada Lovelace")
    await crash_while_editing(workspace, ada.id, ("a",))
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on_top(app, "RestoreDialog"), "asked to restore")
        await pilot.press("d")
        await until(pilot, lambda: on_top(app, "ContactListScreen"), "the list")
        await app.push_screen(ContactDetailScreen(ada.id))
        await settle(pilot, rounds=3)
        app.screen.query_one("#name", Input).value = "Ada K"
        await pilot.pause()
        await pilot.press("q")  # quit…
        await until(pilot, lambda: on_top(app, "ConfirmDialog"), "asked to discard")
        await pilot.press("y")  # …discarding the edit on purpose
        await until(pilot, lambda: not app.is_running, "ended")
    assert app.return_code == 0
    assert left_behind(str(workspace.folder.resolve())) == []
    assert service.get_contact(ada.id).name == "Ada Lovelace"


async def test_a_restored_draft_gives_back_its_accounts_and_names_one_that_is_gone(
    workspace, service
):
    from pilot_helpers import toasts

    from contacts_tui.store.models import Account

    ada = service.create_contact("Ada Lovelace")
    acme = service.create_account("Acme")
    globex = service.create_account("Globex")
    app = ContactsApp(workspace)
    with pytest.raises(Boom):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, rounds=2)
            await app.push_screen(ContactDetailScreen(ada.id))
            await settle(pilot, rounds=3)
            info = app.screen.query_one("#info")
            app.screen.query_one("#accounts").focus()
            await pilot.press("enter")  # the account picker
            await until(pilot, lambda: on_top(app, "AccountPicker"), "the account picker")
            await pilot.press(*"Initech", "enter")  # a new one: made only by the save
            await pilot.press("down", "space", "down", "space", "ctrl+s")  # Acme, Globex
            await until(pilot, lambda: len(info.accounts) == 3, "three accounts picked")
            names = {a.name for a in info.accounts}
            assert names == {"Acme", "Globex", "Initech"}

            def bug() -> None:
                raise Boom("a bug")

            app.call_later(bug)
            await pilot.pause()
    assert app.return_code == 1
    Account.delete().where(Account.id == globex.id).execute()  # gone meanwhile

    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: on_top(app, "RestoreDialog"), "asked to restore")
        await pilot.press("r")

        def restored_accounts() -> bool:
            screen = app.screen
            return isinstance(screen, ContactDetailScreen) and screen.query_one("#info").dirty

        await until(pilot, restored_accounts, "the contact with its accounts restored")
        detail = app.screen
        restored = detail.query_one("#info").accounts
        assert (restored[0].id, restored[0].name) == (acme.id, "Acme")
        assert [a.name for a in restored[1:]] == ["Initech"] and restored[1].id < 0
        assert "Initech (new)" in str(detail.query_one("#accounts").label)
        shown = await toasts(pilot)
        assert any("Not restored: account “Globex” no longer exists." in t for t in shown)
        assert detail.query_one("#info").dirty  # an unsaved edit, as before the crash
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not detail.query_one("#info").dirty, "saved")
    assert [a.name for a in service.get_contact(ada.id).accounts] == ["Acme", "Initech"]


async def crash_in_the_control_center(workspace) -> None:
    """Close the Qualified step in the Control Center (not saved), then crash."""
    from contacts_tui.widgets.lifecycle_tree import ItemRef, LifecycleTree

    app = ContactsApp(workspace)
    with pytest.raises(Boom):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, rounds=2)
            await pilot.press("ctrl+o")
            await settle(pilot, rounds=2)
            screen = app.screen
            qualified = ItemRef("step", "standard", "lead_qualification", "qualified")
            assert screen.query_one(LifecycleTree).reveal(qualified)
            await pilot.press("o")
            await settle(pilot)
            assert screen.dirty

            def bug() -> None:
                raise Boom("a bug")

            app.call_later(bug)
            await pilot.pause()
    assert app.return_code == 1


async def test_an_unsaved_control_center_edit_survives_a_crash(workspace):
    from contacts_tui import lifecycle
    from contacts_tui.screens.control_center import ControlCenterScreen

    original = workspace.config_path.read_bytes()
    await crash_in_the_control_center(workspace)
    assert workspace.config_path.read_bytes() == original  # nothing was saved

    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on_top(app, "RestoreDialog"), "asked to restore")
        assert "Control Center: lifecycle.toml changes" in str(
            app.screen.query_one("#restore-question").render()
        )
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ControlCenterScreen), "restored")
        screen = app.screen
        await until(pilot, lambda: screen.dirty, "the restored edit")
        assert screen.changes.config.template("standard").step("qualified").is_closed
        assert "Restored your unsaved changes" in str(screen.query_one("#cc-message").render())
        assert "unsaved changes" in str(screen.query_one("#cc-title").render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not screen.dirty, "saved")
    assert lifecycle.load(workspace.config_path).template("standard").step("qualified").is_closed
    assert left_behind(str(workspace.folder.resolve())) == []


async def test_a_restored_control_center_edit_asks_before_overwriting_a_newer_file(workspace):
    from contacts_tui import lifecycle
    from contacts_tui.dialogs.lifecycle_conflict import LifecycleConflictDialog
    from contacts_tui.screens.control_center import ControlCenterScreen
    from contacts_tui.services import lifecycle_admin

    await crash_in_the_control_center(workspace)
    path = workspace.config_path
    theirs = lifecycle_admin.edit_step(lifecycle.load(path), "standard", "new_lead", name="Fresh")
    lifecycle.save(theirs, path)  # another admin saved meanwhile

    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on_top(app, "RestoreDialog"), "asked to restore")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ControlCenterScreen), "restored")
        screen = app.screen
        assert "changed on disk since" in str(screen.query_one("#cc-message").render())
        await pilot.press("ctrl+s")
        # never overwritten silently
        await until(pilot, lambda: isinstance(app.screen, LifecycleConflictDialog), "asked")
        await pilot.press("escape")
        await settle(pilot)
    assert lifecycle.load(path) == theirs
