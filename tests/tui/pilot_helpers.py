"""Helpers for Pilot tests: what the screen shows, and waiting for the app to settle."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from screen_text import screen_text
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.worker import WorkerCancelled

__all__ = ["screen_text", "settle", "toasts", "until"]


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
        await dialog_workers_done_or_asking(pilot)
        await pilot.pause()


async def dialog_workers_done_or_asking(pilot: Pilot, seconds: float = 30) -> None:
    """A dialog worker (one that may ask a question) either finishes, having nothing to
    ask, or shows its question: wait for one or the other, or a key pressed next could
    reach the screen before the worker has done what the key depends on."""
    app = pilot.app
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not isinstance(app.screen, ModalScreen):
        if not any(w.group.endswith("dialog") and not w.is_finished for w in app.workers):
            return
        await pilot.pause(0.01)


async def until(pilot: Pilot, ready: Callable[[], object], what: str, seconds: float = 60) -> None:
    """Wait until `ready()` holds, however busy the machine: a key's effect may need a
    worker, a message and a refresh, in any order. Fails the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not {what} after {seconds} s")
        await settle(pilot)
        await pilot.pause(0.02)


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
