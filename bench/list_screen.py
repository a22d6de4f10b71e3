"""How fast the contact list is at 100,000 or 1,000,000 contacts, beside a bare app.

Runs the real `contacts-tui` in a pseudo-terminal of 100×30, reads what it writes, and
times user-visible events. The floor is measured in the same run: a bare Textual app
that only shows a static screen, started the same way.

    uv run python bench/list_screen.py --contacts 1000000    # the full run
    uv run python bench/list_screen.py --contacts 100000     # quick mode (the default)
    uv run python bench/list_screen.py --db postgresql://user@host/db   # on PostgreSQL

Definitions (the same for both apps):

* process start: just before the child is spawned (fork + exec of the venv's python).
  contacts-tui is started as people start it, with the `contacts-tui` command the venv
  installs (`python -m contacts_tui` would add runpy's 5 ms of imports); the bare app as
  a script.
* painted: the moment the parent reads, from the pty, the bytes that draw a known line:
  for contacts-tui a row of the first screen of contacts (its name, e-mail and number
  cells exactly as the table draws them); for the bare app the last line of its screen.
  Textual sends a whole frame at once, so the line arrives with the rest of its frame.
* rows on screen after a key (search, sort, G): from writing the last key to reading the
  row the store says must now be under the cursor, drawn the same way.
* counts on screen (the dashboard): from the same last key, or from the enter that
  applies a filter, to reading the dashboard's "⚠ N missing primary" with the N the
  store gives for the new view; reported beside the rows and as the gap after them.
* short terms under each sort: in the app, for every sortable column the list shows by
  default (set with the sort dialog first); and, for every sort the list offers, the
  service call alone (in this process, the app's own query): `list_page` of 100 rows.
* bytes: everything the app writes to the terminal for one action, until it is quiet.

Workspaces are made once with `contacts-tui demo` under bench/workspaces/ (gitignored).
With `--db URL` the app runs on that PostgreSQL database (filled once by the demo, the
workspace folder then holds only lifecycle.toml); the bare app is measured the same.
Both apps run from compiled bytecode (a pycache under bench/workspaces/, warmed by one
unmeasured start each), as an installed app would: this environment otherwise sets
PYTHONDONTWRITEBYTECODE and every start would compile every module.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import functools
import os
import platform
import pty
import re
import select
import shutil
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKSPACES = ROOT / "bench" / "workspaces"
RESULTS = ROOT / "bench" / "results.md"
PYTHON = ROOT / ".venv" / "bin" / "python"
WIDTH, HEIGHT = 100, 30
BARE_MARKER = "bare app: last line"

sys.path.insert(0, str(ROOT))


# ----- the bare app (run by this same file with --bare) ----------------------------------


def run_bare_app() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    lines = [f"{n:3} a static line of text, about as wide as a row of contacts" for n in range(27)]

    class BareApp(App):
        def compose(self) -> ComposeResult:
            yield Static("\n".join([*lines, BARE_MARKER]))

    BareApp().run()


# ----- a child in a pseudo-terminal --------------------------------------------------------


@functools.cache
def private_config_home() -> Path:
    """A config and state folder of this run's own, removed at exit: the user's
    settings.toml (the list's columns, which another session may change) must not
    change what the benchmark's children show."""
    folder = Path(tempfile.mkdtemp(prefix="contacts-bench-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR", "COLUMNS", "LINES"):
        env.pop(name, None)
    for name in list(env):
        if name.startswith("TEXTUAL"):
            env.pop(name)
    env["PYTHONPYCACHEPREFIX"] = str(WORKSPACES / "pycache")
    env["TERM"] = "xterm-256color"
    env["XDG_CONFIG_HOME"] = str(private_config_home() / "config")
    env["XDG_STATE_HOME"] = str(private_config_home() / "state")
    if os.environ.get("BENCH_ARENAS"):
        env["MALLOC_ARENA_MAX"] = os.environ["BENCH_ARENAS"]
    return env


class Terminal:
    """A process on a pty of WIDTH×HEIGHT; everything it writes is read and counted."""

    def __init__(self, argv: list[str]) -> None:
        env = child_env()  # in this process: the private config folder is made once, here
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            with contextlib.suppress(Exception):
                os.execve(argv[0], argv, env)
            os._exit(127)
        winsize = struct.pack("HHHH", HEIGHT, WIDTH, 0, 0)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, winsize)
        self.output = bytearray()
        self.closed = False

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return b""
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            self.closed = True
            return b""
        self.output += data
        return data

    def wait_for(self, marker: str | bytes, timeout: float = 30.0) -> float:
        """Read until `marker` appears in what is read from now on; the time it arrived."""
        wanted = marker.encode() if isinstance(marker, str) else marker
        seen = bytearray()
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and not self.closed:
            data = self.read(deadline - time.perf_counter())
            seen += data
            if wanted in seen:
                return time.perf_counter()
        tail = bytes(seen[-400:])
        raise TimeoutError(f"{marker!r} did not show within {timeout} s; last output: {tail!r}")

    def wait_for_each(self, markers: list, timeout: float = 30.0) -> list[float]:
        """Read until every marker (text, or a bytes pattern) has appeared in what is read
        from now on; the time each first did (two may arrive in one read, so one wait_for
        after another would miss the second)."""
        wanted = [re.compile(re.escape(m.encode())) if isinstance(m, str) else m for m in markers]
        arrived: list[float | None] = [None] * len(wanted)
        seen = bytearray()
        deadline = time.perf_counter() + timeout
        while None in arrived and time.perf_counter() < deadline and not self.closed:
            seen += self.read(deadline - time.perf_counter())
            now = time.perf_counter()
            for n, marker in enumerate(wanted):
                if arrived[n] is None and marker.search(seen):
                    arrived[n] = now
        if None in arrived:
            missing = [m for m, t in zip(markers, arrived, strict=True) if t is None]
            tail = bytes(seen[-400:])
            raise TimeoutError(f"{missing!r} did not show within {timeout} s; last: {tail!r}")
        return arrived  # type: ignore[return-value]

    def quiet(self, for_seconds: float = 0.3, timeout: float = 60.0) -> int:
        """Read until nothing comes for `for_seconds`; the number of bytes read."""
        count = 0
        deadline = time.perf_counter() + timeout
        last = time.perf_counter()
        while time.perf_counter() < deadline:
            data = self.read(for_seconds)
            if data:
                count += len(data)
                last = time.perf_counter()
            elif time.perf_counter() - last >= for_seconds:
                break
        return count

    def write(self, keys: str) -> float:
        os.write(self.fd, keys.encode())
        return time.perf_counter()

    def rss_mb(self) -> tuple[float, float]:
        """(resident now, peak resident) of the child, in MB."""
        fields = {}
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                name, _, value = line.partition(":")
                fields[name] = value.strip()
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    def cpu_seconds(self) -> float:
        """CPU time the child has used so far (user + system), in seconds."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            self.read(0.05)
            with contextlib.suppress(ChildProcessError):
                pid, _ = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    break
        else:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        os.close(self.fd)


COMMAND = ROOT / ".venv" / "bin" / "contacts-tui"


DB_URL: str | None = None
"""`--db`: the database the app runs on, instead of the workspace's SQLite file."""


def start_app(workspace: Path) -> Terminal:
    database = ["--db", DB_URL] if DB_URL else []
    return Terminal([str(COMMAND), "--home", str(workspace), *database])


def start_bare() -> Terminal:
    return Terminal([str(PYTHON), str(Path(__file__).resolve()), "--bare"])


# ----- what the table draws ----------------------------------------------------------------

KEYS = {
    "down": "\x1b[B",
    "pagedown": "\x1b[6~",
    "enter": "\r",
    "escape": "\x1b",
    "home": "\x1b[H",
}


class Expected:
    """The rows the store says the table must show, drawn as the table draws them."""

    def __init__(self, workspace: Path) -> None:
        from contacts_tui.services import ContactService
        from contacts_tui.widgets.table_columns import DEFAULT_COLUMNS, fit, fit_columns
        from contacts_tui.workspace import open_workspace

        self.workspace = open_workspace(workspace, DB_URL)
        self.service = ContactService(self.workspace.config, self.workspace.user)
        self.layout = fit_columns(DEFAULT_COLUMNS, WIDTH - 1)
        self._fit = fit

    def cells(self, row, upto: int = 3) -> str:
        """Name, e-mail and number as drawn (one run of text: they share a style)."""
        from contacts_tui.safe_text import display_safe

        text = ""
        for key, width in self.layout[:upto]:
            text += " " + self._fit(display_safe(getattr(row, key)), width)
        return text

    def rows(
        self, search: str = "", sort: str = "name", descending: bool = False, n=1, status=None
    ):
        from contacts_tui.services import ContactFilter

        view = ContactFilter(search=search, status=status)
        return self.service.list_page(view, sort, descending, limit=n).rows

    def dashboard_marker(self, search: str = "", status: str | None = None) -> re.Pattern:
        """The dashboard's "Open N  Closed M" for this view, as drawn (styles between)."""
        from contacts_tui.services import ContactFilter

        counts = self.service.dashboard(ContactFilter(search=search, status=status))
        style = rb"(?:\x1b\[[0-9;]*m)*"
        return re.compile(
            b"Open "
            + style
            + f"{counts.open:,}".encode()
            + style
            + b" {1,2}"  # two spaces, one where the line is short of room
            + style
            + b"Closed "
            + style
            + f"{counts.closed:,}".encode()
            + rb"(?![0-9,])"
        )

    def last_row(self):
        from contacts_tui.services import ContactFilter

        return self.service.list_page(ContactFilter(), limit=1, backwards=True).rows[0]

    def count(self, search: str = "") -> int:
        from contacts_tui.services import ContactFilter

        return self.service.count(ContactFilter(search=search))


# ----- the measurements --------------------------------------------------------------------


@dataclass
class Results:
    contacts: int
    runs: int
    bare_start: list[float] = field(default_factory=list)
    app_start: list[float] = field(default_factory=list)
    bare_rss: list[float] = field(default_factory=list)
    app_rss: list[float] = field(default_factory=list)
    app_peak_rss: list[float] = field(default_factory=list)
    peak_by_phase: list[tuple[str, float, float]] = field(default_factory=list)
    session_cpu: float | None = None
    first_key: list[float] = field(default_factory=list)
    first_screen_bytes: list[int] = field(default_factory=list)
    move_bytes: list[int] = field(default_factory=list)
    page_bytes: list[int] = field(default_factory=list)
    jump_end: list[float] = field(default_factory=list)
    sort_change: list[float] = field(default_factory=list)
    search: dict[str, list[float]] = field(default_factory=dict)
    counts: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    short_by_sort: dict[str, list[float]] = field(default_factory=dict)
    store_by_sort: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def ensure_workspace(contacts: int) -> Path:
    folder = WORKSPACES / f"contacts-{contacts}{'-pg' if DB_URL else ''}"
    done = folder / ".demo-complete"
    if done.exists():
        return folder
    have = stored_contacts(folder)
    if have == contacts:
        done.touch()
        return folder
    if have and DB_URL:
        sys.exit(f"{DB_URL} holds {have:,} contacts, not {contacts:,}: give an empty database")
    if folder.exists():
        shutil.rmtree(folder)
    print(f"building a workspace of {contacts:,} demo contacts (once)…", file=sys.stderr)
    demo = ["demo", "--contacts", str(contacts), "--seed", "7"]
    database = ["--db", DB_URL] if DB_URL else []
    subprocess.run(
        [str(PYTHON), "-m", "contacts_tui", "--home", str(folder), *database, *demo],
        check=True,
        env=child_env(),
    )
    done.touch()
    return folder


def stored_contacts(folder: Path) -> int:
    """How many contacts the benchmark's database holds already (0: none, or no database)."""
    if DB_URL:
        import psycopg2
        from playhouse.db_url import parse

        params = parse(DB_URL)
        with contextlib.closing(psycopg2.connect(dbname=params.pop("database"), **params)) as db:
            cursor = db.cursor()
            cursor.execute("SELECT to_regclass('contact') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute("SELECT COUNT(*) FROM contact")
            return cursor.fetchone()[0]
    database = folder / "contacts.db"
    if not database.exists():
        return 0
    with contextlib.closing(sqlite3.connect(database)) as db:
        return db.execute("SELECT COUNT(*) FROM contact").fetchone()[0]


def warm_up(workspace: Path, expected: Expected) -> None:
    """One unmeasured start of each app: compiles the bytecode, warms the OS caches."""
    for start, marker in (
        (start_bare, BARE_MARKER),
        (lambda: start_app(workspace), expected.cells(expected.rows()[0])),
    ):
        terminal = start()
        terminal.wait_for(marker, timeout=120)
        terminal.quiet(1.0)
        terminal.close()


def settle(terminal: Terminal, status: str, timeout: float = 60) -> None:
    """Wait for the status line to say `status`, then for the app to fall quiet."""
    terminal.wait_for(status, timeout)
    terminal.quiet(0.4, timeout)


def measure_start(workspace: Path, expected: Expected, results: Results) -> None:
    first = expected.rows(n=20)
    paint_marker = expected.cells(first[-1])  # a row far down the first screen
    for _ in range(results.runs):
        bare = start_bare()
        painted = bare.wait_for(BARE_MARKER)
        results.bare_start.append(painted - bare.started)
        bare.quiet(0.5)
        results.bare_rss.append(bare.rss_mb()[0])
        bare.close()

        app = start_app(workspace)
        painted = app.wait_for(paint_marker)
        results.app_start.append(painted - app.started)
        results.first_screen_bytes.append(len(app.output))
        sent = app.write("j")
        answered = app.wait_for("Row 2 of")
        results.first_key.append(answered - sent)
        app.close()


def measure_session(workspace: Path, expected: Expected, results: Results) -> None:
    total = expected.count()
    everything = f"Row 1 of {total:,}"
    app = start_app(workspace)
    try:
        app.wait_for(expected.cells(expected.rows()[0]))
        settle(app, everything)
        app.wait_for("Closed", timeout=120) if b"Closed" not in app.output else None
        app.quiet(0.5, 120)
        now, peak = app.rss_mb()
        results.app_rss.append(now)
        results.app_peak_rss.append(peak)
        results.peak_by_phase.append(("first screen", now, peak))

        for _ in range(10):
            app.write("j")
            results.move_bytes.append(app.quiet(0.15))
        for _ in range(10):
            app.write(KEYS["pagedown"])
            results.page_bytes.append(app.quiet(0.2))
        app.write("g")
        app.quiet(0.3)

        last = expected.last_row()
        for _ in range(results.runs):
            sent = app.write("G")
            shown = app.wait_for(expected.cells(last))
            results.jump_end.append(shown - sent)
            app.quiet(0.3)
            app.write("g")
            app.wait_for(expected.cells(expected.rows()[0]))
            app.quiet(0.3)
        results.peak_by_phase.append(("moves, pages, G", *app.rss_mb()))

        for measure in (
            measure_sorts,
            measure_searches,
            measure_filter_counts,
            measure_short_terms_by_sort,
        ):
            try:
                measure(app, expected, results, everything)
            except TimeoutError as error:  # the others are still worth having
                results.notes.append(f"{measure.__name__} stopped: {str(error)[:200]}")
                app.write(KEYS["escape"] * 2)
                app.write("x")
                app.quiet(1.0, 120)
            results.peak_by_phase.append((measure.__name__, *app.rss_mb()))
        now, peak = app.rss_mb()
        results.app_peak_rss.append(peak)
        results.session_cpu = app.cpu_seconds()
    finally:
        app.close()


def measure_sorts(app: Terminal, expected: Expected, results: Results, _everything: str):
    """Sort by Company (▲), again (▼), then back to Name: each timed from the last key."""
    name_first = expected.cells(expected.rows()[0])
    for _ in range(results.runs):
        steps = [
            (KEYS["down"] * 3, "company", False),  # Name → E-mail → Number → Company
            ("", "company", True),  # the current column again: reversed
            (KEYS["home"], "name", False),
        ]
        on_screen = name_first
        for moves, sort, descending in steps:
            app.write("s")
            app.wait_for("Sort by")
            app.quiet(0.1)
            if moves:
                app.write(moves)
                app.quiet(0.1)
            marker = expected.cells(expected.rows(sort=sort, descending=descending)[0], upto=3)
            sent = app.write(KEYS["enter"])
            shown = app.wait_for(marker)
            if marker != on_screen:  # else the first row did not change: nothing to time
                results.sort_change.append(shown - sent)
            on_screen = marker
            app.quiet(0.3)


BODY = 20  # rows of the first screen that are on screen whatever the dashboard's height


def changed_row(expected: Expected, term: str, sort: str = "name") -> str | None:
    """The drawn text of a row on screen that the term's last letter brings.

    Timing "last key → rows" needs a row the screen did not show before that key: the
    first screen for the term without its last letter usually starts with the same rows.
    """
    final = expected.rows(search=term, sort=sort, n=BODY)
    before = expected.rows(search=term[:-1], sort=sort, n=BODY)
    shown_before = {expected.cells(row) for row in before}
    # The first row on screen that was not on it before: a short term's rows are often
    # the first term's without some, all of them further down.
    return next((m for m in map(expected.cells, final) if m not in shown_before), None)


def search_terms(expected: Expected) -> dict[str, str]:
    """`mar`, a rare term, a phone-digit fragment and a two-character term."""
    from contacts_tui.demo import FIRST_NAMES, LAST_NAMES
    from contacts_tui.store.search import digits

    total = expected.count()
    sample = expected.rows(n=400)
    # A first and a last name: a few hundred contacts in a million. Short last names
    # first: their last letter changes the rows (without it, "Wei Ch" also finds Chen).
    pairs = (f"{f} {last}" for last in sorted(LAST_NAMES, key=len) for f in FIRST_NAMES)
    rare = next(
        term
        for term in pairs
        if expected.count(term) < max(2, total // 1000) and changed_row(expected, term)
    )
    phone = next(
        (
            fragment
            for fragment in (digits(r.phone)[-6:] for r in sample[50:] if len(digits(r.phone)) > 8)
            if changed_row(expected, fragment)
        ),
        None,
    )
    terms = {"common": "mar", "rare": rare, "phone digits": phone, "two characters": "jo"}
    return {label: term for label, term in terms.items() if term}


def measure_searches(app: Terminal, expected: Expected, results: Results, everything: str):
    for label, term in search_terms(expected).items():
        marker = changed_row(expected, term)
        if marker is None:
            results.notes.append(f"search {term!r}: its last letter changes no row: not timed")
            continue
        hits = expected.count(term)
        title = f"{label} {term!r} ({hits:,} matches)"
        results.search[title] = times = []
        results.counts[f"search {title}"] = counted = ([], [])
        counts_marker = expected.dashboard_marker(term)
        for _ in range(results.runs):
            sent = type_search(app, term)
            shown, counts = app.wait_for_each([marker, counts_marker])
            times.append(shown - sent)
            counted[0].append(counts - sent)
            counted[1].append(counts - shown)
            app.quiet(0.3)
            app.write(KEYS["escape"])
            settle(app, everything)


def type_search(app: Terminal, term: str) -> float:
    """Type `term` into the search box as a quick typist; when its last key was sent."""
    app.write("/")
    app.quiet(0.1)
    for char in term[:-1]:
        app.write(char)
        time.sleep(0.08)  # a quick typist
    app.quiet(0.4)  # the rows for all but the last letter are on screen
    return app.write(term[-1])


def measure_filter_counts(app: Terminal, expected: Expected, results: Results, everything: str):
    """Status: Closed in the filter dialog, applied with enter: rows and counts."""
    shown = {expected.cells(row) for row in expected.rows(n=BODY)}
    closed = map(expected.cells, expected.rows(status="Closed", n=BODY))
    marker = next((m for m in closed if m not in shown), None)
    if marker is None:
        results.notes.append("filter Status: Closed shows the same rows: not timed")
        return
    counts_marker = expected.dashboard_marker(status="Closed")
    results.counts["filter Status: Closed"] = counted = ([], [])
    for _ in range(results.runs):
        app.write("f")
        app.wait_for("Filter contacts")
        app.quiet(0.5)
        app.write(" ")  # open the Status list
        app.quiet(0.5)
        app.write(KEYS["down"] * 2 + KEYS["enter"])  # Any status → Open → Closed
        app.wait_for("Closed")
        app.quiet(0.5)
        sent = app.write(KEYS["enter"])  # apply
        shown, counts = app.wait_for_each([marker, counts_marker])
        counted[0].append(counts - sent)
        counted[1].append(counts - shown)
        app.quiet(0.3)
        app.write("x")  # clear the filter
        settle(app, everything)


SHORT_TERMS = ("jo", "wa")
"""Short terms (the word-start index): a name start, and a company and e-mail start."""

SHOWN_SORTS = ("name", "email", "phone", "company", "status")
"""The sortable columns the list shows by default, in the sort dialog's order."""


def measure_short_terms_by_sort(
    app: Terminal, expected: Expected, results: Results, everything: str
):
    current = "name"
    for sort in SHOWN_SORTS:
        if sort != current:
            app.write("s")
            app.wait_for("Sort by")
            app.quiet(0.1)
            app.write(KEYS["home"] + KEYS["down"] * SHOWN_SORTS.index(sort) + KEYS["enter"])
            app.wait_for(expected.cells(expected.rows(sort=sort)[0]))
            settle(app, everything)
            current = sort
        for term in SHORT_TERMS:
            marker = changed_row(expected, term, sort)
            if marker is None:
                results.notes.append(f"{term!r} by {sort}: its last letter changes no row")
                continue
            results.short_by_sort[f"{term!r} sorted by {sort}"] = times = []
            for _ in range(results.runs):
                sent = type_search(app, term)
                times.append(app.wait_for(marker) - sent)
                app.quiet(0.3)
                app.write(KEYS["escape"])
                settle(app, everything)
    if current != "name":
        app.write("s")
        app.wait_for("Sort by")
        app.quiet(0.1)
        app.write(KEYS["home"] + KEYS["enter"])
        settle(app, everything)


def measure_store_sorts(expected: Expected, results: Results) -> None:
    """The list's query for a short term under every sort, in this process."""
    from contacts_tui.services import ContactFilter
    from contacts_tui.store import SORT_KEYS

    for term in (*SHORT_TERMS, "a"):
        for sort in SORT_KEYS:
            results.store_by_sort[f"{term!r} sorted by {sort}"] = times = []
            for _ in range(results.runs):
                started = time.perf_counter()
                expected.service.list_page(ContactFilter(search=term), sort, limit=100)
                times.append(time.perf_counter() - started)


# ----- report ------------------------------------------------------------------------------


def machine() -> list[tuple[str, str]]:
    import textual

    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return [
        ("CPU", cpu),
        ("cores", str(os.cpu_count())),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("Textual", textual.__version__),
    ]


def ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def start_rows(results: Results) -> list[tuple[str, str, str, str]]:
    bare, app = ms(results.bare_start), ms(results.app_start)
    ratio = app / bare
    return [
        ("start → first screen painted, bare Textual app", f"{bare:.0f} ms", "", ""),
        (
            "start → first screen of rows painted, contacts-tui",
            f"{app:.0f} ms ({ratio:.2f}× bare)",
            "≤ 1.3× bare",
            "yes" if ratio <= 1.3 else "no",
        ),
    ]


def report(results: Results) -> str:
    rows: list[tuple[str, str, str, str]] = []
    if results.app_start:  # (--only may leave parts out)
        rows += start_rows(results)
    if results.app_rss:
        bare_rss = statistics.median(results.bare_rss) if results.bare_rss else None
        rss = statistics.median(results.app_rss)
        peak = max(results.app_peak_rss)
        if bare_rss is not None:
            rows.append(("resident memory, bare app", f"{bare_rss:.1f} MB", "", ""))
        rows.append(
            (
                f"resident memory, contacts-tui at {results.contacts:,} (settled / peak)",
                f"{rss:.1f} MB / {peak:.1f} MB",
                "< 60 MB",
                "yes" if peak < 60 else ("settled only" if rss < 60 else "no"),
            )
        )
    for label, times in results.search.items():
        median, worst = ms(times), max(times) * 1000
        rows.append(
            (
                f"search, {label}: last key → rows (median / worst)",
                f"{median:.0f} / {worst:.0f} ms",
                "< 100 / 150 ms",
                "yes" if median < 100 and worst < 150 else "no",
            )
        )
    for label, (after_key, after_rows) in results.counts.items():
        gap = ms(after_rows)
        rows.append(
            (
                f"counts after {label}: key → dashboard (median); after the rows (median / worst)",
                f"{ms(after_key):.0f} ms; {gap:.0f} / {max(after_rows) * 1000:.0f} ms",
                "≤ 200 ms after the rows",
                _yes(gap <= 200),
            )
        )
    for label, times in results.short_by_sort.items():
        median, worst = ms(times), max(times) * 1000
        rows.append(
            (
                f"search, short term {label}: last key → rows (median / worst)",
                f"{median:.0f} / {worst:.0f} ms",
                "< 100 / 150 ms",
                _yes(median < 100 and worst < 150),
            )
        )
    for label, times in results.store_by_sort.items():
        rows.append(
            (
                f"store only: 100 rows of {label} (median / worst)",
                f"{ms(times):.0f} / {max(times) * 1000:.0f} ms",
                "",
                "",
            )
        )
    for label, times in (("sort change", results.sort_change), ("G (last row)", results.jump_end)):
        if not times:
            continue
        median, worst = ms(times), max(times) * 1000
        rows.append(
            (
                f"{label} → new rows (median / worst)",
                f"{median:.0f} / {worst:.0f} ms",
                "< 100 ms",
                "yes" if median < 100 else "no",
            )
        )
    if results.first_key:
        first_key = ms(results.first_key)
        rows.append(
            (
                "first key answered after first paint",
                f"{first_key:.0f} ms",
                "< 50 ms",
                "yes" if first_key < 50 else "no",
            )
        )
    if results.move_bytes:
        move = statistics.median(results.move_bytes)
        page = statistics.median(results.page_bytes)
        rows.append(("bytes per cursor move (j)", f"{move:,.0f} B", "< 1 KB", _yes(move < 1024)))
        rows.append(("bytes per page down", f"{page:,.0f} B", "< 15 KB", _yes(page < 15 * 1024)))
    if results.first_screen_bytes:
        first = statistics.median(results.first_screen_bytes)
        rows.append(("bytes until the first screen of rows", f"{first:,.0f} B", "", ""))

    on = " on PostgreSQL" if DB_URL else ""
    option = " --db postgresql://…" if DB_URL else ""
    lines = [
        f"# Contact list benchmark — {results.contacts:,} contacts{on}",
        "",
        f"`uv run python bench/list_screen.py --contacts {results.contacts}{option}`, "
        f"{results.runs} runs each (medians), terminal {WIDTH}×{HEIGHT}, "
        f"written {time.strftime('%Y-%m-%d %H:%M')}.",
        "How each figure is taken is in the docstring of `bench/list_screen.py`.",
        "",
        "| measure | result | target | met |",
        "| --- | --- | --- | --- |",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
        "Machine:",
        "",
        *(f"- {name}: {value}" for name, value in machine()),
    ]
    if results.session_cpu is not None:
        lines += [
            "",
            f"CPU time of the app over the whole session: {results.session_cpu:.2f} s "
            "(the same keys every run: steadier than wall times on a busy machine).",
        ]
    if results.peak_by_phase:
        lines += [
            "",
            "Resident memory of the session after each part (now / peak so far):",
            "",
            *(f"- {name}: {now:.1f} / {peak:.1f} MB" for name, now, peak in results.peak_by_phase),
        ]
    if results.notes:
        lines += ["", "Notes:", "", *(f"- {note}" for note in results.notes)]
    return "\n".join(lines) + "\n"


def _yes(ok: bool) -> str:
    return "yes" if ok else "no"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000, help="workspace size")
    parser.add_argument("--runs", type=int, default=7, help="repeats of each measure")
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="where to write the table (markdown)"
    )
    parser.add_argument(
        "--db", help="run the app on this postgresql://… database (filled by the demo once)"
    )
    parser.add_argument("--home", type=Path, help="an existing demo workspace (a copy)")
    parser.add_argument(
        "--only",
        choices=("start", "session", "store"),
        action="append",
        help="measure only these parts (repeatable; default: all)",
    )
    args = parser.parse_args()
    if args.bare:
        run_bare_app()
        return 0
    global DB_URL
    DB_URL = args.db
    workspace = args.home or ensure_workspace(args.contacts)
    expected = Expected(workspace)
    results = Results(args.contacts, args.runs)
    print("warming up…", file=sys.stderr)
    warm_up(workspace, expected)
    parts = args.only or ("start", "session", "store")
    if "start" in parts:
        print("start-up…", file=sys.stderr)
        measure_start(workspace, expected, results)
    if "session" in parts:
        print("one session: moves, pages, G, sorts, searches, counts…", file=sys.stderr)
        measure_session(workspace, expected, results)
    if "store" in parts:
        print("short terms under every sort, the store alone…", file=sys.stderr)
        measure_store_sorts(expected, results)
    text = report(results)
    print(text)
    args.results.write_text(text)
    print(f"written to {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
