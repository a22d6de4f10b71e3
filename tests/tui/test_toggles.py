"""Toggles read without colour: `[x]`/`[ ]` boxes and `(•)`/`( )` radio buttons."""

from __future__ import annotations

from pilot_helpers import screen_text
from textual.app import App, ComposeResult
from textual.widgets import RadioSet

from contacts_tui.dialogs.export_dialog import ExportDialog
from contacts_tui.services import ContactFilter
from contacts_tui.widgets.toggles import MarkedCheckbox, MarkedRadioButton, MarkedSelectionList


def marked_rows(text: str) -> list[str]:
    """The selection list's rows, mark and name (the screenshot drops the lone space)."""
    rows = [line.strip("▊▎ ").replace(" ", "") for line in text.splitlines()]
    return [row.replace("[]", "[ ]") for row in rows if row.endswith(("Acme", "Globex"))]


class Toggles(App):
    def compose(self) -> ComposeResult:
        yield MarkedCheckbox("Primary", id="box")
        with RadioSet(id="radios"):
            yield MarkedRadioButton("CSV", value=True)
            yield MarkedRadioButton("vCard")
        yield MarkedSelectionList[int](("Acme", 1, True), ("Globex", 2), id="picks")


async def test_toggle_state_is_in_the_characters_not_the_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = Toggles()
    async with app.run_test(size=(80, 50)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "[ ] Primary" in text
        assert "(•) CSV" in text and "( ) vCard" in text
        assert marked_rows(text) == ["[x]Acme", "[ ]Globex"]
        app.query_one("#box").focus()
        await pilot.press("space")  # tick the box
        app.query_one("#radios").focus()
        await pilot.press("down", "enter")  # choose vCard
        app.query_one("#picks").focus()
        await pilot.press("space")  # untick Acme
        await pilot.pause()
        text = screen_text(app)
        assert "[x] Primary" in text
        assert "( ) CSV" in text and "(•) vCard" in text
        assert marked_rows(text) == ["[ ]Acme", "[ ]Globex"]


async def test_the_export_dialog_marks_the_chosen_format(monkeypatch, workspace):
    monkeypatch.setenv("NO_COLOR", "1")

    class Host(App):
        def on_mount(self) -> None:
            self.push_screen(ExportDialog(ContactFilter(), "name", False, 0))

    app = Host()
    app.workspace = workspace
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "(•) CSV" in text
        assert "( ) JSON" in text and "( ) vCard 4.0" in text
