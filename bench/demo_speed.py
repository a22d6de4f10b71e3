"""How long `contacts-tui demo` takes to add contacts (the target: 100,000 in under 10 s).

Runs the real command in a fresh workspace several times and prints the median, beside a
baseline measured in the same run: a bare sqlite3 `executemany` of the very rows the demo
inserts (its contacts, e-mails, phones, addresses, bank accounts, stage history and word
index, made beforehand) into tables of the same columns with no index, trigger or search
index, in one transaction of a fresh file: the floor for "inserting these rows" on this
machine. CPU seconds are printed too: on a shared, loaded machine they vary less than wall
time.

    uv run python bench/demo_speed.py [--contacts 100000] [--runs 3] [--before DIR]

`--before DIR` also times the demo of another copy of the project (say `git archive main`
unpacked in DIR, then `uv sync` there), with DIR's own environment, in the same runs: a
change's before and after under the same load.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def time_demo(count: int, source: str | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of `contacts-tui demo --contacts count` in a new workspace
    (of the project in the folder `source`, with its own environment, if given)."""
    python = sys.executable if source is None else str(Path(source) / ".venv/bin/python")
    with tempfile.TemporaryDirectory() as folder:
        before = os.times()
        started = time.perf_counter()
        subprocess.run(
            [
                python,
                "-m",
                "contacts_tui",
                "--home",
                folder,
                "demo",
                "--contacts",
                str(count),
            ],
            check=True,
            capture_output=True,
            cwd=folder,  # not this folder: `-m` would import its package, whatever python
        )
        after = os.times()
        cpu = after.children_user + after.children_system
        return time.perf_counter() - started, cpu - before.children_user - before.children_system


def demo_rows(count: int) -> list[tuple[str, tuple[str, ...], list[tuple]]]:
    """The rows the demo inserts for `count` contacts (same seed), made in memory."""
    from contacts_tui import lifecycle
    from contacts_tui.demo import QuickRandom, _make_batch

    config = lifecycle.load(lifecycle.bundled_path())
    companies = [(n, f"Company {n} Ltd") for n in range(1, 101)]
    rng, walks = QuickRandom(7), QuickRandom(8)
    tables: dict[str, tuple[tuple[str, ...], list[tuple]]] = {}
    for first in range(1, count + 1, 5000):
        size = min(5000, count + 1 - first)
        for table, columns, rows in _make_batch(rng, walks, config, first, size, companies, "b"):
            tables.setdefault(table, (columns, []))[1].extend(rows)
    return [(table, columns, rows) for table, (columns, rows) in tables.items()]


def time_baseline(tables: list[tuple[str, tuple[str, ...], list[tuple]]]) -> tuple[float, float]:
    """Wall and CPU seconds of a bare executemany of those rows into plain tables."""
    with tempfile.TemporaryDirectory() as folder:
        cpu = time.process_time()
        started = time.perf_counter()
        db = sqlite3.connect(Path(folder) / "x.db")
        db.execute("PRAGMA journal_mode=wal")
        db.execute("PRAGMA synchronous=normal")
        with db:
            for table, columns, rows in tables:
                db.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
                marks = ", ".join("?" for _ in columns)
                db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        db.close()
        return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", help="another source folder to time beside this one")
    args = parser.parse_args()
    rows = demo_rows(args.contacts)
    demo, base, before = [], [], []
    for _ in range(args.runs):  # interleaved: all see the same load of the machine
        if args.before:
            before.append(time_demo(args.contacts, args.before))
        demo.append(time_demo(args.contacts))
        base.append(time_baseline(rows))
    machine = platform.processor() or platform.machine()
    python = platform.python_version()
    print(f"machine: {machine}, python {python}, sqlite {sqlite3.sqlite_version}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'':30} {'wall median':>12} {'worst':>8} {'CPU median':>11}")
    rows_shown = [(f"demo --contacts {args.contacts:,}", demo), ("baseline executemany", base)]
    if before:
        rows_shown.insert(0, ("the same, --before's source", before))
    for label, times in rows_shown:
        walls, cpus = [w for w, _ in times], [c for _, c in times]
        print(
            f"{label:30} {statistics.median(walls):11.2f}s {max(walls):7.2f}s "
            f"{statistics.median(cpus):10.2f}s"
        )
    wall_ratio = statistics.median(w for w, _ in demo) / statistics.median(w for w, _ in base)
    cpu_ratio = statistics.median(c for _, c in demo) / statistics.median(c for _, c in base)
    per_100k = statistics.median(w for w, _ in demo) * 100_000 / args.contacts
    print(
        f"ratio demo / baseline: {wall_ratio:.1f}x wall, {cpu_ratio:.1f}x CPU; "
        f"{per_100k:.1f} s per 100,000 contacts (target: under 10 s)"
    )
    if before:
        then = statistics.median(c for _, c in before) / statistics.median(c for _, c in base)
        print(
            f"--before / baseline: {then:.1f}x CPU; "
            f"{statistics.median(c for _, c in before) * 100_000 / args.contacts:.1f} s CPU "
            f"per 100,000 contacts before, "
            f"{statistics.median(c for _, c in demo) * 100_000 / args.contacts:.1f} s now"
        )


if __name__ == "__main__":
    main()
