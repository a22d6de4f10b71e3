"""The list benchmark on PostgreSQL beside SQLite, run back to back on the same data.

    uv run python bench/postgres_parity.py --contacts 1000000 \\
        --home COPY_OF_A_SQLITE_DEMO --db postgresql://user@host/db

runs `bench/list_screen.py` once on the SQLite workspace `--home` and once on `--db` (the
same contacts, copied there by `contacts-tui migrate --to`; the workspace folder gives
both runs their lifecycle.toml), then writes bench/results-postgresql.md: each measure on
both databases and PostgreSQL's ratio to SQLite (target ≤ 1.5×), with the machine's load
before and after. The two runs are minutes apart on a shared machine: the load average
says how far to trust a ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results-postgresql.md"
TARGET = 1.5
ROW = re.compile(r"^\| (?P<measure>[^|]+) \| (?P<result>[^|]+) \|")
NUMBER = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")


def run(contacts: int, runs: int, home: Path, url: str | None, out: Path) -> dict[str, str]:
    command = [
        sys.executable,
        str(ROOT / "bench" / "list_screen.py"),
        "--contacts",
        str(contacts),
        "--runs",
        str(runs),
        "--home",
        str(home),
        "--results",
        str(out),
    ]
    if url:
        command += ["--db", url]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    rows = {}
    for line in out.read_text().splitlines():
        found = ROW.match(line)
        if found and found["measure"] not in {"measure", "---"}:
            rows[found["measure"].strip()] = found["result"].strip()
    return rows


def first_number(result: str) -> float | None:
    found = NUMBER.search(result)
    return float(found.group().replace(",", "")) if found else None


def load() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--home", type=Path, required=True, help="the SQLite demo workspace")
    parser.add_argument("--db", required=True, help="postgresql://… holding the same contacts")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    loads = [load()]
    started = time.strftime("%Y-%m-%d %H:%M")
    with tempfile.TemporaryDirectory() as scratch:
        print("SQLite…", file=sys.stderr)
        sqlite = run(args.contacts, args.runs, args.home, None, Path(scratch) / "sqlite.md")
        loads.append(load())
        print("PostgreSQL…", file=sys.stderr)
        postgres = run(args.contacts, args.runs, args.home, args.db, Path(scratch) / "pg.md")
        loads.append(load())
    lines = [
        f"# Contact list benchmark — {args.contacts:,} contacts, PostgreSQL beside SQLite",
        "",
        "`uv run python bench/postgres_parity.py --contacts "
        f"{args.contacts} --home SQLITE_WORKSPACE --db postgresql://…`, {args.runs} runs "
        f"each (medians), SQLite then PostgreSQL, started {started}. Each figure is "
        "`bench/list_screen.py`'s (how it is taken: its docstring); the ratio is of the "
        f"first figure (the median), PostgreSQL / SQLite, target ≤ {TARGET}×.",
        "",
        f"Load average (1, 5, 15 min; 2 cores): before {loads[0]}; between {loads[1]}; "
        f"after {loads[2]}.",
        "",
        "| measure | SQLite | PostgreSQL | ratio | ≤ 1.5× |",
        "| --- | --- | --- | --- | --- |",
    ]
    for measure, theirs in postgres.items():
        ours = sqlite.get(measure, "")
        a, b = first_number(ours), first_number(theirs)
        ratio = f"{b / a:.2f}×" if a and b is not None else ""
        met = "" if not ratio else ("yes" if b / a <= TARGET else "no")
        lines.append(f"| {measure} | {ours} | {theirs} | {ratio} | {met} |")
    text = "\n".join(lines) + "\n"
    args.results.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
