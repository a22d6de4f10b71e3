"""Import: write the contacts of a CSV, JSON or vCard file to the store, in batches.

`contacts_tui.importer` reads and checks the file; this module decides what is a
duplicate and writes the rest. A batch of contacts is one write transaction (BEGIN
IMMEDIATE on SQLite, retried when busy like every write): a contact is written whole
or not at all, and what earlier batches wrote stays when a later one fails or the user
cancels. Rows go in as plain SQL (executemany), not one ORM save per field: 10,000
contacts take seconds, not minutes.
"""

from __future__ import annotations

import operator
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import peewee

from contacts_tui.importer import (
    ContactDraft,
    ImportSource,
    Unreadable,
    open_source,
    shown,
)
from contacts_tui.safe_text import first_line
from contacts_tui.services import collector
from contacts_tui.services.import_checks import checked_records
from contacts_tui.services.import_rows import ROW_COLUMNS, STAMP_COLUMNS, contact_row
from contacts_tui.services.shared import (
    audit_text,
    read_contact,
    refresh_derived,
    write_contact,
)
from contacts_tui.store import deferred_indexes
from contacts_tui.store.bulk import Checkpoints, contacts_added_in_bulk
from contacts_tui.store.database import (
    ColleagueWaits,
    insert_rows,
    is_postgres,
    with_connection,
)
from contacts_tui.store.models import (
    PROFILE_COLUMNS,
    Account,
    AuditEntry,
    Company,
    Document,
    database,
    utc_now,
)
from contacts_tui.store.search import fold, insert_word_index

if TYPE_CHECKING:
    from contacts_tui.services import ContactService

DUPLICATE_MODES = ("skip", "update", "create")
"""What happens to a contact that is already in the workspace (or earlier in the file):
skip it, update the saved one with the file's values, or create it anyway."""

DUPLICATE_ALIASES = {"add": "create"}
"""The older `--duplicates add`, which scripts may still pass."""

BATCH_SIZE = 200
"""Contacts in the first write transaction; the next ones are sized from how long the
last one took (`BATCH_SECONDS`), since that time depends on the machine and its load."""
BATCH_SECONDS = 0.3
"""How long one batch aims to hold the write lock. Colleagues' saves wait for it (SQLite
has one writer at a time): a fixed 500 contacts held it 4.4 s on a loaded 2-core server,
and a save waited 5.5 s, beyond the busy timeout."""
MIN_BATCH, MAX_BATCH = 20, 5000
PAUSE_SECONDS = 0.1
"""The least gap between two batches' writes while a colleague's write waits
(`ColleagueWaits`), so that its busy handler (which polls every 100 ms once it has
waited a while) gets the lock before the next batch. Building the next batch's rows
takes some of it already: only the rest is slept."""

IMPORT_CACHE_KIB = 96_000
"""SQLite's page cache for the import's own connection (gone with it when it ends; it
fills only with the pages the import touches). Each batch reaches into two dozen
indexes: 100,000 rows into a new workspace (200 MB by their end) took 58 s of CPU with
32 MB, 50 s with 96 MB (median of 2, interleaved)."""

BULK_FROM = 10_000
BULK_AT_MOST = 150_000
"""A file of BULK_FROM records or more, into a SQLite workspace of no more contacts than
the file has, and no more than BULK_AT_MOST once imported (a team arriving with its
address book), is imported with the indexes only reads use built after its rows
(`store.deferred_indexes`): at 100,000 rows the importing process spends ~30 % less CPU
(210-222 -> 148-151 us a row, median of 3, bench/import_export-results.md). The cap
keeps each index's build (one transaction, the write lock held) near or under a second:
at 199,000 contacts the longest took 1.13 s (contact_word_contact), at 100,000 0.57 s.
Meanwhile a colleague's list scans rather than seeks: at 199,000 contacts a page of it
took ~50 ms (6 ms with the indexes), a search for a word start ~200 ms; counts, the
kept tables, are as quick."""

KEPT_PROBLEMS = 100
"""Reports the summary keeps for the dialog; `on_problem` still hears of every one."""

Progress = Callable[[int, int], None]

OUTCOMES = {
    "refused": "refused",
    "skipped": "skipped duplicate",
    "updated": "updated",
    "created": "created",
    "kept": "kept in notes",
    "shared": "imported",
}


