"""Import batches are sized by time, so a colleague's save never waits long for the lock."""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
import time

from contacts_tui.services import ContactFilter, imports
from contacts_tui.store.bulk import Checkpoints
from contacts_tui.store.database import ColleagueWaits
from contacts_tui.store.models import database


def write_people(path, count: int) -> None:
    lines = ["Name,E-mail"] + [f"Person {n},p{n}@example.com" for n in range(count)]
    path.write_text("\n".join(lines) + "\n")


def test_slow_batches_shrink_and_quick_ones_grow(service, tmp_path, monkeypatch):
    path = tmp_path / "people.csv"
    write_people(path, 700)
    monkeypatch.setattr(imports, "PAUSE_SECONDS", 0)
    steps: list[int] = []
    monkeypatch.setattr(imports, "BATCH_SECONDS", 1e-6)  # every batch takes too long
    imports.import_contacts(service, path, progress=lambda done, total: steps.append(done))
    assert steps[:4] == [0, 200, 220, 240]  # down to the smallest batch at once

    write_people(path, 1000)
    steps.clear()
    monkeypatch.setattr(imports, "BATCH_SECONDS", 1e6)  # every batch is quick
    imports.import_contacts(service, path, progress=lambda done, total: steps.append(done))
    assert steps[:4] == [0, 200, 600, 1000]  # doubling, no more, each time
    assert service.count() == 1700 - 700  # the second file's first 700 were duplicates


def test_a_batch_size_asked_for_is_kept(service, tmp_path, monkeypatch):
    path = tmp_path / "people.csv"
    write_people(path, 100)
    monkeypatch.setattr(imports, "BATCH_SECONDS", 1e-6)
    steps: list[int] = []
    imports.import_contacts(
        service, path, batch_size=30, progress=lambda done, total: steps.append(done)
    )
    assert steps == [0, 30, 60, 90, 100]


def test_the_import_checkpoints_between_batches_and_leaves_its_log_copied(
    service, workspace, tmp_path, monkeypatch
):
    # SQLite's own checkpoints ran in the commit of every batch (each rewrites most
    # index pages): the import's are its own, between batches, and one at the end.
    path = tmp_path / "people.csv"
    write_people(path, 1200)
    monkeypatch.setattr(imports, "PAUSE_SECONDS", 0)
    colleague = sqlite3.connect(workspace.folder / "contacts.db")  # keeps the log file
    colleague.execute("SELECT COUNT(*) FROM contact").fetchone()
    checkpoints = []
    original = Checkpoints.added

    def added(self, contacts: int, last: bool = False) -> None:
        checkpoints.append(self.contacts + contacts >= self.every or last)
        original(self, contacts, last)

    monkeypatch.setattr(Checkpoints, "added", added)
    imports.import_contacts(service, path, batch_size=100)
    assert checkpoints[-1] and 1 <= checkpoints.count(True) < len(checkpoints), checkpoints
    # The database file alone (its log left behind) holds every contact.
    alone = tmp_path / "alone.db"
    shutil.copyfile(workspace.folder / "contacts.db", alone)
    assert sqlite3.connect(alone).execute("SELECT COUNT(*) FROM contact").fetchone()[0] == 1200
    colleague.close()


def test_batches_follow_each_other_without_a_pause_while_no_colleague_waits(
    service, tmp_path, monkeypatch
):
    path = tmp_path / "people.csv"
    write_people(path, 600)
    slept: list[float] = []
    monkeypatch.setattr(imports.time, "sleep", slept.append)
    imports.import_contacts(service, path, batch_size=100)
    assert service.count() == 600
    assert slept == []


def test_a_colleague_waiting_to_write_gets_a_pause_before_each_batch(
    service, workspace, tmp_path, monkeypatch
):
    path = tmp_path / "people.csv"
    write_people(path, 600)
    # What a colleague's save holds while it waits for the write lock (`_wanting_to_write`).
    wanted = os.open(f"{workspace.folder / 'contacts.db'}-write-wanted", os.O_RDWR | os.O_CREAT)
    fcntl.flock(wanted, fcntl.LOCK_SH)
    slept: list[float] = []
    monkeypatch.setattr(imports.time, "sleep", slept.append)
    try:
        imports.import_contacts(service, path, batch_size=100)
    finally:
        os.close(wanted)
    assert len(slept) == 6  # before each batch's write; the first has nothing to wait for
    assert all(0 <= s <= imports.PAUSE_SECONDS for s in slept)


def test_a_colleague_save_waiting_for_the_lock_is_seen_by_a_bulk_writer(workspace, service):
    db_path = workspace.folder / "contacts.db"
    waits = ColleagueWaits(database.obj)
    try:
        assert not waits()
        importer = sqlite3.connect(db_path, isolation_level=None)
        importer.execute("BEGIN IMMEDIATE")  # a batch being written
        save = (
            "import sys; from pathlib import Path; "
            "from contacts_tui.workspace import open_workspace; "
            "from contacts_tui.services import ContactService; "
            "ws = open_workspace(Path(sys.argv[1])); "
            "ContactService(ws.config, ws.user).create_contact('Colleague')"
        )
        colleague = subprocess.Popen([sys.executable, "-c", save, str(workspace.folder)])
        deadline = time.monotonic() + 10
        while not waits() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert waits()  # the colleague's save waits for the batch
        importer.execute("COMMIT")  # the batch ends: the colleague's save goes in
        assert colleague.wait(timeout=30) == 0
        importer.close()
        assert not waits()
        assert [c.name for c in service.list_page(ContactFilter()).rows] == ["Colleague"]
    finally:
        waits.close()


def test_a_save_does_not_wait_on_the_sign_itself(workspace, service):
    # Whatever holds the sign's file exclusively (a bulk writer stopped mid-look), a
    # save goes on.
    wanted = os.open(f"{workspace.folder / 'contacts.db'}-write-wanted", os.O_RDWR | os.O_CREAT)
    fcntl.flock(wanted, fcntl.LOCK_EX)
    try:
        service.create_contact("Still saved")
    finally:
        os.close(wanted)
    assert service.count() == 1
