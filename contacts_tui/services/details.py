"""What the services of the detail screens return: a contact and its records.

Loaded on first use (see `contacts_tui.services.__getattr__`), not with the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
    job_title: str = ""
    department: str = ""
    website: str = ""
    birthday: str = ""  # 1985-04-12, or --04-12 without the year
    nickname: str = ""
    notes: str = ""
    uid: str = ""  # the id another address book gave it (import reads, export writes)
    accounts: tuple[AccountInfo, ...] = ()
    emails: tuple[EmailInfo, ...] = ()
    phones: tuple[PhoneInfo, ...] = ()
    addresses: tuple[AddressInfo, ...] = ()
    bank_accounts: tuple[BankAccountInfo, ...] = ()
    documents: tuple[DocumentInfo, ...] = ()
    stage_history: tuple[StageChangeInfo, ...] = ()  # oldest first
    audit: tuple[AuditInfo, ...] = ()  # newest first


@dataclass(frozen=True)
class ContactCard:
    """What an address book needs of a contact beyond its list row."""

    emails: tuple[EmailInfo, ...] = ()
    phones: tuple[PhoneInfo, ...] = ()
    addresses: tuple[AddressInfo, ...] = ()
    # What a lossless export needs beyond an address book's fields:
    bank_accounts: tuple[BankAccountInfo, ...] = ()
    documents: tuple[DocumentInfo, ...] = ()  # their metadata; the files stay in documents/
    stage_history: tuple[StageChangeInfo, ...] = ()  # oldest first
    profile: tuple[tuple[str, str], ...] = ()  # (PROFILE_COLUMNS name, value), blanks left out
    uid: str = ""
    created_at: datetime | None = None
    created_by: str = ""
    updated_by: str = ""
    version: int = 1

    def profile_value(self, key: str) -> str:
        return dict(self.profile).get(key, "")
