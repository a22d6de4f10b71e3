"""Files a killed upload, export or backup leaves: never taken for complete, removed later."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from contacts_tui.cli import main
from contacts_tui.services import ContactService
from contacts_tui.temp_files import PART_SUFFIX, create_locked, is_leftover
from contacts_tui.workspace import open_workspace

# A child process that starts the command, then dies by SIGKILL in the middle of writing.
KILLED_MIDWAY = """
import os, signal, sys
from contacts_tui import backup, documents, export
from contacts_tui.cli import main

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

what = sys.argv[1]
if what == "backup":
    real_copy = backup._copy
    def copy_then_die(db, temp):
        real_copy(db, temp)  # a complete copy, under its temporary name
        die()
    backup._copy = copy_then_die
elif what == "export":
    export.write_csv = lambda out, *rest: (out.write("Id\\r\\n"), out.flush(), die())
else:
    documents._copy_counted = die
main(sys.argv[2:])
"""


def killed(what: str, *argv: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_MIDWAY), what, *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == -9, done.stderr


def age(path: Path, seconds: float = 60) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_killed_backup_leaves_no_file_under_the_target_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "ws"
    ws = open_workspace(home)
    ContactService(ws.config, ws.user).create_contact("Ada")

    killed("backup", "--home", str(home), "backup", "-o", "b.db")

    assert not (tmp_path / "b.db").exists()
    (part,) = tmp_path.glob(f".b.db.*{PART_SUFFIX}")
    assert f".{os.getpid()}-" not in part.name  # the killed child's pid, not ours
    age(part)
    assert main(["--home", str(home), "check"]) == 0
    assert f"repaired: Removed {part}, left by a killed" in capsys.readouterr().out
    assert not part.exists()
    assert main(["--home", str(home), "backup", "-o", "b.db"]) == 0  # the name is free


def test_a_killed_export_and_upload_are_cleaned_at_the_next_start(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "ws"
    ws = open_workspace(home)
    contact = ContactService(ws.config, ws.user).create_contact("Ada")
    (tmp_path / "a.txt").write_bytes(b"contract")

    killed("export", "--home", str(home), "export", "-o", "out.csv")
    killed("upload", "--home", str(home), "documents", "add", str(contact.id), "a.txt")

    assert not (tmp_path / "out.csv").exists()
    (part,) = tmp_path.glob(f".out.csv.*{PART_SUFFIX}")
    (upload,) = ws.documents.glob(".upload-*.tmp")
    age(part)
    age(upload)
    assert main(["--home", str(home), "documents", "list", str(contact.id)]) == 0
    assert not part.exists() and not upload.exists()


def test_a_live_writers_temp_file_survives(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fd, path = create_locked(tmp_path, ".x.", PART_SUFFIX)
    try:
        age(path, 3600)
        assert not is_leftover(path)
        assert main(["--home", str(tmp_path / "ws"), "check"]) == 0
        assert path.exists()
    finally:
        os.close(fd)
    assert is_leftover(path)


def test_a_brand_new_temp_file_is_left_alone(tmp_path):
    """Between creating its file and locking it a writer holds no lock: a moment only."""
    path = tmp_path / f".y.1-2{PART_SUFFIX}"
    path.write_bytes(b"")
    assert not is_leftover(path)
    age(path)
    assert is_leftover(path)
