"""Export the contact list's current view to CSV, JSON or vCard 4.0 files, safely.

No Textual here: the export dialog runs this in a thread worker, and `contacts-tui
export` runs it from scripts.

File safety, because exports land in shared folders on shared servers:

* the rows go to a temporary file (created 0600 with O_EXCL) next to the target, and
  only a complete file is put in place, so a failure or a cancel midway leaves nothing;
* without `overwrite` the complete file is hard-linked to the target name, which fails
  if anything (a file, a symlink) appeared there meanwhile: nothing is ever overwritten;
* with `overwrite` the target is replaced by a rename, which replaces a directory entry
  and never writes through a symbolic link; a symlink at the target is refused anyway.
"""

from __future__ import annotations

import csv
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

import peewee

from contacts_tui import csv_guard
from contacts_tui.lifecycle import LifecycleConfig
from contacts_tui.private_file import PRIVATE, UnsafePathError, atomic_writer
from contacts_tui.services.export_pages import PROFILE, ExportPage, export_page
from contacts_tui.store import csv_lines
from contacts_tui.store.database import is_postgres
from contacts_tui.store.listing import ContactFilter
from contacts_tui.store.models import database
from contacts_tui.validation import state_name

if TYPE_CHECKING:
    from contacts_tui.services import ContactCard, ContactRow, ContactService

FORMATS = ("csv", "json", "vcard")
EXTENSIONS = {"csv": ".csv", "json": ".json", "vcard": ".vcf"}
FORMAT_NAMES = {"csv": "CSV", "json": "JSON", "vcard": "vCard 4.0"}
PAGE_SIZE = 2000
"""Contacts read per page: a million take 500 pages (of a few queries each), and a page
holds a few MB however big the export."""

TENANT_WIDE_LABEL = "Tenant-Wide"

CSV_HEADER = (
    "ID",
    "Name",
    "Full Name",
    "E-mail",
    "Number",
    "Company",
    "Status",
    "Stage",
    "Category",
    "Lifecycle",
    "Segmentation",
    "Scoring",
    "Reason Code",
    "Assigned Accounts",
    "Updated",
)

Progress = Callable[[int, int], None]


class ExportError(Exception):
    """The export cannot be written; the message is one sentence for the user."""


class ExportExistsError(ExportError):
    """The target exists and `overwrite` was not given: ask the user first."""


class ExportCancelled(ExportError):
    """The user cancelled; no file was left behind."""


def default_path(fmt: str = "csv", folder: Path | None = None, today: date | None = None) -> Path:
    """`contacts-YYYYMMDD.<ext>` in `folder` (default: the current folder)."""
    day = (today or date.today()).strftime("%Y%m%d")
    return (folder or Path.cwd()) / f"contacts-{day}{EXTENSIONS[fmt]}"


def with_format_extension(path: Path, fmt: str) -> Path:
    """`path` with the extension of `fmt`, if it had one of the known export extensions."""
    if path.suffix.lower() in EXTENSIONS.values():
        return path.with_suffix(EXTENSIONS[fmt])
    return path


