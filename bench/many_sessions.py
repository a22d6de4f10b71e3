"""Many sessions on one workspace while a colleague keeps writing: what live refresh costs.

Runs N headless contacts-tui sessions (each a process of its own, the real app under
Textual's headless driver, 100×30) on one workspace of 100,000 contacts, and a writer
process that renames one contact every 200 ms through the services (a version-checked
update, as a session saves). That contact sorts first, so every session shows it; each
writing renames a new one (see `fresh_bench_contact`).

    uv run python bench/many_sessions.py                       # N = 1, 10, 50 on SQLite
    uv run python bench/many_sessions.py --db postgresql://…   # the same on PostgreSQL

Per N it reports, per session:

* idle CPU: CPU time (user + system, /proc/PID/stat) over --idle seconds with nothing
  written, once every session has drawn its list and gone quiet, as % of one core;
* CPU while written to: CPU time over the writing (and 3 s after), as % of one core:
  what following a colleague's stream of saves costs each session;
* resident memory (VmRSS) at the end of that idle time;
* refresh latency: from the writer's commit returning to the session having painted a
  list that shows that rename or a later one (the session notes the time in a
  callback Textual runs after the refresh that draws it); every session × commit pair;
* polling queries per second: queries a session sent only to look for commits
  (`LiveUpdates.polls`: SQLite's PRAGMA data_version; PostgreSQL's LISTEN sends none)
  over the idle time, asked of each session by a signal at its start and end;
* the writer's commit latency (the update_contact call) with N sessions open, and with
  none just before (the sessions are started after it), medians and p99, and their
  ratio; the writer alone is also run once at the start;
* the machine's 1-minute load average at the end of each writing: the machine is
  shared, and a busy one slows the writer and the sessions alike.

The PostgreSQL database named by --db gets the demo contacts when it has fewer than
--contacts. N sessions hold about 2 connections each: the server needs max_connections
above 2 × N + 10.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import functools
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKSPACES = ROOT / "bench" / "workspaces"
RESULTS = ROOT / "bench" / "many_sessions.md"
PYTHON = ROOT / ".venv" / "bin" / "python"
MARK = "AAAA bench "  # sorts before every demo name
WRITE_EVERY = 0.2
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

sys.path.insert(0, str(ROOT))


# ----- a session (this file run with --session) -------------------------------------------


def run_session(home: Path, db: str | None) -> None:
    """The app, headless; writes "ready", "painted SEQ TIME" and "polls N SECONDS" lines."""
    report = os.fdopen(os.dup(1), "w", buffering=1)  # Textual captures print() meanwhile

    import contacts_tui.app
    from contacts_tui.app import ContactsApp
    from contacts_tui.screens.contact_list import ContactListScreen
    from contacts_tui.widgets.contact_table import ContactTable
    from contacts_tui.workspace import open_workspace

    class SessionList(ContactListScreen):
        shown = -1

        def on_contact_table_loaded(self, message: ContactTable.Loaded) -> None:
            names = [row.name for row in self.table.window[:30]]
            seq = max((int(n.removeprefix(MARK)) for n in names if n.startswith(MARK)), default=-1)
            if self.shown < 0:
                self.call_after_refresh(lambda: report.write("ready\n"))
            if seq > self.shown:
                self.shown = seq
                self.call_after_refresh(lambda: report.write(f"painted {seq} {time.time()}\n"))

    class SessionApp(ContactsApp):
        CSS_PATH = Path(contacts_tui.app.__file__).with_name("app.tcss")  # not beside this file

        def get_default_screen(self) -> ContactListScreen:
            return SessionList()

    app = SessionApp(open_workspace(home, db))

    def quit_on_eof() -> None:
        sys.stdin.read()
        for _ in range(100):  # the app may still be starting
            with contextlib.suppress(RuntimeError):
                app.call_from_thread(app.exit)
                return
            time.sleep(0.1)

    threading.Thread(target=quit_on_eof, daemon=True).start()
    signal.signal(
        signal.SIGUSR1,
        lambda *_: report.write(f"polls {app.live.polls} {time.monotonic()}\n"),
    )
    app.run(headless=True, size=(100, 30))


# ----- the writer (this file run with --writer) -------------------------------------------


def run_writer(home: Path, db: str | None, seconds: float, first_seq: int) -> None:
    """Rename the bench contact every WRITE_EVERY s; "commit SEQ TIME SECONDS" lines."""
    from contacts_tui.services import ContactService
    from contacts_tui.workspace import open_workspace

    workspace = open_workspace(home, db)
    service = ContactService(workspace.config, "bench-writer")
    contact = service.get_contact(bench_contact(service))
    version = contact.version
    seq = first_seq
    end = time.monotonic() + seconds
    next_at = time.monotonic()
    while next_at < end:
        time.sleep(max(0.0, next_at - time.monotonic()))
        began = time.perf_counter()
        version = service.update_contact(contact.id, version, name=f"{MARK}{seq:06d}").version
        took = time.perf_counter() - began
        print(f"commit {seq} {time.time()} {took}", flush=True)
        seq += 1
        next_at += WRITE_EVERY


def bench_contact(service) -> int:
    from contacts_tui.services import ContactFilter

    first = service.list_page(ContactFilter(), limit=1).rows
    if first and first[0].name.startswith(MARK):
        return first[0].id
    return service.create_contact(f"{MARK}000000").id


def fresh_bench_contact(home: Path, db: str | None) -> None:
    """Archive the bench contacts of earlier writings and add a new one.

    Every rename adds a line to the contact's history, and a save reads that history
    (twice): a contact renamed by every earlier run took 50 ms of the writer's CPU per
    commit after ~1,400 renames, against a few ms new, and the writing of 50 sessions came
    after three others. Each writing starts from a contact with no history, so the
    writer's own work is the same alone and with N sessions.
    """
    from contacts_tui.services import ContactFilter, ContactService
    from contacts_tui.workspace import open_workspace

    workspace = open_workspace(home, db)
    service = ContactService(workspace.config, "bench")
    while (first := service.list_page(ContactFilter(), limit=1).rows) and first[0].name.startswith(
        MARK
    ):
        service.archive(first[0].id)
    service.create_contact(f"{MARK}000000")
    if hasattr(workspace.database, "close_all"):
        workspace.database.close_all()
    else:
        workspace.database.close()


# ----- the parent -------------------------------------------------------------------------


@dataclass
class Run:
    sessions: int
    idle_cpu: list[float] = field(default_factory=list)  # % of a core, per session
    rss_mb: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds, session × commit
    missed: int = 0  # session × commit pairs never painted
    polls_per_s: list[float] = field(default_factory=list)
    busy_cpu: list[float] = field(default_factory=list)  # % of a core, per session, writing
    load: float = 0.0  # the machine's 1-minute load average at the end of the writing
    commits: list[float] = field(default_factory=list)  # writer's commit seconds
    alone: list[float] = field(default_factory=list)  # the same, just before, no session


def child(*args: str, db: str | None, home: Path) -> list[str]:
    argv = [str(PYTHON), str(Path(__file__).resolve()), "--home", str(home), *args]
    return [*argv, "--db", db] if db else argv


@functools.cache
def private_config_home() -> Path:
    """A config and state folder of this run's own, removed at exit: the user's
    settings.toml (the list's columns, which another session may change) must not
    change what the benchmark's children show."""
    folder = Path(tempfile.mkdtemp(prefix="contacts-bench-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled once, not at every start
    env["PYTHONPYCACHEPREFIX"] = str(WORKSPACES / "pycache")
    env["COLUMNS"], env["LINES"] = "100", "30"
    env["XDG_CONFIG_HOME"] = str(private_config_home() / "config")
    env["XDG_STATE_HOME"] = str(private_config_home() / "state")
    return env


def ensure_workspace(contacts: int, db: str | None) -> Path:
    home = WORKSPACES / f"sessions-{contacts}"
    if db is None:
        database = home / "contacts.db"
        have = 0
        if database.exists():
            with sqlite3.connect(database) as connection:
                have = connection.execute("SELECT COUNT(*) FROM contact").fetchone()[0]
        if have >= contacts:
            return home
    else:
        from contacts_tui.services import ContactFilter, ContactService
        from contacts_tui.workspace import open_workspace

        workspace = open_workspace(home, db)
        have = ContactService(workspace.config, "bench").count(ContactFilter())
        workspace.database.close_all()
        if have >= contacts:
            return home
    print(f"adding {contacts - have:,} demo contacts (once)…", file=sys.stderr)
    db_args = ["--db", db] if db else []
    demo = ["demo", "--contacts", str(contacts - have), "--seed", "7"]
    subprocess.run(
        [str(PYTHON), "-m", "contacts_tui", "--home", str(home), *db_args, *demo],
        check=True,
        env=environment(),
    )
    return home


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Lines:
    """A child's output lines, read by a thread of their own."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def has(self, prefix: str) -> bool:
        return any(line.startswith(prefix) for line in self.lines)

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


def writer_args(seconds: float, first_seq: int) -> list[str]:
    return ["--writer", "--seconds", str(seconds), "--first-seq", str(first_seq)]


def write_for(seconds: float, home: Path, db: str | None, first_seq: int) -> list[tuple]:
    """Run the writer; its (seq, commit time, commit seconds) lines."""
    out = subprocess.run(
        child(*writer_args(seconds, first_seq), db=db, home=home),
        check=True,
        capture_output=True,
        text=True,
        env=environment(),
    ).stdout
    commits = []
    for line in out.splitlines():
        _, seq, at, took = line.split()
        commits.append((int(seq), float(at), float(took)))
    return commits


def measure(n: int, args, home: Path, first_seq: int) -> tuple[Run, int]:
    run = Run(n)
    # The writer alone again, right before: the machine is shared, and its load a
    # few minutes earlier says little about the load now.
    fresh_bench_contact(home, args.db)
    alone = write_for(args.write, home, args.db, first_seq)
    run.alone = [took for _, _, took in alone]
    first_seq += len(alone)
    fresh_bench_contact(home, args.db)
    sessions = [
        subprocess.Popen(
            child("--session", db=args.db, home=home),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=environment(),
        )
        for _ in range(n)
    ]
    outputs = [Lines(p) for p in sessions]
    try:
        deadline = time.monotonic() + 60 + 3 * n
        while not all(o.has("ready") for o in outputs):
            if time.monotonic() > deadline:
                raise SystemExit(f"only {sum(o.has('ready') for o in outputs)} of {n} ready")
            if any(p.poll() is not None for p in sessions):
                raise SystemExit("a session ended before it was ready")
            time.sleep(0.2)
        time.sleep(5)  # counts, dashboards, the search box, the first memory trim
        before = [cpu_seconds(p.pid) for p in sessions]
        for process in sessions:
            process.send_signal(signal.SIGUSR1)
        time.sleep(args.idle)
        after = [cpu_seconds(p.pid) for p in sessions]
        for process in sessions:
            process.send_signal(signal.SIGUSR1)
        run.idle_cpu = [100 * (b - a) / args.idle for a, b in zip(before, after, strict=True)]
        run.rss_mb = [rss_mb(p.pid) for p in sessions]

        before = [cpu_seconds(p.pid) for p in sessions]
        began = time.monotonic()
        commits = write_for(args.write, home, args.db, first_seq)
        time.sleep(3)  # the last commits' refreshes
        after = [cpu_seconds(p.pid) for p in sessions]
        spent = time.monotonic() - began
        run.busy_cpu = [100 * (b - a) / spent for a, b in zip(before, after, strict=True)]
        run.load = os.getloadavg()[0]
        run.commits = [took for _, _, took in commits]
        for output in outputs:
            painted = []
            for line in output.lines:
                if line.startswith("painted "):
                    _, seq, at = line.split()
                    painted.append((int(seq), float(at)))
            for seq, committed_at, _ in commits:
                shown = [at for s, at in painted if s >= seq]
                if shown:
                    run.latencies.append(max(0.0, min(shown) - committed_at))
                else:
                    run.missed += 1
        return run, first_seq + len(commits)
    finally:
        for process in sessions:
            with contextlib.suppress(OSError):
                process.stdin.close()
        for process, output in zip(sessions, outputs, strict=True):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
            output.join(5)
            polls = [line.split()[1:] for line in output.lines if line.startswith("polls ")]
            if len(polls) >= 2:
                (first, at_first), (last, at_last) = polls[0], polls[1]
                run.polls_per_s.append(
                    (int(last) - int(first)) / (float(at_last) - float(at_first))
                )


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(runs: list[Run], baseline: list[float], args) -> str:
    db = "PostgreSQL" if args.db else "SQLite"
    lines = [
        f"# Many sessions — {args.contacts:,} contacts, {db}",
        "",
        f"`uv run python bench/many_sessions.py{' --db …' if args.db else ''}`: a writer "
        f"renames one contact every {WRITE_EVERY * 1000:.0f} ms for {args.write:.0f} s; idle "
        f"measured over {args.idle:.0f} s; written {time.strftime('%Y-%m-%d %H:%M')}. "
        "How each figure is taken: the docstring of `bench/many_sessions.py`.",
        "",
        "| sessions | idle CPU per session, median / max (target < 0.5 %) | CPU per session "
        "while written to, median | RSS per session, median | refresh latency p50 / p99 "
        "(target p99 ≤ 2 s) | never shown | polling queries/s per session (target ≤ 1) | "
        "writer commit p50 / p99 | writer alone just before, p50 / p99 | "
        "vs alone just before (target ≤ 1.5×) | load average (1 min) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    base = statistics.median(baseline)
    lines.insert(
        4,
        f"Writer alone (no session) at the start: commit p50 {base * 1000:.1f} ms, "
        f"p99 {pct(baseline, 0.99) * 1000:.1f} ms (load average {args.baseline_load:.1f}: "
        "the machine is shared, the load is everything running on it).\n",
    )
    for run in runs:
        median_commit = statistics.median(run.commits)
        alone = statistics.median(run.alone)
        lines.append(
            f"| {run.sessions} | {statistics.median(run.idle_cpu):.2f} % / "
            f"{max(run.idle_cpu):.2f} % | {statistics.median(run.busy_cpu):.2f} % | "
            f"{statistics.median(run.rss_mb):.1f} MB | "
            f"{pct(run.latencies, 0.5):.2f} s / {pct(run.latencies, 0.99):.2f} s | "
            f"{run.missed} of {run.missed + len(run.latencies)} | "
            f"{statistics.median(run.polls_per_s):.2f} | "
            f"{median_commit * 1000:.1f} / {pct(run.commits, 0.99) * 1000:.1f} ms | "
            f"{alone * 1000:.1f} / {pct(run.alone, 0.99) * 1000:.1f} ms | "
            f"{median_commit / alone:.2f}× | {run.load:.1f} |"
        )
    lines += [
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,10,50", help="comma-separated N")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--db", help="postgresql://… (default: the workspace's SQLite)")
    parser.add_argument("--idle", type=float, default=15.0, help="seconds of idle measure")
    parser.add_argument("--write", type=float, default=20.0, help="seconds of writing")
    parser.add_argument("--results", type=Path, help="where to write the table (markdown)")
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--session", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--writer", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--first-seq", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.session:
        run_session(args.home, args.db)
        return 0
    if args.writer:
        run_writer(args.home, args.db, args.seconds, args.first_seq)
        return 0

    home = ensure_workspace(args.contacts, args.db)
    print("the writer alone…", file=sys.stderr)
    fresh_bench_contact(home, args.db)
    baseline_commits = write_for(args.write, home, args.db, 1)
    baseline = [took for _, _, took in baseline_commits]
    args.baseline_load = os.getloadavg()[0]
    seq = 1 + len(baseline_commits)
    runs = []
    for n in (int(x) for x in args.sessions.split(",")):
        print(f"{n} sessions…", file=sys.stderr)
        run, seq = measure(n, args, home, seq)
        runs.append(run)
    text = report(runs, baseline, args)
    print(text)
    results = args.results or RESULTS.with_name(
        f"many_sessions{'_postgresql' if args.db else ''}.md"
    )
    results.write_text(text)
    print(f"written to {results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
