"""Turns the first part of a document into plain preview data: text, code, CSV rows or facts."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Literal

from pygments.lexers import get_lexer_for_filename
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from contacts_tui.documents import human_size, sanitize_filename, sniff_media_type

__all__ = [
    "PDF_PREVIEW_BYTES",
    "PREVIEW_BYTES",
    "Preview",
    "build_preview",
    "human_size",
    "preview_read_limit",
]

PREVIEW_BYTES = 256 * 1024
# pdftotext needs the cross-reference table at the end of the file, so PDFs are read further.
PDF_PREVIEW_BYTES = 32 * 1024 * 1024
CSV_ROWS = 200
CSV_COLUMNS = 50
CSV_CELL_CHARS = 200
PDF_PAGES = 5
PDFTOTEXT_TIMEOUT = 10
PDFTOTEXT_NOTE = "Install pdftotext (poppler-utils) to read PDF text here."

_TYPE_NAMES = {
    "application/pdf": "PDF document",
    "application/zip": "ZIP archive",
    "application/octet-stream": "Binary file",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
    "image/bmp": "BMP image",
    "image/webp": "WebP image",
}
_CSV_TYPES = ("text/csv", "text/tab-separated-values")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erasing
    r"|\x1b[\]PX^_][^\x07\x1b\n]*(?:\x07|\x1b\\)?"  # OSC, DCS, SOS, PM, APC: titles, links
    r"|\x1b[ -/]*[0-~]"  # other escapes (charset switches, reset)
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_UNPRINTABLE = dict.fromkeys(
    [
        *range(0x00, 0x09),
        *range(0x0B, 0x20),
        *range(0x7F, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ],
    None,
)


@dataclass(frozen=True)
class Preview:
    kind: str  # "text", "code", "csv", "pdf", "image", "binary"
    text: str = ""
    language: str | None = None
    rows: tuple[tuple[str, ...], ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    truncated: bool = False


def preview_read_limit(media_type: str) -> int:
    """How many bytes of a document build_preview wants."""
    return PDF_PREVIEW_BYTES if media_type == "application/pdf" else PREVIEW_BYTES


def build_preview(data: bytes, *, file_name: str, media_type: str, size: int) -> Preview:
    """A preview of a document from its first bytes; all text in it is safe to print."""
    name = sanitize_filename(file_name)
    size_fact = ("Size", human_size(size))
    sniffed = sniff_media_type(data[:64])
    if sniffed is not None and sniffed.startswith("image/"):
        image_facts = [("Type", _TYPE_NAMES[sniffed]), size_fact]
        dimensions = _image_size(sniffed, data)
        if dimensions is not None:
            image_facts.append(("Dimensions", f"{dimensions[0]} × {dimensions[1]}"))
        return Preview("image", facts=tuple(image_facts))
    if sniffed == "application/pdf" or media_type == "application/pdf":
        return _pdf_preview(data, size_fact, partial=size > len(data))
    head = data[:PREVIEW_BYTES]
    cut = max(size, len(data)) > len(head)
    decoded = _decode_text(head, cut=cut)
    if decoded is None:
        type_name = _TYPE_NAMES.get(media_type) or _one_line(media_type) or "Binary file"
        return Preview("binary", facts=(("Type", type_name), size_fact))
    text, encoding = decoded
    encoding_fact = ("Encoding", encoding)
    if name.lower().endswith((".csv", ".tsv")) or media_type in _CSV_TYPES:
        table = _csv_rows(text, tab_default=name.lower().endswith(".tsv"), cut=cut)
        if table is not None:
            rows, more = table
            facts = (("Type", "CSV table"), size_fact, encoding_fact)
            return Preview("csv", rows=rows, facts=facts, truncated=cut or more)
    text = _printable_lines(text)
    lexer = _lexer_for(name)
    if lexer is None:
        facts = (("Type", "Plain text"), size_fact, encoding_fact)
        return Preview("text", text=text, facts=facts, truncated=cut)
    alias, lexer_name = lexer
    facts = (("Type", f"{lexer_name} source"), size_fact, encoding_fact)
    return Preview("code", text=text, language=alias, facts=facts, truncated=cut)


def _printable_lines(text: str) -> str:
    """Text with escape sequences and control characters removed; keeps newlines and tabs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ESCAPE_SEQUENCE.sub("", text).translate(_UNPRINTABLE)


def _one_line(text: str) -> str:
    return " ".join(_printable_lines(text).split())


