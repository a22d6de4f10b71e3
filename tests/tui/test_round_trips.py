"""The statements the app sends as a user opens a contact and goes back to the list.

Opening a contact reads the contact (not the whole company table: the Company field's
completions are read when it is first focused); going back re-reads the list, its count
and its dashboard only when something changed.
"""

from __future__ import annotations

from pilot_helpers import screen_text, settle
from statement_log import counted
from textual.widgets import Input

from contacts_tui.app import ContactsApp
from contacts_tui.panels.info_panel import InfoPanel
from contacts_tui.screens.contact_detail import ContactDetailScreen
from contacts_tui.services import ContactService

SIZE = (100, 30)
OPEN_BUDGET = 4


def seed(service: ContactService) -> None:
    for name, company in (("Ada Lovelace", "Analytical Engines"), ("Grace Hopper", "Navy")):
        contact = service.create_contact(name, company)
        service.records.add_email(contact.id, f"{name.split()[0].lower()}@example.org")


async def open_first(app: ContactsApp, pilot) -> ContactDetailScreen:
    await pilot.press("enter")
    await settle(pilot, rounds=3)
    assert isinstance(app.screen, ContactDetailScreen)
    return app.screen


async def test_opening_a_contact_reads_it_within_its_budget_and_no_companies(workspace, service):
    seed(service)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=3)
        with counted() as log:
            screen = await open_first(app, pilot)
        assert len(log.statements) <= OPEN_BUDGET, log.statements
        assert not any('FROM "company"' in s and "JOIN" not in s for s in log.statements)
        assert "ada@example.org" in screen_text(app)
        # The Company field completes from the companies once it is focused.
        with counted() as log:
            screen.query_one("#company", Input).focus()
            await settle(pilot, rounds=2)
        assert len(log.statements) == 1, log.statements
        info = screen.query_one(InfoPanel)
        assert [c.name for c in info.companies] == ["Analytical Engines", "Navy"]
        company = screen.query_one("#company", Input)
        company.value = ""
        await pilot.press(*"Na")
        await pilot.pause()
        assert company._suggestion == "Navy"


async def test_back_without_a_change_reads_nothing_again(workspace, service):
    seed(service)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=3)
        await open_first(app, pilot)
        with counted() as log:
            await pilot.press("escape")
            await settle(pilot, rounds=3)
        assert not isinstance(app.screen, ContactDetailScreen)
        assert log.statements == []
        assert "Ada Lovelace" in screen_text(app)


async def test_back_after_a_stage_change_shows_it_in_the_list(workspace, service):
    seed(service)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=3)
        assert "Lead Generation 2" in screen_text(app)  # the dashboard's categories
        screen = await open_first(app, pilot)
        with counted() as log:
            await pilot.press("l", "right", "right", "enter", "ctrl+s")
            await settle(pilot, rounds=3)
        # The move itself, and (the change feed seeing our own commit) one re-read.
        assert len(log.statements) <= 6 + OPEN_BUDGET, log.statements
        assert "Interested" in str(screen.query_one("#detail-title").render())
        with counted() as log:
            await pilot.press("escape")
            await settle(pilot, rounds=3)
        assert not isinstance(app.screen, ContactDetailScreen)
        assert any("COUNT" in s.upper() for s in log.statements), log.statements
        assert "Lead Generation 1" in screen_text(app)
