"""How long `contacts-tui demo` takes to add contacts (the target: 100,000 in under 10 s).

Runs the real command in a fresh workspace several times and prints the median, beside a
baseline measured in the same run: one raw `executemany` of as many bare rows into a
one-index table in a fresh SQLite file (the floor for "inserting N rows" on this machine).

    uv run python bench/demo_speed.py [--contacts 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def time_demo(count: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
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
        )
        return time.perf_counter() - started


def time_baseline(count: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        db = sqlite3.connect(Path(folder) / "x.db")
        db.execute("PRAGMA journal_mode=wal")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, email TEXT)")
        db.execute("CREATE INDEX t_name ON t (name)")
        rows = ((i, f"Name {i * 7919 % count}", f"n{i}@example.com") for i in range(count))
        with db:
            db.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
        db.close()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    demo = [time_demo(args.contacts) for _ in range(args.runs)]
    base = [time_baseline(args.contacts) for _ in range(args.runs)]
    machine = platform.processor() or platform.machine()
    python = platform.python_version()
    print(f"machine: {machine}, python {python}, sqlite {sqlite3.sqlite_version}")
    print(f"{'':28} {'median':>8} {'worst':>8}")
    label = f"demo --contacts {args.contacts:,}"
    print(f"{label:28} {statistics.median(demo):7.2f}s {max(demo):7.2f}s")
    print(f"{'baseline executemany':28} {statistics.median(base):7.2f}s {max(base):7.2f}s")
    print(
        f"ratio demo / baseline: {statistics.median(demo) / statistics.median(base):.1f}x "
        f"(target: 100,000 contacts under 10 s)"
    )


if __name__ == "__main__":
    main()
