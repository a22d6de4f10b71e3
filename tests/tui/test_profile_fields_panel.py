"""The contact's profile fields on the information panel: shown, edited, checked, saved."""

from __future__ import annotations

from pilot_helpers import screen_text
from pilot_helpers import settle as settle_workers
from textual.widgets import Input, TextArea

from contacts_tui.app import ContactsApp
from contacts_tui.panels.info_panel import InfoPanel
from contacts_tui.screens.contact_detail import ContactDetailScreen

SIZE = (100, 30)


async def open_detail(app: ContactsApp, pilot, contact_id: int) -> ContactDetailScreen:
    await settle_workers(pilot, rounds=3)
    screen = ContactDetailScreen(contact_id)
    await app.push_screen(screen)
    await settle_workers(pilot, rounds=3)
    assert app.screen is screen
    return screen


async def type_into(pilot, field_id: str, text: str) -> None:
    field = pilot.app.screen.query_one(f"#{field_id}", Input)
    field.focus()
    await pilot.pause()
    field.value = ""
    await pilot.press(*text)
    await pilot.pause()


async def test_profile_fields_are_shown_below_the_spec_fields(workspace, service):
    contact = service.create_contact("Ada Lovelace")
    service.update_contact(
        contact.id,
        contact.version,
        job_title="Analyst",
        department="Engines",
        nickname="Countess",
        birthday="1815-12-10",
        website="https://ada.example",
        notes="First line\nSecond line",
    )
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        assert screen.query_one("#job_title", Input).value == "Analyst"
        assert screen.query_one("#notes", TextArea).text == "First line\nSecond line"
        text = screen_text(app)
        for shown in ("Job Title", "Analyst", "Department", "Engines", "Countess", "1815-12-10"):
            assert shown in text, shown
        assert "https://ada.example" in text and "Second line" in text
        # Below the spec's fields: Company and Lifecycle come first.
        assert text.index("Company") < text.index("Job Title") < text.index("Notes")


async def test_edit_and_save_profile_fields(workspace, service):
    contact = service.create_contact("Ada Lovelace")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "job_title", "CFO")
        await type_into(pilot, "birthday", "--04-12")
        await type_into(pilot, "website", "example.com")
        notes = screen.query_one("#notes", TextArea)
        notes.focus()
        await pilot.press(*"Call back", "enter", *"on Monday")
        await pilot.pause()
        assert "unsaved" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle_workers(pilot, rounds=3)
        assert not screen.query_one(InfoPanel).dirty
        assert screen.query_one("#website", Input).value == "https://example.com"
    saved = service.get_contact(contact.id)
    assert (saved.job_title, saved.birthday) == ("CFO", "--04-12")
    assert saved.website == "https://example.com"
    assert saved.notes == "Call back\non Monday"
    assert {"job_title", "birthday", "website", "notes"} <= {a.field for a in saved.audit}


async def test_a_bad_birthday_is_refused_at_its_field(workspace, service):
    contact = service.create_contact("Ada Lovelace")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "nickname", "Ada")
        await type_into(pilot, "birthday", "31/02/1990")
        await pilot.press("tab")  # leaving the field checks it
        await pilot.pause()
        assert "not a date" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle_workers(pilot, rounds=3)
        assert screen.focused is screen.query_one("#birthday")
        assert "unsaved" in screen_text(app)
    assert service.get_contact(contact.id).version == contact.version
