"""The only door between the UI and the store: plain frozen dataclasses in and out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import peewee

from contacts_tui.documents import BlobStore, DocumentError, StoredBlob, sanitize_filename
from contacts_tui.lifecycle import LifecycleConfig, Template
from contacts_tui.store import listing
from contacts_tui.store.database import is_postgres, with_connection
from contacts_tui.store.listing import TENANT_WIDE, ContactFilter
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
    database,
    utc_now,
)
from contacts_tui.store.search import digits, fold, search_document
from contacts_tui.validation import (
    ValidationError,
    clean_text,
    display_safe,
    normalize_bic,
    normalize_country,
    normalize_email,
    normalize_iban,
    normalize_phone,
    normalize_scoring,
    normalize_state,
    normalize_zip,
)

__all__ = [
    "TENANT_WIDE",
    "AccountInfo",
    "AddressInfo",
    "AuditInfo",
    "BankAccountInfo",
    "CompanyInfo",
    "ConflictError",
    "ContactDetail",
    "ContactFilter",
    "ContactRow",
    "ContactService",
    "Dashboard",
    "DocumentInfo",
    "EmailInfo",
    "NotFoundError",
    "Page",
    "PhoneInfo",
    "StageChangeInfo",
]

DEFAULT_VIEW = ContactFilter()
"""Every contact that is not archived."""

STATUS_OPEN = "Open"
STATUS_CLOSED = "Closed"


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


# Fields update_contact accepts, and how each is written to the audit log.
EDITABLE_FIELDS = (
    "name",
    "full_name",
    "scoring",
    "segmentation",
    "reason_code",
    "company",
    "template",
    "accounts",
)


@dataclass
class ContactService:
    """Reads and writes contacts for one user with one lifecycle configuration."""

    config: LifecycleConfig
    user: str
    _category_steps: dict[str, tuple[str, ...]] = field(init=False, repr=False)
    # The workspace's documents/ store (issue 6); None: document methods raise DocumentError.
    documents: BlobStore | None = None

    def __post_init__(self) -> None:
        self.set_config(self.config)

    def set_config(self, config: LifecycleConfig) -> None:
        self.config = config
        steps: dict[str, list[str]] = {}
        for template in config.templates:
            for category in template.categories:
                steps.setdefault(category.key, []).extend(s.key for s in category.steps)
        self._category_steps = {k: tuple(v) for k, v in steps.items()}

    # ----- the list -------------------------------------------------------------------

    def _condition(self, contact_filter: ContactFilter) -> peewee.Expression:
        steps = self._category_steps.get(contact_filter.category or "", ())
        return listing.filter_condition(contact_filter, steps)

    @with_connection
    def list_page(
        self,
        contact_filter: ContactFilter = DEFAULT_VIEW,
        sort: str = "name",
        descending: bool = False,
        after: tuple | None = None,
        limit: int = 100,
        backwards: bool = False,
    ) -> Page:
        """A page of the list; see `store.listing.page` for `after` and `backwards`."""
        if contact_filter.search:
            # (added for the list screen) cheaper plans than the search index first
            steps = self._category_steps.get(contact_filter.category or "", ())
            raw = listing.search_page(
                contact_filter, steps, sort, descending, after, limit + 1, backwards
            )
        else:
            raw = listing.page(
                self._condition(contact_filter), sort, descending, after, limit + 1, backwards
            )
        has_more = len(raw) > limit
        if has_more:
            raw = raw[1:] if backwards else raw[:limit]
        accounts = listing.assigned_accounts([r[0] for r in raw])
        rows = tuple(
            ContactRow(
                id=r[0],
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
                updated_at=r[12],
                archived=bool(r[13]),
                accounts=tuple(accounts.get(r[0], ())),
                sort_key=(r[15], r[14], r[0]),
            )
            for r in raw
        )
        return Page(rows, has_more)

    @with_connection
    def count(self, contact_filter: ContactFilter = DEFAULT_VIEW) -> int:
        return listing.count(self._condition(contact_filter))

    # ----- position in the list (added for the list screen's virtual table) -----------

    @with_connection
    def position(
        self,
        contact_filter: ContactFilter,
        sort: str,
        descending: bool,
        sort_key: tuple,
    ) -> int:
        """The 0-based row number of the row whose `ContactRow.sort_key` is `sort_key`."""
        return listing.position(self._condition(contact_filter), sort, descending, sort_key)

    @with_connection
    def dashboard(self, contact_filter: ContactFilter = DEFAULT_VIEW) -> Dashboard:
        """Counts for the dashboard: by status, by lifecycle category, missing primaries."""
        per_stage = listing.stage_counts(self._condition(contact_filter))
        category_of = {
            step: category for category, steps in self._category_steps.items() for step in steps
        }
        by_category: dict[str, int] = dict.fromkeys(self._category_steps, 0)
        total = opened = closed = missing = unknown = 0
        for stage, status, n, missing_here in per_stage:
            total += n
            missing += missing_here
            if status == STATUS_CLOSED:
                closed += n
            else:
                opened += n
            if stage in category_of:
                by_category[category_of[stage]] += n
            else:
                unknown += n
        names = self.config.category_names()
        categories = tuple(CategoryCount(k, names.get(k, k), n) for k, n in by_category.items())
        return Dashboard(total, opened, closed, categories, missing, unknown)

    # ----- one contact ----------------------------------------------------------------

    @with_connection
    def get_contact(self, contact_id: int) -> ContactDetail:
        return _read_contact(contact_id)

    @with_connection
    def create_contact(self, name: str, company: int | str | None = None) -> ContactDetail:
        """A new contact at the first step of the default lifecycle.

        `company` is a company id, a new company's name (created on the fly), or None for
        Tenant-Wide.
        """
        name = clean_text(name, field="Name", required=True)
        template = self.config.default
        first = template.first_step
        now = utc_now()
        with database.atomic():
            company_row = _resolve_company(company)
            company_name = company_row.name if company_row else ""
            contact = Contact.create(
                name=name,
                name_key=fold(name),
                company=company_row,
                company_name=company_name,
                template=template.key,
                stage=first.key,
                status=_status_of(first.is_closed),
                search_doc=search_document(name, "", company_name),
                created_at=now,
                created_by=self.user,
                updated_at=now,
                updated_by=self.user,
            )
            StageChange.create(contact=contact, to_stage=first.key, at=now, by=self.user)
            AuditEntry.create(
                contact=contact, at=now, by=self.user, field="created", new_value=name
            )
        return _read_contact(contact.id)

    @with_connection
    def update_contact(self, contact_id: int, version: int, **changes: object) -> ContactDetail:
        """Save edited fields of the information panel, if nobody saved in between.

        Raises ValidationError for a bad value (nothing is saved), ConflictError when the
        contact's version is no longer `version`.
        """
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
        values = self._validated(changes)
        with database.atomic():
            current = _read_contact(contact_id)
            if current.version != version:
                raise ConflictError(current)
            updates: dict = {}
            audit: list[tuple[str, str, str]] = []
            for key, value in values.items():
                if key == "accounts":
                    old = tuple(sorted(a.id for a in current.accounts))
                    if tuple(sorted(value)) != old:
                        _set_accounts(contact_id, value)
                        audit.append(
                            (
                                "accounts",
                                ", ".join(a.name for a in current.accounts),
                                ", ".join(_account_names(value)),
                            )
                        )
                elif key == "company":
                    company_row = _resolve_company(value)
                    old_id = current.company.id if current.company else None
                    new_id = company_row.id if company_row else None
                    if old_id != new_id:
                        updates["company"] = new_id
                        updates["company_name"] = company_row.name if company_row else ""
                        audit.append(
                            (
                                "company",
                                current.company.name if current.company else "Tenant-Wide",
                                company_row.name if company_row else "Tenant-Wide",
                            )
                        )
                elif getattr(current, key) != value:
                    updates[key] = value
                    audit.append((key, _audit_text(getattr(current, key)), _audit_text(value)))
            if "template" in updates:
                template = self.config.template(updates["template"])
                if template.step(current.stage) is None:
                    raise ValidationError(
                        f"The step {current.stage!r} is not in the lifecycle "
                        f"{template.name!r}; choose the step to start at with set_stage."
                    )
            if not audit:
                return current
            _write_contact(contact_id, version, updates, self.user)
            now = utc_now()
            AuditEntry.insert_many(
                [
                    {
                        "contact": contact_id,
                        "at": now,
                        "by": self.user,
                        "field": f,
                        "old_value": old,
                        "new_value": new,
                    }
                    for f, old, new in audit
                ]
            ).execute()
            refresh_derived(contact_id)
        return _read_contact(contact_id)

    def _validated(self, changes: dict[str, object]) -> dict[str, object]:
        values: dict[str, object] = {}
        for key, value in changes.items():
            if key == "name":
                values[key] = clean_text(value, field="Name", required=True)
            elif key in ("full_name", "segmentation", "reason_code"):
                values[key] = clean_text(value, field=key.replace("_", " ").capitalize())
            elif key == "scoring":
                values[key] = normalize_scoring(
                    value, self.config.scoring_min, self.config.scoring_max
                )
            elif key == "template":
                if self.config.template(str(value)) is None:
                    raise ValidationError(f"There is no lifecycle called {value!r}.")
                values[key] = value
            elif key == "company":
                if isinstance(value, str):
                    value = clean_text(value, field="Company") or None
                values[key] = value
            elif key == "accounts":
                values[key] = tuple(int(v) for v in value)  # type: ignore[union-attr]
        return values

    @with_connection
    def set_stage(
        self,
        contact_id: int,
        step_key: str,
        version: int | None = None,
        template: str | None = None,
    ) -> ContactDetail:
        """Move the contact to a lifecycle step (optionally of another template).

        Writes the stage history entry, the new status and the audit entry in one
        transaction. With `version`, a contact saved meanwhile raises ConflictError.
        """
        with database.atomic():
            current = _read_contact(contact_id)
            if version is not None and current.version != version:
                raise ConflictError(current)
            template_key = template or current.template
            lifecycle = self.config.template(template_key)
            if lifecycle is None:
                raise ValidationError(f"There is no lifecycle called {template_key!r}.")
            step = lifecycle.step(step_key)
            if step is None:
                raise ValidationError(f"The lifecycle {lifecycle.name!r} has no step {step_key!r}.")
            if step.key == current.stage and template_key == current.template:
                return current
            now = utc_now()
            updates = {"stage": step.key, "status": _status_of(step.is_closed)}
            if template_key != current.template:
                updates["template"] = template_key
                AuditEntry.create(
                    contact=contact_id,
                    at=now,
                    by=self.user,
                    field="template",
                    old_value=current.template,
                    new_value=template_key,
                )
            _write_contact(contact_id, current.version, updates, self.user)
            StageChange.create(
                contact=contact_id,
                from_stage=current.stage,
                to_stage=step.key,
                at=now,
                by=self.user,
            )
        return _read_contact(contact_id)

    @with_connection
    def archive(self, contact_id: int, archived: bool = True) -> ContactDetail:
        with database.atomic():
            current = _read_contact(contact_id)
            if current.archived == archived:
                return current
            _write_contact(contact_id, current.version, {"archived": archived}, self.user)
            AuditEntry.create(
                contact=contact_id,
                by=self.user,
                field="archived",
                old_value=_audit_text(current.archived),
                new_value=_audit_text(archived),
            )
        return _read_contact(contact_id)

    # ----- companies and accounts -----------------------------------------------------

    @with_connection
    def companies(self) -> tuple[CompanyInfo, ...]:
        query = Company.select(Company.id, Company.name).order_by(Company.name).tuples()
        return tuple(CompanyInfo(i, n) for i, n in query)

    @with_connection
    def create_company(self, name: str) -> CompanyInfo:
        with database.atomic():
            row = _resolve_company(name)
        return CompanyInfo(row.id, row.name)

    @with_connection
    def accounts(self, include_archived: bool = False) -> tuple[AccountInfo, ...]:
        contacts = peewee.fn.COUNT(ContactAccount.id)
        query = (
            Account.select(Account.id, Account.name, Account.archived, contacts)
            .join(ContactAccount, peewee.JOIN.LEFT_OUTER)
            .group_by(Account.id, Account.name, Account.archived)
            .order_by(Account.name)
        )
        if not include_archived:
            query = query.where(Account.archived == False)  # noqa: E712
        return tuple(AccountInfo(*row) for row in query.tuples())

    @with_connection
    def create_account(self, name: str) -> AccountInfo:
        name = clean_text(name, field="Account name", required=True)
        with database.atomic():
            existing = Account.get_or_none(Account.name == name)
            if existing is not None:
                raise ValidationError(f"An account called {name!r} exists already.")
            row = Account.create(name=name)
        return AccountInfo(row.id, row.name)

    @with_connection
    def rename_account(self, account_id: int, name: str) -> AccountInfo:
        name = clean_text(name, field="Account name", required=True)
        with database.atomic():
            clash = Account.get_or_none((Account.name == name) & (Account.id != account_id))
            if clash is not None:
                raise ValidationError(f"An account called {name!r} exists already.")
            Account.update(name=name).where(Account.id == account_id).execute()
            row = Account.get_by_id(account_id)
        return AccountInfo(row.id, row.name, row.archived)

    @with_connection
    def archive_account(self, account_id: int, archived: bool = True) -> None:
        with database.atomic():
            Account.update(archived=archived).where(Account.id == account_id).execute()

    # ----- documents ------------------------------------------------------------------
    # Issue 6. The blob is written to disk first, then its row is committed: a failure in
    # between leaves a blob nobody refers to (which `check --repair` removes), never a row
    # without its file. Rows and blobs of one content are decided under one lock
    # (`_lock_content`), so an upload and a delete of the same bytes cannot interleave.

    def _blob_store(self) -> BlobStore:
        if self.documents is None:
            raise DocumentError(
                "Documents are not available: this workspace has no documents folder."
            )
        return self.documents

    def document_type(self, value: str) -> str:
        """The picklist's spelling of a document type; ValidationError when it is not one."""
        text = clean_text(value, field="Document type", required=True)
        types = self.config.picklists.document_types
        for known in types:
            if known.casefold() == text.casefold():
                return known
        raise ValidationError(f"{text!r} is not a document type; choose one of {', '.join(types)}.")

    def add_document(
        self,
        contact_id: int,
        source: Path,
        doc_type: str,
        progress: Callable[[int, int], None] | None = None,
    ) -> DocumentInfo:
        """Store a copy of the file `source` and list it among the contact's documents.

        Raises ValidationError for an unknown type, NotFoundError for a contact that is
        gone, DocumentError (TooLargeError…) when the file cannot be stored; in every case
        the database is unchanged.
        """
        doc_type = self.document_type(doc_type)
        store = self._blob_store()
        self._contact_exists(contact_id)  # before spending time copying the file
        source = Path(source)
        max_bytes = self.config.document_max_mb * 1024 * 1024
        blob = store.put(source, original_name=source.name, max_bytes=max_bytes, progress=progress)
        return self._insert_document(contact_id, source, doc_type, blob, max_bytes)

    @with_connection
    def _contact_exists(self, contact_id: int) -> None:
        if not Contact.select().where(Contact.id == contact_id).exists():
            raise NotFoundError(f"Contact {contact_id} no longer exists.")

    @with_connection
    def _insert_document(
        self, contact_id: int, source: Path, doc_type: str, blob: StoredBlob, max_bytes: int
    ) -> DocumentInfo:
        store = self._blob_store()
        name = sanitize_filename(source.name)
        try:
            with database.atomic():
                _lock_content(blob.sha256)
                if not store.exists(blob.sha256):
                    # Someone deleted the last other copy of these bytes after our put()
                    # found them already stored; store them again now that we hold the lock.
                    again = store.put(source, original_name=source.name, max_bytes=max_bytes)
                    if again.sha256 != blob.sha256:
                        raise DocumentError(
                            f"{name} changed while it was being uploaded; nothing was stored. "
                            "Try again."
                        )
                now = utc_now()
                row = Document.create(
                    contact=contact_id,
                    file_name=name,
                    doc_type=doc_type,
                    size=blob.size,
                    media_type=blob.media_type,
                    sha256=blob.sha256,
                    uploaded_at=now,
                    uploaded_by=self.user,
                )
                AuditEntry.create(
                    contact=contact_id, at=now, by=self.user, field="document", new_value=name
                )
        except peewee.IntegrityError as error:  # the contact was deleted meanwhile
            raise NotFoundError(f"Contact {contact_id} no longer exists.") from error
        return _document_info(row.id)

    @with_connection
    def document(self, document_id: int) -> DocumentInfo:
        return _document_info(document_id)

    @with_connection
    def documents_of(self, contact_id: int) -> tuple[DocumentInfo, ...]:
        self._contact_exists(contact_id)
        return _children(Document, DocumentInfo, contact_id)

    @with_connection
    def delete_document(self, document_id: int) -> DocumentInfo:
        """Delete the row, and the blob when no other row refers to the same bytes.

        The blob is removed inside the write transaction, after the lock on its content:
        an upload of the same bytes either committed its row before (so the blob stays)
        or finds the blob gone when it takes the lock (and stores it again). What remains
        is a crash (or a failed COMMIT) between the unlink and the commit: the row then
        survives without its file, `check` reports it, and deleting it again works.
        Unlinking after the commit instead could remove the file of another user's
        upload that committed in between, which is worse.
        """
        store = self._blob_store()
        with database.atomic():
            info, contact_id = _load_document(document_id)
            _lock_content(info.sha256)
            Document.delete().where(Document.id == document_id).execute()
            AuditEntry.create(
                contact=contact_id,
                by=self.user,
                field="document",
                old_value=info.file_name,
            )
            if not Document.select().where(Document.sha256 == info.sha256).exists():
                store.remove(info.sha256)  # a failure rolls the row back: nothing is lost
        return info

    @with_connection
    def set_document_type(self, document_id: int, doc_type: str) -> DocumentInfo:
        doc_type = self.document_type(doc_type)
        with database.atomic():
            info, contact_id = _load_document(document_id)
            if info.doc_type == doc_type:
                return info
            Document.update(doc_type=doc_type).where(Document.id == document_id).execute()
            AuditEntry.create(
                contact=contact_id,
                by=self.user,
                field=f"document type of {info.file_name}",
                old_value=info.doc_type,
                new_value=doc_type,
            )
        return _document_info(document_id)

    def read_document(
        self, document_id: int, limit: int | None = None
    ) -> tuple[DocumentInfo, bytes]:
        """The document's row and its first `limit` bytes, hash verified over the whole file.

        Raises IntegrityError when the stored bytes are missing or altered.
        """
        info = self.document(document_id)
        data = self._blob_store().read(info.sha256, limit=limit, name=info.file_name)
        return info, data

    def save_document_copy(
        self, document_id: int, target: Path, overwrite: bool = False
    ) -> DocumentInfo:
        """Write a verified copy to `target` (0600); TargetExistsError unless `overwrite`."""
        info = self.document(document_id)
        self._blob_store().save_copy(
            info.sha256, Path(target), overwrite=overwrite, name=info.file_name
        )
        return info

    @with_connection
    def find_contact(self, reference: str) -> int:
        """The id of the contact a script names by id or by an exact e-mail address."""
        text = reference.strip()
        if text.isdigit():
            self._contact_exists(int(text))
            return int(text)
        ids = sorted(
            {
                contact
                for (contact,) in Email.select(Email.contact)
                .where(peewee.fn.LOWER(Email.email) == text.lower())
                .tuples()
            }
        )
        if not ids:
            raise NotFoundError(f"No contact has the id or e-mail {display_safe(text)!r}.")
        if len(ids) > 1:
            raise NotFoundError(
                f"{len(ids)} contacts have the e-mail {display_safe(text)!r} "
                f"(ids {', '.join(map(str, ids))}); name one by its id."
            )
        return ids[0]

    def template_of(self, contact: ContactDetail | ContactRow) -> Template | None:
        return self.config.template(contact.template)

    # ----- export: the e-mails, phones and addresses of many contacts (issue 3) --------
    # An export of a million contacts reads them a page at a time; one query per child
    # table per page keeps it at a few thousand queries instead of millions.

    @with_connection
    def contact_cards(self, contact_ids: list[int]) -> dict[int, ContactCard]:
        """The e-mails, phones and addresses of each contact, primary first, oldest first.

        Every id asked for gets a card, empty for a contact without children (or one that
        no longer exists).
        """
        ids = list(dict.fromkeys(contact_ids))
        emails = _children_by_contact(Email, EmailInfo, ids)
        phones = _children_by_contact(Phone, PhoneInfo, ids)
        addresses = _children_by_contact(Address, AddressInfo, ids)
        return {
            i: ContactCard(
                emails=tuple(emails.get(i, ())),
                phones=tuple(phones.get(i, ())),
                addresses=tuple(addresses.get(i, ())),
            )
            for i in ids
        }

    # ----- details tab records: e-mails, phones, addresses, bank accounts (issue 5) ----
    # One generic path for the four kinds, driven by RECORD_KINDS below, plus named
    # shortcuts (add_email, delete_phone, ...) for scripts and import. Each change is one
    # transaction that also writes the audit entry, refreshes the list columns and the
    # search document (refresh_derived) and touches updated_at/updated_by. It does not
    # bump the contact's `version`: records are saved one at a time, each on its own row,
    # so a colleague adding a phone number must not turn someone else's edit of the name
    # in the information panel into a conflict.

    def validate_record(
        self, kind: str, values: dict[str, str], current_type: str = ""
    ) -> RecordCheck:
        """Normalise every field of a record; RecordInvalid names each bad field at once.

        Needs no database, so the form calls it on submit to show each message at its
        field. `current_type` is the record's saved type, still accepted when the config's
        picklist no longer has it. Warnings (a SWIFT code from another country than the
        IBAN) do not stop a save.
        """
        spec = _record_kind(kind)
        unknown = set(values) - set(spec.fields)
        if unknown:
            raise TypeError(f"{kind} has no field {', '.join(sorted(unknown))}")
        raw = {name: values.get(name) or "" for name in spec.fields}
        errors: dict[str, str] = {}
        warnings: dict[str, str] = {}
        clean: dict[str, str] = {}

        def check(name: str, normalize: Callable[[str], str]) -> None:
            try:
                clean[name] = normalize(raw[name])
            except ValidationError as error:
                errors[name] = str(error)

        if kind == "email":
            check("email", normalize_email)
        elif kind == "phone":
            check("number", lambda t: normalize_phone(t, self.config.default_phone_region))
            if "number" in clean:
                clean["typed"] = clean_text(raw["number"], field="Number")
        elif kind == "address":
            check("address", lambda t: clean_text(t, field="Address", required=True))
            check("country", normalize_country)
            if "country" in clean:
                check("state", lambda t: normalize_state(t, clean["country"]))
            else:
                check("state", lambda t: clean_text(t, field="State", max_length=100))
            check("city", lambda t: clean_text(t, field="City"))
            check("zip_code", normalize_zip)
            check("locality", lambda t: clean_text(t, field="Locality", required=True))
        elif kind == "bank_account":
            check("name", lambda t: clean_text(t, field="Name", required=True))
            check("iban", normalize_iban)
            try:
                clean["bic"], warning = normalize_bic(raw["bic"], clean.get("iban"))
                if warning:
                    warnings["bic"] = warning
            except ValidationError as error:
                errors["bic"] = str(error)
        if spec.picklist:
            choices = getattr(self.config.picklists, spec.picklist)
            check("type", lambda t: _picked(t, choices, current_type, spec.label))
        if errors:
            raise RecordInvalid(errors)
        return RecordCheck(clean, warnings)

    @with_connection
    def find_duplicates(
        self, kind: str, value: str, exclude_contact_id: int | None = None
    ) -> list[tuple[int, str]]:
        """Other contacts that have this e-mail, phone number or IBAN: [(id, name)].

        `value` may be typed or normalised; a value that does not validate has no
        duplicates. Archived contacts count too (their name says so).
        """
        spec = _record_kind(kind)
        if spec.duplicate_field is None:
            return []
        try:
            if kind == "email":
                wanted = {normalize_email(value)}
                wanted.add(next(iter(wanted)).lower())
            elif kind == "phone":
                wanted = {normalize_phone(value, self.config.default_phone_region)}
            else:
                wanted = {normalize_iban(value)}
        except ValidationError:
            return []
        column = getattr(spec.model, spec.duplicate_field)
        holders = spec.model.select(spec.model.contact).where(column.in_(sorted(wanted)))
        query = (
            Contact.select(Contact.id, Contact.name, Contact.archived)
            .where(Contact.id.in_(holders))
            .order_by(Contact.name_key, Contact.id)
        )
        if exclude_contact_id is not None:
            query = query.where(Contact.id != exclude_contact_id)
        return [
            (contact_id, f"{name} (archived)" if archived else name)
            for contact_id, name, archived in query.limit(20).tuples()
        ]

    @with_connection
    def add_record(
        self, kind: str, contact_id: int, values: dict[str, str], *, primary: bool = False
    ):
        """Add a record to the contact; the first e-mail, phone or address is primary.

        `primary=True` makes it the primary one in the same transaction. Raises
        RecordInvalid (nothing saved) or NotFoundError when the contact is gone.
        """
        spec = _record_kind(kind)
        clean = self.validate_record(kind, values).values
        # On PostgreSQL two users adding a contact's first e-mail at once may both see no
        # primary; the partial unique index refuses the second, which is then retried and
        # sees the first one's primary.
        for attempt in range(2):
            try:
                with database.atomic():
                    record_id = self._insert_record(spec, contact_id, clean, primary)
                break
            except peewee.IntegrityError:
                if attempt or not spec.has_primary:
                    raise
        return _record_info(spec, record_id)

    def _insert_record(self, spec: _RecordKind, contact_id: int, clean: dict, primary: bool):
        if not Contact.select().where(Contact.id == contact_id).exists():
            raise NotFoundError(f"Contact {contact_id} no longer exists.")
        _refuse_same_contact_duplicate(spec, contact_id, clean)
        old_primary = _primary_of(spec, contact_id) if spec.has_primary else None
        make_primary = spec.has_primary and (primary or old_primary is None)
        if make_primary and old_primary is not None:
            _unset_primary(spec, contact_id)
        extra = {"is_primary": make_primary} if spec.has_primary else {}
        row = spec.model.create(contact=contact_id, **clean, **extra)
        audit = [(f"{spec.label} added", "", _record_text(spec, clean))]
        if make_primary and old_primary is not None:
            audit.append(
                (
                    f"primary {spec.label}",
                    _record_text(spec, old_primary),
                    _record_text(spec, clean),
                )
            )
        self._record_changed(contact_id, audit)
        return row.id

    @with_connection
    def update_record(
        self,
        kind: str,
        record_id: int,
        values: dict[str, str],
        *,
        primary: bool = False,
        expected: object | None = None,
    ):
        """Save an edited record; `primary=True` also makes it the primary one.

        `expected` is the record as the user saw it when they began editing: if someone
        saved it since, ConflictError is raised instead of overwriting their change.
        """
        spec = _record_kind(kind)
        with database.atomic():
            row = _record_row(spec, record_id)
            current = _record_info(spec, record_id)
            if expected is not None and expected != current:
                raise ConflictError(_read_contact(row.contact_id))
            clean = self.validate_record(kind, values, current_type=_row_type(row)).values
            _refuse_same_contact_duplicate(spec, row.contact_id, clean, record_id)
            audit = []
            old = {name: getattr(row, name) for name in clean}
            if old != clean:
                spec.model.update(**clean).where(spec.model.id == record_id).execute()
                audit.append(
                    (f"{spec.label} changed", _record_text(spec, old), _record_text(spec, clean))
                )
            if primary and spec.has_primary and not row.is_primary:
                audit.append(self._switch_primary(spec, row.contact_id, record_id))
            if audit:
                self._record_changed(row.contact_id, audit)
        return _record_info(spec, record_id)

    @with_connection
    def delete_record(self, kind: str, record_id: int, successor_id: int | None = None) -> None:
        """Delete a record; deleting the primary needs `successor_id`, the new primary.

        The successor must be another record of the same contact and kind. Deleting the
        contact's only e-mail (phone, address) leaves it without a primary one.
        """
        spec = _record_kind(kind)
        with database.atomic():
            row = _record_row(spec, record_id)
            contact_id = row.contact_id
            old = {name: getattr(row, name) for name in spec.stored}
            audit = [(f"{spec.label} deleted", _record_text(spec, old), "")]
            successor = None
            if spec.has_primary and row.is_primary:
                others = (
                    spec.model.select()
                    .where((spec.model.contact == contact_id) & (spec.model.id != record_id))
                    .exists()
                )
                if others and successor_id is None:
                    raise ValidationError(
                        f"This is the primary {spec.label}: choose which {spec.label}"
                        " becomes the primary one instead."
                    )
                if others:
                    successor = spec.model.get_or_none(
                        (spec.model.id == successor_id) & (spec.model.contact == contact_id)
                    )
                    if successor is None or successor.id == record_id:
                        raise ValidationError(
                            f"The new primary {spec.label} must be another {spec.label}"
                            " of this contact."
                        )
            spec.model.delete().where(spec.model.id == record_id).execute()
            if successor is not None:
                spec.model.update(is_primary=True).where(spec.model.id == successor.id).execute()
                new = {name: getattr(successor, name) for name in spec.stored}
                audit.append(
                    (f"primary {spec.label}", _record_text(spec, old), _record_text(spec, new))
                )
            self._record_changed(contact_id, audit)

    @with_connection
    def make_primary(self, kind: str, record_id: int):
        """Make the record its contact's primary one of its kind (one transaction)."""
        spec = _record_kind(kind)
        if not spec.has_primary:
            raise ValidationError(f"A {spec.label} has no primary flag.")
        with database.atomic():
            row = _record_row(spec, record_id)
            if not row.is_primary:
                entry = self._switch_primary(spec, row.contact_id, record_id)
                self._record_changed(row.contact_id, [entry])
        return _record_info(spec, record_id)

    def _switch_primary(
        self, spec: _RecordKind, contact_id: int, record_id: int
    ) -> tuple[str, str, str]:
        # Unset first: the partial unique index allows one primary at any moment.
        old = _primary_of(spec, contact_id)
        _unset_primary(spec, contact_id)
        spec.model.update(is_primary=True).where(spec.model.id == record_id).execute()
        new = _record_row(spec, record_id)
        return (
            f"primary {spec.label}",
            _record_text(spec, old) if old else "",
            _record_text(spec, {name: getattr(new, name) for name in spec.stored}),
        )

    def _record_changed(self, contact_id: int, audit: list[tuple[str, str, str]]) -> None:
        now = utc_now()
        AuditEntry.insert_many(
            [
                {
                    "contact": contact_id,
                    "at": now,
                    "by": self.user,
                    "field": f,
                    "old_value": old,
                    "new_value": new,
                }
                for f, old, new in audit
            ]
        ).execute()
        Contact.update(updated_at=now, updated_by=self.user).where(
            Contact.id == contact_id
        ).execute()
        refresh_derived(contact_id)

    # Named shortcuts for scripts and import; the UI uses the generic methods above.

    def add_email(self, contact_id: int, email: str, type: str = "", primary: bool = False):
        return self.add_record("email", contact_id, {"email": email, "type": type}, primary=primary)

    def update_email(self, email_id: int, email: str, type: str = "", primary: bool = False):
        return self.update_record(
            "email", email_id, {"email": email, "type": type}, primary=primary
        )

    def delete_email(self, email_id: int, successor_id: int | None = None) -> None:
        self.delete_record("email", email_id, successor_id)

    def make_primary_email(self, email_id: int):
        return self.make_primary("email", email_id)

    def add_phone(self, contact_id: int, number: str, type: str = "", primary: bool = False):
        return self.add_record(
            "phone", contact_id, {"number": number, "type": type}, primary=primary
        )

    def update_phone(self, phone_id: int, number: str, type: str = "", primary: bool = False):
        return self.update_record(
            "phone", phone_id, {"number": number, "type": type}, primary=primary
        )

    def delete_phone(self, phone_id: int, successor_id: int | None = None) -> None:
        self.delete_record("phone", phone_id, successor_id)

    def make_primary_phone(self, phone_id: int):
        return self.make_primary("phone", phone_id)

    def add_address(self, contact_id: int, primary: bool = False, **fields: str):
        return self.add_record("address", contact_id, fields, primary=primary)

    def update_address(self, address_id: int, primary: bool = False, **fields: str):
        return self.update_record("address", address_id, fields, primary=primary)

    def delete_address(self, address_id: int, successor_id: int | None = None) -> None:
        self.delete_record("address", address_id, successor_id)

    def make_primary_address(self, address_id: int):
        return self.make_primary("address", address_id)

    def add_bank_account(self, contact_id: int, name: str, iban: str, bic: str = ""):
        return self.add_record("bank_account", contact_id, {"name": name, "iban": iban, "bic": bic})

    def update_bank_account(self, bank_account_id: int, name: str, iban: str, bic: str = ""):
        values = {"name": name, "iban": iban, "bic": bic}
        return self.update_record("bank_account", bank_account_id, values)

    def delete_bank_account(self, bank_account_id: int) -> None:
        self.delete_record("bank_account", bank_account_id)


