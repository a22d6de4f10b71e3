"""The sales reports: funnel, time in stage, movement and breakdowns, as tables and charts."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static, TabbedContent, TabPane
from textual.worker import get_current_worker
from textual_plotext import PlotextPlot

from contacts_tui.safe_text import display_safe, error_message
from contacts_tui.screens.binding_commands import ScreenBindingCommands
from contacts_tui.screens.list_view_screen import ListViewScreen
from contacts_tui.services import ContactFilter
from contacts_tui.services.reports import (
    DIMENSION_LABELS,
    DIMENSIONS,
    NO_VALUE,
    Breakdown,
    Funnel,
    Movement,
    Period,
    Report,
    ReportService,
    TimeInStage,
    percent,
    period,
)
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.keys_footer import KeysFooter
from contacts_tui.widgets.reporting import reported_work, tell
from contacts_tui.widgets.title_bar import TitleBar

KINDS = ("funnel", "time-in-stage", "movement", "breakdown")
PRESETS = ("12months", "quarter", "month")
"""The periods `p` goes through, then a from–to of one's own."""

# Markers, not colours alone, tell the movement chart's series apart (NO_COLOR, 16 colours).
SERIES = (
    ("changes", "stage changes", "*"),
    ("new_contacts", "new contacts", "+"),
    ("won", "won", "W"),
    ("lost", "lost", "L"),
)


def _days(value: float | None) -> Text:
    return Text("–" if value is None else f"{value:.1f}", justify="right")


def _number(value: int) -> Text:
    return Text(f"{value:,}", justify="right")


