"""The footer: the keys of the focused widget, its screen and the app, on one line."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input

from contacts_tui.widgets.keys_footer import KeysFooter


class Board(Widget, can_focus=True):
    DEFAULT_CSS = "Board { height: 1; }"
    BINDINGS = [
        Binding("f", "filter", "Filter", tooltip="Narrow the list down"),
        Binding("d", "archive", "Archive"),
        Binding("x", "hidden", "Hidden", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.done: list[str] = []
        self.archive_allowed = True

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "archive" and not self.archive_allowed:
            return None  # shown, but disabled
        return True

    def action_filter(self) -> None:
        self.done.append("filter")

    def action_archive(self) -> None:
        self.done.append("archive")


class FooterApp(App):
    BINDINGS = [Binding("question_mark", "help", "Help", key_display="?")]

    def compose(self) -> ComposeResult:
        yield Board()
        yield Input(id="other")
        yield KeysFooter()

    def action_help(self) -> None:
        pass


def footer_line(app: App) -> str:
    """The footer's line as drawn (with its spaces, which screen_text leaves out)."""
    return app.query_one(KeysFooter).render_line(0).text


def x_of(app: App, text: str) -> int:
    return footer_line(app).index(text)


async def test_shows_the_focused_widgets_keys_then_the_apps_and_the_palette_key():
    app = FooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        line = footer_line(app)
        assert line.startswith(" f Filter  d Archive  ? Help"), line
        assert "Hidden" not in line
        assert line.rstrip().endswith("^p palette")


async def test_keys_that_do_not_fit_are_dropped_from_the_right_palette_first():
    app = FooterApp()
    async with app.run_test(size=(28, 10)) as pilot:
        await pilot.pause()
        line = footer_line(app)
        assert line.startswith(" f Filter d Archive ? Help"), line  # one space when tight
        assert "palette" not in line
    async with FooterApp().run_test(size=(20, 10)) as pilot:
        await pilot.pause()
        assert footer_line(pilot.app).rstrip() == " f Filter d Archive"


async def test_clicking_a_key_does_what_typing_it_does():
    app = FooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        await pilot.click(KeysFooter, offset=(x_of(app, "Archive"), 0))
        await pilot.pause()
        assert app.query_one(Board).done == ["archive"]


async def test_a_disabled_key_is_shown_but_a_click_only_rings_the_bell():
    app = FooterApp()
    bells = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=(80, 10)) as pilot:
        board = app.query_one(Board)
        board.archive_allowed = False
        app.refresh_bindings()
        await pilot.pause()
        assert "d Archive" in footer_line(app)
        await pilot.click(KeysFooter, offset=(x_of(app, "Archive"), 0))
        await pilot.pause()
        assert board.done == [] and bells == [1]


async def test_the_footer_follows_the_focus():
    app = FooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        app.query_one("#other", Input).focus()
        await pilot.pause()
        line = footer_line(app)
        assert "Filter" not in line and "palette" in line  # the Input's keys: none shown
        app.query_one(Board).focus()
        await pilot.pause()
        assert "f Filter" in footer_line(app)


async def test_hovering_a_key_shows_its_tooltip():
    app = FooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeysFooter)
        await pilot.hover(KeysFooter, offset=(x_of(app, "Filter"), 0))
        await pilot.pause()
        assert footer.tooltip == "Narrow the list down"
        await pilot.hover(KeysFooter, offset=(x_of(app, "Archive"), 0))
        await pilot.pause()
        assert footer.tooltip == "Archive"  # no tooltip given: its description
