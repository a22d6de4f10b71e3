"""Per-user settings kept between runs (the list's columns, the keymap, the last export
and import folders and document type), in the user config folder.

They live in `settings.toml` under `locations.user_config_dir()`, never in the shared
workspace: each sales person arranges their own list. A missing, unreadable or edited-
by-hand-and-broken file must never stop the app: loading falls back to the defaults.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from contacts_tui.locations import user_config_dir
from contacts_tui.private_file import PRIVATE, make_folder, write_file

SETTINGS_FILE = "settings.toml"
_COLUMN_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_MAX_COLUMNS = 64


def settings_path() -> Path:
    return user_config_dir() / SETTINGS_FILE


def load_columns(known: list[str] | None = None) -> list[str] | None:
    """The list columns the user chose, in order; None when there is no usable choice.

    With `known` (the column keys the list has), keys it does not know are dropped and
    "name" is put first if missing, so a file from an older or newer version still works.
    """
    value = _load().get("contact_list", {})
    columns = value.get("columns") if isinstance(value, dict) else None
    if not isinstance(columns, list) or len(columns) > _MAX_COLUMNS:
        return None
    keys = [c for c in columns if isinstance(c, str) and _COLUMN_KEY.fullmatch(c)]
    keys = list(dict.fromkeys(keys))  # a key listed twice counts once
    if known is not None:
        keys = [k for k in keys if k in known]
        if keys and "name" in known and "name" not in keys:
            keys.insert(0, "name")
    return keys or None


def save_columns(columns: list[str]) -> bool:
    """Remember the list columns; False (and nothing changed) if the file can't be written.

    Other settings in the file are kept. The file is replaced atomically and is 0600;
    a symbolic link in its place is refused, never written through.
    """
    settings = _load()
    section = settings.get("contact_list")
    if not isinstance(section, dict):
        section = settings["contact_list"] = {}
    section["columns"] = [str(c) for c in columns]
    try:
        _write(settings_path(), settings)
    except (OSError, TypeError, ValueError):
        return False
    return True


def load_keymap() -> tuple[dict[str, str], list[str]]:
    """The user's `[keymap]` table: {binding id: "key,key"}, and the ids whose value is
    not a key string (each to be reported, none applied).

    A missing or broken file, or no table, is an empty keymap: the built-in keys.
    """
    table = _load().get("keymap", {})
    if not isinstance(table, dict):
        return {}, ["keymap"]
    keymap: dict[str, str] = {}
    bad: list[str] = []
    for binding_id, value in table.items():
        keys = [k.strip() for k in value.split(",")] if isinstance(value, str) else []
        if keys and all(keys):
            keymap[str(binding_id)] = ",".join(keys)
        else:
            bad.append(str(binding_id))
    return keymap, bad


def load_export_folder() -> Path:
    """The folder an export dialog proposes: the one the user last exported to, while it
    is still a folder; else their home folder (never the folder the app was started in,
    which over SSH is often somewhere they cannot or should not write)."""
    section = _load().get("export", {})
    folder = section.get("folder") if isinstance(section, dict) else None
    if isinstance(folder, str) and folder:
        path = Path(folder)
        if path.is_absolute() and path.is_dir():
            return path
    return Path.home()


def save_export_folder(folder: Path) -> bool:
    """Remember the folder of the last export; False if the file can't be written."""
    return _save_value("export", "folder", str(folder))


def load_import_folder() -> Path | None:
    """The folder of the file the user last picked to import, while it is still a
    folder (None: the picker starts where the app was started)."""
    section = _load().get("import", {})
    folder = section.get("folder") if isinstance(section, dict) else None
    if isinstance(folder, str) and folder:
        path = Path(folder)
        if path.is_absolute() and path.is_dir():
            return path
    return None


def save_import_folder(folder: Path) -> bool:
    """Remember the folder of the file picked to import; False if the file can't be written."""
    return _save_value("import", "folder", str(folder))


def load_document_type() -> str | None:
    """The document type the user chose last, to start the type list on."""
    section = _load().get("documents", {})
    value = section.get("last_type") if isinstance(section, dict) else None
    return value if isinstance(value, str) and value else None


def save_document_type(doc_type: str) -> bool:
    """Remember the document type just chosen; False if the file can't be written."""
    return _save_value("documents", "last_type", doc_type)


def _save_value(section_name: str, key: str, value: str) -> bool:
    """Set one value of a table, keeping the rest of the file; False if it can't be written."""
    settings = _load()
    section = settings.get(section_name)
    if not isinstance(section, dict):
        section = settings[section_name] = {}
    section[key] = value
    try:
        _write(settings_path(), settings)
    except (OSError, TypeError, ValueError):
        return False
    return True


def _load() -> dict[str, Any]:
    path = settings_path()
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, settings: dict[str, Any]) -> None:
    path.parent.parent.mkdir(parents=True, exist_ok=True)  # XDG's own, for a new account
    make_folder(path.parent)
    write_file(path, tomli_w.dumps(settings), PRIVATE)
