"""The command palette survives its page keys pressed before its list is drawn."""

from __future__ import annotations

from pilot_helpers import until

from contacts_tui.app import ContactsApp
from contacts_tui.screens.command_palette import ContactsCommandPalette


async def test_page_keys_at_once_after_typing_keep_the_app_running(workspace):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await until(
            pilot, lambda: isinstance(app.screen, ContactsCommandPalette), "ContactsCommandPalette"
        )
        assert isinstance(app.screen, ContactsCommandPalette)
        # Keys as a fast typist sends them: no pause for the list to be laid out.
        await pilot.press(*"import", "pagedown", "pageup", "pageup", "pagedown")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        await pilot.pause(0.3)
        await pilot.press("pagedown", "pageup")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, ContactsCommandPalette)
