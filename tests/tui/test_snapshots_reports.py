"""SVG snapshots of the pipeline board and the funnel at 80×24, on fixed data.

Nothing depends on today: the board's contacts have just been created (0 days in their
step) and the funnel shows a fixed period of the fixed history in tests/report_history.py.
Update with `pytest --snapshot-update` after a deliberate change to the look, and check
the SVGs by eye before committing.
"""

from __future__ import annotations

from datetime import date

from pilot_helpers import settle, until
from report_history import build_history

from contacts_tui.app import ContactsApp
from contacts_tui.screens.pipeline_board import PipelineBoardScreen
from contacts_tui.screens.reports import ReportsScreen
from contacts_tui.services.reports import period

STAGES = {
    "Ada Lovelace": "new_lead",
    "Grace Hopper": "new_lead",
    "Alan Turing": "contacted",
    "Edsger Dijkstra": "interested",
    "Barbara Liskov": "interested",
    "Donald Knuth": "qualified",
}


def board_read(screen) -> bool:
    """The board is up, its first screen read and shown."""
    return isinstance(screen, PipelineBoardScreen) and "6 contacts" in str(
        screen.query_one("#board-summary").render()
    )


def test_board_at_80x24(snap_compare, workspace, service):
    for name, stage in STAGES.items():
        contact = service.create_contact(name, "Analytical Engines Ltd" if "a" in name else None)
        service.set_stage(contact.id, stage)

    async def run_before(pilot) -> None:
        await settle(pilot, 2)
        await pilot.press("b")
        await until(pilot, lambda: board_read(pilot.app.screen), "the board's first screen")
        board = pilot.app.screen
        assert isinstance(board, PipelineBoardScreen)
        await pilot.press("l")
        await until(pilot, lambda: board.current_column is board.columns[1], "the next column")
        await settle(pilot)

    assert snap_compare(ContactsApp(workspace), terminal_size=(80, 24), run_before=run_before)


def funnel_of(screen: ReportsScreen, span) -> bool:
    """The funnel on screen is the one read for `span`, and no read is still running."""
    reading = any(w.group == "store.reports" and not w.is_finished for w in screen.app.workers)
    return not reading and "funnel" in screen.shown and screen.period == span


def test_funnel_at_80x24(snap_compare, workspace, service):
    build_history(service)

    async def run_before(pilot) -> None:
        await settle(pilot, 2)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(pilot.app.screen, ReportsScreen), "the reports")
        screen = pilot.app.screen
        assert isinstance(screen, ReportsScreen)
        span = period("custom", start=date(2026, 1, 1), end=date(2026, 3, 31))
        screen.period = span
        screen._show_summary()
        screen.reload()
        await until(pilot, lambda: funnel_of(screen, span), "the funnel of the quarter")
        await settle(pilot)

    assert snap_compare(ContactsApp(workspace), terminal_size=(80, 24), run_before=run_before)
