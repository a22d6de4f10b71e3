"""Textual's command palette, without its crash on a page key before the list is drawn.

Textual 8.2's CommandList pages by its drawn height: pressed while the list is visible but
not laid out yet (height 0, typing then `pageup` at once), it indexes an empty line map and
the app exits with a KeyError. Found by random keys in a real terminal.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.command import CommandList, CommandPalette


class ContactsCommandPalette(CommandPalette):
    BINDINGS = [
        Binding("pagedown", "page_commands('down')", "Next page", show=False),
        Binding("pageup", "page_commands('up')", "Previous page", show=False),
    ]

    def action_page_commands(self, direction: str) -> None:
        commands = self.query_one(CommandList)
        if not commands.option_count or commands.scrollable_content_region.height <= 0:
            return  # nothing drawn to page through yet
        if direction == "down":
            commands.action_page_down()
        else:
            commands.action_page_up()