# ----- helpers shared by the services ---------------------------------------------------


def _status_of(closed: bool) -> str:
    return STATUS_CLOSED if closed else STATUS_OPEN


def _audit_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _resolve_company(company: int | str | None) -> Company | None:
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


def _set_accounts(contact_id: int, account_ids: tuple[int, ...]) -> None:
    ContactAccount.delete().where(ContactAccount.contact == contact_id).execute()
    if account_ids:
        ContactAccount.insert_many(
            [{"contact": contact_id, "account": a} for a in account_ids]
        ).execute()


def _account_names(account_ids: tuple[int, ...]) -> list[str]:
    if not account_ids:
        return []
    query = Account.select(Account.name).where(Account.id.in_(account_ids)).order_by(Account.name)
    return [name for (name,) in query.tuples()]


def _write_contact(contact_id: int, version: int, updates: dict, user: str) -> None:
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
        raise ConflictError(_read_contact(contact_id))


def refresh_derived(contact_id: int) -> None:
    """Recompute the list columns and the search document from the contact's records.

    Called inside the transaction of every change to a contact, its e-mails, phones or
    company; writes only what changed, so the FTS trigger fires only when it must.
    """
    contact = (
        Contact.select(
            Contact.name,
            Contact.full_name,
            Contact.company_name,
            Contact.name_key,
            Contact.primary_email,
            Contact.primary_phone,
            Contact.phone_digits,
            Contact.search_doc,
        )
        .where(Contact.id == contact_id)
        .tuples()
        .first()
    )
    if contact is None:
        raise NotFoundError(f"Contact {contact_id} no longer exists.")
    name, full_name, company_name, *old = contact
    emails = list(
        Email.select(Email.email, Email.is_primary)
        .where(Email.contact == contact_id)
        .order_by(Email.is_primary.desc(), Email.id)
        .tuples()
    )
    phones = list(
        Phone.select(Phone.number, Phone.is_primary)
        .where(Phone.contact == contact_id)
        .order_by(Phone.is_primary.desc(), Phone.id)
        .tuples()
    )
    primary_email = next((e for e, primary in emails if primary), "")
    primary_phone = next((p for p, primary in phones if primary), "")
    new = (
        fold(name),
        primary_email,
        primary_phone,
        digits(primary_phone),
        search_document(
            name, full_name, company_name, [e for e, _ in emails], [p for p, _ in phones]
        ),
    )
    columns = ("name_key", "primary_email", "primary_phone", "phone_digits", "search_doc")
    updates = {c: v for c, v, o in zip(columns, new, old, strict=True) if v != o}
    if updates:
        Contact.update(**updates).where(Contact.id == contact_id).execute()