def check_target(path: Path, overwrite: bool = False) -> None:
    """Raise ExportError if `path` cannot be written to (ExportExistsError if it exists).

    Called before a long export so the user hears of a problem at once; the final
    placing of the file checks again, since the folder may change meanwhile.
    """
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise ExportError(f"Cannot check {path}: {error.strerror or error}.") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise ExportError(
                f"{path} is a symbolic link; exports never write through links. "
                "Choose another file name."
            )
        if stat.S_ISDIR(info.st_mode):
            raise ExportError(f"{path} is a folder; add a file name to the path.")
        if not stat.S_ISREG(info.st_mode):
            raise ExportError(f"{path} is not a regular file; choose another file name.")
        if not overwrite:
            raise ExportExistsError(f"{path} exists already.")
    parent = path.parent
    if not parent.is_dir():
        raise ExportError(f"The folder {parent} does not exist.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"You cannot create files in {parent}.")


def export_contacts(
    service: ContactService,
    contact_filter: ContactFilter,
    sort: str = "name",
    descending: bool = False,
    fmt: str = "csv",
    path: Path | str = "contacts.csv",
    progress: Progress | None = None,
    overwrite: bool = False,
    *,
    cancelled: Callable[[], bool] | None = None,
    page_size: int = PAGE_SIZE,
    profile: str = "plain",
    stream: IO[str] | None = None,
) -> int:
    """Write every contact of the view (filter, search and sort) to `path`; the row count.

    `progress(done, total)` is called after each page; `cancelled()` is asked before
    each page, and when it answers True the export stops with ExportCancelled and no
    file. Raises ExportExistsError if `path` exists and `overwrite` is False,
    ExportError for any other reason the file cannot be written. `profile`: the CSV
    columns (CSV_PROFILES). `stream`: write there instead (standard output), as it comes.
    """
    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if profile not in CSV_PROFILES:
        raise ExportError(f"Unknown CSV profile {profile!r}; use one of {', '.join(CSV_PROFILES)}.")
    path = Path(path).expanduser()
    if stream is None:
        check_target(path, overwrite)
    total = service.count(contact_filter)
    done = 0

    def pages(full: bool = True, line: peewee.Node | None = None) -> Iterator[ExportPage]:
        nonlocal done, total
        if progress:
            progress(0, total)
        after = None
        while True:
            if cancelled and cancelled():
                raise ExportCancelled("Export cancelled; no file was written.")
            page = export_page(
                service, contact_filter, sort, descending, after, page_size, full, line
            )
            if page.rows:
                yield page
                done += len(page.rows)
                # Contacts added meanwhile by others can make the view grow past the count.
                total = max(total, done)
                if progress:
                    progress(done, total)
            if not page.has_more or not page.rows:
                return
            after = page.after

    names = _Names(service.config)

    def write(out: IO[str]) -> None:
        if fmt == "csv" and profile == "plain" and not is_postgres():
            # SQLite writes each contact's line itself (store.csv_lines).
            line = csv_lines.line_column(names.steps, names.templates, TENANT_WIDE_LABEL)
            write_csv(out, pages(full=False, line=line), names, profile)
        elif fmt == "csv":
            write_csv(out, pages(full=False), names, profile)
        elif fmt == "json":
            write_json(out, _contacts(pages()), names)
        else:
            write_vcards(out, _contacts(pages()), names)

    if stream is not None:
        with _reading():
            write(stream)
        stream.flush()
        return done
    # Its temp file is locked while this process lives, so a killed export's is found and
    # removed at the next start (see temp_files).
    try:
        with atomic_writer(path, PRIVATE, overwrite=overwrite, newline="") as out, _reading():
            if fmt == "csv" and profile in MARKED_UTF8_PROFILES:
                out.write("\ufeff")
            write(out)
    except FileExistsError:
        raise ExportExistsError(f"{path} appeared while exporting; nothing was written.") from None
    except UnsafePathError as error:
        raise ExportError(f"{error} Nothing was written.") from None
    except OSError as error:
        raise ExportError(f"Cannot write {path}: {_reason(error)}.") from error
    return done


EXPORT_CACHE_KIB = 16_000
"""SQLite's page cache for the export's connection: the pages of a page of contacts'
records are scattered over the file, and the app's 2 MB read them again and again."""


@contextmanager
def _reading() -> Iterator[None]:
    """One connection for the whole export, not one per page (each with a cold cache);
    no transaction is held between pages."""
    with database.connection_context():
        if not is_postgres():
            database.execute_sql(f"PRAGMA cache_size = -{EXPORT_CACHE_KIB}")
        yield


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def _contacts(pages: Iterable[ExportPage]) -> Iterator[tuple[ContactRow, ContactCard]]:
    """Each contact of the pages as its list row and its card."""
    for page in pages:
        yield from page.contacts()


class _Names:
    """Display names of lifecycle keys, as the list shows them."""

    def __init__(self, config: LifecycleConfig) -> None:
        self.templates = {t.key: t.name for t in config.templates}
        # (template key, step key) -> (step name, category name)
        self.steps: dict[tuple[str, str], tuple[str, str]] = {}
        for template in config.templates:
            for category in template.categories:
                for step in category.steps:
                    self.steps[template.key, step.key] = (step.name, category.name)

    def of(self, row: ContactRow) -> tuple[str, str, str]:
        """(stage name, category name, lifecycle name) of a row; keys when unknown."""
        stage, category = self.steps.get((row.template, row.stage), (row.stage, ""))
        return stage, category, self.templates.get(row.template, row.template)


def _timestamp(value: datetime | str) -> str:
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"  # stored naive, in UTC
    if len(value) >= 19 and value[10] == " ":  # as SQLite keeps it: 2026-11-30 09:15:00.123
        return f"{value[:10]}T{value[11:19]}Z"
    return str(value)


# ----- CSV --------------------------------------------------------------------------------

CSV_PROFILES = ("plain", "google", "outlook")
"""plain: our columns, for spreadsheets (formula guard on); google, outlook: the headers
those products map without help (no guard: they keep an apostrophe as part of the value)."""

MARKED_UTF8_PROFILES = ("plain", "outlook")
"""The profiles whose file starts with a UTF-8 byte-order mark: Excel and Outlook on
Windows (and Excel for Mac) read a CSV without one in the system's ANSI code page, and
José Müller became JosÃ© MÃ¼ller. Google reads UTF-8 as it is; standard output (a
script's pipe) gets none."""


CSV_PLAIN_EXTRA = (
    "Other E-mails",
    "Other Numbers",
    "Job Title",
    "Department",
    "Website",
    "Birthday",
    "Nickname",
    "Address",
    "Locality",
    "City",
    "State",
    "Zip Code",
    "Country",
    "Notes",
)
"""Columns after CSV_HEADER in the plain profile: what the list row does not hold."""


def write_csv(
    out: IO[str],
    pages: Iterable[ExportPage],
    names: _Names,
    profile: str = "plain",
) -> None:
    """RFC 4180: a header row, CRLF line ends, fields quoted when they need it (and, in
    the plain profile, when they hold `;` or a tab: see csv_guard)."""
    if profile == "plain":
        write_plain_csv(out, pages, names)
        return
    writer = csv.writer(out, lineterminator="\r\n")
    if profile == "google":
        writer.writerow(GOOGLE_HEADER)
        writer.writerows(_google_row(row, card) for row, card in _contacts(pages))
    else:
        writer.writerow(OUTLOOK_HEADER)
        writer.writerows(_outlook_row(row, card) for row, card in _contacts(pages))


def write_plain_csv(out: IO[str], pages: Iterable[ExportPage], names: _Names) -> None:
    """The plain profile (CSV_HEADER, CSV_PLAIN_EXTRA), written straight from the pages'
    tuples, without a ContactRow and ContactCard per contact (most of the time of a
    million contacts' export when it built them)."""
    writer = csv_guard.Writer(out)
    writer.writerow((*CSV_HEADER, *CSV_PLAIN_EXTRA))
    steps, templates = names.steps, names.templates
    profile = slice(PROFILE, PROFILE + len(PROFILE_FIELDS) - 1)  # notes come last
    notes = PROFILE + len(PROFILE_FIELDS) - 1
    blank_address = ("", "", "", "", "", "")
    for page in pages:
        if page.lines is not None:
            if page.lines:
                out.write("\r\n".join(page.lines) + "\r\n")
            continue
        accounts, emails, phones, addresses = (
            page.accounts,
            page.emails,
            page.phones,
            page.addresses,
        )
        for r in page.rows:
            i = r[0]
            scoring = r[10]
            stage, category = steps.get((r[8], r[7]), (r[7], ""))
            first = addresses.get(i)
            # CHILD_COLUMNS: (id, address, country, state, city, zip_code, locality, …)
            a = first[0] if first else None
            address = (a[1], a[6], a[4], a[3], a[5], a[2]) if a else blank_address
            cells = [
                str(i),
                r[1],
                r[2],
                r[3],
                r[4],
                r[5] or TENANT_WIDE_LABEL,
                r[6],
                stage,
                category,
                templates.get(r[8], r[8]),
                r[9],
                "" if scoring is None else str(scoring),
                r[11],
                "; ".join(accounts.get(i, ())),
                _timestamp(r[12]),
                "; ".join(e[1] for e in emails.get(i, ())[1:]),
                "; ".join(p[1] for p in phones.get(i, ()) if not p[4]),
                *r[profile],
                *address,
                r[notes],
            ]
            if scoring is not None and scoring < 0:
                # A number is not guarded (csv_guard.guard): a negative score stays -5.
                writer.writerow(
                    [csv_guard.guard(c) if n != 11 else scoring for n, c in enumerate(cells)]
                )
            else:
                writer.writerow_guarded(cells)


def _phone_text(number: str) -> str:
    """A stored number as people write it: +44 20 7946 0018, ext. 12 kept."""
    from contacts_tui.validation import format_phone

    return format_phone(number)


_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "dds", "cpa"}
"""What follows a comma in `John Smith, Jr.` that is not a first name."""