@dataclass(frozen=True)
class ImportProblem:
    """Something to tell about one record of the file.

    `outcome`: refused (not imported), skipped (a duplicate), updated (a duplicate whose
    saved contact took the file's values), kept (one value not stored in its field, kept
    in the notes), shared (imported, but a value is on another person too), created (only
    listed by a dry run).
    """

    ref: str  # "line 5", "item 3 (line 4)", "card 2 (line 9)"
    reason: str
    outcome: str = "refused"

    @property
    def duplicate(self) -> bool:
        return self.outcome == "skipped"

    def __str__(self) -> str:
        return f"{self.ref}: {OUTCOMES[self.outcome]}: {self.reason}"


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    file_name: str
    total: int  # records in the file
    imported: int  # created
    duplicates: int  # skipped
    rejected: int  # refused
    dry_run: bool = False
    cancelled: bool = False
    problems: tuple[ImportProblem, ...] = ()  # the first KEPT_PROBLEMS
    notes: tuple[str, ...] = ()
    updated: int = 0
    kept: int = 0  # values kept in notes rather than in their field
    encoding: str = "utf-8"  # what the file was read as (given, its BOM's, or detected)

    def text(self, see_above: bool = False) -> str:
        """`Imported 3 contacts; skipped 1 duplicate; refused 2 rows`."""
        if self.dry_run:
            verbs = ("Would import", "would update", "would skip", "would refuse")
        else:
            verbs = ("Imported", "updated", "skipped", "refused")
        counts = (
            _counted(self.imported, "contact"),
            _counted(self.updated, "contact"),
            _counted(self.duplicates, "duplicate"),
            _counted(self.rejected, "row"),
        )
        parts = [
            f"{verb} {count}"
            for n, (verb, count) in enumerate(zip(verbs, counts, strict=True))
            if n in (0, 2, 3) or self.updated
        ]
        text = "; ".join(parts)
        if self.kept:
            kept = "would be kept" if self.dry_run else "kept"
            text += f"; {_counted(self.kept, 'value')} {kept} in the contacts' notes"
        if see_above and (self.rejected or self.duplicates or self.kept):
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
    on_duplicate: str = "skip",
    duplicates: str | None = None,
    strict: bool = False,
    dry_run: bool = False,
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_problem: Callable[[ImportProblem], None] | None = None,
    batch_size: int | None = None,
) -> ImportSummary:
    """Import the contacts of the file at `path` (`fmt` None: from the extension).

    Raises ImportFileError, before writing anything, when the file cannot be read at all.
    Otherwise each contact comes in with every value that can be stored; the others are
    reported and kept in its notes (`strict`: the contact is refused instead).
    `on_duplicate` (skip, update, create; `duplicates` is its older name) decides what
    happens to a contact that is already there. `on_problem` hears of each report as it
    comes (in a dry run, of each contact that would be created too). `progress(done,
    total)` is called after each batch; `cancelled()` is asked after each batch, and True
    stops the import there (what was written stays). `dry_run` checks everything,
    duplicates included, and writes nothing.
    """
    mode = DUPLICATE_ALIASES.get(duplicates or on_duplicate, duplicates or on_duplicate)
    if mode not in DUPLICATE_MODES:
        raise ValueError(f"on_duplicate must be one of {DUPLICATE_MODES}, not {mode!r}")
    fixed_size = batch_size is not None
    batch_size = batch_size or BATCH_SIZE
    written = 0
    region = service.config.default_phone_region
    source = open_source(path, fmt, encoding=encoding, mapping=mapping, region=region)
    run = _ImportRun(service, source, mode, dry_run, on_problem)
    if progress:
        progress(0, source.total)
    done = 0
    batch: list[tuple[int, ContactDraft]] = []
    stopped = False
    # Closed however the loop ends (a cancel, a failed write): a second process
    # checking the rest of the file stops with it.
    checked = checked_records(source, service, strict=strict)
    checkpoints: Checkpoints | None = None
    # One connection for the whole import, not one per batch: closing a SQLite file's
    # last connection checkpoints its WAL (40 ms a batch). No transaction is held
    # between batches.
    with (
        collector.held_back(),
        database.connection_context(),
        closing(checked),
        closing(ColleagueWaits(database.obj)) as colleague_waits,
        ExitStack() as indexes,
    ):
        run.colleague_waits = colleague_waits
        if not is_postgres():
            # A contact goes into a dozen indexes at scattered places: with the 2 MB
            # cache of the app's short-lived connections most of each batch's pages were
            # read again and spilled (writing 20,000 contacts: 2.9 s, 1.1 s with this).
            database.execute_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
            if not dry_run:
                # Checkpoints of the log are the import's own, between batches: SQLite's
                # ran in the commit of every batch (each rewrites most index pages) and
                # copied the same pages into the database file again and again.
                database.execute_sql("PRAGMA wal_autocheckpoint = 0")
                checkpoints = Checkpoints(database.obj, MIN_BATCH)
                if _in_bulk(source.total):
                    # Our JSON export's contacts carry their own times, in no order.
                    kept = () if source.fmt == "json" else deferred_indexes.IN_ORDER
                    indexes.enter_context(deferred_indexes.built_after(database.obj, kept))
        for item in checked:
            done += 1
            if isinstance(item, Unreadable):
                run.reject(done, ImportProblem(item.ref, item.reason))
            else:
                batch.append((done, item))
            if done - written >= batch_size:
                took = run.write(batch)
                if checkpoints:
                    checkpoints.added(done - written)
                batch, written = [], done
                collector.tidy()  # the batch's objects are gone: little is left to walk
                if not fixed_size and not dry_run:
                    wanted = int(batch_size * min(2.0, BATCH_SECONDS / max(took, 1e-3)))
                    batch_size = max(MIN_BATCH, min(wanted, MAX_BATCH))
                if progress:
                    progress(done, source.total)
                if cancelled and cancelled():
                    stopped = True
                    break
        if not stopped:
            run.write(batch)
        indexes.close()  # the indexes a bulk import left out, built now
        if not stopped and progress:
            progress(done, max(done, source.total))
        if checkpoints:
            checkpoints.added(done - written, last=True)
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
        updated=run.updated,
        kept=run.kept_values,
        encoding=source.encoding,
    )


