"""The importing process's own work alone: writing checked records, µs of CPU a row.

An import of a big file runs in two processes (services/import_checks.py): one reads and
checks the records, the importing one writes them in batches. This times the second's
part alone: the CSV of bench/import_export.py is read and checked once, here, its
checked records kept as the chunks the checking process hands over; then each run
imports them into a fresh workspace (`import_contacts --on-duplicate create`, the
checking replaced by the kept chunks) in a process of its own and prints:

- write: CPU seconds from the first record to the last one written, unpickling the
  chunks left out (what crosses the pipe is measured by bench/import_export.py);
- tail: CPU seconds after the last record (the indexes a bulk import builds after its
  rows, the last checkpoint).

    uv run python bench/import_writer.py [--rows 100000] [--runs 3] [--before DIR]

`--before DIR` also runs the code of another copy of the project (say `git archive main
| tar -x -C DIR`), interleaved with this code's runs: a change's before and after under
the same load. The machine is shared: compare the medians of one run of this script.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import import_export  # the bench's CSV, from beside this file

CHUNK = 250  # records a chunk, as the checking process hands them over

CHECK = """
import itertools, pickle, sys
from pathlib import Path
from contacts_tui.importer import open_source
from contacts_tui.services import ContactService, import_checks
from contacts_tui.validation import shown_forms
from contacts_tui.workspace import open_workspace

workspace = open_workspace(Path(sys.argv[2]))
service = ContactService(workspace.config, workspace.user, config_path=workspace.config_path)
records = import_checks._checked(open_source(sys.argv[1]), service, False)
chunks = []
while chunk := list(itertools.islice(records, int(sys.argv[4]))):
    numbers = [n for d in chunk if hasattr(d, "phones") for n, *_ in d.phones]
    chunks.append(pickle.dumps((chunk, shown_forms(numbers)), protocol=5))
Path(sys.argv[3]).write_bytes(pickle.dumps(chunks, protocol=5))
"""
"""A `python -c` program: the file's records checked, kept as pickled chunks."""

WRITE = """
import pickle, sys, time
from pathlib import Path
from contacts_tui.services import ContactService, imports
from contacts_tui.validation import remember_shown_forms
from contacts_tui.workspace import open_workspace

chunks = pickle.loads(Path(sys.argv[2]).read_bytes())
unpickling = 0.0
last = None

def kept_chunks(source, service, strict=False):
    global unpickling, last
    for chunk in chunks:
        started = time.process_time()
        records, forms = pickle.loads(chunk)
        unpickling += time.process_time() - started
        remember_shown_forms(forms)
        yield from records
    last = time.process_time()

imports.checked_records = kept_chunks
workspace = open_workspace(Path(sys.argv[3]))
service = ContactService(workspace.config, workspace.user, config_path=workspace.config_path)
started = time.process_time()
summary = imports.import_contacts(service, sys.argv[1], on_duplicate="create")
ended = time.process_time()
print(summary.imported, last - started - unpickling, ended - last)
"""
"""A `python -c` program: the kept chunks imported; prints rows, write and tail CPU s."""


def run(program: str, args: list[str], source: Path | None, cwd: Path) -> str:
    env = dict(os.environ)
    if source is not None:  # before the environment's own install of the project
        env["PYTHONPATH"] = str(source.resolve())
    done = subprocess.run(
        [sys.executable, "-c", program, *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=cwd,  # -c puts the current folder first on the path: one of no code
        env=env,
    )
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the CSV to import")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="also run the code of this copy")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load {import_export.load()}")
    sources = (None, args.before) if args.before else (None,)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        path = folder / "address-book.csv"
        import_export.write_csv(path, args.rows)
        kept = {}
        for n, source in enumerate(sources):  # each code checks with its own checks
            kept[source] = folder / f"checked-{n}.pickle"
            home = folder / f"check-{n}"
            run(CHECK, [str(path), str(home), str(kept[source]), str(CHUNK)], source, folder)
        times: dict[Path | None, list[tuple[float, float]]] = {s: [] for s in sources}
        for n, source in itertools.product(range(args.runs), sources):
            home = folder / f"write-{n}-{sources.index(source)}"
            out = run(WRITE, [str(path), str(kept[source]), str(home)], source, folder)
            rows, write, tail = out.split()
            if int(rows) != args.rows:
                raise SystemExit(f"{rows} contacts imported, not {args.rows}")
            times[source].append((float(write), float(tail)))
        for source, runs in times.items():
            write = statistics.median(w for w, _ in runs)
            tail = statistics.median(t for _, t in runs)
            print(
                f"writing {args.rows:,} checked rows{f' (--before {source})' if source else ''}: "
                f"{write / args.rows * 1e6:.0f} µs CPU a row ({write:.2f} s; runs: "
                f"{', '.join(f'{w:.2f}' for w, _ in runs)}), then {tail:.2f} s CPU after "
                f"the last row (median of {args.runs})"
            )
    print(f"load at the end: {import_export.load()}")


if __name__ == "__main__":
    main()
