"""The only door between the UI and the store: plain frozen dataclasses in and out."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import peewee

from contacts_tui import lifecycle_file
from contacts_tui.derived import DERIVED_COLUMNS, derived_columns
from contacts_tui.documents import BlobStore
from contacts_tui.lifecycle import LifecycleConfig
from contacts_tui.safe_text import display_safe
from contacts_tui.services.documents import DocumentService, remove_orphan_blob
from contacts_tui.services.records import RecordCheck, RecordInvalid, RecordService
from contacts_tui.services.results import (
    CategoryCount,
    ConflictError,
    ContactRow,
    Dashboard,
    NotFoundError,
    Page,
)
from contacts_tui.services.shared import (
    DEFAULT_VIEW,
    STATUS_CLOSED,
    STATUS_OPEN,
    account_ids,
    account_names,
    audit_text,
    children_by_contact,
    contact_exists,
    read_contact,
    refresh_derived,
    resolve_company,
    set_accounts,
    status_of,
    write_audit,
    write_contact,
)
from contacts_tui.store import MAX_RECORD_ID, SORT_KEYS, listing
from contacts_tui.store.database import (
    DatabaseBusy,
    ReadStopped,
    StoppableReads,
    waits_reported,
    with_connection,
)
from contacts_tui.store.listing import (
    MISSING_PRIMARY,
    TENANT_WIDE,
    UNKNOWN_STEP,
    ContactFilter,
    ListRow,
)
from contacts_tui.store.models import (
    PROFILE_COLUMNS,
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
from contacts_tui.store.rows import tuples
from contacts_tui.store.search import fold, write_word_index
from contacts_tui.validation import (
    ValidationError,
    clean_text,
    normalize_profile_field,
    normalize_scoring,
)

if TYPE_CHECKING:
    from pathlib import Path

    from contacts_tui.services.details import (
        AccountInfo,
        AddressInfo,
        AuditInfo,
        BankAccountInfo,
        CompanyInfo,
        ContactCard,
        ContactDetail,
        DocumentInfo,
        EmailInfo,
        PhoneInfo,
        StageChangeInfo,
    )

DETAILS = frozenset(
    {
        "AccountInfo",
        "AddressInfo",
        "AuditInfo",
        "BankAccountInfo",
        "CompanyInfo",
        "ContactCard",
        "ContactDetail",
        "DocumentInfo",
        "EmailInfo",
        "PhoneInfo",
        "StageChangeInfo",
    }
)


def __getattr__(name: str) -> object:
    """`from contacts_tui.services import ContactDetail` loads services/details.py then.

    Not at start-up: the list needs none of the detail screens' dataclasses, and
    creating them took about 9 ms of the way to its first screen (PEP 562).
    """
    if name in DETAILS:
        from contacts_tui.services import details

        return getattr(details, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The UI reaches the store only through this module: what it needs of the store's own
# vocabulary (the sort keys, stopping superseded reads, folding text as search does) is
# passed on from here.
__all__ = [
    "DEFAULT_VIEW",
    "EDITABLE_FIELDS",
    "MISSING_PRIMARY",
    "SORT_KEYS",
    "STATUS_CLOSED",
    "STATUS_OPEN",
    "TENANT_WIDE",
    "UNKNOWN_STEP",
    "AccountInfo",
    "AddressInfo",
    "AuditInfo",
    "BankAccountInfo",
    "CategoryCount",
    "CompanyInfo",
    "ConflictError",
    "ContactCard",
    "ContactDetail",
    "ContactFilter",
    "ContactRow",
    "ContactService",
    "Dashboard",
    "DatabaseBusy",
    "DocumentInfo",
    "DocumentService",
    "EmailInfo",
    "NotFoundError",
    "Page",
    "PhoneInfo",
    "ReadStopped",
    "RecordCheck",
    "RecordInvalid",
    "RecordService",
    "StageChangeInfo",
    "StoppableReads",
    "fold",
    "refresh_derived",
    "remove_orphan_blob",
    "waits_reported",
]

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
    *PROFILE_COLUMNS,
)


COUNTS_REUSED_FOR = 1.0
"""Seconds a count's dashboard answers the next `dashboard` call for the same view (once):
the list asks for it right after the count; a later call reads the counts afresh."""


@dataclass
class ContactService:
    """Reads and writes contacts for one user with one lifecycle configuration.

    The one object the UI holds: contacts and the list here, their records in
    `records` (RecordService) and their documents in `documents` (DocumentService).
    """

    config: LifecycleConfig
    user: str
    records: RecordService = field(init=False, repr=False)
    documents: DocumentService = field(init=False, repr=False)
    _category_steps: dict[str, tuple[str, ...]] = field(init=False, repr=False)
    _known_steps: tuple[str, ...] = field(init=False, repr=False)
    # The last count's dashboard: (filter, time.monotonic() it was read, counts).
    _counted: tuple[ContactFilter, float, Dashboard] | None = field(
        default=None, init=False, repr=False
    )
    # The workspace's documents/ store; None: document methods raise DocumentError.
    blobs: BlobStore | None = None
    # lifecycle.toml: every write that sets a stage or template is checked against the file
    # as it is on disk then, not this session's copy (another admin may have removed a step).
    config_path: Path | None = None

    def __post_init__(self) -> None:
        self.records = RecordService(self.config, self.user)
        self.documents = DocumentService(self.config, self.user, self.blobs)
        self.set_config(self.config)

    def set_config(self, config: LifecycleConfig) -> None:
        self.config = config
        self.records.config = config
        self.documents.config = config
        steps: dict[str, list[str]] = {}
        for template in config.templates:
            for category in template.categories:
                steps.setdefault(category.key, []).extend(s.key for s in category.steps)
        self._category_steps = {k: tuple(v) for k, v in steps.items()}
        self._known_steps = tuple(config.step_names())

    def current_config(self) -> LifecycleConfig:
        """The lifecycle as it is on disk now (a broken file: the last good one)."""
        if self.config_path is None:
            return self.config
        return lifecycle_file.current(self.config_path, fallback=self.config)

    # ----- the list -------------------------------------------------------------------

    def _condition(self, contact_filter: ContactFilter) -> peewee.Expression:
        steps = self._category_steps.get(contact_filter.category or "", ())
        return listing.filter_condition(contact_filter, steps, self._known_steps)

    def category_steps(self, category: str | None) -> tuple[str, ...]:
        """The step keys of a lifecycle category, in every template (none: empty)."""
        return self._category_steps.get(category or "", ())

    def view_condition(self, contact_filter: ContactFilter) -> peewee.Expression:
        """The WHERE clause of a view (its search included), for reads of the whole view."""
        return self._condition(contact_filter)

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
            # search_page tries cheaper plans before the search index
            steps = self._category_steps.get(contact_filter.category or "", ())
            raw = listing.search_page(
                contact_filter,
                steps,
                sort,
                descending,
                after,
                limit + 1,
                backwards,
                known_steps=self._known_steps,
            )
        else:
            raw = listing.page(
                self._condition(contact_filter), sort, descending, after, limit + 1, backwards
            )
        has_more = len(raw) > limit
        if has_more:
            raw = raw[1:] if backwards else raw[:limit]
        return Page(_contact_rows(raw), has_more)

    @with_connection
    def row_of(
        self, contact_id: int, contact_filter: ContactFilter, sort: str
    ) -> ContactRow | None:
        """Contact `contact_id` as a row of this view (sorted by `sort`), to put the cursor
        on it; None when the view leaves it out, or has a search (not worth a search here).
        """
        if contact_filter.search:
            return None
        raw = listing.rows_by_id([contact_id], sort, self._condition(contact_filter))
        rows = _contact_rows(raw)
        return rows[0] if rows else None

    @with_connection
    def window_changes(
        self,
        contact_filter: ContactFilter,
        sort: str,
        descending: bool,
        changed_ids: frozenset[int],
        kept_ids: list[int],
        first: tuple | None,
        last: tuple | None,
    ) -> tuple[tuple[ContactRow, int], ...]:
        """After other sessions changed `changed_ids`: those of them now in the view that
        sort from the sort key `first` to `last` (None: an open end), in display order,
        each with how many of `kept_ids` (rows held and not changed) come before it.

        A window of rows whose range is [first, last] stays exact by dropping the
        changed rows it held and putting these where their counts say.
        """
        raw = listing.window_changes(
            self._condition(contact_filter),
            sort,
            descending,
            sorted(changed_ids),
            kept_ids,
            first,
            last,
        )
        rows = _contact_rows([r[:-1] for r in raw])
        return tuple((row, r[-1]) for row, r in zip(rows, raw, strict=True))

    @with_connection
    def count(self, contact_filter: ContactFilter = DEFAULT_VIEW) -> int:
        """The number of contacts in the view; its dashboard is counted in the same read.

        The list asks for the dashboard right after the count: at a million contacts both
        read every match (150-500 ms each), so the second is answered from the first.
        """
        counts = self._dashboard(contact_filter)
        self._counted = (contact_filter, time.monotonic(), counts)
        return counts.total

    # ----- position in the list: the virtual table's "row N of M" ---------------------

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

    def counted_dashboard(self, contact_filter: ContactFilter) -> Dashboard | None:
        """The dashboard `count` read with its count of this view a moment ago, without
        reading anything (None: there is none): the list shows it at once. Answers once,
        then `dashboard` reads afresh."""
        counted, self._counted = self._counted, None
        if (
            counted is not None
            and counted[0] == contact_filter
            and time.monotonic() - counted[1] < COUNTS_REUSED_FOR
        ):
            return counted[2]
        return None

    @with_connection
    def dashboard(self, contact_filter: ContactFilter = DEFAULT_VIEW) -> Dashboard:
        """Counts for the dashboard: by status, by lifecycle category, missing primaries."""
        counted = self.counted_dashboard(contact_filter)
        return counted if counted is not None else self._dashboard(contact_filter)

    def _dashboard(self, contact_filter: ContactFilter) -> Dashboard:
        steps = self._category_steps.get(contact_filter.category or "", ())
        per_stage: list[tuple[str, str, int, int]] | None
        if listing.is_tallied(contact_filter):
            per_stage = listing.tallied_stage_counts(contact_filter, steps)
        else:
            per_stage = listing.searched_stage_counts(contact_filter, steps)
        if per_stage is None:
            searched = bool(contact_filter.search.strip())
            per_stage = listing.stage_counts(self._condition(contact_filter), searched)
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
        return read_contact(contact_id)

    @with_connection
    def create_contact(self, name: str, company: int | str | None = None) -> ContactDetail:
        """A new contact at the first step of the default lifecycle.

        `company` is a company id, a new company's name (created on the fly), or None for
        Tenant-Wide.
        """
        name = clean_text(name, field="Name", required=True)
        template = self.current_config().default
        first = template.first_step
        now = utc_now()
        with database.atomic():
            company_row = resolve_company(company)
            company_name = company_row.name if company_row else ""
            derived = derived_columns(name, "", company_name)
            contact = Contact.create(
                name=name,
                company=company_row,
                company_name=company_name,
                template=template.key,
                stage=first.key,
                status=status_of(first.is_closed),
                **dict(zip(DERIVED_COLUMNS, derived, strict=True)),
                created_at=now,
                created_by=self.user,
                updated_at=now,
                updated_by=self.user,
            )
            write_word_index([(contact.id, contact.search_doc)], new=True)
            StageChange.create(contact=contact, to_stage=first.key, at=now, by=self.user)
            AuditEntry.create(
                contact=contact, at=now, by=self.user, field="created", new_value=name
            )
        return read_contact(contact.id)

    @with_connection
    def update_contact(self, contact_id: int, version: int, **changes: Any) -> ContactDetail:
        """Save edited fields of the information panel, if nobody saved in between.

        Raises ValidationError for a bad value (nothing is saved), ConflictError when the
        contact's version is no longer `version`.
        """
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
        config = self.current_config()
        values = self._validated(changes, config)
        with database.atomic():
            # What the save compares with, without the history (read once, after): a
            # long-lived contact's history made every save of it slower.
            current = read_contact(contact_id, history=False)
            if current.version != version:
                raise ConflictError(read_contact(contact_id))
            updates: dict = {}
            audit: list[tuple[str, str, str]] = []
            for key, value in values.items():
                if key == "accounts":
                    value = tuple(sorted(account_ids(value)))
                    old = tuple(sorted(a.id for a in current.accounts))
                    if tuple(sorted(value)) != old:
                        set_accounts(contact_id, value)
                        audit.append(
                            (
                                "accounts",
                                ", ".join(a.name for a in current.accounts),
                                ", ".join(account_names(value)),
                            )
                        )
                elif key == "company":
                    company_row = resolve_company(value)
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
                    audit.append((key, audit_text(getattr(current, key)), audit_text(value)))
            if "template" in updates:
                template = config.template(updates["template"])  # checked in _validated
                if template is not None and template.step(current.stage) is None:
                    raise ValidationError(
                        f"The step {current.stage!r} is not in the lifecycle "
                        f"{template.name!r}; choose the step to start at with set_stage."
                    )
            if not audit:
                return read_contact(contact_id)
            write_contact(contact_id, version, updates, self.user)
            write_audit(contact_id, self.user, audit)
            refresh_derived(contact_id)
        return read_contact(contact_id)

    def _validated(self, changes: dict[str, Any], config: LifecycleConfig) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "name":
                values[key] = clean_text(value, field="Name", required=True)
            elif key in ("full_name", "segmentation", "reason_code"):
                values[key] = clean_text(value, field=key.replace("_", " ").capitalize())
            elif key == "scoring":
                values[key] = normalize_scoring(value, config.scoring_min, config.scoring_max)
            elif key == "template":
                if config.template(str(value)) is None:
                    raise ValidationError(f"There is no lifecycle called {value!r}.")
                values[key] = value
            elif key == "company":
                if isinstance(value, str):
                    value = clean_text(value, field="Company") or None
                values[key] = value
            elif key == "accounts":
                # An id, or the name of an account to create with this save.
                values[key] = tuple(
                    clean_text(v, field="Account name", required=True)
                    if isinstance(v, str)
                    else int(v)
                    for v in value
                )
            elif key in PROFILE_COLUMNS:
                region = self.config.default_phone_region
                values[key] = normalize_profile_field(key, value, region)
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
        config = self.current_config()
        with database.atomic():
            # Only what the move depends on: the whole contact is read once, after it.
            current = (
                Contact.select(Contact.version, Contact.stage, Contact.template)
                .where(Contact.id == contact_id)
                .tuples()
                .first()
            )
            if current is None:
                raise NotFoundError(f"Contact {contact_id} no longer exists.")
            current_version, current_stage, current_template = current
            if version is not None and current_version != version:
                raise ConflictError(read_contact(contact_id))
            template_key = template or current_template
            steps = config.template(template_key)
            if steps is None:
                raise ValidationError(f"There is no lifecycle called {template_key!r}.")
            step = steps.step(step_key)
            if step is None:
                removed = " any more (lifecycle.toml changed)" if config != self.config else ""
                raise ValidationError(
                    f"The lifecycle {steps.name!r} has no step {step_key!r}{removed}."
                )
            if step.key == current_stage and template_key == current_template:
                return read_contact(contact_id)
            now = utc_now()
            updates = {"stage": step.key, "status": status_of(step.is_closed)}
            if template_key != current_template:
                updates["template"] = template_key
                AuditEntry.create(
                    contact=contact_id,
                    at=now,
                    by=self.user,
                    field="template",
                    old_value=current_template,
                    new_value=template_key,
                )
            write_contact(contact_id, current_version, updates, self.user)
            StageChange.create(
                contact=contact_id,
                from_stage=current_stage,
                to_stage=step.key,
                at=now,
                by=self.user,
            )
        return read_contact(contact_id)

    @with_connection
    def save_contact(
        self,
        contact_id: int,
        version: int,
        changes: dict[str, object],
        *,
        template: str | None = None,
        stage: str | None = None,
    ) -> ContactDetail:
        """The contact screen's one save: its edited fields and its lifecycle (template
        and step), all or nothing, if nobody saved in between.

        Raises as `update_contact` and `set_stage` do; nothing is saved then.
        """
        # The undecorated methods: one connection and one transaction for both.
        update = ContactService.update_contact.__wrapped__  # type: ignore[attr-defined]
        move = ContactService.set_stage.__wrapped__  # type: ignore[attr-defined]
        with database.atomic():
            detail = update(self, contact_id, version, **changes) if changes else None
            if template is None and stage is None:
                return detail or read_contact(contact_id)
            if detail is not None:
                version = detail.version
            step = stage or (detail or read_contact(contact_id)).stage
            return move(self, contact_id, step, version=version, template=template)

    @with_connection
    def archive(self, contact_id: int, archived: bool = True) -> ContactDetail:
        with database.atomic():
            current = read_contact(contact_id)
            if current.archived == archived:
                return current
            write_contact(contact_id, current.version, {"archived": archived}, self.user)
            AuditEntry.create(
                contact=contact_id,
                by=self.user,
                field="archived",
                old_value=audit_text(current.archived),
                new_value=audit_text(archived),
            )
        return read_contact(contact_id)

    # ----- companies and accounts -----------------------------------------------------

    @with_connection
    def companies(self) -> tuple[CompanyInfo, ...]:
        from contacts_tui.services.details import CompanyInfo

        query = Company.select(Company.id, Company.name).order_by(Company.name)
        return tuple(CompanyInfo(i, n) for i, n in tuples(query))

    @with_connection
    def create_company(self, name: str) -> CompanyInfo:
        from contacts_tui.services.details import CompanyInfo

        with database.atomic():
            row = resolve_company(name)
        if row is None:  # the name that means no company
            raise ValidationError(f"“{TENANT_WIDE}” means no company: choose another name.")
        return CompanyInfo(row.id, row.name)

    @with_connection
    def accounts(self, include_archived: bool = False) -> tuple[AccountInfo, ...]:
        from contacts_tui.services.details import AccountInfo

        contacts = peewee.fn.COUNT(ContactAccount.id)
        query = (
            Account.select(Account.id, Account.name, Account.archived, contacts)
            .join(ContactAccount, peewee.JOIN.LEFT_OUTER)
            .group_by(Account.id, Account.name, Account.archived)
            .order_by(Account.name)
        )
        if not include_archived:
            query = query.where(Account.archived == False)  # noqa: E712
        return tuple(AccountInfo(*row) for row in tuples(query))

    @with_connection
    def create_account(self, name: str) -> AccountInfo:
        from contacts_tui.services.details import AccountInfo

        name = clean_text(name, field="Account name", required=True)
        with database.atomic():
            existing = Account.get_or_none(Account.name == name)
            if existing is not None:
                raise ValidationError(f"An account called {name!r} exists already.")
            row = Account.create(name=name)
        return AccountInfo(row.id, row.name)

    @with_connection
    def rename_account(self, account_id: int, name: str) -> AccountInfo:
        from contacts_tui.services.details import AccountInfo

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

    @with_connection
    def find_contact(self, reference: str) -> int:
        """The id of the contact a script names by id or by an exact e-mail address."""
        text = reference.strip()
        if text.isascii() and text.isdigit():
            if int(text) > MAX_RECORD_ID:
                raise NotFoundError(f"No contact has the id {text} (ids go up to {MAX_RECORD_ID}).")
            contact_exists(int(text))
            return int(text)
        ids = sorted(
            {
                contact
                for (contact,) in tuples(
                    Email.select(Email.contact).where(peewee.fn.LOWER(Email.email) == text.lower())
                )
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

    # ----- export: the e-mails, phones and addresses of many contacts ------------------
    # An export of a million contacts reads them a page at a time; one query per child
    # table per page keeps it at a few thousand queries instead of millions.

    @with_connection
    def contact_cards(self, contact_ids: list[int], full: bool = True) -> dict[int, ContactCard]:
        """Everything of each contact beyond its list row: records, profile fields, bank
        accounts, documents' metadata and stage history, primary first, oldest first.

        Every id asked for gets a card, empty for a contact without children (or one that
        no longer exists). `full` False: without bank accounts, documents and stage
        history (a CSV has no column for them; the stage history's times were most of a
        CSV export's reading).
        """
        from contacts_tui.services.details import (
            AddressInfo,
            BankAccountInfo,
            ContactCard,
            DocumentInfo,
            EmailInfo,
            PhoneInfo,
            StageChangeInfo,
        )

        ids = list(dict.fromkeys(contact_ids))
        emails = children_by_contact(Email, EmailInfo, ids)
        phones = children_by_contact(Phone, PhoneInfo, ids)
        addresses = children_by_contact(Address, AddressInfo, ids)
        banks: dict[int, list] = {}
        documents: dict[int, list] = {}
        history: dict[int, list] = {}
        if full:
            banks = _grouped(BankAccount, BankAccountInfo, ids, (BankAccount.id,))
            documents = _grouped(Document, DocumentInfo, ids, (Document.id,))
            history = _grouped(StageChange, StageChangeInfo, ids, (StageChange.at, StageChange.id))
        profile_columns = [getattr(Contact, key) for key in PROFILE_COLUMNS]
        own = {
            contact_id: rest
            for contact_id, *rest in tuples(
                Contact.select(
                    Contact.id,
                    Contact.uid,
                    Contact.created_at,
                    Contact.created_by,
                    Contact.updated_by,
                    Contact.version,
                    *profile_columns,
                ).where(Contact.id.in_(ids))
            )
        }
        cards = {}
        for i in ids:
            missing: list[Any] = ["", None, "", "", 1, *[""] * len(PROFILE_COLUMNS)]
            uid, created_at, created_by, updated_by, version, *profile = own.get(i, missing)
            cards[i] = ContactCard(
                emails=tuple(emails.get(i, ())),
                phones=tuple(phones.get(i, ())),
                addresses=tuple(addresses.get(i, ())),
                bank_accounts=tuple(banks.get(i, ())),
                documents=tuple(documents.get(i, ())),
                stage_history=tuple(history.get(i, ())),
                profile=tuple((k, v) for k, v in zip(PROFILE_COLUMNS, profile, strict=True) if v),
                uid=uid,
                created_at=created_at,
                created_by=created_by,
                updated_by=updated_by,
                version=version,
            )
        return cards


def _grouped(model: Any, info: Any, contact_ids: list[int], order: tuple) -> dict[int, list]:
    """Rows of a child table without a primary flag, grouped by contact, in `order`.
    (`model`: a peewee model with the dataclass `info`'s fields as columns.)"""
    names = [f.name for f in dataclasses.fields(info)]
    query = (
        model.select(model.contact, *(getattr(model, n) for n in names))
        .where(model.contact.in_(contact_ids))
        .order_by(model.contact, *order)
        .tuples()
    )
    grouped: dict[int, list] = {}
    for contact_id, *values in tuples(query):
        grouped.setdefault(contact_id, []).append(info(*values))
    return grouped


def _contact_rows(raw: Sequence[tuple]) -> tuple[ContactRow, ...]:
    """List rows as the store reads them (`listing.ListRow`: ROW_FIELDS, the sort value).

    ContactRow is given its fields in order, not by keyword: at 100 rows a page the
    keywords cost more than the naming (5.7 against 6.8 ms a page on a loaded machine).
    """
    rows = list(map(ListRow._make, raw))
    accounts = listing.assigned_accounts([r.id for r in rows])
    return tuple(
        ContactRow(
            r.id,
            r.name,
            r.full_name,
            r.email,
            r.phone,
            r.company,
            r.status,
            r.stage,
            r.template,
            r.segmentation,
            r.scoring,
            r.reason_code,
            r.updated_at,
            bool(r.archived),
            tuple(accounts.get(r.id, ())),
            (r.sort_value, r.name_key, r.id),
        )
        for r in rows
    )