def _in_bulk(records: int) -> bool:
    """Whether an import of `records` records is one to build the indexes after (BULK_FROM)."""
    if records < BULK_FROM:
        return False
    # The highest id: as good as a count here, and one seek rather than a scan.
    saved = database.execute_sql('SELECT MAX("id") FROM "contact"').fetchone()[0] or 0
    return saved <= records and saved + records <= BULK_AT_MOST


class _ImportRun:
    """The counts of one import and what the contacts it has written so far are known by."""

    def __init__(
        self,
        service: ContactService,
        source: ImportSource,
        mode: str,
        dry_run: bool,
        on_problem: Callable[[ImportProblem], None] | None,
    ) -> None:
        self.service = service
        self.source = source
        self.mode = mode
        self.dry_run = dry_run
        self.on_problem = on_problem
        self.imported = self.duplicates = self.rejected = self.updated = self.kept_values = 0
        self.kept: list[ImportProblem] = []
        # key -> (ref, name) of the contacts this import wrote (or would write): a repeat
        # later in the file is a duplicate too.
        self.seen: dict[str, tuple[str, str]] = {}
        # The batch's reports, told once it is written, in the order of the file.
        self.pending: list[tuple[int, ImportProblem]] = []
        # Contacts written with files to store (a vCard PHOTO), stored after their batch.
        self.documents: list[tuple[int, ContactDraft]] = []
        self.last_written = 0.0  # time.monotonic() when the last batch's write ended
        self.colleague_waits: Callable[[], bool] = lambda: True  # whether to pause
        # The contact rows of the batch being written, by the draft's ref.
        self.rows: dict[str, _ContactRow] = {}

    def reject(self, number: int, problem: ImportProblem) -> None:
        self.pending.append((number, problem))

    def write(self, batch: list[tuple[int, ContactDraft]]) -> float:
        """Write the batch (or check it, in a dry run), then tell its reports in order.

        Returns the seconds the write took."""
        numbers = {draft.ref: number for number, draft in batch}
        drafts = [draft for _, draft in batch]
        if drafts and not self.dry_run:
            # The rows are built before the write lock is taken, in the pause that
            # lets a colleague's save have it: the lock is held for the SQL alone.
            self.rows = _contact_rows(drafts, self.service.user)
            if self.colleague_waits():
                time.sleep(max(0.0, PAUSE_SECONDS - (time.monotonic() - self.last_written)))
        started = time.perf_counter()
        for number, draft in batch:
            for report in draft.reports:
                self.pending.append((number, ImportProblem(draft.ref, str(report), "kept")))
        if drafts:
            problems = self._write(drafts)
            self.rows = {}
            problems += self._store_documents()
            self.pending += [(numbers[p.ref], p) for p in problems]
        took = time.perf_counter() - started
        self.last_written = time.monotonic()
        for _, problem in sorted(self.pending, key=lambda pending: pending[0]):
            self._tell(problem)
        self.pending = []
        return took

    def _write(self, drafts: list[ContactDraft]) -> list[ImportProblem]:
        if self.dry_run:
            plan = _read_plan(drafts, self.seen, self.mode)
            return self._done(plan, listed=True)
        try:
            return self._done(_write_batch(self, drafts))
        except (peewee.IntegrityError, peewee.DataError):
            # The database refused a row the checks let through (a value too long for
            # PostgreSQL, say): write the batch one contact at a time, so that only that
            # contact is left out.
            problems = []
            for draft in drafts:
                try:
                    problems += self._done(_write_batch(self, [draft]))
                except (peewee.IntegrityError, peewee.DataError) as error:
                    reason = f"the database refused it: {first_line(error)}"
                    problems.append(ImportProblem(draft.ref, reason))
            return problems

    def _store_documents(self) -> list[ImportProblem]:
        """The photos of the contacts just written, as their documents; the documents of
        our JSON export whose files this workspace holds, listed again."""
        problems = []
        for contact_id, draft in self.documents:
            for entry in draft.document_rows:
                problem = _relist_document(self.service, contact_id, draft, entry)
                if problem:
                    problems.append(problem)
        types = self.service.config.picklists.document_types
        doc_type = next((t for t in types if t.casefold() == "photo"), types[0] if types else "")
        for contact_id, draft in self.documents:
            for name, _media_type, data in draft.documents:
                try:
                    with tempfile.TemporaryDirectory() as folder:
                        path = Path(folder) / name
                        path.write_bytes(data)
                        self.service.documents.add(contact_id, path, doc_type)
                except Exception as error:  # a full disk, no documents folder: say so, go on
                    reason = f"{name} could not be stored as a document: {first_line(error)}"
                    problems.append(ImportProblem(draft.ref, reason, "kept"))
        self.documents = []
        return problems

    def _done(self, plan: _Plan, listed: bool = False) -> list[ImportProblem]:
        self.imported += len(plan.create)
        self.updated += len(plan.update)
        for key, who in plan.known.items():
            self.seen.setdefault(key, who)
        problems = list(plan.problems)
        if listed:
            problems += [ImportProblem(d.ref, shown(d.name), "created") for d in plan.create]
        return problems

    def _tell(self, problem: ImportProblem) -> None:
        if problem.outcome == "skipped":
            self.duplicates += 1
        elif problem.outcome == "refused":
            self.rejected += 1
        elif problem.outcome == "kept":
            self.kept_values += 1
        if len(self.kept) < KEPT_PROBLEMS and problem.outcome != "created":
            self.kept.append(problem)
        if self.on_problem:
            self.on_problem(problem)


