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

import contextlib
import errno
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from contacts_tui import csv_guard
from contacts_tui.lifecycle import LifecycleConfig
from contacts_tui.store.listing import ContactFilter
from contacts_tui.temp_files import PART_SUFFIX, create_locked

if TYPE_CHECKING:
    from contacts_tui.services import ContactCard, ContactRow, ContactService

FORMATS = ("csv", "json", "vcard")
EXTENSIONS = {"csv": ".csv", "json": ".json", "vcard": ".vcf"}
FORMAT_NAMES = {"csv": "CSV", "json": "JSON", "vcard": "vCard 4.0"}
PAGE_SIZE = 500
"""Rows read per query: large enough that a million rows take 2,000 queries, not more."""

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
) -> int:
    """Write every contact of the view (filter, search and sort) to `path`; the row count.

    `progress(done, total)` is called after each page; `cancelled()` is asked before
    each page, and when it answers True the export stops with ExportCancelled and no
    file. Raises ExportExistsError if `path` exists and `overwrite` is False,
    ExportError for any other reason the file cannot be written.
    """
    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    path = Path(path).expanduser()
    check_target(path, overwrite)
    total = service.count(contact_filter)
    done = 0

    def pages() -> Iterator[tuple[ContactRow, ...]]:
        nonlocal done, total
        if progress:
            progress(0, total)
        after = None
        while True:
            if cancelled and cancelled():
                raise ExportCancelled("Export cancelled; no file was written.")
            page = service.list_page(contact_filter, sort, descending, after=after, limit=page_size)
            if page.rows:
                yield page.rows
                done += len(page.rows)
                # Contacts added meanwhile by others can make the view grow past the count.
                total = max(total, done)
                if progress:
                    progress(done, total)
            if not page.has_more or not page.rows:
                return
            after = page.rows[-1].sort_key

    names = _Names(service.config)
    # Locked while this process lives, so a killed export's file is found and removed at
    # the next start (see temp_files).
    try:
        fd, temporary = create_locked(path.parent, f".{path.name}.", PART_SUFFIX)
    except OSError as error:
        raise ExportError(f"Cannot create a file in {path.parent}: {_reason(error)}.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            if fmt == "csv":
                write_csv(out, pages(), names)
            elif fmt == "json":
                write_json(out, _with_cards(service, pages()), names)
            else:
                write_vcards(out, _with_cards(service, pages()), names)
            out.flush()
            os.fsync(out.fileno())
        _publish(Path(temporary), path, overwrite)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise ExportError(f"Cannot write {path}: {_reason(error)}.") from error
        raise
    return done


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def _publish(temporary: Path, path: Path, overwrite: bool) -> None:
    """Put the finished file at `path` without following or clobbering anything there."""
    if overwrite:
        check_target(path, overwrite=True)
        os.replace(temporary, path)
    else:
        try:
            os.link(temporary, path, follow_symlinks=False)
        except FileExistsError:
            raise ExportExistsError(
                f"{path} appeared while exporting; nothing was written."
            ) from None
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK):
                raise
            # A file system without hard links: claim the name exclusively, then rename
            # the finished file over our own empty claim.
            try:
                claim = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            except FileExistsError:
                raise ExportExistsError(
                    f"{path} appeared while exporting; nothing was written."
                ) from None
            os.close(claim)
            os.replace(temporary, path)
            return
        os.unlink(temporary)
    with contextlib.suppress(OSError):
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _with_cards(
    service: ContactService, pages: Iterable[tuple[ContactRow, ...]]
) -> Iterator[tuple[ContactRow, ContactCard]]:
    """Each row with its e-mails, phones and addresses, read one page at a time."""
    for rows in pages:
        cards = service.contact_cards([row.id for row in rows])
        for row in rows:
            yield row, cards[row.id]


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
    return str(value)


# ----- CSV --------------------------------------------------------------------------------


def csv_cell(value: object) -> object:
    """A value as a CSV cell that no spreadsheet will evaluate as a formula (csv_guard)."""
    return csv_guard.guard(value)


def write_csv(out: TextIO, pages: Iterable[tuple[ContactRow, ...]], names: _Names) -> None:
    """RFC 4180: a header row, CRLF line ends, fields quoted when they need it (and when
    they hold `;` or a tab: see csv_guard)."""
    writer = csv_guard.Writer(out)
    writer.writerow(CSV_HEADER)
    for rows in pages:
        writer.writerows(_csv_row(row, names) for row in rows)


