"""The `?` help at 80x24: scrolls to its last key, with the list's movement keys."""

from __future__ import annotations

from pilot_helpers import screen_text, settle, until
from textual.containers import VerticalScroll

from contacts_tui.app import ContactsApp
from contacts_tui.screens.help import HelpScreen, binding_groups


async def test_help_at_80x24_scrolls_to_the_end_with_j_k_and_G(workspace):
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "HelpScreen")
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one(VerticalScroll)
        assert keys.max_scroll_y > 0  # more keys than fit: the test means something
        text = screen_text(app)
        assert "escape: close" in text  # the hint stays on screen below the keys
        assert "Leave contacts-tui" not in text  # the last group is below the fold

        await pilot.press("j", "j")
        await pilot.pause()
        assert keys.scroll_y == 2
        await pilot.press("k")
        await pilot.pause()
        assert keys.scroll_y == 1

        await pilot.press("G")
        await pilot.pause()
        assert keys.scroll_y == keys.max_scroll_y
        text = screen_text(app)
        last_tooltip = binding_groups(app.screen_stack[-2])[-1][1][-1][2]
        assert "Leave contacts-tui" in text and last_tooltip.split()[-1] in text  # the end
        assert "escape: close" in text

        await pilot.press("g")
        await pilot.pause()
        assert keys.scroll_y == 0
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
