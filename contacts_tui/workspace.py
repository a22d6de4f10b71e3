"""The workspace folder: contacts.db, lifecycle.toml and documents/, created safely."""

from __future__ import annotations

import contextlib
import getpass
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import peewee

from contacts_tui import lifecycle
from contacts_tui.lifecycle import ConfigError, LifecycleConfig
from contacts_tui.private_file import FileModes, make_folder, write_file
from contacts_tui.store import is_postgres_url
from contacts_tui.store.database import (
    Announce,
    StoreError,
    connect_sqlite,
    connect_url,
    open_database,
)
from contacts_tui.workspace_access import AccessError, check_workspace_access, prepare_access

DATABASE_FILE = "contacts.db"
CONFIG_FILE = "lifecycle.toml"
DOCUMENTS_DIR = "documents"


class WorkspaceError(Exception):
    """The workspace cannot be used; the message is one line for the person at the terminal."""


@dataclass
class Workspace:
    folder: Path
    config: LifecycleConfig
    database: peewee.Database
    user: str

    @property
    def config_path(self) -> Path:
        return self.folder / CONFIG_FILE

    @property
    def documents(self) -> Path:
        return self.folder / DOCUMENTS_DIR

    @property
    def group_shared(self) -> bool:
        """A folder made group-writable by its admin is shared with that group on purpose."""
        return bool(self.folder.stat().st_mode & stat.S_IWGRP)


def current_user() -> str:
    """The OS user running the app: who history and audit entries say did it."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def prepare_folder(folder: Path) -> None:
    """Create the workspace folder 0700, if it is new."""
    if folder.exists() and not folder.is_dir():
        raise WorkspaceError(f"The workspace {folder} exists but is not a folder.")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise WorkspaceError(
            f"Cannot set up the workspace {folder}: {error.strerror or error}."
        ) from None


def add_bundled_config(folder: Path) -> None:
    """Put the bundled lifecycle.toml in a workspace that has none, with its modes."""
    config = folder / CONFIG_FILE
    try:
        if not config.exists() and not config.is_symlink():
            bundled = lifecycle.bundled_path().read_bytes()
            with contextlib.suppress(FileExistsError):  # a colleague's first run was first
                write_file(config, bundled, FileModes.of_folder(folder), overwrite=False)
    except OSError as error:
        raise WorkspaceError(
            f"Cannot set up the workspace {folder}: {error.strerror or error}."
        ) from None


def open_workspace(
    folder: Path, db_url: str | None = None, announce: Announce | None = None
) -> Workspace:
    """Open (creating on first run) the workspace and its database, migrated to date.

    `announce` hears of database updates before they run (see store.database.migrate).
    """
    given = folder.expanduser()
    folder = given.resolve()
    prepare_folder(folder)
    try:  # before anything is written into it
        check_workspace_access(given, sqlite=sqlite_file(folder, db_url))
    except AccessError as error:
        raise WorkspaceError(str(error)) from None
    add_bundled_config(folder)
    try:
        config = lifecycle.load(folder / CONFIG_FILE)
    except ConfigError as error:
        raise WorkspaceError(str(error)) from None
    # A folder its admin made group-writable is shared with that group on purpose.
    mode = 0o660 if folder.stat().st_mode & stat.S_IWGRP else 0o600
    try:
        db = connect_url(db_url) if db_url else connect_sqlite(folder / DATABASE_FILE, mode)
        open_database(db, announce)
    except StoreError as error:
        raise WorkspaceError(str(error)) from None
    return Workspace(folder, config, db, current_user())


def sqlite_file(folder: Path, db_url: str | None) -> Path | None:
    """The SQLite database file the workspace will use; None for PostgreSQL."""
    if not db_url:
        return folder / DATABASE_FILE
    if db_url.startswith("sqlite:///"):
        return Path(db_url.removeprefix("sqlite:///")).expanduser()
    return None if is_postgres_url(db_url) else folder / DATABASE_FILE


def init_workspace(
    folder: Path, group: str | None, db_url: str | None = None, announce: Announce | None = None
) -> tuple[Workspace, list[str]]:
    """Prepare a private workspace, or one shared with the Unix group `group`.

    The folder and everything in it get the modes (private: 0700/0600; shared: 2770/
    0660 in the group), then the workspace opens as every start does: lifecycle.toml,
    the database and documents/ are created with them. Returns the workspace and what
    could not be fixed (files another member owns).
    """
    try:
        modes, problems = prepare_access(folder, group)
        folder = folder.expanduser().resolve()
        make_folder(folder / DOCUMENTS_DIR, modes)
    except AccessError as error:
        raise WorkspaceError(str(error)) from None
    except OSError as error:
        raise WorkspaceError(
            f"Cannot set up the workspace {folder}: {error.strerror or error}."
        ) from None
    return open_workspace(folder, db_url, announce), problems
