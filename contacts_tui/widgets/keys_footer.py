"""The footer: the keys that matter on this screen, on one line, clickable."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual import events
from textual.widget import Widget


class FooterKey(NamedTuple):
    """One key as the footer shows it (a NamedTuple: a third of a dataclass's start-up)."""

    key: str  # what a click sends, as if typed
    label: str  # "^s", "/", "⏎"
    description: str
    enabled: bool
    tooltip: str


class _Placed(NamedTuple):
    start: int
    end: int
    key: FooterKey


class KeysFooter(Widget, can_focus=False):
    """The keys of the focused widget, its screen and the app, like Textual's Footer.

    One widget drawing one line, where Textual's Footer builds a widget per key and
    rebuilds them all on every focus change: at start that cost about 10 ms of CSS per
    rebuild, just as the first key arrives (measured at a million contacts). Keys that
    do not fit are dropped from the right; the command palette key shows at the right
    edge when there is room for it (ctrl+p works either way, and the help screen says so).
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "keys-footer--key",
        "keys-footer--description",
        "keys-footer--hover",
        "keys-footer--disabled",
    }
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .keys-footer--key {
            color: $footer-key-foreground;
            text-style: bold;
        }
        & > .keys-footer--description {
            color: $footer-description-foreground;
        }
        & > .keys-footer--hover {
            background: $block-hover-background;
        }
        & > .keys-footer--disabled {
            text-style: dim;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: tuple[FooterKey, ...] = ()
        self._palette: FooterKey | None = None
        self._placed: list[_Placed] = []  # where each key was drawn, for the mouse
        self._hovered: FooterKey | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        """Redraw only when the keys to show have changed (focus moves often)."""
        keys, palette = self._read_keys()
        if (keys, palette) != (self._keys, self._palette):
            self._keys, self._palette = keys, palette
            self.refresh()

    def _read_keys(self) -> tuple[tuple[FooterKey, ...], FooterKey | None]:
        app = self.app
        shown: dict[str, FooterKey] = {}  # by action: one key per action, the first bound
        palette = None
        for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items():
            footer_key = FooterKey(
                key,
                app.get_key_display(binding),
                binding.description,
                enabled,
                tooltip or binding.tooltip or binding.description,
            )
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = footer_key
            elif binding.show and binding.action not in shown:
                shown[binding.action] = footer_key
        return tuple(shown.values()), palette

    # ----- drawing -----------------------------------------------------------------------

    def render(self) -> Text:
        width = self.size.width
        items = [(footer_key, self._item(footer_key)) for footer_key in self._keys]
        # Two spaces between keys when they all fit so, else one: "d Delete  ^s Save".
        gap = 2 if sum(item.cell_len + 2 for _, item in items) <= width else 1
        line = Text(no_wrap=True, overflow="crop", end="")
        self._placed = []
        for footer_key, item in items:
            separator = " " if not self._placed else " " * gap
            if line.cell_len + len(separator) + item.cell_len > width:
                break  # dropped from the right: the first keys are the ones that matter
            line.append(separator)
            self._placed.append(_Placed(line.cell_len, line.cell_len + item.cell_len, footer_key))
            line.append_text(item)
        if self._palette is not None:
            item = self._item(self._palette)
            room = width - line.cell_len - item.cell_len - 2
            if room >= 1:
                line.append(" " * room)
                line.append("▏", style=self.get_component_rich_style("keys-footer--description"))
                start = line.cell_len
                line.append_text(item)
                self._placed.append(_Placed(start, line.cell_len, self._palette))
                line.append(" ")
        return line

    def _item(self, footer_key: FooterKey) -> Text:
        key_style = self.get_component_rich_style("keys-footer--key")
        description_style = self.get_component_rich_style("keys-footer--description")
        if not footer_key.enabled:
            dim = self.get_component_rich_style("keys-footer--disabled")
            key_style, description_style = key_style + dim, description_style + dim
        item = Text.assemble(
            (footer_key.label, key_style), " ", (footer_key.description, description_style)
        )
        if footer_key == self._hovered:
            item.stylize(self.get_component_rich_style("keys-footer--hover"))
        return item

    # ----- mouse -------------------------------------------------------------------------

    def _key_at(self, x: int) -> FooterKey | None:
        return next((p.key for p in self._placed if p.start <= x < p.end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hovered = self._key_at(event.x)
        if hovered != self._hovered:
            self._hovered = hovered
            self.tooltip = hovered.tooltip if hovered else None
            self.refresh()

    def on_leave(self) -> None:
        if self._hovered is not None:
            self._hovered = None
            self.tooltip = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        footer_key = self._key_at(event.x)
        if footer_key is None:
            return
        if footer_key.enabled:
            self.app.simulate_key(footer_key.key)
        else:
            self.app.bell()
