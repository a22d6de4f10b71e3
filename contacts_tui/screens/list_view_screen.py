"""The base of the screens that show the list's view another way: the board, the reports."""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen

from contacts_tui.lifecycle import Template
from contacts_tui.safe_text import display_safe
from contacts_tui.services import ContactFilter
from contacts_tui.widgets.app_access import contacts_app


class ListViewScreen(Screen):
    """A screen over the contacts of the list's view (its search and filter), for one
    lifecycle template at a time (t shows the next one).

    It reads what it shows with `reload` when mounted, on ctrl+r, and when another
    session commits while it is on view (a return from a contact reads it anyway);
    escape goes back to the list.
    """

    def __init__(self, contact_filter: ContactFilter, template: str | None = None) -> None:
        """`template`: its key; none, or one the configuration lacks: the default one."""
        super().__init__()
        self.contact_filter = contact_filter
        config = contacts_app(self).service.config
        self.template: Template = config.template(template) or config.default

    def take_next_template(self) -> Template:
        """Show the next template of the configuration in force (after the last, the first)."""
        templates = contacts_app(self).service.config.templates
        keys = [t.key for t in templates]
        index = keys.index(self.template.key) if self.template.key in keys else -1
        self.template = templates[(index + 1) % len(templates)]
        return self.template

    def describe_view(self, text: Text, filtered: str) -> Text:
        """`text` followed by the view's search, and `filtered` when a filter applies."""
        f = self.contact_filter
        if f.search:
            text.append(f" · search “{display_safe(f.search)}”")
        if f != ContactFilter(search=f.search):
            text.append(filtered)
        return text

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
