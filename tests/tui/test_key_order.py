"""Keys that arrive together (a fast typist over a slow SSH link) are applied in order."""

from __future__ import annotations

from pilot_helpers import settle, until
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input, TextArea

from contacts_tui.app import ContactsApp
from contacts_tui.demo import add_demo_contacts
from contacts_tui.widgets.textual_key_order import keep_key_order

PRINTABLE = {"space": " "}


def arrive_together(app: App, *keys: str) -> None:
    """Queue every key at once, as one read of the terminal would, without waiting."""
    for key in keys:
        character = key if len(key) == 1 else PRINTABLE.get(key)
        app.post_message(events.Key(key, character))


async def test_a_backspace_typed_between_letters_edits_the_search_where_it_was_typed(
    workspace, service
):
    add_demo_contacts(workspace.config, 50, workspace.user, seed=7)
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.focused, Input), "in the search box")
        search = app.focused
        arrive_together(app, "m", "x", "backspace", "a", "r")
        await until(pilot, lambda: search.value == "mar", "“mar”", seconds=10)
        arrive_together(app, "ctrl+u", "j", "o")  # clear the box, then type
        await until(pilot, lambda: search.value == "jo", "“jo”", seconds=10)
        arrive_together(app, "left", "left", "e", "end", "h", "n")
        await until(pilot, lambda: search.value == "ejohn", "“ejohn”", seconds=10)


class Fields(App):
    def compose(self) -> ComposeResult:
        yield TextArea(id="notes")

    def on_mount(self) -> None:
        keep_key_order()


async def test_a_text_area_applies_arrows_and_deletes_in_the_order_typed():
    app = Fields()
    async with app.run_test() as pilot:
        notes = app.query_one(TextArea)
        notes.focus()
        await pilot.pause()
        arrive_together(app, "a", "b", "left", "c", "backspace", "d", "end", "e")
        await until(pilot, lambda: notes.text == "adbe", "“adbe”", seconds=10)


def test_each_field_is_wrapped_once_however_many_apps_start():
    keep_key_order()
    first = Input.__dict__["_on_key"]
    keep_key_order()
    assert Input.__dict__["_on_key"] is first
    assert TextArea.__dict__["_on_key"].keeps_key_order
