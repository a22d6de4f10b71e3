"""Export of the list's view to CSV, JSON and vCard 4.0, on SQLite and PostgreSQL."""

from __future__ import annotations

import codecs
import csv
import errno
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from contacts_tui import export
from contacts_tui.cli import main
from contacts_tui.demo import add_demo_contacts
from contacts_tui.export import (
    CSV_HEADER,
    CSV_PLAIN_EXTRA,
    ExportCancelled,
    ExportError,
    ExportExistsError,
    export_contacts,
    fold_line,
    vcard_text,
)
from contacts_tui.services import ContactFilter, ContactService, refresh_derived
from contacts_tui.store import export_rows
from contacts_tui.store.models import Address, Contact, Email, Phone, database

# ----- helpers ------------------------------------------------------------------------


def add_children(contact_id: int, emails=(), phones=(), addresses=()) -> None:
    """Children written straight to the store: the record services are another issue's."""
    with database.connection_context(), database.atomic():
        for n, (email, kind) in enumerate(emails):
            Email.create(contact=contact_id, email=email, type=kind, is_primary=n == 0)
        for n, (number, kind) in enumerate(phones):
            Phone.create(
                contact=contact_id, number=number, typed=number, type=kind, is_primary=n == 0
            )
        for n, fields in enumerate(addresses):
            Address.create(contact=contact_id, is_primary=n == 0, **fields)
        refresh_derived(contact_id)


def set_raw(contact_id: int, **values) -> None:
    """Values as an older import might have left them (e.g. a newline in a name)."""
    with database.connection_context():
        Contact.update(**values).where(Contact.id == contact_id).execute()


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def unfold(data: bytes) -> list[str]:
    """RFC 6350 3.2: a CRLF followed by a space continues the previous line."""
    text = data.decode("utf-8")
    assert "\n" not in text.replace("\r\n", ""), "bare LF or CR in the vCard file"
    return text.replace("\r\n ", "").split("\r\n")


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            nxt = next(chars)
            out.append("\n" if nxt in "nN" else nxt)
        else:
            out.append(char)
    return "".join(out)


def split_unescaped(value: str, separator: str) -> list[str]:
    parts, current, chars = [], [], iter(value)
    for char in chars:
        if char == "\\":
            current.append(char + next(chars))
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def parse_vcards(data: bytes) -> list[list[tuple[str, str, str]]]:
    """[(name, params, raw value)] per card, from a minimal content-line parser."""
    cards, card = [], None
    for line in unfold(data):
        if not line:
            continue
        head, _, value = line.partition(":")
        name, _, params = head.partition(";")
        if name == "BEGIN":
            card = []
        elif name == "END":
            cards.append(card)
            card = None
        else:
            card.append((name, params, value))
    assert card is None, "a card without END"
    return cards


@pytest.fixture
def people(service: ContactService, backend) -> dict[str, int]:
    """Contacts whose data needs quoting, escaping and folding in every format."""
    ids = {}
    ids["comma"] = service.create_contact("Smith, John", "Acme; Sons").id
    ids["quote"] = service.create_contact('Ann "Nan" Lee', None).id
    ids["accent"] = service.create_contact("José Müller-Łukasz", "Société Générale").id
    ids["formula"] = service.create_contact('=HYPERLINK("http://x")', None).id
    ids["plus"] = service.create_contact("+cmd|' /C calc'!A0", None).id
    ids["at"] = service.create_contact("@SUM(1+1)", None).id
    ids["newline"] = service.create_contact("Multi Line", None).id
    ids["long"] = service.create_contact("Ærøskøbing " * 9 + "Zoë", None).id
    set_raw(
        ids["newline"],
        name="Multi\nLine, Co; back\\slash",
        full_name="First line\nsecond, line; with \\ backslash",
    )
    add_children(
        ids["comma"],
        emails=[("john@example.com", "Business"), ("j.smith@home.example", "Personal")],
        phones=[("+442079460000", "Mobile"), ("+4930123456", "Office")],
        addresses=[
            {
                "address": "1 High St, Flat 2",
                "city": "London",
                "state": "",
                "zip_code": "SW1A 1AA",
                "locality": "Westminster",
                "country": "GB",
                "type": "Office",
            }
        ],
    )
    add_children(ids["accent"], emails=[("josé@exämple.com", "Business")])
    return ids