def _relist_document(
    service: ContactService, contact_id: int, draft: ContactDraft, entry: dict
) -> ImportProblem | None:
    """A document of our JSON export on the new contact, when its file is in documents/.

    The JSON holds only what a document is (name, type, size, checksum), not its bytes:
    in another workspace the file is not there, and that is said, not hidden.
    """
    name = str(entry.get("file_name") or "document")
    sha256 = str(entry.get("sha256"))
    store = service.blobs
    if store is None or not store.exists(sha256):
        reason = (
            f"Document {shown(name)}: its file is not in this workspace's documents "
            "(a JSON export lists documents, it does not carry them)"
        )
        return ImportProblem(draft.ref, reason, "kept")
    _insert_document_row(contact_id, entry, name, sha256)
    return None


@with_connection
def _insert_document_row(contact_id: int, entry: dict, name: str, sha256: str) -> None:
    with database.atomic():
        Document.create(
            contact=contact_id,
            file_name=name,
            doc_type=str(entry.get("doc_type") or ""),
            size=int(entry.get("size") or 0),
            media_type=str(entry.get("media_type") or "application/octet-stream"),
            sha256=sha256,
            uploaded_at=str(entry.get("uploaded_at") or utc_now()).replace("T", " ").rstrip("Z"),
            uploaded_by=str(entry.get("uploaded_by") or ""),
        )