def _first_last(row: ContactRow) -> tuple[str, str]:
    """First and last name for an address book's two columns, from the name as listed:
    `Doe, Jane` (as address books file names) is Jane Doe; `John Smith, Jr.` is John
    Smith, Jr."""
    name = row.name
    last, comma, first = name.partition(",")
    if comma and first.strip() and last.strip() and "," not in first:
        if first.strip().rstrip(".").replace(".", "").lower() not in _SUFFIXES:
            return first.strip(), last.strip()
        name = last  # the suffix is in FN; the columns hold the name without it
    words = name.split()
    if len(words) < 2:
        return (words[0] if words else ""), ""
    return " ".join(words[:-1]), words[-1]


_GOOGLE_SLOTS = {"email": 3, "phone": 3, "address": 2}
GOOGLE_HEADER = (
    "First Name",
    "Last Name",
    "Nickname",
    "Birthday",
    "Notes",
    "Organization Name",
    "Organization Title",
    "Organization Department",
    *(f"E-mail {n} - {part}" for n in (1, 2, 3) for part in ("Label", "Value")),
    *(f"Phone {n} - {part}" for n in (1, 2, 3) for part in ("Label", "Value")),
    *(
        f"Address {n} - {part}"
        for n in (1, 2)
        for part in ("Label", "Street", "City", "Region", "Postal Code", "Country")
    ),
    "Website 1 - Value",
)
"""Google Contacts' CSV header (its import maps every one of these without asking)."""
_GOOGLE_LABELS = {
    "business": "Work",
    "personal": "Home",
    "office": "Work",
    "home": "Home",
    "mobile": "Mobile",
    "fax": "Work Fax",
}


