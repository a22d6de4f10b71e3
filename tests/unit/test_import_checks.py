"""A big import file is checked in a second process while this one writes."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from contacts_tui.importer import check_contact
from contacts_tui.services import ContactFilter, import_checks, imports
from contacts_tui.store.models import Contact, database


def write_people(path, count: int) -> None:
    lines = ["Name,E-mail,Phone,Street,City,Zip,Country"]
    for n in range(count):
        if n == 7:
            lines.append(",,,1 King St,Toronto,M5E 1E6,Canada")  # no name, no e-mail: refused
        elif n == 12:
            lines.append("Person 3,p3@example.com,,,,,")  # the same person as line 5
        else:
            lines.append(
                f"Person {n},p{n}@example.com,416-{200 + n % 700}-0199,"
                f"{n} King St,Toronto,M5E 1E6,Canada"
            )
    path.write_text("\n".join(lines) + "\n")


def checking_processes() -> list[int]:
    """The ids of this process's children that check an import file."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and b"import_checks" in command:
            found.append(int(entry.name))
    return found


@pytest.fixture
def in_second_process(monkeypatch):
    """Every file is checked in the second process, in small chunks, and none here."""
    monkeypatch.setattr(import_checks, "PARALLEL_FROM", 1)
    monkeypatch.setattr(import_checks, "second_core", lambda: True)
    monkeypatch.setattr(import_checks, "CHUNK", 2)
    monkeypatch.setattr(imports, "PAUSE_SECONDS", 0)

    def not_here(*args, **kwargs):
        raise AssertionError("checked in the writing process")

    monkeypatch.setattr(import_checks, "check_contact", not_here)


def test_a_file_checked_in_a_second_process_is_imported_as_checked_here(
    service, tmp_path, in_second_process
):
    path = tmp_path / "people.csv"
    write_people(path, 30)
    told = []
    summary = imports.import_contacts(service, path, batch_size=10, on_problem=told.append)
    assert (summary.imported, summary.rejected, summary.duplicates) == (28, 1, 1)
    assert [p.ref for p in told] == ["line 9", "line 14"]  # in the order of the file
    assert "Name is required" in told[0].reason
    assert "the same person as" in told[1].reason
    with database.connection_context():
        first = Contact.get(Contact.name == "Person 4")
        # The list's number as the checking process read it (Toronto's, from the address).
        assert (first.primary_email, first.primary_phone) == ("p4@example.com", "+1 416-204-0199")
    assert service.count(ContactFilter(search="p29@example.com")) == 1
    assert checking_processes() == []


def test_the_rest_is_checked_here_when_the_second_process_stops(
    service, tmp_path, in_second_process, monkeypatch
):
    path = tmp_path / "people.csv"
    # A pipe of 16 KB (about 50 records in chunks of 2), so that the second process waits
    # for the importer: with the 1 MB one it may check all 300 before the kill.
    monkeypatch.setattr(import_checks, "PIPE_BYTES", 16384)
    write_people(path, 300)
    checked_here = []

    def check_here(record, *args, **kwargs):
        checked_here.append(record.ref)
        return check_contact(record, *args, **kwargs)

    monkeypatch.setattr(import_checks, "check_contact", check_here)

    def stop_it(done: int, total: int) -> None:
        if done == 10:  # after the first batch: the second process is some records ahead
            for pid in checking_processes():
                os.kill(pid, signal.SIGKILL)

    summary = imports.import_contacts(service, path, batch_size=10, progress=stop_it)
    assert (summary.imported, summary.rejected, summary.duplicates) == (298, 1, 1)
    assert service.count() == 298  # each contact once: none skipped, none read twice
    assert checked_here and checked_here[-1] == "line 301"
    assert "line 20" not in checked_here  # what the second process had handed over, it had


def test_a_cancel_stops_the_second_process(service, tmp_path, in_second_process):
    path = tmp_path / "people.csv"
    write_people(path, 600)
    summary = imports.import_contacts(service, path, batch_size=10, cancelled=lambda: True)
    assert summary.cancelled
    assert summary.imported == 10 - 1  # the first batch: line 9 refused
    assert checking_processes() == []


def test_a_big_file_is_checked_here_on_a_machine_of_one_core(service, tmp_path, monkeypatch):
    monkeypatch.setattr(import_checks, "PARALLEL_FROM", 1)
    monkeypatch.setattr(import_checks.os, "cpu_count", lambda: 1)
    started = []
    monkeypatch.setattr(import_checks, "_checked_elsewhere", lambda *a: started.append(a))
    path = tmp_path / "people.csv"
    write_people(path, 30)
    summary = imports.import_contacts(service, path, batch_size=10)
    assert (summary.imported, summary.rejected, summary.duplicates) == (28, 1, 1)
    assert started == []


@pytest.mark.parametrize(
    ("cores", "load", "second"),
    [(2, 0.3, True), (2, 6.0, True), (8, 20.0, True), (1, 0.0, False), (None, 0.0, False)],
)
def test_a_second_core_is_used_however_busy_the_machine(monkeypatch, cores, load, second):
    monkeypatch.setattr(import_checks.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(import_checks.os, "getloadavg", lambda: (load, load, load))
    assert import_checks.second_core() is second


@pytest.mark.skipif(not hasattr(__import__("fcntl"), "F_GETPIPE_SZ"), reason="Linux only")
def test_the_pipe_holds_many_chunks_so_checking_goes_on_while_the_importer_writes():
    import fcntl
    import subprocess

    process = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        import_checks._widen(process.stdout)
        held = fcntl.fcntl(process.stdout.fileno(), fcntl.F_GETPIPE_SZ)
    finally:
        process.kill()
        process.communicate()
    assert held >= import_checks.PIPE_BYTES > 8 * 70_000  # several chunks of ~70 KB
