"""The cyclic garbage collector held back while a big write runs in this process.

An import's batches hold thousands of checked contacts (a few dozen objects each) for
the moment they are written: they outlive the collector's young generations, land in
the oldest one, and each batch's worth set off another full collection, a walk over
every object of the process (the app's own included) that finds almost nothing to free.
100,000 rows: ~33 full collections, 8-10 µs of the importing process's CPU a row.

While held back, the young generations are still collected between batches (`tidy`):
cheap, as a batch's objects are freed by their counts once written, and it keeps the
cycles another thread makes meanwhile (the TUI's, which runs imports in a worker
thread) from piling up. The collector's state is process-wide, so holds nest: the
collector runs again as before once the last one ends (two checks of the TUI's import
dialog may overlap for a moment).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holds = 0
_paused = False  # whether the first hold turned the collector off (it was on)


@contextmanager
def held_back() -> Iterator[None]:
    """No automatic collection in this block (in any thread); as before after it."""
    global _holds, _paused
    with _lock:
        if _holds == 0:
            _paused = gc.isenabled()
            gc.disable()
        _holds += 1
    try:
        yield
    finally:
        with _lock:
            _holds -= 1
            # Turned on again only if it was on: a process that paused it for its own
            # reasons (the TUI's start) decides for itself when it resumes.
            if _holds == 0 and _paused:
                gc.enable()
                _paused = False


def tidy() -> None:
    """Collect the young generations (between two batches of a held-back block)."""
    gc.collect(1)
