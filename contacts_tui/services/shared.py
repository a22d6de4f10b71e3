"""Helpers every part of the services uses: reading a contact, writing it, its list columns."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any

from contacts_tui.derived import DERIVED_COLUMNS, SEARCHED_PROFILE_FIELDS, derived_columns
from contacts_tui.services.results import ConflictError, NotFoundError
from contacts_tui.store import contact_reads
from contacts_tui.store.database import with_connection
from contacts_tui.store.listing import TENANT_WIDE, ContactFilter
from contacts_tui.store.models import (
    Account,
    AuditEntry,
    Company,
    Contact,
    ContactAccount,
    Email,
    Phone,
    utc_now,
)
from contacts_tui.store.rows import tuples
from contacts_tui.store.search import write_word_index
from contacts_tui.validation import clean_text

if TYPE_CHECKING:
    from contacts_tui.services.details import AddressInfo, ContactDetail

DEFAULT_VIEW = ContactFilter()
"""Every contact that is not archived."""

STATUS_OPEN = "Open"
STATUS_CLOSED = "Closed"


def status_of(closed: bool) -> str:
    return STATUS_CLOSED if closed else STATUS_OPEN


def audit_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def resolve_company(company: int | str | None) -> Company | None:
    """A company row from an id or a name (created when new); None stays Tenant-Wide."""
    if company is None or company == TENANT_WIDE:
        return None
    if isinstance(company, int):
        row = Company.get_or_none(Company.id == company)
        if row is None:
            raise NotFoundError(f"Company {company} no longer exists.")
        return row
    name = clean_text(company, field="Company", required=True)
    row = Company.get_or_none(Company.name == name)
    return row or Company.create(name=name)


@with_connection
def contact_exists(contact_id: int) -> None:
    """Raises NotFoundError when the contact is not (or no longer) in the database."""
    if not Contact.select().where(Contact.id == contact_id).exists():
        raise NotFoundError(f"Contact {contact_id} no longer exists.")


def set_accounts(contact_id: int, account_ids: tuple[int, ...]) -> None:
    ContactAccount.delete().where(ContactAccount.contact == contact_id).execute()
    if account_ids:
        ContactAccount.insert_many(
            [{"contact": contact_id, "account": a} for a in account_ids]
        ).execute()


def account_ids(accounts: tuple[int | str, ...]) -> tuple[int, ...]:
    """Account ids, in the caller's transaction: a name is an account to create (or the
    one of that name, should someone have created it meanwhile)."""
    ids = []
    for account in accounts:
        if isinstance(account, str):
            row = Account.get_or_none(Account.name == account) or Account.create(name=account)
            account = row.id
        ids.append(account)
    return tuple(dict.fromkeys(ids))


def account_names(account_ids: tuple[int, ...]) -> list[str]:
    if not account_ids:
        return []
    query = Account.select(Account.name).where(Account.id.in_(account_ids)).order_by(Account.name)
    return [name for (name,) in tuples(query)]


def write_audit(contact_id: int, user: str, changes: list[tuple[str, str, str]]) -> datetime:
    """Audit entries (field, old value, new value) of one change, in the caller's
    transaction; returns the time they carry."""
    now = utc_now()
    AuditEntry.insert_many(
        [
            {
                "contact": contact_id,
                "at": now,
                "by": user,
                "field": field,
                "old_value": old,
                "new_value": new,
            }
            for field, old, new in changes
        ]
    ).execute()
    return now


def write_contact(contact_id: int, version: int, updates: dict, user: str) -> None:
    """Apply `updates`, bump the version; the WHERE on version makes a race a conflict."""
    changed = (
        Contact.update(
            **updates,
            version=Contact.version + 1,
            updated_at=utc_now(),
            updated_by=user,
        )
        .where((Contact.id == contact_id) & (Contact.version == version))
        .execute()
    )
    if changed != 1:
        raise ConflictError(read_contact(contact_id))


def refresh_derived(contact_id: int) -> None:
    """Recompute the list columns and the search document from the contact's records.

    Called inside the transaction of every change to a contact, its e-mails, phones or
    company; writes only what changed, so the FTS trigger fires only when it must.
    """
    searched = [getattr(Contact, key) for key in SEARCHED_PROFILE_FIELDS]
    derived = [getattr(Contact, column) for column in DERIVED_COLUMNS]
    contact = (
        Contact.select(Contact.name, Contact.full_name, Contact.company_name, *searched, *derived)
        .where(Contact.id == contact_id)
        .tuples()
        .first()
    )
    if contact is None:
        raise NotFoundError(f"Contact {contact_id} no longer exists.")
    name, full_name, company_name = contact[:3]
    profile = dict(zip(SEARCHED_PROFILE_FIELDS, contact[3 : 3 + len(searched)], strict=True))
    old = contact[3 + len(searched) :]
    emails = (
        Email.select(Email.email, Email.is_primary)
        .where(Email.contact == contact_id)
        .order_by(Email.id)
        .tuples()
    )
    phones = (
        Phone.select(Phone.number, Phone.is_primary)
        .where(Phone.contact == contact_id)
        .order_by(Phone.id)
        .tuples()
    )
    new = derived_columns(name, full_name, company_name, tuples(emails), tuples(phones), profile)
    updates = {c: v for c, v, o in zip(DERIVED_COLUMNS, new, old, strict=True) if v != o}
    if updates:
        Contact.update(**updates).where(Contact.id == contact_id).execute()
    if "search_doc" in updates:
        write_word_index([(contact_id, updates["search_doc"])])


def read_contact(contact_id: int, history: bool = True) -> ContactDetail:
    """The contact with its records, documents, stage history and audit log: three
    statements (see store.contact_reads), whatever it holds. Without `history`, two:
    no documents, stage history or audit log (empty), for a writer that only compares."""
    from contacts_tui.services.details import (  # on first use: see services.__getattr__
        AccountInfo,
        AddressInfo,
        AuditInfo,
        BankAccountInfo,
        CompanyInfo,
        ContactDetail,
        DocumentInfo,
        EmailInfo,
        PhoneInfo,
        StageChangeInfo,
    )

    row = contact_reads.contact_row(contact_id)
    if row is None:
        raise NotFoundError(f"Contact {contact_id} no longer exists.")
    company_id = row.company_id  # type: ignore[attr-defined]  # peewee's foreign-key id
    company = CompanyInfo(company_id, row.company_name) if company_id is not None else None
    records: dict[str, list[contact_reads.RecordRow]] = {}
    for record in contact_reads.records_of(contact_id):
        records.setdefault(record.kind, []).append(record)
    for kind, rows in records.items():
        if kind == "account":
            rows.sort(key=lambda r: r.texts[0])
        else:  # primary first, then oldest first
            rows.sort(key=lambda r: (not r.flag, r.id))
    events: dict[str, list[contact_reads.EventRow]] = {}
    for event in contact_reads.events_of(contact_id) if history else ():
        events.setdefault(event.kind, []).append(event)
    documents = sorted(events.get("document", ()), key=lambda e: e.id)
    stages = sorted(events.get("stage", ()), key=lambda e: (e.at, e.id))
    audit = sorted(events.get("audit", ()), key=lambda e: (e.at, e.id), reverse=True)
    return ContactDetail(
        id=row.id,
        name=row.name,
        full_name=row.full_name,
        scoring=row.scoring,
        segmentation=row.segmentation,
        reason_code=row.reason_code,
        company=company,
        template=row.template,
        stage=row.stage,
        status=row.status,
        archived=row.archived,
        version=row.version,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        job_title=row.job_title,
        department=row.department,
        website=row.website,
        birthday=row.birthday,
        nickname=row.nickname,
        notes=row.notes,
        uid=row.uid,
        accounts=tuple(AccountInfo(r.id, r.texts[0], r.flag) for r in records.get("account", ())),
        emails=tuple(
            EmailInfo(r.id, r.texts[0], r.texts[1], r.flag) for r in records.get("email", ())
        ),
        phones=tuple(
            PhoneInfo(r.id, r.texts[0], r.texts[1], r.texts[2], r.flag)
            for r in records.get("phone", ())
        ),
        addresses=tuple(_address(AddressInfo, r) for r in records.get("address", ())),
        bank_accounts=tuple(
            BankAccountInfo(r.id, r.texts[0], r.texts[1], r.texts[2])
            for r in records.get("bank_account", ())
        ),
        documents=tuple(
            DocumentInfo(e.id, e.texts[0], e.texts[1], e.size, e.texts[2], e.texts[3], e.at, e.by)
            for e in documents
        ),
        stage_history=tuple(StageChangeInfo(e.texts[0], e.texts[1], e.at, e.by) for e in stages),
        audit=tuple(AuditInfo(e.at, e.by, e.texts[0], e.texts[1], e.texts[2]) for e in audit),
    )


def _address(info: type[AddressInfo], r: contact_reads.RecordRow) -> AddressInfo:
    address, country, state, city, zip_code, locality, kind = r.texts[:7]
    return info(r.id, address, country, state, city, zip_code, locality, kind, r.flag)


def children_of(model: Any, info: Any, contact_id: int) -> tuple:
    """The child rows of a contact as `info` dataclasses, primary first, oldest first.
    (`model`: a peewee model with the dataclass's fields as columns.)"""
    names = [f.name for f in dataclasses.fields(info)]
    columns = [getattr(model, n) for n in names]
    order = [model.is_primary.desc(), model.id] if hasattr(model, "is_primary") else [model.id]
    query = model.select(*columns).where(model.contact == contact_id).order_by(*order)
    return tuple(info(*r) for r in tuples(query))


def children_by_contact(model: Any, info: Any, contact_ids: list[int]) -> dict[int, list]:
    """The child rows of many contacts, one query, grouped by contact in `children_of`'s order."""
    if not contact_ids:
        return {}
    names = [f.name for f in dataclasses.fields(info)]
    query = (
        model.select(model.contact, *(getattr(model, n) for n in names))
        .where(model.contact.in_(contact_ids))
        .order_by(model.contact, model.is_primary.desc(), model.id)
        .tuples()
    )
    grouped: dict[int, list] = {}
    for contact_id, *values in tuples(query):
        grouped.setdefault(contact_id, []).append(info(*values))
    return grouped