def _google_label(kind: str, primary: bool) -> str:
    label = _GOOGLE_LABELS.get(kind.casefold(), kind)
    return f"* {label}" if primary else label


def _slots(values: list[list[str]], slots: int, width: int) -> list[str]:
    """Fixed slots; what does not fit goes into the last one, ` ::: ` between (Google's).

    Every column of that slot joins all its values, blanks too, so that the n-th value of
    one column (a street) still goes with the n-th of the next (its city)."""
    cells: list[list[str]] = values[:slots]
    if len(values) > slots:
        rest = values[slots - 1 :]
        cells[-1] = [
            " ::: ".join(v[n] for v in rest) if any(v[n] for v in rest) else ""
            for n in range(width)
        ]
    cells += [[""] * width] * (slots - len(cells))
    return [cell for group in cells for cell in group]


def _google_row(row: ContactRow, card: ContactCard) -> list[str]:
    first, last = _first_last(row)
    emails = [[_google_label(e.type, e.is_primary), e.email] for e in card.emails]
    phones = [[_google_label(p.type, p.is_primary), _phone_text(p.number)] for p in card.phones]
    addresses = [
        [
            _google_label(a.type, a.is_primary),
            ", ".join(x for x in (a.address, a.locality if a.locality != a.city else "") if x),
            a.city,
            state_name(a.state, a.country),
            a.zip_code,
            a.country,
        ]
        for a in card.addresses
    ]
    return [
        first,
        last,
        card.profile_value("nickname"),
        card.profile_value("birthday"),
        card.profile_value("notes"),
        row.company,
        card.profile_value("job_title"),
        card.profile_value("department"),
        *_slots(emails, _GOOGLE_SLOTS["email"], 2),
        *_slots(phones, _GOOGLE_SLOTS["phone"], 2),
        *_slots(addresses, _GOOGLE_SLOTS["address"], 6),
        card.profile_value("website"),
    ]


