"""Import of a big CSV file and export of a big workspace to CSV, each against its floor.

Import (target: 100,000 rows under 10 s): `contacts-tui import FILE --on-duplicate
create` of a CSV shaped like an address book's (name, e-mail, phone, company, address),
in a fresh workspace, beside its floor measured in the same run: one raw `executemany`
of the same rows into a one-index table of a fresh SQLite file. With `--checks-here`,
each run also imports with every record checked in the importing process, and with
every record checked in a second process (a big file's on two cores or more:
services/import_checks.py): whether the second one pays. Each run also times the
checking process's work alone (reading, checking and pickling every record, its output
thrown away): its CPU µs a row is the half of the import that the second core carries.

Export (target: 1,000,000 contacts within 3x the floor, under 100 MB): `contacts-tui
export --format csv` (the plain profile) of a demo workspace, beside its floor: `sqlite3
-csv` of one SELECT that yields the same cells on the same database (`same_cells_query`:
the records' cells by subqueries, the lifecycle's names from a VALUES table, every text
guarded against spreadsheet formulas as the export does; the run checks, cell by cell,
that both files hold the same). Also shown, not the target: `sqlite3 -csv` of the contact
table's own 13 columns of the export (the issue's first floor, 13 of the 29 cells).
The export's peak resident memory is measured too.

Both run the real commands as subprocesses, several times; medians and ratios are
printed. The machine is shared: absolute times vary, the ratio to the floor less.

    uv run python bench/import_export.py [--rows 100000] [--contacts 1000000] [--runs 3]
        [--workspace COPY-OF-A-DEMO] [--only import|export] [--checks-here] [--before DIR]

`--before DIR` also imports with the code of another copy of the project (say `git
archive main | tar -x -C DIR`), run by this environment's Python, interleaved with this
code's runs in the same ways: a change's before and after under the same load.

`--workspace` exports that workspace instead of building a demo of `--contacts` (a
million takes half an hour here): give it a copy, as opening it applies migrations.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import itertools
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

FIRST = ("Ada", "Ben", "Chloé", "Dmitri", "Emma", "Farid", "Grace", "Hiro", "Ines", "José")
LAST = ("Lovelace", "Okafor", "Müller", "Ivanov", "Smith", "Haddad", "Hopper", "Sato", "Silva")
DOMAINS = ("example.com", "example.org", "mail.example", "corp.example")
CITIES = (
    ("London", "SW1A 1AA", "GB", "020 7{:03d} {:04d}"),
    ("Berlin", "10115", "Germany", "+49 30 2{:03d}{:04d}"),
    ("Toronto", "M5E 1E6", "Canada", "416-{:03d}-{:04d}"),
)
"""City, zip, country and a phone pattern each: every row's number is its own (as people's
are; a file where thousands share one is a switchboard's, and reads faster from caches)."""


def fold_ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "contacts_tui", *args]


