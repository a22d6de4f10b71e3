"""Helpers for Pilot tests: what the screen shows, and waiting for the app to settle."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from screen_text import screen_text
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

__all__ = ["screen_text", "settle", "toasts", "wait_for"]


async def settle(pilot: Pilot, rounds: int = 1) -> None:
    """Let the app's store workers finish and their results reach the screen.

    A newer search, sort or reload supersedes a read still running (exclusive workers):
    that one ends cancelled, which is what the app wants, not a test failure. Workers
    waiting on a dialog (groups "dialog", "details-dialog"…) are left alone: they
    finish when it is answered. So is a folder tree's loader (Textual's DirectoryTree, in
    the file dialogs): it waits for folders to read as long as the tree is shown.
    """
    app = pilot.app
    for _ in range(rounds):
        workers = [w for w in app.workers if not w.group.endswith(("dialog", "_loader"))]
        if workers:  # an empty list would mean "every worker"
            with contextlib.suppress(WorkerCancelled):
                await app.workers.wait_for_complete(workers)
        await pilot.pause()


async def toasts(pilot: Pilot) -> list[str]:
    """The notifications on screen, each as its title and message lines.

    They are painted first, as the terminal would show them: a toast that cannot be
    drawn fails the test here, as it would end the app for a user. Pilot shows none
    unless the app runs with `run_test(..., notifications=True)`.
    """
    for _ in range(3):  # notify → the app → the screen's toast rack → a mounted toast
        await pilot.pause()
    pilot.app.export_screenshot()
    return [str(toast.render()) for toast in pilot.app.screen.query("Toast")]


async def wait_for(
    pilot: Pilot, condition: Callable[[], object], what: str, seconds: float = 20
) -> None:
    """Let the app run until `condition()` holds; fail saying `what` after `seconds`.

    For what a test asserts next: on a busy machine a fixed number of pauses or settles
    can end before the app is there (CI failed so), and on an idle one it waits longer
    than needed.
    """
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not {what} after {seconds} s")
        await pilot.pause(0.02)
