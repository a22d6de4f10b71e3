"""Dialog: export the list's whole current view to a CSV, JSON or vCard file."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, ProgressBar, RadioButton, RadioSet

from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.dialog import Dialog, cancel_binding, layout_css
from contacts_tui.export import (
    FORMAT_NAMES,
    ExportCancelled,
    ExportError,
    ExportExistsError,
    check_target,
    default_path,
    export_contacts,
    with_format_extension,
)
from contacts_tui.preferences import load_export_folder, save_export_folder
from contacts_tui.safe_text import display_safe
from contacts_tui.services import ContactFilter
from contacts_tui.validation import ValidationError, clean_text
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.reporting import reported_work
from contacts_tui.widgets.toggles import MarkedRadioButton

NOTHING_TO_EXPORT = "No contact is in this view, so there is nothing to export."

CHOICES = {
    "csv": ("csv", "plain"),
    "json": ("json", "plain"),
    "vcard": ("vcard", "plain"),
    "google": ("csv", "google"),
    "outlook": ("csv", "outlook"),
}
"""Each format choice: (format, CSV profile). Google Contacts and Outlook keep the
plain CSV's formula guard ('+1 415…) as part of a value: their own columns have none."""

CHOICE_NAMES = {**FORMAT_NAMES, "google": "Google CSV", "outlook": "Outlook CSV"}

PROGRESS_INTERVAL = 0.05
"""Seconds between progress messages from the export thread: often enough to look
smooth, rarely enough not to flood the UI with a message per page."""


def shown_path(path: Path) -> str:
    """`path` as the user would type it: under the home folder with `~`."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