def _keys(draft: ContactDraft) -> list[str]:
    """What a contact is recognised by: its UID, e-mails, phones and IBANs."""
    keys = [f"uid:{draft.uid}"] if draft.uid else []
    keys += [f"email:{e.casefold()}" for e, _, _ in draft.emails]
    keys += [f"phone:{n}" for n, _, _, _ in draft.phones if n.startswith("+")]
    keys += [f"iban:{iban}" for _, iban, _ in draft.bank_accounts]
    return keys


_WORD = re.compile(r"\w+")


def same_person(one: str, other: str) -> bool:
    """Whether two names can be one person's: `Jane Doe`, `Doe, Jane`, `Jane M. Doe`.

    The words of the shorter are all among the other's, initials matching (accents and
    case folded); a name that is an e-mail address (a contact named after its e-mail)
    agrees with any name.
    """
    if "@" in one or "@" in other:
        return True
    mine, theirs = set(_WORD.findall(fold(one))), set(_WORD.findall(fold(other)))
    if len(mine) > len(theirs):
        mine, theirs = theirs, mine
    return bool(mine) and all(_word_in(word, theirs) for word in mine)


def _word_in(word: str, words: set[str]) -> bool:
    """`word` is one of `words`, or an initial of one (`M.` of `Maria`), or has one as initial."""
    if word in words:
        return True
    return any(
        (len(word) == 1 and other.startswith(word)) or (len(other) == 1 and word.startswith(other))
        for other in words
    )


@dataclass
class _Plan:
    """What to do with a batch: contacts to create, (saved id, draft) to update, reports."""

    create: list[ContactDraft]
    update: list[tuple[int, ContactDraft]]
    problems: list[ImportProblem]
    # key -> (ref, name) of the contacts to create, the first of each key's (`_keys`).
    known: dict[str, tuple[str, str]] = field(default_factory=dict)


_SHARED_WHAT = {"email": "e-mail", "phone": "phone number", "iban": "IBAN", "uid": "UID"}


def _plan(batch: list[ContactDraft], seen: dict[str, tuple[str, str]], mode: str) -> _Plan:
    """Sort the batch out: which contacts are duplicates, of whom.

    A duplicate is the same person: the same UID, or the same e-mail, or the same phone
    or IBAN, under names that can be the same person's. The same e-mail or phone under
    another name (a team mailbox, an office switchboard) is not: that contact is
    imported, and the shared value reported.
    """
    holders = _holders(batch)
    plan = _Plan([], [], [])
    batch_seen = plan.known
    for draft in batch:
        match = None  # (saved contact id or None for earlier in the file, who, what, value)
        shared: list[str] = []
        keys = _keys(draft)
        for key in keys:
            found = holders.get(key)
            where: tuple[int | None, str] | None = None
            if found is not None:
                contact_id, name = found
                where = (contact_id, f"{shown(name)} (contact {contact_id})")
            elif key in seen or key in batch_seen:
                ref, name = seen.get(key) or batch_seen[key]
                where = (None, f"{shown(name)} ({ref} of this file)")
            else:  # most keys: nobody else's
                continue
            kind, value = key.split(":", 1)
            if kind == "uid" or same_person(
                draft.name, (found or seen.get(key) or batch_seen[key])[1]
            ):
                match = (*where, _SHARED_WHAT[kind], value)
                break
            shared.append(f"the {_SHARED_WHAT[kind]} {shown(value)} is also {where[1]}'s")
        if match is not None and mode != "create":
            saved_id, who, what, value = match
            reason = f"the same person as {who}: same {what} {shown(value)}"
            if mode == "update" and saved_id is not None:
                plan.update.append((saved_id, draft))
                plan.problems.append(ImportProblem(draft.ref, reason, "updated"))
            else:
                plan.problems.append(ImportProblem(draft.ref, reason, "skipped"))
            continue
        plan.create.append(draft)
        known_as = (draft.ref, draft.name)
        for key in keys:
            batch_seen.setdefault(key, known_as)
        for text in dict.fromkeys(shared):
            plan.problems.append(ImportProblem(draft.ref, text + " (a different name)", "shared"))
    return plan


_read_plan = with_connection(_plan)
"""_plan on a connection of its own: for a dry run, which writes nothing."""