def _read_contact(contact_id: int) -> ContactDetail:
    row = (
        Contact.select(Contact, Company.id, Company.name)
        .join(Company, peewee.JOIN.LEFT_OUTER)
        .where(Contact.id == contact_id)
        .objects()
        .first()
    )
    if row is None:
        raise NotFoundError(f"Contact {contact_id} no longer exists.")
    company = CompanyInfo(row.company_id, row.company_name) if row.company_id is not None else None
    accounts = tuple(
        AccountInfo(i, n, a)
        for i, n, a in Account.select(Account.id, Account.name, Account.archived)
        .join(ContactAccount)
        .where(ContactAccount.contact == contact_id)
        .order_by(Account.name)
        .tuples()
    )
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
        accounts=accounts,
        emails=_children(Email, EmailInfo, contact_id),
        phones=_children(Phone, PhoneInfo, contact_id),
        addresses=_children(Address, AddressInfo, contact_id),
        bank_accounts=_children(BankAccount, BankAccountInfo, contact_id),
        documents=_children(Document, DocumentInfo, contact_id),
        stage_history=tuple(
            StageChangeInfo(*r)
            for r in StageChange.select(
                StageChange.from_stage, StageChange.to_stage, StageChange.at, StageChange.by
            )
            .where(StageChange.contact == contact_id)
            .order_by(StageChange.at, StageChange.id)
            .tuples()
        ),
        audit=tuple(
            AuditInfo(*r)
            for r in AuditEntry.select(
                AuditEntry.at,
                AuditEntry.by,
                AuditEntry.field,
                AuditEntry.old_value,
                AuditEntry.new_value,
            )
            .where(AuditEntry.contact == contact_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .tuples()
        ),
    )


