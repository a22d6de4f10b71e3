"""The Control Center's file side: saving lifecycle.toml safely, reloading it, its draft.

A part the Control Center screen owns. A save never overwrites a file someone changed
since it was read without asking, warns before dropping comments, keeps the old file as
.bak, moves the contacts of removed steps first, and hands the new configuration to the
running app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from contacts_tui import lifecycle
from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.lifecycle import ConfigError, LifecycleConfig
from contacts_tui.recovery import Draft
from contacts_tui.screens.control_center_changes import DiskState, LifecycleChanges, read_disk
from contacts_tui.services import lifecycle_admin as admin
from contacts_tui.services.lifecycle_admin import StepMove
from contacts_tui.services.lifecycle_merge import Merge, merge
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.drafts import drop_draft, keep_draft
from contacts_tui.widgets.reporting import run_reported

if TYPE_CHECKING:
    from contacts_tui.screens.control_center import ControlCenterScreen

DRAFT_KIND = "control_center"


class LifecycleFile:
    """Reading, saving and reloading the Control Center's lifecycle.toml."""

    def __init__(self, screen: ControlCenterScreen) -> None:
        self.screen = screen

    @property
    def changes(self) -> LifecycleChanges:
        return self.screen.changes

    def read(self, fallback: LifecycleConfig) -> DiskState:
        """The file as it is now; a broken one shows `fallback` and says why."""
        disk, problem = read_disk(self.screen.path, fallback)
        if problem:
            self.screen.say(problem, error=True)
        return disk

    def save(self) -> None:
        if self.screen.read_only:
            self.screen.say(self.screen.read_only, error=True)
        elif not self.changes.dirty and self.changes.disk.keeps_layout:
            self.screen.say("Nothing to save.")
        else:
            run_reported(self.screen, self._save, exclusive=True, group="dialog")

    async def _save(self) -> None:
        screen, changes, path = self.screen, self.changes, self.screen.path
        try:
            on_disk = path.read_bytes()
        except FileNotFoundError:
            on_disk = b""
        except OSError as error:
            screen.say(f"{path} cannot be read: {error.strerror or error}", error=True)
            return
        config, old = changes.config, changes.disk.config
        if on_disk != changes.disk.raw:
            # Someone saved it meanwhile (another admin, an editor): never overwrite blindly.
            from contacts_tui.dialogs.lifecycle_conflict import LifecycleConflictDialog

            theirs, merged = self._merge_with(on_disk)
            choice = await screen.app.push_screen_wait(LifecycleConflictDialog(path.name, merged))
            if choice == "reload":
                self.reload_now()
                return
            if choice == "merge" and merged.merged is not None:
                config = changes.config = merged.merged
                screen.redraw(screen.outline.current)
            elif choice != "overwrite":
                return
            old = theirs or old  # what the file holds now, and the other sessions use
        elif not changes.disk.keeps_layout:
            question = (
                f"{path.name} has comments or a layout of its own. Saving writes it in "
                f"the app's layout, without them; {path.name}.bak keeps the file as it "
                "is now."
            )
            if not await screen.app.push_screen_wait(ConfirmDialog(question, "Save")):
                return
        moves = [StepMove(*s, *t) for s, t in changes.moves.items()]
        screen.say("Saving…")
        run_reported(
            screen,
            self._write,
            config,
            old,
            moves,
            dict(changes.value_renames),
            thread=True,
            exclusive=True,
            group="store.cc_save",
        )

    def _merge_with(self, raw: bytes) -> tuple[LifecycleConfig | None, Merge]:
        """The file someone else saved, and their changes and yours since you read it."""
        try:
            theirs = lifecycle.loads(raw.decode("utf-8-sig"), source=self.screen.path.name)
        except (UnicodeDecodeError, ConfigError) as error:
            return None, Merge((), None, f"their file does not load ({error})")
        return theirs, merge(self.changes.disk.config, theirs, self.changes.config)

    def _write(
        self,
        config: LifecycleConfig,
        old: LifecycleConfig,
        moves: list[StepMove],
        renames: dict[tuple[str, str], str],
    ) -> None:
        """In a thread: the contacts moved and given renamed values, then the file."""
        app, path = self.screen.app, self.screen.path
        service = contacts_app(self.screen).service
        problem = admin.write_problem(path)
        if problem:  # before any contact moves: a save that cannot finish changes nothing
            app.call_from_thread(self._save_refused, f"Not saved: {problem}")
            return
        kept = {(t.key, s.key) for t in config.templates for s in t.steps()}
        moves = [m for m in moves if (m.from_template, m.from_step) not in kept]
        try:
            moved = admin.move_contacts(service, config, moves) if moves else 0
            # Only to a value the file keeps (one renamed and then removed is not given).
            renamed = sum(
                admin.rename_value(service, picklist, was, now)
                for (picklist, was), now in renames.items()
                if now in getattr(config.picklists, picklist)
            )
            left = admin.contacts_on_dropped(service, old, config)
            if left:
                # Put there by someone else after the moves: the file stays as it was.
                app.call_from_thread(
                    self._save_refused,
                    f"Not saved: {left:,} contacts are on a step or template you removed "
                    "(someone moved them there just now). Remove it again to choose "
                    "where they go.",
                )
                return
            admin.save_with_backup(config, path)
            raw = path.read_bytes()
        except (ConfigError, OSError) as error:
            app.call_from_thread(self._save_refused, f"Not saved: {error}")
            return
        # After the file: a contact is closed only once its step is closed for everyone.
        restatused = admin.sync_statuses(service, old, config)
        app.call_from_thread(self._saved, DiskState(raw, config, True), moved, restatused, renamed)

    def _saved(self, disk: DiskState, moved: int, restatused: int, renamed: int = 0) -> None:
        screen, name = self.screen, self.screen.path.name
        self.changes.start_from(disk)
        screen.saved_any = True
        # The running app uses it at once: every screen follows.
        contacts_app(screen).use_lifecycle(disk.config)
        note = f"; {moved:,} contacts moved" if moved else ""
        if restatused:
            note += f"; {restatused:,} contacts opened or closed with their step"
        if renamed:
            note += f"; {renamed:,} renamed values given to contacts and records"
        screen.say(f"Saved {name} (the previous file is {name}.bak){note}.")
        screen.redraw(screen.outline.current)
        screen.count_contacts()

    def _save_refused(self, message: str) -> None:
        self.screen.say(message, error=True)
        self.screen.count_contacts()

    # ----- reloading --------------------------------------------------------------------

    def reload(self) -> None:
        """ctrl+r: read the file again, asking first if that drops unsaved changes."""
        run_reported(self.screen, self._reload, exclusive=True, group="dialog")

    async def _reload(self) -> None:
        if self.changes.dirty and not await self.screen.app.push_screen_wait(
            ConfirmDialog("Reload lifecycle.toml and discard your unsaved changes?", "Reload")
        ):
            return
        self.reload_now()

    def reload_now(self) -> None:
        screen = self.screen
        self.changes.start_from(self.read(fallback=self.changes.disk.config))
        screen.redraw(screen.outline.current)
        screen.say(f"Reloaded {screen.path.name}.")
        screen.count_contacts()

    # ----- unsaved edits kept for after a crash ---------------------------------------

    def keep_or_drop_draft(self) -> None:
        """Keep the unsaved configuration in the recovery file (or drop it once saved,
        reloaded or given up)."""
        if not self.changes.dirty:
            drop_draft(self.screen)
            return
        title = f"Control Center: {self.screen.path.name} changes"
        keep_draft(self.screen, Draft(DRAFT_KIND, title, self.changes.draft_values()))

    def restore_draft(self, draft: Draft) -> None:
        """Show the configuration of a draft a session that died left unsaved."""
        screen, name = self.screen, self.screen.path.name
        try:
            changed_on_disk = self.changes.restore(draft.values, source=name)
        except (ConfigError, KeyError, TypeError, ValueError, IndexError) as error:
            screen.say(f"Your unsaved changes could not be restored: {error}", error=True)
            return
        note = (
            f" {name} was changed on disk since: ctrl+s shows both first."
            if changed_on_disk
            else ""
        )
        screen.redraw(screen.outline.current)
        screen.say(f"Restored your unsaved changes (ctrl+s saves them).{note}")
