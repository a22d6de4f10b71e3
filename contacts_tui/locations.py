"""Where things live on disk: the workspace and the per-user config and state folders."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "contacts-tui"


def default_workspace() -> Path:
    """The workspace: $CONTACTS_TUI_HOME, else the user data folder."""
    home = os.environ.get("CONTACTS_TUI_HOME")
    if home:
        return Path(home).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_config_dir() -> Path:
    """Per-user settings (visible columns and the like), never in the shared workspace."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def user_state_dir() -> Path:
    """Per-user state that must outlive a crash (unsaved edits), never in the workspace."""
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))
