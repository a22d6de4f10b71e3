"""The one atomic file write: never through a link, .bak from the file itself, workspace modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from contacts_tui import private_file
from contacts_tui.private_file import (
    PRIVATE,
    FileModes,
    UnsafePathError,
    atomic_writer,
    make_folder,
    write_file,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_new_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o000)
    try:
        write_file(tmp_path / "a.toml", "x = 1\n")
    finally:
        os.umask(old)
    assert mode(tmp_path / "a.toml") == 0o600
    assert (tmp_path / "a.toml").read_text() == "x = 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.toml"]  # no temporary file left


def test_shared_modes_come_from_a_group_writable_folder(tmp_path: Path) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    folder.chmod(0o2770)
    modes = FileModes.of_folder(folder)
    assert modes == FileModes(0o660, 0o2770, folder.stat().st_gid)
    old = os.umask(0o077)  # a member's strict umask must not narrow the group's modes
    try:
        write_file(folder / "f", b"data", modes)
        assert make_folder(folder / "ab", modes)
        assert not make_folder(folder / "ab", modes)  # there already: left alone
    finally:
        os.umask(old)
    assert mode(folder / "f") == 0o660
    assert mode(folder / "ab") == 0o2770  # setgid kept: the group passes on to what is inside
    assert FileModes.of_folder(tmp_path / "team" / "ab").is_shared
    tmp_path.chmod(0o700)
    assert FileModes.of_folder(tmp_path) == PRIVATE


@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlink_is_refused_and_its_target_untouched(tmp_path: Path, dangling: bool) -> None:
    victim = tmp_path / "victim"
    if not dangling:
        victim.write_text("precious")
    link = tmp_path / "settings.toml"
    link.symlink_to(victim)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        write_file(link, "x = 1\n", backup=tmp_path / "settings.toml.bak")
    assert link.is_symlink()
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["settings.toml"] + ([] if dangling else ["victim"])
    )


def test_a_link_planted_while_writing_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    victim = tmp_path / "victim"
    victim.write_text("precious")
    with pytest.raises(UnsafePathError), atomic_writer(target) as out:
        out.write("a,b\n")
        target.symlink_to(victim)
    assert victim.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "victim"]


def test_backup_is_the_file_itself_with_the_new_modes(tmp_path: Path) -> None:
    target = tmp_path / "lifecycle.toml"
    target.write_text("old\n")
    target.chmod(0o644)
    write_file(target, "new\n", PRIVATE, backup=tmp_path / "lifecycle.toml.bak")
    assert target.read_text() == "new\n"
    assert (tmp_path / "lifecycle.toml.bak").read_text() == "old\n"
    assert mode(tmp_path / "lifecycle.toml.bak") == 0o600
    assert mode(target) == 0o600


def test_a_symlinked_bak_is_refused_too(tmp_path: Path) -> None:
    target = tmp_path / "lifecycle.toml"
    target.write_text("old\n")
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (tmp_path / "lifecycle.toml.bak").symlink_to(victim)
    with pytest.raises(UnsafePathError):
        write_file(target, "new\n", backup=tmp_path / "lifecycle.toml.bak")
    assert target.read_text() == "old\n"
    assert victim.read_text() == "precious"


def test_without_overwrite_a_file_appearing_meanwhile_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "export.json"
    with pytest.raises(FileExistsError), atomic_writer(target, overwrite=False) as out:
        out.write("mine")
        target.write_text("theirs")
    assert target.read_text() == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["export.json"]


def test_a_failed_write_publishes_nothing(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "a"
    target.write_text("old")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(private_file.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_file(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a"]


def test_a_link_in_place_of_a_folder_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "ab").symlink_to(elsewhere)
    with pytest.raises(UnsafePathError, match="not a folder"):
        make_folder(tmp_path / "ab")
