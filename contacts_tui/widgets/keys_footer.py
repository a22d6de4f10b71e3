"""The footer of key bindings, redrawn only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's Footer, minus the redraws that change nothing.

    Textual rebuilds the footer's widgets on every bindings refresh: a focus change, a
    screen resuming, a refresh asked for by anyone. At start that is three rebuilds of
    about 10 ms each in the 50 ms after the first frame, just when the first key arrives
    (measured with the list at a million contacts: the first key answered in 53 ms).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None

    def _keys(self, screen: Screen) -> tuple:
        return (
            self.show_command_palette,
            tuple(
                (key, binding.description, binding.key_display, enabled, tooltip)
                for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
                if binding.show
            ),
        )

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            keys = self._keys(screen)
            if self._bindings_ready and keys == self._shown:
                return
            self._shown = keys
        super().bindings_changed(screen)

    def watch_show_command_palette(self) -> None:
        self._shown = None  # redraw: the palette key comes or goes
