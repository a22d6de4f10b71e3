"""How fast the sales reports and the pipeline board's first screen are at 1,000,000 contacts.

Each report is read through its service call, exactly as the reports screen and
`contacts-tui report` read it (a connection per call), for the last 12 months and the
list's default view. The board's first screen is what the board reads before it draws:
the step counts and a page of 30 cards for every column. The floor is measured in the
same run: a bare `SELECT COUNT(*) FROM contact` through the same kind of connection.

    uv run python bench/reports.py                       # 1,000,000 contacts
    uv run python bench/reports.py --contacts 100000     # quicker

The workspace is made once with `contacts-tui demo` under bench/workspaces/ (gitignored);
the demo writes every contact's stage history (about 3.4 changes a contact). One
unmeasured round warms the caches; the figures are medians of --runs rounds.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKSPACES = ROOT / "bench" / "workspaces"
RESULTS = ROOT / "bench" / "reports-results.md"
sys.path.insert(0, str(ROOT))

REPORT_TARGET_MS = 500
BOARD_TARGET_MS = 300


def ensure_workspace(contacts: int) -> Path:
    folder = WORKSPACES / f"reports-{contacts}"
    done = folder / ".demo-complete"
    if not done.exists():
        print(f"building a workspace of {contacts:,} demo contacts (once)…", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "contacts_tui", "--home", str(folder), "demo",
             "--contacts", str(contacts), "--seed", "7"],
            check=True,
        )  # fmt: skip
        done.touch()
    return folder


def median_ms(call: Callable[[], object], runs: int, warm: bool = True) -> float:
    if warm:
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    print(f"  {', '.join(f'{t:,.0f}' for t in times)} ms", file=sys.stderr, flush=True)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--home", type=Path, help="an existing demo workspace (a copy: it is updated)"
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="where the table goes (default: %(default)s)"
    )
    parser.add_argument(
        "--first-fill",
        action="store_true",
        help="forget the funnel's kept counts first, as after an update, so that the first "
        "funnel counts every group again (minutes at a million: timed apart)",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()

    from contacts_tui.screens.pipeline_board import PAGE
    from contacts_tui.services import ContactFilter, ContactService
    from contacts_tui.services.board import BoardService
    from contacts_tui.services.reports import DIMENSIONS, ReportService, period
    from contacts_tui.store.database import with_connection
    from contacts_tui.store.models import database
    from contacts_tui.workspace import open_workspace

    started = time.perf_counter()
    workspace = open_workspace(args.home or ensure_workspace(args.contacts))
    open_s = time.perf_counter() - started  # with any migration still to apply
    print(f"  opening the workspace: {open_s:,.1f} s", file=sys.stderr)
    service = ContactService(workspace.config, workspace.user)
    reports, board = ReportService(service), BoardService(service)
    view, span, template = ContactFilter(), period("12months"), workspace.config.default

    @with_connection
    def count_all() -> int:
        return database.execute_sql("SELECT COUNT(*) FROM contact").fetchone()[0]

    @with_connection
    def history_size() -> int:
        return database.execute_sql("SELECT COUNT(*) FROM stage_change").fetchone()[0]

    def board_first_screen() -> None:
        board.first_screen(template, view, {step.key: PAGE for step in template.steps()})

    @with_connection
    def forget_the_funnel() -> None:
        with database.atomic():
            database.execute_sql("DELETE FROM stage_reach")
            database.execute_sql("DELETE FROM stage_reach_fill")
            database.execute_sql("UPDATE report_group SET filled_upto = 0")

    if args.first_fill:
        forget_the_funnel()
    # The funnel's groups are counted once, when a lifecycle is first reported on (or
    # changed): timed here, apart from the medians.
    cpu = time.process_time()
    started = time.perf_counter()
    reports.funnel(span, view)
    first_fill_s = time.perf_counter() - started
    first_fill_cpu = time.process_time() - cpu
    print(
        f"  first funnel (counting its groups): {first_fill_s:,.1f} s, {first_fill_cpu:,.1f} s CPU",
        file=sys.stderr,
    )

    measured: list[tuple[str, float, int]] = [
        ("COUNT(*) of the contacts (floor)", median_ms(count_all, args.runs), 0),
        ("funnel", median_ms(lambda: reports.funnel(span, view), args.runs), REPORT_TARGET_MS),
    ]
    call = lambda: reports.time_in_stage(span, view)  # noqa: E731
    measured.append(("time in stage", median_ms(call, args.runs), REPORT_TARGET_MS))
    measured.append(
        ("movement", median_ms(lambda: reports.movement(span, view), args.runs), REPORT_TARGET_MS)
    )
    for by in DIMENSIONS:
        call = lambda by=by: reports.breakdown(span, by, view)  # noqa: E731
        measured.append((f"breakdown by {by}", median_ms(call, args.runs), REPORT_TARGET_MS))
    measured.append(
        ("board: first screen", median_ms(board_first_screen, args.runs), BOARD_TARGET_MS)
    )

    floor = measured[0][1]
    forgotten = "; every group forgotten first" if args.first_fill else ""
    lines = [
        f"# Reports and pipeline board — {count_all():,} contacts, "
        f"{history_size():,} stage changes",
        "",
        f"Period: {span.text}; the default view. Medians of {args.runs} runs after one "
        f"warm-up, in one process. Machine: {platform.machine()}, Python "
        f"{platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}. "
        f"Load average at the start: {', '.join(f'{x:.1f}' for x in load_before)}; "
        f"at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}.",
        "",
        f"Opening the workspace (applying any pending migration) took {open_s:,.1f} s; "
        f"the first funnel counted its groups of steps once: {first_fill_s:,.1f} s "
        f"({first_fill_cpu:,.1f} s CPU{forgotten}).",
        "",
        "| measure | median | × COUNT(*) | target | met |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, ms, target in measured:
        ratio = f"{ms / floor:.1f}" if floor else "–"
        goal = f"< {target} ms" if target else ""
        met = ("yes" if ms < target else "**no**") if target else ""
        lines.append(f"| {name} | {ms:,.0f} ms | {ratio} | {goal} | {met} |")
    text = "\n".join(lines) + "\n"
    print(text)
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
