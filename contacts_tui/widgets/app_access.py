"""What the UI uses of the contacts app beyond Textual's `App`, typed: `contacts_app(node)`.

`node.app` is typed as a plain `App`. The UI cannot import ContactsApp to say more (app.py
is the floor above every screen), so this Protocol names the parts it uses and
`contacts_app` is the one place that casts; tests/tui/test_app_access.py checks that
ContactsApp has every part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast, runtime_checkable

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.signal import Signal

    from contacts_tui.lifecycle import LifecycleConfig
    from contacts_tui.services import ContactService, Page
    from contacts_tui.services.live import Committed
    from contacts_tui.workspace import Workspace


@runtime_checkable
class ContactsAppParts(Protocol):
    service: ContactService
    """The door to the store: every read and write of the UI."""

    workspace: Workspace

    first_page: Page | None
    """The list's first page, read while the app started; the list takes it once."""

    store_changed: Signal[Committed]
    """Another session (or this one) committed: screens re-read what it touched."""

    lifecycle_changed: Signal[LifecycleConfig]
    """Another lifecycle configuration is in force."""

    keymap: dict[str, str]
    """The user's remapped keys: binding id -> keys (settings.toml's [keymap])."""

    def use_lifecycle(self, config: LifecycleConfig) -> None:
        """Make `config` the configuration in force, and have every screen show it."""


def contacts_app(node: DOMNode) -> ContactsAppParts:
    """The app `node` runs in, as the contacts app."""
    return cast("ContactsAppParts", node.app)
