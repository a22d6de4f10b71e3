"""The `?` help screen: every key of the screen below it, written from its bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Label, Static

from contacts_tui.dialogs.dialog import Dialog, layout_css
from contacts_tui.widgets.keymap import class_bindings, shown_keys


def binding_groups(screen: Screen) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Every key of `screen` as (group title, [(keys, description, tooltip)]).

    The screen's own keys come first, then those of each part of it (the list, a tab's
    records, the stepper…) under that part's name, whether it has the focus or not, so
    the help is the screen's whole key map; then the keys that work everywhere. Bindings
    are read from the widgets themselves, so the help cannot fall out of step with the
    keys, and keys remapped in settings.toml show as remapped. Several keys bound to one
    action (j and down) are shown on one line.
    """
    app = screen.app
    groups: dict[str, dict[tuple[int, str], tuple[list[str], str, str]]] = {}

    def add(node: DOMNode, binding: Binding, shown: str, tooltip: str = "") -> None:
        # Only the application's own bindings: each has an id (so it can be remapped);
        # Textual's built-ins (tab, copy…) are the same everywhere and not listed.
        if not binding.description or not binding.id:
            return
        entries = groups.setdefault(_group_title(node, screen), {})
        # Keyed by the node's class: a part repeated (four record tables) is listed once.
        key = (id(type(node)), binding.action)
        keys = entries.setdefault(key, ([], binding.description, binding.tooltip or tooltip))[0]
        if shown not in keys:
            keys.append(shown)

    groups[_group_title(screen, screen)] = {}  # the screen's own keys first
    for active in screen.active_bindings.values():
        add(active.node, active.binding, app.get_key_display(active.binding), active.tooltip)
    # Then every part's keys, focused or not (a key the focused part has already is
    # listed once; one its state turns off now, as Make primary on bank accounts, stays:
    # the part's other instances have it).
    for node in screen.query("*"):
        if not type(node).__module__.startswith("contacts_tui."):
            continue  # Textual's own widgets: their keys are the same in every app
        for binding in class_bindings(type(node)):
            for shown in shown_keys(app, binding):
                add(node, binding, shown)
    everywhere = groups.pop("Everywhere", {})
    groups["Everywhere"] = everywhere
    return [
        (title, [(" / ".join(keys), d, t) for keys, d, t in entries.values()])
        for title, entries in groups.items()
        if entries
    ]


def _group_title(node: DOMNode, screen: Screen) -> str:
    if isinstance(node, App):
        return "Everywhere"
    if isinstance(node, Screen):
        return getattr(node, "COMMAND_GROUP", "This screen")
    # A part of a screen says what it is (HELP_GROUP); a Textual widget inside the
    # screen (a table's own keys) counts as the screen's.
    return getattr(node, "HELP_GROUP", _group_title(screen, screen))


class HelpScreen(Dialog[None]):
    """Lists the keys of the screen it was opened from, with what each does."""

    DEFAULT_CSS = layout_css(__file__, "help.tcss")  # what differs from the dialog frame

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,question_mark,q",
            "dismiss",
            "Close",
            id="help.close",
            tooltip="Back to where you were",
        ),
        # The list's movement keys, so the help reads the way the screens under it do.
        Binding("j,down", "scroll('down')", "Down", id="help.down", tooltip="Scroll down"),
        Binding("k,up", "scroll('up')", "Up", id="help.up", tooltip="Scroll up"),
        Binding("g,home", "scroll('home')", "Top", id="help.top", tooltip="Back to the top"),
        Binding("G,end", "scroll('end')", "End", id="help.end", tooltip="To the last key"),
        Binding("pagedown,ctrl+d", "scroll('page_down')", "Page down", id="help.page_down"),
        Binding("pageup,ctrl+u", "scroll('page_up')", "Page up", id="help.page_up"),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self._documented = screen

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Keys", style="bold"))
            with VerticalScroll():
                for title, rows in binding_groups(self._documented):
                    table = Table(title=title, title_justify="left", expand=True, box=None)
                    table.add_column("Key", no_wrap=True, style="bold")
                    table.add_column("Action", no_wrap=True)
                    table.add_column("What it does", ratio=1)
                    for keys, description, tooltip in rows:
                        table.add_row(Text(keys), Text(description), Text(tooltip))
                    yield Static(table)
            yield Label(
                "j/k g/G: scroll · escape: close · ctrl+p: run any of these by name",
                classes="hint",
            )

    def action_scroll(self, where: str) -> None:
        keys = self.query_one(VerticalScroll)
        moves = {
            "down": keys.scroll_down,
            "up": keys.scroll_up,
            "home": keys.scroll_home,
            "end": keys.scroll_end,
            "page_down": keys.scroll_page_down,
            "page_up": keys.scroll_page_up,
        }
        moves[where](animate=False)
