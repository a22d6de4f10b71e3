"""Control Center → Sales Management → Contact → Contact Lifecycle: lifecycle.toml, edited safely.

Nothing is written until ctrl+s. Every edit builds a new configuration and checks it with
the loader's own rules (`lifecycle_admin.check`), so the screen can never save a file
the app would refuse. Steps that contacts are on leave only with somewhere for those
contacts to go: the moves are made in one transaction just before the file is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static, Tree

from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.dialog import layout_css
from contacts_tui.recovery import Draft
from contacts_tui.safe_text import display_safe
from contacts_tui.screens.binding_commands import ScreenBindingCommands
from contacts_tui.screens.control_center_edits import ConfigEdits
from contacts_tui.screens.control_center_file import ConfigFile
from contacts_tui.services import lifecycle_admin as admin
from contacts_tui.services.live import Committed
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.drafts import drop_draft
from contacts_tui.widgets.keys_footer import KeysFooter
from contacts_tui.widgets.lifecycle_tree import ItemRef, LifecycleTree, item_details
from contacts_tui.widgets.reporting import reported_work

TITLE = "Control Center › Sales Management › Contact › Contact Lifecycle"
UNSAVED = Style(bold=True, italic=True)
EDITING = ("add", "edit", "remove", "move", "cycle_status", "make_default")


def _binding(key: str, action: str, description: str, name: str, tooltip: str, **kw) -> Binding:
    return Binding(key, action, description, id=f"control_center.{name}", tooltip=tooltip, **kw)


class ControlCenterScreen(ConfigEdits, ConfigFile, Screen[bool]):
    """The lifecycle templates, picklists and settings of lifecycle.toml, as an outline."""

    COMMAND_GROUP = "Control Center"
    DEFAULT_CSS = layout_css(__file__, "control_center.tcss")
    COMMANDS = {ScreenBindingCommands}
    AUTO_FOCUS = "#cc-tree"

    BINDINGS = [
        _binding(
            "a", "add", "Add", "add",
            "Add a template, category, step or picklist value after the one under the cursor",
        ),
        # A priority binding: the outline would otherwise take enter to fold and unfold
        # (space does that) and hide "Edit" from the footer.
        _binding(
            "enter", "edit", "Edit", "edit",
            "Rename the item under the cursor (name, description; a new item's key) "
            "or change a setting (space folds or unfolds a line)", priority=True,
        ),
        _binding(
            "d,delete", "remove", "Remove", "remove",
            "Remove the item under the cursor; contacts on a step are moved when you save",
        ),
        _binding("K", "move(-1)", "Up", "move_up", "Move the item under the cursor up"),
        _binding("J", "move(1)", "Down", "move_down", "Move the item under the cursor down"),
        _binding(
            "o", "cycle_status", "Open/closed", "status",
            "Step: open → closed, won → closed, lost → closed → open",
        ),
        _binding(
            "t", "make_default", "Default", "default",
            "Make the template under the cursor the one new contacts start on",
        ),
        _binding(
            "ctrl+s", "save", "Save", "save", "Write lifecycle.toml (the old one is kept as .bak)",
        ),
        _binding(
            "ctrl+r", "reload", "Reload", "reload",
            "Read lifecycle.toml again, discarding unsaved changes (asks)", show=False,
        ),
        _binding("escape", "back", "Back", "back", "Back to the contacts (asks if unsaved)"),
        _binding("q", "quit", "Quit", "quit", "Leave contacts-tui (asks if unsaved)", show=False),
        _binding("j", "cursor(1)", "Next line", "down", "Cursor down", show=False),
        _binding("k", "cursor(-1)", "Previous line", "up", "Cursor up", show=False),
    ]  # fmt: skip

    @dataclass
    class Counted(Message):
        counts: dict[tuple[str, str], int]

    def __init__(self, path: Path | None = None, restored: Draft | None = None) -> None:
        """`restored`: the unsaved changes a session that died left, shown at once."""
        super().__init__()
        self._path = path
        self.restored = restored
        self.counts: dict[tuple[str, str], int] = {}
        """Contacts per (template, step) in the database, archived ones too."""
        self.moves: dict[tuple[str, str], tuple[str, str]] = {}
        """Contacts to move when saving: (template, removed step) → (template, step)."""
        self.value_renames: dict[tuple[str, str], str] = {}
        """Values to change when saving: (picklist, old value) → the value renamed to."""
        self.value_usage: dict[tuple[str, str], int | None] = {}
        """Contacts per (picklist, value), read as the cursor reaches a value."""
        self.read_only = ""
        """Why this admin cannot save here; empty when they can."""
        self.saved_any = False
        self.counted = False
        """Whether `counts` has been read: until then nothing that contacts are on goes."""

    @property
    def path(self) -> Path:
        return self._path or contacts_app(self).workspace.config_path

    def compose(self) -> ComposeResult:
        yield Static(TITLE, id="cc-title")
        yield Static(id="cc-readonly")
        with Horizontal(id="cc-body"):
            yield LifecycleTree(id="cc-tree")
            yield Static(id="cc-details")
        yield Static(id="cc-message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.disk = self._read_disk(fallback=contacts_app(self).service.config)
        self.config = self.disk.config
        self.read_only = admin.write_problem(self.path) or ""
        banner = self.query_one("#cc-readonly", Static)
        banner.update(Text(f"Read-only: {display_safe(self.read_only)}"))
        banner.set_class(bool(self.read_only), "-shown")
        self.redraw()
        if self.restored is not None:
            self.restore_draft(self.restored)
        self.count_contacts()
        contacts_app(self).store_changed.subscribe(self, self._store_changed)
        contacts_app(self).lifecycle_changed.subscribe(self, self._lifecycle_changed)

    def _store_changed(self, committed: Committed) -> None:
        if committed.counts:  # contacts moved to other steps, added or removed
            self.count_contacts()

    def _lifecycle_changed(self, config: object) -> None:
        """lifecycle.toml changed on disk (another admin, an editor, or this screen's save)."""
        if config == self.disk.config:
            return  # this screen wrote it
        if self.dirty:
            # Saving will show both versions and ask (see ConfigFile.save).
            self.say(
                f"{self.path.name} was changed on disk meanwhile: ctrl+r shows it (your "
                "changes are dropped); ctrl+s asks before overwriting it.",
                error=True,
            )
            return
        self._reload_from_disk()
        self.say(f"{self.path.name} was changed on disk: shown as it is now.")

    # ----- showing ---------------------------------------------------------------------

    @property
    def outline(self) -> LifecycleTree:
        return self.query_one(LifecycleTree)

    @property
    def dirty(self) -> bool:
        return self.config != self.disk.config or bool(self.moves or self.value_renames)

    def effective_counts(self) -> dict[tuple[str, str], int]:
        """Contacts per step as they will be once the pending moves are made."""
        counts = dict(self.counts)
        for source, target in self.moves.items():
            n = self.counts.get(source, 0)
            counts[source] = counts.get(source, 0) - n
            counts[target] = counts.get(target, 0) + n
        return counts

    def redraw(self, select: ItemRef | None = None) -> None:
        self.outline.show(self.config, self.effective_counts(), select)
        title = Text(TITLE)
        if self.dirty:
            title.append("  ● unsaved changes (ctrl+s saves)", UNSAVED)
        self.query_one("#cc-title", Static).update(title)
        self.query_one("#cc-title").set_class(self.dirty, "-dirty")
        self.show_details()
        self.refresh_bindings()
        self.keep_or_drop_draft()

    def say(self, message: str, error: bool = False) -> None:
        """One line under the outline: what just happened, or why it could not."""
        line = self.query_one("#cc-message", Static)
        line.update(Text(display_safe(message)))
        line.set_class(error, "-error")
        if error:
            self.app.bell()

    @on(Tree.NodeHighlighted)
    def _highlighted(self) -> None:
        self.show_details()
        self.refresh_bindings()

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected) -> None:
        # A click: a line with lines under it folds or unfolds; any other line is edited.
        if event.node.children:
            event.node.toggle()
        else:
            self.action_edit()

    def show_details(self) -> None:
        ref = self.outline.current
        details = ""
        if ref is not None:
            usage = self.usage_of(ref) if ref.kind == "value" else None
            details = item_details(
                self.config, ref, self.effective_counts(), self._key_saved(ref), usage
            )
        self.query_one("#cc-details", Static).update(details)

    def _key_saved(self, ref: ItemRef) -> bool:
        """Whether the item's key is in the file: then contacts may use it and it is fixed."""
        saved = self.disk.config.template(ref.template)
        if ref.kind == "template":
            return saved is not None
        if saved is None:
            return False
        if ref.kind == "category":
            return any(c.key == ref.category for c in saved.categories)
        return saved.step(ref.step) is not None

    # ----- contacts per step -----------------------------------------------------------

    @reported_work(thread=True, exclusive=True, group="store.cc_counts")
    def count_contacts(self) -> None:
        self.post_message(self.Counted(admin.stage_counts(contacts_app(self).service)))

    def on_control_center_screen_counted(self, message: Counted) -> None:
        self.counts = message.counts
        self.value_usage = {}  # contacts changed: values are counted again when shown
        self.counted = True
        self.redraw(self.outline.current)

    # ----- what can be done where ------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in EDITING and action != "save":
            return True
        ref = self.outline.current if self.is_mounted else None
        kind = ref.kind if ref else ""
        applies = {
            "add": kind in ("templates", "template", "category", "step", "picklist", "value"),
            "edit": kind in ("template", "category", "step", "value", "setting"),
            "remove": kind in ("template", "category", "step", "value"),
            "move": kind in ("template", "category", "step", "value"),
            "cycle_status": kind == "step",
            "make_default": kind == "template",
            "save": True,
        }[action]
        if not applies:
            return False  # not offered on this line: left out of the footer
        return None if self.read_only else True  # read-only: shown, but dimmed

    def action_cursor(self, delta: int) -> None:
        if delta > 0:
            self.outline.action_cursor_down()
        else:
            self.outline.action_cursor_up()

    # ----- leaving ---------------------------------------------------------------------

    def on_unmount(self) -> None:
        drop_draft(self)  # left on purpose (a crash keeps it: see drop_draft)

    def action_back(self) -> None:
        self.leave()

    def action_quit(self) -> None:
        # The app's own q would quit at once; here it must not drop unsaved changes.
        self.leave(quit_app=True)

    @reported_work(exclusive=True, group="dialog")
    async def leave(self, quit_app: bool = False) -> None:
        if self.dirty and not await self.app.push_screen_wait(
            ConfirmDialog(
                "Leave the Control Center and discard your unsaved lifecycle changes? "
                "(ctrl+s saves them)",
                confirm_label="Discard",
                danger=True,
            )
        ):
            return
        if quit_app:
            self.app.exit()
            return
        # The screens under this one follow a save through the app's lifecycle_changed.
        self.dismiss(self.saved_any)