def _children(model: type[peewee.Model], info: type, contact_id: int) -> tuple:
    """The child rows of a contact as `info` dataclasses, primary first, oldest first."""
    names = [f.name for f in info.__dataclass_fields__.values()]
    columns = [getattr(model, n) for n in names]
    order = [model.is_primary.desc(), model.id] if hasattr(model, "is_primary") else [model.id]
    query = model.select(*columns).where(model.contact == contact_id).order_by(*order).tuples()
    return tuple(info(*r) for r in query)


# ----- documents: helpers ----------------------------------------------------------------


def _load_document(document_id: int) -> tuple[DocumentInfo, int]:
    """A document's row and the id of its contact; NotFoundError when it is gone."""
    names = list(DocumentInfo.__dataclass_fields__)
    row = (
        Document.select(*(getattr(Document, n) for n in names), Document.contact)
        .where(Document.id == document_id)
        .tuples()
        .first()
    )
    if row is None:
        raise NotFoundError(f"Document {document_id} no longer exists; someone deleted it.")
    return DocumentInfo(*row[:-1]), row[-1]


def _document_info(document_id: int) -> DocumentInfo:
    return _load_document(document_id)[0]


def _lock_content(sha256: str) -> None:
    """Serialise, until the transaction ends, every write about the blob with this hash.

    SQLite needs nothing more: its write transactions begin IMMEDIATE and so already run
    one at a time. PostgreSQL runs them side by side, so take a transaction-level
    advisory lock named by the hash (its first 60 bits fit a bigint).
    """
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (int(sha256[:15], 16),))


