"""How many contacts the Control Center's edits touch: per step, and per picklist value.

A part the Control Center screen owns. It reads the numbers off the UI thread; until the
steps are counted nothing that contacts are on can be removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from contacts_tui.services import lifecycle_admin as admin
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.lifecycle_tree import ItemRef
from contacts_tui.widgets.reporting import run_reported

if TYPE_CHECKING:
    from contacts_tui.screens.control_center import ControlCenterScreen


@dataclass
class StepsCounted(Message):
    """Contacts per (template, step), read in a thread, for the screen (which may have
    closed meanwhile: then nobody handles it)."""

    counts: dict[tuple[str, str], int]


class ContactCounts:
    """Contacts per step (archived ones too) and per picklist value, as last read."""

    def __init__(self, screen: ControlCenterScreen) -> None:
        self.screen = screen
        self.per_step: dict[tuple[str, str], int] = {}
        self.value_usage: dict[tuple[str, str], int | None] = {}
        """Contacts per (picklist, value), read as the cursor reaches a value."""
        self.counted = False
        """Whether `per_step` has been read: until then nothing that contacts are on goes."""

    def effective(self) -> dict[tuple[str, str], int]:
        """Contacts per step as they will be once the pending moves are made."""
        return self.screen.changes.effective_counts(self.per_step)

    def count_steps(self) -> None:
        run_reported(
            self.screen, self.read_steps, thread=True, exclusive=True, group="store.cc_counts"
        )

    def read_steps(self) -> None:
        self.screen.post_message(
            StepsCounted(admin.stage_counts(contacts_app(self.screen).service))
        )

    def steps_read(self, counts: dict[tuple[str, str], int]) -> None:
        self.per_step = counts
        self.value_usage = {}  # contacts changed: values are counted again when shown
        self.counted = True

    def usage_of(self, ref: ItemRef) -> int | None:
        """How many contacts have this picklist value; None while it is being counted."""
        key = (ref.name, ref.value)
        if key not in self.value_usage:
            self.value_usage[key] = None
            run_reported(
                self.screen,
                self.count_value_usage,
                ref.name,
                ref.value,
                thread=True,
                group="store.cc_usage",
            )
        return self.value_usage[key]

    def count_value_usage(self, picklist: str, value: str) -> None:
        n = admin.picklist_usage(contacts_app(self.screen).service, picklist, value)
        self.screen.app.call_from_thread(self._value_counted, picklist, value, n)

    def _value_counted(self, picklist: str, value: str, n: int) -> None:
        self.value_usage[(picklist, value)] = n
        self.screen.show_details()