class ReportsScreen(ListViewScreen):
    """The reports of the list's view (its search and filter) for a period."""

    COMMAND_GROUP = "Reports"
    COMMANDS: ClassVar = {ScreenBindingCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="reports.back", tooltip="Back to the list"),
        Binding(
            "p", "next_period", "Period", id="reports.period",
            tooltip="This month, this quarter, the last 12 months, or from–to",
        ),
        Binding(
            "y", "next_dimension", "Breakdown by", id="reports.breakdown_by",
            tooltip="Break the funnel down by segmentation, reason code, account, company, user",
        ),
        Binding(
            "t", "next_template", "Lifecycle", show=False, id="reports.template",
            tooltip="The reports of the next lifecycle template",
        ),
        Binding("e", "export", "Export", id="reports.export",
                tooltip="Write the report on screen to a CSV or JSON file"),
        Binding(
            "ctrl+r", "reload", "Reload", show=False, id="reports.reload",
            tooltip="Read the report again",
        ),
    ]  # fmt: skip

    def __init__(self, contact_filter: ContactFilter, template: str | None = None) -> None:
        super().__init__(contact_filter, template)
        self.reports = ReportService(contacts_app(self).service)
        self.reports.on_counting = self._counting
        self.period: Period = period(PRESETS[0])
        self.dimension = DIMENSIONS[0]
        self.shown: dict[str, Report] = {}
        """The reports on screen by kind: what `e` exports."""

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="reports-summary")
        yield Static(id="reports-counting")
        with TabbedContent(id="reports-tabs"):
            with TabPane("Funnel", id="funnel"), Horizontal():
                yield DataTable(id="funnel-table", cursor_type="row", zebra_stripes=True)
                with Vertical(id="funnel-side"):
                    yield Static(id="funnel-outcome")
                    yield PlotextPlot(id="funnel-chart")
            with TabPane("Time in stage", id="time-in-stage"), Horizontal():
                yield DataTable(id="time-table", cursor_type="row", zebra_stripes=True)
                with Vertical(id="stuck-side"):
                    yield Static(id="stuck-title")
                    yield DataTable(id="stuck-table", cursor_type="row")
            with TabPane("Movement", id="movement"), Vertical():
                yield Static(id="movement-totals")
                yield PlotextPlot(id="movement-chart")
            with TabPane("Breakdown", id="breakdown"):
                yield DataTable(id="breakdown-table", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self._show_summary()  # before ListViewScreen.on_mount reads the report

    @property
    def kind(self) -> str:
        return self.query_one("#reports-tabs", TabbedContent).active or KINDS[0]

    def _show_summary(self) -> None:
        # The name as the configuration in force has it (the Control Center may rename it).
        current = contacts_app(self).service.config.template(self.template.key)
        name = current.name if current else ""
        summary = Text(f"{display_safe(name)} · {self.period.text}")
        text = self.describe_view(summary, " · the list's filter")
        if self.kind == "breakdown":
            text.append(f" · by {DIMENSION_LABELS[self.dimension].lower()}", style="bold")
        self.query_one("#reports-summary", Static).update(text)

    # ----- reading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the report on screen again; the others are read when their tab opens.
        For ctrl+r, a change of period or filter, and the live refresh of other sessions."""
        self.shown.clear()
        self._read(self.kind)

    @on(TabbedContent.TabActivated)
    def _tab(self) -> None:
        self._show_summary()
        if self.kind not in self.shown:
            self._read(self.kind)

    @reported_work(thread=True, exclusive=True, group="store.reports")
    def _read(self, kind: str) -> None:
        span, f, template = self.period, self.contact_filter, self.template.key
        if kind == "funnel":
            report: Report = self.reports.funnel(span, f, template)
        elif kind == "time-in-stage":
            report = self.reports.time_in_stage(span, f, template)
        elif kind == "movement":
            report = self.reports.movement(span, f, template)
        else:
            report = self.reports.breakdown(span, self.dimension, f, template)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, kind, report)

    def _counting(self, done: int, last: int) -> None:
        """From the worker counting the funnel's groups for the first time (after an
        update, or a lifecycle's steps changed): minutes at a million contacts."""
        self.app.call_from_thread(self._show_counting, done, last)

    def _show_counting(self, done: int, last: int) -> None:
        if not self.is_attached:
            return
        line = self.query_one("#reports-counting", Static)
        if done >= last:
            line.display = False
            return
        share = done / last if last else 0
        line.update(
            f"Counting the history for the funnel, once (after an update or a changed "
            f"lifecycle): {share:.0%} of {last:,} contacts. Time in stage and movement "
            "work meanwhile."
        )
        line.display = True

    def _show(self, kind: str, report: Report) -> None:
        self.shown[kind] = report
        if kind in ("funnel", "breakdown"):
            self.query_one("#reports-counting", Static).display = False
        if isinstance(report, Funnel):
            self._show_funnel(report)
        elif isinstance(report, TimeInStage):
            self._show_time(report)
        elif isinstance(report, Movement):
            self._show_movement(report)
        else:
            self._show_breakdown(report)

    def _show_funnel(self, report: Funnel) -> None:
        table = self.query_one("#funnel-table", DataTable)
        table.clear(columns=True)
        table.add_columns("#", "Step", "Reached", "→ next")
        for n, step in enumerate(report.steps, 1):
            table.add_row(
                str(n),
                step.name,
                _number(step.reached),
                Text(percent(step.conversion), justify="right"),
            )
        outcome = Text(f"Won {report.won:,} · Lost {report.lost:,}")
        outcome.append(f" · win rate {percent(report.win_rate) or '–'}", style="bold")
        self.query_one("#funnel-outcome", Static).update(outcome)
        plot = self.query_one("#funnel-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        # Across, one bar a line, numbered as in the table: at 80 columns a bar per step
        # standing up had two cells and no gap between them.
        # plotext draws the first bar at the bottom: reversed, step 1 is on top as in the table.
        numbers = [str(n) for n in range(len(report.steps), 0, -1)]
        reached = [s.reached for s in reversed(report.steps)]
        plt.bar(numbers, reached, orientation="horizontal", width=0.3)
        plt.title("Reached, by # of the table")
        plot.refresh()

    def _show_time(self, report: TimeInStage) -> None:
        table = self.query_one("#time-table", DataTable)
        table.clear(columns=True)
        table.add_columns("Step", "Stays", "Median d", "90% d")
        for step in report.steps:
            table.add_row(
                step.name, f"{step.stays:,}", _days(step.median_days), _days(step.p90_days)
            )
        many = f"{len(report.stuck)}" if report.stuck else "No"
        self.query_one("#stuck-title", Static).update(
            Text(f"{many} contacts stuck beyond their step's 90th percentile · enter opens")
        )
        stuck = self.query_one("#stuck-table", DataTable)
        stuck.clear(columns=True)
        stuck.add_columns("Days", "Name", "Step")
        for contact in report.stuck:
            stuck.add_row(
                Text(f"{contact.days:.0f}", justify="right"),
                display_safe(contact.name),
                contact.step,
                key=str(contact.id),
            )

    def _show_movement(self, report: Movement) -> None:
        weeks = report.weeks
        totals = {key: sum(getattr(w, key) for w in weeks) for key, _, _ in SERIES}
        text = Text()
        for key, label, marker in SERIES:
            text.append(f"{marker} {label} {totals[key]:,}   ")
        self.query_one("#movement-totals", Static).update(text)
        plot = self.query_one("#movement-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        x: list[float] = list(range(len(weeks)))
        for key, _label, marker in SERIES:
            # No plotext legend: it covers the first weeks; the totals line above is the key.
            plt.plot(x, [getattr(w, key) for w in weeks], marker=marker)
        step = max(1, len(weeks) // 6)
        plt.xticks(x[::step], [w.monday.strftime("%d %b %y") for w in weeks][::step])
        plt.title("Per week (Monday)")
        plot.refresh()

    def _show_breakdown(self, report: Breakdown) -> None:
        table = self.query_one("#breakdown-table", DataTable)
        table.clear(columns=True)
        table.add_columns(DIMENSION_LABELS[report.by], *report.categories, "Won", "Lost", "Win")
        for row in report.rows:
            table.add_row(
                display_safe(row.value) or NO_VALUE,
                *(_number(n) for n in row.reached),
                _number(row.won),
                _number(row.lost),
                Text(percent(row.win_rate), justify="right"),
            )

    # ----- actions --------------------------------------------------------------------------

    @reported_work(exclusive=True, group="dialog")
    async def action_next_period(self) -> None:
        names = [period(name).label for name in PRESETS]
        if self.period.label in names[:-1]:
            self.period = period(PRESETS[names.index(self.period.label) + 1])
        else:
            from contacts_tui.dialogs.report_dialogs import PeriodDialog

            if self.period.label == names[-1]:
                chosen = await self.app.push_screen_wait(PeriodDialog(self.period))
                self.period = chosen or period(PRESETS[0])
            else:
                self.period = period(PRESETS[0])
        self._show_summary()
        self.reload()

    def action_next_dimension(self) -> None:
        self.dimension = DIMENSIONS[(DIMENSIONS.index(self.dimension) + 1) % len(DIMENSIONS)]
        self.shown.pop("breakdown", None)
        tabs = self.query_one("#reports-tabs", TabbedContent)
        if tabs.active != "breakdown":
            tabs.active = "breakdown"  # its TabActivated reads the report
        else:
            self._show_summary()
            self._read("breakdown")

    def action_next_template(self) -> None:
        self.take_next_template()
        self._show_summary()
        self.reload()

    @on(DataTable.RowSelected, "#stuck-table")
    def _open_stuck(self, event: DataTable.RowSelected) -> None:
        from contacts_tui.screens.contact_detail import ContactDetailScreen

        if event.row_key.value is not None:
            self.app.push_screen(ContactDetailScreen(int(event.row_key.value)))

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.shown:
            self.reload()  # back from a contact that may have moved

    @reported_work(exclusive=True, group="dialog")
    async def action_export(self) -> None:
        from contacts_tui.dialogs.confirm import ConfirmDialog
        from contacts_tui.dialogs.report_dialogs import ReportExportDialog

        kind = self.kind
        report = self.shown.get(kind)
        if report is None:
            tell(self, "The report is still being read.", severity="warning")
            return
        path = await self.app.push_screen_wait(ReportExportDialog(kind))
        if path is None:
            return
        replace = False
        if path.exists() and not path.is_dir():
            question = f"{display_safe(path)} exists. Replace it?"
            replace = await self.app.push_screen_wait(ConfirmDialog(question, "Replace"))
            if not replace:
                return
        self._export(report, path, replace)

    @reported_work(thread=True, group="store.report_export")
    def _export(self, report: Report, path: Path, replace: bool) -> None:
        from contacts_tui.dialogs.report_dialogs import export_format
        from contacts_tui.export import ExportError
        from contacts_tui.preferences import save_export_folder
        from contacts_tui.report_files import save_report

        fmt = export_format(path)
        try:
            save_report(report, fmt, path, overwrite=replace)
        except ExportError as error:
            self.app.call_from_thread(
                tell, self, error_message(error), title="Export", severity="error"
            )
            return
        save_export_folder(path.parent)
        message = f"Saved the {fmt.upper()} report to {display_safe(path)}."
        self.app.call_from_thread(tell, self, message, title="Export")