def remove_orphan_blob(store: BlobStore, sha256: str) -> bool:
    """Remove a blob no row refers to; False when a row (perhaps a new one) does."""
    with database.connection_context(), database.atomic():
        _lock_content(sha256)
        if Document.select().where(Document.sha256 == sha256).exists():
            return False
        store.remove(sha256)
        return True


# ----- export: contact cards (issue 3) ---------------------------------------------------


@dataclass(frozen=True)
class ContactCard:
    """What an address book needs of a contact beyond its list row."""

    emails: tuple[EmailInfo, ...] = ()
    phones: tuple[PhoneInfo, ...] = ()
    addresses: tuple[AddressInfo, ...] = ()


def _children_by_contact(
    model: type[peewee.Model], info: type, contact_ids: list[int]
) -> dict[int, list]:
    """The child rows of many contacts, one query, grouped by contact in `_children`'s order."""
    if not contact_ids:
        return {}
    names = [f.name for f in info.__dataclass_fields__.values()]
    query = (
        model.select(model.contact, *(getattr(model, n) for n in names))
        .where(model.contact.in_(contact_ids))
        .order_by(model.contact, model.is_primary.desc(), model.id)
        .tuples()
    )
    grouped: dict[int, list] = {}
    for contact_id, *values in query:
        grouped.setdefault(contact_id, []).append(info(*values))
    return grouped


