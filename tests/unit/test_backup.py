"""`contacts-tui backup`: a consistent private copy, never over another file."""

from __future__ import annotations

import os
import stat

import pytest

from contacts_tui.backup import BackupError, backup_database
from contacts_tui.cli import main
from contacts_tui.services import ContactService
from contacts_tui.workspace import open_workspace


def test_backup_copies_the_contacts_into_a_private_new_file(tmp_path, capsys):
    ws = open_workspace(tmp_path / "ws")
    ContactService(ws.config, ws.user).create_contact("Ada")
    target = tmp_path / "copy.db"
    assert main(["--home", str(tmp_path / "ws"), "backup", "-o", str(target)]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    copy = open_workspace(tmp_path / "restored", db_url=f"sqlite:///{target}")
    assert [r.name for r in ContactService(copy.config, copy.user).list_page().rows] == ["Ada"]


def test_backup_never_overwrites_nor_follows_links(tmp_path, capsys):
    home = str(tmp_path / "ws")
    existing = tmp_path / "existing.db"
    existing.write_text("keep me")
    assert main(["--home", home, "backup", "-o", str(existing)]) == 2
    assert existing.read_text() == "keep me"
    assert "exists already" in capsys.readouterr().err
    link = tmp_path / "link.db"
    os.symlink(tmp_path / "elsewhere.db", link)
    assert main(["--home", home, "backup", "-o", str(link)]) == 2
    assert not (tmp_path / "elsewhere.db").exists()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_backup_of_postgres_points_to_pg_dump(workspace, backend):
    with pytest.raises(BackupError, match="pg_dump"):
        backup_database(workspace.database, workspace.folder / "x.db")
