"""Read a CSV file: our export's columns, and the names other CRMs and address books use."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import TextIO

from contacts_tui.csv_guard import unguard
from contacts_tui.importer.shared import ImportFileError, RawContact, Unreadable
from contacts_tui.safe_text import display_safe


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
    """Undo the export's formula guard: `'=SUM(A1)` was `=SUM(A1)` (see csv_guard)."""
    return unguard(cell) if "'" in cell else cell


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
