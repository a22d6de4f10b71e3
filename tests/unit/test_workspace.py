"""The workspace on disk and the command line: safe modes and one clear line per problem."""

from __future__ import annotations

import gc
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from contacts_tui.cli import main
from contacts_tui.services import ContactService
from contacts_tui.workspace import open_workspace


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_run_creates_a_private_workspace(tmp_path):
    old = os.umask(0o022)
    try:
        ws = open_workspace(tmp_path / "team")
        ContactService(ws.config, ws.user).create_contact("Ada")  # creates -wal and -shm
    finally:
        os.umask(old)
    folder = tmp_path / "team"
    assert mode(folder) == 0o700
    assert mode(folder / "contacts.db") == 0o600
    assert mode(folder / "lifecycle.toml") == 0o600
    for extra in ("contacts.db-wal", "contacts.db-shm"):
        if (folder / extra).exists():
            assert mode(folder / extra) == 0o600
    assert (folder / "lifecycle.toml").read_bytes().startswith(b"[settings]")


def test_group_shared_workspace_keeps_the_group(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    folder.chmod(0o2770)
    open_workspace(folder)
    assert mode(folder / "contacts.db") == 0o660


def test_home_option_and_environment(tmp_path, monkeypatch, capsys):
    assert main(["--home", str(tmp_path / "a"), "check"]) == 0
    assert (tmp_path / "a" / "contacts.db").exists()
    monkeypatch.setenv("CONTACTS_TUI_HOME", str(tmp_path / "b"))
    assert main(["check"]) == 0
    assert (tmp_path / "b" / "contacts.db").exists()
    assert main(["check", "--home", str(tmp_path / "c")]) == 0
    assert (tmp_path / "c" / "contacts.db").exists()


def test_db_option_overrides_only_the_database(tmp_path):
    other = tmp_path / "elsewhere.db"
    assert main(["--home", str(tmp_path / "ws"), "--db", f"sqlite:///{other}", "check"]) == 0
    assert other.exists()
    assert not (tmp_path / "ws" / "contacts.db").exists()
    assert (tmp_path / "ws" / "lifecycle.toml").exists()


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err


def test_broken_lifecycle_toml(tmp_path, capsys):
    ws = tmp_path / "ws"
    ws.mkdir(mode=0o700)
    (ws / "lifecycle.toml").write_text("[settings\n")
    assert main(["--home", str(ws), "check"]) == 2
    assert "lifecycle.toml line 1" in one_line_error(capsys)


def test_workspace_that_is_a_file(tmp_path, capsys):
    (tmp_path / "ws").write_text("")
    assert main(["--home", str(tmp_path / "ws"), "check"]) == 2
    assert "not a folder" in one_line_error(capsys)


def test_the_app_that_cannot_open_its_workspace_says_why_and_collects_garbage_again(
    tmp_path, capsys
):
    (tmp_path / "ws").write_text("")
    assert main(["--home", str(tmp_path / "ws")]) == 2  # no subcommand: the TUI
    assert "not a folder" in one_line_error(capsys)
    assert gc.isenabled()  # paused only while the app starts (cli.run_app)


def test_unreachable_postgres(tmp_path, capsys):
    url = f"postgresql://nobody@/nothing?host={tmp_path}"
    assert main(["--home", str(tmp_path / "ws"), "--db", url, "check"]) == 2
    assert "Cannot open the database" in one_line_error(capsys)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write any file")
def test_unwritable_database(tmp_path, capsys):
    open_workspace(tmp_path / "ws")
    (tmp_path / "ws" / "contacts.db").chmod(0o400)
    assert main(["--home", str(tmp_path / "ws"), "check"]) == 2
    assert "not writable" in one_line_error(capsys)


def test_unwritable_database_even_as_root(tmp_path, capsys, monkeypatch):
    open_workspace(tmp_path / "ws")
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m: False if str(p).endswith("contacts.db") else real_access(p, m)
    )
    assert main(["--home", str(tmp_path / "ws"), "check"]) == 2
    assert "not writable" in one_line_error(capsys)


def test_database_from_a_newer_version(tmp_path, capsys):
    ws = open_workspace(tmp_path / "ws")
    with ws.database.connection_context():
        ws.database.execute_sql(
            "INSERT INTO schema_migration (name, applied) VALUES ('0099_x', '2030-01-01')"
        )
    assert main(["--home", str(tmp_path / "ws"), "check"]) == 2
    assert "newer version" in one_line_error(capsys)


def test_check_finds_steps_removed_from_the_config(tmp_path, capsys):
    ws = open_workspace(tmp_path / "ws")
    ContactService(ws.config, ws.user).create_contact("Ada")
    text = (tmp_path / "ws" / "lifecycle.toml").read_text()
    (tmp_path / "ws" / "lifecycle.toml").write_text(text.replace('"new_lead"', '"fresh_lead"'))
    assert main(["--home", str(tmp_path / "ws"), "check"]) == 2
    assert "'new_lead'" in capsys.readouterr().out


def test_demo_command(tmp_path, capsys):
    assert main(["--home", str(tmp_path / "ws"), "demo", "--contacts", "40"]) == 0
    ws = open_workspace(tmp_path / "ws")
    assert ContactService(ws.config, ws.user).count() == 40
    assert main(["--home", str(tmp_path / "ws"), "demo", "--contacts", "0"]) == 2


def test_python_dash_m_and_help():
    result = subprocess.run(
        [sys.executable, "-m", "contacts_tui", "--help"], capture_output=True, text=True, check=True
    )
    assert "demo" in result.stdout and "check" in result.stdout and "--home" in result.stdout


