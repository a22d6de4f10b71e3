"""A document shown inside the app: highlighted source, text, a CSV table, PDF text or its facts."""

from __future__ import annotations

from dataclasses import dataclass

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Static, TextArea

from contacts_tui.dialogs.dialog import layout_css
from contacts_tui.document_preview import PREVIEW_BYTES, Preview, build_preview, preview_read_limit
from contacts_tui.documents import DocumentError, IntegrityError, human_size
from contacts_tui.safe_text import display_safe
from contacts_tui.services import DocumentInfo, NotFoundError
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.keys_footer import KeysFooter
from contacts_tui.widgets.preview_lines import PreviewLines, split_lines
from contacts_tui.widgets.reporting import reported_work, tell
from contacts_tui.widgets.textual_key_order import keep_key_order

keep_key_order()  # this module shows a TextArea: its keys in the order typed

# ansi_* themes use the terminal's own colours, so light, dark and 16-colour terminals work.
SYNTAX_THEME = "ansi_dark"


def numbered(highlighted: Text) -> list[Text]:
    """Highlighted source as lines with a line-number gutter (built in the worker)."""
    lines = split_lines(highlighted)
    if len(lines) > 1 and not lines[-1].plain:
        lines.pop()  # the newline that ends the last line starts no new one
    width = len(str(len(lines)))
    return [
        Text.assemble((f"{number:>{width}} │ ", "dim"), line)
        for number, line in enumerate(lines, 1)
    ]


