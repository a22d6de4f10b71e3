"""`demo` and `import` on PostgreSQL: a full disk or another server error is one clear line.

The errors come from the server itself, through the real driver: a trigger raises them
with the SQLSTATE a full disk (53100) or a cancelled statement (57014) has, or ends its
own session as an administrator's pg_terminate_backend would (the client then
sees the connection closed). Filling a real disk is not
possible in a test here (no file system of our own to fill).
"""

from __future__ import annotations

import json

import pytest

from contacts_tui.cli import main

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])

DISK_FULL = (
    'RAISE EXCEPTION \'could not extend file "base/16384/16399": wrote only 4096 of 8192 '
    "bytes at block 123' USING ERRCODE = 'disk_full', HINT = 'Check free disk space.'"
)
CANCELLED = (
    "RAISE EXCEPTION 'canceling statement due to statement timeout' "
    "USING ERRCODE = 'query_canceled'"
)
TERMINATED = "PERFORM pg_terminate_backend(pg_backend_pid())"


@pytest.fixture
def home_args(workspace, pg_server_url) -> list[str]:
    return ["--home", str(workspace.folder), "--db", pg_server_url]


def fail_inserts_after(workspace, table: str, rows: int, action: str) -> None:
    """From the `rows`+1-th row the server inserts into `table`, the server does `action`."""
    workspace.database.execute_sql(
        "CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF (SELECT COUNT(*) FROM {table}) >= {rows} THEN {action}; END IF; "
        "RETURN NEW; END $$"
    )
    workspace.database.execute_sql(
        f"CREATE TRIGGER fail_insert BEFORE INSERT ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION fail_insert()"
    )


def run(capsys, *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return status, err


def contact_count(workspace) -> int:
    return workspace.database.execute_sql("SELECT COUNT(*) FROM contact").fetchone()[0]


def test_demo_onto_a_full_disk_says_so_and_what_it_saved(workspace, backend, home_args, capsys):
    fail_inserts_after(workspace, "contact", 500, DISK_FULL)  # the second batch fails
    status, err = run(capsys, *home_args, "demo", "--contacts", "20000")
    assert status == 2
    assert err.startswith("contacts-tui: the disk is full: free some space and try again.")
    saved = int(err.split(" demo contacts were added")[0].rsplit(" ", 1)[-1].replace(",", ""))
    assert contact_count(workspace) == saved >= 500


def test_import_onto_a_full_disk_says_so(workspace, backend, home_args, capsys, tmp_path):
    fail_inserts_after(workspace, "email", 0, DISK_FULL)
    people = [{"name": f"P {n}", "emails": [{"email": f"p{n}@example.com"}]} for n in range(20)]
    source = tmp_path / "people.json"
    source.write_text(json.dumps(people))
    status, err = run(capsys, *home_args, "import", str(source))
    assert status == 2
    assert err.startswith("contacts-tui: the disk is full: free some space and try again.")
    assert contact_count(workspace) == 0  # the failed batch left nothing half-written


@pytest.mark.parametrize(
    ("action", "said"),
    [
        (CANCELLED, "canceling statement due to statement timeout"),
        (TERMINATED, "server closed the connection unexpectedly"),
    ],
    ids=["statement cancelled", "session terminated"],
)
def test_demo_stopped_by_another_server_error_says_which(
    workspace, backend, home_args, capsys, action, said
):
    fail_inserts_after(workspace, "contact", 500, action)
    status, err = run(capsys, *home_args, "demo", "--contacts", "20000")
    assert status == 2
    assert err.startswith(f"contacts-tui: the database refused: {said}.")
    assert "demo contacts were added before it" in err
