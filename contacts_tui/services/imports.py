"""Import: write the contacts of a CSV, JSON or vCard file to the store, in batches.

`contacts_tui.importer` reads and checks the file; this module decides what is a
duplicate and writes the rest. A batch of contacts is one write transaction (BEGIN
IMMEDIATE on SQLite, retried when busy like every write): a contact is written whole
or not at all, and what earlier batches wrote stays when a later one fails or the user
cancels. Rows go in as plain SQL (executemany), not one ORM save per field: 10,000
contacts take seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import peewee

from contacts_tui.importer import (
    ContactDraft,
    ImportSource,
    RowRejected,
    Unreadable,
    check_contact,
    open_source,
    shown,
)
from contacts_tui.safe_text import first_line
from contacts_tui.services.shared import status_of
from contacts_tui.store.database import insert_rows, is_postgres, with_connection
from contacts_tui.store.models import (
    CONTACT_COLUMNS,
    Account,
    Company,
    Contact,
    Email,
    Phone,
    database,
    utc_now,
)
from contacts_tui.store.search import digits, fold, search_document, write_word_index
from contacts_tui.validation import format_phone

if TYPE_CHECKING:
    from contacts_tui.services import ContactService

DUPLICATE_MODES = ("skip", "add")
"""skip: a contact whose primary e-mail or phone exists already is left out; add: imported."""

BATCH_SIZE = 500
"""Contacts per write transaction: big enough to make 10,000 contacts a few seconds, small
enough that others' writes wait a fraction of a second for the lock, and that a cancel
stops soon."""

KEPT_PROBLEMS = 100
"""Reasons the summary keeps for the dialog; `on_problem` still hears of every one."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportProblem:
    """A record of the file that was not imported: rejected, or skipped as a duplicate."""

    ref: str  # "line 5", "item 3 (line 4)", "card 2 (line 9)"
    reason: str
    duplicate: bool = False

    def __str__(self) -> str:
        what = "skipped duplicate" if self.duplicate else "rejected"
        return f"{self.ref}: {what}: {self.reason}"


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    file_name: str
    total: int  # records in the file
    imported: int
    duplicates: int
    rejected: int
    dry_run: bool = False
    cancelled: bool = False
    problems: tuple[ImportProblem, ...] = ()  # the first KEPT_PROBLEMS
    notes: tuple[str, ...] = ()

    def text(self, see_above: bool = False) -> str:
        """`Imported 3 contacts; skipped 1 duplicate; rejected 2 rows`."""
        if self.dry_run:
            verbs = ("Would import", "would skip", "would reject")
        else:
            verbs = ("Imported", "skipped", "rejected")
        counts = (
            _counted(self.imported, "contact"),
            _counted(self.duplicates, "duplicate"),
            _counted(self.rejected, "row"),
        )
        text = "; ".join(f"{verb} {count}" for verb, count in zip(verbs, counts, strict=True))
        if see_above and (self.rejected or self.duplicates):
            text += " (see above)"
        if self.cancelled:
            text = f"Cancelled: {text[0].lower()}{text[1:]}; the rest of the file was not read"
            if self.imported and not self.dry_run:
                text += " (the contacts imported before the cancel stay)"
        return text + "."


