"""A write that waits for another writer's lock says so at once, and gives up clearly."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from contacts_tui.services import DatabaseBusy, waits_reported
from contacts_tui.store import database as store_database


def hold_write_lock(path) -> sqlite3.Connection:
    """Another process's long write: BEGIN IMMEDIATE held until the test commits it."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_waiting_write_reports_within_a_second_and_then_saves(service, workspace):
    contact = service.create_contact("Ada")
    holder = hold_write_lock(workspace.folder / "contacts.db")
    waited: list[float] = []
    started = time.monotonic()
    outcome: dict = {}

    def save() -> None:
        with waits_reported(lambda: waited.append(time.monotonic() - started)):
            outcome["detail"] = service.update_contact(contact.id, contact.version, name="Ada L")

    writer = threading.Thread(target=save)
    writer.start()
    deadline = time.monotonic() + 3
    while not waited and time.monotonic() < deadline:
        time.sleep(0.02)
    assert waited and waited[0] < 1.0, "the wait was not reported within a second"
    assert writer.is_alive(), "the write gave up instead of waiting"
    holder.commit()
    holder.close()
    writer.join(10)
    assert outcome["detail"].name == "Ada L"


def test_a_write_that_outwaits_every_retry_raises_database_busy(service, workspace, monkeypatch):
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 400)
    contact = service.create_contact("Ada")
    holder = hold_write_lock(workspace.folder / "contacts.db")
    waits = []
    try:
        with waits_reported(lambda: waits.append(1)), pytest.raises(DatabaseBusy) as raised:
            service.update_contact(contact.id, contact.version, name="Ada L")
    finally:
        holder.rollback()
        holder.close()
    assert len(waits) == store_database.RETRIES  # each retry says it waits again
    assert "try again" in str(raised.value)
    # The busy timeout is back to normal for the connections that come next.
    assert service.get_contact(contact.id).name == "Ada"


def test_without_a_listener_writes_wait_as_before(service, workspace):
    contact = service.create_contact("Ada")
    holder = hold_write_lock(workspace.folder / "contacts.db")
    timer = threading.Timer(0.5, lambda: (holder.commit(), holder.close()))
    timer.start()
    detail = service.update_contact(contact.id, contact.version, name="Ada L")
    timer.join()
    assert detail.name == "Ada L"


# ----- PostgreSQL: a row lock held by another session's open transaction ----------------


def hold_row_lock(workspace, contact_id: int):
    """Another session updating the same contact, its transaction left open."""
    import psycopg2

    db = workspace.database
    other = psycopg2.connect(dbname=db.database, **db.connect_params)
    other.cursor().execute("UPDATE contact SET scoring = scoring WHERE id = %s", (contact_id,))
    return other


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_write_waiting_for_a_postgres_row_lock_reports_and_then_saves(
    service, workspace, backend
):
    contact = service.create_contact("Ada")
    holder = hold_row_lock(workspace, contact.id)
    waited: list[float] = []
    started = time.monotonic()
    outcome: dict = {}

    def save() -> None:
        with waits_reported(lambda: waited.append(time.monotonic() - started)):
            outcome["detail"] = service.update_contact(contact.id, contact.version, name="Ada L")

    writer = threading.Thread(target=save)
    writer.start()
    try:
        deadline = time.monotonic() + 3
        while not waited and time.monotonic() < deadline:
            time.sleep(0.02)
        assert waited and waited[0] < 1.0, "the wait was not reported within a second"
        assert writer.is_alive(), "the write gave up instead of waiting"
    finally:  # never left holding the lock: the next test's schema reset would wait on it
        holder.commit()
        holder.close()
    writer.join(10)
    assert outcome["detail"].name == "Ada L"
    assert len(waited) == 1


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_postgres_write_that_outwaits_every_retry_raises_database_busy(
    service, workspace, backend, monkeypatch
):
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 600)
    contact = service.create_contact("Ada")
    holder = hold_row_lock(workspace, contact.id)
    waits = []
    started = time.monotonic()
    try:
        with waits_reported(lambda: waits.append(1)), pytest.raises(DatabaseBusy) as raised:
            service.update_contact(contact.id, contact.version, name="Ada L")
    finally:
        holder.rollback()
        holder.close()
    assert time.monotonic() - started < 5  # the busy timeout per retry, not forever
    assert len(waits) == store_database.RETRIES  # each retry says it waits again
    assert "try again" in str(raised.value)
    assert service.get_contact(contact.id).name == "Ada"
    # Nothing is left waiting a short while: the next write, unlocked, just works.
    with waits_reported(lambda: waits.append(1)):
        assert service.update_contact(contact.id, contact.version, name="Ada L").name == "Ada L"


@pytest.mark.parametrize("backend", ["postgresql"])
def test_without_a_listener_a_postgres_write_waits_the_busy_timeout(
    service, workspace, backend, monkeypatch
):
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 1000)
    contact = service.create_contact("Ada")
    holder = hold_row_lock(workspace, contact.id)
    timer = threading.Timer(0.6, lambda: (holder.commit(), holder.close()))
    timer.start()
    detail = service.update_contact(contact.id, contact.version, name="Ada L")
    timer.join()
    assert detail.name == "Ada L"