def write_csv(path: Path, rows: int) -> list[tuple[str, str, str, str]]:
    """An address book's CSV; returns its (name, e-mail, phone, company) for the floor."""
    rng = random.Random(14)
    plain = []
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["First Name", "Last Name", "E-mail", "Phone", "Company", "Street", "City",
             "Zip", "Country"]
        )  # fmt: skip
        for n in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            # As addresses are: ASCII (jose.muller@, not josé.müller@).
            email = f"{fold_ascii(first)}.{fold_ascii(last)}{n}@{rng.choice(DOMAINS)}".lower()
            city, zip_code, country, phone = rng.choice(CITIES)
            phone = phone.format(200 + n // 10000 % 800, n % 10000)
            company = f"Company {n % 5000}"
            writer.writerow(
                [first, last, email, phone, company, f"{n % 200} High St", city, zip_code,
                 country]
            )  # fmt: skip
            plain.append((f"{first} {last}", email, phone, company))
    return plain


def run(
    args: list[str],
    stdin: Path | None = None,
    stdout: Path | None = None,
    cwd: Path | str | None = None,
) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak resident MB) of a command.

    CPU time too: on a shared machine the wall time of a Python process grows with the
    load far more than that of one C call (the floors), the CPU time much less.
    """
    with contextlib.ExitStack() as files:
        given = open(stdin, "rb") if stdin else None  # noqa: SIM115 (closed by the stack)
        taken = open(stdout, "wb") if stdout else None  # noqa: SIM115
        for file in (given, taken):
            if file:
                files.enter_context(file)
        started = time.perf_counter()
        process = subprocess.Popen(
            args,
            stdin=given,
            stdout=taken or subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    if status:
        raise SystemExit(f"{' '.join(args)} failed with status {status}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def floor_insert(rows: list[tuple[str, str, str, str]]) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        cpu = time.process_time()
        started = time.perf_counter()
        db = sqlite3.connect(Path(folder) / "x.db")
        db.execute("PRAGMA journal_mode=wal")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name, email, phone, company)")
        db.execute("CREATE INDEX t_name ON t (name)")
        with db:
            db.executemany("INSERT INTO t (name, email, phone, company) VALUES (?,?,?,?)", rows)
        db.close()
        return time.perf_counter() - started, time.process_time() - cpu


def _checked(where: str, own_cpu: Path) -> str:
    """A `python -c` program: the CLI with the records checked `where` ('here': in the
    importing process; 'apart': in a second one; '': as the import decides), whatever
    the machine's load; at its exit it writes its own CPU seconds (the checking
    process's left out) to `own_cpu`."""
    settings = {
        "": "",
        "here": "import_checks.PARALLEL_FROM = float('inf')",
        # second_core: this code's; spare_core: the one before (--before a copy of it).
        "apart": "import_checks.second_core = import_checks.spare_core = lambda: True",
    }
    own = "sum(resource.getrusage(resource.RUSAGE_SELF)[:2])"
    record = f"atexit.register(lambda: open({str(own_cpu)!r}, 'w').write(str({own})))"
    statements = [
        "import atexit, resource, sys",
        "from contacts_tui.services import import_checks",
        settings[where],
        record,
        "from contacts_tui.cli import main",
        "sys.exit(main(sys.argv[1:]))",
    ]
    return "; ".join(filter(None, statements))


def time_import(
    path: Path, checks: str = "", source: Path | None = None
) -> tuple[float, float, float, float]:
    """(wall, CPU seconds, the checking process's included; peak resident MB of the
    largest process; CPU seconds of the importing process alone) of the import;
    `checks` 'here' or 'apart' forces where the records are checked
    (services.import_checks), '' leaves it to the import (apart for a big file on two
    cores or more). `source`: the project's code in that folder instead of this one's."""
    with tempfile.TemporaryDirectory() as folder, _code_of(source):
        # Started in the workspace's folder: `-m` and `-c` put the current folder first
        # on the path, before PYTHONPATH (this project's folder would win). The workspace
        # is made by the same code: another's migrations would be "a newer version".
        init = command("--home", folder, "init")
        subprocess.run(init, check=False, capture_output=True, cwd=folder)
        args = ("--home", folder, "import", str(path), "--on-duplicate", "create")
        own_cpu = Path(folder) / "importer-cpu"
        started = [sys.executable, "-c", _checked(checks, own_cpu), *args]
        wall, cpu, peak = run(started, cwd=folder)
        return wall, cpu, peak, float(own_cpu.read_text())


CHECKER_ALONE = """
import io, pickle, sys, time
from pathlib import Path
from contacts_tui.importer import open_source
from contacts_tui.services import import_checks
from contacts_tui.workspace import open_workspace

class Dropped(io.RawIOBase):
    def writable(self):
        return True

    def write(self, data):
        return len(data)

workspace = open_workspace(Path(sys.argv[2]))
source = open_source(sys.argv[1])
task = (import_checks.CHUNK, source, workspace.config, workspace.user, workspace.config_path, False)
given = io.BytesIO(pickle.dumps(task))
started = time.process_time()
import_checks._check_for_importer(given, Dropped())
print(time.process_time() - started)
"""
"""A `python -c` program: what the second process of an import does with a file (read,
check, pickle each chunk), its output thrown away, and the CPU seconds that took; the
process's start and the file's opening are not in it."""