# ----- CSV ----------------------------------------------------------------------------


def test_csv_is_rfc_4180_with_header_quoting_and_utf8(service, people, tmp_path):
    target = tmp_path / "out.csv"
    count = export_contacts(service, ContactFilter(), "name", False, "csv", target)
    assert count == len(people)
    data = target.read_bytes()
    # UTF-8 with its byte-order mark: Excel and Outlook on Windows read it as UTF-8 then,
    # not in the system's ANSI code page (José Müller as JosÃ© MÃ¼ller).
    assert data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n")
    # Every record ends with CRLF; the only bare LFs are inside the quoted name fields.
    assert text.count("\n") - text.count("\r\n") == 2
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = (*CSV_HEADER, *CSV_PLAIN_EXTRA)
    assert tuple(rows[0]) == header
    by_id = {int(r[0]): dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_id) == set(people.values())
    comma = by_id[people["comma"]]
    assert comma["Name"] == "Smith, John"
    assert comma["Company"] == "Acme; Sons"
    assert comma["E-mail"] == "john@example.com"
    assert comma["Status"] == "Open"
    assert comma["Stage"] == "New Lead"
    assert comma["Category"] == "Lead Generation"
    assert by_id[people["quote"]]["Name"] == 'Ann "Nan" Lee'
    assert '"Ann ""Nan"" Lee"' in text  # quotes doubled inside a quoted field
    assert by_id[people["quote"]]["Company"] == "Tenant-Wide"
    assert by_id[people["accent"]]["Name"] == "José Müller-Łukasz"
    assert by_id[people["accent"]]["Company"] == "Société Générale"
    assert by_id[people["newline"]]["Name"] == "Multi\nLine, Co; back\\slash"
    assert by_id[people["newline"]]["Full Name"] == ("First line\nsecond, line; with \\ backslash")


def test_plain_csv_written_by_sqlite_is_the_one_python_writes(
    service, backend, people, tmp_path, monkeypatch
):
    """SQLite writes the plain CSV's lines itself (store.csv_lines); PostgreSQL and a
    line with a `;` before a formula character are written by Python: the same bytes."""
    more = {
        "apostrophes": service.create_contact("''=1+1", None).id,
        "semicolon": service.create_contact("a;=b", None).id,
        "tabs": service.create_contact("Tab", "=Evil, Inc").id,
        "plain": service.create_contact("Plain Person", "Plain Co").id,
        # Plain but for one later cell: each is seen among the contact's texts tested
        # together (a birthday without a year starts with '-').
        "no year": service.create_contact("Yearless", "Plain Co").id,
        "one comma": service.create_contact("Comma", "Plain Co").id,
    }
    set_raw(
        more["tabs"],
        full_name="\tTabbed\tname",
        notes="-notes\r\nsecond line",
        scoring=-5,
        stage="gone",
        template="unknown",
        segmentation="@seg",
        job_title="+boss",
        nickname='say "hi"',
        updated_at="2026-11-30 09:15:00.123456",
    )
    set_raw(more["plain"], scoring=7, department="Sales", website="https://example.com")
    set_raw(more["no year"], birthday="--12-24")
    set_raw(more["one comma"], notes="first, second")
    add_children(
        more["plain"],
        emails=[("p@example.com", "Business"), ("q@example.com", "Personal"), ("=r@x.example", "")],
        phones=[("+442079460000", "Mobile"), ("+4930123456", "Office"), ("+14165550199", "")],
        addresses=[
            {"address": "=1 Main St", "city": "Toronto", "state": "ON", "zip_code": "M5E 1E6",
             "locality": "Old Toronto", "country": "CA", "type": "Office"},
            {"address": "2 Side St", "city": "Berlin", "state": "", "zip_code": "10115",
             "locality": "Mitte", "country": "DE", "type": "Home"},
        ],
    )  # fmt: skip
    first, second = service.create_account("Zeta; =Accounts"), service.create_account("Alpha")
    contact = service.get_contact(more["plain"])
    service.update_contact(more["plain"], contact.version, accounts=[first.id, second.id])
    lines_used = []
    line_column = export.csv_lines.line_column
    monkeypatch.setattr(
        export.csv_lines, "line_column", lambda *a: lines_used.append(a) or line_column(*a)
    )
    by_sqlite = tmp_path / "sqlite.csv"
    export_contacts(service, ContactFilter(), "name", False, "csv", by_sqlite, page_size=5)
    monkeypatch.setattr(export, "is_postgres", lambda *a: True)  # the Python way, on any database
    by_python = tmp_path / "python.csv"
    export_contacts(service, ContactFilter(), "name", False, "csv", by_python, page_size=5)
    assert by_sqlite.read_bytes() == by_python.read_bytes()
    assert bool(lines_used) == (backend == "sqlite")
    rows = list(csv.reader(io.StringIO(by_sqlite.read_text("utf-8"), newline="")))
    by_id = {int(r[0]): r for r in rows[1:]}
    assert by_id[more["semicolon"]][1] == "a;'=b"  # the Python way
    assert by_id[more["apostrophes"]][1] == "'''=1+1"
    assert by_id[more["tabs"]][11] == "-5"  # a number: not guarded
    assert by_id[more["no year"]][20] == "'--12-24"
    assert by_id[more["one comma"]][-1] == "first, second"


