"""Dialogs of the reports screen: a from–to period, and where to export a report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from contacts_tui.dialogs.dialog import Dialog, cancel_binding
from contacts_tui.preferences import load_export_folder
from contacts_tui.safe_text import display_safe, error_message
from contacts_tui.services.reports import Period, parse_day, period
from contacts_tui.validation import ValidationError


class PeriodDialog(Dialog[Period | None]):
    """Two dates, the first and last day of the period; enter in the second one applies."""

    BINDINGS = [cancel_binding("report_period.cancel", "Keep the period as it is")]

    def __init__(self, current: Period) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Report period", classes="dialog--title")
            yield Label("From (first day, YYYY-MM-DD)")
            yield Input(self.current.start.isoformat(), id="period-from", compact=True)
            yield Label("To (last day, included)")
            yield Input(self.current.end.isoformat(), id="period-to", compact=True)
            yield Static("", id="period-message", classes="dialog--hint")
            yield Label("enter: apply · escape: cancel", classes="dialog--hint")

    @on(Input.Submitted, "#period-from")
    def _next(self) -> None:
        self.query_one("#period-to", Input).focus()

    @on(Input.Submitted, "#period-to")
    def _apply(self) -> None:
        try:
            start = parse_day(self.query_one("#period-from", Input).value, "From")
            end = parse_day(self.query_one("#period-to", Input).value, "To")
            chosen = period("custom", start=start, end=end)
        except ValidationError as error:
            self.query_one("#period-message", Static).update(Text(error_message(error)))
            return
        self.dismiss(chosen)


class ReportExportDialog(Dialog[Path | None]):
    """The file to write the report to; a name ending in .json writes JSON, others CSV."""

    BINDINGS = [cancel_binding("report_export.cancel", "Export nothing")]

    def __init__(self, kind: str, folder: Path | None = None, today: date | None = None) -> None:
        super().__init__()
        day = (today or date.today()).strftime("%Y%m%d")
        # The folder of the user's last export (else home), as the list's export does.
        self.folder = folder or load_export_folder()
        self.suggested = self.folder / f"report-{kind}-{day}.csv"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Export the report", classes="dialog--title")
            yield Input(str(self.suggested), id="export-path", compact=True)
            yield Static("", id="export-message", classes="dialog--hint")
            yield Label(
                "a name ending in .json writes JSON, any other CSV · enter: export · "
                "escape: cancel",
                classes="dialog--hint",
            )

    @on(Input.Submitted, "#export-path")
    def _chosen(self, event: Input.Submitted) -> None:
        from contacts_tui.export import ExportError, ExportExistsError, check_target

        text = event.value.strip()
        message = self.query_one("#export-message", Static)
        if not text:
            message.update("Type the file's name.")
            return
        path = self.folder / Path(text).expanduser()  # an absolute path stays
        try:
            check_target(path)
        except ExportExistsError:
            pass  # the reports screen asks before replacing it
        except ExportError as error:
            # Here, with the path still to correct, not in a toast once the dialog is gone.
            message.update(Text(display_safe(error)))
            return
        self.dismiss(path)


def export_format(path: Path) -> str:
    return "json" if path.suffix.lower() == ".json" else "csv"
