"""The UI's typed view of the app (widgets/app_access.py) matches ContactsApp."""

from __future__ import annotations

from textual.widgets import Static

from contacts_tui.app import ContactsApp
from contacts_tui.widgets.app_access import ContactsAppParts, contacts_app


async def test_the_contacts_app_has_every_part_the_ui_uses(workspace):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app, ContactsAppParts)
        parts = contacts_app(app.screen)
        assert parts is app
        assert parts.service is app.service
        assert parts.workspace is workspace


def test_a_missing_part_is_noticed():
    """The check above can fail: an app without the store's signals is not the contacts app."""

    class Bare:
        service = workspace = first_page = None

        def use_lifecycle(self, config) -> None: ...

    assert not isinstance(Bare(), ContactsAppParts)
    assert not isinstance(Static(), ContactsAppParts)
