"""Dialogs: pick a CSV, JSON or vCard file, see what importing it would do, then import it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Label, ProgressBar, RadioSet, Select, Static

from contacts_tui.dialogs.dialog import Dialog, cancel_binding, layout_css
from contacts_tui.dialogs.export_dialog import shown_path
from contacts_tui.dialogs.file_picker import FilePickerScreen
from contacts_tui.importer import FORMAT_NAMES, FORMATS, ImportFileError, guess_format
from contacts_tui.safe_text import display_safe
from contacts_tui.services.imports import ImportSummary, import_contacts
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.reporting import reported_work
from contacts_tui.widgets.toggles import MarkedRadioButton

PROGRESS_INTERVAL = 0.05
"""Seconds between progress messages from the import thread (as the export dialog)."""

SHORT_NAMES = {"csv": "CSV", "json": "JSON / jCard", "vcard": "vCard"}

CHOOSING_HINT = "space picks · ctrl+s import · esc cancel (stops an import)"
DONE_HINT = "enter or esc closes"

DUPLICATE_CHOICES = {"skip": "Skip duplicates", "update": "Update them", "create": "Add anyway"}
"""What to do with a contact that is already saved (the import's on_duplicate)."""

DETECTED = ""
ENCODING_CHOICES = (
    ("Western European (Windows-1252)", "cp1252"),
    ("Central European (Windows-1250)", "cp1250"),
    ("Cyrillic (Windows-1251)", "cp1251"),
    ("Greek (Windows-1253)", "cp1253"),
    ("Turkish (Windows-1254)", "cp1254"),
    ("Hebrew (Windows-1255)", "cp1255"),
    ("Baltic (Windows-1257)", "cp1257"),
    ("Japanese (Shift_JIS)", "cp932"),
    ("Chinese Simplified (GBK)", "gbk"),
    ("Chinese Traditional (Big5)", "cp950"),
    ("Korean (EUC-KR)", "cp949"),
    ("Mac Roman", "mac_roman"),
    ("Latin-1 (ISO-8859-1)", "latin-1"),
)
"""The encodings offered for a file that is not Unicode (the CLI's --encoding takes any):
the code pages Windows and older Macs write address books in."""
UNICODE = ("utf-8", "utf-8-sig", "utf-16", "utf-32")


class ImportFilePicker(FilePickerScreen):
    """The upload file picker, for the file to import (folders and unreadable files refused)."""

    BINDINGS = [cancel_binding("import_picker.cancel", "Import nothing")]

    def __init__(self, start: Path | None = None) -> None:
        super().__init__("Import contacts from a CSV, JSON or vCard file", start=start)


class ImportDialog(Dialog[ImportSummary | None]):
    """Checks the file at once (a dry run: counts and the reasons, scrolling), imports on
    request with a progress bar; dismisses with the import's summary, or None when
    nothing was imported.

    Cancel while importing stops after the batch being written; what was written stays.
    """

    DEFAULT_CSS = layout_css(__file__, "import_dialog.tcss")

    BINDINGS = [
        cancel_binding(
            "import.cancel", "Close; while importing, stop after the batch being written"
        ),
        Binding(
            "ctrl+s",
            "start",
            "Import",
            id="import.start",
            tooltip="Write the checked contacts to the workspace",
        ),
    ]

    @dataclass
    class Progressed(Message):
        run: int
        done: int
        total: int

    @dataclass
    class Finished(Message):
        run: int
        summary: ImportSummary

    @dataclass
    class Failed(Message):
        run: int
        message: str

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.fmt = guess_format(path) or "csv"
        self.checked: ImportSummary | None = None
        """The dry run of the current choices, once it is done."""
        self.imported: ImportSummary | None = None
        self.encoding: str | None = None  # None: as the import detects it
        self._run = 0  # the newest run: messages of older ones are dropped
        self._cancel = threading.Event()
        self._last_progress = 0.0

    # ----- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Import contacts", classes="dialog--title")
            yield Label(Text(display_safe(shown_path(self.path))), id="import-file")
            with RadioSet(id="import-format", compact=True):
                for fmt in FORMATS:
                    yield MarkedRadioButton(SHORT_NAMES[fmt], value=fmt == self.fmt, name=fmt)
            with RadioSet(id="import-duplicates", compact=True):
                # The same person as a saved contact: same UID, e-mail, or name and phone.
                for mode, label in DUPLICATE_CHOICES.items():
                    yield MarkedRadioButton(label, value=mode == "skip", name=mode)
            # Shown once the file turns out not to be Unicode: a short file's code page is
            # a guess, and names read in the wrong one come out as Ayþe for Ayşe.
            with Horizontal(id="import-encoding-row"):
                yield Label("Text encoding", classes="import-label")
                yield Select(
                    [("As detected", DETECTED), *ENCODING_CHOICES],
                    value=DETECTED,
                    allow_blank=False,
                    compact=True,
                    id="import-encoding",
                )
            yield ProgressBar(total=1, show_eta=False, id="import-progress")
            yield Static(id="import-status")
            # Every reason the summary kept, whole: at 80x24 they scroll (tab to them).
            with VerticalScroll(id="import-reports", can_focus=False):
                yield Static(id="import-problems")
            with Horizontal(id="import-buttons"):
                yield Button(
                    "Import", variant="primary", id="import-start", disabled=True, compact=True
                )
                yield Button("Cancel", id="import-cancel", compact=True)
            yield Label(CHOOSING_HINT, id="import-hint", classes="dialog--hint")

    def on_mount(self) -> None:
        self.query_one("#import-cancel", Button).focus()
        self._check()

    def on_unmount(self) -> None:
        # The app quitting (ctrl+q) closes the dialog: a check or an import still running
        # stops after its batch, as on escape, instead of holding the process (and a blank
        # terminal) until the rest of the file is in.
        self._cancel.set()

    @property
    def importing(self) -> bool:
        return self.has_class("-importing")

    def _say(self, text: str, error: bool = False) -> None:
        status = self.query_one("#import-status", Static)
        status.update(Text(text))
        status.set_class(error, "-error")

    def _show_problems(self, summary: ImportSummary | None) -> None:
        lines: list[str] = []
        if summary is not None:
            lines = [str(p) for p in summary.problems]
            reported = summary.rejected + summary.duplicates + summary.updated + summary.kept
            more = reported - len(lines)
            if more > 0:
                lines.append(f"… and {more:,} more (contacts-tui import --dry-run lists all)")
            lines = [*summary.notes, *lines]
        self.query_one("#import-problems", Static).update(
            Text("\n".join(f"• {line}" for line in lines))
        )
        reports = self.query_one("#import-reports", VerticalScroll)
        reports.can_focus = bool(lines)  # a stop for tab only when there is something to read
        reports.scroll_home(animate=False)

    # ----- choices: each one checks the file again ----------------------------------------

    @on(RadioSet.Changed, "#import-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        self.fmt = event.pressed.name or "csv"
        self._check()

    @on(RadioSet.Changed, "#import-duplicates")
    def _duplicates_changed(self) -> None:
        self._check()

    @on(Select.Changed, "#import-encoding")
    def _encoding_changed(self, event: Select.Changed) -> None:
        chosen = event.value if isinstance(event.value, str) and event.value else None
        if chosen != self.encoding:
            self.encoding = chosen
            self._check()

    @property
    def duplicates(self) -> str:
        pressed = self.query_one("#import-duplicates", RadioSet).pressed_button
        return (pressed.name if pressed else None) or "skip"

    def _check(self) -> None:
        self.checked = None
        self.query_one("#import-start", Button).disabled = True
        self._show_problems(None)
        self._say(f"Checking {display_safe(self.path.name)} as {FORMAT_NAMES[self.fmt]}…")
        self._start(dry_run=True)

    def _start(self, dry_run: bool) -> None:
        self._cancel.set()  # a check still running for older choices stops
        self._cancel = threading.Event()
        self._run += 1
        self.query_one(ProgressBar).update(total=1, progress=0)
        self.run_import(self._run, dry_run, self.fmt, self.duplicates, self.encoding, self._cancel)

    @reported_work(thread=True, group="store")
    def run_import(
        self,
        run: int,
        dry_run: bool,
        fmt: str,
        duplicates: str,
        encoding: str | None,
        cancel: threading.Event,
    ) -> None:
        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done == 0 or done >= total or now - self._last_progress >= PROGRESS_INTERVAL:
                self._last_progress = now
                self.post_message(self.Progressed(run, done, total))

        try:
            summary = import_contacts(
                contacts_app(self).service,
                self.path,
                fmt,
                on_duplicate=duplicates,
                encoding=encoding,
                dry_run=dry_run,
                progress=progress,
                cancelled=cancel.is_set,
            )
        except ImportFileError as error:
            self.post_message(self.Failed(run, f"{error} Nothing was imported."))
        else:
            self.post_message(self.Finished(run, summary))

    @on(Progressed)
    def _progressed(self, message: Progressed) -> None:
        if message.run == self._run:
            bar = self.query_one(ProgressBar)
            bar.update(total=max(message.total, 1), progress=message.done)

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        if message.run != self._run:
            return
        summary = message.summary
        self._show_problems(summary)
        if summary.dry_run:
            self.checked = summary
            if summary.encoding not in UNICODE:
                self.add_class("-encoded")  # the encoding row, to correct a wrong guess
            start = self.query_one("#import-start", Button)
            writes = summary.imported + summary.updated
            start.disabled = writes == 0
            advice = " Press Import to write them." if writes else ""
            self._say(summary.text() + advice)
            if writes:
                start.focus()
            return
        self.imported = summary
        self.remove_class("-importing")
        self.add_class("-done")
        self.query_one("#import-hint", Label).update(DONE_HINT)
        self._say(summary.text())
        close = self.query_one("#import-cancel", Button)
        close.label = "Close"
        close.focus()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.run == self._run:
            self._stopped(message.message)

    def _stopped(self, message: str) -> None:
        self.remove_class("-importing")
        for widget in self._choices():
            widget.disabled = False
        self._say(message, error=True)

    def worker_failed(self, work_name: str, message: str) -> bool:
        if work_name != "run_import":
            return False
        # The database failed: the batch being written was rolled back, earlier ones stay.
        self._stopped(f"The import stopped: {message}. Contacts of earlier batches stay.")
        return True

    def _choices(self) -> list[RadioSet | Select]:
        """What the user chooses before importing: fixed while it imports."""
        return [*self.query(RadioSet), self.query_one("#import-encoding", Select)]

    # ----- importing --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "start":
            return not self.query_one("#import-start", Button).disabled
        return True

    @on(Button.Pressed, "#import-start")
    def action_start(self) -> None:
        if self.checked is None or self.importing or self.has_class("-done"):
            return
        self.add_class("-importing")
        for widget in self._choices():
            widget.disabled = True
        self.query_one("#import-cancel", Button).focus()
        self._show_problems(None)
        self._say(f"Importing {self.checked.total:,} rows of {display_safe(self.path.name)}…")
        self._start(dry_run=False)

    @on(Button.Pressed, "#import-cancel")
    def action_cancel(self) -> None:
        if self.importing:
            self._cancel.set()
            self._say("Cancelling after the batch being written…")
            return
        self._cancel.set()  # a check still running stops
        self.dismiss(self.imported)
