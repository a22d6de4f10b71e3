"""The command line given bad input or hostile data: one clear line, the right exit status."""

from __future__ import annotations

import pytest

from contacts_tui.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line(err: str) -> None:
    assert err.count("\n") == 1, err
    assert "Traceback" not in err


# ----- --db URLs -------------------------------------------------------------------------


def test_sqlite_url_with_four_slashes_is_absolute(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "team" / "contacts.db"
    target.parent.mkdir()
    status, _, _ = run(
        capsys, "--home", str(tmp_path / "ws"), "--db", f"sqlite:///{target}", "check"
    )
    assert status == 0
    assert target.exists()
    assert not (tmp_path / str(target).lstrip("/")).exists()


def test_sqlite_url_with_three_slashes_is_relative(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, _ = run(capsys, "--home", str(tmp_path / "ws"), "--db", "sqlite:///here.db", "check")
    assert status == 0
    assert (tmp_path / "here.db").exists()


def test_relative_sqlite_url_meant_as_absolute_is_refused(tmp_path, capsys, monkeypatch):
    """sqlite:///srv/x.db from a folder without srv/ while /srv/x.db exists: a slip."""
    target = tmp_path / "team" / "contacts.db"
    target.parent.mkdir()
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / str(target.parent).lstrip("/")).mkdir(parents=True)  # the folder, no file
    monkeypatch.chdir(elsewhere)
    run(capsys, "--home", str(tmp_path / "ws"), "--db", f"sqlite:///{target}", "check")
    url = f"sqlite://{target}"  # three slashes: relative
    status, _, err = run(capsys, "--home", str(tmp_path / "ws"), "--db", url, "check")
    assert status == 2
    assert_one_line(err)
    assert f"sqlite:///{target}" in err and "four slashes" in err
    assert not (elsewhere / str(target).lstrip("/")).exists()


@pytest.mark.parametrize(
    "url", ["postgresql://", "postgres://", "postgresql://user@host/", "postgres:///?host=/tmp"]
)
def test_postgres_url_without_a_database_name(tmp_path, capsys, url):
    status, _, err = run(capsys, "--home", str(tmp_path / "ws"), "--db", url, "check")
    assert status == 2
    assert_one_line(err)
    assert "names no database" in err


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite://", "mysql://x/y"])
def test_sqlite_url_without_a_file(tmp_path, capsys, url):
    status, _, err = run(capsys, "--home", str(tmp_path / "ws"), "--db", url, "check")
    assert status == 2
    assert_one_line(err)
