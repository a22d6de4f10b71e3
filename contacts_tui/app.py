"""The Textual application: wires the workspace's services and pushes the first screen."""

from __future__ import annotations

import gc
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.signal import Signal

from contacts_tui.documents import BlobStore
from contacts_tui.lifecycle import LifecycleConfig
from contacts_tui.lifecycle_file import Change, LifecycleFile
from contacts_tui.preferences import load_keymap
from contacts_tui.recovery import DraftFile, left_behind
from contacts_tui.screens.contact_list import ContactListScreen
from contacts_tui.services import ContactService, Page
from contacts_tui.services.live import EVERYTHING, Committed, LiveUpdates
from contacts_tui.widgets.keymap import keymap_report
from contacts_tui.widgets.reporting import reported_work, tell
from contacts_tui.widgets.textual_key_order import keep_key_order
from contacts_tui.widgets.textual_leaks import stop_styles_cache_leak
from contacts_tui.workspace import Workspace

if TYPE_CHECKING:
    from contacts_tui.dialogs.record_form import RecordForm

FIRST_PAGE_MARGIN = 20
"""Rows read beyond the terminal's height at start, so the first scroll needs no read."""

MEMORY_TRIM_SECONDS = 2.0
"""How often freed memory is handed back to the system (see `_start_returning_memory`)."""