def _csv_row(row: ContactRow, names: _Names) -> list[object]:
    stage, category, lifecycle = names.of(row)
    values = (
        row.id,
        row.name,
        row.full_name,
        row.email,
        row.phone,
        row.company or TENANT_WIDE_LABEL,
        row.status,
        stage,
        category,
        lifecycle,
        row.segmentation,
        "" if row.scoring is None else row.scoring,
        row.reason_code,
        "; ".join(row.accounts),
        _timestamp(row.updated_at),
    )
    return [csv_cell(v) for v in values]


# ----- JSON -------------------------------------------------------------------------------


def write_json(
    out: TextIO, contacts: Iterable[tuple[ContactRow, ContactCard]], names: _Names
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
    stage, category, lifecycle = names.of(row)
    return {
        "id": row.id,
        "name": row.name,
        "full_name": row.full_name,
        "company": row.company or None,  # null: Tenant-Wide
        "status": row.status,
        "lifecycle": lifecycle,
        "category": category,
        "stage": stage,
        "stage_key": row.stage,
        "segmentation": row.segmentation,
        "scoring": row.scoring,
        "reason_code": row.reason_code,
        "assigned_accounts": list(row.accounts),
        "archived": row.archived,
        "updated_at": _timestamp(row.updated_at),
        "emails": [
            {"email": e.email, "type": e.type, "primary": e.is_primary} for e in card.emails
        ],
        "phones": [
            {"number": p.number, "type": p.type, "primary": p.is_primary} for p in card.phones
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
    }


# ----- vCard 4.0 (RFC 6350) ---------------------------------------------------------------

_EMAIL_TYPES = {"business": "work", "personal": "home"}
_PHONE_TYPES = {"mobile": "cell", "office": "work", "home": "home", "fax": "fax"}
_ADDRESS_TYPES = {"office": "work", "personal": "home"}
_E164 = re.compile(r"\+[0-9]{1,15}")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_OTHER_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
FOLD_OCTETS = 75


def vcard_text(value: str) -> str:
    """A text value escaped for RFC 6350: backslash, comma, semicolon and line breaks."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    value = _LINE_BREAK.sub("\\\\n", value)
    return _OTHER_CONTROLS.sub("", value)


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
    params = ""
    mapped = types.get(kind.strip().lower())
    if mapped:
        params += f";TYPE={mapped}"
    if primary:
        params += ";PREF=1"
    return params


def vcard_lines(row: ContactRow, card: ContactCard, names: _Names) -> list[str]:
    """The content lines of one contact's card, unfolded."""
    stage, category, lifecycle = names.of(row)
    words = (row.full_name or row.name).split()
    family, given = (words[-1], " ".join(words[:-1])) if words else ("", "")
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"FN:{vcard_text(row.name)}",
        f"N:{vcard_text(family)};{vcard_text(given)};;;",
    ]
    if row.company:
        lines.append(f"ORG:{vcard_text(row.company)}")
    for email in card.emails:
        params = _params(email.type, _EMAIL_TYPES, email.is_primary)
        lines.append(f"EMAIL{params}:{vcard_text(email.email)}")
    for phone in card.phones:
        params = _params(phone.type, _PHONE_TYPES, phone.is_primary)
        number = phone.number.replace(" ", "")
        if _E164.fullmatch(number):
            lines.append(f"TEL;VALUE=uri{params}:tel:{number}")
        else:  # not E.164 (imported as typed): a tel: URI would need a phone-context
            lines.append(f"TEL;VALUE=text{params}:{vcard_text(phone.number)}")
    for address in card.addresses:
        params = _params(address.type, _ADDRESS_TYPES, address.is_primary)
        town = address.city or address.locality
        district = address.locality if address.city and address.locality != address.city else ""
        parts = ("", district, address.address, town, address.state, address.zip_code)
        fields = [*parts, address.country]
        lines.append(f"ADR{params}:" + ";".join(vcard_text(f) for f in fields))
    stage_text = f"{stage} ({category})" if category else stage
    note = f"Status: {row.status}\nStage: {stage_text}\nLifecycle: {lifecycle}"
    lines.append(f"NOTE:{vcard_text(note)}")
    lines.append("END:VCARD")
    return lines


def write_vcards(
    out: TextIO, contacts: Iterable[tuple[ContactRow, ContactCard]], names: _Names
) -> None:
    """One vCard 4.0 per contact, CRLF line ends, lines folded at 75 octets."""
    for row, card in contacts:
        out.write("".join(fold_line(line) + "\r\n" for line in vcard_lines(row, card, names)))
