"""Stored text can never drive the terminal: escape sequences and bidi overrides planted in
every stored text column never reach the screen."""

from __future__ import annotations

import peewee
from pilot_helpers import screen_text, settle

from contacts_tui.app import ContactsApp
from contacts_tui.documents import BlobStore
from contacts_tui.screens.contact_detail import ContactDetailScreen
from contacts_tui.services import ContactService
from contacts_tui.store.models import ALL_MODELS, database

SIZE = (100, 30)
# A clipboard write (OSC 52), a window title (OSC 0), a cursor position report request
# (CSI 6n), the 8-bit CSI, and a right-to-left override that disguises text.
HOSTILE = "\x1b]52;c;SGVsbG8=\x07\x1b]0;pwned\x07\x1b[6n\x9b2J\u202e"
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\u202e")


def plant_everywhere(contact_id: int) -> None:
    """Append HOSTILE to every text column of every row, behind the services' back (an
    older version, a script or another tool wrote them)."""
    with database.connection_context(), database.atomic():
        for model in ALL_MODELS:
            for field in model._meta.sorted_fields:
                text = isinstance(field, peewee.CharField | peewee.TextField)
                if text and field.name not in ("sha256", "name_key", "search_doc", "status"):
                    model.update({field: field.concat(HOSTILE)}).execute()
    assert contact_id


async def test_escape_sequences_in_stored_text_never_reach_the_screen(workspace, tmp_path):
    store = BlobStore(workspace.documents, group_shared=workspace.group_shared)
    service = ContactService(workspace.config, workspace.user, blobs=store)
    ada = service.create_contact("Ada Lovelace", "Analytical Engines")
    service.records.add_email(ada.id, "ada@example.com")
    service.records.add_phone(ada.id, "+44 20 7946 0018")
    service.records.add_address(ada.id, address="1 Square", zip_code="SW1Y 4JH", locality="London")
    service.records.add_bank_account(ada.id, "Coutts", "GB82 WEST 1234 5698 7654 32")
    note = tmp_path / "notes.txt"
    note.write_text("notes\n")
    service.documents.add(ada.id, note, "Note")
    service.update_contact(ada.id, service.get_contact(ada.id).version, full_name="Ada King")
    plant_everywhere(ada.id)

    app = ContactsApp(workspace)
    shots = []
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, rounds=3)
        shots.append(app.export_screenshot())
        await app.push_screen(ContactDetailScreen(ada.id))
        await settle(pilot, rounds=3)
        for tab in ("1", "2", "3"):
            await pilot.press(tab)
            await settle(pilot, rounds=2)
            shots.append(app.export_screenshot())
        assert "Ada Lovelace" in screen_text(app)  # the planted contact is what is shown
    for shot in shots:
        for character in FORBIDDEN:
            assert character not in shot, f"{character!r} reached the screen"
