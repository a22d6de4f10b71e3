"""The export's reads: the view's contacts a page at a time, with their records.

A page comes as plain tuples (`ExportPage`), as the driver gives them: the CSV export
writes its cells straight from them, since a frozen dataclass per contact and per
record cost more than writing the file. `ExportPage.contacts` builds the list's
`ContactRow` and a `ContactCard` for the formats that want every field (JSON, vCard,
the address-book CSV profiles).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar, overload

import peewee

from contacts_tui.services.results import ContactRow
from contacts_tui.store import csv_lines, export_rows, listing
from contacts_tui.store.database import with_connection
from contacts_tui.store.listing import ContactFilter
from contacts_tui.store.models import PROFILE_COLUMNS, Contact

if TYPE_CHECKING:
    from contacts_tui.services import ContactCard, ContactService

EXTRA_FIELDS = (
    Contact.uid,
    Contact.created_at,
    Contact.created_by,
    Contact.updated_by,
    Contact.version,
    *(getattr(Contact, key) for key in PROFILE_COLUMNS),
)
"""Read after the list's columns (listing.ROW_FIELDS) and the sort value."""

UID = len(listing.ROW_FIELDS) + 1
"""Where EXTRA_FIELDS start in a row; the profile columns follow at PROFILE."""
PROFILE = UID + 5

LINE_FIELDS = (Contact.id, Contact.name_key)
"""A page of SQLite-written lines reads these (the sort key's) before the sort value and
the line, not the list's columns: the lines hold every cell."""


@overload
def stored_time(value: datetime | str) -> datetime: ...
@overload
def stored_time(value: None) -> None: ...


def stored_time(value: datetime | str | None) -> datetime | None:
    """A time as the driver gives it (SQLite: text) as a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


T = TypeVar("T")


def _flagged(record: Callable[..., T], row: tuple) -> T:
    """A record from its columns, the last one a primary flag (0 or 1 on SQLite)."""
    return record(*row[:-1], bool(row[-1]))


@dataclass(frozen=True)
class ExportPage:
    """Contacts of the view in order, and their records by contact id, as tuples.

    `rows`: listing.ROW_FIELDS, the sort value, then EXTRA_FIELDS. The records have
    store.export_rows.CHILD_COLUMNS; banks, documents and history only when asked for.
    """

    rows: tuple[tuple, ...]
    accounts: dict[int, tuple[str, ...]]
    emails: dict[int, list[tuple]]
    phones: dict[int, list[tuple]]
    addresses: dict[int, list[tuple]]
    banks: dict[int, list[tuple]]
    documents: dict[int, list[tuple]]
    history: dict[int, list[tuple]]
    has_more: bool
    # The plain CSV's line of each row (store.csv_lines), when SQLite wrote them; the
    # records are not read then, and `rows` are LINE_FIELDS, the sort value and the line.
    lines: tuple[str, ...] | None = None

    @property
    def after(self) -> tuple | None:
        """The sort key the next page continues from."""
        if not self.rows:
            return None
        last = self.rows[-1]
        if self.lines is not None:
            return (last[2], last[1], last[0])
        return (last[15], last[14], last[0])

    def contacts(self) -> Iterator[tuple[ContactRow, ContactCard]]:
        """Each row as the list's ContactRow, with its ContactCard."""
        from contacts_tui.services.details import (
            AddressInfo,
            BankAccountInfo,
            ContactCard,
            DocumentInfo,
            EmailInfo,
            PhoneInfo,
            StageChangeInfo,
        )

        for r in self.rows:
            i = r[0]
            row = ContactRow(
                id=i,
                name=r[1],
                full_name=r[2],
                email=r[3],
                phone=r[4],
                company=r[5],
                status=r[6],
                stage=r[7],
                template=r[8],
                segmentation=r[9],
                scoring=r[10],
                reason_code=r[11],
                updated_at=stored_time(r[12]),
                archived=bool(r[13]),
                accounts=self.accounts.get(i, ()),
                sort_key=(r[15], r[14], i),
            )
            profile = r[PROFILE : PROFILE + len(PROFILE_COLUMNS)]
            card = ContactCard(
                emails=tuple(_flagged(EmailInfo, e) for e in self.emails.get(i, ())),
                phones=tuple(_flagged(PhoneInfo, p) for p in self.phones.get(i, ())),
                addresses=tuple(_flagged(AddressInfo, a) for a in self.addresses.get(i, ())),
                bank_accounts=tuple(BankAccountInfo(*b) for b in self.banks.get(i, ())),
                documents=tuple(
                    DocumentInfo(d[0], d[1], d[2], d[3], d[4], d[5], stored_time(d[6]), d[7])
                    for d in self.documents.get(i, ())
                ),
                stage_history=tuple(
                    StageChangeInfo(f, t, stored_time(at), by)
                    for f, t, at, by in self.history.get(i, ())
                ),
                profile=tuple((k, v) for k, v in zip(PROFILE_COLUMNS, profile, strict=True) if v),
                uid=r[UID],
                created_at=stored_time(r[UID + 1]),
                created_by=r[UID + 2],
                updated_by=r[UID + 3],
                version=r[UID + 4],
            )
            yield row, card


@with_connection
def export_page(
    service: ContactService,
    contact_filter: ContactFilter,
    sort: str,
    descending: bool,
    after: tuple | None,
    limit: int,
    full: bool = True,
    line: peewee.Node | None = None,
) -> ExportPage:
    """The next `limit` contacts of the view after the sort key `after`, with their
    e-mails, phones, addresses and accounts; with `full` their bank accounts, documents'
    metadata and stage history too (a CSV has no column for them).

    `line`: the plain CSV's line (store.csv_lines.line_column), read instead of the
    records; a page with a line SQL could not write is read the other way.
    """
    if line is not None:
        rows = listing.page(
            service.view_condition(contact_filter),
            sort,
            descending,
            after,
            limit + 1,
            extra=(line,),
            raw=True,
            fields=LINE_FIELDS,
        )
        lines = tuple(r[-1] for r in rows[:limit])
        if not any(map(csv_lines.needs_python, lines)):
            nothing: dict[int, list[tuple]] = {}
            return ExportPage(
                rows=tuple(rows[:limit]),
                accounts={},
                emails=nothing,
                phones=nothing,
                addresses=nothing,
                banks=nothing,
                documents=nothing,
                history=nothing,
                has_more=len(rows) > limit,
                lines=lines,
            )
    rows = listing.page(
        service.view_condition(contact_filter),
        sort,
        descending,
        after,
        limit + 1,
        extra=EXTRA_FIELDS,
        raw=True,
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    ids = [r[0] for r in rows]

    def read(table: str) -> dict[int, list[tuple]]:
        return export_rows.children(table, ids) if full else {}

    return ExportPage(
        rows=tuple(rows),
        accounts=export_rows.account_names(ids),
        emails=export_rows.children("email", ids),
        phones=export_rows.children("phone", ids),
        addresses=export_rows.children("address", ids),
        banks=read("bank_account"),
        documents=read("document"),
        history=read("stage_change"),
        has_more=has_more,
    )
