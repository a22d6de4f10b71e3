"""The export's reads: the records of a page of contacts, as the driver gives them.

An export reads a million contacts a page at a time. Each child table is read with one
plain statement per page (ids bound as parameters), not a peewee query: building an
`IN` of thousands of values as peewee nodes and converting every value of every row
were most of a CSV export's time.
"""

from __future__ import annotations

from collections.abc import Iterator

from contacts_tui.store.models import database

IDS_PER_QUERY = 500
"""Ids bound in one statement (SQLite before 3.32 allowed 999 parameters)."""

CHILD_COLUMNS = {
    "email": ("id", "email", "type", "is_primary"),
    "phone": ("id", "number", "typed", "type", "is_primary"),
    "address": (
        "id",
        "address",
        "country",
        "state",
        "city",
        "zip_code",
        "locality",
        "type",
        "is_primary",
    ),
    "bank_account": ("id", "name", "iban", "bic"),
    "document": (
        "id",
        "file_name",
        "doc_type",
        "size",
        "media_type",
        "sha256",
        "uploaded_at",
        "uploaded_by",
    ),
    "stage_change": ("from_stage", "to_stage", "at", "by"),
}
"""Each child table's columns as the export reads them (contact_id first, then these)."""

_ORDER = {
    "email": '"is_primary" DESC, "id"',
    "phone": '"is_primary" DESC, "id"',
    "address": '"is_primary" DESC, "id"',
    "bank_account": '"id"',
    "document": '"id"',
    "stage_change": '"at", "id"',
}


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), IDS_PER_QUERY):
        yield ids[start : start + IDS_PER_QUERY]


def children(table: str, contact_ids: list[int]) -> dict[int, list[tuple]]:
    """contact id -> its rows of `table` (CHILD_COLUMNS), primary first, then oldest."""
    columns = ", ".join(f'"{c}"' for c in CHILD_COLUMNS[table])
    grouped: dict[int, list[tuple]] = {}
    for chunk in _chunks(contact_ids):
        marks = ", ".join([database.param] * len(chunk))
        cursor = database.execute_sql(
            f'SELECT "contact_id", {columns} FROM "{table}" WHERE "contact_id" IN ({marks}) '
            f'ORDER BY "contact_id", {_ORDER[table]}',
            chunk,
        )
        for row in cursor:
            grouped.setdefault(row[0], []).append(row[1:])
    return grouped


def account_names(contact_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """contact id -> the names of its assigned accounts, in name order."""
    grouped: dict[int, list[str]] = {}
    for chunk in _chunks(contact_ids):
        marks = ", ".join([database.param] * len(chunk))
        cursor = database.execute_sql(
            'SELECT ca."contact_id", a."name" FROM "contact_account" ca '
            'JOIN "account" a ON a."id" = ca."account_id" '
            f'WHERE ca."contact_id" IN ({marks}) ORDER BY a."name"',
            chunk,
        )
        for contact_id, name in cursor:
            grouped.setdefault(contact_id, []).append(name)
    return {contact_id: tuple(names) for contact_id, names in grouped.items()}
