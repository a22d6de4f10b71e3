"""Control Center → Contact Lifecycle: editing a lifecycle configuration, and the contacts on it.

The editing functions are pure: each returns a new LifecycleConfig and checks nothing.
`check` then runs the result through the same code that loads lifecycle.toml, so the
Control Center enforces exactly the rules the file must follow, with the same words.
The database functions take the ContactService whose user the history is written for.
"""

from __future__ import annotations

import operator
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

import peewee

from contacts_tui.lifecycle import (
    DEFAULT_PICKLISTS,
    Category,
    ConfigError,
    LifecycleConfig,
    Step,
    Template,
    dumps,
    loads,
    save,
)
from contacts_tui.services.shared import status_of
from contacts_tui.store import summaries
from contacts_tui.store.database import with_connection
from contacts_tui.store.models import (
    Address,
    AuditEntry,
    Contact,
    Document,
    Email,
    Phone,
    StageChange,
    database,
    utc_now,
)
from contacts_tui.store.rows import tuples
from contacts_tui.validation import ValidationError

if TYPE_CHECKING:
    from contacts_tui.services import ContactService

# Where each picklist's values are stored: (model, column). Contacts keep the text they
# were given, so a value removed from a picklist stays on the contacts that have it.
PICKLIST_COLUMNS: dict[str, tuple[Any, str]] = {  # (model, column)
    "segmentation": (Contact, "segmentation"),
    "reason_codes": (Contact, "reason_code"),
    "address_types": (Address, "type"),
    "email_types": (Email, "type"),
    "phone_types": (Phone, "type"),
    "document_types": (Document, "doc_type"),
}

# A step's open/closed state and outcome, in the order the Control Center cycles them.
STATUS_CYCLE: tuple[tuple[str, str | None], ...] = (
    ("open", None),
    ("closed", "won"),
    ("closed", "lost"),
    ("closed", None),
)


def check(config: LifecycleConfig) -> None:
    """Raise ConfigError (with `key_path` and `problem`) if `config` could not be loaded."""
    loads(dumps(config))


def config_error(config: LifecycleConfig) -> ConfigError | None:
    try:
        check(config)
    except ConfigError as error:
        return error
    return None


PATH_PART = re.compile(r"(templates|categories|steps)\[(\d+)\]")
_NEEDS = {"templates": "template", "categories": "category", "steps": "step"}


def path_depth(key_path: str | None) -> int:
    """How deep a key path reaches: 1 a template, 2 a category, 3 a step, 0 anything else."""
    return len(PATH_PART.findall(key_path or ""))


def problem_of(error: ConfigError) -> tuple[str, str]:
    """(field, problem) of a check failure: ("key", 'repeats "x", which is already used…').

    The field is the last part of the key path ("name", "outcome", "steps"…). An empty
    name or list is written without its key or tables, so the file check says "is
    missing": here it says what the admin must give instead.
    """
    path = error.key_path or ""
    field = path.rsplit(".", 1)[-1]
    problem = error.problem or str(error)
    if problem == "is missing":
        # dumps leaves out what is empty, so the loader finds it missing.
        problem = f"needs at least one {_NEEDS[field]}" if field in _NEEDS else "must not be empty"
    return field, problem


def describe(error: ConfigError, config: LifecycleConfig) -> str:
    """A check failure as one sentence naming the item by its names, not by indexes."""
    path = error.key_path or ""
    field, problem = problem_of(error)
    names: list[str] = []
    node: Any = config  # a template, category or step as the path goes down
    for kind, index in PATH_PART.findall(path):
        items = node.templates if kind == "templates" else getattr(node, kind)
        node = items[int(index)]
        names.append(f"{_NEEDS[kind]} “{node.name}”")
    where = " › ".join(names) if names else path.rsplit(".", 1)[0] or "The configuration"
    label = field.replace("_", " ")
    sentence = f"{where}: {label} {problem}" if names or "." in path else f"{label} {problem}"
    return sentence[0].upper() + sentence[1:] + "."


def slug(name: str) -> str:
    """A key for a new item from its name: "Closed – Won" → "closed_won"."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def next_status(step: Step) -> tuple[str, str | None]:
    """The status and outcome after `step`'s in STATUS_CYCLE."""
    current = (step.status, step.outcome)
    index = STATUS_CYCLE.index(current) if current in STATUS_CYCLE else -1
    return STATUS_CYCLE[(index + 1) % len(STATUS_CYCLE)]


# ----- editing a configuration (pure) ----------------------------------------------------


def _swap(items: tuple, index: int, delta: int) -> tuple | None:
    other = index + delta
    if not 0 <= other < len(items):
        return None
    moved = list(items)
    moved[index], moved[other] = moved[other], moved[index]
    return tuple(moved)


