"""Every screen and dialog, every key: the app never dies and never shows an unforeseen error.

The sweep opens each screen a user reaches (the list, a contact with each tab, its record
forms, the Control Center, Accounts, help, the command palette) and presses every key the
screen offers at that moment. Every run leaves each dialog a key opens with escape; with
`pytest -m slow`, each key that opens a dialog opens it again for each of the dialog's own
keys, so every confirmation is answered both ways. Notifications are on and drawn after
every key, as in a terminal: a toast Textual cannot draw ends the app here too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from pilot_helpers import settle
from textual.pilot import Pilot
from textual.screen import Screen

from contacts_tui.app import ContactsApp
from contacts_tui.documents import BlobStore
from contacts_tui.screens.contact_detail import ContactDetailScreen
from contacts_tui.services import ContactService
from contacts_tui.widgets import reporting

SIZE = (100, 30)
NOT_PRESSED = ("quit", "suspend", "help_quit")
"""Actions the sweep leaves alone: they end or stop the process, which is their job."""


@pytest.fixture
def crowded(workspace, tmp_path: Path) -> int:
    """Contacts with every kind of record and a document, so each tab has rows to act on."""
    store = BlobStore(workspace.documents, group_shared=workspace.group_shared)
    service = ContactService(workspace.config, workspace.user, blobs=store)
    note = tmp_path / "notes.txt"
    note.write_text("The analytical engine weaves algebraic patterns.\n")
    for number, name in enumerate(("Ada Lovelace", "Bea Brown", "Cy Clark")):
        contact = service.create_contact(name)
        service.records.add_email(contact.id, f"{name.split()[0].lower()}@example.com")
        service.records.add_phone(contact.id, f"+44 20 7946 00{number}8")
        service.records.add_address(
            contact.id, address="1 Square", zip_code="SW1Y 4JH", locality="London"
        )
        service.records.add_bank_account(contact.id, "Coutts", "GB82 WEST 1234 5698 7654 32")
        service.documents.add(contact.id, note, "Note")
    return contact.id


class Sweep:
    def __init__(self, pilot: Pilot, failures: list[str], answers: bool) -> None:
        self.pilot = pilot
        self.app = pilot.app
        self.failures = failures
        self.answers = answers  # each dialog answered with each of its keys, or escaped
        self.pressed = 0
        self.offered = 0  # keys the swept screen offered when first opened

    def keys(self) -> list[str]:
        """The keys the current screen offers now: the product's own (they all have an
        id, users remap them), and enter, which opens what a table's cursor is on.
        Textual's own editing and cursor keys are left to Textual's tests."""
        return [
            key
            for key, active in self.app.active_bindings.items()
            if active.enabled
            and (active.binding.id is not None or key == "enter")
            and not active.binding.action.endswith(NOT_PRESSED)
        ]

    async def press(self, key: str, where: str) -> None:
        self.pressed += 1
        await self.pilot.press(key)
        await settle(self.pilot)
        await self.check(f"{where}: {key}")

    async def check(self, where: str) -> None:
        for _ in range(3):  # notify → the app → the screen's toast rack → a toast
            await self.pilot.pause()
        # Each toast drawn, as the terminal would show it (a rich Text here ended the app).
        shown = [str(toast.render()) for toast in self.app.screen.query("Toast")]
        assert self.app.is_running, f"the app ended after {where}"
        assert self.app.return_code is None, f"the app failed after {where}"
        for toast in shown:
            if toast.startswith(reporting.ERROR_TITLE):
                self.failures.append(f"{where}: {toast}")
        self.app.clear_notifications()

    async def back_to(self, screen: Screen, where: str) -> None:
        """Escape down to `screen`, leaving forms without their edits."""
        for _ in range(8):
            if self.app.screen is screen or screen not in self.app.screen_stack:
                break
            await self.pilot.press("escape")
            await settle(self.pilot, rounds=2)
            if type(self.app.screen).__name__ == "ConfirmDialog":
                await self.pilot.press("y")  # "Discard your unsaved changes?"
                await settle(self.pilot)
            if type(self.app.screen).__name__ == "UnsavedDialog":
                await self.pilot.press("d")  # a record form's "Save / Discard / keep editing"
                await settle(self.pilot)
        await self.check(f"{where}: back")
        assert self.app.screen is screen or screen not in self.app.screen_stack, (
            f"escape never led back from {self.app.screen!r}"
        )

    async def reach(self, screen: Screen, open_screen: Opener, where: str) -> Screen:
        """`screen` on top again, or opened anew when a key left it."""
        await self.back_to(screen, where)
        if self.app.screen is screen:
            return screen
        return await open_screen()

    async def every_key(self, where: str, open_screen: Opener) -> None:
        """Press each key of a screen; a dialog it opens is left with escape, or (with
        `answers`) the key is pressed again for each of the dialog's keys, so every
        confirmation is answered both ways."""
        screen = await open_screen()
        keys = self.keys()
        self.offered = len(keys)
        for key in keys:
            screen = await self.reach(screen, open_screen, where)
            await self.press(key, where)
            dialog = self.app.screen
            if dialog is screen or not dialog.is_modal or not self.answers:
                continue
            name = type(dialog).__name__
            answers = self.keys()
            for answer in answers:
                screen = await self.reach(screen, open_screen, f"{where}: {key}")
                await self.press(key, where)
                if type(self.app.screen).__name__ != name:
                    break  # the key does something else now (the row it needed is gone)
                await self.press(answer, f"{where}: {key} → {name}")
        await self.back_to(screen, where)


Opener = Callable[[], Awaitable[Screen]]


# Every screen's keys, each dialog they open left with escape, in every run. With
# `pytest -m slow`: each dialog answered with each of its keys, and the Details and
# Documents tabs (every record form and file dialog: minutes each).
SLOW = [pytest.mark.slow, pytest.mark.timeout(0)]
SCREENS = (
    *[
        pytest.param(screen, False, id=screen)
        for screen in ("contact list", "contact, tab 3", "Control Center", "help", "Accounts")
    ],
    pytest.param("palette", True, id="palette"),  # its answers are few: both ways always
    *[
        pytest.param(screen, True, marks=SLOW, id=f"{screen}, every answer")
        for screen in (
            "contact list",
            "contact, tab 1",
            "contact, tab 2",
            "contact, tab 3",
            "Control Center",
            "help",
            "Accounts",
        )
    ],
)
"""One test per screen, so the sweep spreads over the test workers."""


@pytest.mark.parametrize(("where", "answers"), SCREENS)
async def test_every_key_of_every_screen_and_dialog_keeps_the_app_running(
    workspace, crowded, where, answers, tmp_path, monkeypatch
):
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")  # where "save a copy" puts its files
    failures: list[str] = []
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        sweep = Sweep(pilot, failures, answers)
        await settle(pilot, rounds=3)
        home = app.screen

        async def contact_list() -> Screen:
            await sweep.back_to(home, "contact list")
            return home

        async def opened(keys: tuple[str, ...], name: str, from_list: bool = True) -> Screen:
            if from_list:
                await contact_list()
            for key in keys:
                await pilot.press(key)
                await settle(pilot, rounds=3)
            assert type(app.screen).__name__ == name, f"{keys} did not open {name}"
            return app.screen

        def contact_tab(tab: str) -> Opener:
            async def open_contact() -> Screen:
                await contact_list()
                await app.push_screen(ContactDetailScreen(crowded))
                await settle(pilot, rounds=3)
                return await opened((tab,), "ContactDetailScreen", from_list=False)

            return open_contact

        palette = ("ctrl+p", *"accounts", "enter")
        openers: dict[str, Opener] = {
            "contact list": contact_list,
            # each tab's own keys apply while it is in front
            **{f"contact, tab {tab}": contact_tab(tab) for tab in "123"},
            "Control Center": lambda: opened(("ctrl+o",), "ControlCenterScreen"),
            "help": lambda: opened(("question_mark",), "HelpScreen"),
            "Accounts": lambda: opened(palette, "AccountsScreen"),
            "palette": lambda: opened(("ctrl+p",), "ContactsCommandPalette"),
        }
        await sweep.every_key(where, openers[where])
        assert sweep.pressed >= sweep.offered > 0  # the sweep really pressed each key

    assert failures == []
