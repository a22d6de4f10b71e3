"""Control Center → Sales Management → Contact → Contact Lifecycle: lifecycle.toml, edited safely.

Nothing is written until ctrl+s. Every edit builds a new configuration and checks it with
the loader's own rules (`lifecycle_admin.check`), so the screen can never save a file
the app would refuse. Steps that contacts are on leave only with somewhere for those
contacts to go: the moves are made in one transaction just before the file is saved.
"""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static, Tree

from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.dialog import layout_css
from contacts_tui.recovery import Draft
from contacts_tui.safe_text import display_safe
from contacts_tui.screens.binding_commands import ScreenBindingCommands
from contacts_tui.screens.control_center_changes import LifecycleChanges
from contacts_tui.screens.control_center_counts import ContactCounts, StepsCounted
from contacts_tui.screens.control_center_edits import OutlineEdits
from contacts_tui.screens.control_center_file import LifecycleFile
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


class ControlCenterScreen(Screen[bool]):
    """The lifecycle templates, picklists and settings of lifecycle.toml, as an outline.

    It shows, takes the keys and leaves; its parts do the rest: `changes` (the file as
    read and the edits waiting for the save), `counts` (contacts per step and value),
    `edits` (the actions on the outline's line) and `file` (save, reload, the draft).
    """

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

    changes: LifecycleChanges
    """Made when the screen mounts, from the file as it is then."""

    def __init__(self, path: Path | None = None, restored: Draft | None = None) -> None:
        """`restored`: the unsaved changes a session that died left, shown at once."""
        super().__init__()
        self._path = path
        self.restored = restored
        self.counts = ContactCounts(self)
        self.edits = OutlineEdits(self)
        self.file = LifecycleFile(self)
        self.read_only = ""
        """Why this admin cannot save here; empty when they can."""
        self.saved_any = False

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
        self.changes = LifecycleChanges(self.file.read(contacts_app(self).service.config))
        self.read_only = admin.write_problem(self.path) or ""
        banner = self.query_one("#cc-readonly", Static)
        banner.update(Text(f"Read-only: {display_safe(self.read_only)}"))
        banner.set_class(bool(self.read_only), "-shown")
        self.redraw()
        if self.restored is not None:
            self.file.restore_draft(self.restored)
        self.count_contacts()
        contacts_app(self).store_changed.subscribe(self, self._store_changed)
        contacts_app(self).lifecycle_changed.subscribe(self, self._lifecycle_changed)

    def _store_changed(self, committed: Committed) -> None:
        if committed.counts:  # contacts moved to other steps, added or removed
            self.count_contacts()

    def _lifecycle_changed(self, config: object) -> None:
        """lifecycle.toml changed on disk (another admin, an editor, or this screen's save)."""
        if config == self.changes.disk.config:
            return  # this screen wrote it
        if self.dirty:
            # Saving will show both versions and ask (see LifecycleFile.save).
            self.say(
                f"{self.path.name} was changed on disk meanwhile: ctrl+r shows it (your "
                "changes are dropped); ctrl+s asks before overwriting it.",
                error=True,
            )
            return
        self.file.reload_now()
        self.say(f"{self.path.name} was changed on disk: shown as it is now.")

    # ----- showing ---------------------------------------------------------------------

    @property
    def outline(self) -> LifecycleTree:
        return self.query_one(LifecycleTree)

    @property
    def dirty(self) -> bool:
        return self.changes.dirty

    def redraw(self, select: ItemRef | None = None) -> None:
        self.outline.show(self.changes.config, self.counts.effective(), select)
        title = Text(TITLE)
        if self.dirty:
            title.append("  ● unsaved changes (ctrl+s saves)", UNSAVED)
        self.query_one("#cc-title", Static).update(title)
        self.query_one("#cc-title").set_class(self.dirty, "-dirty")
        self.show_details()
        self.refresh_bindings()
        self.file.keep_or_drop_draft()

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
            self.edits.edit()

    def show_details(self) -> None:
        ref = self.outline.current
        details: str | Text = ""
        if ref is not None:
            usage = self.counts.usage_of(ref) if ref.kind == "value" else None
            saved = self.changes.key_saved(ref)
            details = item_details(self.changes.config, ref, self.counts.effective(), saved, usage)
        self.query_one("#cc-details", Static).update(details)

    # ----- contacts per step -----------------------------------------------------------

    def count_contacts(self) -> None:
        self.counts.count_steps()

    @on(StepsCounted)
    def _steps_counted(self, message: StepsCounted) -> None:
        self.counts.steps_read(message.counts)
        self.redraw(self.outline.current)

    # ----- the keys' actions, done by the parts -----------------------------------------

    def action_add(self) -> None:
        self.edits.add()

    def action_edit(self) -> None:
        self.edits.edit()

    def action_remove(self) -> None:
        self.edits.remove()

    def action_move(self, delta: int) -> None:
        self.edits.move(delta)

    def action_cycle_status(self) -> None:
        self.edits.cycle_status()

    def action_make_default(self) -> None:
        self.edits.make_default()

    def action_save(self) -> None:
        self.file.save()

    def action_reload(self) -> None:
        self.file.reload()

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
