"""A sales report as a terminal table, CSV or JSON: for `contacts-tui report` and `e` in the TUI.

No Textual here. Files are written as the contact export writes them: a private
temporary file beside the target, then put in place without following a link or
replacing a file unless asked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from contacts_tui import csv_guard
from contacts_tui.export import ExportError, check_target
from contacts_tui.private_file import atomic_writer
from contacts_tui.safe_text import display_safe
from contacts_tui.services.reports import (
    STUCK_LIMIT,
    Breakdown,
    Report,
    TimeInStage,
    percent,
    report_json,
    report_table,
    stuck_table,
)

FORMATS = ("table", "csv", "json")
RATE_COLUMNS = {"conversion_to_next", "win_rate"}


def write_report(report: Report, fmt: str, out: IO[str], stuck: bool = False) -> None:
    """Write `report` to `out`; with `stuck`, time in stage's stuck contacts instead."""
    if fmt == "json":
        json.dump(report_json(report), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    if stuck and isinstance(report, TimeInStage):
        columns, rows = stuck_table(report)
    else:
        columns, rows = report_table(report)
    if fmt == "csv":
        writer = csv_guard.Writer(out)  # RFC 4180, and safe to open in a spreadsheet
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_guard.guard("" if v is None else v) for v in row])
        return
    out.write(report_heading(report) + "\n\n")
    out.write(text_table(columns, rows) + "\n")
    if isinstance(report, TimeInStage) and not stuck:
        shown = len(report.stuck)
        many = f"{shown}+" if shown == STUCK_LIMIT else str(shown)
        out.write(f"\n{many} contacts stuck beyond their step's 90th percentile")
        out.write(" (--stuck lists them).\n" if report.stuck else ".\n")


def report_heading(report: Report) -> str:
    kind = {"Funnel": "Funnel", "TimeInStage": "Time in stage", "Movement": "Movement"}.get(
        type(report).__name__, "Breakdown"
    )
    if isinstance(report, Breakdown):
        kind = f"Breakdown by {report.by.replace('_', ' ')}"
    return display_safe(f"{kind} · {report.template} · {report.period.text}")


def text_table(columns: list[str], rows: list[list[Any]]) -> str:
    """Aligned columns of safe text: numbers to the right, rates as percentages."""
    rates = {i for i, c in enumerate(columns) if c in RATE_COLUMNS}
    cells = [[display_safe(c) for c in columns]]
    for row in rows:
        cells.append(
            [percent(v) if i in rates and v is not None else _cell(v) for i, v in enumerate(row)]
        )
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    numeric = [
        all(isinstance(row[i], int | float) or row[i] is None for row in rows) and bool(rows)
        for i in range(len(columns))
    ]
    lines = []
    for r in cells:
        parts = [
            r[i].rjust(widths[i]) if numeric[i] else r[i].ljust(widths[i])
            for i in range(len(columns))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _cell(value: object) -> str:
    return "" if value is None else display_safe(value)


def save_report(
    report: Report, fmt: str, path: Path | str, overwrite: bool = False, stuck: bool = False
) -> Path:
    """Write the report to a new private file at `path`; ExportError says why it cannot."""
    path = Path(path).expanduser()
    check_target(path, overwrite)
    try:
        # The one atomic private write: a temporary file locked while this process lives
        # (a killed export's is removed at the next start), never through a link.
        with atomic_writer(path, overwrite=overwrite, newline="") as out:
            write_report(report, fmt, out, stuck)
    except FileExistsError:
        raise ExportError(f"{path} exists already; choose another name.") from None
    except OSError as error:
        raise ExportError(f"Cannot write {path}: {error.strerror or error}.") from error
    return path
