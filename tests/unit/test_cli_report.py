"""`contacts-tui report …`: the reports as a table, CSV and JSON, to standard output or a file."""

from __future__ import annotations

import csv
import io
import json
import os
import stat

import pytest
from report_history import build_history

from contacts_tui.cli import EXIT_PROBLEM, main
from contacts_tui.services import ContactService
from contacts_tui.store.models import StageChange, database
from contacts_tui.workspace import Workspace

PERIOD = ["--from", "2026-01-01", "--to", "2026-03-31"]


@pytest.fixture
def home(workspace: Workspace, service: ContactService, request) -> list[str]:
    """The CLI's options for the test's workspace (and its PostgreSQL database)."""
    build_history(service)
    options = ["--home", str(workspace.folder)]
    if "backend" in request.fixturenames and request.getfixturevalue("backend") == "postgresql":
        options += ["--db", request.getfixturevalue("pg_server_url")]
    return options


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_funnel_as_csv(capsys, home, backend):
    code, out, err = run(capsys, "report", "funnel", *PERIOD, "--format", "csv", *home)
    assert (code, err) == (0, "")
    assert out.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(out)))
    steps = {r["stage"]: r["reached"] for r in rows if r["level"] == "step"}
    assert steps["New Lead"] == "3"
    assert steps["Contacted"] == "2"
    assert steps["Proposal Sent"] == "1"
    won = next(r for r in rows if r["stage"] == "won")
    assert (won["reached"], won["conversion_to_next"]) == ("1", "0.5")
    first = next(r for r in rows if r["level"] == "category")
    assert (first["category"], first["reached"], first["conversion_to_next"]) == (
        "Lead Generation",
        "4",
        "0.25",
    )


def test_breakdown_by_user_as_json(capsys, home, backend):
    code, out, _ = run(
        capsys, "report", "breakdown", "--by", "user", *PERIOD, "--format", "json", *home
    )
    assert code == 0
    data = json.loads(out)
    assert data["report"] == "breakdown"
    assert data["period"] == {"label": "2026-01-01 to 2026-03-31", "from": "2026-01-01",
                              "to": "2026-03-31"}  # fmt: skip
    assert data["categories"][0] == "Lead Generation"
    rows = {r["value"]: r for r in data["rows"]}
    assert rows["bob"] == {"value": "bob", "reached": [0, 0, 0, 0, 1], "won": 0, "lost": 1,
                           "win_rate": 0.0}  # fmt: skip
    assert rows["alice"]["reached"][0] == 4


def test_time_in_stage_table_and_stuck_list(capsys, home):
    code, out, _ = run(capsys, "report", "time-in-stage", *PERIOD, *home)
    assert code == 0
    assert "Time in stage · Standard sales · 2026-01-01 to 2026-03-31" in out
    new_lead = next(line for line in out.splitlines() if line.startswith("New Lead"))
    assert new_lead.split()[2:] == ["4", "7.5", "14.2"]
    code, out, _ = run(capsys, "report", "time-in-stage", *PERIOD, "--stuck", "--format", "csv",
                       *home)  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    # Fay is stuck in Contacted since 2025-07-01 (22.4 days is the step's 90th percentile).
    assert [(r["name"], r["step"], r["p90_days"]) for r in rows] == [("Fay", "Contacted", "22.4")]


def test_movement_to_a_private_file_that_is_never_replaced(capsys, home, tmp_path):
    os.umask(0o022)
    target = tmp_path / "movement.csv"
    args = ["report", "movement", *PERIOD, "--format", "csv", "-o", str(target), *home]
    assert run(capsys, *args)[0] == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    rows = list(csv.DictReader(target.open(newline="")))
    assert len(rows) == 14
    assert rows[7] == {"week": "2026-02-16", "stage_changes": "2", "new_contacts": "1",
                       "won": "1", "lost": "0"}  # fmt: skip
    code, _, err = run(capsys, *args)
    assert code == EXIT_PROBLEM
    assert "exists already" in err


def test_stored_text_cannot_drive_the_terminal(capsys, home):
    # The app refuses such names; a database written by other tools may still hold them.
    with database.connection_context():
        StageChange.update(by="mallory\x1b]0;pwned\x07").where(StageChange.by == "bob").execute()
    code, out, _ = run(capsys, "report", "breakdown", "--by", "user", *PERIOD, *home)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "mallory" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "2026-02-30", "--to", "2026-03-01"], "--from must be a date"),
        (["--from", "2026-03-01"], "--to must be a date"),
        (["--from", "2026-03-01", "--to", "2026-02-01"], "before it starts"),
        (["--template", "nope"], "no lifecycle called 'nope'"),
    ],
)
def test_bad_input_is_one_line(capsys, home, argv, message):
    code, out, err = run(capsys, "report", "funnel", *argv, *home)
    assert code == EXIT_PROBLEM
    assert out == ""
    assert message in err
    assert err.count("\n") == 1
