"""The app opens on real rows from the store and quits with q."""

from __future__ import annotations

from pilot_helpers import screen_text, settle

from contacts_tui.app import ContactsApp


async def test_app_shows_contacts_and_quits_with_q(workspace, service):
    service.create_contact("Ada Lovelace", "Analytical Engines Ltd")
    service.create_contact("Grace Hopper")
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        for expected in (
            "Ada Lovelace",
            "Analytical Engines",
            "Grace Hopper",
            "Tenant-Wide",
            "Open",
        ):
            assert expected in text, text
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