_OUTLOOK_PLACES = {"office": "Business", "billing": "Business", "personal": "Home"}
OUTLOOK_HEADER = (
    "First Name",
    "Last Name",
    "Company",
    "Department",
    "Job Title",
    *(
        f"{place} {part}"
        for place in ("Business", "Home", "Other")
        for part in ("Street", "City", "State", "Postal Code", "Country/Region")
    ),
    "Business Phone",
    "Business Fax",
    "Home Phone",
    "Mobile Phone",
    "Other Phone",
    "E-mail Address",
    "E-mail 2 Address",
    "E-mail 3 Address",
    "Web Page",
    "Birthday",
    "Notes",
)
"""Outlook's CSV header (Outlook's own export names; its import maps them)."""
_OUTLOOK_PHONES = {"office": "Business Phone", "fax": "Business Fax", "home": "Home Phone"}


def _outlook_row(row: ContactRow, card: ContactCard) -> list[str]:
    first, last = _first_last(row)
    cells = dict.fromkeys(OUTLOOK_HEADER, "")
    cells.update(
        {
            "First Name": first,
            "Last Name": last,
            "Company": row.company,
            "Department": card.profile_value("department"),
            "Job Title": card.profile_value("job_title"),
            "Web Page": card.profile_value("website"),
            "Birthday": card.profile_value("birthday"),
            "Notes": card.profile_value("notes"),
        }
    )
    other: list[str] = []
    for phone in card.phones:
        column = _OUTLOOK_PHONES.get(phone.type.casefold())
        if column is None:
            column = "Mobile Phone" if phone.type.casefold() == "mobile" else "Other Phone"
        if cells[column]:
            other.append(_phone_text(phone.number))
        else:
            cells[column] = _phone_text(phone.number)
    if other:
        cells["Other Phone"] = "; ".join(x for x in (cells["Other Phone"], *other) if x)
    for column, email in zip(
        ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address"), card.emails, strict=False
    ):
        cells[column] = email.email
    for address in card.addresses:
        place = _OUTLOOK_PLACES.get(address.type.casefold(), "Other")
        if cells[f"{place} Street"]:
            place = "Other"
        if cells[f"{place} Street"]:
            continue
        street = ", ".join(
            x
            for x in (address.address, address.locality if address.locality != address.city else "")
            if x
        )
        cells[f"{place} Street"] = street
        cells[f"{place} City"] = address.city
        cells[f"{place} State"] = state_name(address.state, address.country)
        cells[f"{place} Postal Code"] = address.zip_code
        cells[f"{place} Country/Region"] = address.country
    return list(cells.values())


# ----- JSON -------------------------------------------------------------------------------


def write_json(
    out: IO[str], contacts: Iterable[tuple[ContactRow, ContactCard]], names: _Names
) -> None:
    """A JSON array of objects, one line each, written as they come (never all in memory)."""
    out.write("[")
    separator = "\n"
    for row, card in contacts:
        out.write(separator)
        out.write(json.dumps(json_object(row, card, names), ensure_ascii=False))
        separator = ",\n"
    out.write("\n]\n")


