"""Live updates for a running session: other sessions' commits and lifecycle.toml changes.

One daemon thread per session looks at both once a POLL_SECONDS (on PostgreSQL a
notification ends its wait at once) and calls back from that thread: the caller hands
the news to its own thread (the app posts itself a message).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from contextlib import suppress

import peewee

from contacts_tui.lifecycle_file import Change, LifecycleFile
from contacts_tui.store.change_feed import EVERYTHING, ChangeFeed, Committed, open_change_feed

__all__ = ["EVERYTHING", "Committed", "LiveUpdates"]

POLL_SECONDS = 1.0
"""How often the database and lifecycle.toml are looked at. A change shows within this
plus the time to read it again (the target is 2 s), for one query a second on SQLite."""

JITTER = 0.2
"""Each wait is the interval give or take this fraction, drawn afresh: sessions started
together, or woken by the same notification, do not all read at the same moment."""

RECONNECT_SECONDS = 5.0
"""How long to wait before opening the feed's connection again after it failed."""


class LiveUpdates:
    """Watches the database and lifecycle.toml from a thread of its own."""

    def __init__(
        self,
        database: peewee.Database,
        lifecycle_file: LifecycleFile,
        on_commit: Callable[[Committed], object],
        on_lifecycle: Callable[[Change], object],
        interval: float = POLL_SECONDS,
    ) -> None:
        self.interval = interval
        self.lifecycle_file = lifecycle_file
        self._database = database
        self._on_commit = on_commit
        self._on_lifecycle = on_lifecycle
        self._feed: ChangeFeed | None = None
        self._missed = False  # the feed failed: commits may have gone unseen
        self._polls = 0  # of feeds closed since
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def polls(self) -> int:
        """Queries sent to the database so far to look for commits."""
        return self._polls + (self._feed.polls if self._feed else 0)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="live-updates", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop looking; the thread ends within one interval (it is a daemon)."""
        self._stop.set()

    def _run(self) -> None:
        last_told = 0.0
        try:
            while not self._stop.is_set():
                committed = self._wait_for_commit()
                if self._stop.is_set():
                    return
                change = self.lifecycle_file.check()
                if change is not None:
                    self._on_lifecycle(change)
                if committed is None:
                    continue
                # PostgreSQL wakes on each notification: one refresh an interval at most,
                # telling all that was committed meanwhile.
                early = last_told + self._jittered() - time.monotonic()
                if early > 0:
                    if self._stop.wait(early):
                        return
                    committed |= self._peek()
                last_told = time.monotonic()
                self._on_commit(committed)
        finally:
            self._close_feed()

    def _wait_for_commit(self) -> Committed | None:
        try:
            if self._feed is None:
                self._feed = open_change_feed(self._database)
                missed, self._missed = self._missed, False
                return EVERYTHING if missed else None
            return self._feed.wait(self._jittered(), self._stop)
        except Exception:
            # The database went away (a restarted server, a moved file): look again
            # later. The session's own reads report the problem where they fail.
            self._close_feed()
            self._missed = True
            self._stop.wait(RECONNECT_SECONDS)
            return None

    def _jittered(self) -> float:
        return self.interval * random.uniform(1 - JITTER, 1 + JITTER)

    def _peek(self) -> Committed | None:
        """What was committed since the last look, without waiting."""
        if self._feed is None:
            return None
        try:
            return self._feed.wait(0, self._stop)
        except Exception:
            return EVERYTHING  # the next wait finds the feed broken and reopens it

    def _close_feed(self) -> None:
        if self._feed is not None:
            self._polls += self._feed.polls
            with suppress(Exception):
                self._feed.close()
            self._feed = None
