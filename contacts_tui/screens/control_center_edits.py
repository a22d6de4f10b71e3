"""The Control Center's edits: add, edit, remove, move, open/closed and the default template.

A part the Control Center screen owns: it changes the screen's `changes` (the edited
configuration, the moves and renames waiting for the save) and shows the result
through the screen's outline and message line. Each edit builds a new configuration and
keeps it only if `lifecycle_admin.check` (the loader's rules) accepts it; in a dialog
the loader's complaint is shown at the field it is about.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets.option_list import Option

from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.lifecycle_item_dialog import ItemField, LifecycleItemDialog
from contacts_tui.dialogs.pick_target import PickTarget
from contacts_tui.lifecycle import Category, LifecycleConfig, Step, Template
from contacts_tui.safe_text import display_safe
from contacts_tui.services import lifecycle_admin as admin
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.lifecycle_tree import PICKLIST_LABELS, ItemRef
from contacts_tui.widgets.reporting import run_reported

if TYPE_CHECKING:
    from contacts_tui.screens.control_center import ControlCenterScreen
    from contacts_tui.screens.control_center_changes import LifecycleChanges

DEPTH = {"template": 1, "category": 2, "step": 3}
KEY_NOTE = "a-z, 0-9 and _; fixed once saved"


def _template_at(config: LifecycleConfig, key: str) -> Template:
    """A template of a line of the outline (which shows only what `config` has)."""
    template = config.template(key)
    if template is None:
        raise LookupError(f"no template {key!r}")
    return template


def _category_at(template: Template, key: str) -> Category:
    return next(c for c in template.categories if c.key == key)


def _step_at(template: Template, key: str) -> Step:
    step = template.step(key)
    if step is None:
        raise LookupError(f"no step {key!r}")
    return step


def _number(text: str) -> int | str:
    """A whole number as an int; anything else as typed, for the loader to refuse."""
    stripped = text.strip()
    return int(stripped) if stripped.lstrip("-").isdigit() else stripped


class OutlineEdits:
    """Actions on the line under the cursor of the Control Center's outline."""

    def __init__(self, screen: ControlCenterScreen) -> None:
        self.screen = screen

    @property
    def changes(self) -> LifecycleChanges:
        return self.screen.changes

    # ----- keeping an edit -------------------------------------------------------------

    def keep(self, new: LifecycleConfig, select: ItemRef, note: str) -> bool:
        """Use `new` if the loader would accept it; else say why on the message line."""
        error = admin.config_error(new)
        if error is not None:
            if error.key_path == "settings.default_template":
                name = display_safe(self.changes.config.default.name)
                self.screen.say(
                    f"“{name}” is the default template: make another one the default "
                    "first (t on it).",
                    error=True,
                )
            else:
                self.screen.say(admin.describe(error, new), error=True)
            return False
        self.changes.config = new
        self.screen.redraw(select)
        self.screen.say(
            f"{note} (not saved yet: ctrl+s saves)." if self.changes.dirty else note + "."
        )
        return True

    def _ask(
        self,
        title: str,
        fields: list[ItemField],
        build: Callable[[dict[str, str]], LifecycleConfig],
        select: Callable[[dict[str, str]], ItemRef],
        note: str,
        depth: int = 0,
        after: Callable[[dict[str, str]], None] | None = None,
    ) -> None:
        """Open the item dialog; its values are checked as the configuration they build.
        `after` runs with the values once the edit is kept."""
        labels = {f.id: f.label for f in fields}

        def clean(values: dict[str, str]) -> dict[str, str]:
            return {k: v.strip() for k, v in values.items()}

        def check(values: dict[str, str]) -> tuple[str, str] | None:
            error = admin.config_error(build(clean(values)))
            if error is None:
                return None
            field, problem = admin.problem_of(error)
            field = field.split("[")[0]
            below = admin.path_depth(error.key_path) - depth
            editable = [f.id for f in fields if f.editable]
            if field not in labels and len(editable) == 1:
                field = editable[0]  # a value or a setting: the one thing typed
            elif depth and below == 1 and "first_category" in labels:
                field = "first_category"
            elif depth and below >= 1 and "first_step" in labels:
                field = "first_step"
            elif field not in labels or (depth and below < 0):
                return editable[0], admin.describe(error, build(clean(values)))
            if field.startswith("first_"):
                return field, f"{labels[field]}: its key or name {problem}."
            return field, f"{labels[field]} {problem}."

        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                kept = self.keep(build(clean(values)), select(clean(values)), note)
                if kept and after is not None:
                    after(clean(values))

        self.screen.app.push_screen(LifecycleItemDialog(title, fields, check), done)

    def _item_fields(self, name: str = "", key: str = "", description: str = "", fixed=False):
        return [
            ItemField("name", "Name", name),
            ItemField(
                "key",
                "Key",
                key,
                editable=not fixed,
                note="fixed: contacts may use it" if fixed else KEY_NOTE,
            ),
            ItemField("description", "Description", description),
        ]

    # ----- add -------------------------------------------------------------------------

    def add(self) -> None:
        ref = self.screen.outline.current
        if ref is None or self.screen.read_only:
            return
        config = self.changes.config
        if ref.kind in ("templates", "template"):
            keys = [t.key for t in config.templates]
            index = keys.index(ref.template) + 1 if ref.template else len(keys)

            def build(v: dict[str, str]) -> LifecycleConfig:
                step = Step(admin.slug(v["first_step"]) or "step_1", v["first_step"], "open")
                category = Category(
                    admin.slug(v["first_category"]) or "category_1", v["first_category"], (step,)
                )
                template = Template(v["key"], v["name"], (category,), v["description"])
                return admin.insert_template(config, template, index)

            fields = [
                *self._item_fields(),
                ItemField("first_category", "First category", "Lead Generation"),
                ItemField("first_step", "First step", "New Lead"),
            ]
            self._ask(
                "New lifecycle template",
                fields,
                build,
                lambda v: ItemRef("template", v["key"]),
                "Template added",
                DEPTH["template"],
            )
        elif ref.kind == "category":
            template = _template_at(config, ref.template)
            index = [c.key for c in template.categories].index(ref.category) + 1

            def build(v: dict[str, str]) -> LifecycleConfig:
                step = Step(admin.slug(v["first_step"]) or "step_1", v["first_step"], "open")
                category = Category(v["key"], v["name"], (step,), v["description"])
                return admin.insert_category(config, ref.template, category, index)

            fields = [*self._item_fields(), ItemField("first_step", "First step")]
            self._ask(
                f"New category in “{display_safe(template.name)}”",
                fields,
                build,
                lambda v: ItemRef("category", ref.template, v["key"]),
                "Category added",
                DEPTH["category"],
            )
        elif ref.kind == "step":
            template = _template_at(config, ref.template)
            category = _category_at(template, ref.category)
            index = [s.key for s in category.steps].index(ref.step) + 1

            def build(v: dict[str, str]) -> LifecycleConfig:
                step = Step(v["key"], v["name"], "open", None, v["description"])
                return admin.insert_step(config, ref.template, ref.category, step, index)

            where = f"{display_safe(template.name)} › {display_safe(category.name)}"
            self._ask(
                f"New step in {where} (open; o changes it)",
                self._item_fields(),
                build,
                lambda v: ItemRef("step", ref.template, ref.category, v["key"]),
                "Step added",
                DEPTH["step"],
            )
        elif ref.kind in ("picklist", "value"):
            values = getattr(config.picklists, ref.name)
            index = values.index(ref.value) + 1 if ref.kind == "value" else len(values)

            def build(v: dict[str, str]) -> LifecycleConfig:
                new = (*values[:index], v["value"], *values[index:])
                return admin.set_picklist(config, ref.name, new)

            self._ask(
                f"New value in {PICKLIST_LABELS[ref.name]}",
                [ItemField("value", "Value")],
                build,
                lambda v: ItemRef("value", name=ref.name, value=v["value"]),
                "Value added",
            )

    # ----- edit ------------------------------------------------------------------------

    def edit(self) -> None:
        ref = self.screen.outline.current
        if ref is None or self.screen.read_only:
            if self.screen.read_only:
                self.screen.say(self.screen.read_only, error=True)
            return
        config = self.changes.config
        fixed = self.changes.key_saved(ref)
        if ref.kind in ("template", "category", "step"):
            template = _template_at(config, ref.template)
            item: Template | Category | Step
            edit: Callable[..., LifecycleConfig]
            if ref.kind == "template":
                item, edit = template, admin.edit_template
                args: tuple[str, ...] = (ref.template,)
            elif ref.kind == "category":
                item = _category_at(template, ref.category)
                edit, args = admin.edit_category, (ref.template, ref.category)
            else:
                item = _step_at(template, ref.step)
                edit, args = admin.edit_step, (ref.template, ref.step)

            def build(v: dict[str, str]) -> LifecycleConfig:
                return edit(
                    config, *args, name=v["name"], key=v["key"], description=v["description"]
                )

            def select(v: dict[str, str]) -> ItemRef:
                keys = {"template": "template", "category": "category", "step": "step"}
                return replace(ref, **{keys[ref.kind]: v["key"]})

            fields = self._item_fields(item.name, item.key, item.description, fixed)
            self._ask(
                f"Edit {ref.kind} “{display_safe(item.name)}”",
                fields,
                build,
                select,
                f"{ref.kind.capitalize()} changed",
                DEPTH[ref.kind],
            )
        elif ref.kind == "value":
            self._rename_value(ref)
        elif ref.kind == "setting":
            self._edit_setting(ref)

    def _rename_value(self, ref: ItemRef) -> None:
        config = self.changes.config
        values = getattr(config.picklists, ref.name)
        index = values.index(ref.value)
        used = self.screen.counts.value_usage.get((ref.name, ref.value))

        def build(v: dict[str, str]) -> LifecycleConfig:
            new = (*values[:index], v["value"], *values[index + 1 :])
            return admin.set_picklist(config, ref.name, new)

        def renamed(v: dict[str, str]) -> None:
            if v["value"] != ref.value:
                run_reported(
                    self.screen,
                    self.offer_value_migration,
                    ref.name,
                    ref.value,
                    v["value"],
                    exclusive=True,
                    group="dialog",
                )

        have = "" if used is None else f" ({used:,} contacts have it)"
        self._ask(
            f"Rename “{display_safe(ref.value)}”{have}",
            [ItemField("value", "Value", ref.value)],
            build,
            lambda v: ItemRef("value", name=ref.name, value=v["value"]),
            "Value renamed",
            after=renamed,
        )

    async def offer_value_migration(self, picklist: str, old: str, new: str) -> None:
        """A value was renamed: offer to give the contacts that have it the new one."""
        self.changes.follow_rename(picklist, old, new)
        n = self.screen.counts.value_usage.get((picklist, old))
        if n is None:
            service = contacts_app(self.screen).service
            n = await asyncio.to_thread(admin.picklist_usage, service, picklist, old)
        if not n:
            return
        what = PICKLIST_LABELS[picklist]
        question = (
            f"{n:,} contacts have “{display_safe(old)}” ({what}). Change them to "
            f"“{display_safe(new)}” when you save? Otherwise they keep “{display_safe(old)}”, "
            "which can no longer be picked."
        )
        if await self.screen.app.push_screen_wait(ConfirmDialog(question, "Change them")):
            self.changes.value_renames[(picklist, old)] = new
            self.screen.redraw(self.screen.outline.current)
            self.screen.say(
                f"Value renamed; {n:,} contacts get “{display_safe(new)}” when you save (ctrl+s)."
            )

    def _edit_setting(self, ref: ItemRef) -> None:
        config = self.changes.config
        if ref.name == "default_template":
            self.make_default(pick=True)
            return
        if ref.name == "scoring":
            fields = [
                ItemField("scoring_min", "Lowest score", str(config.scoring_min)),
                ItemField("scoring_max", "Highest score", str(config.scoring_max)),
            ]
        elif ref.name == "document_max_mb":
            fields = [
                ItemField("document_max_mb", "Largest document (MB)", str(config.document_max_mb))
            ]
        else:
            fields = [
                ItemField(
                    "default_phone_region",
                    "Default phone region",
                    config.default_phone_region,
                    note="two letters, e.g. GB",
                )
            ]

        def build(v: dict[str, str]) -> LifecycleConfig:
            changes: dict[str, Any] = {
                k: (_number(x) if k != "default_phone_region" else x) for k, x in v.items()
            }
            return replace(config, **changes)

        def narrowed(v: dict[str, str]) -> None:
            low, high = self.changes.config.scoring_min, self.changes.config.scoring_max
            if ref.name == "scoring" and (low > config.scoring_min or high < config.scoring_max):
                run_reported(
                    self.screen,
                    self.count_outside_scoring,
                    low,
                    high,
                    thread=True,
                    exclusive=True,
                    group="store.cc_scoring",
                )

        self._ask("Settings", fields, build, lambda v: ref, "Setting changed", after=narrowed)

    def count_outside_scoring(self, low: int, high: int) -> None:
        n = admin.scoring_outside(contacts_app(self.screen).service, low, high)
        if n:
            message = (
                f"{n:,} contacts have a scoring outside {low}–{high}: they keep it until "
                "someone edits it, and the list's scoring filter offers only this range "
                "(not saved yet)."
            )
            self.screen.app.call_from_thread(self.screen.say, message, True)

    # ----- open/closed and the default template ----------------------------------------

    def cycle_status(self) -> None:
        ref = self.screen.outline.current
        if ref is None or ref.kind != "step" or self.screen.read_only:
            return
        status, outcome = admin.next_status(
            _step_at(_template_at(self.changes.config, ref.template), ref.step)
        )
        new = admin.edit_step(
            self.changes.config, ref.template, ref.step, status=status, outcome=outcome
        )
        shown = f"{status} · {outcome}" if outcome else status
        self.keep(new, ref, f"Step is now {shown}; its contacts follow when you save")

    def make_default(self, pick: bool = False) -> None:
        ref = self.screen.outline.current
        if self.screen.read_only or ref is None:
            return
        if ref.kind == "template" and not pick:
            self._make_default(ref.template, ref)
        else:
            run_reported(self.screen, self.pick_default, ref, exclusive=True, group="dialog")

    def _make_default(self, key: str, select: ItemRef) -> None:
        name = display_safe(_template_at(self.changes.config, key).name)
        new = replace(self.changes.config, default_template=key)
        self.keep(new, select, f"New contacts now start on “{name}”")

    async def pick_default(self, ref: ItemRef) -> None:
        templates = self.changes.config.templates
        options = [Option(Text(display_safe(t.name)), id=t.key) for t in templates]
        keys = [t.key for t in templates]
        question = Text("Which template do new contacts start on?")
        current = keys.index(self.changes.config.default_template)
        key = await self.screen.app.push_screen_wait(PickTarget(question, options, current))
        if key:
            self._make_default(key, ref)

    # ----- move ------------------------------------------------------------------------

    def move(self, delta: int) -> None:
        ref = self.screen.outline.current
        if ref is None or self.screen.read_only:
            return
        config, select = self.changes.config, ref
        if ref.kind == "template":
            new = admin.move_template(config, ref.template, delta)
        elif ref.kind == "category":
            new = admin.move_category(config, ref.template, ref.category, delta)
        elif ref.kind == "step":
            new = admin.move_step(config, ref.template, ref.step, delta)
            if new is not None:
                category = _template_at(new, ref.template).category_of(ref.step)
                if category is not None:
                    select = replace(ref, category=category.key)
        elif ref.kind == "value":
            values = list(getattr(config.picklists, ref.name))
            index, other = values.index(ref.value), values.index(ref.value) + delta
            new = None
            if 0 <= other < len(values):
                values[index], values[other] = values[other], values[index]
                new = admin.set_picklist(config, ref.name, tuple(values))
        else:
            return
        if new is None:
            self.screen.say("Already at the top." if delta < 0 else "Already at the bottom.")
            return
        self.keep(new, select, "Moved up" if delta < 0 else "Moved down")

    # ----- remove ----------------------------------------------------------------------

    def remove(self) -> None:
        ref = self.screen.outline.current
        if ref is None or self.screen.read_only or (ref.kind not in DEPTH and ref.kind != "value"):
            return
        run_reported(self.screen, self.remove_item, ref, exclusive=True, group="dialog")

    async def remove_item(self, ref: ItemRef) -> None:
        if ref.kind == "value":
            await self._remove_value(ref)
            return
        config = self.changes.config
        template = _template_at(config, ref.template)
        item: Template | Category | Step
        steps: tuple[Step, ...]
        if ref.kind == "template":
            new = admin.remove_template(config, ref.template)
            steps, item = template.steps(), template
        elif ref.kind == "category":
            new = admin.remove_category(config, ref.template, ref.category)
            item = _category_at(template, ref.category)
            steps = item.steps
        else:
            new = admin.remove_step(config, ref.template, ref.step)
            item = _step_at(template, ref.step)
            steps = (item,)
        name = display_safe(item.name)
        select = self._neighbour(ref)
        if admin.config_error(new) is not None:
            self.keep(new, select, "")  # says why it cannot go
            return
        if not self.screen.counts.counted:
            self.screen.say("Still counting the contacts on each step; try again in a moment.")
            return
        affected = [(ref.template, s.key) for s in steps]
        counts = self.screen.counts.effective()
        on = sum(counts.get(p, 0) for p in affected)
        if on:
            target = await self._pick_move_target(ref, new, on, name)
            if target is None:
                self.screen.say(
                    f"Not removed: {on:,} contacts are on “{name}”; choose where they go."
                )
                return
            self.changes.move_when_saving(affected, target, self.screen.counts.per_step)
        elif ref.kind != "step" and not await self.screen.app.push_screen_wait(
            ConfirmDialog(f"Remove the {ref.kind} “{name}” and its {len(steps)} step(s)?", "Remove")
        ):
            return
        moved = f"; its {on:,} contacts move when you save" if on else ""
        self.keep(new, select, f"Removed {ref.kind} “{name}”{moved}")

    async def _pick_move_target(
        self, ref: ItemRef, new: LifecycleConfig, on: int, name: str
    ) -> tuple[str, str] | None:
        if ref.kind == "template":
            templates = new.templates
            question = f"{on:,} contacts use “{name}”. Move them to which step of another template?"
        else:
            templates = (_template_at(new, ref.template),)
            what = "this step" if ref.kind == "step" else "the steps of this category"
            question = f"{on:,} contacts are on {what}. Move them to which step?"

        def label(t: Template, c: Category, s: Step) -> Text:
            # Within one template its name would only repeat on every line.
            parts = (t.name, c.name, s.name) if ref.kind == "template" else (c.name, s.name)
            return Text(display_safe(" › ".join(parts)))

        options = [
            Option(label(t, c, s), id=f"{t.key}\0{s.key}")
            for t in templates
            for c in t.categories
            for s in c.steps
        ]
        question += " They move when you save; escape keeps it."
        picked = await self.screen.app.push_screen_wait(PickTarget(Text(question), options))
        if not picked:
            return None
        template_key, step_key = picked.split("\0")
        return template_key, step_key

    async def _remove_value(self, ref: ItemRef) -> None:
        values = getattr(self.changes.config.picklists, ref.name)
        new = admin.set_picklist(
            self.changes.config, ref.name, tuple(v for v in values if v != ref.value)
        )
        run_reported(self.screen, self.count_usage, ref, thread=True, group="store.cc_usage")
        select = self._neighbour(ref)
        self.keep(new, select, f"Removed “{display_safe(ref.value)}”")

    def count_usage(self, ref: ItemRef) -> None:
        n = admin.picklist_usage(contacts_app(self.screen).service, ref.name, ref.value)
        if n:
            message = (
                f"Removed “{display_safe(ref.value)}” from {PICKLIST_LABELS[ref.name]}; "
                f"{n:,} contacts keep it, but it can no longer be picked (not saved yet)."
            )
            self.screen.app.call_from_thread(self.screen.say, message)

    def _neighbour(self, ref: ItemRef) -> ItemRef:
        """The line the cursor goes to when `ref` is removed."""
        node = self.screen.outline.find(ref)
        if node is None:
            return ref
        other = node.next_sibling or node.previous_sibling or node.parent
        return other.data if other is not None and other.data else ref
