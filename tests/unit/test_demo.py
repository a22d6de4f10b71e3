"""`contacts-tui demo`: bounded, flat in memory, never in others' way, and data like people's."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import defaultdict
from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from contacts_tui import demo
from contacts_tui.cli import main
from contacts_tui.demo import MAX_CONTACTS, add_demo_contacts, stage_walk
from contacts_tui.services import ContactService
from contacts_tui.store.models import Contact, Email, StageChange, database, utc_now


def test_a_count_beyond_the_bound_is_refused_saying_the_bound(tmp_path, capsys):
    for count in (str(10**18), "0", "-3"):
        assert main(["--home", str(tmp_path / "ws"), "demo", "--contacts", count]) == 2
        err = capsys.readouterr().err
        assert err == f"contacts-tui: --contacts must be from 1 to {MAX_CONTACTS:,}.\n"


def test_progress_counts_only_what_is_committed(workspace, backend):
    seen = []

    def progress(done: int) -> None:
        # What another connection sees at that moment: committed rows only.
        if backend == "sqlite":
            other = sqlite3.connect(workspace.folder / "contacts.db")
            seen.append((done, other.execute("SELECT COUNT(*) FROM contact").fetchone()[0]))
            other.close()
        else:
            seen.append((done, done))

    # Two batches at least (the first is FIRST_BATCH contacts).
    assert add_demo_contacts(workspace.config, 1500, workspace.user, progress=progress) == 1500
    assert len(seen) > 1 and seen[-1][0] == 1500
    assert all(done == committed for done, committed in seen)


def test_the_demo_leaves_its_log_copied_into_the_database(workspace, monkeypatch, tmp_path):
    # Checkpoints are the demo's own, between batches (SQLite's ran inside a batch's
    # commit, and a colleague's save after the demo would have copied what was left).
    monkeypatch.setattr(demo, "PAUSE_SECONDS", 0)
    colleague = sqlite3.connect(workspace.folder / "contacts.db")  # keeps the log file
    colleague.execute("SELECT COUNT(*) FROM contact").fetchone()
    checkpoints = []
    original = demo.Checkpoints.added

    def added(self, contacts: int, last: bool = False) -> None:
        before = self.contacts + contacts >= self.every or last
        original(self, contacts, last)
        checkpoints.append(before)

    monkeypatch.setattr(demo.Checkpoints, "added", added)
    assert add_demo_contacts(workspace.config, 1500, workspace.user) == 1500
    # Not after every batch: several batches' pages are copied at once.
    assert checkpoints[-1] and 1 <= checkpoints.count(True) < len(checkpoints), checkpoints
    # The database file alone (its log left behind) holds every contact.
    alone = tmp_path / "alone.db"
    shutil.copyfile(workspace.folder / "contacts.db", alone)
    assert sqlite3.connect(alone).execute("SELECT COUNT(*) FROM contact").fetchone()[0] == 1500
    colleague.close()


def test_ctrl_c_stops_a_demo_saying_what_it_added_and_keeping_it_whole(tmp_path):
    home = tmp_path / "ws"
    assert main(["--home", str(home), "check"]) == 0
    demo = subprocess.Popen(
        [sys.executable, "-m", "contacts_tui", "--home", str(home), "demo", "--contacts", "50000"],
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        # As at a user's terminal: a test run started in the background (CI) would pass on
        # an ignored SIGINT, and Python keeps an inherited "ignore".
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    db = sqlite3.connect(home / "contacts.db")
    deadline = time.monotonic() + 60
    while db.execute("SELECT COUNT(*) FROM contact").fetchone()[0] == 0:
        assert demo.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    demo.send_signal(signal.SIGINT)
    _, err = demo.communicate(timeout=60)
    assert demo.returncode == 130, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    said = int(err.split("stopped; ")[1].split(" ")[0].replace(",", ""))
    # The batch being written when the signal came went in whole, and is in the count said:
    # every kept contact is counted and searchable, and the counts say exactly what is there.
    stored = db.execute("SELECT COUNT(*) FROM contact").fetchone()[0]
    assert 0 < said == stored < 50000
    assert db.execute("SELECT SUM(contacts) FROM contact_tally").fetchone()[0] == stored
    assert db.execute("SELECT COUNT(*) FROM contact_fts_docsize").fetchone()[0] == stored
    assert db.execute("SELECT COUNT(*) FROM stage_since").fetchone()[0] == stored
    assert db.execute("SELECT COUNT(*) FROM bulk_insert").fetchone()[0] == 0
    db.close()


def test_demo_contacts_look_like_people(workspace, backend):
    add_demo_contacts(workspace.config, 1000, workspace.user, seed=4)
    steps = {step.key: step for step in workspace.config.default.steps()}
    now = utc_now()
    with database.connection_context():
        primaries = [e for (e,) in Email.select(Email.email).where(Email.is_primary).tuples()]
        assert len(primaries) == len(set(e.lower() for e in primaries)) > 700
        history = defaultdict(list)
        for row in StageChange.select().order_by(StageChange.id).tuples():
            history[row[1]].append(row)
        stage_of = dict(Contact.select(Contact.id, Contact.stage).tuples())
    moves_back = 0
    won = lost = 0
    order = list(steps)
    for contact_id, moves in history.items():
        times = [_time(m[4]) for m in moves]
        assert times == sorted(times), contact_id
        assert now - timedelta(days=549) <= times[0] and times[-1] <= now
        assert [m[2] for m in moves[1:]] == [m[3] for m in moves[:-1]]  # from = previous to
        assert moves[0][2] == "" and moves[-1][3] == stage_of[contact_id]
        keys = [m[3] for m in moves]
        assert not any(steps[k].is_closed for k in keys[:-1])  # closed only at the end
        moves_back += any(order.index(b) < order.index(a) for a, b in pairwise(keys))
        outcome = steps[keys[-1]].outcome
        won += outcome == "won"
        lost += outcome == "lost"
    assert len(history) == 1000
    assert moves_back > 30 and won > 10 and lost > 10
    span = max(_time(m[4]) for ms in history.values() for m in ms) - min(
        _time(m[4]) for ms in history.values() for m in ms
    )
    assert span > timedelta(days=480)  # spread over the last 18 months


def _time(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def test_stage_walks_end_where_they_should():
    import random

    from contacts_tui.lifecycle import bundled_path, load

    steps = load(bundled_path()).default.steps()
    rng = random.Random(1)
    for final in range(len(steps)):
        for _ in range(200):
            walk = stage_walk(rng, steps, final)
            assert walk[-1] == final and walk[0] == 0
            assert all(not steps[n].is_closed for n in walk[:-1])


# The demo in its own process, printing its peak memory (kB) when it ends.
DEMO = """
import resource, sys
from contacts_tui import demo
from contacts_tui.cli import main
status = main(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
sys.exit(status)
"""


def _start_demo(home, contacts: int) -> subprocess.Popen:
    command = ["-c", textwrap.dedent(DEMO), "--home", str(home), "demo", "--contacts"]
    return subprocess.Popen(
        [sys.executable, *command, str(contacts)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _saves_while(demo: subprocess.Popen, home) -> list[float]:
    """A colleague adds contacts one by one until the demo ends: how long each save took."""
    from contacts_tui.workspace import open_workspace

    ws = open_workspace(home)
    service = ContactService(ws.config, ws.user)
    waits = []
    while demo.poll() is None:
        started = time.perf_counter()
        service.create_contact(f"Colleague {len(waits)}")  # raises if the lock never comes
        waits.append(time.perf_counter() - started)
        time.sleep(0.05)
    return waits


def test_a_colleague_saves_while_a_demo_runs(tmp_path):
    home = tmp_path / "ws"
    assert main(["--home", str(home), "check"]) == 0
    demo = _start_demo(home, 3000)
    waits = _saves_while(demo, home)
    _, err = demo.communicate()
    assert demo.returncode == 0, err
    assert len(waits) > 3
    assert max(waits) < 4, waits  # batches of ~0.4 s (more on a busy machine), not one
    with database.connection_context():
        assert Contact.select().count() == 3000 + len(waits)
        names = [name for (name,) in Contact.select(Contact.name).order_by(Contact.id).tuples()]
    # The colleague's contacts went in between the demo's batches, not after them all (a
    # demo in one transaction would have held every save until it ended).
    demo_rows = [n for n, name in enumerate(names) if not name.startswith("Colleague ")]
    between = [
        n
        for n, name in enumerate(names)
        if name.startswith("Colleague ") and demo_rows[0] < n < demo_rows[-1]
    ]
    assert between, waits


@pytest.mark.slow
def test_a_colleague_saves_while_a_big_demo_runs_in_flat_memory(tmp_path):
    # What the interpreter and its libraries take is the machine's, not the demo's: the
    # peak of a small demo in the same environment is the floor the big one is held to.
    small = _start_demo(tmp_path / "small", 1000)
    out, err = small.communicate()
    assert small.returncode == 0, err
    floor = int(out.split()[-1])
    home = tmp_path / "ws"
    assert main(["--home", str(home), "check"]) == 0
    demo = _start_demo(home, 20000)
    waits = _saves_while(demo, home)
    out, err = demo.communicate()
    assert demo.returncode == 0, err
    assert len(waits) > 3
    assert max(waits) < 4, waits
    # peak memory, kB: 20 times the contacts in about the same memory (one transaction
    # held every row: ~75 MB more)
    assert int(out.split()[-1]) - floor < 30 * 1024
    with database.connection_context():
        assert Contact.select().count() == 20000 + len(waits)
