"""Read contacts from CSV, JSON and vCard files and check them as the app checks typing.

No Textual and no database writes here: `services/imports.py` writes what this module
reads, and both the `import` command and the import dialog use them.

A file is read twice, both times as a stream (a 100 MB file never sits in memory):
`open_source` first checks it whole — readable, UTF-8, not binary, well-formed CSV, JSON
or vCard structure — so that a file that cannot be read at all is refused before
anything is written, and counts its records for the progress bar. `ImportSource.records`
then reads it again one record at a time, and `check_contact` turns each into a
`ContactDraft` with every value validated and normalised, or says why not.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from contacts_tui.lifecycle import LifecycleConfig, Template
from contacts_tui.validation import ValidationError, clean_text, display_safe, normalize_scoring

if TYPE_CHECKING:
    from contacts_tui.services import ContactService

FORMATS = ("csv", "json", "vcard")
FORMAT_NAMES = {"csv": "CSV", "json": "JSON", "vcard": "vCard (3.0 or 4.0)"}
EXTENSIONS = {".csv": "csv", ".json": "json", ".vcf": "vcard", ".vcard": "vcard"}
CHUNK_SIZE = 1 << 20
"""Bytes read at a time: the checks and the JSON reader never hold more than this (plus
one record) of the file."""

TENANT_WIDE_NAMES = ("tenant-wide", "tenant wide")
"""How our export writes "no company" in CSV (`Tenant-Wide`)."""

# The export puts an apostrophe before a cell that spreadsheets would run as a formula.
_FORMULA_GUARDED = re.compile(r"'[=+\-@\t\r]")
_SHOWN_LENGTH = 60


class ImportFileError(Exception):
    """The file cannot be imported at all; the message is one sentence for the user."""


class RowRejected(Exception):
    """One contact of the file cannot be imported; the message says why, in plain words."""


@dataclass(frozen=True)
class RawContact:
    """One record as the file has it, in the same shape whatever the format.

    `fields` holds name, full_name, first_name, last_name, company, lifecycle, stage,
    stage_key, segmentation, scoring, reason_code, accounts (a list) and archived, when
    the file has them; the lists hold the e-mails, phones, addresses and bank accounts as
    dicts of the record fields the Details tab has, plus `primary`.
    """

    ref: str  # where the record is, for messages: "line 5", "item 3 (line 4)", "card 2 (line 9)"
    fields: dict[str, Any] = field(default_factory=dict)
    emails: list[dict[str, Any]] = field(default_factory=list)
    phones: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    bank_accounts: list[dict[str, Any]] = field(default_factory=list)
    # Types that come from a column name or a vCard TYPE, not typed by a person: used
    # only when the config's picklist has them, never a reason to reject the contact.
    guessed_types: bool = False


@dataclass(frozen=True)
class Unreadable:
    """A record of the file that could not even be read (a broken vCard, a JSON number)."""

    ref: str
    reason: str


@dataclass(frozen=True)
class ContactDraft:
    """A contact ready to be written: every value validated and normalised."""

    ref: str
    name: str
    full_name: str
    company: str | None  # None: Tenant-Wide
    template: str  # lifecycle template key
    stage: str  # step key
    closed: bool  # the step's status is Closed
    segmentation: str
    scoring: int | None
    reason_code: str
    accounts: tuple[str, ...]  # account names
    archived: bool
    emails: tuple[tuple[str, str, bool], ...]  # (e-mail, type, primary)
    phones: tuple[tuple[str, str, str, bool], ...]  # (E.164, as typed, type, primary)
    addresses: tuple[dict[str, Any], ...]  # the address fields plus is_primary
    bank_accounts: tuple[tuple[str, str, str], ...]  # (name, IBAN, BIC)

    @property
    def primary_email(self) -> str:
        return next((e for e, _, primary in self.emails if primary), "")

    @property
    def primary_phone(self) -> str:
        return next((n for n, _, _, primary in self.phones if primary), "")


# ----- the file -----------------------------------------------------------------------------


def guess_format(path: Path | str) -> str | None:
    """The format a file's extension says (.csv, .json, .vcf/.vcard), or None."""
    return EXTENSIONS.get(Path(path).suffix.lower())


