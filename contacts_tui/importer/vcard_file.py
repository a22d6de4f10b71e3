"""Read a vCard file (2.1 to 4.0) card by card; vobject is imported only when one is read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, TextIO

from contacts_tui.importer.shared import ImportFileError, RawContact, Unreadable
from contacts_tui.safe_text import display_safe

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
