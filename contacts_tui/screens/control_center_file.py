"""The Control Center's file side: reading lifecycle.toml, saving it safely, reloading it.

Mixed into ControlCenterScreen. A save never overwrites a file someone changed since
it was read without asking, warns before dropping comments, keeps the old file as .bak,
moves the contacts of removed steps first, and hands the new configuration to the
running app.
"""

from __future__ import annotations

from dataclasses import dataclass

from contacts_tui import lifecycle
from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.lifecycle import ConfigError, LifecycleConfig
from contacts_tui.recovery import Draft
from contacts_tui.services import lifecycle_admin as admin
from contacts_tui.services.lifecycle_admin import StepMove
from contacts_tui.services.lifecycle_merge import Merge, merge
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.drafts import drop_draft, keep_draft
from contacts_tui.widgets.reporting import reported_work

DRAFT_KIND = "control_center"


@dataclass(frozen=True)
class DiskState:
    """lifecycle.toml as this screen last read or wrote it."""

    raw: bytes
    config: LifecycleConfig
    keeps_layout: bool  # False: comments or a hand layout that a save would drop


class ConfigFile:
    """Reading, saving and reloading the Control Center's lifecycle.toml."""

    def _read_disk(self, fallback: LifecycleConfig) -> DiskState:
        """The file as it is now; a broken one shows `fallback` (the app's running config)."""
        try:
            raw = self.path.read_bytes()
        except OSError as error:
            self.say(f"{self.path} cannot be read ({error.strerror or error}).", error=True)
            return DiskState(b"", fallback, False)
        try:
            text = raw.decode("utf-8-sig")
            config = lifecycle.loads(text, source=self.path.name)
        except (UnicodeDecodeError, ConfigError) as error:
            problem = str(error).removesuffix(" Fix the file and start again.")
            self.say(
                f"{problem} Shown: the configuration in use; saving replaces the file "
                f"({self.path.name}.bak keeps it).",
                error=True,
            )
            return DiskState(raw, fallback, False)
        return DiskState(raw, config, admin.keeps_layout(text))

    def action_save(self) -> None:
        if self.read_only:
            self.say(self.read_only, error=True)
        elif not self.dirty and self.disk.keeps_layout:
            self.say("Nothing to save.")
        else:
            self.save()

    @reported_work(exclusive=True, group="dialog")
    async def save(self) -> None:
        try:
            on_disk = self.path.read_bytes()
        except FileNotFoundError:
            on_disk = b""
        except OSError as error:
            self.say(f"{self.path} cannot be read: {error.strerror or error}", error=True)
            return
        config, old = self.config, self.disk.config
        if on_disk != self.disk.raw:
            # Someone saved it meanwhile (another admin, an editor): never overwrite blindly.
            from contacts_tui.dialogs.lifecycle_conflict import LifecycleConflictDialog

            theirs, merged = self._merge_with(on_disk)
            choice = await self.app.push_screen_wait(
                LifecycleConflictDialog(self.path.name, merged)
            )
            if choice == "reload":
                self._reload_from_disk()
                return
            if choice == "merge" and merged.merged is not None:
                config = self.config = merged.merged
                self.redraw(self.outline.current)
            elif choice != "overwrite":
                return
            old = theirs or old  # what the file holds now, and the other sessions use
        elif not self.disk.keeps_layout:
            question = (
                f"{self.path.name} has comments or a layout of its own. Saving writes it in "
                f"the app's layout, without them; {self.path.name}.bak keeps the file as it "
                "is now."
            )
            if not await self.app.push_screen_wait(ConfirmDialog(question, "Save")):
                return
        moves = [StepMove(*s, *t) for s, t in self.moves.items()]
        self.say("Saving…")
        self.write(config, old, moves, dict(self.value_renames))

    def _merge_with(self, raw: bytes) -> tuple[LifecycleConfig | None, Merge]:
        """The file someone else saved, and their changes and yours since you read it."""
        try:
            theirs = lifecycle.loads(raw.decode("utf-8-sig"), source=self.path.name)
        except (UnicodeDecodeError, ConfigError) as error:
            return None, Merge((), None, f"their file does not load ({error})")
        return theirs, merge(self.disk.config, theirs, self.config)

    @reported_work(thread=True, exclusive=True, group="store.cc_save")
    def write(
        self,
        config: LifecycleConfig,
        old: LifecycleConfig,
        moves: list[StepMove],
        renames: dict[tuple[str, str], str],
    ) -> None:
        service = contacts_app(self).service
        problem = admin.write_problem(self.path)
        if problem:  # before any contact moves: a save that cannot finish changes nothing
            self.app.call_from_thread(self._save_refused, f"Not saved: {problem}")
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
                self.app.call_from_thread(
                    self._save_refused,
                    f"Not saved: {left:,} contacts are on a step or template you removed "
                    "(someone moved them there just now). Remove it again to choose "
                    "where they go.",
                )
                return
            admin.save_with_backup(config, self.path)
            raw = self.path.read_bytes()
        except (ConfigError, OSError) as error:
            self.app.call_from_thread(self._save_refused, f"Not saved: {error}")
            return
        # After the file: a contact is closed only once its step is closed for everyone.
        restatused = admin.sync_statuses(service, old, config)
        self.app.call_from_thread(
            self._saved, DiskState(raw, config, True), moved, restatused, renamed
        )

    def _saved(self, disk: DiskState, moved: int, restatused: int, renamed: int = 0) -> None:
        self.disk = disk
        self.moves = {}
        self.value_renames = {}
        self.saved_any = True
        # The running app uses it at once: every screen follows.
        contacts_app(self).use_lifecycle(disk.config)
        note = f"; {moved:,} contacts moved" if moved else ""
        if restatused:
            note += f"; {restatused:,} contacts opened or closed with their step"
        if renamed:
            note += f"; {renamed:,} renamed values given to contacts and records"
        self.say(f"Saved {self.path.name} (the previous file is {self.path.name}.bak){note}.")
        self.redraw(self.outline.current)
        self.count_contacts()

    def _save_refused(self, message: str) -> None:
        self.say(message, error=True)
        self.count_contacts()

    def _reload_from_disk(self) -> None:
        self.disk = self._read_disk(fallback=self.disk.config)
        self.config = self.disk.config
        self.moves = {}
        self.value_renames = {}
        self.redraw(self.outline.current)
        self.say(f"Reloaded {self.path.name}.")
        self.count_contacts()

    # ----- unsaved edits kept for after a crash ---------------------------------------

    def keep_or_drop_draft(self) -> None:
        """Keep the unsaved configuration in the recovery file (or drop it once saved,
        reloaded or given up). The file as it was read goes with it: a restored draft
        then saves through the same check for a file someone changed meanwhile."""
        if not self.dirty:
            drop_draft(self)
            return
        moves = [[*source, *target] for source, target in self.moves.items()]
        base = self.disk.raw.decode("utf-8", errors="surrogateescape")  # bytes as they were
        renames = [[*source, new] for source, new in self.value_renames.items()]
        values = {
            "lifecycle": lifecycle.dumps(self.config),
            "moves": moves,
            "renames": renames,
            "base": base,
        }
        keep_draft(self, Draft(DRAFT_KIND, f"Control Center: {self.path.name} changes", values))

    def restore_draft(self, draft: Draft) -> None:
        """Show the configuration of a draft a session that died left unsaved."""
        try:
            config = lifecycle.loads(str(draft.values["lifecycle"]), source=self.path.name)
            moves = {(str(m[0]), str(m[1])): (str(m[2]), str(m[3])) for m in draft.values["moves"]}
            renames = {(str(r[0]), str(r[1])): str(r[2]) for r in draft.values.get("renames", [])}
        except (ConfigError, KeyError, TypeError, ValueError, IndexError) as error:
            self.say(f"Your unsaved changes could not be restored: {error}", error=True)
            return
        base = str(draft.values.get("base", "")).encode("utf-8", errors="surrogateescape")
        note = ""
        if base != self.disk.raw:
            # Changed since that session read it: saving shows both and asks first.
            try:
                read = lifecycle.loads(base.decode("utf-8-sig"), source=self.path.name)
            except (ConfigError, UnicodeDecodeError):
                read = self.disk.config
            self.disk = DiskState(base, read, self.disk.keeps_layout)
            note = f" {self.path.name} was changed on disk since: ctrl+s shows both first."
        self.config = config
        self.moves = moves
        self.value_renames = renames
        self.redraw(self.outline.current)
        self.say(f"Restored your unsaved changes (ctrl+s saves them).{note}")

    def action_reload(self) -> None:
        self.reload()

    @reported_work(exclusive=True, group="dialog")
    async def reload(self) -> None:
        if self.dirty and not await self.app.push_screen_wait(
            ConfirmDialog("Reload lifecycle.toml and discard your unsaved changes?", "Reload")
        ):
            return
        self._reload_from_disk()
