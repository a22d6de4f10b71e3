"""Remapped keys from settings.toml [keymap]: applied, shown, and mistakes said in one line."""

from __future__ import annotations

from pilot_helpers import screen_text, settle, toasts, until
from textual.widgets import Input

from contacts_tui.app import ContactsApp
from contacts_tui.preferences import load_keymap, settings_path
from contacts_tui.screens.help import HelpScreen

KEYMAP = """
[contact_list]
columns = ["name", "phone"]

[keymap]
"list.search" = "ctrl+f"
"list.filter" = "e"          # export's key: a clash
"list.no_such_thing" = "x"   # a typo
"list.sort" = 3              # not a key
"""


def write_settings(text: str) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_load_keymap_keeps_key_strings_and_names_the_rest():
    write_settings(KEYMAP)
    assert load_keymap() == (
        {"list.search": "ctrl+f", "list.filter": "e", "list.no_such_thing": "x"},
        ["list.sort"],
    )
    write_settings('[keymap]\n"list.search" = " ctrl+f , f3 "\n"list.add" = ""\n')
    assert load_keymap() == ({"list.search": "ctrl+f,f3"}, ["list.add"])
    write_settings("keymap = 1\n")
    assert load_keymap() == ({}, ["keymap"])


async def test_a_remapped_key_works_shows_and_mistakes_are_told_in_one_line(workspace):
    write_settings(KEYMAP)
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        shown = [t for t in await toasts(pilot) if "[keymap]" in t]
        assert len(shown) == 1
        message = shown[0].splitlines()[-1]  # title, then the one line
        assert "unknown ids (ignored): list.no_such_thing" in message
        assert "not a key (ignored): list.sort" in message
        assert "keys taken twice: e: list.export, list.filter" in message
        app.clear_notifications()

        await pilot.press("slash")  # the old key does nothing now
        await pilot.pause()
        assert not isinstance(app.focused, Input)
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.focused, Input)  # the search box
        await pilot.press("escape", "escape")
        await settle(pilot)

        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "HelpScreen")
        assert isinstance(app.screen, HelpScreen)
        search_row = next(line for line in screen_text(app).splitlines() if "Search" in line)
        assert "^f" in search_row and "/" not in search_row


async def test_no_keymap_no_message(workspace):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert not [t for t in await toasts(pilot) if "[keymap]" in t]
        assert app.keymap == {}


REMAPPED = """
[keymap]
"list.search" = "ctrl+f"
"records.primary" = "P"
"""


async def test_a_remapped_key_shows_in_the_footer_and_in_the_command_palette(workspace):
    write_settings(REMAPPED)
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        # (The screen text joins a key to its description: "^fSearch" is "^f Search".)
        assert "^fSearch" in footer and "/Search" not in footer
        assert "(press ^f)" in screen_text(app)  # the search box's own hint too

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"search")
        await settle(pilot)
        await pilot.pause(0.3)
        lines = screen_text(app).splitlines()
        line = next(line for line in lines if "Find contacts by name" in line)
        assert "(^f)" in line and "(/)" not in line
        await pilot.press("escape")
        await pilot.pause()


async def test_the_contacts_help_shows_a_remapped_record_key_under_the_records_heading(
    workspace, service
):
    from contacts_tui.screens.contact_detail import ContactDetailScreen

    write_settings(REMAPPED)
    contact = service.create_contact("Ada Lovelace")
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        await app.push_screen(ContactDetailScreen(contact.id))
        await settle(pilot, rounds=3)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "HelpScreen")
        assert isinstance(app.screen, HelpScreen)
        lines = screen_text(app).splitlines()
        heading = next(n for n, line in enumerate(lines) if "Details tab (1)" in line)
        assert not any("The list" in line for line in lines)
        primary = next(n for n, line in enumerate(lines) if "Make primary" in line)
        assert primary > heading and "P " in lines[primary]
