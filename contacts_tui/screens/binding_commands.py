"""Command palette provider: a screen's own key bindings, so every key is also a command."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenBindingCommands(Provider):
    """Offers each described Binding of the calling screen; add it to `Screen.COMMANDS`.

    The command reads "<COMMAND_GROUP>: <description>", e.g. "Contact: Save", and runs
    the binding's action on the screen, exactly as the key would.
    """

    def _commands(self) -> Iterator[tuple[str, str, str]]:
        screen = self.screen
        group = getattr(screen, "COMMAND_GROUP", type(screen).__name__)
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                key = binding.key_display or binding.key.split(",")[0]
                help_text = f"{binding.tooltip or binding.description} ({key})"
                yield f"{group}: {binding.description}", help_text, binding.action

    def _run(self, action: str) -> None:
        self.app.call_later(self.screen.run_action, action)

    async def discover(self) -> Hits:
        for name, help_text, action in self._commands():
            yield DiscoveryHit(name, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(name), partial(self._run, action), help=help_text
                )
