"""A save that waits for another user's lock says so on screen, and never loses the edit."""

from __future__ import annotations

import sqlite3
import time

from pilot_helpers import settle, toasts
from textual.widgets import Input

from contacts_tui.app import ContactsApp
from contacts_tui.screens.contact_detail import ContactDetailScreen
from contacts_tui.store import database as store_database
from contacts_tui.widgets import reporting

SIZE = (100, 30)
WAITING = "Waiting for another user's change to finish…"


class HeldLock:
    """Another user's unfinished change of the contact: SQLite's write lock, or on
    PostgreSQL an open transaction that updated the contact's row."""

    def __init__(self, workspace, backend: str, contact_id: int) -> None:
        db = workspace.database
        if backend == "postgresql":
            import psycopg2

            self.other = psycopg2.connect(dbname=db.database, **db.connect_params)
            self.other.cursor().execute(
                "UPDATE contact SET scoring = scoring WHERE id = %s", (contact_id,)
            )
        else:
            self.other = sqlite3.connect(db.database, isolation_level=None)
            self.other.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.other.rollback()
        self.other.close()


async def edit_name_and_save(app, pilot, contact_id: int) -> ContactDetailScreen:
    await settle(pilot, rounds=2)
    await app.push_screen(ContactDetailScreen(contact_id))
    await settle(pilot, rounds=3)
    name = app.screen.query_one("#name", Input)
    name.focus()
    name.value = "Ada King"
    await pilot.pause()
    await pilot.press("ctrl+s")
    return app.screen


async def wait_for_toast(pilot, text: str, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if any(text in t for t in await toasts(pilot)):
            return time.monotonic() - started
        await pilot.pause(0.05)
    raise AssertionError(f"no toast saying {text!r} within {seconds} s")


async def test_a_save_under_another_users_lock_says_it_waits_then_saves(
    workspace, service, backend, monkeypatch
):
    told: list[float] = []
    real = reporting.waiting_for_lock

    def waiting_for_lock(node) -> None:
        told.append(time.monotonic())
        real(node)

    monkeypatch.setattr(reporting, "waiting_for_lock", waiting_for_lock)
    ada = service.create_contact("Ada Lovelace")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        held = HeldLock(workspace, backend, ada.id)
        try:
            detail = await edit_name_and_save(app, pilot, ada.id)
            saved_at = time.monotonic()
            await wait_for_toast(pilot, WAITING, 10)
            # Told within a second of ctrl+s (store-level tests time it exactly; a
            # loaded test machine is given some slack for the worker to start).
            assert told and told[0] - saved_at < 2
            assert detail.writing  # still trying
        finally:
            held.release()
        await settle(pilot, rounds=3)
        assert not detail.query_one("#info").dirty
    assert service.get_contact(ada.id).name == "Ada King"


async def test_a_save_that_outwaits_the_busy_timeout_says_so_and_keeps_the_edit(
    workspace, service, backend, monkeypatch
):
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 700)
    ada = service.create_contact("Ada Lovelace")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        held = HeldLock(workspace, backend, ada.id)
        try:
            detail = await edit_name_and_save(app, pilot, ada.id)
            await wait_for_toast(pilot, "nothing was saved; try again", 20)
            assert detail.query_one("#name", Input).value == "Ada King"
            assert detail.query_one("#info").dirty
            assert service.get_contact(ada.id).name == "Ada Lovelace"
        finally:
            held.release()
        await pilot.press("ctrl+s")  # the way to try again: it works once the lock is gone
        await settle(pilot, rounds=3)
        assert not detail.query_one("#info").dirty
    assert service.get_contact(ada.id).name == "Ada King"
