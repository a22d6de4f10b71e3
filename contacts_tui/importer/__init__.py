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
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from contacts_tui.importer.checks import TENANT_WIDE_NAMES, check_contact
from contacts_tui.importer.csv_file import CSV_COLUMNS, _csv_records, _scan_csv
from contacts_tui.importer.json_file import _json_items, _json_records
from contacts_tui.importer.shared import (
    ContactDraft,
    ImportFileError,
    RawContact,
    RowRejected,
    Unreadable,
    shown,
)
from contacts_tui.importer.vcard_file import _scan_vcards, _vcard_records
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
FORMAT_NAMES = {"csv": "CSV", "json": "JSON", "vcard": "vCard (3.0 or 4.0)"}
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
    fmt: str
    total: int
    notes: tuple[str, ...] = ()  # e.g. the CSV columns that are not imported

    @property
    def name(self) -> str:
        return self.path.name

    def records(self) -> Iterator[RawContact | Unreadable]:
        """Each record of the file in order, read as a stream."""
        with _open_text(self.path) as text:
            if self.fmt == "csv":
                yield from _csv_records(text, self.name)
            elif self.fmt == "json":
                yield from _json_records(text, self.name, CHUNK_SIZE)
            else:
                yield from _vcard_records(text)


def open_source(
    path: Path | str,
    fmt: str | None = None,
    *,
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
) -> ImportSource:
    """Check the whole file and count its records; ImportFileError if it cannot be imported.

    `fmt` None: from the extension.
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
    _check_text(path)
    try:
        with _open_text(path) as text:
            if fmt == "csv":
                total, notes = _scan_csv(text, name)
            elif fmt == "json":
                total, notes = sum(1 for _ in _json_items(text, name, CHUNK_SIZE)), ()
            else:
                total, notes = _scan_vcards(text, name)
    except OSError as error:
        raise ImportFileError(f"Cannot read {name}: {_reason(error)}.") from None
    return ImportSource(path, fmt, total, notes)


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


def _check_text(path: Path) -> None:
    """Refuse a binary, non-UTF-8 or empty file, reading it a chunk at a time."""
    name = display_safe(path.name)
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    has_text = False
    try:
        with open(path, "rb") as data:
            first = True
            while chunk := data.read(CHUNK_SIZE):
                if first and chunk.startswith(codecs.BOM_UTF8):
                    chunk = chunk[len(codecs.BOM_UTF8) :]
                first = False
                if b"\x00" in chunk:
                    raise ImportFileError(
                        f"{name} is not a text file (it holds binary data); "
                        "export the contacts as CSV, JSON or vCard and import that file."
                    )
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    line += chunk[: max(error.start, 0)].count(b"\n")
                    raise ImportFileError(
                        f"{name} is not UTF-8 text (line {line} has a byte that is not "
                        "UTF-8); save it as UTF-8 and import it again."
                    ) from None
                line += chunk.count(b"\n")
                has_text = has_text or bool(chunk.strip())
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise ImportFileError(
                    f"{name} is not UTF-8 text (it ends in the middle of a character); "
                    "save it as UTF-8 and import it again."
                ) from None
    except OSError as error:
        raise ImportFileError(f"Cannot read {name}: {_reason(error)}.") from None
    if not has_text:
        raise ImportFileError(f"{name} is empty: there is nothing to import.")


def _open_text(path: Path) -> TextIO:
    # utf-8-sig: a byte-order mark (Excel writes one) is not part of the first column's name.
    return open(path, encoding="utf-8-sig", newline="")
