"""The Control Center's outline of lifecycle.toml: templates, picklists and settings."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from contacts_tui.lifecycle import DEFAULT_PICKLISTS, Category, LifecycleConfig, Step, Template
from contacts_tui.safe_text import display_safe

PICKLIST_LABELS = {
    "segmentation": "Segmentation",
    "reason_codes": "Reason codes",
    "address_types": "Address types",
    "email_types": "E-mail types",
    "phone_types": "Phone types",
    "document_types": "Document types",
}
SETTING_LABELS = {
    "default_template": "Default template",
    "default_phone_region": "Default phone region",
    "scoring": "Scoring range",
    "document_max_mb": "Document size limit",
}
DIM = Style(dim=True)
BOLD = Style(bold=True)


@dataclass(frozen=True)
class ItemRef:
    """What a line of the outline is: found again by keys after an edit, not by position."""

    kind: str  # templates, template, category, step, picklists, picklist, value, settings, setting
    template: str = ""
    category: str = ""
    step: str = ""
    name: str = ""  # the picklist's or the setting's name
    value: str = ""  # a picklist value


def status_text(step: Step) -> str:
    """ "open", "closed · won", "closed · lost" or "closed": words, so NO_COLOR reads the same."""
    return f"{step.status} · {step.outcome}" if step.outcome else step.status


def setting_value(config: LifecycleConfig, name: str) -> str:
    if name == "default_template":
        return display_safe(config.default.name)
    if name == "scoring":
        return f"{config.scoring_min}–{config.scoring_max}"
    if name == "document_max_mb":
        return f"{config.document_max_mb} MB"
    return str(getattr(config, name))


def item_details(
    config: LifecycleConfig,
    ref: ItemRef,
    counts: dict[tuple[str, str], int],
    key_fixed: bool,
    usage: int | None = None,
) -> Text:
    """What the side panel says about the line under the cursor (`usage`: how many
    contacts have the picklist value under it, None while counting)."""
    text = Text()
    template = config.template(ref.template)

    def line(label: str, value: str, style: Style | None = None) -> None:
        text.append(f"{label}: ", DIM)
        text.append(display_safe(value) + "\n", style or Style())

    if ref.kind in ("template", "category", "step") and template is not None:
        step = template.step(ref.step) if ref.kind == "step" else None
        category = (
            next(c for c in template.categories if c.key == ref.category)
            if ref.kind == "category"
            else None
        )
        item: Template | Category | Step = template
        if step is not None:
            item = step
        elif category is not None:
            item = category
        line(ref.kind.capitalize(), item.name, BOLD)
        fixed = "fixed" if key_fixed else "new, editable"
        line("Key", f"{item.key} ({fixed})")
        if step is not None:
            line("Status", status_text(step))
            index = (template.index_of(step.key) or 0) + 1
            line("Position", f"{index} of {len(template.steps())} in {template.name}")
            n = counts.get((template.key, step.key), 0)
        elif category is not None:
            n = sum(counts.get((template.key, s.key), 0) for s in category.steps)
        else:
            n = sum(counts.get((template.key, s.key), 0) for s in template.steps())
            if template.key == config.default_template:
                line("Default", "new contacts start on it")
        line("Contacts", f"{n:,}")
        if item.description:
            text.append("\n" + display_safe(item.description))
    elif ref.kind == "value":
        line("Value", ref.value, BOLD)
        line("Contacts", "counting…" if usage is None else f"{usage:,}")
        text.append(
            "\ne renames it (and can change the contacts that have it); d removes it from "
            "the list, contacts that have it keep it.",
            DIM,
        )
    elif ref.kind == "setting":
        text.append("e or enter changes this setting.", DIM)
    else:
        text.append("a adds an item here; space folds and unfolds.", DIM)
    return text


def _contacts(n: int) -> str:
    return "" if not n else f"  {n:,}"


class LifecycleTree(Tree[ItemRef]):
    """Every part of the configuration, one line each, with how many contacts are on it."""

    DEFAULT_CSS = """
    LifecycleTree { background: $surface; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("lifecycle.toml", ItemRef("root"), id=id)
        self.show_root = False
        # enter edits the line under the cursor; space still folds and unfolds.
        self.auto_expand = False
        self.guide_depth = 3

    def show(
        self, config: LifecycleConfig, counts: dict[tuple[str, str], int], select: ItemRef | None
    ) -> None:
        """Draw `config`; `counts` are contacts per (template, step); keep the cursor on
        `select`, else on the line it was on."""
        expanded = {n.data: n.is_expanded for n in self._walk() if n.children}
        line = self.cursor_line
        self.clear()
        heading = self.root.add(Text("Templates", BOLD), ItemRef("templates"), expand=True)
        for template in config.templates:
            label = Text(display_safe(template.name))
            if template.key == config.default_template:
                label.append("  default", DIM)
            total = sum(counts.get((template.key, s.key), 0) for s in template.steps())
            label.append(_contacts(total), DIM)
            t_node = heading.add(label, ItemRef("template", template.key), expand=True)
            for category in template.categories:
                c_total = sum(counts.get((template.key, s.key), 0) for s in category.steps)
                c_label = Text(display_safe(category.name))
                c_label.append(_contacts(c_total), DIM)
                c_node = t_node.add(
                    c_label, ItemRef("category", template.key, category.key), expand=True
                )
                for step in category.steps:
                    s_label = Text(display_safe(step.name))
                    s_label.append(f"  {status_text(step)}", DIM if not step.is_closed else BOLD)
                    s_label.append(_contacts(counts.get((template.key, step.key), 0)), DIM)
                    ref = ItemRef("step", template.key, category.key, step.key)
                    c_node.add_leaf(s_label, ref)
        lists = self.root.add(Text("Picklists", BOLD), ItemRef("picklists"), expand=True)
        for name in DEFAULT_PICKLISTS:
            values = getattr(config.picklists, name)
            label = Text(PICKLIST_LABELS[name])
            label.append(f"  {len(values)}", DIM)
            p_node = lists.add(label, ItemRef("picklist", name=name), expand=False)
            for value in values:
                p_node.add_leaf(Text(display_safe(value)), ItemRef("value", name=name, value=value))
        settings = self.root.add(Text("Settings", BOLD), ItemRef("settings"), expand=True)
        for name, title in SETTING_LABELS.items():
            label = Text(f"{title}: ")
            label.append(setting_value(config, name), BOLD)
            settings.add_leaf(label, ItemRef("setting", name=name))
        for node in self._walk():
            if node.data in expanded and node.children:
                # Folded and unfolded lines stay as the user left them.
                (node.expand if expanded[node.data] else node.collapse)()
        if not (select is not None and self.reveal(select)) and self.last_line >= 0:
            self.cursor_line = min(max(line, 0), self.last_line)

    def _walk(self):
        stack = list(reversed(self.root.children))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def reveal(self, ref: ItemRef) -> bool:
        """Put the cursor on `ref`'s line, unfolding what hides it; False if there is none."""
        target = self.find(ref)
        if target is None:
            return False
        parent = target.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        # Reading the line count lays the lines out, which gives each node its line number.
        if self.last_line >= 0 and target.line >= 0:
            self.move_cursor(target)
            return True
        return False

    def find(self, ref: ItemRef) -> TreeNode[ItemRef] | None:
        return next((n for n in self._walk() if n.data == ref), None)

    @property
    def current(self) -> ItemRef | None:
        node = self.cursor_node
        return node.data if node is not None else None
