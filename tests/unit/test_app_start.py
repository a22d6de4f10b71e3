"""What the TUI loads while it starts, checked in a fresh process (imports are per process).

App.run is replaced by a probe: these tests are about the path from the command line to
the app, not about the screen (the tui tests cover that).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from contacts_tui.workspace import open_workspace

PROBE = """
import gc, json, sys
import textual.app

def probe(app, *args, **kwargs):
    driver = sys.modules.get("psycopg2")
    print(json.dumps({
        "psycopg2_loaded": driver is not None,
        "gc_paused": not gc.isenabled(),
        "details_loaded": "contacts_tui.services.details" in sys.modules,
        "migrations": sorted(app.workspace.database.execute_sql(
            "SELECT name FROM schema_migration").fetchall()),
    }))

textual.app.App.run = probe
from contacts_tui.cli import main
code = main(sys.argv[1:])
print(json.dumps({"exit": code, "gc_enabled_after": gc.isenabled()}))
"""


def start_app(*argv: str) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_the_app_on_sqlite_starts_without_the_postgresql_driver(tmp_path: Path):
    seen, ended = start_app("--home", str(tmp_path / "ws"))
    assert seen["psycopg2_loaded"] is False
    assert seen["gc_paused"] is True  # until the app's first frame (see ContactsApp)
    assert seen["details_loaded"] is False  # the detail screens' dataclasses: on first use
    assert ended == {"exit": 0, "gc_enabled_after": True}


def test_a_pending_migration_runs_without_the_postgresql_driver(tmp_path: Path):
    """playhouse.migrate imports PostgreSQL helpers; they must cope with no driver."""
    workspace = open_workspace(tmp_path / "ws")
    with workspace.database.connection_context():
        workspace.database.execute_sql("DROP INDEX contact_list_counts")
        workspace.database.execute_sql(
            "DELETE FROM schema_migration WHERE name = '0002_list_counts_index'"
        )
    workspace.database.close()
    seen, ended = start_app("--home", str(tmp_path / "ws"))
    assert ["0002_list_counts_index"] in seen["migrations"]
    assert seen["psycopg2_loaded"] is False
    assert ended["exit"] == 0


def test_the_app_on_postgresql_loads_its_driver(tmp_path: Path, pg_server_url: str):
    from conftest import fresh_pg_url

    url = fresh_pg_url(pg_server_url)
    seen, ended = start_app("--home", str(tmp_path / "ws"), "--db", url)
    assert seen["psycopg2_loaded"] is True
    assert ["0001_initial"] in seen["migrations"]
    assert ended["exit"] == 0


@pytest.mark.parametrize("url", ["mysql://x@y/z", "sqlite:///{tmp}/other.db"])
def test_other_database_urls_start_or_say_why_without_the_postgresql_driver(
    tmp_path: Path, url: str
):
    url = url.format(tmp=tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--home", str(tmp_path / "ws"), "--db", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if url.startswith("mysql"):
        assert json.loads(done.stdout)["exit"] == 2
        assert "Unknown database URL" in done.stderr
        assert "Traceback" not in done.stderr
    else:
        seen = json.loads(done.stdout.splitlines()[0])
        assert seen["psycopg2_loaded"] is False


def test_the_first_start_leaves_bytecode_for_the_next_even_where_the_server_forbids_it(
    tmp_path: Path,
):
    """Where PYTHONDONTWRITEBYTECODE is set, the app still writes its modules' and
    Textual's bytecode, or every start compiles them all again."""
    cache = tmp_path / "pycache"
    subprocess.run(
        [sys.executable, "-c", "import contacts_tui.cli, textual.app"],
        env={"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(cache)},
        check=True,
        timeout=120,
    )
    written = {path.name.split(".")[0] for path in cache.rglob("*.pyc")}
    assert {"app", "widget", "console", "cli"} <= written  # ours, Textual, Rich
