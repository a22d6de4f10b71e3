"""What every reader of an import file yields or raises, and how a value is quoted in a message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contacts_tui.safe_text import display_safe

_SHOWN_LENGTH = 60


class ImportFileError(Exception):
    """The file cannot be imported at all; the message is one sentence for the user."""


class RowRejected(Exception):
    """One contact of the file cannot be imported; the message says why, in plain words."""


@dataclass
class RawContact:
    """One record as the file has it, in the same shape whatever the format.

    Not frozen: the readers fill its dict and lists in place, and a frozen dataclass
    sets each of its nine fields through object.__setattr__ (1.6 us of every record).

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
    # Values of the file this app has no field for (a vCard AGENT, a column of no
    # meaning here): (field as the file names it, value, why): kept in the notes.
    unread: list[tuple[str, str, str]] = field(default_factory=list)
    # Files the contact carries (a vCard PHOTO): (file name, media type, bytes).
    documents: list[tuple[str, str, bytes]] = field(default_factory=list)


@dataclass(frozen=True)
class ValueReport:
    """A value of the file that could not be stored as it is; kept in the contact's notes."""

    field: str  # as a person names it: "Phone", "Country", "Birthday"
    value: str  # verbatim from the file
    reason: str

    def __str__(self) -> str:
        return f"{self.field} {shown(self.value)}: {self.reason}"


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
    profile: tuple[tuple[str, str], ...] = ()  # (PROFILE_COLUMNS name, value), notes included
    reports: tuple[ValueReport, ...] = ()  # values not stored as they were (kept in notes)
    uid: str = ""  # the file's own id of the contact (vCard UID, our export's id)
    documents: tuple[tuple[str, str, bytes], ...] = ()
    # Our JSON export's own history of the contact, restored as it was:
    history: tuple[tuple[str, str, str, str], ...] = ()  # (from, to, at, by), oldest first
    stamps: tuple[str, str, str, str, int] | None = None  # created at/by, updated at/by, version
    document_rows: tuple[dict[str, Any], ...] = ()  # documents' metadata (the files are not in it)

    def profile_value(self, key: str) -> str:
        return dict(self.profile).get(key, "")

    @property
    def primary_email(self) -> str:
        return next((e for e, _, primary in self.emails if primary), "")

    @property
    def primary_phone(self) -> str:
        return next((n for n, _, _, primary in self.phones if primary), "")


def shown(value: object) -> str:
    """A value from the file, quoted for a message: safe for a terminal and not too long."""
    text = display_safe(value)
    if len(text) > _SHOWN_LENGTH:
        text = text[: _SHOWN_LENGTH - 1] + "…"
    return f"“{text}”"


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
