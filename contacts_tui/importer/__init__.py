"""Read contacts from CSV, JSON and vCard files and check them as the app checks typing.

No Textual and no database writes here: `services/imports.py` writes what this package
reads, and both the `import` command and the import dialog use them.

A file is read twice, both times as a stream (a 100 MB file never sits in memory):
`open_source` first checks it whole — readable, UTF-8, not binary, well-formed CSV, JSON
or vCard structure — so that a file that cannot be read at all is refused before
anything is written, and counts its records for the progress bar. `ImportSource.records`
then reads it again one record at a time, and `check_contact` turns each into a
`ContactDraft` with every value validated and normalised, or says why not.

This module checks the file and hands it to its format's reader (`csv_file`, `json_file`,
`vcard_file`); `checks` holds `check_contact`; `shared` the types all of them use.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from contacts_tui.importer.checks import TENANT_WIDE_NAMES, check_contact
from contacts_tui.importer.csv_file import CSV_COLUMNS, _csv_records, _scan_csv, check_mapping
from contacts_tui.importer.json_file import _json_items, _json_records
from contacts_tui.importer.shared import (
    ContactDraft,
    ImportFileError,
    RawContact,
    RowRejected,
    Unreadable,
    shown,
)
from contacts_tui.importer.vcard_file import _jcard_records, _scan_vcards, _vcard_records
from contacts_tui.safe_text import display_safe

__all__ = [
    "CHUNK_SIZE",
    "CSV_COLUMNS",
    "EXTENSIONS",
    "FORMATS",
    "FORMAT_NAMES",
    "TENANT_WIDE_NAMES",
    "ContactDraft",
    "ImportFileError",
    "ImportSource",
    "RawContact",
    "RowRejected",
    "Unreadable",
    "check_contact",
    "guess_format",
    "open_source",
    "shown",
]

FORMATS = ("csv", "json", "vcard")
FORMAT_NAMES = {"csv": "CSV", "json": "JSON", "vcard": "vCard (2.1 to 4.0)"}
EXTENSIONS = {".csv": "csv", ".json": "json", ".vcf": "vcard", ".vcard": "vcard"}
CHUNK_SIZE = 1 << 20
"""Bytes read at a time: the checks and the JSON reader never hold more than this (plus
one record) of the file."""


def guess_format(path: Path | str) -> str | None:
    """The format a file's extension says (.csv, .json, .vcf/.vcard), or None."""
    return EXTENSIONS.get(Path(path).suffix.lower())


@dataclass(frozen=True)
class ImportSource:
    """A checked file: its format, how many records it holds, and notes for the user."""

    path: Path
    fmt: str  # csv, json, vcard, or jcard (a JSON file of jCards, found by its content)
    total: int
    notes: tuple[str, ...] = ()  # e.g. the CSV columns that are not imported
    encoding: str = "utf-8"
    mapping: tuple[tuple[str, str], ...] = ()  # CSV column -> field, from --map

    @property
    def name(self) -> str:
        return self.path.name

    def records(self) -> Iterator[RawContact | Unreadable]:
        """Each record of the file in order, read as a stream (a jCard file: whole)."""
        with _open_text(self.path, self.encoding, self.fmt) as text:
            if self.fmt == "csv":
                yield from _csv_records(text, self.name, dict(self.mapping))
            elif self.fmt == "json":
                yield from _json_records(text, self.name, CHUNK_SIZE)
            elif self.fmt == "jcard":
                yield from _jcard_records(text, self.name)
            else:
                yield from _vcard_records(text, self.encoding)


_JCARD_START = re.compile(r'\s*\[\s*(?:\[\s*)?"vcard"', re.IGNORECASE)