def test_updating_an_existing_database_is_announced_first(tmp_path, capsys):
    """A migration over a big workspace takes a while: say so before it starts."""
    home = tmp_path / "ws"
    assert main(["--home", str(home), "check"]) == 0
    assert "updating the database" not in capsys.readouterr().err  # a new one: silent
    workspace = open_workspace(home)
    with workspace.database.connection_context():
        workspace.database.execute_sql(
            "DELETE FROM schema_migration WHERE name = '0003_primary_phone_as_shown'"
        )
    workspace.database.close()
    assert main(["--home", str(home), "check"]) == 0
    err = capsys.readouterr().err
    assert "updating the database for this version (0003_primary_phone_as_shown)" in err


# ----- who may use a workspace -------------------------------------------------------------


def test_init_makes_a_private_workspace_and_fixes_an_open_one(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["init", "--home", str(folder)]) == 0
    assert "private (0700/0600)" in capsys.readouterr().out
    assert mode(folder) == 0o700
    assert mode(folder / "documents") == 0o700
    assert mode(folder / "lifecycle.toml") == mode(folder / "contacts.db") == 0o600
    folder.chmod(0o755)
    (folder / "lifecycle.toml").chmod(0o666)
    assert main(["--home", str(folder), "check"]) == 2
    assert main(["init", "--home", str(folder)]) == 0  # the fix for an opened-up workspace
    assert (mode(folder), mode(folder / "lifecycle.toml")) == (0o700, 0o600)


def test_init_with_a_group_sets_setgid_folders_and_group_files(tmp_path, capsys):
    import grp

    group = grp.getgrgid(os.getegid()).gr_name  # a group this user is surely in
    folder = tmp_path / "team"
    old = os.umask(0o077)  # a strict umask must not narrow the group's modes
    try:
        assert main(["init", "--home", str(folder), "--group", group]) == 0
        ws = open_workspace(folder)
        ContactService(ws.config, ws.user).create_contact("Ada")
    finally:
        os.umask(old)
    assert mode(folder) == mode(folder / "documents") == 0o2770
    # The files beside the database too: the save's sign to a colleague's import among them.
    for name in ("contacts.db", "lifecycle.toml", "contacts.db-write-wanted"):
        assert mode(folder / name) == 0o660
        assert (folder / name).stat().st_gid == os.getegid()


def test_init_with_an_unknown_group(tmp_path, capsys):
    assert main(["init", "--home", str(tmp_path / "ws"), "--group", "no-such-group-x"]) == 2
    assert "There is no group 'no-such-group-x'" in one_line_error(capsys)


@pytest.mark.parametrize(
    ("name", "bits"),
    [
        ("", 0o004),
        ("", 0o001),
        ("contacts.db", 0o004),
        ("contacts.db", 0o002),
        ("lifecycle.toml", 0o002),
    ],
)
def test_start_refuses_what_others_can_read_or_write(tmp_path, capsys, name, bits):
    folder = tmp_path / "ws"
    open_workspace(folder)
    target = folder / name if name else folder
    target.chmod(mode(target) | bits)
    before = (folder / "contacts.db").read_bytes()
    assert main(["--home", str(folder), "check"]) == 2
    error = one_line_error(capsys)
    assert "every user of this machine" in error
    assert f"Fix: chmod o-rwx {target}" in error
    assert (folder / "contacts.db").read_bytes() == before


def test_a_workspace_path_through_a_symlink_checks_its_target(tmp_path, capsys):
    target = tmp_path / "someone-elses"
    target.mkdir(mode=0o777)
    target.chmod(0o777)  # world-writable: anyone could plant a contacts.db there
    link = tmp_path / "ws"
    link.symlink_to(target)
    assert main(["--home", str(link), "check"]) == 2
    assert f"{target} can be read or written by every user" in one_line_error(capsys)
    assert list(target.iterdir()) == []  # nothing written into it


def test_a_planted_world_writable_database_is_refused(tmp_path, capsys):
    folder = tmp_path / "ws"
    folder.mkdir(mode=0o700)
    (folder / "contacts.db").write_bytes(b"")
    (folder / "contacts.db").chmod(0o666)
    assert main(["--home", str(folder), "check"]) == 2
    assert "contacts.db can be read or written by every user" in one_line_error(capsys)


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export/sales {point} nfs4 rw,relatime,vers=4.2 0 0
//files/team {point}/cifs\\040share cifs rw 0 0
"""


def test_sqlite_on_a_network_file_system_is_refused_with_a_pointer(tmp_path, capsys, monkeypatch):
    from contacts_tui import workspace_access

    assert (
        workspace_access.file_system_type(tmp_path / "x", MOUNTS.format(point=tmp_path)) == "nfs4"
    )
    shares = f"{tmp_path}/cifs share/ws"
    assert workspace_access.file_system_type(Path(shares), MOUNTS.format(point=tmp_path)) == "cifs"
    assert (
        workspace_access.file_system_type(Path("/srv/x"), MOUNTS.format(point=tmp_path)) == "ext4"
    )
    real = workspace_access.file_system_type
    monkeypatch.setattr(
        workspace_access,
        "file_system_type",
        lambda path, mounts=None: real(path, MOUNTS.format(point=tmp_path)),
    )
    assert main(["--home", str(tmp_path / "ws"), "check"]) == 2
    error = one_line_error(capsys)
    assert "network file system (nfs4)" in error and "postgresql://" in error
    assert not (tmp_path / "ws" / "contacts.db").exists()
