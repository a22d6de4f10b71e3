"""lifecycle.toml on disk, read again whenever it changes; the last good one stays in force.

Editors save by writing a new file and renaming it over the old one, or by rewriting it
in place; either changes the file's inode, modification time or size, which one stat()
shows. Reading and checking the file happens only then.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from contacts_tui import lifecycle
from contacts_tui.lifecycle import ConfigError, LifecycleConfig

Signature = tuple[int, int, int, int] | None
"""(inode, modification time ns, size, change time ns) of the file; None when it is missing."""


def signature(path: Path) -> Signature:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)


@dataclass(frozen=True)
class Change:
    """What a look at the file found: a new configuration in force, or why it was refused."""

    config: LifecycleConfig | None = None
    problem: str = ""
    """The file, line and column or key path and what is wrong there (config is None)."""


class LifecycleFile:
    """The configuration in force from one lifecycle.toml; `check()` looks for changes.

    Safe to use from several threads: one check at a time.
    """

    def __init__(self, path: Path, config: LifecycleConfig) -> None:
        self.path = path
        self.config = config
        """The last configuration that loaded (the one in force)."""
        self.problem = ""
        """Why the file on disk is not the one in force, or "" when it is."""
        self._signature = signature(path)
        self._lock = threading.Lock()

    def check(self) -> Change | None:
        """Read the file again if it changed on disk since the last look.

        Returns None when nothing changed for the sessions: the file is as it was, or
        it was rewritten with the same configuration (a broken file made good again is
        a change: the notice about it can go). A file caught in the middle of a
        rewrite (it changed again while it was read) is looked at again next time
        rather than reported broken.
        """
        with self._lock:
            before = signature(self.path)
            if before == self._signature:
                return None
            try:
                config = lifecycle.load(self.path)
            except ConfigError as error:
                if signature(self.path) != before:
                    return None  # still being written: the next look reads it whole
                self._signature = before
                problem = str(error).removesuffix(" Fix the file and start again.")
                if problem == self.problem:
                    return None  # already said
                self.problem = problem
                return Change(problem=problem)
            self._signature = before
            fixed, self.problem = bool(self.problem), ""
            if config == self.config and not fixed:
                return None
            self.config = config
            return Change(config=config)

    def adopt(self, config: LifecycleConfig) -> None:
        """This session wrote the file itself (the Control Center): take it as seen."""
        with self._lock:
            self.config = config
            self.problem = ""
            self._signature = signature(self.path)


# One watcher per file for the services' checks, shared by every thread of the process.
_on_disk: dict[Path, LifecycleFile] = {}
_on_disk_lock = threading.Lock()


def current(path: Path, fallback: LifecycleConfig) -> LifecycleConfig:
    """The configuration in `path` as it is on disk now: what every write that sets a
    stage or template is checked against, never a session's copy that may be stale.

    One stat when the file did not change; a file that does not load leaves the last
    good configuration read from it (`fallback` if none ever loaded) in force.
    """
    with _on_disk_lock:
        watched = _on_disk.get(path)
        if watched is None:
            try:
                config = lifecycle.load(path)
            except ConfigError:
                config = fallback
            watched = _on_disk[path] = LifecycleFile(path, config)
    watched.check()
    return watched.config
