"""The user's keymap (settings.toml `[keymap]`): which ids it names that no key has,
and which keys it makes mean two things on one screen.

Textual applies a keymap silently: an id it does not know is ignored, a clash is only
handed to `App.handle_bindings_clash` on a key press. A user who mistyped an id or
took a key already in use would just find the key doing nothing, or the other thing.
So the keymap is checked once against every binding of the app and what is wrong is
said in one line.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import replace

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

UI_PACKAGES = ("dialogs", "panels", "screens", "widgets")


def ui_classes(app_class: type) -> list[type]:
    """Every class of the app's UI that can have bindings (its modules imported first:
    some dialogs are imported only when first opened)."""
    for package_name in UI_PACKAGES:
        package = importlib.import_module(f"contacts_tui.{package_name}")
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")

    def subclasses(cls: type) -> Iterator[type]:
        sub: type
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = {c for c in subclasses(DOMNode) if c.__module__.startswith("contacts_tui.")}
    return [app_class, *sorted(ours - {app_class}, key=lambda c: c.__qualname__)]


def class_bindings(cls: type) -> list[Binding]:
    """The bindings a class has, its own and its bases' (as Textual merges them)."""
    found: list[Binding] = []
    for klass in reversed(cls.__mro__):
        found += [b for b in klass.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
    return found


def shown_keys(app: App, binding: Binding) -> list[str]:
    """The keys of a binding as the footer writes them, the user's [keymap] applied.

    For a binding that is not active (a part of the screen without the focus), which
    Textual has not remapped: the active ones come remapped in `Screen.active_bindings`.
    """
    keymap: dict[str, str] = getattr(app, "keymap", {})
    if binding.id in keymap:
        keys, key_display = keymap[binding.id], None
    else:
        keys, key_display = binding.key, binding.key_display
    return [
        app.get_key_display(replace(binding, key=key.strip(), key_display=key_display))
        for key in keys.split(",")
    ]


def keymap_problems(keymap: dict[str, str], app_class: type) -> tuple[list[str], list[str]]:
    """(ids no binding has, clashes as "key: id, id"), each sorted.

    A clash is a key the keymap gives to a binding while another binding of the same
    widget or screen (or, on a screen, of the app) keeps it or is given it too.
    """
    classes = ui_classes(app_class)
    known = {b.id for cls in classes for b in class_bindings(cls) if b.id}
    unknown = sorted(set(keymap) - known)
    app_bindings = class_bindings(app_class)
    clashes: set[str] = set()
    for cls in classes:
        bindings = class_bindings(cls)
        if issubclass(cls, Screen):
            bindings = app_bindings + bindings
        owners: dict[str, set[str]] = {}
        remapped: set[str] = set()
        for binding in bindings:
            name = binding.id or binding.action
            keys = keymap.get(binding.id or "", binding.key)
            for key in (k.strip() for k in keys.split(",")):
                owners.setdefault(key, set()).add(name)
                if binding.id in keymap:
                    remapped.add(key)
        for key in remapped:
            if len(owners[key]) > 1:
                clashes.add(f"{key}: {', '.join(sorted(owners[key]))}")
    return unknown, sorted(clashes)


def keymap_report(keymap: dict[str, str], bad: list[str], app_class: type) -> str | None:
    """The one line that says what is wrong with the keymap, or None when nothing is."""
    unknown, clashes = keymap_problems(keymap, app_class)
    parts = []
    if unknown:
        parts.append(f"unknown ids (ignored): {', '.join(unknown)}")
    if bad:
        parts.append(f"not a key (ignored): {', '.join(sorted(bad))}")
    if clashes:
        parts.append(f"keys taken twice: {'; '.join(clashes)}")
    return "settings.toml [keymap]: " + " · ".join(parts) if parts else None
