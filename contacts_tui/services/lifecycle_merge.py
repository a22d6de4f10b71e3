"""What two admins changed in lifecycle.toml since a common version, and both at once.

The Control Center reads the file, the admin edits, and meanwhile someone else saves it.
Instead of "theirs or mine", the changes are compared item by item against the version
both started from (a three-way merge): a template, a category, a step, a picklist, a
setting, and the order of each list. Changes to different items combine; an item both
changed differently is a clash, where the admin's own version is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from contacts_tui import lifecycle
from contacts_tui.lifecycle import (
    Category,
    ConfigError,
    LifecycleConfig,
    Picklists,
    Step,
    Template,
)

ABSENT = None
SETTINGS = {
    "default_template": "default template",
    "default_phone_region": "default phone region",
    "scoring_min": "lowest scoring",
    "scoring_max": "highest scoring",
    "document_max_mb": "largest document (MB)",
}
PICKLIST_NAMES = {
    "segmentation": "Segmentation",
    "reason_codes": "Reason codes",
    "address_types": "Address types",
    "email_types": "E-mail types",
    "phone_types": "Phone types",
    "document_types": "Document types",
}
LIST_KINDS = ("templates", "categories", "steps", "picklist")

Item = tuple[str, ...]
"""The key of one item: its kind, then the keys that lead to it. Its value (`Any`) is a
tuple of keys (a list's order), of texts (a template, category or step) or a setting."""


@dataclass(frozen=True)
class Change:
    """One item that changed on either side, as the admin reads it."""

    item: str  # "step 'Negotiation' (Standard sales)"
    theirs: str  # what they did to it: "renamed to 'Negotiating'", "unchanged"
    yours: str
    clash: bool  # both changed it, differently: keeping both keeps yours here


@dataclass(frozen=True)
class Merge:
    changes: tuple[Change, ...]
    merged: LifecycleConfig | None  # both sides' changes (yours where they clash)
    problem: str = ""  # why they cannot be combined, when merged is None

    @property
    def clashes(self) -> int:
        return sum(change.clash for change in self.changes)


def merge(base: LifecycleConfig, theirs: LifecycleConfig, mine: LifecycleConfig) -> Merge:
    """Your changes (base → mine) and theirs (base → theirs), and both applied at once."""
    b, t, m = _items(base), _items(theirs), _items(mine)
    merged: dict[Item, Any] = {}
    clashes: set[Item] = set()
    for key in dict.fromkeys([*b, *t, *m]):
        value, clash = _merge_item(key, b.get(key), t.get(key), m.get(key))
        if clash:
            clashes.add(key)
        if value is not ABSENT:
            merged[key] = value
    changes = _describe(b, t, m, clashes, (base, theirs, mine))
    try:
        config = _build(merged)
        config = lifecycle.loads(lifecycle.dumps(config))
    except ConfigError as error:
        return Merge(changes, None, f"Together they do not make a valid file: {error}")
    except _Unplaced as error:
        return Merge(changes, None, str(error))
    return Merge(changes, config)


# ----- items ------------------------------------------------------------------------------


def _items(config: LifecycleConfig) -> dict[Item, Any]:
    items: dict[Item, Any] = {("templates",): tuple(t.key for t in config.templates)}
    for t in config.templates:
        items[("template", t.key)] = (t.name, t.description)
        items[("categories", t.key)] = tuple(c.key for c in t.categories)
        for c in t.categories:
            items[("category", t.key, c.key)] = (c.name, c.description)
            items[("steps", t.key, c.key)] = tuple(s.key for s in c.steps)
            for s in c.steps:
                items[("step", t.key, s.key)] = (s.name, s.status, s.outcome, s.description)
    for name in PICKLIST_NAMES:
        items[("picklist", name)] = tuple(getattr(config.picklists, name))
    for name in SETTINGS:
        items[("setting", name)] = getattr(config, name)
    return items


def _merge_item(key: Item, b: Any, t: Any, m: Any) -> tuple[Any, bool]:
    """The merged value of one item, and whether both sides changed it differently."""
    if t == m or m == b:
        return t, False
    if t == b:
        return m, False
    if key[0] in LIST_KINDS and all(isinstance(v, tuple) for v in (b, t, m)):
        combined = _merge_list(b, t, m)
        if combined is not None:
            return combined, False
    return m, True


def _merge_list(base: tuple, theirs: tuple, mine: tuple) -> tuple | None:
    """Both sides' additions and removals, when neither reordered what it kept."""

    def keeps_order(changed: tuple) -> bool:
        return [k for k in changed if k in base] == [k for k in base if k in changed]

    if not (keeps_order(theirs) and keeps_order(mine)):
        return None
    removed = (set(base) - set(theirs)) | (set(base) - set(mine))
    result = [k for k in theirs if k not in removed]
    for index, key in enumerate(mine):
        if key in base or key in result:
            continue
        before = next((k for k in reversed(mine[:index]) if k in result), None)
        result.insert(result.index(before) + 1 if before is not None else 0, key)
    return tuple(result)


class _Unplaced(Exception):
    """An item the merged lists no longer mention (added where the other side removed)."""


def _build(items: dict[Item, Any]) -> LifecycleConfig:
    templates = []
    placed: set[Item] = {("templates",)}
    try:
        for tk in items[("templates",)]:
            name, description = items[("template", tk)]
            placed |= {("template", tk), ("categories", tk)}
            categories = []
            for ck in items[("categories", tk)]:
                c_name, c_description = items[("category", tk, ck)]
                placed |= {("category", tk, ck), ("steps", tk, ck)}
                steps = []
                for sk in items[("steps", tk, ck)]:
                    steps.append(Step(sk, *items[("step", tk, sk)]))
                    placed.add(("step", tk, sk))
                categories.append(Category(ck, c_name, tuple(steps), c_description))
            templates.append(Template(tk, name, tuple(categories), description))
    except KeyError as missing:
        raise _Unplaced(
            f"One side removed {_plain(missing.args[0])} that the other side still uses."
        ) from None
    left = [k for k in items if k[0] in ("template", "category", "step", "steps", "categories")]
    unplaced = [k for k in left if k not in placed]
    if unplaced:
        raise _Unplaced(
            f"{_plain(unplaced[0]).capitalize()} was changed on one side inside something "
            "the other side removed."
        )
    picklists = Picklists(**{f.name: items[("picklist", f.name)] for f in fields(Picklists)})
    settings = {name: items[("setting", name)] for name in SETTINGS}
    return LifecycleConfig(tuple(templates), picklists, **settings)


def _plain(key: Item) -> str:
    kind, *keys = key
    return f"{kind} {' › '.join(keys)}".strip()


# ----- describing -------------------------------------------------------------------------


def _describe(
    b: dict[Item, Any],
    t: dict[Item, Any],
    m: dict[Item, Any],
    clashes: set[Item],
    configs: tuple[LifecycleConfig, LifecycleConfig, LifecycleConfig],
) -> tuple[Change, ...]:
    changes = []
    for key in dict.fromkeys([*b, *t, *m]):
        theirs = _what_changed(key, b.get(key), t.get(key), configs[1], b)
        yours = _what_changed(key, b.get(key), m.get(key), configs[2], b)
        if theirs or yours:
            label = _label(key, configs)
            changes.append(
                Change(label, theirs or "unchanged", yours or "unchanged", key in clashes)
            )
    return tuple(changes)


def _names(config: LifecycleConfig, template: str) -> dict[str, str]:
    t = config.template(template)
    if t is None:
        return {}
    return {c.key: c.name for c in t.categories} | {s.key: s.name for s in t.steps()}


def _label(key: Item, configs: tuple[LifecycleConfig, ...]) -> str:
    kind = key[0]
    if kind == "templates":
        return "the order of the templates"
    if kind == "setting":
        return f"setting: {SETTINGS[key[1]]}"
    if kind == "picklist":
        return f"picklist {PICKLIST_NAMES[key[1]]}"
    template = next((c.template(key[1]) for c in configs if c.template(key[1])), None)
    t_name = template.name if template else key[1]
    if kind in ("template", "categories"):
        return f"template '{t_name}'" + (" (its categories)" if kind == "categories" else "")
    names: dict[str, str] = {}
    for config in configs:
        names = _names(config, key[1]) | names
    item = names.get(key[2], key[2])
    if kind == "steps":
        return f"category '{item}' (its steps) in '{t_name}'"
    return f"{kind} '{item}' in '{t_name}'"


def _what_changed(
    key: Item, before: Any, after: Any, config: LifecycleConfig, base: dict[Item, Any]
) -> str:
    """What one side did to an item ("" when nothing)."""
    if before == after:
        return ""
    kind = key[0]
    if after is ABSENT:
        return "removed"
    if kind in LIST_KINDS:
        return _list_change(key, before or (), after, config, base)
    if kind == "setting":
        return f"{before} → {after}" if before is not ABSENT else f"set to {after}"
    name = after[0]
    if before is ABSENT:
        return f"added '{name}'"
    parts = []
    if before[0] != name:
        parts.append(f"renamed '{before[0]}' → '{name}'")
    if kind == "step":
        _, status, outcome, _ = after
        if (before[1], before[2]) != (status, outcome):
            parts.append(f"now {status}" + (f" · {outcome}" if outcome else ""))
    if before[-1] != after[-1]:
        parts.append("description changed")
    return ", ".join(parts)


def _list_change(
    key: Item, before: tuple, after: tuple, config: LifecycleConfig, base: dict[Item, Any]
) -> str:
    names = _names(config, key[1]) if key[0] in ("categories", "steps") else {}
    added = [k for k in after if k not in before]
    removed = [k for k in before if k not in after]
    parts = []
    if key[0] in ("picklist", "templates"):
        # Values and template keys have no item of their own: what came and went is here.
        if added:
            parts.append("added " + ", ".join(f"'{k}'" for k in added))
        if removed:
            parts.append("removed " + ", ".join(f"'{k}'" for k in removed))
    else:
        # New and removed steps and categories are told as items; here only moves.
        member = "step" if key[0] == "steps" else "category"
        moved_in = [k for k in added if (member, *key[1:2], k) in base]
        if key[0] == "categories":
            moved_in = []  # a category cannot move between templates
        if moved_in:
            parts.append("moved in " + ", ".join(f"'{names.get(k, k)}'" for k in moved_in))
    if [k for k in after if k in before] != [k for k in before if k in after]:
        parts.append("reordered")
    return ", ".join(parts)
