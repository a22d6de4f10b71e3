"""Per-user preferences: the list columns survive a restart, bad files never crash."""

from __future__ import annotations

import stat

import pytest

from contacts_tui import preferences, private_file
from contacts_tui.locations import user_config_dir

KNOWN = ["name", "email", "phone", "company", "status", "scoring", "updated"]


def test_nothing_saved_yet_gives_none() -> None:
    assert preferences.load_columns() is None
    assert preferences.load_columns(KNOWN) is None


def test_saved_columns_come_back_in_order() -> None:
    assert preferences.save_columns(["name", "scoring", "email"])
    assert preferences.load_columns() == ["name", "scoring", "email"]
    assert preferences.load_columns(KNOWN) == ["name", "scoring", "email"]


def test_file_is_private_and_in_the_user_config_dir() -> None:
    preferences.save_columns(["name"])
    path = user_config_dir() / "settings.toml"
    assert preferences.settings_path() == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # No temporary files left behind by the atomic write.
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]


def test_other_settings_in_the_file_are_kept() -> None:
    path = preferences.settings_path()
    path.parent.mkdir(parents=True)
    path.write_text('theme = "gruvbox"\n[contact_list]\nwidth = 3\n')
    preferences.save_columns(["name", "company"])
    text = path.read_text()
    assert 'theme = "gruvbox"' in text
    assert "width = 3" in text
    assert preferences.load_columns() == ["name", "company"]


@pytest.mark.parametrize(
    "content",
    [
        "this is not toml ][",
        "\xff\xfe binary",
        "contact_list = 3",
        "[contact_list]\ncolumns = 'name'",
        "[contact_list]\ncolumns = []",
        "[contact_list]\ncolumns = [1, 2]",
        "[contact_list]\ncolumns = ['Name; rm -rf', '']",
    ],
)
def test_bad_content_falls_back_to_defaults(content: str) -> None:
    path = preferences.settings_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    assert preferences.load_columns() is None
    assert preferences.load_columns(KNOWN) is None
    # …and saving over a broken file works and repairs it.
    assert preferences.save_columns(["name", "email"])
    assert preferences.load_columns(KNOWN) == ["name", "email"]


def test_unknown_and_repeated_keys_are_dropped_and_name_kept() -> None:
    preferences.save_columns(["email", "removed_column", "email", "status"])
    assert preferences.load_columns() == ["email", "removed_column", "status"]
    assert preferences.load_columns(KNOWN) == ["name", "email", "status"]


def test_unreadable_settings_path_falls_back() -> None:
    preferences.settings_path().mkdir(parents=True)  # a folder where the file should be
    assert preferences.load_columns() is None
    assert preferences.save_columns(["name"]) is False


def test_unwritable_folder_reports_false_without_raising(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(private_file.os, "open", refuse)
    assert preferences.save_columns(["name"]) is False
    assert preferences.load_columns() is None


def test_a_failed_replace_leaves_the_old_file_and_no_temporary(monkeypatch) -> None:
    preferences.save_columns(["name", "email"])

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(private_file.os, "replace", full_disk)
        assert preferences.save_columns(["name", "status"]) is False
    assert preferences.load_columns() == ["name", "email"]
    assert [p.name for p in user_config_dir().iterdir()] == ["settings.toml"]


def test_a_symlink_at_the_settings_file_is_refused_not_written_through(tmp_path) -> None:
    target = tmp_path / "elsewhere.toml"
    target.write_text("precious = true\n")
    path = preferences.settings_path()
    path.parent.mkdir(parents=True)
    path.symlink_to(target)
    assert preferences.save_columns(["name", "status"]) is False
    assert target.read_text() == "precious = true\n"
    assert path.is_symlink()
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]


def test_the_import_folder_is_kept_while_it_is_a_folder(tmp_path):
    assert preferences.load_import_folder() is None  # the picker's own start
    folder = tmp_path / "Downloads"
    folder.mkdir()
    assert preferences.save_import_folder(folder)
    assert preferences.load_import_folder() == folder
    folder.rmdir()
    assert preferences.load_import_folder() is None
