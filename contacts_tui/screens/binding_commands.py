"""Command palette provider: a screen's own key bindings, so every key is also a command."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode


class ScreenBindingCommands(Provider):
    """Offers each described key binding active on the calling screen — the screen's own
    and those of the focused widget and its parents (a tab's panel, say); add it to
    `Screen.COMMANDS`.

    The command reads "<COMMAND_GROUP>: <description>", e.g. "Contact: Save", and runs
    the binding's action on the node that owns it, exactly as the key would.
    """

    def _commands(self) -> Iterator[tuple[str, str, DOMNode, str]]:
        screen = self.screen
        group = getattr(screen, "COMMAND_GROUP", type(screen).__name__)
        seen: set[tuple[int, str]] = set()
        for active in screen.active_bindings.values():
            binding, node = active.binding, active.node
            # App bindings (quit, palette) are the palette's own system commands already.
            if node is self.app or not binding.description or not active.enabled:
                continue
            if (id(node), binding.action) in seen:
                continue
            seen.add((id(node), binding.action))
            # As the footer and help write it, so a key remapped in settings.toml
            # ([keymap]) shows as the user's key, not the built-in one.
            key = self.app.get_key_display(binding)
            help_text = f"{binding.tooltip or binding.description} ({key})"
            yield f"{group}: {binding.description}", help_text, node, binding.action

    def _run(self, node: DOMNode, action: str) -> None:
        self.app.call_later(self.app.run_action, action, node)  # as node.run_action does

    async def discover(self) -> Hits:
        for name, help_text, node, action in self._commands():
            yield DiscoveryHit(name, partial(self._run, node, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, node, action in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(self._run, node, action),
                    help=help_text,
                )
