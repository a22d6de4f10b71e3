"""Load, validate and save lifecycle.toml: lifecycle templates, picklists and settings."""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from contacts_tui.private_file import FileModes, write_file

_FIX = "Fix the file and start again."
_SLUG = re.compile(r"[a-z0-9_]+")
_REGION = re.compile(r"[A-Z]{2}")
_BIDI = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_STATUSES = ("open", "closed")
_OUTCOMES = ("won", "lost")

DEFAULT_PICKLISTS: dict[str, tuple[str, ...]] = {
    "segmentation": ("Enterprise", "Mid-Market", "SMB", "Public Sector", "Partner"),
    "reason_codes": (
        "Inbound Enquiry",
        "Referral",
        "Event",
        "Marketing Campaign",
        "Outbound Prospecting",
        "Existing Customer",
        "Partner Introduction",
    ),
    "address_types": ("Billing", "Shipping", "Personal", "Office"),
    "email_types": ("Business", "Personal", "Billing"),
    "phone_types": ("Mobile", "Office", "Home", "Fax"),
    "document_types": ("Contract", "Identification", "Proposal", "Note", "Other"),
}
# Every address, e-mail, phone number and document has a type from these: empty, no
# record of that kind could be saved. Segmentation and reason codes may be left blank.
REQUIRED_PICKLISTS = ("address_types", "email_types", "phone_types", "document_types")
DEFAULT_PHONE_REGION = "GB"


class ConfigError(Exception):
    """lifecycle.toml cannot be used; the message is one sentence for a sales admin."""

    def __init__(
        self,
        message: str,
        *,
        key_path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        problem: str | None = None,
    ) -> None:
        super().__init__(message)
        self.key_path = key_path
        self.line = line
        self.column = column
        self.problem = problem
        """What is wrong at `key_path`, without the file and the advice ("must not be empty"):
        the Control Center shows it at the field that caused it."""


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    status: str  # "open" or "closed"
    outcome: str | None = None  # closed steps only: "won" or "lost"
    description: str = ""

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    steps: tuple[Step, ...]
    description: str = ""


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    categories: tuple[Category, ...]
    description: str = ""

    def steps(self) -> tuple[Step, ...]:
        return tuple(step for category in self.categories for step in category.steps)

    def step(self, key: str) -> Step | None:
        return next((step for step in self.steps() if step.key == key), None)

    def category_of(self, step_key: str) -> Category | None:
        return next((c for c in self.categories if any(s.key == step_key for s in c.steps)), None)

    def index_of(self, step_key: str) -> int | None:
        keys = [step.key for step in self.steps()]
        return keys.index(step_key) if step_key in keys else None

    @property
    def first_step(self) -> Step:
        return self.categories[0].steps[0]


@dataclass(frozen=True)
class Picklists:
    segmentation: tuple[str, ...] = DEFAULT_PICKLISTS["segmentation"]
    reason_codes: tuple[str, ...] = DEFAULT_PICKLISTS["reason_codes"]
    address_types: tuple[str, ...] = DEFAULT_PICKLISTS["address_types"]
    email_types: tuple[str, ...] = DEFAULT_PICKLISTS["email_types"]
    phone_types: tuple[str, ...] = DEFAULT_PICKLISTS["phone_types"]
    document_types: tuple[str, ...] = DEFAULT_PICKLISTS["document_types"]


@dataclass(frozen=True)
class LifecycleConfig:
    templates: tuple[Template, ...]
    picklists: Picklists
    default_template: str
    default_phone_region: str
    scoring_min: int = 0
    scoring_max: int = 100
    document_max_mb: int = 50

    def template(self, key: str | None) -> Template | None:
        return next((t for t in self.templates if t.key == key), None) if key else None

    @functools.cached_property
    def default(self) -> Template:
        # Kept: an import asks it of every row (the same configuration for a hundred).
        return self.template(self.default_template) or self.templates[0]

    def step_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for template in self.templates:
            for step in template.steps():
                names.setdefault(step.key, step.name)
        return names

    def category_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for template in self.templates:
            for category in template.categories:
                names.setdefault(category.key, category.name)
        return names


def bundled_path() -> Path:
    """The default lifecycle.toml: inside the installed package, else the repository root."""
    packaged = Path(__file__).with_name("lifecycle.toml")
    return packaged if packaged.is_file() else Path(__file__).parent.parent / "lifecycle.toml"


# --- reading -------------------------------------------------------------------------------