def open_source(
    path: Path | str,
    fmt: str | None = None,
    *,
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
    region: str = "",
) -> ImportSource:
    """Check the whole file and count its records; ImportFileError if it cannot be imported.

    `fmt` None: from the extension. `encoding` None: from its byte-order mark, else UTF-8,
    else detected, the code page Windows writes in `region` (the workspace's default
    region, ISO 3166 code) first. `mapping`: CSV column name -> field, over what the
    header says.
    """
    path = Path(path).expanduser()
    name = display_safe(path.name)
    _check_file(path)
    fmt = fmt or guess_format(path)
    if fmt is None:
        raise ImportFileError(
            f"Cannot tell the format of {name} from its extension; "
            "choose csv, json or vcard (.csv, .json, .vcf)."
        )
    if fmt not in FORMATS:
        raise ImportFileError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    encoding = _check_text(path, encoding, region)
    mapping = check_mapping(mapping or {})
    try:
        with _open_text(path, encoding, fmt) as text:
            if fmt == "json" and _JCARD_START.match(text.read(200)):
                fmt = "jcard"  # RFC 7095: a vCard written as JSON
            text.seek(0)
            if fmt == "csv":
                total, notes = _scan_csv(text, name, mapping)
            elif fmt == "json":
                total, notes = sum(1 for _ in _json_items(text, name, CHUNK_SIZE)), ()
            elif fmt == "jcard":
                total, notes = sum(1 for _ in _jcard_records(text, name)), ()
            else:
                total, notes = _scan_vcards(text, name)
    except OSError as error:
        raise ImportFileError(f"Cannot read {name}: {_reason(error)}.") from None
    except UnicodeDecodeError:
        raise ImportFileError(
            f"{name} is not {encoding} text; give its encoding with --encoding."
        ) from None
    if encoding not in ("utf-8", "utf-8-sig"):
        notes = (f"Read as {encoding} text{_sample_words(path, encoding)}.", *notes)
    return ImportSource(path, fmt, total, notes, encoding, tuple(mapping.items()))


_NOT_ASCII_WORD = re.compile(r"\w*[^\x00-\x7f]\w*")


def _sample_words(path: Path, encoding: str, most: int = 4) -> str:
    """`: Ayşe, Yılmaz, Güneş`: words of the file beyond ASCII as this encoding reads
    them, for a person to see whether it is the right one."""
    with open(path, encoding=encoding, errors="replace") as text:
        words = dict.fromkeys(_NOT_ASCII_WORD.findall(text.read(65536)))
    shown = [display_safe(w) for w in list(words)[:most] if "\ufffd" not in w]
    return f" ({', '.join(shown)}…)" if shown else ""


def _reason(error: OSError) -> str:
    return display_safe(error.strerror or error).lower()


