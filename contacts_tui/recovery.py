"""Unsaved edits of the open forms, kept on disk while the app runs, so a crash loses none.

Each session writes its drafts to a file of its own in the user's state folder (0600,
never in the shared workspace), rewritten at every change and removed when the session
ends normally. The session holds an flock on its file while it runs: a file nobody
holds is what a session that died left behind, and the next start offers it back.
Nothing here knows Textual: the UI says what a draft holds and how to reopen it.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from contacts_tui.locations import user_state_dir

RECOVERY_FOLDER = "recovery"
MAX_FILE_BYTES = 1024 * 1024
"""A draft is a form's fields: anything bigger is not ours, and is not read."""


def recovery_folder() -> Path:
    return user_state_dir() / RECOVERY_FOLDER


@dataclass(frozen=True)
class Draft:
    """What one open form held: enough to open it again with the same values."""

    kind: str
    """"contact" (the information panel), "record" (an e-mail, phone… form), "new_contact",
    "control_center" (the edited lifecycle configuration)."""
    title: str
    """How the restore dialog lists it: "Ada Lovelace: Name, Scoring"."""
    values: dict[str, Any] = field(default_factory=dict)
    contact_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """What else reopening needs (a record's kind and id)."""


@dataclass(frozen=True)
class LeftBehind:
    """The drafts of a session that ended without closing its forms."""

    path: Path
    drafts: tuple[Draft, ...]

    def forget(self) -> None:
        with suppress(OSError):
            self.path.unlink()


class DraftFile:
    """This session's drafts, written to its own locked file at every change."""

    def __init__(self, workspace: str, folder: Path | None = None) -> None:
        self.workspace = workspace
        self.folder = folder or recovery_folder()
        self.path = self.folder / f"session-{os.getpid()}.json"
        self._drafts: dict[str, Draft] = {}
        self._fd: int | None = None

    def keep(self, key: str, draft: Draft) -> None:
        """Remember what the form `key` holds now (replacing what it held before)."""
        if self._drafts.get(key) == draft:
            return
        self._drafts[key] = draft
        self._write()

    def drop(self, key: str) -> None:
        """The form `key` was saved or closed on purpose: nothing of it to recover."""
        if self._drafts.pop(key, None) is not None:
            self._write()

    def close(self) -> None:
        """The session ends normally: the edits it had were saved or given up by the user."""
        self._drafts.clear()
        if self._fd is not None:
            with suppress(OSError):
                self.path.unlink()
            os.close(self._fd)  # releases the flock
            self._fd = None

    def release(self) -> None:
        """The session dies: its file stays, unlocked, for the next start to offer back."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _write(self) -> None:
        # The recovery file must never cost the user their form: a full disk or an
        # unwritable state folder only means there is nothing to recover later.
        with suppress(OSError):
            fd = self._open()
            data = json.dumps(
                {"workspace": self.workspace, "drafts": [asdict(d) for d in self._drafts.values()]}
            ).encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)

    def _open(self) -> int:
        if self._fd is None:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                os.fchmod(fd, 0o600)
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise
            self._fd = fd
        return self._fd


def left_behind(workspace: str, folder: Path | None = None) -> list[LeftBehind]:
    """Drafts of sessions on `workspace` that died (their file is no longer locked)."""
    found = []
    folder = folder or recovery_folder()
    with suppress(OSError):
        for path in sorted(folder.glob("session-*.json")):
            drafts = _read_unlocked(path, workspace)
            if drafts:
                found.append(LeftBehind(path, drafts))
            elif drafts is not None:  # died with every form saved: nothing to offer
                path.unlink()
    return found


def _read_unlocked(path: Path, workspace: str) -> tuple[Draft, ...] | None:
    """The drafts of a dead session on `workspace`; None for a live session's file or
    another workspace's."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return None  # a session that is running: its drafts are its own
        data = json.loads(os.read(fd, MAX_FILE_BYTES) or b"{}")
        if data.get("workspace", workspace) != workspace:
            return None
        return tuple(Draft(**d) for d in data.get("drafts", ()))
    except (OSError, ValueError, TypeError, AttributeError):
        return ()  # cut short by the crash: nothing usable
    finally:
        os.close(fd)