def test_csv_cells_cannot_run_as_spreadsheet_formulas(service, people, tmp_path):
    target = tmp_path / "out.csv"
    export_contacts(service, ContactFilter(), "name", False, "csv", target)
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8"), newline="")))
    names = {int(r[0]): r[1] for r in rows[1:]}
    assert names[people["formula"]] == '\'=HYPERLINK("http://x")'
    assert names[people["plus"]] == "'+cmd|' /C calc'!A0"
    assert names[people["at"]] == "'@SUM(1+1)"
    phones = {int(r[0]): r[4] for r in rows[1:]}
    assert phones[people["comma"]] == "'+44 20 7946 0000"
    assert names[people["comma"]] == "Smith, John"  # ordinary text is untouched
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_csv_follows_filter_search_and_sort(service, people, tmp_path):
    target = tmp_path / "out.csv"
    service.archive(people["quote"])
    search = ContactFilter(search="smith")
    assert export_contacts(service, search, "name", False, "csv", target) == 1
    assert "Smith, John" in target.read_text("utf-8")
    target.unlink()
    count = export_contacts(service, ContactFilter(), "name", True, "csv", target)
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8"), newline="")))[1:]
    assert count == len(people) - 1  # the archived contact is not in the default view
    expected = [r.id for r in service.list_page(ContactFilter(), "name", True, limit=50).rows]
    assert [int(r[0]) for r in rows] == expected
    target.unlink()
    archived = ContactFilter(archived=True)
    assert export_contacts(service, archived, "name", False, "csv", target) == 1


# ----- JSON ---------------------------------------------------------------------------


def test_json_is_valid_and_complete(service, people, tmp_path):
    target = tmp_path / "out.json"
    count = export_contacts(service, ContactFilter(), "company", False, "json", target)
    items = json.loads(target.read_text("utf-8"))
    assert count == len(items) == len(people)
    expected = [r.id for r in service.list_page(ContactFilter(), "company", limit=50).rows]
    assert [item["id"] for item in items] == expected
    by_id = {item["id"]: item for item in items}
    comma = by_id[people["comma"]]
    assert comma["name"] == "Smith, John"
    assert comma["company"] == "Acme; Sons"
    assert comma["status"] == "Open"
    assert comma["stage"] == "New Lead"
    assert comma["stage_key"] == "new_lead"
    assert comma["category"] == "Lead Generation"
    assert comma["emails"] == [
        {"email": "john@example.com", "type": "Business", "primary": True},
        {"email": "j.smith@home.example", "type": "Personal", "primary": False},
    ]
    assert [p["number"] for p in comma["phones"]] == ["+442079460000", "+4930123456"]
    assert comma["addresses"][0]["address"] == "1 High St, Flat 2"
    assert by_id[people["quote"]]["company"] is None  # Tenant-Wide
    assert by_id[people["accent"]]["name"] == "José Müller-Łukasz"
    assert "José Müller-Łukasz" in target.read_text("utf-8")  # UTF-8, not \\u escapes
    assert by_id[people["newline"]]["full_name"].startswith("First line\nsecond")