def json_object(row: ContactRow, card: ContactCard, names: _Names) -> dict[str, object]:
    """Every field of the contact and every record of it: import reads it all back."""
    stage, category, lifecycle = names.of(row)
    return {
        "id": row.id,
        "uid": card.uid,
        "name": row.name,
        "full_name": row.full_name,
        "company": row.company or None,  # null: Tenant-Wide
        "status": row.status,
        "lifecycle": lifecycle,
        "lifecycle_key": row.template,
        "category": category,
        "stage": stage,
        "stage_key": row.stage,
        "segmentation": row.segmentation,
        "scoring": row.scoring,
        "reason_code": row.reason_code,
        "assigned_accounts": list(row.accounts),
        "archived": row.archived,
        **{key: card.profile_value(key) for key in PROFILE_FIELDS},
        "created_at": _timestamp(card.created_at) if card.created_at else None,
        "created_by": card.created_by,
        "updated_at": _timestamp(row.updated_at),
        "updated_by": card.updated_by,
        "version": card.version,
        "emails": [
            {"email": e.email, "type": e.type, "primary": e.is_primary} for e in card.emails
        ],
        "phones": [
            {"number": p.number, "typed": p.typed, "type": p.type, "primary": p.is_primary}
            for p in card.phones
        ],
        "addresses": [
            {
                "address": a.address,
                "locality": a.locality,
                "city": a.city,
                "state": a.state,
                "zip_code": a.zip_code,
                "country": a.country,
                "type": a.type,
                "primary": a.is_primary,
            }
            for a in card.addresses
        ],
        "bank_accounts": [
            {"name": b.name, "iban": b.iban, "bic": b.bic} for b in card.bank_accounts
        ],
        "stage_history": [
            {"from": h.from_stage, "to": h.to_stage, "at": _timestamp(h.at), "by": h.by}
            for h in card.stage_history
        ],
        "documents": [
            {
                "file_name": d.file_name,
                "doc_type": d.doc_type,
                "size": d.size,
                "media_type": d.media_type,
                "sha256": d.sha256,
                "uploaded_at": _timestamp(d.uploaded_at),
                "uploaded_by": d.uploaded_by,
            }
            for d in card.documents
        ],
    }


PROFILE_FIELDS = ("job_title", "department", "website", "birthday", "nickname", "notes")


# ----- vCard 4.0 (RFC 6350) ---------------------------------------------------------------

_EMAIL_TYPES = {"business": "work", "personal": "home"}
_PHONE_TYPES = {"mobile": "cell", "office": "work", "home": "home", "fax": "fax"}
_ADDRESS_TYPES = {"office": "work", "personal": "home"}
_TEL_URI = re.compile(r"\+[0-9]{1,15}(;ext=[0-9]{1,10})?")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_OTHER_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
FOLD_OCTETS = 75
VCARD_CRM_PREFIX = "X-CONTACTS-TUI-"
"""Properties for what vCard has no name for; `contacts-tui import` reads them back."""