def _check_file(path: Path) -> None:
    where = display_safe(str(path))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ImportFileError(f"There is no file {where}.") from None
    except PermissionError:
        raise ImportFileError(f"You are not allowed to look at {where}.") from None
    except OSError as error:
        raise ImportFileError(f"Cannot read {where}: {_reason(error)}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise ImportFileError(f"{where} is a folder; choose a file in it.")
    if not stat.S_ISREG(info.st_mode):
        raise ImportFileError(f"{where} is not a regular file (a pipe, socket or device).")
    if not os.access(path, os.R_OK):
        raise ImportFileError(f"You are not allowed to read {where}.")


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


_WINDOWS_CODE_PAGES = {
    **dict.fromkeys(("CZ", "SK", "PL", "HU", "SI", "HR", "RO", "BA", "AL"), "cp1250"),
    **dict.fromkeys(("RU", "UA", "BG", "BY", "KZ", "MK", "RS", "KG"), "cp1251"),
    "GR": "cp1253",
    "CY": "cp1253",
    "TR": "cp1254",
    "AZ": "cp1254",
    "IL": "cp1255",
    **dict.fromkeys(("EE", "LV", "LT"), "cp1257"),
    "VN": "cp1258",
    "TH": "cp874",
    "JP": "cp932",
    "CN": "gbk",
    "KR": "cp949",
    **dict.fromkeys(("TW", "HK"), "cp950"),
}
"""The code page Windows programs (Excel, Outlook) write a file in, by the country of
the system's locale, where it is not cp1252."""

CODE_PAGE_LEEWAY = 0.1
"""How much messier than the detector's pick (its `chaos`, 0 to 1) the region's code page
may read a file and still be taken: in a short file the detector cannot tell cp1254's
Ayşe Yılmaz from cp1252's Ayþe Yýlmaz (0.04 against 0.0), the region can."""


def _check_text(path: Path, encoding: str | None = None, region: str = "") -> str:
    """The file's encoding; ImportFileError for a binary, empty or undecodable file.

    A byte-order mark says it (UTF-8, UTF-16, UTF-32: Outlook and Excel write them);
    else the file is UTF-8 when every byte of it is, and otherwise its encoding is
    detected (windows-1252, Shift_JIS…). `encoding` (the user's --encoding) overrides.
    The file is read a chunk at a time.
    """
    name = display_safe(path.name)
    try:
        with open(path, "rb") as data:
            head = data.read(4)
    except OSError as error:
        raise ImportFileError(f"Cannot read {name}: {_reason(error)}.") from None
    if encoding is None:
        encoding = next((e for bom, e in _BOMS if head.startswith(bom)), None)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ImportFileError(f"{display_safe(encoding)} is not an encoding we know.") from None
        _check_decodes(path, encoding)
        return encoding
    try:
        _check_decodes(path, "utf-8")
        return "utf-8"
    except _NotDecodable:
        pass
    from charset_normalizer import from_path  # only for a file that is not UTF-8

    best = from_path(path).best()
    local = _WINDOWS_CODE_PAGES.get(region.upper())
    if best is not None and local is not None:
        # A file from a colleague's Windows is in the code page of the team's country.
        reading = from_path(path, cp_isolation=[local]).best()
        if reading is not None and reading.chaos <= best.chaos + CODE_PAGE_LEEWAY:
            return reading.encoding
    if best is not None:
        # A short file often reads as cleanly in several code pages; then the one most
        # files are in (Excel and Outlook on Western Windows write cp1252) is the better
        # guess: an Outlook export of José Müller came out as cp775's Josķ M³ller.
        # Measured on its own: the detector leaves cp1252 out of its results when a
        # similar code page came first. A file that is a mess in cp1252 (Russian, Greek,
        # most Polish) keeps the detector's guess.
        western = from_path(path, cp_isolation=["cp1252"]).best()
        if western is not None and western.chaos <= best.chaos:
            return "cp1252"
    if best is None:
        raise ImportFileError(
            f"{name} is not text in an encoding we can recognise; save it as UTF-8, or "
            "give its encoding with --encoding."
        )
    return best.encoding


class _NotDecodable(ImportFileError):
    pass


def _check_decodes(path: Path, encoding: str) -> None:
    name = display_safe(path.name)
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    has_text = False
    wide = encoding.startswith(("utf-16", "utf-32"))
    try:
        with open(path, "rb") as data:
            while chunk := data.read(CHUNK_SIZE):
                if not wide and b"\x00" in chunk:
                    raise ImportFileError(
                        f"{name} is not a text file (it holds binary data); "
                        "export the contacts as CSV, JSON or vCard and import that file."
                    )
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    line += chunk[: max(error.start, 0)].count(b"\n")
                    raise _NotDecodable(
                        f"{name} is not {encoding} text (line {line} has a byte that is not "
                        f"{encoding}); save it as UTF-8 and import it again."
                    ) from None
                line += text.count("\n")
                has_text = has_text or bool(text.strip("\ufeff \t\r\n"))
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise _NotDecodable(
                    f"{name} is not {encoding} text (it ends in the middle of a character); "
                    "save it as UTF-8 and import it again."
                ) from None
    except OSError as error:
        raise ImportFileError(f"Cannot read {name}: {_reason(error)}.") from None
    if not has_text:
        raise ImportFileError(f"{name} is empty: there is nothing to import.")


def _open_text(path: Path, encoding: str = "utf-8", fmt: str = "csv") -> TextIO:
    # utf-8-sig: a byte-order mark (Excel writes one) is not part of the first column's name.
    if encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    # CSV: newline="" so that a line break inside a quoted cell stays one. vCard: any line
    # end is one (iOS writes CR CR LF: with newline="" that was a line of its own).
    return open(path, encoding=encoding, newline="" if fmt == "csv" else None)