class ExportDialog(Dialog[Path | None]):
    """Exports every contact of the view; dismisses with the file written, or None.

    The user picks a format and a file (in the folder of their last export, else their
    home); an existing file is replaced only after asking. An empty view exports nothing.
    While exporting, a progress bar runs and escape cancels (no file is left behind).
    """

    DEFAULT_CSS = layout_css(__file__, "export_dialog.tcss")

    BINDINGS = [
        # Priority so enter exports from the path field and from the format choice (with
        # the format under the cursor); check_action hands it back to buttons.
        Binding(
            "enter",
            "export",
            "Export",
            priority=True,
            id="export.start",
            tooltip="Write the file (asks before replacing one)",
        ),
        cancel_binding("export.cancel", "Close; while exporting, stop and remove the partial file"),
    ]

    @dataclass
    class Progressed(Message):
        done: int
        total: int

    @dataclass
    class Finished(Message):
        count: int
        path: Path

    @dataclass
    class Failed(Message):
        """The export stopped; `cancelled` when the user asked for it."""

        message: str
        cancelled: bool = False

    def __init__(
        self, contact_filter: ContactFilter, sort: str, descending: bool, count: int
    ) -> None:
        super().__init__()
        self.contact_filter = contact_filter
        self.sort = sort
        self.descending = descending
        self.count = count
        self.fmt = "csv"
        self.profile = "plain"
        self.folder = load_export_folder()
        """Where the file goes unless the user types another folder; a relative path
        typed is taken from here too."""
        self.written: Path | None = None
        self._cancel = threading.Event()
        self._last_progress = 0.0

    # ----- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        order = "descending" if self.descending else "ascending"
        what = (
            f"{self.count:,} contact{'s' if self.count != 1 else ''}: the whole current "
            f"view (filter and search), sorted by {self.sort.replace('_', ' ')}, {order}."
        )
        with Vertical():
            yield Label("Export contacts", id="export-title")
            yield Label(Text(what), id="export-what")
            yield Label("Format", classes="export-label")
            with RadioSet(id="export-format", compact=True):
                for choice, label in CHOICE_NAMES.items():
                    yield MarkedRadioButton(label, value=choice == self.fmt, name=choice)
            yield Label("File", classes="export-label")
            yield Input(
                shown_path(default_path(self.fmt, self.folder)),
                placeholder="path of the file to write",
                id="export-path",
            )
            yield Label(id="export-path-message")
            yield ProgressBar(total=max(self.count, 1), show_eta=True, id="export-progress")
            yield Label(id="export-status")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-start")
                yield Button("Cancel", id="export-cancel")
            yield Label(
                "space picks a format · enter exports · esc cancels (stops an export)",
                id="export-hint",
                classes="dialog--hint",
            )

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()
        if self.count == 0:
            self._say(NOTHING_TO_EXPORT)

    def on_unmount(self) -> None:
        # The app quitting (ctrl+q) mid-export stops it, as escape does (the partial file
        # is removed), instead of holding the process until the whole view is written.
        self._cancel.set()

    @property
    def running(self) -> bool:
        return self.has_class("-running")

    def _say(self, message: str, field: bool = False) -> None:
        """A message at the path field (`field`) or in the status line."""
        label = self.query_one("#export-path-message" if field else "#export-status", Label)
        label.update(Text(message))
        label.set_class(bool(message), "-shown")

    # ----- choosing -------------------------------------------------------------------

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        self._choose_format(event.pressed.name or "csv")

    def _choose_format(self, choice: str) -> None:
        self.fmt, self.profile = CHOICES[choice]
        field = self.query_one("#export-path", Input)
        if field.value.strip():
            field.value = str(with_format_extension(Path(field.value.strip()), self.fmt))

    @on(Input.Changed, "#export-path")
    def _path_changed(self) -> None:
        self._say("", field=True)

    def _pick_highlighted_format(self, formats: RadioSet) -> None:
        """Enter on the format choice exports in the format under the cursor, as if
        space had picked it first."""
        highlighted = formats.query("RadioButton.-selected")
        button = highlighted.first(RadioButton) if highlighted else formats.pressed_button
        if button is not None and button.name:
            button.value = True
            self._choose_format(button.name)

    def _target(self) -> Path | None:
        """The file to write, from the path field; None after saying what is wrong."""
        try:
            text = clean_text(self.query_one("#export-path", Input).value, field="The file name")
        except ValidationError as error:
            self._say(str(error), field=True)
            return None
        if not text:
            self._say("Type the path of the file to write.", field=True)
            return None
        path = Path(text).expanduser()
        return path if path.is_absolute() else self.folder / path

    # ----- exporting ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export":
            if self.running:
                return False
            if isinstance(self.focused, Button):
                return False  # enter presses the button
        return True

    @on(Button.Pressed, "#export-start")
    def action_export(self) -> None:
        self.after_typed_keys(self._export)  # not "/tmp/a" of "/tmp/all.csv"

    async def _export(self) -> None:
        if self.has_class("-done"):
            self.dismiss(self.written)
            return
        if self.count == 0:
            self._say(NOTHING_TO_EXPORT)
            return
        if isinstance(self.focused, RadioSet):
            self._pick_highlighted_format(self.focused)
        path = self._target()
        if path is None:
            self.query_one("#export-path", Input).focus()
            return
        self.ask_and_start(path)

    @reported_work(exclusive=True, group="dialog")
    async def ask_and_start(self, path: Path) -> None:
        overwrite = False
        try:
            check_target(path)
        except ExportExistsError:
            question = f"{display_safe(shown_path(path))} exists already. Replace it?"
            if not await self.app.push_screen_wait(
                ConfirmDialog(question, confirm_label="Replace", danger=True)
            ):
                self.query_one("#export-path", Input).focus()
                return
            overwrite = True
        except ExportError as error:
            self._say(str(error), field=True)
            self.query_one("#export-path", Input).focus()
            return
        self._start(path, overwrite)

    def _start(self, path: Path, overwrite: bool) -> None:
        self._cancel.clear()
        self.add_class("-running")
        for widget in (self.query_one(RadioSet), self.query_one("#export-path", Input)):
            widget.disabled = True
        self.query_one("#export-cancel", Button).focus()
        self.query_one(ProgressBar).update(total=max(self.count, 1), progress=0)
        self._say(f"Exporting to {display_safe(shown_path(path))}…")
        self.run_export(path, overwrite)

    @reported_work(thread=True, exclusive=True, group="store")
    def run_export(self, path: Path, overwrite: bool) -> None:
        try:
            count = export_contacts(
                contacts_app(self).service,
                self.contact_filter,
                self.sort,
                self.descending,
                self.fmt,
                path,
                progress=self._progress,
                overwrite=overwrite,
                profile=self.profile,
                cancelled=self._cancel.is_set,
            )
        except ExportCancelled as error:
            self.post_message(self.Failed(str(error), cancelled=True))
        except ExportError as error:
            self.post_message(self.Failed(str(error)))
        else:
            save_export_folder(path.parent)  # a settings file we cannot write: no harm
            self.post_message(self.Finished(count, path))

    def _progress(self, done: int, total: int) -> None:
        """Called on the export thread after each page."""
        now = time.monotonic()
        if done == 0 or done >= total or now - self._last_progress >= PROGRESS_INTERVAL:
            self._last_progress = now
            self.post_message(self.Progressed(done, total))

    @on(Progressed)
    def _progressed(self, message: Progressed) -> None:
        if self.running:
            self.query_one(ProgressBar).update(total=max(message.total, 1), progress=message.done)

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self.remove_class("-running")
        self.add_class("-done")
        self.written = message.path
        self.query_one(ProgressBar).update(total=max(message.count, 1), progress=message.count)
        noun = "contact" if message.count == 1 else "contacts"
        self._say(f"Exported {message.count:,} {noun} to {display_safe(shown_path(message.path))}.")
        close = self.query_one("#export-cancel", Button)
        close.label = "Close"
        close.focus()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.cancelled:
            self.dismiss(None)
            return
        self._stopped()
        self._say(message.message, field=True)

    def _stopped(self) -> None:
        self.remove_class("-running")
        self._say("")
        for widget in (self.query_one(RadioSet), self.query_one("#export-path", Input)):
            widget.disabled = False
        self.query_one("#export-path", Input).focus()

    def worker_failed(self, work_name: str, message: str) -> bool:
        if work_name != "run_export":
            return False
        # The database failed midway; export_contacts has removed its partial file.
        self._stopped()
        self._say(f"The export failed and no file was written: {message}")
        return True

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        if self.running:
            self._cancel.set()
            self._say("Cancelling…")
            return
        self.dismiss(self.written)