# ----- details tab records: helpers (issue 5) --------------------------------------------


class RecordInvalid(ValidationError):
    """Fields of an e-mail, phone, address or bank account are not acceptable.

    `errors` maps each bad field to its message, so a form can show each at its field.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class RecordCheck:
    """A record's fields normalised for saving, and warnings that do not stop a save."""

    values: dict[str, str]
    warnings: dict[str, str]


@dataclass(frozen=True)
class _RecordKind:
    model: type[peewee.Model]
    info: type
    label: str  # "e-mail": audit entries and messages
    fields: tuple[str, ...]  # what the user fills in
    stored: tuple[str, ...]  # what validate_record returns and the row holds
    duplicate_field: str | None = None  # the column that must not repeat on a contact
    picklist: str = ""  # the config picklist of its types
    has_primary: bool = True


RECORD_KINDS = {
    "email": _RecordKind(
        Email, EmailInfo, "e-mail", ("email", "type"), ("email", "type"), "email", "email_types"
    ),
    "phone": _RecordKind(
        Phone,
        PhoneInfo,
        "phone number",
        ("number", "type"),
        ("number", "typed", "type"),
        "number",
        "phone_types",
    ),
    "address": _RecordKind(
        Address,
        AddressInfo,
        "address",
        ("address", "country", "state", "city", "zip_code", "locality", "type"),
        ("address", "country", "state", "city", "zip_code", "locality", "type"),
        None,
        "address_types",
    ),
    "bank_account": _RecordKind(
        BankAccount,
        BankAccountInfo,
        "bank account",
        ("name", "iban", "bic"),
        ("name", "iban", "bic"),
        "iban",
        has_primary=False,
    ),
}
"""The kinds of record of the Details tab, by the name the UI and scripts use."""