class _SchemaError(Exception):
    def __init__(self, path: str, problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _shown(value: str) -> str:
    """Quote a value from the file for a message, escaping anything a terminal would obey."""
    return repr(value) if any(_unsafe(ch) for ch in value) else f'"{value}"'


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ch in _BIDI


def _table(value: Any, path: str, known: tuple[str, ...], required: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise _SchemaError(path, "must be a table")
    for key in value:
        if key not in known:
            # Unknown keys are usually typos ("stauts"), so refuse rather than ignore them.
            raise _SchemaError(
                _join(path, _shown(key) if not _SLUG.fullmatch(key) else key),
                "is not a known setting (check the spelling)",
            )
    for key in required:
        if key not in value:
            raise _SchemaError(_join(path, key), "is missing")
    return value


def _text(value: Any, path: str, *, slug: bool = False, blank_ok: bool = False) -> str:
    if not isinstance(value, str):
        raise _SchemaError(path, "must be text in quotes")
    if any(_unsafe(ch) for ch in value):
        raise _SchemaError(path, "contains control or text-direction characters")
    if not blank_ok and not value.strip():
        raise _SchemaError(path, "must not be empty")
    if slug and not _SLUG.fullmatch(value):
        raise _SchemaError(path, f"must use only a-z, 0-9 and _ (found {_shown(value)})")
    return value


def _integer(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _SchemaError(path, "must be a whole number")
    return value


def _tables(table: dict, key: str, path: str, what: str) -> list:
    value = table[key]
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        # The header to write drops the indexes: templates[0].categories -> templates.categories
        header = re.sub(r"\[\d+\]", "", _join(path, key))
        raise _SchemaError(_join(path, key), f"must be a list of [[{header}]] tables")
    if not value:
        raise _SchemaError(_join(path, key), f"needs at least one {what}")
    return value


def _unique_key(key: str, seen: set[str], path: str, scope: str) -> None:
    if key in seen:
        raise _SchemaError(path, f'repeats "{key}", which is already used {scope}')
    seen.add(key)


def _step(raw: Any, path: str, seen: set[str]) -> Step:
    table = _table(
        raw, path, ("key", "name", "status", "outcome", "description"), ("key", "name", "status")
    )
    key = _text(table["key"], _join(path, "key"), slug=True)
    _unique_key(key, seen, _join(path, "key"), "by another step in this template")
    status = _text(table["status"], _join(path, "status"))
    if status not in _STATUSES:
        raise _SchemaError(
            _join(path, "status"), f'must be "open" or "closed", not {_shown(status)}'
        )
    outcome = None
    if "outcome" in table:
        outcome = _text(table["outcome"], _join(path, "outcome"))
        if outcome not in _OUTCOMES:
            raise _SchemaError(
                _join(path, "outcome"), f'must be "won" or "lost", not {_shown(outcome)}'
            )
        if status != "closed":
            raise _SchemaError(
                _join(path, "outcome"), 'is only allowed on steps with status "closed"'
            )
    return Step(
        key=key,
        name=_text(table["name"], _join(path, "name")),
        status=status,
        outcome=outcome,
        description=_text(table.get("description", ""), _join(path, "description"), blank_ok=True),
    )


def _category(raw: Any, path: str, seen_categories: set[str], seen_steps: set[str]) -> Category:
    table = _table(raw, path, ("key", "name", "description", "steps"), ("key", "name", "steps"))
    key = _text(table["key"], _join(path, "key"), slug=True)
    _unique_key(key, seen_categories, _join(path, "key"), "by another category in this template")
    steps = _tables(table, "steps", path, "step")
    return Category(
        key=key,
        name=_text(table["name"], _join(path, "name")),
        steps=tuple(_step(s, f"{path}.steps[{i}]", seen_steps) for i, s in enumerate(steps)),
        description=_text(table.get("description", ""), _join(path, "description"), blank_ok=True),
    )


def _template(raw: Any, path: str, seen_templates: set[str]) -> Template:
    table = _table(
        raw, path, ("key", "name", "description", "categories"), ("key", "name", "categories")
    )
    key = _text(table["key"], _join(path, "key"), slug=True)
    _unique_key(key, seen_templates, _join(path, "key"), "by another template")
    categories = _tables(table, "categories", path, "category")
    seen_categories: set[str] = set()
    seen_steps: set[str] = set()
    return Template(
        key=key,
        name=_text(table["name"], _join(path, "name")),
        categories=tuple(
            _category(c, f"{path}.categories[{i}]", seen_categories, seen_steps)
            for i, c in enumerate(categories)
        ),
        description=_text(table.get("description", ""), _join(path, "description"), blank_ok=True),
    )


def _picklists(raw: Any) -> Picklists:
    table = _table(raw, "picklists", tuple(DEFAULT_PICKLISTS), ())
    lists: dict[str, tuple[str, ...]] = {}
    for name, value in table.items():
        path = f"picklists.{name}"
        if not isinstance(value, list):
            raise _SchemaError(path, "must be a list of texts in square brackets")
        if not value and name in REQUIRED_PICKLISTS:
            raise _SchemaError(path, "needs at least one value: every record has one of them")
        seen: set[str] = set()
        for i, entry in enumerate(value):
            entry = _text(entry, f"{path}[{i}]")
            # "SMB" and "smb" side by side would look like one choice to users.
            if entry.casefold() in seen:
                raise _SchemaError(
                    f"{path}[{i}]", f"repeats {_shown(entry)}, which is already in the list"
                )
            seen.add(entry.casefold())
        lists[name] = tuple(value)
    return Picklists(**lists)


def _config(data: dict) -> LifecycleConfig:
    _table(data, "", ("settings", "picklists", "templates"), ("templates",))
    seen: set[str] = set()
    raw_templates = _tables(data, "templates", "", "template")
    templates = tuple(_template(t, f"templates[{i}]", seen) for i, t in enumerate(raw_templates))

    settings_keys = (
        "default_template",
        "default_phone_region",
        "scoring_min",
        "scoring_max",
        "document_max_mb",
    )
    settings = _table(data.get("settings", {}), "settings", settings_keys, ())
    default_template = templates[0].key
    if "default_template" in settings:
        default_template = _text(settings["default_template"], "settings.default_template")
        if default_template not in seen:
            raise _SchemaError(
                "settings.default_template",
                f"names no template in this file ({_shown(default_template)})",
            )
    region = DEFAULT_PHONE_REGION
    if "default_phone_region" in settings:
        region = _text(settings["default_phone_region"], "settings.default_phone_region")
        if not _REGION.fullmatch(region):
            raise _SchemaError(
                "settings.default_phone_region",
                f'must be a two-letter country code such as "GB", not {_shown(region)}',
            )
    numbers = {
        key: _integer(settings[key], f"settings.{key}")
        for key in ("scoring_min", "scoring_max", "document_max_mb")
        if key in settings
    }
    config = LifecycleConfig(
        templates=templates,
        picklists=_picklists(data.get("picklists", {})),
        default_template=default_template,
        default_phone_region=region,
        **numbers,
    )
    if config.scoring_min >= config.scoring_max:
        raise _SchemaError("settings.scoring_max", "must be greater than settings.scoring_min")
    if config.document_max_mb <= 0:
        raise _SchemaError("settings.document_max_mb", "must be 1 or more")
    return config


def _syntax_position(err: tomllib.TOMLDecodeError, text: str) -> tuple[int, int, str]:
    """Line, column and message of a TOML error (attributes on Python 3.14+, else the text)."""
    message = str(err)
    if getattr(err, "lineno", None) is not None and getattr(err, "colno", None) is not None:
        return err.lineno, err.colno, getattr(err, "msg", message)  # type: ignore[attr-defined]
    if match := re.search(r"\s*\(at line (\d+), column (\d+)\)$", message):
        return int(match[1]), int(match[2]), message[: match.start()]
    if match := re.search(r"\s*\(at end of document\)$", message):
        lines = text.split("\n")
        return len(lines), len(lines[-1]) + 1, message[: match.start()]
    return 0, 0, message


def loads(text: str, source: str = "lifecycle.toml") -> LifecycleConfig:
    """Parse and validate lifecycle.toml text; `source` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line, column, problem = _syntax_position(err, text)
        if not line:
            raise ConfigError(f"{source}: {problem}. {_FIX}") from None
        raise ConfigError(
            f"{source} line {line}, column {column}: {problem}. {_FIX}", line=line, column=column
        ) from None
    try:
        return _config(data)
    except _SchemaError as err:
        where = readable_path(err.path, data)
        raise ConfigError(
            f"{source}: {where} {err.problem}. {_FIX}", key_path=err.path, problem=err.problem
        ) from None


_PATH_PART = re.compile(r"([^.\[]+)((?:\[\d+\])*)")
_ITEM_KINDS = {"templates": "template", "categories": "category", "steps": "step"}


def readable_path(key_path: str, data: Any) -> str:
    """A key path as an admin reads it: `templates[0].categories[3].name` becomes
    `template “Standard sales” › category “Negotiation” › name`, and a picklist entry
    `picklists.segmentation, value 3` (counted from 1). `data` is the file's raw tables,
    where the names are looked up; an item without a usable name is told by its number."""
    parts: list[str] = []
    plain: list[str] = []  # dotted parts not yet said, e.g. "picklists.segmentation"
    node: Any = data
    for name, indexes in _PATH_PART.findall(key_path):
        node = node.get(name) if isinstance(node, dict) else None
        if not indexes:
            plain.append(name)
            continue
        index = int(indexes.strip("[]").split("][")[0])
        item = node[index] if isinstance(node, list) and index < len(node) else None
        node = item
        if name in _ITEM_KINDS:
            if plain:
                parts.append(".".join(plain))
                plain = []
            parts.append(f"{_ITEM_KINDS[name]} {_item_name(item, index)}")
        else:
            plain.append(name)
            parts.append(f"{'.'.join(plain)}, value {index + 1}")
            plain = []
    if plain:
        parts.append(".".join(plain))
    return " › ".join(parts)


def _item_name(item: Any, index: int) -> str:
    for field in ("name", "key"):
        value = item.get(field) if isinstance(item, dict) else None
        if isinstance(value, str) and value.strip() and not any(_unsafe(ch) for ch in value):
            return f"“{value.strip()}”"
    return f"#{index + 1}"


def load(path: Path) -> LifecycleConfig:
    """Read and validate a lifecycle.toml file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path} does not exist. {_FIX}") from None
    except OSError as err:
        raise ConfigError(f"{path} cannot be read ({err.strerror or err}). {_FIX}") from None
    try:
        text = raw.decode("utf-8-sig")  # tolerate the byte-order mark some Windows editors add
    except UnicodeDecodeError as err:
        raise ConfigError(
            f"{path} is not UTF-8 text (bad byte at position {err.start}); save it as UTF-8. {_FIX}"
        ) from None
    return loads(text, source=str(path))


# --- writing -------------------------------------------------------------------------------


def _fields(**values: Any) -> str:
    """Key = value lines for one table, leaving out empty descriptions and missing outcomes."""
    return tomli_w.dumps({k: v for k, v in values.items() if v not in ("", None)})


def dumps(config: LifecycleConfig) -> str:
    """The file text for `config`; the same config always gives the same bytes."""
    picklists = config.picklists
    # Nested tables are written as [[...]] headers by hand: tomli_w would inline short steps,
    # so the layout would change with the length of a step's name.
    chunks = [
        tomli_w.dumps(
            {
                "settings": {
                    "default_template": config.default_template,
                    "default_phone_region": config.default_phone_region,
                    "scoring_min": config.scoring_min,
                    "scoring_max": config.scoring_max,
                    "document_max_mb": config.document_max_mb,
                },
                "picklists": {name: list(getattr(picklists, name)) for name in DEFAULT_PICKLISTS},
            }
        )
    ]
    for template in config.templates:
        chunks.append(
            "[[templates]]\n"
            + _fields(key=template.key, name=template.name, description=template.description)
        )
        for category in template.categories:
            chunks.append(
                "[[templates.categories]]\n"
                + _fields(key=category.key, name=category.name, description=category.description)
            )
            for step in category.steps:
                chunks.append(
                    "[[templates.categories.steps]]\n"
                    + _fields(
                        key=step.key,
                        name=step.name,
                        status=step.status,
                        outcome=step.outcome,
                        description=step.description,
                    )
                )
    return "\n".join(chunks)


def save(config: LifecycleConfig, path: Path, *, backup: Path | None = None) -> None:
    """Write `config` to `path` atomically, never through a symlink.

    Modes are the workspace's (the file's folder): 0600, or 0660 in the group of a
    shared one. With `backup`, the file as it was is kept there first.
    """
    text = dumps(config)
    loads(text, source=str(path))  # never write a file the app would refuse to load
    try:
        write_file(path, text, FileModes.of_folder(path.parent), backup=backup)
    except OSError as err:
        raise ConfigError(f"{path} cannot be saved ({err.strerror or err}).") from None