def test_json_of_an_empty_view_is_an_empty_list(service, people, tmp_path):
    target = tmp_path / "none.json"
    nothing = ContactFilter(search="zzzzqqq")
    assert export_contacts(service, nothing, "name", False, "json", target) == 0
    assert json.loads(target.read_text("utf-8")) == []


# ----- vCard --------------------------------------------------------------------------


def test_vcard_lines_are_crlf_folded_and_escaped(service, people, tmp_path):
    target = tmp_path / "out.vcf"
    count = export_contacts(service, ContactFilter(), "name", False, "vcard", target)
    data = target.read_bytes()
    assert data.endswith(b"END:VCARD\r\n")
    for physical in data.split(b"\r\n")[:-1]:
        assert len(physical) <= 75, physical
        physical.decode("utf-8")  # folding never splits a UTF-8 character
    cards = parse_vcards(data)
    assert count == len(cards) == len(people)
    for card in cards:
        assert card[0] == ("VERSION", "", "4.0")
        assert [n for n, _, _ in card].count("FN") == 1
    by_name = {unescape(v): card for card in cards for n, _, v in card if n == "FN"}

    comma = by_name["Smith, John"]
    props = {}
    for name, params, value in comma:
        props.setdefault(name, []).append((params, value))
    assert props["FN"] == [("", "Smith\\, John")]
    assert props["N"] == [("", "Smith;John;;;")]  # family name first, as the name says
    assert props["ORG"] == [("", "Acme\\; Sons")]
    assert props["EMAIL"] == [
        ("TYPE=work;PREF=1", "john@example.com"),
        ("TYPE=home", "j.smith@home.example"),
    ]
    assert props["TEL"] == [
        ("VALUE=uri;TYPE=cell;PREF=1", "tel:+442079460000"),
        ("VALUE=uri;TYPE=work", "tel:+4930123456"),
    ]
    ((params, adr),) = props["ADR"]
    # The locality (a district) has no place in ADR: extended is a suite or flat number.
    assert params == 'TYPE=work;PREF=1;X-LOCALITY="Westminster"'
    assert [unescape(p) for p in split_unescaped(adr, ";")] == [
        "",
        "",
        "1 High St, Flat 2",
        "London",
        "",
        "SW1A 1AA",
        "GB",
    ]
    assert "NOTE" not in props  # the contact has no notes; the CRM fields are X- properties
    assert props["X-CONTACTS-TUI-STATUS"] == [("", "Open")]
    assert props["X-CONTACTS-TUI-STAGE"] == [("", "new_lead")]
    assert props["X-CONTACTS-TUI-LIFECYCLE"] == [("", "standard")]
    assert props["UID"] == [("", f"urn:contacts-tui:contact:{people['comma']}")]
    # A name with a newline, comma, semicolon and backslash, escaped and read back.
    multi = by_name["Multi\nLine, Co; back\\slash"]
    assert ("FN", "", "Multi\\nLine\\, Co\\; back\\\\slash") in multi
    long_name = "Ærøskøbing " * 9 + "Zoë"
    assert long_name.strip() in by_name
    assert "José Müller-Łukasz" in by_name


@pytest.mark.parametrize(
    ("name", "first_last"),
    [
        ("Doe, Jane", ("Jane", "Doe")),
        ("van der Berg, Anna Maria", ("Anna Maria", "van der Berg")),
        ("John Smith, Jr.", ("John", "Smith")),
        ("Ann Lee, PhD", ("Ann", "Lee")),
        ("Jane Doe", ("Jane", "Doe")),
        ("Madonna", ("Madonna", "")),
    ],
)
def test_first_and_last_name_columns_read_a_name_filed_last_first(name, first_last):
    assert export._first_last(SimpleNamespace(name=name)) == first_last