def _glibc():
    """The C library when it is glibc (malloc_trim, mallopt), else None (macOS, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    glibc = hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt")  # not in musl
    return libc if glibc else None


# mallopt parameters (glibc's malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
LARGE_BLOCK = 128 * 1024


class ContactsApp(App):
    """Sales Management → Contacts."""

    TITLE = "Contacts"
    SUB_TITLE = "Sales Management"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        # Not in the footer: it is the same in every terminal app, and at 80 columns
        # the footer has room only for the keys of this screen (help and ctrl+p list it).
        Binding("q", "quit", "Quit", show=False, id="app.quit", tooltip="Leave contacts-tui"),
        Binding(
            "question_mark",
            "help",
            "Help",
            key_display="?",
            id="app.help",
            tooltip="Every key of this screen and what it does",
        ),
        Binding(
            "ctrl+o",
            "control_center",
            "Control Center",
            show=False,
            id="app.control_center",
            tooltip="Control Center → Contact Lifecycle: templates, steps, picklists, settings",
        ),
        Binding(
            "ctrl+r",
            "reload",
            "Reload",
            show=False,
            id="app.reload",
            tooltip="Read the contacts and lifecycle.toml again now "
            "(other sessions' changes also show by themselves within 2 seconds)",
        ),
    ]

    @dataclass
    class StoreCommitted(Message):
        """Someone committed to the database (another session, or a worker of this one)."""

        committed: Committed

    @dataclass
    class LifecycleFileChanged(Message):
        """lifecycle.toml changed on disk: a new configuration, or a file that does not load."""

        change: Change

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        stop_styles_cache_leak()
        keep_key_order()
        self.workspace = workspace
        store = BlobStore(workspace.documents, group_shared=workspace.group_shared)
        self.service = ContactService(
            workspace.config, workspace.user, blobs=store, config_path=workspace.config_path
        )
        self.first_page: Page | None = self._read_first_page()
        """The first contacts of the list, read before the screen exists (see below)."""
        self.store_changed: Signal[Committed] = Signal(self, "store_changed")
        """Published with what may have changed: screens read what they show again."""
        self.lifecycle_changed: Signal[LifecycleConfig] = Signal(self, "lifecycle_changed")
        """Published with the new configuration once the service uses it."""
        self.live = LiveUpdates(
            workspace.database,
            LifecycleFile(workspace.config_path, workspace.config),
            on_commit=lambda committed: self.post_message(self.StoreCommitted(committed)),
            on_lifecycle=lambda change: self.post_message(self.LifecycleFileChanged(change)),
        )
        self._lifecycle_refused = False  # a notice said lifecycle.toml does not load
        self.keymap: dict[str, str] = {}
        """The user's remapped keys by binding id (settings.toml [keymap])."""
        self.drafts = DraftFile(str(workspace.folder.resolve()))
        """What the open forms hold, on disk until they are saved or closed (a crash
        leaves it for the next start to offer back)."""

    def _read_first_page(self) -> Page | None:
        """The first screenful of the list, read while the app is being built.

        There is no screen to keep responsive yet, and a worker would only start once
        Textual runs, then wait for the GIL behind the first layout: reading it here
        lets the list draw its rows in its very first frame. If it fails, the list
        reads it again in a worker, which reports the problem on screen.
        """
        rows = shutil.get_terminal_size((100, 50)).lines + FIRST_PAGE_MARGIN
        try:
            return self.service.list_page(limit=rows)
        except Exception:
            return None

    def on_mount(self) -> None:
        self.keymap, bad_keys = load_keymap()
        if self.keymap or bad_keys:
            self.set_keymap(self.keymap)
            # Checking it imports every dialog: after the first frame, not before it.
            self.call_after_refresh(self._report_keymap_problems, bad_keys)
        # Not during start-up: ctypes and libc are looked up once the list is on screen.
        self.set_timer(MEMORY_TRIM_SECONDS, self._start_returning_memory)
        if not gc.isenabled():  # paused for start-up by the command (cli.run_app)
            self.call_after_refresh(self._resume_garbage_collection)
        self.call_after_refresh(self.live.start)
        self.call_after_refresh(self._offer_left_behind_drafts)

    def _report_keymap_problems(self, bad_keys: list[str]) -> None:
        problem = keymap_report(self.keymap, bad_keys, type(self))
        if problem:
            tell(self, problem, title="Keymap", severity="warning", timeout=20)

    def get_key_display(self, binding: Binding) -> str:
        # A binding's own key_display ("/" for slash) names its default key: once the
        # keymap gives it another key, the footer, help and palette show that one.
        if binding.key_display and binding.id in self.keymap:
            binding = replace(binding, key_display=None)
        return super().get_key_display(binding)

    def on_unmount(self) -> None:
        self.live.stop()
        if self.return_code:
            self.drafts.release()  # a crash: the drafts stay for the next start
        else:
            self.drafts.close()

    def _offer_left_behind_drafts(self) -> None:
        """Offer back what the forms of a session that died held, once per such session."""
        from contacts_tui.dialogs.restore_dialog import DISCARD, RESTORE, RestoreDialog

        found = left_behind(self.drafts.workspace)
        if not found:
            return
        drafts = tuple(d for session in found for d in session.drafts)

        def answered(choice: str | None) -> None:
            if choice in (RESTORE, DISCARD):
                for session in found:
                    session.forget()
            if choice == RESTORE:
                self.screen_stack[0].restore(drafts)  # type: ignore[attr-defined]

        self.push_screen(RestoreDialog(drafts), answered)

    # ----- other sessions' work -------------------------------------------------------

    def on_contacts_app_store_committed(self, message: StoreCommitted) -> None:
        self.store_changed.publish(message.committed)

    def on_contacts_app_lifecycle_file_changed(self, message: LifecycleFileChanged) -> None:
        change = message.change
        if change.config is None:
            self._lifecycle_refused = True
            tell(
                self,
                f"{change.problem} The last good configuration stays in use.",
                title="lifecycle.toml not loaded",
                severity="error",
                timeout=20,
            )
            return
        if self._lifecycle_refused:
            self._lifecycle_refused = False
            tell(self, f"{self.workspace.config_path.name} loads again.")
        self.use_lifecycle(change.config)

    def use_lifecycle(self, config: LifecycleConfig) -> None:
        """Make `config` the configuration in force, and have every screen show it."""
        self.live.lifecycle_file.adopt(config)
        if config == self.service.config:
            return
        self.workspace.config = config
        self.service.set_config(config)
        self.lifecycle_changed.publish(config)

    def action_reload(self) -> None:
        self.store_changed.publish(EVERYTHING)
        self._check_lifecycle_file()

    @reported_work(thread=True, exclusive=True, group="lifecycle_file")
    def _check_lifecycle_file(self) -> None:
        change = self.live.lifecycle_file.check()
        if change is not None:
            self.post_message(self.LifecycleFileChanged(change))

    def _resume_garbage_collection(self) -> None:
        """Collect cyclic garbage again, now that the first frame is on its way.

        What start-up made is frozen first, not collected: a full collection here would
        take some 25 ms (a key typed now would wait for it) to free about 3,000 objects;
        frozen, the 55,000 objects of Textual, peewee and the first screen are never
        walked again, so later collections stay short while the user types.
        """
        gc.freeze()
        gc.enable()

    def _start_returning_memory(self) -> None:
        """Hand memory freed by finished database reads back to the system, regularly.

        Every read runs in a new worker thread with its own SQLite connection, whose page
        cache and sort buffers are freed when it closes; glibc keeps such memory in the
        threads' arenas instead of returning it. Measured at 100,000 contacts: 47 MB
        after the first screen, 92 MB after a few searches, 69 MB after one
        malloc_trim. A trim with nothing to return costs about 0.04 ms.

        malloc_trim cannot shrink the free top of a thread's arena, and glibc raises its
        mmap threshold after each big SQLite buffer is freed, so such buffers end up kept
        in arenas too. Two arenas at most, and blocks over 128 KB always mapped (and
        unmapped when freed), took the peak at a million contacts from 59.4 to 57.0 MB.
        """
        libc = _glibc()
        if libc is None:
            return
        libc.mallopt(M_ARENA_MAX, 2)
        libc.mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK)
        libc.mallopt(M_TRIM_THRESHOLD, LARGE_BLOCK)
        self.set_interval(MEMORY_TRIM_SECONDS, lambda: libc.malloc_trim(0))

    def get_default_screen(self) -> Screen:
        # The list is the first screen itself, not pushed over an empty one: one frame
        # fewer to draw and send before the contacts show.
        return ContactListScreen()

    def action_help(self) -> None:
        from contacts_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        from contacts_tui.screens.command_palette import ContactsCommandPalette

        if self.use_command_palette and not ContactsCommandPalette.is_open(self):
            self.push_screen(ContactsCommandPalette(id="--command-palette"))

    def action_control_center(self) -> None:
        from contacts_tui.screens.control_center import ControlCenterScreen

        if not isinstance(self.screen, ControlCenterScreen):
            self.push_screen(ControlCenterScreen())

    def on_record_form_open_contact(self, message: RecordForm.OpenContact) -> None:
        from contacts_tui.screens.contact_detail import ContactDetailScreen

        self.push_screen(ContactDetailScreen(message.contact_id))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Every key of this screen and what it does", self.action_help)
        yield SystemCommand(
            "Reload",
            "Read the contacts and lifecycle.toml again now (ctrl+r); "
            "others' changes also show by themselves within 2 seconds",
            self.action_reload,
        )
        # Sales Management → Accounts: the accounts contacts are assigned to.
        from contacts_tui.screens.accounts import AccountsScreen

        # (The list has it as a key of its own, which the palette lists already.)
        if not isinstance(screen, AccountsScreen | ContactListScreen):
            yield SystemCommand(
                "Accounts",
                "List, create, rename and archive the accounts contacts are assigned to",
                lambda: self.push_screen(AccountsScreen()),
            )
        # Control Center → Sales Management → Contact → Contact Lifecycle (spec section 5).
        yield SystemCommand(
            "Control Center",
            "Contact Lifecycle: templates, categories, steps, picklists and settings (ctrl+o)",
            self.action_control_center,
        )
