"""A big import into a small workspace builds the indexes only reads use after its rows
(`store.deferred_indexes`): the workspace it leaves is the same as a row-by-row import's,
colleagues meanwhile see its contacts and save theirs, and nothing is left half-built."""

from __future__ import annotations

import csv
import fcntl
import os
import sqlite3
import threading
import time

import pytest

from contacts_tui.cli import main
from contacts_tui.services import ContactFilter, ContactService, imports
from contacts_tui.store import deferred_indexes
from contacts_tui.store.models import database
from contacts_tui.store.search import fold
from contacts_tui.workspace import open_workspace

FIRST = ("Ada", "Chloé", "Łukasz", "José", "Grace", "Hiro", "Zoë")
LAST = ("Lovelace", "Müller", "Okafor", "Sato", "Hopper", "Ivanov")
COUNTRIES = (("London", "GB", "020 7946 {:04d}"), ("Toronto", "Canada", "416-555-{:04d}"))


def write_address_book(path, rows: int) -> None:
    """An address book's CSV: accents, shared companies, a few rows without a phone."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["First Name", "Last Name", "E-mail", "Phone", "Company", "City",
                         "Country"])  # fmt: skip
        for n in range(rows):
            first, last = FIRST[n % 7], LAST[n % 6]
            city, country, phone = COUNTRIES[n % 2]
            writer.writerow(
                [first, last, f"p{n}@example.com", "" if n % 9 == 0 else phone.format(n),
                 f"Firm {n % 13}", city, country]
            )  # fmt: skip


def indexes(db) -> list[tuple[str, str]]:
    return db.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
    ).fetchall()


def every_row(db) -> dict[str, list[tuple]]:
    """Every table's rows (FTS5's own tables included), in order."""
    tables = [
        name
        for (name,) in db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migration'"
        )
    ]
    rows = {t: db.execute_sql(f'SELECT * FROM "{t}"').fetchall() for t in tables}
    rows["contact_fts"] = db.execute_sql("SELECT rowid, search_doc FROM contact_fts").fetchall()
    return {t: sorted(r, key=repr) for t, r in rows.items()}


def answers(service: ContactService) -> dict:
    """What a colleague's list shows: sorted pages, searches, counts."""
    shown = {}
    for sort in ("name", "email", "phone", "company", "stage", "updated"):
        for descending in (False, True):
            page = service.list_page(sort=sort, descending=descending, limit=40)
            shown[sort, descending] = [r.id for r in page.rows]
    for text in ("ch", "z", "mül", "lukasz", "firm 1", "+44", "example.com"):
        rows = service.list_page(ContactFilter(search=text), limit=5000).rows
        shown[text] = sorted(r.id for r in rows)
        shown[text, "count"] = service.count(ContactFilter(search=text))
    shown["all"] = service.count()
    return shown


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(imports, "utc_now", lambda: "2026-12-01 02:00:00")


def import_into_new(tmp_path, name: str, path, bulk: bool, monkeypatch, **options):
    monkeypatch.setattr(imports, "BULK_FROM", 100 if bulk else 10**9)
    monkeypatch.setattr(imports, "PAUSE_SECONDS", 0)
    workspace = open_workspace(tmp_path / name)
    service = ContactService(workspace.config, workspace.user)
    dropped: list[bool] = []

    def progress(done: int, total: int) -> None:
        names = {n for n, _ in indexes(workspace.database)}
        dropped.append("contact_sort_name" not in names)
        # Those a new contact goes at the end of stay (a CSV file's contacts).
        assert set(deferred_indexes.IN_ORDER) <= names

    summary = imports.import_contacts(
        service, path, on_duplicate="create", batch_size=60, progress=progress, **options
    )
    return workspace, service, summary, dropped