def vcard_text(value: str) -> str:
    """A text value escaped for RFC 6350: backslash, comma, semicolon and line breaks."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    value = _LINE_BREAK.sub("\\\\n", value)
    return _OTHER_CONTROLS.sub("", value)


def _param_value(value: str) -> str:
    """A parameter value: quoted (RFC 6868 escapes for what cannot be in quotes)."""
    value = _OTHER_CONTROLS.sub("", value.replace("^", "^^").replace('"', "^'"))
    return f'"{value}"'


def fold_line(line: str) -> str:
    """Fold a content line at 75 octets (RFC 6350 3.2), never inside a UTF-8 character."""
    if len(line.encode("utf-8")) <= FOLD_OCTETS:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = FOLD_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
            limit = FOLD_OCTETS - 1  # continuation lines start with a space
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _params(kind: str, types: dict[str, str], primary: bool) -> str:
    """TYPE (ours mapped to vCard's where it has one, else as we name it) and PREF."""
    params = ""
    if kind.strip():
        mapped = types.get(kind.strip().lower()) or kind.strip().lower()
        params += f";TYPE={_param_value(mapped) if not mapped.isalnum() else mapped}"
    if primary:
        params += ";PREF=1"
    return params


def _birthday(value: str) -> str:
    """1985-04-12 -> 19850412, --04-12 -> --0412 (RFC 6350's date forms)."""
    if value.startswith("--"):
        return "--" + value[2:].replace("-", "")
    return value.replace("-", "")


def vcard_lines(row: ContactRow, card: ContactCard, names: _Names) -> list[str]:
    """The content lines of one contact's card, unfolded."""
    first, last = _first_last(row)
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"UID:{vcard_text(card.uid or f'urn:contacts-tui:contact:{row.id}')}",
        f"FN:{vcard_text(row.name)}",
        f"N:{vcard_text(last)};{vcard_text(first)};;;",
    ]
    if row.full_name:
        # N cannot say which word is the family name (山田 太郎); this keeps it as written.
        lines.append(f"{VCARD_CRM_PREFIX}FULL-NAME:{vcard_text(row.full_name)}")
    department = card.profile_value("department")
    if row.company or department:
        lines.append(
            f"ORG:{vcard_text(row.company)}" + (f";{vcard_text(department)}" if department else "")
        )
    for key, prop in (("job_title", "TITLE"), ("nickname", "NICKNAME"), ("website", "URL")):
        if card.profile_value(key):
            lines.append(f"{prop}:{vcard_text(card.profile_value(key))}")
    if card.profile_value("birthday"):
        lines.append(f"BDAY:{_birthday(card.profile_value('birthday'))}")
    for email in card.emails:
        params = _params(email.type, _EMAIL_TYPES, email.is_primary)
        lines.append(f"EMAIL{params}:{vcard_text(email.email)}")
    for phone in card.phones:
        params = _params(phone.type, _PHONE_TYPES, phone.is_primary)
        number = phone.number.replace(" ", "")
        if _TEL_URI.fullmatch(number):
            lines.append(f"TEL;VALUE=uri{params}:tel:{number}")
        else:  # not E.164 (imported as typed): a tel: URI would need a phone-context
            lines.append(f"TEL;VALUE=text{params}:{vcard_text(phone.number)}")
    for address in card.addresses:
        params = _params(address.type, _ADDRESS_TYPES, address.is_primary)
        if address.locality and address.locality != address.city:
            params += f";X-LOCALITY={_param_value(address.locality)}"
        town = address.city or address.locality
        state = state_name(address.state, address.country)
        fields = ("", "", address.address, town, state, address.zip_code, address.country)
        lines.append(f"ADR{params}:" + ";".join(vcard_text(f) for f in fields))
    if card.profile_value("notes"):
        lines.append(f"NOTE:{vcard_text(card.profile_value('notes'))}")
    crm = {
        "LIFECYCLE": row.template,
        "STAGE": row.stage,
        "STATUS": row.status,
        "SEGMENTATION": row.segmentation,
        "SCORING": "" if row.scoring is None else str(row.scoring),
        "REASON-CODE": row.reason_code,
        "ARCHIVED": "true" if row.archived else "",
    }
    for key, value in crm.items():
        if value:
            lines.append(f"{VCARD_CRM_PREFIX}{key}:{vcard_text(value)}")
    if row.accounts:
        accounts = ",".join(vcard_text(a) for a in row.accounts)
        lines.append(f"{VCARD_CRM_PREFIX}ACCOUNTS:{accounts}")
    for bank in card.bank_accounts:
        params = f";NAME={_param_value(bank.name)}"
        if bank.bic:
            params += f";BIC={bank.bic}"
        lines.append(f"{VCARD_CRM_PREFIX}BANK-ACCOUNT{params}:{vcard_text(bank.iban)}")
    lines.append("END:VCARD")
    return lines


def write_vcards(
    out: IO[str], contacts: Iterable[tuple[ContactRow, ContactCard]], names: _Names
) -> None:
    """One vCard 4.0 per contact, CRLF line ends, lines folded at 75 octets."""
    for row, card in contacts:
        out.write("".join(fold_line(line) + "\r\n" for line in vcard_lines(row, card, names)))