def _record_kind(kind: str) -> _RecordKind:
    try:
        return RECORD_KINDS[kind]
    except KeyError:
        raise TypeError(f"unknown record kind {kind!r}") from None


def _picked(text: str, choices: tuple[str, ...], current: str, label: str) -> str:
    """A type from the config's picklist (blank allowed; a saved, since-removed one too)."""
    typed = clean_text(text, field="Type", max_length=100)
    if not typed or typed == current:
        return typed
    match = next((c for c in choices if c.casefold() == typed.casefold()), None)
    if match is None:
        raise ValidationError(
            f"“{typed}” is not a {label} type; choose one of: {', '.join(choices)}."
        )
    return match


def _row_type(row: peewee.Model) -> str:
    return getattr(row, "type", "")


def _record_row(spec: _RecordKind, record_id: int) -> peewee.Model:
    row = spec.model.get_or_none(spec.model.id == record_id)
    if row is None:
        raise NotFoundError(f"This {spec.label} no longer exists; someone may have deleted it.")
    return row


def _record_info(spec: _RecordKind, record_id: int):
    names = list(spec.info.__dataclass_fields__)
    row = (
        spec.model.select(*(getattr(spec.model, n) for n in names))
        .where(spec.model.id == record_id)
        .tuples()
        .first()
    )
    if row is None:
        raise NotFoundError(f"This {spec.label} no longer exists; someone may have deleted it.")
    return spec.info(*row)