def _holders(batch: list[ContactDraft]) -> dict[str, tuple[int, str]]:
    """key -> (contact id, name) of the batch's UIDs, e-mails, phones and IBANs already saved."""
    emails = {e for d in batch for e, _, _ in d.emails}
    # Stored e-mails are normalised the same way (domain lower-case); the lower-case form
    # also finds one typed all lower-case, as the app's own duplicate check does.
    emails |= {e.lower() for e in emails}
    phones = {n for d in batch for n, _, _, _ in d.phones if n.startswith("+")}
    ibans = {iban for d in batch for _, iban, _ in d.bank_accounts}
    uids = {d.uid for d in batch if d.uid}
    holders: dict[str, tuple[int, str]] = {}
    # Plain statements with the values bound: a peewee IN of 500 values is 500 nodes to
    # build and render, four times a batch.
    lookups = (
        ("email", "email", "email", emails, str.casefold),
        ("phone", "phone", "number", phones, str),
        ("iban", "bank_account", "iban", ibans, str),
    )
    for kind, table, column, values, key in lookups:
        for chunk in _chunks(sorted(values)):
            marks = ", ".join([database.param] * len(chunk))
            cursor = database.execute_sql(
                f'SELECT r."{column}", c."id", c."name" FROM "{table}" r '
                f'JOIN "contact" c ON c."id" = r."contact_id" '
                f'WHERE r."{column}" IN ({marks}) ORDER BY c."id"',
                chunk,
            )
            for value, contact_id, name in cursor:
                holders.setdefault(f"{kind}:{key(value)}", (contact_id, name))
    for chunk in _chunks(sorted(uids)):
        marks = ", ".join([database.param] * len(chunk))
        cursor = database.execute_sql(
            f'SELECT "uid", "id", "name" FROM "contact" WHERE "uid" IN ({marks}) ORDER BY "id"',
            chunk,
        )
        for uid, contact_id, name in cursor:
            holders.setdefault(f"uid:{uid}", (contact_id, name))
    return holders


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    """Lists short enough for one IN (…) on every database (SQLite's limit was 999)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


@with_connection
def _write_batch(run: _ImportRun, batch: list[ContactDraft]) -> _Plan:
    """Write the batch's new contacts and updates, in one transaction."""
    with database.atomic():
        # Inside the write transaction: a colleague's contact saved a moment ago counts.
        plan = _plan(batch, run.seen, run.mode)
        if plan.create:
            ids = _insert_contacts(plan.create, run.rows, run.service.user, run.source.name)
            run.documents += [
                (i, d)
                for i, d in zip(ids, plan.create, strict=True)
                if d.documents or d.document_rows
            ]
        for contact_id, draft in plan.update:
            _update_contact(contact_id, draft, run.service, run.source.name)
    return plan


_ADDRESS_COLUMNS = ("address", "country", "state", "city", "zip_code", "locality", "type")
_ADDRESS_ROW = operator.itemgetter(*_ADDRESS_COLUMNS, "is_primary")
"""An address's values in the order of its row (after contact_id)."""


CONTACT_WRITTEN = ("id", *ROW_COLUMNS, *STAMP_COLUMNS, "company_id")
"""The contact columns import writes, in the order of a `_ContactRow`'s values after the
id; company_id is known only under the write lock (a new company is created then)."""


class _ContactRow(NamedTuple):
    """A new contact's ROW_COLUMNS and STAMP_COLUMNS, when they were stamped, and its
    search words' starts (the contact_word rows)."""

    values: tuple
    now: str
    prefixes: tuple[str, ...]


def _contact_rows(drafts: list[ContactDraft], user: str) -> dict[str, _ContactRow]:
    """ref -> _ContactRow of each draft: all that needs no database, done before the
    batch takes the write lock."""
    now = str(utc_now())
    stamps = (now, user, now, user, 1)
    rows = {}
    for draft in drafts:
        values, prefixes = contact_row(draft)
        rows[draft.ref] = _ContactRow((*values, *(draft.stamps or stamps)), now, prefixes)
    return rows