def test_fold_line_respects_octets_and_characters():
    line = "NOTE:" + "é" * 100
    folded = fold_line(line)
    physical = folded.encode("utf-8").split(b"\r\n")
    assert all(len(p) <= 75 for p in physical)
    assert all(p.startswith(b" ") for p in physical[1:])
    assert folded.replace("\r\n ", "") == line
    assert fold_line("FN:short") == "FN:short"


def test_vcard_text_escapes_the_special_characters():
    assert vcard_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


# ----- every row, in pages ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "vcard"])
def test_every_matching_row_is_exported_across_pages(service, backend, tmp_path, fmt, monkeypatch):
    # A small page, given to the export, so that three pages need few contacts: the
    # paging is the same at any size (the default is only how many rows a read takes).
    # The records of a page are read in chunks of ids, smaller than a page here too.
    page_size = 40
    monkeypatch.setattr(export_rows, "IDS_PER_QUERY", 16)
    total = page_size * 2 + 37
    add_demo_contacts(service.config, total, "tester", seed=3)
    target = tmp_path / f"all.{fmt}"
    reports = []
    count = export_contacts(
        service,
        ContactFilter(),
        "updated",
        True,
        fmt,
        target,
        progress=lambda done, of: reports.append((done, of)),
        page_size=page_size,
    )
    assert count == total
    assert reports[0] == (0, total)
    assert reports[-1] == (total, total)
    assert len(reports) == 4  # start, then one report per page
    data = target.read_bytes()
    if fmt == "csv":
        ids = [int(r[0]) for r in list(csv.reader(io.StringIO(data.decode(), newline="")))[1:]]
    elif fmt == "json":
        ids = [item["id"] for item in json.loads(data)]
    else:
        ids = [None] * len(parse_vcards(data))
    assert len(ids) == total
    if fmt != "vcard":
        assert len(set(ids)) == total
        with database.connection_context():
            assert set(ids) == {i for (i,) in Contact.select(Contact.id).tuples()}


def test_search_and_filter_select_the_same_rows_as_the_list(service, backend, tmp_path):
    add_demo_contacts(service.config, 700, "tester", seed=5)
    view = ContactFilter(search="mar", status="Open")
    expected = service.count(view)
    assert 0 < expected < 700
    target = tmp_path / "mar.json"
    count = export_contacts(service, view, "name", False, "json", target, page_size=13)
    assert count == expected == len(json.loads(target.read_text("utf-8")))


# ----- file safety --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "vcard"])
def test_file_is_created_private(service, people, tmp_path, fmt):
    old = os.umask(0o000)  # even a permissive umask gives 0600
    try:
        target = tmp_path / f"out.{fmt}"
        export_contacts(service, ContactFilter(), "name", False, fmt, target)
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert files_in(tmp_path) == sorted(["workspace", f"out.{fmt}"])