def _index(items: Iterable, key: str) -> int:
    return next(n for n, item in enumerate(items) if item.key == key)


def _template_changed(
    config: LifecycleConfig, key: str, change: Callable[[Template], Template]
) -> LifecycleConfig:
    return replace(
        config, templates=tuple(change(t) if t.key == key else t for t in config.templates)
    )


def _categories_changed(
    config: LifecycleConfig,
    template: str,
    change: Callable[[tuple[Category, ...]], tuple[Category, ...]],
) -> LifecycleConfig:
    return _template_changed(
        config, template, lambda t: replace(t, categories=change(t.categories))
    )


def _category_changed(
    config: LifecycleConfig, template: str, key: str, change: Callable[[Category], Category]
) -> LifecycleConfig:
    return _categories_changed(
        config, template, lambda cs: tuple(change(c) if c.key == key else c for c in cs)
    )


def insert_template(config: LifecycleConfig, template: Template, index: int) -> LifecycleConfig:
    templates = list(config.templates)
    templates.insert(index, template)
    return replace(config, templates=tuple(templates))


def insert_category(
    config: LifecycleConfig, template: str, category: Category, index: int
) -> LifecycleConfig:
    return _categories_changed(config, template, lambda cs: (*cs[:index], category, *cs[index:]))


def insert_step(
    config: LifecycleConfig, template: str, category: str, step: Step, index: int
) -> LifecycleConfig:
    return _category_changed(
        config,
        template,
        category,
        lambda c: replace(c, steps=(*c.steps[:index], step, *c.steps[index:])),
    )


def edit_template(config: LifecycleConfig, key: str, /, **fields: Any) -> LifecycleConfig:
    changed = _template_changed(config, key, lambda t: replace(t, **fields))
    if "key" in fields and config.default_template == key:
        changed = replace(changed, default_template=fields["key"])
    return changed


def edit_category(
    config: LifecycleConfig, template: str, key: str, /, **fields: Any
) -> LifecycleConfig:
    return _category_changed(config, template, key, lambda c: replace(c, **fields))


def edit_step(
    config: LifecycleConfig, template: str, key: str, /, **fields: Any
) -> LifecycleConfig:
    def change(category: Category) -> Category:
        return replace(
            category,
            steps=tuple(replace(s, **fields) if s.key == key else s for s in category.steps),
        )

    return _categories_changed(config, template, lambda cs: tuple(change(c) for c in cs))


def remove_template(config: LifecycleConfig, key: str) -> LifecycleConfig:
    return replace(config, templates=tuple(t for t in config.templates if t.key != key))


def remove_category(config: LifecycleConfig, template: str, key: str) -> LifecycleConfig:
    return _categories_changed(config, template, lambda cs: tuple(c for c in cs if c.key != key))


def remove_step(config: LifecycleConfig, template: str, key: str) -> LifecycleConfig:
    return _categories_changed(
        config,
        template,
        lambda cs: tuple(replace(c, steps=tuple(s for s in c.steps if s.key != key)) for c in cs),
    )


def move_template(config: LifecycleConfig, key: str, delta: int) -> LifecycleConfig | None:
    """The config with the template moved `delta` (-1 up, +1 down); None at the edge."""
    moved = _swap(config.templates, _index(config.templates, key), delta)
    return None if moved is None else replace(config, templates=moved)


def move_category(
    config: LifecycleConfig, template: str, key: str, delta: int
) -> LifecycleConfig | None:
    categories = config.template(template).categories  # type: ignore[union-attr]
    moved = _swap(categories, _index(categories, key), delta)
    return None if moved is None else _categories_changed(config, template, lambda _: moved)


def move_step(
    config: LifecycleConfig, template: str, key: str, delta: int
) -> LifecycleConfig | None:
    """Move a step along its template: past the end of its category, into the next one."""
    categories = list(config.template(template).categories)  # type: ignore[union-attr]
    where = next(n for n, c in enumerate(categories) if any(s.key == key for s in c.steps))
    category = categories[where]
    steps = category.steps
    index = _index(steps, key)
    moved = _swap(steps, index, delta)
    if moved is not None:
        categories[where] = replace(category, steps=moved)
    else:
        neighbour = where + delta
        if not 0 <= neighbour < len(categories):
            return None
        step = steps[index]
        categories[where] = replace(category, steps=tuple(s for s in steps if s.key != key))
        other = categories[neighbour]
        # Up: the last step of the category above; down: the first of the one below.
        into = (*other.steps, step) if delta < 0 else (step, *other.steps)
        categories[neighbour] = replace(other, steps=into)
    return _categories_changed(config, template, lambda _: tuple(categories))