def time_checker(path: Path, home: Path, source: Path | None = None) -> float:
    """CPU seconds of the checking process's work on the file (CHECKER_ALONE)."""
    with _code_of(source):
        done = subprocess.run(
            [sys.executable, "-c", CHECKER_ALONE, str(path), str(home)],
            check=True,
            capture_output=True,
            text=True,
            cwd=home,
        )
    return float(done.stdout.split()[-1])


@contextlib.contextmanager
def _code_of(source: Path | None) -> Iterator[None]:
    """Commands started meanwhile import the package from `source` (None: this one's):
    PYTHONPATH comes before the environment's own install of the project."""
    if source is None:
        yield
        return
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(source.resolve())
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before


CONTACT_COLUMNS_QUERY = (
    "SELECT id, name, full_name, primary_email, primary_phone, company_name, status, stage, "
    "template, segmentation, scoring, reason_code, updated_at FROM contact "
    "WHERE archived = 0 ORDER BY name_key, id"
)
"""The issue's first floor: the contact table's own columns of the export, as stored (no
records, no lifecycle names, no guard): 13 of the 29 cells. Shown; not the target's floor."""

_STARTS_A_FORMULA = "('=', '+', '-', '@', char(9), char(13))"


def _guarded(value: str) -> str:
    """SQL of `value` as the plain CSV's cell: a formula start (after apostrophes) gets a
    leading apostrophe, as csv_guard.guard does (spreadsheets would run it)."""
    return (
        f"(CASE WHEN substr(ltrim({value}, ''''), 1, 1) IN {_STARTS_A_FORMULA} "
        f"THEN '''' || {value} ELSE {value} END)"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def same_cells_query(lifecycle: Path) -> str:
    """The floor: one SELECT whose rows are the plain CSV export's cells, every one
    (header names aside): the records' (other e-mails and numbers, accounts, the first
    address), the lifecycle's names of stage, category and lifecycle, the tenant-wide
    label, the time as written, each text guarded. `sqlite3 -csv` quotes them;
    `same_cells` checks that both files hold the same cells."""
    from contacts_tui.export import TENANT_WIDE_LABEL
    from contacts_tui.lifecycle import load

    config = load(lifecycle)
    steps = [
        f"({_literal(t.key)}, {_literal(s.key)}, {_literal(s.name)}, {_literal(c.name)})"
        for t in config.templates
        for c in t.categories
        for s in c.steps
    ]
    templates = [f"({_literal(t.key)}, {_literal(t.name)})" for t in config.templates]
    updated = (
        "(CASE WHEN length(c.updated_at) >= 19 AND substr(c.updated_at, 11, 1) = ' ' "
        "THEN substr(c.updated_at, 1, 10) || 'T' || substr(c.updated_at, 12, 8) || 'Z' "
        "ELSE c.updated_at END)"
    )

    def joined(values: str) -> str:
        """The values (a query of one column `v`) joined by '; ', guarded once."""
        return (
            f"(SELECT {_guarded('v')} FROM "
            f"(SELECT ifnull(group_concat(v, '; '), '') AS v FROM ({values})))"
        )

    cells = [
        "c.id",
        *(_guarded(f"c.{n}") for n in ("name", "full_name", "primary_email", "primary_phone")),
        _guarded(
            f"(CASE WHEN ifnull(c.company_name, '') = '' THEN {_literal(TENANT_WIDE_LABEL)} "
            "ELSE c.company_name END)"
        ),
        _guarded("c.status"),
        _guarded("ifnull(s.name, c.stage)"),
        _guarded("ifnull(s.category, '')"),
        _guarded("ifnull(l.name, c.template)"),
        _guarded("c.segmentation"),
        "c.scoring",
        _guarded("c.reason_code"),
        joined(
            "SELECT a.name AS v FROM contact_account ca JOIN account a "
            "ON a.id = ca.account_id WHERE ca.contact_id = c.id ORDER BY a.name"
        ),
        _guarded(updated),
        joined(
            "SELECT email AS v FROM email WHERE contact_id = c.id "
            "ORDER BY is_primary DESC, id LIMIT -1 OFFSET 1"
        ),
        joined(
            "SELECT number AS v FROM phone WHERE contact_id = c.id AND NOT is_primary ORDER BY id"
        ),
        *(
            _guarded(f"c.{n}")
            for n in ("job_title", "department", "website", "birthday", "nickname")
        ),
        *(
            _guarded(f"ad.{n}")
            for n in ("address", "locality", "city", "state", "zip_code", "country")
        ),
        _guarded("c.notes"),
    ]
    return (
        f"WITH step(template, key, name, category) AS (VALUES {', '.join(steps)}), "
        f"lifecycle(key, name) AS (VALUES {', '.join(templates)}) "
        f"SELECT {', '.join(cells)} FROM contact c "
        "LEFT JOIN step s ON s.template = c.template AND s.key = c.stage "
        "LEFT JOIN lifecycle l ON l.key = c.template "
        "LEFT JOIN address ad ON ad.id = (SELECT id FROM address WHERE contact_id = c.id "
        "ORDER BY is_primary DESC, id LIMIT 1) "
        "WHERE c.archived = 0 ORDER BY c.name_key, c.id;"
    )


def same_cells(export: Path, floor: Path) -> str:
    """Whether the export and the floor hold the same cells, row by row (the header aside)."""
    with open(export, newline="", encoding="utf-8-sig") as ours, open(floor, newline="") as theirs:
        mine, floors = csv.reader(ours), csv.reader(theirs)
        next(mine, None)
        next(floors, None)
        rows = 0
        for row, floor_row in itertools.zip_longest(mine, floors):
            if row != floor_row:
                return f"NO: row {rows + 2} differs: export {row!r}, floor {floor_row!r}"
            rows += 1
    return f"yes, {rows:,} rows"


def time_export(home: Path, out: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak resident MB) of `contacts-tui export --format csv`."""
    out.unlink(missing_ok=True)
    return run(command("--home", str(home), "export", "--format", "csv", "-o", str(out)))


def floor_export(database: Path, query: Path, out: Path) -> tuple[float, float]:
    """`sqlite3 -csv` of the SQL in the file `query` (the shell reads it from its input)."""
    wall, cpu, _ = run(["sqlite3", "-csv", "-header", str(database)], stdin=query, stdout=out)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the CSV to import")
    parser.add_argument("--contacts", type=int, default=1_000_000, help="contacts to export")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workspace", type=Path, help="export this workspace (a copy)")
    parser.add_argument("--only", choices=("import", "export"))
    parser.add_argument(
        "--checks-here",
        action="store_true",
        help="also import with the records checked in the importing process, and in a second",
    )
    parser.add_argument(
        "--before", type=Path, help="also import with the code of this copy of the project"
    )
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, load {load()}")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        if args.only != "export":
            bench_import(folder, args)
        if args.only != "import":
            bench_export(folder, args)
    print(f"load at the end: {load()}")


def load() -> str:
    return ", ".join(f"{n:.1f}" for n in os.getloadavg()) + " (1, 5, 15 min)"


def bench_import(folder: Path, args: argparse.Namespace) -> None:
    path = folder / "address-book.csv"
    plain = write_csv(path, args.rows)
    ways = ("", "here", "apart") if args.checks_here else ("",)
    sources = (None, args.before) if args.before else (None,)
    times: dict[tuple[Path | None, str], list] = {(s, w): [] for s in sources for w in ways}
    checker: dict[Path | None, list[float]] = {s: [] for s in sources}
    homes = {}
    for n, source in enumerate(sources):  # each code its own: its migrations
        homes[source] = folder / f"checker-workspace-{n}"
        with _code_of(source):
            subprocess.run(  # from a folder of no code: -m puts it first on the path
                command("--home", str(homes[source]), "init"),
                check=True,
                capture_output=True,
                cwd=folder,
            )
    floors = []
    for _ in range(args.runs):  # each beside its floor: the load changes meanwhile
        for source, way in times:
            times[source, way].append(time_import(path, way, source))
        for source in sources:
            checker[source].append(time_checker(path, homes[source], source))
        floors.append(floor_insert(plain))
    named = {
        "": f"import {args.rows:,} CSV rows",
        "here": "  every record checked in the importing process",
        "apart": "  every record checked in a second process",
    }
    for source, way in times:
        what = named[way] + (f" (--before {source})" if source else "")
        report(what, times[source, way], floors, args.runs)
        peak = max(r[2] for r in times[source, way])
        own = statistics.median(r[3] for r in times[source, way])
        print(
            f"    the importing process alone: {own:.1f} s CPU ({own / args.rows * 1e6:.0f} µs "
            f"a row); peak resident memory (the largest process): {peak:.0f} MB"
        )
    for source in sources:
        seconds = statistics.median(checker[source])
        print(
            f"  the checking process's work alone{f' (--before {source})' if source else ''}: "
            f"{seconds:.2f} s CPU, {seconds / args.rows * 1e6:.0f} µs a row "
            f"(median of {args.runs}; runs: {', '.join(f'{c:.2f}' for c in checker[source])})"
        )
    imports = times[None, ""]
    wall, cpu = (statistics.median(r[n] for r in imports) for n in (0, 1))
    scale = 100_000 / args.rows
    print(
        f"  target < 10 s at 100,000 rows: wall {'met' if wall * scale < 10 else 'NOT met'}, "
        f"CPU {'met' if cpu * scale < 10 else 'NOT met'}"
    )


def bench_export(folder: Path, args: argparse.Namespace) -> None:
    home = args.workspace
    if home is None:
        home = folder / "workspace"
        subprocess.run(
            command("--home", str(home), "demo", "--contacts", str(args.contacts)),
            check=True,
            capture_output=True,
        )
    else:  # migrations first, so that no run of the export pays for them
        subprocess.run(command("--home", str(home), "check"), check=False, capture_output=True)
    floor_sql = folder / "floor.sql"
    floor_sql.write_text(same_cells_query(home / "lifecycle.toml"), encoding="utf-8")
    columns_sql = folder / "columns.sql"
    columns_sql.write_text(CONTACT_COLUMNS_QUERY + ";", encoding="utf-8")
    database = home / "contacts.db"
    exports, floors, column_floors = [], [], []
    for _ in range(args.runs):  # interleaved: the load changes meanwhile
        exports.append(time_export(home, folder / "export.csv"))
        floors.append(floor_export(database, floor_sql, folder / "floor.csv"))
        column_floors.append(floor_export(database, columns_sql, folder / "columns.csv"))
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT COUNT(*) FROM contact WHERE archived = 0").fetchone()[0]
    exported = [(wall, cpu) for wall, cpu, _ in exports]
    ratio = report(f"export {rows:,} contacts to CSV", exported, floors, args.runs)
    print(
        f"  floor: sqlite3 -csv of the same cells; same cells as the export: "
        f"{same_cells(folder / 'export.csv', folder / 'floor.csv')}"
    )
    report("  the same export against sqlite3 -csv of the contact table's columns alone",
           exported, column_floors, args.runs)  # fmt: skip
    peak = max(mb for _, _, mb in exports)
    print(
        f"  target within 3x the floor (CPU): {'met' if ratio <= 3 else 'NOT met'}; "
        f"peak memory {peak:.0f} MB (target < 100 MB: {'met' if peak < 100 else 'NOT met'})"
    )


def report(what: str, runs: list, floors: list, count: int) -> float:
    """Print medians (wall and CPU) and their ratio to the floor; returns the CPU ratio."""
    wall, cpu = (statistics.median(r[n] for r in runs) for n in (0, 1))
    floor_wall, floor_cpu = (statistics.median(f[n] for f in floors) for n in (0, 1))
    print(
        f"{what}: {wall:.1f} s wall / {cpu:.1f} s CPU (median of {count}); floor "
        f"{floor_wall:.2f} s / {floor_cpu:.2f} s; {wall / floor_wall:.1f}x / "
        f"{cpu / max(floor_cpu, 1e-3):.1f}x the floor"
    )
    return cpu / max(floor_cpu, 1e-3)


if __name__ == "__main__":
    main()
