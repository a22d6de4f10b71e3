"""The base of the screens that show the list's view another way: the board, the reports."""

from __future__ import annotations

from textual.screen import Screen

from contacts_tui.services import ContactFilter
from contacts_tui.widgets.app_access import contacts_app


class ListViewScreen(Screen):
    """A screen over the contacts of the list's view (its search and filter).

    It reads what it shows with `reload` when mounted, on ctrl+r, and when another
    session commits while it is on view (a return from a contact reads it anyway);
    escape goes back to the list.
    """

    def __init__(self, contact_filter: ContactFilter) -> None:
        super().__init__()
        self.contact_filter = contact_filter

    def on_mount(self) -> None:
        self.reload()
        contacts_app(self).store_changed.subscribe(self, self._store_changed)

    def _store_changed(self, _committed: object) -> None:
        if self.app.screen is self:
            self.reload()

    def reload(self) -> None:
        """Read what the screen shows again."""
        raise NotImplementedError

    def action_back(self) -> None:
        self.dismiss()

    def action_reload(self) -> None:
        self.reload()
