"""Read a JSON file (a list of contacts, as our export writes) as a stream, item by item."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

from contacts_tui.importer.shared import (
    ImportFileError,
    RawContact,
    RowRejected,
    Unreadable,
    _json_kind,
)
from contacts_tui.safe_text import display_safe

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A JSON value cut by the end of the buffer fails close to the end (a literal like
# `fals`, a number, an escape); further back, the error is real.
_CUT_MARGIN = 12


class _JsonReader:
    """Items of a top-level JSON list, decoded one at a time from a text stream."""

    def __init__(self, text: TextIO, name: str, chunk_size: int) -> None:
        self.text = text
        self.name = name
        self.chunk_size = chunk_size  # the package's CHUNK_SIZE, passed at each read
        self.buffer = ""
        self.pos = 0
        self.lines = 0  # newlines before `counted`
        self.counted = 0  # where in the buffer the newlines have been counted up to
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.text.read(self.chunk_size)
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
            # `*`: the pattern matches everywhere, an empty run too.
            self.pos = _WHITESPACE.match(self.buffer, self.pos).end()  # type: ignore[union-attr]
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
            except RecursionError:  # Python's decoder recurses once per level of nesting
                raise self._fail("lists or objects nested too deeply", self.pos) from None
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


def _json_items(text: TextIO, name: str, chunk_size: int) -> Iterator[tuple[int, Any]]:
    return _JsonReader(text, name, chunk_size).items()


_JSON_FIELDS = (
    "uid",
    "lifecycle_key",
    "job_title",
    "department",
    "website",
    "birthday",
    "nickname",
    "notes",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "version",
    "stage_history",
    "documents",
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
    "phones": ("number", "typed", "type"),
    "addresses": ("address", "locality", "city", "state", "zip_code", "country", "type"),
    "bank_accounts": ("name", "iban", "bic"),
}


def _json_records(text: TextIO, name: str, chunk_size: int) -> Iterator[RawContact | Unreadable]:
    for index, (line, item) in enumerate(_json_items(text, name, chunk_size), start=1):
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
