"""The title line: the app's name centred, and the icon that opens the command palette."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.command import CommandPalette

from contacts_tui.widgets.title_bar import TitleBar


class TitledApp(App):
    TITLE = "Contacts"
    SUB_TITLE = "Sales Management"

    def compose(self) -> ComposeResult:
        yield TitleBar()


def title_line(app: App) -> str:
    return app.query_one(TitleBar).render_line(0).text


async def test_shows_the_title_and_sub_title_centred():
    app = TitledApp()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        line = title_line(app)
        assert line.startswith(" ⭘ ")
        title = "Contacts — Sales Management"
        start = line.index(title)
        assert abs(start - (80 - len(title)) // 2) <= 1, line


async def test_a_narrow_terminal_shortens_the_title_never_the_icon():
    app = TitledApp()
    async with app.run_test(size=(20, 5)) as pilot:
        await pilot.pause()
        line = title_line(app)
        assert line.startswith(" ⭘ ") and "…" in line
        assert len(line) <= 20 - 3  # clear of the right edge, as it is of the icon


async def test_clicking_the_icon_opens_the_command_palette_and_the_title_does_not():
    app = TitledApp()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.click(TitleBar, offset=(40, 0))
        await pilot.pause()
        assert not isinstance(app.screen, CommandPalette)
        await pilot.click(TitleBar, offset=(1, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