def test_a_bulk_import_leaves_the_workspace_a_row_by_row_one_leaves(
    tmp_path, monkeypatch, fixed_clock, capsys
):
    path = tmp_path / "book.csv"
    write_address_book(path, 300)
    results = {}
    for bulk in (False, True):
        workspace, service, summary, dropped = import_into_new(
            tmp_path, f"ws-{bulk}", path, bulk, monkeypatch
        )
        assert summary.imported == 300
        assert any(dropped[1:-1]) is bulk  # the bulk one wrote its batches without them
        db = workspace.database
        assert db.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
        db.execute_sql("INSERT INTO contact_fts(contact_fts, rank) VALUES ('integrity-check', 1)")
        assert main(["--home", str(workspace.folder), "check"]) == 0, capsys.readouterr()
        results[bulk] = (indexes(db), every_row(db), answers(service))
        db.close()
    assert results[True][0] == results[False][0]  # every index, as defined
    assert results[True][1] == results[False][1]  # every row of every table
    assert results[True][2] == results[False][2]  # and the list's answers
    assert results[True][1]["deferred_index"] == []


def test_a_colleague_sees_the_contacts_come_and_saves_meanwhile(tmp_path, monkeypatch):
    path = tmp_path / "book.csv"
    write_address_book(path, 600)
    monkeypatch.setattr(imports, "BULK_FROM", 100)
    workspace = open_workspace(tmp_path / "ws")
    service = ContactService(workspace.config, workspace.user)
    importer = ContactService(workspace.config, "importer")
    half_way, looked = threading.Event(), threading.Event()

    def progress(done: int, total: int) -> None:
        if done == 300:
            half_way.set()
            looked.wait(10)

    importing = threading.Thread(
        target=imports.import_contacts,
        args=(importer, path),
        kwargs={"on_duplicate": "create", "batch_size": 100, "progress": progress},
    )
    saves: list[float] = []
    stop = threading.Event()

    def colleague_saves() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            service.create_contact(f"Colleague {len(saves)}")
            saves.append(time.perf_counter() - started)

    saving = threading.Thread(target=colleague_saves)
    importing.start()
    saving.start()
    try:
        assert half_way.wait(20)
        with database.connection_context():
            names = {n for n, _ in indexes(database.obj)}
        assert "contact_sort_name" not in names  # the bulk path is on
        # Half the file is there, sorted, searchable and counted as anywhere else.
        rows = service.list_page(ContactFilter(search="example.com"), limit=1000).rows
        assert len(rows) == 300
        assert service.count(ContactFilter(search="example.com")) == 300
        page = service.list_page(limit=1000).rows
        keys = [(fold(r.name), r.id) for r in page]
        assert len(page) >= 300 and [k[1] for k in keys] == [k[1] for k in sorted(keys)]
        assert {r.name for r in service.list_page(ContactFilter(search="lu"), limit=1000).rows}
    finally:
        looked.set()
        importing.join(30)
        stop.set()
        saving.join(10)
    assert saves and max(saves) < 1.0, max(saves)
    with database.connection_context():
        assert "contact_sort_name" in {n for n, _ in indexes(database.obj)}
    assert service.count(ContactFilter(search="example.com")) == 600
    workspace.database.close()


def test_a_bulk_import_that_fails_half_way_leaves_nothing_half_built(tmp_path, monkeypatch, capsys):
    path = tmp_path / "book.csv"
    write_address_book(path, 400)
    monkeypatch.setattr(imports, "BULK_FROM", 100)
    workspace = open_workspace(tmp_path / "ws")
    service = ContactService(workspace.config, workspace.user)
    whole = indexes(workspace.database)
    writes = []
    original = imports._write_batch

    def failing(run, batch):
        writes.append(len(batch))
        if len(writes) == 3:
            raise sqlite3.OperationalError("disk I/O error")
        return original(run, batch)

    monkeypatch.setattr(imports, "_write_batch", failing)
    with pytest.raises(sqlite3.OperationalError):
        imports.import_contacts(service, path, on_duplicate="create", batch_size=100)
    db = workspace.database
    assert indexes(db) == whole
    assert db.execute_sql("SELECT COUNT(*) FROM deferred_index").fetchone() == (0,)
    assert service.count() == 200  # the two batches written stay, whole
    assert main(["--home", str(workspace.folder), "check"]) == 0, capsys.readouterr()
    db.close()


