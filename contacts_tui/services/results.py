"""What the services return: frozen dataclasses, and the errors they raise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class NotFoundError(LookupError):
    """The contact (or record) no longer exists, e.g. another user deleted it."""


@dataclass(frozen=True)
class ContactRow:
    """One row of the contact list."""

    id: int
    name: str
    full_name: str
    email: str
    phone: str
    company: str  # "" = Tenant-Wide
    status: str
    stage: str
    template: str
    segmentation: str
    scoring: int | None
    reason_code: str
    updated_at: datetime
    archived: bool
    accounts: tuple[str, ...]
    sort_key: tuple  # (sort value, name key, id): where the next page continues


@dataclass(frozen=True)
class Page:
    rows: tuple[ContactRow, ...]
    has_more: bool  # more rows lie beyond this page in the direction it was read


@dataclass(frozen=True)
class CategoryCount:
    key: str
    name: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    total: int
    open: int
    closed: int
    categories: tuple[CategoryCount, ...]
    missing_primary: int  # contacts without a primary e-mail or phone
    unknown_stage: int  # contacts whose step is no longer in lifecycle.toml


@dataclass(frozen=True)
class CompanyInfo:
    id: int
    name: str


@dataclass(frozen=True)
class AccountInfo:
    id: int
    name: str
    archived: bool = False
    contacts: int = 0


@dataclass(frozen=True)
class EmailInfo:
    id: int
    email: str
    type: str
    is_primary: bool


@dataclass(frozen=True)
class PhoneInfo:
    id: int
    number: str
    typed: str
    type: str
    is_primary: bool


@dataclass(frozen=True)
class AddressInfo:
    id: int
    address: str
    country: str
    state: str
    city: str
    zip_code: str
    locality: str
    type: str
    is_primary: bool


@dataclass(frozen=True)
class BankAccountInfo:
    id: int
    name: str
    iban: str
    bic: str


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    file_name: str
    doc_type: str
    size: int
    media_type: str
    sha256: str
    uploaded_at: datetime
    uploaded_by: str


@dataclass(frozen=True)
class StageChangeInfo:
    from_stage: str
    to_stage: str
    at: datetime
    by: str


@dataclass(frozen=True)
class AuditInfo:
    at: datetime
    by: str
    field: str
    old_value: str
    new_value: str


@dataclass(frozen=True)
class ContactDetail:
    """A contact with everything that belongs to it, as read in one go."""

    id: int
    name: str
    full_name: str
    scoring: int | None
    segmentation: str
    reason_code: str
    company: CompanyInfo | None  # None = Tenant-Wide
    template: str
    stage: str
    status: str
    archived: bool
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    accounts: tuple[AccountInfo, ...] = ()
    emails: tuple[EmailInfo, ...] = ()
    phones: tuple[PhoneInfo, ...] = ()
    addresses: tuple[AddressInfo, ...] = ()
    bank_accounts: tuple[BankAccountInfo, ...] = ()
    documents: tuple[DocumentInfo, ...] = ()
    stage_history: tuple[StageChangeInfo, ...] = ()  # oldest first
    audit: tuple[AuditInfo, ...] = ()  # newest first


class ConflictError(Exception):
    """Someone saved the contact since it was read; `current` holds what they saved."""

    def __init__(self, current: ContactDetail):
        super().__init__(
            f"{current.updated_by or 'Someone'} changed this contact at "
            f"{current.updated_at:%Y-%m-%d %H:%M} UTC since you opened it."
        )
        self.current = current


@dataclass(frozen=True)
class ContactCard:
    """What an address book needs of a contact beyond its list row."""

    emails: tuple[EmailInfo, ...] = ()
    phones: tuple[PhoneInfo, ...] = ()
    addresses: tuple[AddressInfo, ...] = ()
