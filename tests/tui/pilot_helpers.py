"""Helpers for Pilot tests: what the screen shows, and waiting for the app to settle."""

from __future__ import annotations

import contextlib

from screen_text import screen_text
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

__all__ = ["screen_text", "settle"]


async def settle(pilot: Pilot, rounds: int = 1) -> None:
    """Let the app's store workers finish and their results reach the screen.

    A newer search, sort or reload supersedes a read still running (exclusive workers):
    that one ends cancelled, which is what the app wants, not a test failure. Workers
    waiting on a dialog (group "dialog") are left alone: they finish when it is answered.
    """
    app = pilot.app
    for _ in range(rounds):
        workers = [w for w in app.workers if w.group != "dialog"]
        if workers:  # an empty list would mean "every worker"
            with contextlib.suppress(WorkerCancelled):
                await app.workers.wait_for_complete(workers)
        await pilot.pause()