def _primary_of(spec: _RecordKind, contact_id: int) -> dict | None:
    row = (
        spec.model.select(*(getattr(spec.model, n) for n in spec.stored))
        .where((spec.model.contact == contact_id) & (spec.model.is_primary == True))  # noqa: E712
        .dicts()
        .first()
    )
    return row


def _unset_primary(spec: _RecordKind, contact_id: int) -> None:
    spec.model.update(is_primary=False).where(
        (spec.model.contact == contact_id) & (spec.model.is_primary == True)  # noqa: E712
    ).execute()


def _refuse_same_contact_duplicate(
    spec: _RecordKind, contact_id: int, clean: dict, record_id: int | None = None
) -> None:
    if spec.duplicate_field is None:
        return
    column = getattr(spec.model, spec.duplicate_field)
    query = spec.model.select().where(
        (spec.model.contact == contact_id) & (column == clean[spec.duplicate_field])
    )
    if record_id is not None:
        query = query.where(spec.model.id != record_id)
    if query.exists():
        field_name = "number" if spec.duplicate_field == "number" else spec.duplicate_field
        raise RecordInvalid({field_name: f"This contact has this {spec.label} already."})


def _record_text(spec: _RecordKind, values: dict | None) -> str:
    """One line for the audit log, e.g. `maria@example.com (Business)`."""
    if not values:
        return ""
    if spec.model is Phone:
        text = values["number"]
    elif spec.model is Email:
        text = values["email"]
    elif spec.model is BankAccount:
        text = " ".join(p for p in (values["name"], values["iban"], values["bic"]) if p)
    else:
        parts = (
            values["address"],
            f"{values['zip_code']} {values['locality']}".strip(),
            values["city"],
            values["state"],
            values["country"],
        )
        text = ", ".join(p for p in parts if p)
    kind = values.get("type")
    return f"{text} ({kind})" if kind else text
