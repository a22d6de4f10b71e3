"""What the Control Center holds between two saves: lifecycle.toml as read, and the changes.

A plain object, no Textual: the configuration being edited, the contact moves and value
renames that wait for ctrl+s, and how they go into (and come back from) the recovery
file. The screen shows it; its edits and its file part change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contacts_tui import lifecycle
from contacts_tui.lifecycle import ConfigError, LifecycleConfig
from contacts_tui.services import lifecycle_admin as admin
from contacts_tui.widgets.lifecycle_tree import ItemRef

StepKey = tuple[str, str]
"""(template, step)."""


@dataclass(frozen=True)
class DiskState:
    """lifecycle.toml as this screen last read or wrote it."""

    raw: bytes
    config: LifecycleConfig
    keeps_layout: bool  # False: comments or a hand layout that a save would drop


def read_disk(path: Path, fallback: LifecycleConfig) -> tuple[DiskState, str]:
    """The file as it is now, and what is wrong with it ("" when nothing). A file that
    cannot be read or loaded gives `fallback` (the app's running configuration)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return DiskState(
            b"", fallback, False
        ), f"{path} cannot be read ({error.strerror or error})."
    try:
        text = raw.decode("utf-8-sig")
        config = lifecycle.loads(text, source=path.name)
    except (UnicodeDecodeError, ConfigError) as error:
        problem = str(error).removesuffix(" Fix the file and start again.")
        return DiskState(raw, fallback, False), (
            f"{problem} Shown: the configuration in use; saving replaces the file "
            f"({path.name}.bak keeps it)."
        )
    return DiskState(raw, config, admin.keeps_layout(text)), ""


class LifecycleChanges:
    """The configuration being edited against the file it was read from."""

    def __init__(self, disk: DiskState) -> None:
        self.disk = disk
        self.config = disk.config
        self.moves: dict[StepKey, StepKey] = {}
        """Contacts to move when saving: (template, removed step) → (template, step)."""
        self.value_renames: dict[tuple[str, str], str] = {}
        """Values to change when saving: (picklist, old value) → the value renamed to."""

    @property
    def dirty(self) -> bool:
        return self.config != self.disk.config or bool(self.moves or self.value_renames)

    def start_from(self, disk: DiskState) -> None:
        """Saved or reloaded: `disk` is the file now, and nothing waits any more."""
        self.disk = disk
        self.config = disk.config
        self.moves = {}
        self.value_renames = {}

    def effective_counts(self, counts: dict[StepKey, int]) -> dict[StepKey, int]:
        """Contacts per step as they will be once the pending moves are made."""
        effective = dict(counts)
        for source, target in self.moves.items():
            n = counts.get(source, 0)
            effective[source] = effective.get(source, 0) - n
            effective[target] = effective.get(target, 0) + n
        return effective

    def key_saved(self, ref: ItemRef) -> bool:
        """Whether the item's key is in the file: then contacts may use it and it is fixed."""
        saved = self.disk.config.template(ref.template)
        if ref.kind == "template":
            return saved is not None
        if saved is None:
            return False
        if ref.kind == "category":
            return any(c.key == ref.category for c in saved.categories)
        return saved.step(ref.step) is not None

    def move_when_saving(
        self, removed: list[StepKey], target: StepKey, counts: dict[StepKey, int]
    ) -> None:
        """The contacts of the `removed` steps (and those already bound for them) go to
        `target` when the file is saved."""
        for source, goes_to in list(self.moves.items()):
            if goes_to in removed:
                self.moves[source] = target
        for pair in removed:
            if counts.get(pair, 0):
                self.moves[pair] = target

    def follow_rename(self, picklist: str, old: str, new: str) -> None:
        """A value renamed again before saving: the renames waiting for `old` follow it."""
        for key, target in list(self.value_renames.items()):
            if key[0] == picklist and target == old:
                self.value_renames[key] = new
                if key[1] == new:
                    del self.value_renames[key]  # renamed back: nothing to change

    # ----- the recovery file ------------------------------------------------------------

    def draft_values(self) -> dict[str, object]:
        """The unsaved changes as the recovery file keeps them. The file as it was read
        goes with them: a restored draft then saves through the same check for a file
        someone changed meanwhile."""
        return {
            "lifecycle": lifecycle.dumps(self.config),
            "moves": [[*source, *target] for source, target in self.moves.items()],
            "renames": [[*source, new] for source, new in self.value_renames.items()],
            # The bytes as they were, whatever their encoding.
            "base": self.disk.raw.decode("utf-8", errors="surrogateescape"),
        }

    def restore(self, values: dict, source: str) -> bool:
        """Take back the changes of `draft_values`; raises what a broken draft raises
        (ConfigError, KeyError, TypeError, ValueError, IndexError) and then changes
        nothing. True when the file changed on disk since that draft was made."""
        config = lifecycle.loads(str(values["lifecycle"]), source=source)
        moves = {(str(m[0]), str(m[1])): (str(m[2]), str(m[3])) for m in values["moves"]}
        renames = {(str(r[0]), str(r[1])): str(r[2]) for r in values.get("renames", [])}
        base = str(values.get("base", "")).encode("utf-8", errors="surrogateescape")
        changed = base != self.disk.raw
        if changed:
            # Saving shows both and asks first: the draft's base is what it changed.
            try:
                read = lifecycle.loads(base.decode("utf-8-sig"), source=source)
            except (ConfigError, UnicodeDecodeError):
                read = self.disk.config
            self.disk = DiskState(base, read, self.disk.keeps_layout)
        self.config = config
        self.moves = moves
        self.value_renames = renames
        return changed
