"""The real `contacts-tui` command in a pseudo-terminal: everyday actions whose toasts once
ended the process, and a save while another process holds the write lock.

Pilot draws nothing to a terminal; here the app's own bytes go to a pty, as over SSH.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import time
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ROWS, COLUMNS = 30, 100
ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[^\[\]])")


class Terminal:
    """The app in a pty, and the text it has drawn so far (escape sequences removed)."""

    def __init__(self, folder: Path, cwd: Path) -> None:
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(ROWS))
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "contacts_tui", "--home", str(folder)],
            cwd=str(cwd),
            env=env,
            dimensions=(ROWS, COLUMNS),
            encoding="utf-8",
            codec_errors="replace",
        )
        self.text = ""
        self.mark = 0

    def read(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                self.text += self.child.read_nonblocking(65536, timeout=0.1)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                return

    def wait_for(self, wanted: str, seconds: float = 60) -> float:
        """Seconds until `wanted` was drawn (after the last thing waited for)."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            shown = ESCAPE_SEQUENCE.sub("", self.text)
            found = shown.find(wanted, self.mark)
            if found >= 0:
                self.mark = found + len(wanted)
                return time.monotonic() - started
            assert self.child.isalive(), f"the app ended; it showed:\n{shown[-2000:]}"
            self.read(0.2)
        raise AssertionError(f"{wanted!r} never showed; the end of the screen:\n{shown[-1500:]}")

    def press(self, *keys: str) -> None:
        for key in keys:
            self.child.send(key)
            self.read(0.3)

    def stays_alive(self, seconds: float) -> None:
        """Toasts are drawn, and time out, while the app keeps running."""
        self.read(seconds)
        assert self.child.isalive(), ESCAPE_SEQUENCE.sub("", self.text)[-2000:]


ESC, ENTER, TAB, SHIFT_TAB, CTRL_S, CTRL_U, CTRL_K = (
    "\x1b",
    "\r",
    "\t",
    "\x1b[Z",
    "\x13",
    "\x15",
    "\x0b",
)


@pytest.fixture
def terminal(workspace, service, tmp_path):
    for name in ("Ada Lovelace", "Bea Brown"):
        service.create_contact(name)
    (tmp_path / "people.csv").write_text("Name,E-mail\nCy Clark,cy@example.com\n")
    term = Terminal(workspace.folder, tmp_path)
    term.wait_for("Ada Lovelace")
    yield term
    if term.child.isalive():
        term.child.terminate(force=True)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc")
def test_the_list_runs_without_openssl(terminal):
    """4.5 MB resident for the whole session, for TLS it never opens (cli.run_app)."""
    libraries = Path(f"/proc/{terminal.child.pid}/maps").read_text()
    assert "libcrypto" not in libraries
    assert "libssl" not in libraries
    terminal.press("j")
    terminal.wait_for("Bea Brown")


@pytest.mark.slow  # a real terminal and a real process: about a minute
def test_archive_restore_import_and_a_save_under_a_held_lock_keep_the_app_alive(
    terminal, workspace, service, tmp_path
):
    term = terminal
    # Archive the contact under the cursor, then let the toast draw and time out.
    term.press("d")
    term.wait_for("Archive Ada Lovelace?")
    term.press("y")
    term.wait_for("Archived Ada Lovelace")
    term.stays_alive(6)

    # Restore it from the archived view (the filter dialog's last field).
    term.press("f")
    term.wait_for("Show archived contacts instead")
    term.press(SHIFT_TAB, SHIFT_TAB, SHIFT_TAB, SHIFT_TAB, " ", TAB, ENTER)
    term.read(1)
    term.press("d")
    term.wait_for("Restore Ada Lovelace?")
    term.press("y")
    term.wait_for("Restored Ada Lovelace")
    term.stays_alive(6)
    assert not service.get_contact(service.list_page().rows[0].id).archived
    term.press("x")  # back to the active contacts

    # Import a file, then close the dialog: the summary toast draws.
    term.press("i")
    term.read(2)
    term.press(CTRL_U, CTRL_K, *str(tmp_path / "people.csv"), ENTER)
    term.wait_for("Would import 1 contact")
    term.press(ENTER)
    term.wait_for("Imported 1 contact")
    term.press(ENTER)
    term.wait_for("Import")
    term.stays_alive(6)
    assert service.count() == 3

    # Another process holds the write lock while the user saves a contact's name.
    term.press("g", "j", ENTER)  # the second contact: Bea Brown
    term.wait_for("History (3)")
    term.read(2)
    term.press("0", CTRL_U, CTRL_K, *"Bea Black")  # 0: the fields (e is export)
    holder = sqlite3.connect(workspace.folder / "contacts.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        term.press(CTRL_S)
        waited = term.wait_for("Waiting for another user's change to finish", seconds=20)
        assert term.child.isalive()
    finally:
        holder.rollback()
        holder.close()
    term.wait_for("Saved")
    term.stays_alive(3)
    assert waited < 20
    assert [r.name for r in service.list_page().rows if r.name.startswith("Bea")] == ["Bea Black"]
    term.press(ESC, "q")
    term.child.expect(pexpect.EOF, timeout=30)
    term.child.close()
    assert term.child.exitstatus == 0