def set_picklist(config: LifecycleConfig, name: str, values: tuple[str, ...]) -> LifecycleConfig:
    return replace(config, picklists=replace(config.picklists, **{name: values}))


# ----- the contacts on a lifecycle --------------------------------------------------------


@dataclass(frozen=True)
class StepMove:
    """Contacts on a step that is going away, and the step they go to instead."""

    from_template: str
    from_step: str
    to_template: str
    to_step: str


@with_connection
def stage_counts(service: ContactService) -> dict[tuple[str, str], int]:
    """How many contacts (archived ones too) are on each (template, step)."""
    return summaries.contacts_per_step()


@with_connection
def picklist_usage(service: ContactService, picklist: str, value: str) -> int:
    """How many contacts have `value` from `picklist` (on themselves or a record of theirs)."""
    model, column = PICKLIST_COLUMNS[picklist]
    field = getattr(model, column)
    if model is Contact:
        return Contact.select().where(field == value).count()
    return (
        model.select(peewee.fn.COUNT(model.contact.distinct())).where(field == value).scalar() or 0
    )


@with_connection
def scoring_outside(service: ContactService, low: int, high: int) -> int:
    """How many contacts (archived ones too) have a scoring outside low..high."""
    return Contact.select().where((Contact.scoring < low) | (Contact.scoring > high)).count()


@with_connection
def rename_value(service: ContactService, picklist: str, old: str, new: str) -> int:
    """Give every contact (or record) that has `old` from `picklist` the value `new`.

    A contact's own value (segmentation, reason code) changes as any edit does: version
    bumped (an open editor sees a conflict) and audited. A record's type changes in
    place. Returns how many contacts or records changed.
    """
    model, column = PICKLIST_COLUMNS[picklist]
    field = getattr(model, column)
    if model is not Contact:
        with database.atomic():
            return model.update({field: new}).where(field == old).execute()
    now = utc_now()
    changed = 0
    with database.atomic():
        ids = [i for (i,) in tuples(Contact.select(Contact.id).where(field == old))]
        for batch in peewee.chunked(ids, 500):
            changed += (
                Contact.update(
                    {
                        field: new,
                        Contact.version: Contact.version + 1,
                        Contact.updated_at: now,
                        Contact.updated_by: service.user,
                    }
                )
                .where(Contact.id.in_(batch) & (field == old))
                .execute()
            )
            AuditEntry.insert_many(
                [
                    {
                        "contact": i,
                        "at": now,
                        "by": service.user,
                        "field": column,
                        "old_value": old,
                        "new_value": new,
                    }
                    for i in batch
                ]
            ).execute()
    return changed


@with_connection
def move_contacts(
    service: ContactService, config: LifecycleConfig, moves: Iterable[StepMove]
) -> int:
    """Move every contact on each move's step to its new step, in one transaction.

    As `ContactService.set_stage` does for one contact: a stage-history entry, the new
    status, a version bump (an open editor sees a conflict, not a silent change) and an
    audit entry for a new template. The audit also keeps the old step's name, which the
    configuration is about to lose. `config` is the one being saved: every target must be
    in it. Returns how many contacts moved.
    """
    moves = list(moves)
    names = service.config.step_names()
    targets = []
    for move in moves:
        template = config.template(move.to_template)
        step = template.step(move.to_step) if template else None
        if step is None:
            raise ValidationError(
                f"Cannot move contacts to {move.to_template}.{move.to_step}: no such step."
            )
        targets.append(step)
    moved = 0
    with database.atomic():
        for move, step in zip(moves, targets, strict=True):
            on_step = (Contact.template == move.from_template) & (Contact.stage == move.from_step)
            ids = [i for (i,) in tuples(Contact.select(Contact.id).where(on_step))]
            now = utc_now()
            old_name = names.get(move.from_step, move.from_step)
            for batch in peewee.chunked(ids, 500):
                # Only the contacts read above: each gets exactly one history entry.
                moved += (
                    Contact.update(
                        template=move.to_template,
                        stage=step.key,
                        status=status_of(step.is_closed),
                        version=Contact.version + 1,
                        updated_at=now,
                        updated_by=service.user,
                    )
                    .where(Contact.id.in_(batch) & on_step)
                    .execute()
                )
                StageChange.insert_many(
                    [
                        {
                            "contact": i,
                            "from_stage": move.from_step,
                            "to_stage": step.key,
                            "at": now,
                            "by": service.user,
                        }
                        for i in batch
                    ]
                ).execute()
                audit = [("stage", f"{old_name} (removed in the Control Center)", step.name)]
                if move.to_template != move.from_template:
                    audit.append(("template", move.from_template, move.to_template))
                AuditEntry.insert_many(
                    [
                        {
                            "contact": i,
                            "at": now,
                            "by": service.user,
                            "field": field,
                            "old_value": old,
                            "new_value": new,
                        }
                        for i in batch
                        for field, old, new in audit
                    ]
                ).execute()
    return moved