def test_existing_file_is_refused_without_overwrite(service, people, tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("keep me")
    with pytest.raises(ExportExistsError, match="exists already"):
        export_contacts(service, ContactFilter(), "name", False, "csv", target)
    assert target.read_text() == "keep me"


def test_overwrite_replaces_the_file_and_makes_it_private(service, people, tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    target.chmod(0o644)
    count = export_contacts(service, ContactFilter(), "name", False, "csv", target, overwrite=True)
    assert count == len(people)
    assert target.read_text("utf-8-sig").startswith("ID,Name")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("overwrite", [False, True])
@pytest.mark.parametrize("dangling", [False, True])
def test_symlink_at_target_is_refused(service, people, tmp_path, overwrite, dangling):
    victim = tmp_path / "victim.txt"
    if not dangling:
        victim.write_text("do not touch")
    target = tmp_path / "out.csv"
    target.symlink_to(victim)
    with pytest.raises(ExportError, match="symbolic link"):
        export_contacts(service, ContactFilter(), "name", False, "csv", target, overwrite=overwrite)
    assert target.is_symlink()
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_text() == "do not touch"


def test_symlink_appearing_during_an_overwrite_is_refused(service, people, tmp_path):
    target = tmp_path / "out.csv"
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch")

    def swap_in_a_link(done, total):
        if done:
            target.symlink_to(victim)

    with pytest.raises(ExportError, match="symbolic link"):
        export_contacts(
            service,
            ContactFilter(),
            "name",
            False,
            "csv",
            target,
            progress=swap_in_a_link,
            overwrite=True,
        )
    assert victim.read_text() == "do not touch"
    assert files_in(tmp_path) == ["out.csv", "victim.txt", "workspace"]


@pytest.mark.parametrize("hard_links", [True, False])
def test_file_appearing_during_export_is_not_overwritten(
    service, people, tmp_path, monkeypatch, hard_links
):
    if not hard_links:

        def no_links(*args, **kwargs):
            raise OSError(errno.EPERM, "Operation not permitted")

        monkeypatch.setattr(export.os, "link", no_links)
    target = tmp_path / "out.csv"

    def someone_writes(done, total):
        if done:
            target.write_text("theirs")

    with pytest.raises(ExportExistsError, match="appeared while exporting"):
        export_contacts(
            service, ContactFilter(), "name", False, "csv", target, progress=someone_writes
        )
    assert target.read_text() == "theirs"
    assert files_in(tmp_path) == ["out.csv", "workspace"]


def test_without_hard_links_the_export_still_works(service, people, tmp_path, monkeypatch):
    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(export.os, "link", no_links)
    target = tmp_path / "out.json"
    assert export_contacts(service, ContactFilter(), "name", False, "json", target) == len(people)
    assert len(json.loads(target.read_text("utf-8"))) == len(people)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("fmt", ["csv", "json", "vcard"])
def test_failure_midway_leaves_no_file(service, backend, tmp_path, fmt):
    add_demo_contacts(service.config, 60, "tester", seed=1)
    target = tmp_path / f"out.{fmt}"

    def fail_on_second_page(done, total):
        if done > 20:
            raise RuntimeError("disk unplugged")

    with pytest.raises(RuntimeError, match="disk unplugged"):
        export_contacts(
            service,
            ContactFilter(),
            "name",
            False,
            fmt,
            target,
            progress=fail_on_second_page,
            page_size=20,
        )
    assert files_in(tmp_path) == ["workspace"]


def test_failure_midway_keeps_the_file_being_replaced(service, people, tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("previous export")

    def fail(done, total):
        if done:
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ExportError, match="no space left on device"):
        export_contacts(
            service, ContactFilter(), "name", False, "csv", target, progress=fail, overwrite=True
        )
    assert target.read_text() == "previous export"
    assert files_in(tmp_path) == ["out.csv", "workspace"]


def test_cancel_stops_and_leaves_no_file(service, backend, tmp_path):
    add_demo_contacts(service.config, 60, "tester", seed=1)
    target = tmp_path / "out.csv"
    seen = []

    def cancelled() -> bool:
        return len(seen) >= 2

    with pytest.raises(ExportCancelled):
        export_contacts(
            service,
            ContactFilter(),
            "name",
            False,
            "csv",
            target,
            progress=lambda done, total: seen.append(done),
            cancelled=cancelled,
            page_size=10,
        )
    assert seen == [0, 10]
    assert files_in(tmp_path) == ["workspace"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: None, "does not exist"),
    ],
)
def test_unusable_targets_are_explained(service, tmp_path, make, message):
    target = tmp_path / "out.csv"
    make(target)
    if message == "does not exist":
        target = tmp_path / "missing" / "out.csv"
    with pytest.raises(ExportError, match=message):
        export_contacts(service, ContactFilter(), "name", False, "csv", target)


def test_unknown_format_is_refused(service, tmp_path):
    with pytest.raises(ExportError, match="Unknown export format"):
        export_contacts(service, ContactFilter(), "name", False, "xlsx", tmp_path / "x.xlsx")


def test_default_path_and_extension_follow_the_format(tmp_path):
    from datetime import date

    path = export.default_path("vcard", tmp_path, date(2026, 5, 1))
    assert path == tmp_path / "contacts-20260501.vcf"
    assert export.with_format_extension(path, "json") == tmp_path / "contacts-20260501.json"
    assert export.with_format_extension(tmp_path / "mine.txt", "csv") == tmp_path / "mine.txt"