def _insert_contacts(
    drafts: list[ContactDraft], prepared: dict[str, _ContactRow], user: str, file_name: str
) -> list[int]:
    """Insert contacts with their records, history and audit entries (caller's transaction);
    returns their ids."""
    db = database.obj
    companies = _ids_by_name(Company, {d.company for d in drafts if d.company})
    accounts = _ids_by_name(Account, {a for d in drafts for a in d.accounts})
    history: list[tuple] = []
    audit: list[tuple] = []
    ready = [prepared[draft.ref] for draft in drafts]
    if is_postgres(db):
        # The batch's ids taken from the sequence at once, so that one statement
        # writes the batch (one INSERT … RETURNING per contact before).
        contact_ids = [
            contact_id
            for (contact_id,) in db.execute_sql(
                "SELECT nextval(pg_get_serial_sequence('contact', 'id')) "
                "FROM generate_series(1, %s)",
                (len(drafts),),
            )
        ]
    else:
        # Under the write lock nobody else inserts: the ids after the highest are
        # ours, given explicitly so that one executemany writes the whole batch, and
        # the search index and counts take them in one statement each (not per row).
        first = (db.execute_sql('SELECT MAX("id") FROM "contact"').fetchone()[0] or 0) + 1
        contact_ids = list(range(first, first + len(drafts)))
    rows = [
        (i, *row.values, companies[draft.company] if draft.company else None)
        for i, draft, row in zip(contact_ids, drafts, ready, strict=True)
    ]
    with contacts_added_in_bulk(db, contact_ids[0], contact_ids[-1]):
        insert_rows(db, "contact", CONTACT_WRITTEN, rows)
        insert_word_index(zip(contact_ids, (row.prefixes for row in ready), strict=True))
        for contact_id, draft, row in zip(contact_ids, drafts, ready, strict=True):
            now = row.now
            if draft.history:  # our own export's: restored as it was
                history.extend((contact_id, *entry) for entry in draft.history)
            else:
                history.append((contact_id, "", draft.stage, now, user))
            audit.append((contact_id, now, user, "imported", "", f"from {file_name} ({draft.ref})"))
        _insert_records(db, list(zip(contact_ids, drafts, strict=True)), accounts)
        history_columns = ("contact_id", "from_stage", "to_stage", "at", "by")
        insert_rows(db, "stage_change", history_columns, history)
        audit_columns = ("contact_id", "at", "by", "field", "old_value", "new_value")
        insert_rows(db, "audit_entry", audit_columns, audit)
    return contact_ids


def _insert_records(
    db: peewee.Database, contacts: list[tuple[int, ContactDraft]], accounts: dict[str, int]
) -> None:
    """The e-mails, phones, addresses, bank accounts and account links of the drafts."""
    emails: list[tuple] = []
    phones: list[tuple] = []
    addresses: list[tuple] = []
    banks: list[tuple] = []
    links: list[tuple] = []
    for contact_id, draft in contacts:
        for email, kind, primary in draft.emails:
            emails.append((contact_id, email, kind, primary))
        for number, typed, kind, primary in draft.phones:
            phones.append((contact_id, number, typed, kind, primary))
        for address in draft.addresses:
            addresses.append((contact_id, *_ADDRESS_ROW(address)))
        for name, iban, bic in draft.bank_accounts:
            banks.append((contact_id, name, iban, bic))
        links.extend((contact_id, accounts[name]) for name in draft.accounts)
    insert_rows(db, "email", ("contact_id", "email", "type", "is_primary"), emails)
    insert_rows(db, "phone", ("contact_id", "number", "typed", "type", "is_primary"), phones)
    insert_rows(db, "address", ("contact_id", *_ADDRESS_COLUMNS, "is_primary"), addresses)
    insert_rows(db, "bank_account", ("contact_id", "name", "iban", "bic"), banks)
    insert_rows(db, "contact_account", ("contact_id", "account_id"), links)


