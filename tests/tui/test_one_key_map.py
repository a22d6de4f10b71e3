"""One key map for the product: a letter means one kind of action on every screen.

Read from the bindings of every screen, dialog and widget, so a new binding that gives a
letter another meaning (`e` to edit, `s` to save) fails here, not in a user's hands.
"""

from __future__ import annotations

from contacts_tui.app import ContactsApp
from contacts_tui.widgets.keymap import class_bindings, ui_classes

# key -> the actions it may run, anywhere (the README's key map, in code).
KINDS = {
    "a": {"add", "create", "upload"},  # add a new one here
    "d": {"archive", "delete", "remove", "discard", "choose('discard')"},  # remove (asks)
    "e": {"export", "save_copy"},  # write to a file outside the app
    "i": {"import"},  # read contacts from a file
    "s": {"sort"},  # never "save": ctrl+s saves
    "A": {"accounts"},
    # tick, fold, mark; a Select's list opens (Textual's own binding, as enter does)
    "space": {"toggle", "toggle_node", "toggle_button", "select", "make_primary", "show_overlay"},
    "ctrl+s": {"save", "done", "start", "save_anyway", "choose('save')"},
    "slash": {"search"},
    "f": {"filter"},
    "c": {"columns"},
}


def bound_actions() -> dict[str, set[tuple[str, str]]]:
    """key -> {(class name, action)} over every binding of the app."""
    found: dict[str, set[tuple[str, str]]] = {}
    for cls in ui_classes(ContactsApp):
        for binding in class_bindings(cls):
            for key in binding.key.split(","):
                found.setdefault(key.strip(), set()).add((cls.__qualname__, binding.action))
    return found


def test_each_key_of_the_key_map_means_one_kind_of_thing_everywhere():
    found = bound_actions()
    wrong = {
        key: sorted((cls, action) for cls, action in found.get(key, ()) if action not in allowed)
        for key, allowed in KINDS.items()
    }
    assert {key: w for key, w in wrong.items() if w} == {}


def test_the_keys_the_issue_found_mixed_up_are_apart_now():
    found = bound_actions()
    assert ("ContactDetailScreen", "edit") not in found["e"]  # e exported on the list
    assert ("DocumentsPanel", "save_copy") in found["e"]  # not s, beside ^s Save
    assert ("ContactListScreen", "accounts") in found["A"]  # no longer palette-only
    assert all(action == "sort" for _, action in found["s"])
