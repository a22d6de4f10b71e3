"""The reports screen on the fixed history of tests/report_history.py."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from pilot_helpers import screen_text, settle, until
from report_history import build_history
from textual.widgets import DataTable, Input

from contacts_tui.app import ContactsApp
from contacts_tui.dialogs.report_dialogs import PeriodDialog, ReportExportDialog
from contacts_tui.screens.contact_detail import ContactDetailScreen
from contacts_tui.screens.reports import ReportsScreen
from contacts_tui.services.reports import period

SPAN = period("custom", start=date(2026, 1, 1), end=date(2026, 3, 31))


@pytest.fixture
def ids(service) -> dict[str, int]:
    return build_history(service)


async def open_reports(pilot) -> ReportsScreen:
    await settle(pilot, 2)
    await pilot.press("r")
    await settle(pilot, 2)
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen)
    screen.period = SPAN  # the history's quarter, whatever today is
    screen._show_summary()
    screen.reload()
    await settle(pilot, 2)
    return screen


def rows(screen: ReportsScreen, table_id: str) -> list[list[str]]:
    table = screen.query_one(table_id, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_funnel_shows_the_figures_and_the_chart(workspace, ids):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await open_reports(pilot)
        table = rows(screen, "#funnel-table")
        assert table[0] == ["1", "New Lead", "3", "66.7%"]
        assert table[1] == ["2", "Contacted", "2", "50.0%"]
        assert table[4] == ["5", "Proposal Sent", "1", "0.0%"]
        text = screen_text(app)
        assert "Won 1 · Lost 1 · win rate 50.0%" in text
        assert "Reached, by # of the table" in text
        assert "2026-01-01 to 2026-03-31" in text


async def test_time_in_stage_lists_the_stuck_and_opens_them(workspace, ids):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await open_reports(pilot)
        screen.query_one("#reports-tabs").active = "time-in-stage"
        await settle(pilot, 2)
        assert rows(screen, "#time-table")[0] == ["New Lead", "4", "7.5", "14.2"]
        stuck = rows(screen, "#stuck-table")
        assert [r[1:] for r in stuck] == [["Fay", "Contacted"]]
        assert int(stuck[0][0]) > 22  # days, beyond the 90th percentile
        screen.query_one("#stuck-table", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot, 2)
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.contact_id == ids["Fay"]


async def test_movement_and_breakdowns(workspace, ids):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await open_reports(pilot)
        screen.query_one("#reports-tabs").active = "movement"
        await settle(pilot, 2)
        text = screen_text(app)
        assert "* stage changes 13" in text
        assert "+ new contacts 3" in text
        assert "W won 1" in text and "L lost 1" in text
        await pilot.press("y")  # to the breakdown, by the next dimension: reason code
        await settle(pilot, 2)
        assert screen.kind == "breakdown"
        assert screen.dimension == "reason_code"
        assert rows(screen, "#breakdown-table") == [
            ["(none)", "4", "1", "1", "0", "2", "1", "1", "50.0%"]
        ]
        for _ in range(3):  # account, company, user
            await pilot.press("y")
            await settle(pilot, 2)
        assert screen.dimension == "user"
        assert "by changed by" in screen_text(app)
        assert [r[0] for r in rows(screen, "#breakdown-table")] == ["alice", "bob"]


async def test_the_reports_follow_this_sessions_changes(workspace, service, ids):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await open_reports(pilot)
        screen.period = period("month")
        screen.reload()
        await settle(pilot, 2)
        before = int(rows(screen, "#funnel-table")[2][2])
        service.set_stage(ids["Ada"], "interested")  # moved back, in this session
        screen.reload()  # what ctrl+r, a return from a contact and the live refresh call
        await settle(pilot, 2)
        assert int(rows(screen, "#funnel-table")[2][2]) == before + 1


async def test_period_keys_and_a_bad_date(workspace, ids):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await open_reports(pilot)
        screen.period = period("12months")
        await pilot.press("p")
        await settle(pilot)
        assert screen.period.label == "this quarter"
        await pilot.press("p")
        await settle(pilot)
        assert screen.period.label == "this month"
        await pilot.press("p")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PeriodDialog)
        dialog.query_one("#period-from", Input).value = "2026-02-30"
        dialog.query_one("#period-to", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "From must be a date like 2026-01-31" in screen_text(app)
        dialog.query_one("#period-from", Input).value = "2026-01-01"
        dialog.query_one("#period-to", Input).value = "2026-03-31"
        await pilot.press("enter")
        await settle(pilot, 2)
        assert app.screen is screen
        assert (screen.period.start, screen.period.end) == (date(2026, 1, 1), date(2026, 3, 31))
        assert rows(screen, "#funnel-table")[0][2] == "3"


@pytest.mark.parametrize("name", ["funnel.csv", "funnel.json"])
async def test_e_exports_the_report_on_screen(workspace, ids, tmp_path, name):
    app = ContactsApp(workspace)
    target = tmp_path / name
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await open_reports(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ReportExportDialog), "the export dialog")
        dialog = app.screen
        assert isinstance(dialog, ReportExportDialog)
        dialog.query_one(Input).value = str(target)
        await pilot.press("enter")
        for _ in range(40):
            await settle(pilot)
            if target.exists() and "Saved the" in screen_text(app):
                break
            await pilot.pause(0.05)
        assert f"Saved the {'JSON' if name.endswith('json') else 'CSV'} report" in screen_text(app)
        # The next export proposes that folder (kept per user), not where the app started.
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ReportExportDialog), "the next dialog")
        assert Path(app.screen.query_one(Input).value).parent == tmp_path
    if name.endswith(".csv"):
        steps = {r["stage"]: r["reached"] for r in csv.DictReader(target.open(newline=""))}
        assert steps["New Lead"] == "3"
    else:
        data = json.loads(target.read_text())
        assert (data["won"], data["lost"], data["win_rate"]) == (1, 1, 0.5)


@pytest.mark.parametrize(
    ("where", "message"),
    [("nowhere/funnel.csv", "does not exist."), (".", "is a folder; add a file name")],
)
async def test_a_report_file_that_cannot_be_written_is_told_at_its_field(
    workspace, ids, tmp_path, where, message
):
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_reports(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ReportExportDialog), "the export dialog")
        dialog = app.screen
        dialog.query_one(Input).value = str(tmp_path / where)
        await pilot.press("enter")
        await settle(pilot)
        # Still there, with the path to correct and why, not a toast over the report.
        assert app.screen is dialog
        assert message in str(dialog.query_one("#export-message").content)
        assert message in screen_text(app)
        dialog.query_one(Input).value = str(tmp_path / "funnel.csv")
        await pilot.press("enter")
        await until(pilot, lambda: (tmp_path / "funnel.csv").exists(), "the report file")


async def test_another_sessions_change_shows_in_the_report(workspace, service, ids):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await open_reports(pilot)
        screen.period = period("month")
        screen.reload()
        await settle(pilot, 2)
        before = int(rows(screen, "#funnel-table")[3][2])
        service.set_stage(ids["Eve"], "qualified")  # another connection, as another user's
        for _ in range(40):
            await pilot.pause(0.1)
            if int(rows(screen, "#funnel-table")[3][2]) == before + 1:
                break
        assert int(rows(screen, "#funnel-table")[3][2]) == before + 1


async def test_the_first_count_of_the_funnel_says_so_and_the_other_tabs_work(
    workspace, ids, monkeypatch
):
    """After an update (the funnel's groups not counted yet) the funnel counts the history
    once, minutes at a million contacts: the screen says so while time in stage reads."""
    import threading

    from contacts_tui.store import summaries
    from contacts_tui.store.database import with_connection
    from contacts_tui.store.models import database

    @with_connection
    def as_after_an_update() -> None:
        with database.atomic():
            database.execute_sql("DELETE FROM stage_reach")
            database.execute_sql("UPDATE report_group SET filled_upto = 0")

    as_after_an_update()
    go_on = threading.Event()
    counted = summaries._counted_reach

    def held(*args, **kwargs):
        assert go_on.wait(30)
        return counted(*args, **kwargs)

    monkeypatch.setattr(summaries, "_counted_reach", held)
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot, 2)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ReportsScreen), "the reports")
        screen = app.screen
        counting = screen.query_one("#reports-counting")
        await until(pilot, lambda: counting.display, "saying it counts")
        assert "Counting the history for the funnel, once" in screen_text(app)
        assert ": 0% of" in screen_text(app)
        screen.query_one("#reports-tabs").active = "time-in-stage"
        await until(pilot, lambda: "time-in-stage" in screen.shown, "time in stage read")
        assert counting.display  # still counting
        go_on.set()
        screen.query_one("#reports-tabs").active = "funnel"
        await until(pilot, lambda: not counting.display, "done counting")
        screen.period = SPAN
        screen.reload()
        await until(
            pilot,
            lambda: rows(screen, "#funnel-table")[:1] == [["1", "New Lead", "3", "66.7%"]],
            "the funnel",
        )
        assert "Counting the history" not in screen_text(app)