# ----- the `export` subcommand --------------------------------------------------------


def test_cli_export_prints_the_count_and_writes_the_file(tmp_path, capsys):
    home = tmp_path / "ws"
    assert main(["--home", str(home), "demo", "--contacts", "120"]) == 0
    capsys.readouterr()
    out = tmp_path / "open.csv"
    code = main(
        ["--home", str(home), "export", "--format", "csv", "-o", str(out), "--status", "Open"]
    )
    assert code == 0
    printed = int(capsys.readouterr().out.strip())
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8"), newline="")))[1:]
    assert printed == len(rows) > 0
    assert {r[6] for r in rows} == {"Open"}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

    # An existing file needs --force; a search narrows the rows.
    assert main(["--home", str(home), "export", "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    code = main(
        [
            "--home",
            str(home),
            "export",
            "--format",
            "json",
            "-o",
            str(out),
            "--force",
            "--search",
            "mar",
        ]
    )
    assert code == 0
    printed = int(capsys.readouterr().out.strip())
    assert printed == len(json.loads(out.read_text("utf-8")))


def test_cli_export_to_a_pipe_its_reader_closes_ends_without_a_word(tmp_path, capsys):
    # `contacts-tui export -o - | head`: head leaves after its lines, as it should.
    home = tmp_path / "ws"
    assert main(["--home", str(home), "demo", "--contacts", "2000"]) == 0
    command = [sys.executable, "-m", "contacts_tui", "--home", str(home), "export", "-o", "-"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as export:
        assert export.stdout is not None and export.stderr is not None
        assert export.stdout.readline().startswith(b"ID,Name,")
        export.stdout.close()  # far more than a pipe holds is still to come
        errors = export.stderr.read().decode()
        code = export.wait(timeout=60)
    assert errors == ""
    assert code == 2  # not all written


def test_cli_export_refuses_a_symlink(tmp_path, capsys):
    home = tmp_path / "ws"
    out = tmp_path / "link.vcf"
    out.symlink_to(tmp_path / "elsewhere.vcf")
    code = main(["--home", str(home), "export", "--format", "vcard", "-o", str(out), "--force"])
    assert code == 2
    assert "symbolic link" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere.vcf").exists()


@pytest.mark.parametrize("fmt", ["json", "vcard"])
def test_cli_export_says_a_profile_is_for_csv_files(tmp_path, capsys, fmt):
    home = tmp_path / "ws"
    out = tmp_path / "contacts.out"
    code = main(
        ["--home", str(home), "export", "--format", fmt, "--profile", "google", "-o", str(out)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err == (
        f"contacts-tui: --profile google picks the columns of a CSV file; a {fmt} file has "
        "one layout. Use --format csv, or leave --profile out.\n"
    )
    assert not out.exists()
    assert (
        main(["--home", str(home), "export", "--format", fmt, "--profile", "plain", "-o", str(out)])
        == 0
    )


def test_lines_safe_keeps_a_files_lines_and_drops_what_drives_a_terminal():
    from contacts_tui.safe_text import lines_safe

    assert lines_safe("a,b\r\nc\td\n") == "a,b\r\nc\td\n"
    assert lines_safe('1,"Evil\x1b]52;c;ZXZpbA==\x07Name\x1b[2J\u202e"\n') == '1,"EvilName"\n'


def test_cli_export_shown_on_the_terminal_has_no_progress_line_in_it(tmp_path):
    # `export -o -` on a terminal: the progress line (stderr, the same terminal) would be
    # written into the rows shown ("\r0 / 3 contacts1,Ada,…").
    import pty

    home = tmp_path / "ws"
    assert main(["--home", str(home), "demo", "--contacts", "3"]) == 0
    master, terminal = pty.openpty()
    command = [sys.executable, "-m", "contacts_tui", "--home", str(home), "export", "-o", "-"]
    export = subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the export ended and closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert export.wait(timeout=60) == 0
    assert shown.startswith(b"ID,Name,")
    assert b" / 3 contacts" not in shown
    assert shown.endswith(b"3 contacts written.\r\n")
