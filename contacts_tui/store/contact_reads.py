"""One contact with everything that belongs to it, in three statements.

Opening a contact runs on every enter in the list, so its reads are few and fixed:
the contact's own row, then its records (accounts, e-mails, phones, addresses, bank
accounts) in one UNION ALL, then its documents, stage history and audit log in
another. Each branch of a union fills the same columns; what a kind lacks is an empty
string, so the text columns keep one type on PostgreSQL too.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import peewee
from peewee import Value

from contacts_tui.store.models import (
    Account,
    Address,
    AuditEntry,
    BankAccount,
    Company,
    Contact,
    ContactAccount,
    Document,
    Email,
    Phone,
    StageChange,
)


class RecordRow(NamedTuple):
    """A record of a contact: which kind, its id, its primary (or archived) flag, texts."""

    kind: str
    id: int
    flag: bool
    texts: tuple[str, ...]


class EventRow(NamedTuple):
    """A document, stage change or audit entry: kind, id, when, by whom, texts, size."""

    kind: str
    id: int
    at: object
    by: str
    texts: tuple[str, ...]
    size: int


RECORD_TEXTS = 7
"""Text columns of the records' union: an address fills all seven."""
EVENT_TEXTS = 4
"""Text columns of the events' union: a document fills all four."""


def contact_row(contact_id: int) -> Contact | None:
    """The contact's own row, with its company's id and name (None: no such contact)."""
    return (
        Contact.select(Contact, Company.id, Company.name)
        .join(Company, peewee.JOIN.LEFT_OUTER)
        .where(Contact.id == contact_id)
        .objects()
        .first()
    )


def _texts(*columns: peewee.Node, width: int) -> list[peewee.Node]:
    return [*columns, *(Value("") for _ in range(width - len(columns)))]


def _branch(model: Any, kind: str, contact_id: int, *columns: peewee.Node) -> peewee.Select:
    """One branch of a union: the kind, the row's id, then `columns`, of one contact."""
    return model.select(Value(kind), model.id, *columns).where(model.contact == contact_id)


def records_of(contact_id: int) -> list[RecordRow]:
    """Assigned accounts, e-mails, phones, addresses and bank accounts of one contact, in
    one statement, in no particular order (the caller orders each kind)."""

    def padded(*columns: peewee.Node) -> list[peewee.Node]:
        return _texts(*columns, width=RECORD_TEXTS)

    accounts = (
        Account.select(Value("account"), Account.id, Account.archived, *padded(Account.name))
        .join(ContactAccount)
        .where(ContactAccount.contact == contact_id)
    )
    union = (
        accounts
        + _branch(Email, "email", contact_id, Email.is_primary, *padded(Email.email, Email.type))
        + _branch(
            Phone,
            "phone",
            contact_id,
            Phone.is_primary,
            *padded(Phone.number, Phone.typed, Phone.type),
        )
        + _branch(
            Address,
            "address",
            contact_id,
            Address.is_primary,
            *padded(
                Address.address,
                Address.country,
                Address.state,
                Address.city,
                Address.zip_code,
                Address.locality,
                Address.type,
            ),
        )
        + _branch(
            BankAccount,
            "bank_account",
            contact_id,
            Value(False),
            *padded(BankAccount.name, BankAccount.iban, BankAccount.bic),
        )
    )
    return [
        RecordRow(kind, record_id, bool(flag), tuple(texts))
        for kind, record_id, flag, *texts in union.tuples()
    ]


def events_of(contact_id: int) -> list[EventRow]:
    """Documents, stage history and audit log of one contact, in one statement, in no
    particular order (the caller orders each kind as it shows it)."""

    def padded(*columns: peewee.Node) -> list[peewee.Node]:
        return _texts(*columns, width=EVENT_TEXTS)

    union = (
        _branch(
            Document,
            "document",
            contact_id,
            Document.uploaded_at,
            Document.uploaded_by,
            *padded(Document.file_name, Document.doc_type, Document.media_type, Document.sha256),
            Document.size,
        )
        + _branch(
            StageChange,
            "stage",
            contact_id,
            StageChange.at,
            StageChange.by,
            *padded(StageChange.from_stage, StageChange.to_stage),
            Value(0),
        )
        + _branch(
            AuditEntry,
            "audit",
            contact_id,
            AuditEntry.at,
            AuditEntry.by,
            *padded(AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value),
            Value(0),
        )
    )
    at = Document.uploaded_at  # the union's rows are read as the first branch's columns
    return [
        EventRow(kind, event_id, at.python_value(when), by, tuple(texts), int(size or 0))
        for kind, event_id, when, by, *texts, size in union.tuples()
    ]