class DocumentPreviewScreen(Screen[bool]):
    """Opened with enter or v on a document; escape goes back, with True when the
    document turned out to be deleted meanwhile (the list it came from is stale)."""

    COMMAND_GROUP = "Preview"
    DEFAULT_CSS = layout_css(__file__, "document_preview.tcss")

    BINDINGS = [
        Binding("escape,q", "close", "Back", id="preview.close", tooltip="Back to the documents"),
        Binding(
            "e",
            "save_copy",
            "Save a copy",
            id="preview.save_copy",
            tooltip="Save a copy of this document to a folder of your choosing",
        ),
    ]

    @dataclass
    class Loaded(Message):
        preview: Preview
        code_lines: list[Text] | None  # for code: highlighted in the worker, not the UI thread

    @dataclass
    class Failed(Message):
        message: str
        integrity: bool
        gone: bool = False

    def __init__(self, document: DocumentInfo) -> None:
        super().__init__()
        self.document = document
        self.preview: Preview | None = None
        """What is shown, once read; None while reading or after an error."""
        self.error: str | None = None
        """Why nothing is shown, when reading failed."""
        self.gone = False
        """The document was deleted (by someone else) before it could be read."""

    def compose(self) -> ComposeResult:
        doc = self.document
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(display_safe(doc.file_name))
        title.append(f"  ·  {display_safe(doc.doc_type) or 'no type'}", "not bold")
        yield Static(title, id="preview-title")
        yield Static(Text("Reading…"), id="preview-facts")
        yield Static("", id="preview-note")
        yield Static(Text("Reading and checking the document…"), id="preview-body")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#preview-note").display = False
        self.load()

    @reported_work(thread=True, exclusive=True, group="store")
    def load(self) -> None:
        doc = self.document
        service = contacts_app(self).service
        try:
            info, data = service.documents.read(doc.id, limit=preview_read_limit(doc.media_type))
            preview = build_preview(
                data, file_name=info.file_name, media_type=info.media_type, size=info.size
            )
        except IntegrityError as error:
            self.post_message(self.Failed(str(error), integrity=True))
            return
        except NotFoundError:
            message = (
                f"{display_safe(doc.file_name)} is no longer attached to this contact: "
                "someone deleted it meanwhile."
            )
            self.post_message(self.Failed(message, integrity=False, gone=True))
            return
        except DocumentError as error:
            self.post_message(self.Failed(str(error), integrity=False))
            return
        code_lines = None
        if preview.kind == "code":
            syntax = Syntax("", preview.language or "text", theme=SYNTAX_THEME)
            code_lines = numbered(syntax.highlight(preview.text))
        self.post_message(self.Loaded(preview, code_lines))

    def on_document_preview_screen_loaded(self, message: Loaded) -> None:
        preview = message.preview
        self.preview = preview
        self.query_one("#preview-facts", Static).update(self._facts(preview))
        body: Widget
        if preview.kind == "code" and message.code_lines is not None:
            body = PreviewLines(message.code_lines, id="preview-code")
        elif preview.kind in ("text", "pdf") and preview.text:
            # A read-only TextArea wraps and scrolls long text without laying it all out;
            # it shows the characters as they are (never markup), already made printable.
            body = TextArea(preview.text, read_only=True, soft_wrap=True, id="preview-text")
        elif preview.kind == "csv" and preview.rows:
            body = self._table(preview.rows)
        else:
            body = Static(
                Text(
                    "There is no preview for this kind of file. "
                    "Press e to save a copy and open it with another program.",
                    style="italic",
                ),
                id="preview-none",
            )
        self._replace_body(body)
        if body.can_focus:
            body.focus()
        note = self._note(preview)
        if note:
            widget = self.query_one("#preview-note", Static)
            widget.update(Text(note))
            widget.display = True

    def on_document_preview_screen_failed(self, message: Failed) -> None:
        self.error = message.message
        self.gone = message.gone
        self.query_one("#preview-facts", Static).update(self._facts(None))
        if message.integrity:
            text = Text("Integrity error\n\n", style="bold")
            text.append(display_safe(message.message))
            text.append(
                "\n\nThe content is not shown, because it is not what was uploaded. "
                "`contacts-tui check` lists every damaged document; the person who "
                "uploaded it may still have the original."
            )
        else:
            text = Text("This document cannot be shown\n\n", style="bold")
            text.append(display_safe(message.message))
        self._replace_body(Static(text, id="preview-error"))

    def worker_failed(self, work_name: str, message: str) -> bool:
        self.post_message(self.Failed(message, integrity=False))
        return True

    def _facts(self, preview: Preview | None) -> Text:
        doc = self.document
        facts: list[tuple[str, str]] = list(preview.facts) if preview else []
        if not any(name == "Size" for name, _ in facts):
            facts.append(("Size", human_size(doc.size)))
        facts.append(("Uploaded", f"{doc.uploaded_at:%Y-%m-%d %H:%M} UTC by {doc.uploaded_by}"))
        facts.append(("SHA-256", doc.sha256))
        text = Text()
        for index, (name, value) in enumerate(facts):
            if index:
                text.append("  ·  ")
            text.append(f"{display_safe(name)}: ", "bold")
            text.append(display_safe(value))
        return text

    def _note(self, preview: Preview) -> str:
        if not preview.truncated:
            return ""
        if preview.kind == "csv":
            return f"Only the first {len(preview.rows)} rows are shown."
        if preview.kind == "pdf":
            return "Only the first pages are shown."
        return f"Only the first {human_size(PREVIEW_BYTES)} are shown."

    def _replace_body(self, widget: Widget) -> None:
        self.query_one("#preview-body").remove()
        widget.add_class("preview-body")
        self.mount(widget, before=self.query_one(KeysFooter))

    def _table(self, rows: tuple[tuple[str, ...], ...]) -> DataTable:
        table: DataTable = DataTable(id="preview-table", zebra_stripes=True)
        header, *data = rows
        # Text cells: a DataTable would read str cells as Rich markup.
        for index, name in enumerate(header):
            table.add_column(Text(name or f"column {index + 1}"), key=str(index))
        for row in data:
            table.add_row(*(Text(cell) for cell in row))
        return table

    def action_close(self) -> None:
        self.dismiss(self.gone)

    def action_save_copy(self) -> None:
        from contacts_tui.dialogs.save_copy import SaveCopyScreen

        def saved(target) -> None:
            if target is not None:
                tell(self, f"Saved a copy to {display_safe(str(target))}.")

        self.app.push_screen(SaveCopyScreen(self.document), saved)