def shown(value: object) -> str:
    """A value from the file, quoted for a message: safe for a terminal and not too long."""
    text = display_safe(value)
    if len(text) > _SHOWN_LENGTH:
        text = text[: _SHOWN_LENGTH - 1] + "…"
    return f"“{text}”"


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
                yield from _json_records(text, self.name)
            else:
                yield from _vcard_records(text)


def open_source(path: Path | str, fmt: str | None = None) -> ImportSource:
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
                total, notes = sum(1 for _ in _json_items(text, name)), ()
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


# ----- CSV ------------------------------------------------------------------------------------


def _header_key(name: str) -> str:
    """`E-mail Address`, `email_address` and `EMAIL ADDRESS` all become `emailaddress`."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


# What each header means, after _header_key: our export's names first, then the names
# other CRMs and address books (Outlook, Google, HubSpot, Salesforce) use for the same.
# The second value is the type a phone or e-mail column implies.
CSV_COLUMNS: dict[str, tuple[str, str]] = {
    "name": ("name", ""),
    "contactname": ("name", ""),
    "displayname": ("name", ""),
    "fullname": ("full_name", ""),
    "firstname": ("first_name", ""),
    "givenname": ("first_name", ""),
    "lastname": ("last_name", ""),
    "familyname": ("last_name", ""),
    "surname": ("last_name", ""),
    "email": ("email", ""),
    "emailaddress": ("email", ""),
    "primaryemail": ("email", ""),
    "workemail": ("email", "Business"),
    "businessemail": ("email", "Business"),
    "homeemail": ("email", "Personal"),
    "personalemail": ("email", "Personal"),
    "number": ("phone", ""),
    "phone": ("phone", ""),
    "phonenumber": ("phone", ""),
    "telephone": ("phone", ""),
    "primaryphone": ("phone", ""),
    "mobile": ("phone", "Mobile"),
    "mobilephone": ("phone", "Mobile"),
    "mobilenumber": ("phone", "Mobile"),
    "cell": ("phone", "Mobile"),
    "cellphone": ("phone", "Mobile"),
    "workphone": ("phone", "Office"),
    "businessphone": ("phone", "Office"),
    "officephone": ("phone", "Office"),
    "homephone": ("phone", "Home"),
    "fax": ("phone", "Fax"),
    "company": ("company", ""),
    "companyname": ("company", ""),
    "organization": ("company", ""),
    "organisation": ("company", ""),
    "stage": ("stage", ""),
    "lifecyclestage": ("stage", ""),
    "lifecycle": ("lifecycle", ""),
    "segmentation": ("segmentation", ""),
    "segment": ("segmentation", ""),
    "scoring": ("scoring", ""),
    "score": ("scoring", ""),
    "leadscore": ("scoring", ""),
    "reasoncode": ("reason_code", ""),
    "reason": ("reason_code", ""),
    "assignedaccounts": ("accounts", ""),
    "accounts": ("accounts", ""),
    "address": ("address", ""),
    "street": ("address", ""),
    "streetaddress": ("address", ""),
    "city": ("city", ""),
    "town": ("city", ""),
    "state": ("state", ""),
    "region": ("state", ""),
    "province": ("state", ""),
    "zip": ("zip_code", ""),
    "zipcode": ("zip_code", ""),
    "postalcode": ("zip_code", ""),
    "postcode": ("zip_code", ""),
    "country": ("country", ""),
    "locality": ("locality", ""),
    "district": ("locality", ""),
    # Written by our export and worked out again on import: read, not used.
    "id": ("", ""),
    "status": ("", ""),
    "category": ("", ""),
    "updated": ("", ""),
}
_ADDRESS_COLUMNS = ("address", "city", "state", "zip_code", "country", "locality")


def _csv_layout(header: list[str], name: str) -> tuple[list[tuple[str, str]], tuple[str, ...]]:
    """What each column holds, and notes on the columns that are not imported."""
    layout = [CSV_COLUMNS.get(_header_key(h), (None, "")) for h in header]
    fields = {f for f, _ in layout}
    if not fields & {"name", "first_name", "last_name"}:
        raise ImportFileError(
            f"{name} has no Name column (nor First Name / Last Name): its first line must "
            "name the columns, e.g. Name,E-mail,Number,Company."
        )
    unknown = [
        display_safe(h) or "(blank)" for h, (f, _) in zip(header, layout, strict=True) if f is None
    ]
    notes = ()
    if unknown:
        notes = (f"These columns are not imported: {', '.join(unknown)}.",)
    return [(f or "", kind) for f, kind in layout], notes


def _csv_reader(text: TextIO) -> Iterator[tuple[int, list[str]]]:
    """(line the row starts on, cells) of each non-blank row."""
    reader = csv.reader(text)
    start = 1
    for row in reader:
        if any(cell.strip() for cell in row):
            yield start, row
        start = reader.line_num + 1


def _scan_csv(text: TextIO, name: str) -> tuple[int, tuple[str, ...]]:
    rows = _csv_rows(text, name)
    _, header = next(rows, (1, []))
    if not header:
        raise ImportFileError(f"{name} is empty: there is nothing to import.")
    _, notes = _csv_layout(header, name)
    return sum(1 for _ in rows), notes


def _csv_rows(text: TextIO, name: str) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from _csv_reader(text)
    except csv.Error as error:
        raise ImportFileError(f"{name} is not a readable CSV file: {error}.") from None


def _csv_records(text: TextIO, name: str) -> Iterator[RawContact | Unreadable]:
    rows = _csv_rows(text, name)
    _, header = next(rows)
    layout, _ = _csv_layout(header, name)
    for line, row in rows:
        ref = f"line {line}"
        if len(row) > len(layout) and any(cell.strip() for cell in row[len(layout) :]):
            yield Unreadable(
                ref,
                f"the row has {len(row)} values but the first line names {len(layout)} "
                "columns (a comma in a value without quotes around it?)",
            )
            continue
        yield _csv_contact(ref, layout, row)


def _unguard(cell: str) -> str:
    """Undo the export's formula guard: `'=SUM(A1)` was `=SUM(A1)`."""
    return cell[1:] if _FORMULA_GUARDED.match(cell) else cell


def _csv_contact(ref: str, layout: list[tuple[str, str]], row: list[str]) -> RawContact:
    contact = RawContact(ref, guessed_types=True)
    address: dict[str, str] = {}
    for (column, kind), cell in zip(layout, row, strict=False):  # short rows: blanks
        value = _unguard(cell).strip()
        if not column or not value:
            continue
        if column == "email":
            contact.emails.append({"email": value, "type": kind})
        elif column == "phone":
            contact.phones.append({"number": value, "type": kind})
        elif column in _ADDRESS_COLUMNS:
            address.setdefault(column, value)
        elif column == "accounts":
            contact.fields["accounts"] = [a for a in (p.strip() for p in value.split(";")) if a]
        else:
            contact.fields.setdefault(column, value)  # two columns for one field: the first
    if address:
        address.setdefault("locality", address.get("city", ""))
        contact.addresses.append(address)
    return contact


# ----- JSON -----------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A JSON value cut by the end of the buffer fails close to the end (a literal like
# `fals`, a number, an escape); further back, the error is real.
_CUT_MARGIN = 12


class _JsonReader:
    """Items of a top-level JSON list, decoded one at a time from a text stream."""

    def __init__(self, text: TextIO, name: str) -> None:
        self.text = text
        self.name = name
        self.buffer = ""
        self.pos = 0
        self.lines = 0  # newlines before `counted`
        self.counted = 0  # where in the buffer the newlines have been counted up to
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.text.read(CHUNK_SIZE)
        if not chunk:
            self.eof = True
            return False
        self.line(self.pos)  # count the lines of what is dropped
        self.buffer = self.buffer[self.pos :] + chunk
        self.counted -= self.pos
        self.pos = 0
        return True

    def line(self, pos: int | None = None) -> int:
        """The line number at `pos` of the buffer (default: where reading is)."""
        pos = self.pos if pos is None else pos
        if pos >= self.counted:  # the usual case: count only what is new since last time
            self.lines += self.buffer.count("\n", self.counted, pos)
            self.counted = pos
            return self.lines + 1
        return self.lines - self.buffer.count("\n", pos, self.counted) + 1

    def _skip_space(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            self.pos = _WHITESPACE.match(self.buffer, self.pos).end()
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._more():
                return ""

    def _fail(self, problem: str, pos: int | None = None) -> ImportFileError:
        return ImportFileError(
            f"{self.name} is not valid JSON: {problem} at line {self.line(pos)}."
        )

    def _value(self) -> Any:
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                cut = error.msg.startswith("Unterminated string") or (
                    error.pos >= len(self.buffer) - _CUT_MARGIN
                )
                if cut and self._more():
                    continue
                raise self._fail(error.msg.lower(), error.pos) from None
            if end >= len(self.buffer) and not self.eof and self._more():
                continue  # a number may go on in the next chunk
            self.pos = end
            return value

    def items(self) -> Iterator[tuple[int, Any]]:
        """(line the item starts on, value) of each item of the list."""
        first = self._skip_space()
        if first != "[":
            what = "nothing" if not first else f"“{display_safe(first)}”"
            raise ImportFileError(
                f"{self.name} is not a JSON list of contacts: it starts with {what}, "
                "not “[” (the shape `contacts-tui export --format json` writes)."
            )
        self.pos += 1
        if self._skip_space() == "]":
            self.pos += 1
        else:
            while True:
                if not self._skip_space():
                    raise self._fail("the list is not closed with “]”")
                line = self.line()
                yield line, self._value()
                following = self._skip_space()
                self.pos += 1
                if following == "]":
                    break
                if following != ",":
                    raise self._fail("expecting “,” or “]” after an item", self.pos - 1)
        if self._skip_space():
            raise self._fail("there is more text after the list's closing “]”")


def _json_items(text: TextIO, name: str) -> Iterator[tuple[int, Any]]:
    return _JsonReader(text, name).items()


_JSON_FIELDS = (
    "name",
    "full_name",
    "first_name",
    "last_name",
    "company",
    "lifecycle",
    "stage",
    "stage_key",
    "segmentation",
    "scoring",
    "reason_code",
    "archived",
)
_JSON_LISTS = {
    "emails": ("email", "type"),
    "phones": ("number", "type"),
    "addresses": ("address", "locality", "city", "state", "zip_code", "country", "type"),
    "bank_accounts": ("name", "iban", "bic"),
}


def _json_records(text: TextIO, name: str) -> Iterator[RawContact | Unreadable]:
    for index, (line, item) in enumerate(_json_items(text, name), start=1):
        ref = f"item {index} (line {line})"
        try:
            yield _json_contact(ref, item)
        except RowRejected as problem:
            yield Unreadable(ref, str(problem))


def _json_contact(ref: str, item: Any) -> RawContact:
    if not isinstance(item, dict):
        raise RowRejected(f'the item is {_json_kind(item)}, not a contact object ({{"name": …}})')
    contact = RawContact(ref)
    for key in _JSON_FIELDS:
        if item.get(key) is not None:
            contact.fields[key] = item[key]
    accounts = item.get("assigned_accounts")
    if accounts is not None:
        if not isinstance(accounts, list):
            raise RowRejected(f"assigned_accounts is {_json_kind(accounts)}, not a list of names")
        contact.fields["accounts"] = accounts
    for key, names in _JSON_LISTS.items():
        records = item.get(key)
        if records is None:
            continue
        if not isinstance(records, list):
            raise RowRejected(f"{key} is {_json_kind(records)}, not a list")
        target = getattr(contact, key)
        for n, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                raise RowRejected(f"{key}[{n}] is {_json_kind(record)}, not an object")
            values = {k: record[k] for k in names if record.get(k) is not None}
            values["primary"] = record.get("primary") is True
            target.append(values)
    return contact


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a text"
    return "a list" if isinstance(value, list) else "an object"


# ----- vCard ----------------------------------------------------------------------------------


# The properties import reads. The others (NOTE, PHOTO, BDAY, …) are left out before
# vobject parses a card: it spent half an import's time on them, PHOTO's base64 above all.
_VCARD_PROPERTIES = frozenset(("BEGIN", "END", "VERSION", "FN", "N", "ORG", "EMAIL", "TEL", "ADR"))
_PROPERTY_NAME = re.compile(r"(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)")


def _card_texts(text: TextIO) -> Iterator[tuple[int, int, str]]:
    """(card number, line it begins on, its text) of each BEGIN:VCARD … END:VCARD."""
    number = 0
    depth = 0
    lines: list[str] = []
    start = 0
    keep = False
    soft_break = False  # vCard 2.1 quoted-printable: a line ending in "=" goes on below
    for line_number, line in enumerate(text, start=1):
        word = line.strip().upper()
        if word == "BEGIN:VCARD":
            if depth == 0:
                number += 1
                start = line_number
                lines = []
            depth += 1
        if not depth:
            continue
        if not (line[:1] in (" ", "\t") or soft_break):  # a new property, not a fold
            name = _PROPERTY_NAME.match(line)
            keep = bool(name) and name.group(1).upper() in _VCARD_PROPERTIES
        body = line.rstrip("\r\n")
        soft_break = body.endswith("=") and (
            soft_break or "QUOTED-PRINTABLE" in body.split(":", 1)[0].upper()
        )
        if keep:
            lines.append(line)
        if word == "END:VCARD" and depth:
            depth -= 1
            if depth == 0:
                yield number, start, "".join(lines)
    if depth:
        yield number, start, ""  # never closed


def _scan_vcards(text: TextIO, name: str) -> tuple[int, tuple[str, ...]]:
    total = sum(1 for _ in _card_texts(text))
    if not total:
        raise ImportFileError(
            f"{name} holds no vCard (no BEGIN:VCARD line): is it really a .vcf file?"
        )
    return total, ()


def _vcard_records(text: TextIO) -> Iterator[RawContact | Unreadable]:
    import vobject  # only an import of vCards needs it

    for number, line, card_text in _card_texts(text):
        ref = f"card {number} (line {line})"
        if not card_text:
            yield Unreadable(ref, "the card is not closed with END:VCARD")
            continue
        try:
            card = vobject.readOne(card_text, allowQP=True)
            yield _vcard_contact(ref, card)
        except Exception as error:  # vobject raises many kinds; any means "unreadable"
            yield Unreadable(ref, f"the card cannot be read ({display_safe(error)})")


# vCard TYPE values (case-insensitive) -> our default picklist names. The export writes
# the reverse (export._EMAIL_TYPES and friends); the others are common in the wild.
_VCARD_EMAIL_TYPES = {"work": "Business", "home": "Personal"}
_VCARD_PHONE_TYPES = {"cell": "Mobile", "work": "Office", "home": "Home", "fax": "Fax"}
_VCARD_ADDRESS_TYPES = {"work": "Office", "home": "Personal"}


def _vcard_params(line: Any) -> tuple[list[str], bool]:
    """(TYPE values lower-case, preferred) of a content line, vCard 2.1 to 4.0."""
    types = [t.lower() for value in line.params.get("TYPE", ()) for t in value.split(",")]
    types += [t.lower() for t in getattr(line, "singletonparams", ())]  # 2.1: TEL;CELL;PREF
    preferred = "pref" in types or line.params.get("PREF", ["100"])[0] == "1"
    return types, preferred


def _vcard_type(types: list[str], known: dict[str, str]) -> str:
    return next((known[t] for t in types if t in known), "")


def _joined(part: Any) -> str:
    """An N or ADR component, which vobject gives as text or as a list of texts."""
    if isinstance(part, (list, tuple)):
        return " ".join(str(p) for p in part if p)
    return str(part or "")


def _vcard_contact(ref: str, card: Any) -> RawContact:
    contact = RawContact(ref, guessed_types=True)
    words: list[str] = []
    for line in card.getChildren():
        kind = line.name.upper()
        value = line.value
        if kind == "FN":
            contact.fields.setdefault("name", str(value))
        elif kind == "N":
            parts = (value.prefix, value.given, value.additional, value.family, value.suffix)
            words = " ".join(_joined(p) for p in parts).split()
        elif kind == "ORG":
            org = value[0] if isinstance(value, list) and value else value
            if org:
                contact.fields.setdefault("company", str(org))
        elif kind == "EMAIL" and str(value).strip():
            types, preferred = _vcard_params(line)
            kind_name = _vcard_type(types, _VCARD_EMAIL_TYPES)
            contact.emails.append({"email": str(value), "type": kind_name, "primary": preferred})
        elif kind == "TEL" and str(value).strip():
            types, preferred = _vcard_params(line)
            number = str(value).strip()
            if number.lower().startswith("tel:"):
                number = number[4:].split(";")[0]  # tel:+4930…;ext=12
            kind_name = _vcard_type(types, _VCARD_PHONE_TYPES)
            contact.phones.append({"number": number, "type": kind_name, "primary": preferred})
        elif kind == "ADR":
            types, preferred = _vcard_params(line)
            town = _joined(value.city)
            district = _joined(value.extended)
            fields = {
                "address": _joined(value.street) or _joined(value.box),
                "locality": district or town,
                "city": town,
                "state": _joined(value.region),
                "zip_code": _joined(value.code),
                "country": _joined(value.country),
            }
            if any(fields.values()):
                fields["type"] = _vcard_type(types, _VCARD_ADDRESS_TYPES)
                fields["primary"] = preferred
                contact.addresses.append(fields)
    full_name = " ".join(words)
    name = " ".join(str(contact.fields.get("name", "")).split())
    if not name:
        contact.fields["name"] = full_name
    elif full_name and full_name != name:
        # The export writes N from the full name when there is one, else from the name.
        contact.fields["full_name"] = full_name
    return contact


# ----- checking a contact -----------------------------------------------------------------


def _text(raw: RawContact, key: str, label: str, *, required: bool = False) -> str:
    value = raw.fields.get(key)
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RowRejected(f"{label} must be text, not {_json_kind(value)}")
    try:
        return clean_text(str(value), field=label, required=required)
    except ValidationError as error:
        raise RowRejected(str(error)) from None


def _from_list(typed: str, choices: tuple[str, ...], label: str) -> str:
    """`typed` as written in the picklist (case-insensitive); blank stays blank."""
    if not typed:
        return ""
    match = next((c for c in choices if c.casefold() == typed.casefold()), None)
    if match is None:
        raise RowRejected(
            f"{label} {shown(typed)} is not in the list; use one of: " + ", ".join(choices)
        )
    return match


def _template(config: LifecycleConfig, typed: str) -> Template:
    if not typed:
        return config.default
    wanted = typed.casefold()
    for template in config.templates:
        if wanted in (template.key.casefold(), template.name.casefold()):
            return template
    names = ", ".join(t.name for t in config.templates)
    raise RowRejected(f"Lifecycle {shown(typed)} is not one of: {names}")


def _step(template: Template, raw: RawContact) -> tuple[str, bool]:
    """(step key, closed) from stage_key or stage, by key or name; the first step if blank."""
    typed = [_text(raw, key, "Stage") for key in ("stage_key", "stage")]
    typed = [t for t in typed if t]
    if not typed:
        return template.first_step.key, template.first_step.is_closed
    for wanted in (t.casefold() for t in typed):
        for step in template.steps():
            if wanted in (step.key.casefold(), step.name.casefold()):
                return step.key, step.is_closed
    names = ", ".join(step.name for step in template.steps())
    raise RowRejected(
        f"Stage {shown(typed[-1])} is not a step of the lifecycle {shown(template.name)}; "
        f"use one of: {names}"
    )


def _scoring(raw: RawContact, config: LifecycleConfig) -> int | None:
    value = raw.fields.get("scoring")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (str, int, type(None))):
        raise RowRejected(f"Scoring must be a whole number, not {_json_kind(value)}")
    try:
        return normalize_scoring(value, config.scoring_min, config.scoring_max)
    except ValidationError as error:
        raise RowRejected(f"Scoring {shown(value)}: {error}") from None


def _name(raw: RawContact) -> str:
    name = _text(raw, "name", "Name")
    if not name:
        first = _text(raw, "first_name", "First name")
        last = _text(raw, "last_name", "Last name")
        name = " ".join(p for p in (first, last) if p)
    if not name:
        raise RowRejected("Name is required (the name is blank)")
    return name


_LABELS = {
    "email": ("E-mail", "email"),
    "phone": ("Phone number", "number"),
    "address": ("Address", "address"),
    "bank_account": ("Bank account", "name"),
}


def _records(
    service: ContactService, raw: RawContact, kind: str, records: list[dict[str, Any]]
) -> list[tuple[dict[str, str], bool]]:
    """Each record validated as the Details tab does: (clean values, primary), no repeats."""
    label, main = _LABELS[kind]
    choices: tuple[str, ...] = ()
    if kind != "bank_account":
        picklist = {"email": "email_types", "phone": "phone_types", "address": "address_types"}
        choices = getattr(service.config.picklists, picklist[kind])
    checked: list[tuple[dict[str, str], bool]] = []
    seen: set[str] = set()
    for record in records:
        values = {}
        for key, value in record.items():
            if key == "primary":
                continue
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise RowRejected(f"{label} {key} must be text, not {_json_kind(value)}")
            values[key] = str(value)
        kind_name = values.get("type", "")
        if raw.guessed_types and kind_name:
            # A type from a column name or a vCard TYPE: kept only where the picklist has it.
            values["type"] = next((c for c in choices if c.casefold() == kind_name.casefold()), "")
        try:
            clean = service.validate_record(kind, values).values
        except ValidationError as error:
            raise RowRejected(f"{label} {shown(values.get(main, ''))}: {error}") from None
        key = clean.get("email", clean.get("number", clean.get("iban", ""))).casefold()
        if kind == "address":
            key = "\n".join(clean[k].casefold() for k in sorted(clean) if k != "type")
        if key in seen:
            continue  # the same e-mail twice on one card: keep the first
        seen.add(key)
        checked.append((clean, bool(record.get("primary"))))
    return checked


def _with_one_primary(records: list[tuple[dict[str, str], bool]]) -> list[tuple[dict, bool]]:
    """The first record marked primary stays primary, else the first one (as the app does)."""
    chosen = next((n for n, (_, primary) in enumerate(records) if primary), 0)
    return [(values, n == chosen) for n, (values, _) in enumerate(records)]


def check_contact(raw: RawContact, service: ContactService) -> ContactDraft:
    """Validate every value of a record as typing it in the app would; RowRejected if any
    is bad (the message names the field, the value and why)."""
    config = service.config
    name = _name(raw)
    full_name = _text(raw, "full_name", "Full name")
    company = _text(raw, "company", "Company")
    if company.casefold() in TENANT_WIDE_NAMES:
        company = ""
    template = _template(config, _text(raw, "lifecycle", "Lifecycle"))
    stage, closed = _step(template, raw)
    picklists = config.picklists
    segmentation = _from_list(
        _text(raw, "segmentation", "Segmentation"), picklists.segmentation, "Segmentation"
    )
    reason_code = _from_list(
        _text(raw, "reason_code", "Reason code"), picklists.reason_codes, "Reason code"
    )
    scoring = _scoring(raw, config)
    accounts: list[str] = []
    for account in raw.fields.get("accounts", ()):
        if not isinstance(account, str):
            raise RowRejected(f"Assigned accounts must be names, not {_json_kind(account)}")
        try:
            account = clean_text(account, field="Account name")
        except ValidationError as error:
            raise RowRejected(str(error)) from None
        if account and account not in accounts:
            accounts.append(account)
    archived = raw.fields.get("archived", False)
    if not isinstance(archived, bool):
        raise RowRejected(f"archived must be true or false, not {_json_kind(archived)}")
    emails = _with_one_primary(_records(service, raw, "email", raw.emails))
    phones = _with_one_primary(_records(service, raw, "phone", raw.phones))
    addresses = _with_one_primary(_records(service, raw, "address", raw.addresses))
    banks = _records(service, raw, "bank_account", raw.bank_accounts)
    return ContactDraft(
        ref=raw.ref,
        name=name,
        full_name=full_name,
        company=company or None,
        template=template.key,
        stage=stage,
        closed=closed,
        segmentation=segmentation,
        scoring=scoring,
        reason_code=reason_code,
        accounts=tuple(accounts),
        archived=archived,
        emails=tuple((v["email"], v["type"], primary) for v, primary in emails),
        phones=tuple((v["number"], v["typed"], v["type"], primary) for v, primary in phones),
        addresses=tuple({**v, "is_primary": primary} for v, primary in addresses),
        bank_accounts=tuple((v["name"], v["iban"], v["bic"]) for v, _ in banks),
    )