def _update_contact(
    contact_id: int, draft: ContactDraft, service: ContactService, file_name: str
) -> None:
    """The saved contact takes the file's values (caller's transaction).

    Every non-blank field of the file replaces the saved one; e-mails, phones, addresses
    and bank accounts it does not have yet are added (a primary only where it has none);
    the file's notes go below the saved ones. Each change is audited and the version
    bumped, so an open detail screen sees a conflict rather than overwriting it.
    """
    current = read_contact(contact_id)
    now = utc_now()
    updates: dict[str, object] = {}
    changes: list[tuple[str, str, str]] = []
    profile = dict(draft.profile)
    wanted = {
        "full_name": draft.full_name,
        "segmentation": draft.segmentation,
        "reason_code": draft.reason_code,
        "scoring": draft.scoring,
        **{key: profile.get(key, "") for key in PROFILE_COLUMNS if key != "notes"},
    }
    for key, value in wanted.items():
        if value not in ("", None) and getattr(current, key) != value:
            updates[key] = value
            changes.append((key, audit_text(getattr(current, key)), audit_text(value)))
    notes = profile.get("notes", "")
    if notes and notes not in current.notes:
        updates["notes"] = f"{current.notes}\n\n{notes}".strip()
        changes.append(("notes", "", notes))
    if draft.company and (current.company is None or current.company.name != draft.company):
        company = _ids_by_name(Company, {draft.company})[draft.company]
        updates["company"] = company
        updates["company_name"] = draft.company
        old = current.company.name if current.company else "Tenant-Wide"
        changes.append(("company", old, draft.company))
    if draft.uid and not current.uid:
        updates["uid"] = draft.uid
    known = {
        "email": {e.email.casefold() for e in current.emails},
        "phone": {p.number for p in current.phones},
        "iban": {b.iban for b in current.bank_accounts},
        "address": {_address_key(vars(a)) for a in current.addresses},
    }
    has_primary = {
        "email": any(e.is_primary for e in current.emails),
        "phone": any(p.is_primary for p in current.phones),
        "address": any(a.is_primary for a in current.addresses),
    }
    new = replace(
        draft,
        emails=tuple(
            (e, t, p and not has_primary["email"])
            for e, t, p in draft.emails
            if e.casefold() not in known["email"]
        ),
        phones=tuple(
            (n, typed, t, p and not has_primary["phone"])
            for n, typed, t, p in draft.phones
            if n not in known["phone"]
        ),
        addresses=tuple(
            {**a, "is_primary": a["is_primary"] and not has_primary["address"]}
            for a in draft.addresses
            if _address_key(a) not in known["address"]
        ),
        bank_accounts=tuple(b for b in draft.bank_accounts if b[1] not in known["iban"]),
        accounts=tuple(a for a in draft.accounts if a not in {x.name for x in current.accounts}),
    )
    accounts = _ids_by_name(Account, set(new.accounts))
    _insert_records(database.obj, [(contact_id, new)], accounts)
    for what, records in (("e-mail", new.emails), ("phone", new.phones)):
        changes += [(what, "", r[0]) for r in records]
    changes += [("address", "", a["address"]) for a in new.addresses]
    changes += [("bank account", "", b[1]) for b in new.bank_accounts]
    changes += [("accounts", "", a) for a in new.accounts]
    if not changes and not updates:
        return
    changes.append(("imported", "", f"updated from {file_name} ({draft.ref})"))
    write_contact(contact_id, current.version, updates, service.user)
    AuditEntry.insert_many(
        [
            {
                "contact": contact_id,
                "at": now,
                "by": service.user,
                "field": f,
                "old_value": o,
                "new_value": n,
            }
            for f, o, n in changes
        ]
    ).execute()
    refresh_derived(contact_id)


def _address_key(address: dict) -> str:
    return "\n".join(str(address.get(k, "")).casefold() for k in _ADDRESS_COLUMNS)


def _ids_by_name(model: type[Company] | type[Account], names: Iterable[str]) -> dict[str, int]:
    """name -> id of companies (or accounts), creating the ones that do not exist yet."""
    names = sorted(names)
    if not names:
        return {}
    table = model._meta.table_name

    def read(names: list[str]) -> None:
        # Plain statements, as in _holders: a peewee IN of 500 names was a fifth of
        # writing a batch of contacts of as many companies.
        for chunk in _chunks(names):
            marks = ", ".join([database.param] * len(chunk))
            found.update(
                database.execute_sql(
                    f'SELECT "name", "id" FROM "{table}" WHERE "name" IN ({marks})', chunk
                )
            )

    found: dict[str, int] = {}
    read(names)
    missing = [name for name in names if name not in found]
    if missing:
        # One statement for the batch's new companies, not one each (5,000 new companies
        # in a CRM export took most of its import's time); then their ids.
        now = str(utc_now())
        if model is Company:
            insert_rows(database.obj, table, ("name", "created_at"), [(n, now) for n in missing])
        else:
            insert_rows(
                database.obj,
                table,
                ("name", "archived", "created_at"),
                [(n, False, now) for n in missing],
            )
        read(missing)
    return found