def _decode_text(data: bytes, *, cut: bool) -> tuple[str, str] | None:
    """The text and its encoding name, or None when the bytes do not look like text."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace"), label
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as error:
        # A cut through the last multi-byte character is not a reason to give up on UTF-8.
        if cut and error.end == len(data) and error.reason == "unexpected end of data":
            return data[: error.start].decode("utf-8"), "UTF-8"
    for codec, label in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _mostly_printable(text):
            return text, label
    return None


def _mostly_printable(text: str) -> bool:
    unprintable = sum(1 for c in text if c not in "\n\r\t\f" and (c < " " or "\x7f" <= c <= "\x9f"))
    return unprintable <= len(text) * 0.05


def _lexer_for(name: str) -> tuple[str, str] | None:
    """Pygments' alias and display name for a source file name, or None for plain text."""
    try:
        lexer = get_lexer_for_filename(name)
    except ClassNotFound:
        return None
    if isinstance(lexer, TextLexer) or not lexer.aliases:
        return None
    return lexer.aliases[0], lexer.name


def _csv_rows(
    text: str, *, tab_default: bool, cut: bool
) -> tuple[tuple[tuple[str, ...], ...], bool] | None:
    """The first rows, padded to one width, and whether more rows exist; None if not CSV."""
    if cut and "\n" in text:
        text = text[: text.rfind("\n") + 1]  # the last line may be half a record
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel_tab if tab_default else csv.excel
    with contextlib.suppress(csv.Error):  # too few lines or no delimiter: keep the default
        dialect = csv.Sniffer().sniff(text[:16384], delimiters=",;\t|")
    rows: list[tuple[str, ...]] = []
    more = False
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            if not row:
                continue
            if len(rows) == CSV_ROWS:
                more = True
                break
            rows.append(tuple(_one_line(cell)[:CSV_CELL_CHARS] for cell in row[:CSV_COLUMNS]))
    except csv.Error:
        return None
    width = max((len(row) for row in rows), default=0)
    return tuple(row + ("",) * (width - len(row)) for row in rows), more


def _pdf_preview(data: bytes, size_fact: tuple[str, str], *, partial: bool) -> Preview:
    facts = [("Type", "PDF document"), size_fact]
    tool = shutil.which("pdftotext")
    if tool is None:
        return Preview("pdf", facts=(*facts, ("Note", PDFTOTEXT_NOTE)))
    try:
        result = subprocess.run(
            [tool, "-q", "-l", str(PDF_PAGES), "-enc", "UTF-8", "-", "-"],
            input=data,
            capture_output=True,
            timeout=PDFTOTEXT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Preview("pdf", facts=(*facts, ("Note", "Reading the PDF text took too long.")))
    except OSError:
        return Preview("pdf", facts=(*facts, ("Note", "pdftotext could not be started.")))
    text = _printable_lines(result.stdout.decode("utf-8", errors="replace"))
    if not text.strip():
        note = "This PDF has no text that pdftotext can read (it may be scanned or damaged)."
        return Preview("pdf", facts=(*facts, ("Note", note)), truncated=partial)
    facts.append(("Shown", f"text of the first {PDF_PAGES} pages at most"))
    cut = len(text) > PREVIEW_BYTES
    return Preview("pdf", text=text[:PREVIEW_BYTES], facts=tuple(facts), truncated=cut or partial)


def _image_size(media_type: str, data: bytes) -> tuple[int, int] | None:
    """Width and height read from the image header, or None when the header is cut short."""
    if media_type == "image/png" and data[12:16] == b"IHDR" and len(data) >= 24:
        return _uint(data, 16, 4, "big"), _uint(data, 20, 4, "big")
    if media_type == "image/gif" and len(data) >= 10:
        return _uint(data, 6, 2), _uint(data, 8, 2)
    if media_type == "image/bmp" and len(data) >= 26:
        if _uint(data, 14, 4) == 12:
            return _uint(data, 18, 2), _uint(data, 20, 2)
        width = int.from_bytes(data[18:22], "little", signed=True)
        height = int.from_bytes(data[22:26], "little", signed=True)
        return abs(width), abs(height)  # a negative height means top-down rows
    if media_type == "image/webp":
        return _webp_size(data)
    if media_type == "image/jpeg":
        return _jpeg_size(data)
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return 1 + _uint(data, 24, 3), 1 + _uint(data, 27, 3)
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = _uint(data, 21, 4)
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return _uint(data, 26, 2) & 0x3FFF, _uint(data, 28, 2) & 0x3FFF
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walks the JPEG segments up to the frame header (SOFn) that holds the size."""
    i = 2
    while i + 9 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
        elif marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
        elif marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header found
            return None
        elif 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return _uint(data, i + 7, 2, "big"), _uint(data, i + 5, 2, "big")
        else:
            i += 2 + _uint(data, i + 2, 2, "big")
    return None


def _uint(data: bytes, start: int, length: int, order: Literal["little", "big"] = "little") -> int:
    return int.from_bytes(data[start : start + length], order)
