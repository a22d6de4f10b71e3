"""Editing keys applied in the order they were typed.

Textual's Input and TextArea insert a printable key in their own `_on_key`, but run
their bound keys (backspace, the arrows, ctrl+u, ctrl+w, …) only when the key has
bubbled up to the app. When several keys arrive in one read, which is what a fast
typist over a slow SSH link sends, the next letter is inserted while the bound key is
still on its way: `b a backspace c` gives `ba`, not `bc` (upstream:
Textualize/textual#6605). Here a field runs its own bindings as the key reaches it, in
order, as the upstream fix does; keys bound higher up bubble as before.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.widget import Widget
from textual.widgets import Input

KeyHandler = Callable[[Any, events.Key], Awaitable[None]]


def keep_key_order() -> None:
    """Make Input and TextArea run their own key bindings at once.

    TextArea is done only once its module is loaded: importing it costs the app's start
    ~12 ms, so the modules that show one call this again. Left alone when Textual runs
    the bindings inline itself (a fixed release) or when done already."""
    if hasattr(Widget, "_run_key_bindings"):
        return  # the upstream fix's own helper: Textual keeps the order itself
    fields: list[type[Widget]] = [Input]
    text_area = sys.modules.get("textual.widgets._text_area")
    if text_area is not None:
        fields.append(text_area.TextArea)
    for field in fields:
        handler = field.__dict__["_on_key"]
        if not getattr(handler, "keeps_key_order", False):
            field._on_key = in_typed_order(handler)  # type: ignore[method-assign,assignment]


def in_typed_order(handler: KeyHandler) -> KeyHandler:
    async def _on_key(field: Widget, event: events.Key) -> None:
        await handler(field, event)
        if not event._stop_propagation and not event.is_printable:
            await run_own_binding(field, event)

    _on_key.keeps_key_order = True  # type: ignore[attr-defined]
    return _on_key


async def run_own_binding(field: Widget, event: events.Key) -> None:
    """Run the field's own (not priority) binding of the key, as the app would."""
    bindings = field._bindings.copy()
    if field.app._keymap:
        bindings.apply_keymap(field.app._keymap)
    for binding in bindings.key_to_bindings.get(event.key, ()):
        if not binding.priority and await field.app.run_action(binding.action, field):
            event.stop()  # handled here: the app must not run it a second time
            event.prevent_default()
            return