@with_connection
def sync_statuses(service: ContactService, old: LifecycleConfig, new: LifecycleConfig) -> int:
    """Give the contacts of each step that became open or closed their new status.

    A contact's Open/Closed status is stored with it (the list filters and counts on it),
    so turning a step closed must close its contacts too: version bumped and audited like
    any change, in one transaction. Only steps whose status changed are looked at: each
    is one indexed query, where checking every step would read every contact.
    """
    changed = []
    for template in new.templates:
        before = old.template(template.key)
        for step in template.steps():
            was = before.step(step.key) if before else None
            if was is not None and was.is_closed != step.is_closed:
                changed.append((template.key, step))
    updated = 0
    with database.atomic():
        for template_key, step in changed:
            status = status_of(step.is_closed)
            on_step = (
                (Contact.template == template_key)
                & (Contact.stage == step.key)
                & (Contact.status != status)
            )
            ids = [i for (i,) in tuples(Contact.select(Contact.id).where(on_step))]
            now = utc_now()
            for batch in peewee.chunked(ids, 500):
                updated += (
                    Contact.update(
                        status=status,
                        version=Contact.version + 1,
                        updated_at=now,
                        updated_by=service.user,
                    )
                    .where(Contact.id.in_(batch) & on_step)
                    .execute()
                )
                old_status = status_of(not step.is_closed)
                AuditEntry.insert_many(
                    [
                        {
                            "contact": i,
                            "at": now,
                            "by": service.user,
                            "field": "status",
                            "old_value": old_status,
                            "new_value": status,
                        }
                        for i in batch
                    ]
                ).execute()
    return updated


@with_connection
def contacts_on_dropped(service: ContactService, old: LifecycleConfig, new: LifecycleConfig) -> int:
    """How many contacts are on a template or step that `old` has and `new` does not."""
    kept = {(t.key, s.key) for t in new.templates for s in t.steps()}
    dropped = [
        (t.key, s.key) for t in old.templates for s in t.steps() if (t.key, s.key) not in kept
    ]
    if not dropped:
        return 0
    on_dropped = reduce(
        operator.or_, ((Contact.template == t) & (Contact.stage == s) for t, s in dropped)
    )
    return Contact.select().where(on_dropped).count()


# ----- the file ---------------------------------------------------------------------------


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def write_problem(path: Path) -> str | None:
    """Why this user cannot save `path` (None: they can).

    A save writes a new file beside it and renames it over the old one, and keeps the
    old one as .bak: the folder must be writable as well as the file.
    """
    if path.is_symlink():
        return (
            f"{path.name} is a symbolic link; the app never saves through links. "
            "Replace it by a regular file."
        )
    target = path
    if not os.access(target, os.W_OK):
        return f"you cannot write {path.name}; ask the workspace's owner."
    if not os.access(target.parent, os.W_OK):
        return f"you cannot write in the folder of {path.name}; ask the workspace's owner."
    return None


def keeps_layout(text: str) -> bool:
    """Whether saving would write `text` back as it is (no comments or own layout to lose)."""
    try:
        return dumps(loads(text)) == text
    except ConfigError:
        return False


def differences(theirs: LifecycleConfig, mine: LifecycleConfig) -> list[tuple[str, str, str]]:
    """(part, theirs, mine) for each part that differs: a template's steps, the picklists,
    the default template; for the dialog shown when the file changed on disk."""

    def outline(config: LifecycleConfig) -> dict[str, str]:
        parts = {
            f"Template {t.key}": " › ".join(s.name for s in t.steps()) for t in config.templates
        }
        parts["Picklists"] = "; ".join(
            ", ".join(getattr(config.picklists, name)) for name in DEFAULT_PICKLISTS
        )
        parts["Settings"] = (
            f"default {config.default_template}, region {config.default_phone_region}, "
            f"scoring {config.scoring_min}–{config.scoring_max}, "
            f"documents up to {config.document_max_mb} MB"
        )
        return parts

    ours, other = outline(mine), outline(theirs)
    rows = [
        (part, other.get(part, "(none)"), ours.get(part, "(none)"))
        for part in dict.fromkeys([*other, *ours])
        if other.get(part) != ours.get(part)
    ]
    return rows or [("Layout", "differs (same configuration)", "the app's layout")]


def save_with_backup(config: LifecycleConfig, path: Path) -> None:
    """Keep the file as it is now in lifecycle.toml.bak, then save atomically.

    The .bak is made from the file itself, never from a link's target, and is written
    the same atomic way, so a crash leaves the old .bak or the new one.
    """
    save(config, path, backup=backup_path(path))