def _counted(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def import_contacts(
    service: ContactService,
    path: Path | str,
    fmt: str | None = None,
    *,
    duplicates: str = "skip",
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_problem: Callable[[ImportProblem], None] | None = None,
    batch_size: int | None = None,
) -> ImportSummary:
    """Import the contacts of the file at `path` (`fmt` None: from the extension).

    Raises ImportFileError, before writing anything, when the file cannot be read at all.
    Otherwise every contact with a bad value is rejected whole and the rest imported;
    `on_problem` hears of each rejected or skipped record as it comes. `progress(done,
    total)` is called after each batch; `cancelled()` is asked after each batch, and
    True stops the import there (what was written stays). `dry_run` checks everything,
    duplicates included, and writes nothing.
    """
    if duplicates not in DUPLICATE_MODES:
        raise ValueError(f"duplicates must be one of {DUPLICATE_MODES}, not {duplicates!r}")
    batch_size = batch_size or BATCH_SIZE
    source = open_source(path, fmt)
    run = _ImportRun(service, source, duplicates == "skip", dry_run, on_problem)
    if progress:
        progress(0, source.total)
    done = 0
    batch: list[tuple[int, ContactDraft]] = []
    stopped = False
    for record in source.records():
        done += 1
        if isinstance(record, Unreadable):
            run.reject(done, ImportProblem(record.ref, record.reason))
        else:
            try:
                batch.append((done, check_contact(record, service)))
            except RowRejected as error:
                run.reject(done, ImportProblem(record.ref, str(error)))
        if done % batch_size == 0:
            run.write(batch)
            batch = []
            if progress:
                progress(done, source.total)
            if cancelled and cancelled():
                stopped = True
                break
    if not stopped:
        run.write(batch)
        if progress:
            progress(done, max(done, source.total))
    return ImportSummary(
        file_name=source.name,
        total=source.total,
        imported=run.imported,
        duplicates=run.duplicates,
        rejected=run.rejected,
        dry_run=dry_run,
        cancelled=stopped and done < source.total,
        problems=tuple(run.kept),
        notes=source.notes,
    )


class _ImportRun:
    """The counts of one import and the primary e-mails and phones it has seen so far."""

    def __init__(
        self,
        service: ContactService,
        source: ImportSource,
        skip_duplicates: bool,
        dry_run: bool,
        on_problem: Callable[[ImportProblem], None] | None,
    ) -> None:
        self.service = service
        self.source = source
        self.skip_duplicates = skip_duplicates
        self.dry_run = dry_run
        self.on_problem = on_problem
        self.imported = self.duplicates = self.rejected = 0
        self.kept: list[ImportProblem] = []
        # Primary e-mails (folded) and phones of the contacts imported so far: a repeat
        # later in the file is a duplicate too.
        self.seen: set[str] = set()
        # The batch's problems, told once it is written: rejected records are known as
        # they are read, duplicates only when written, and the messages should come in
        # the order of the file.
        self.pending: list[tuple[int, ImportProblem]] = []

    def reject(self, number: int, problem: ImportProblem) -> None:
        self.pending.append((number, problem))

    def write(self, batch: list[tuple[int, ContactDraft]]) -> None:
        """Write the batch (or check it, in a dry run), then tell its problems in order."""
        numbers = {draft.ref: number for number, draft in batch}
        drafts = [draft for _, draft in batch]
        if drafts:
            problems = self._write(drafts)
            self.pending += [(numbers[p.ref], p) for p in problems]
        for _, problem in sorted(self.pending, key=lambda pending: pending[0]):
            self._tell(problem)
        self.pending = []

    def _write(self, drafts: list[ContactDraft]) -> list[ImportProblem]:
        if self.dry_run:
            return self._done(*_read_duplicates(drafts, self.seen, self.skip_duplicates))
        try:
            return self._done(*_write_batch(self, drafts))
        except (peewee.IntegrityError, peewee.DataError):
            # The database refused a row the checks let through (a value too long for
            # PostgreSQL, say): write the batch one contact at a time, so that only that
            # contact is left out.
            problems = []
            for draft in drafts:
                try:
                    problems += self._done(*_write_batch(self, [draft]))
                except (peewee.IntegrityError, peewee.DataError) as error:
                    reason = f"the database refused it: {first_line(error)}"
                    problems.append(ImportProblem(draft.ref, reason))
            return problems

    def _done(
        self, keep: list[ContactDraft], skipped: list[ImportProblem], keys: set[str]
    ) -> list[ImportProblem]:
        self.imported += len(keep)
        self.seen |= keys
        return skipped

    def _tell(self, problem: ImportProblem) -> None:
        if problem.duplicate:
            self.duplicates += 1
        else:
            self.rejected += 1
        if len(self.kept) < KEPT_PROBLEMS:
            self.kept.append(problem)
        if self.on_problem:
            self.on_problem(problem)


def _keys(draft: ContactDraft) -> list[tuple[str, str]]:
    """(what, key) of the values that make a contact a duplicate: its primary e-mail, phone."""
    keys = []
    if draft.primary_email:
        keys.append(("e-mail", "email:" + draft.primary_email.casefold()))
    if draft.primary_phone:
        keys.append(("phone number", "phone:" + draft.primary_phone))
    return keys


def _sorted_out(
    batch: list[ContactDraft], seen: set[str], skip_duplicates: bool
) -> tuple[list[ContactDraft], list[ImportProblem], set[str]]:
    """(contacts to write, duplicates skipped, keys of the contacts to write).

    A contact is a duplicate when its primary e-mail or phone is on a contact of the
    workspace (archived ones too) or on a contact earlier in the file.
    """
    if not skip_duplicates:
        return batch, [], set()
    holders = _holders(batch)
    keep: list[ContactDraft] = []
    skipped: list[ImportProblem] = []
    keys: set[str] = set()
    for draft in batch:
        reason = None
        for what, key in _keys(draft):
            value = key.split(":", 1)[1]
            if key in holders:
                contact_id, name = holders[key]
                reason = (
                    f"the {what} {shown(value)} belongs to {shown(name)} "
                    f"(contact {contact_id}) already"
                )
            elif key in seen or key in keys:
                reason = f"the {what} {shown(value)} is on a contact earlier in this file"
            if reason:
                break
        if reason:
            skipped.append(ImportProblem(draft.ref, reason, duplicate=True))
        else:
            keep.append(draft)
            keys.update(key for _, key in _keys(draft))
    return keep, skipped, keys


_read_duplicates = with_connection(_sorted_out)
"""_sorted_out on a connection of its own: for a dry run, which writes nothing."""


def _holders(batch: list[ContactDraft]) -> dict[str, tuple[int, str]]:
    """key -> (contact id, name) of the batch's primary e-mails and phones already stored."""
    emails = {d.primary_email for d in batch if d.primary_email}
    # Stored e-mails are normalised the same way (domain lower-case); the lower-case form
    # also finds one typed all lower-case, as the app's own duplicate check does.
    emails |= {e.lower() for e in emails}
    phones = {d.primary_phone for d in batch if d.primary_phone}
    holders: dict[str, tuple[int, str]] = {}
    if emails:
        query = (
            Email.select(Email.email, Contact.id, Contact.name)
            .join(Contact)
            .where(Email.email.in_(sorted(emails)))
            .tuples()
        )
        for email, contact_id, name in query:
            holders.setdefault("email:" + email.casefold(), (contact_id, name))
    if phones:
        query = (
            Phone.select(Phone.number, Contact.id, Contact.name)
            .join(Contact)
            .where(Phone.number.in_(sorted(phones)))
            .tuples()
        )
        for number, contact_id, name in query:
            holders.setdefault("phone:" + number, (contact_id, name))
    return holders


@with_connection
def _write_batch(
    run: _ImportRun, batch: list[ContactDraft]
) -> tuple[list[ContactDraft], list[ImportProblem], set[str]]:
    """Write the batch's contacts that are not duplicates, in one transaction."""
    with database.atomic():
        # Inside the write transaction: a colleague's contact saved a moment ago counts.
        keep, skipped, keys = _sorted_out(batch, run.seen, run.skip_duplicates)
        if keep:
            _insert_contacts(keep, run.service.user, run.source.name)
    return keep, skipped, keys


_ADDRESS_COLUMNS = ("address", "country", "state", "city", "zip_code", "locality", "type")


def _insert_contacts(drafts: list[ContactDraft], user: str, file_name: str) -> None:
    """Insert contacts with their records, history and audit entries (caller's transaction)."""
    db = database.obj
    now = str(utc_now())
    companies = _ids_by_name(Company, {d.company for d in drafts if d.company})
    accounts = _ids_by_name(Account, {a for d in drafts for a in d.accounts})
    emails, phones, addresses, banks, links, history, audit = [], [], [], [], [], [], []
    contact_ids, documents = [], []
    search_doc = CONTACT_COLUMNS.index("search_doc")
    with _search_index_deferred(db):
        for draft in drafts:
            row = _contact_row(draft, companies, now, user)
            contact_ids.append(_insert_returning_id(db, row))
            documents.append(row[search_doc])
    write_word_index(zip(contact_ids, documents, strict=True), new=True)
    for contact_id, draft in zip(contact_ids, drafts, strict=True):
        for email, kind, primary in draft.emails:
            emails.append((contact_id, email, kind, primary))
        for number, typed, kind, primary in draft.phones:
            phones.append((contact_id, number, typed, kind, primary))
        for address in draft.addresses:
            values = tuple(address[c] for c in _ADDRESS_COLUMNS)
            addresses.append((contact_id, *values, address["is_primary"]))
        for name, iban, bic in draft.bank_accounts:
            banks.append((contact_id, name, iban, bic))
        links.extend((contact_id, accounts[name]) for name in draft.accounts)
        history.append((contact_id, "", draft.stage, now, user))
        audit.append((contact_id, now, user, "imported", "", f"from {file_name} ({draft.ref})"))
    insert_rows(db, "email", ("contact_id", "email", "type", "is_primary"), emails)
    insert_rows(db, "phone", ("contact_id", "number", "typed", "type", "is_primary"), phones)
    insert_rows(db, "address", ("contact_id", *_ADDRESS_COLUMNS, "is_primary"), addresses)
    insert_rows(db, "bank_account", ("contact_id", "name", "iban", "bic"), banks)
    insert_rows(db, "contact_account", ("contact_id", "account_id"), links)
    insert_rows(db, "stage_change", ("contact_id", "from_stage", "to_stage", "at", "by"), history)
    audit_columns = ("contact_id", "at", "by", "field", "old_value", "new_value")
    insert_rows(db, "audit_entry", audit_columns, audit)


def _contact_row(draft: ContactDraft, companies: dict[str, int], now: str, user: str) -> tuple:
    """The contact's columns, with the list columns `refresh_derived` would compute."""
    company_name = draft.company or ""
    # refresh_derived's order: the primary record first, then the others as added.
    emails = [e for e, _, p in draft.emails if p] + [e for e, _, p in draft.emails if not p]
    phones = [n for n, _, _, p in draft.phones if p] + [n for n, _, _, p in draft.phones if not p]
    primary_phone = draft.primary_phone
    return (
        draft.name,
        draft.full_name,
        draft.scoring,
        draft.segmentation,
        draft.reason_code,
        companies[draft.company] if draft.company else None,
        draft.template,
        draft.stage,
        status_of(draft.closed),
        draft.archived,
        fold(draft.name),
        company_name,
        draft.primary_email,
        format_phone(primary_phone) if primary_phone else "",
        digits(primary_phone),
        search_document(draft.name, draft.full_name, company_name, emails, phones),
        now,
        user,
        now,
        user,
        1,
    )


def _ids_by_name(model: type[peewee.Model], names: Iterable[str]) -> dict[str, int]:
    """name -> id of companies (or accounts), creating the ones that do not exist yet."""
    names = sorted(names)
    if not names:
        return {}
    found = dict(model.select(model.name, model.id).where(model.name.in_(names)).tuples())
    for name in names:
        if name not in found:
            found[name] = model.insert(name=name).execute()
    return found


@contextmanager
def _search_index_deferred(db: peewee.Database) -> Iterator[None]:
    """On SQLite, add the contacts inserted in the block to the search index in one go.

    The FTS5 insert trigger indexes a contact per statement, which made up 80% of an
    import's writing (190 µs of 210 µs a contact, measured at 10,000); one INSERT …
    SELECT for the batch takes 8 µs a contact. The trigger is dropped and made again
    from its stored SQL inside the caller's write transaction, so no other connection
    ever sees the table without it (the demo does the same).
    """
    if is_postgres(db):  # pg_trgm indexes the column itself
        yield
        return
    trigger = db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'contact_fts_insert'"
    ).fetchone()
    if trigger is None:
        yield
        return
    first = db.execute_sql('SELECT MAX("id") FROM "contact"').fetchone()[0] or 0
    db.execute_sql('DROP TRIGGER "contact_fts_insert"')
    yield
    # Under the write lock nobody else inserted: every id above `first` is the block's.
    db.execute_sql(
        "INSERT INTO contact_fts(rowid, search_doc) SELECT id, search_doc FROM contact "
        "WHERE id > ?",
        (first,),
    )
    db.execute_sql(trigger[0])


def _insert_returning_id(db: peewee.Database, row: tuple) -> int:
    names = ", ".join(f'"{c}"' for c in CONTACT_COLUMNS)
    marks = ", ".join(db.param for _ in CONTACT_COLUMNS)
    sql = f'INSERT INTO "contact" ({names}) VALUES ({marks})'
    if is_postgres(db):
        return db.execute_sql(sql + ' RETURNING "id"', row).fetchone()[0]
    return db.execute_sql(sql, row).lastrowid