def test_indexes_an_import_that_died_left_out_are_built_when_the_workspace_opens(tmp_path):
    workspace = open_workspace(tmp_path / "ws")
    whole = indexes(workspace.database)
    with workspace.database.connection_context():
        deferred_indexes._drop(workspace.database)  # and then the process was killed
    left = indexes(workspace.database)
    assert len(left) == len(whole) - len(deferred_indexes.DEFERRED)
    workspace.database.close()
    # While another import runs (its flock held), opening leaves them to it.
    lock = os.open(f"{workspace.folder / 'contacts.db'}-bulk.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_SH)
    again = open_workspace(tmp_path / "ws")
    assert indexes(again.database) == left
    again.database.close()
    os.close(lock)
    again = open_workspace(tmp_path / "ws")
    assert indexes(again.database) == whole
    assert again.database.execute_sql("SELECT COUNT(*) FROM deferred_index").fetchone() == (0,)
    again.database.close()


def test_a_big_import_takes_the_bulk_path_only_into_a_small_sqlite_workspace(
    backend, workspace, service, tmp_path, monkeypatch
):
    path = tmp_path / "book.csv"
    write_address_book(path, 300)
    monkeypatch.setattr(imports, "BULK_FROM", 100)
    monkeypatch.setattr(imports, "BULK_AT_MOST", 700)
    taken = []
    original = deferred_indexes.built_after

    def built_after(db, *kept):
        taken.append(True)
        return original(db, *kept)

    monkeypatch.setattr(deferred_indexes, "built_after", built_after)
    imports.import_contacts(service, path, on_duplicate="create")
    assert taken == ([True] if backend == "sqlite" else [])  # PostgreSQL: row by row
    imports.import_contacts(service, path, on_duplicate="create")  # into 300: bulk again
    imports.import_contacts(service, path, on_duplicate="create")  # past BULK_AT_MOST
    assert len(taken) == (2 if backend == "sqlite" else 0)
    assert service.count(ContactFilter(search="example.com")) == 900
    assert service.count(ContactFilter(search="lu")) == 3 * 43  # Łukasz: rows 2, 9, … 296


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_indexes_whose_new_entries_go_at_their_end_stay_unless_the_contacts_carry_times(
    tmp_path, monkeypatch, capsys, fmt
):
    book = tmp_path / "book.csv"
    write_address_book(book, 200)
    path = book
    if fmt == "json":  # our own export: every contact with its own times
        assert main(["--home", str(tmp_path / "from"), "import", str(book)]) == 0
        path = tmp_path / "book.json"
        assert main(["--home", str(tmp_path / "from"), "export", "--format", "json",
                     "-o", str(path)]) == 0  # fmt: skip
    monkeypatch.setattr(imports, "BULK_FROM", 100)
    monkeypatch.setattr(imports, "PAUSE_SECONDS", 0)
    workspace = open_workspace(tmp_path / "ws")
    service = ContactService(workspace.config, workspace.user)
    whole = indexes(workspace.database)
    seen = []

    def progress(done: int, total: int) -> None:
        if 0 < done < total:
            seen.append({n for n, _ in indexes(workspace.database)})

    summary = imports.import_contacts(
        service, path, on_duplicate="create", batch_size=50, progress=progress
    )
    assert summary.imported == 200
    for names in seen:
        assert "contact_sort_name" not in names and "contact_word_contact" not in names
        assert (set(deferred_indexes.IN_ORDER) <= names) is (fmt == "csv")
    assert seen and indexes(workspace.database) == whole
    assert main(["--home", str(workspace.folder), "check"]) == 0, capsys.readouterr()
    workspace.database.close()
