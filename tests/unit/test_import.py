"""Import of CSV, JSON and vCard files: round trips, validation, duplicates, bad files, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import astuple
from pathlib import Path

import pytest

from contacts_tui import importer
from contacts_tui.cli import main
from contacts_tui.export import export_contacts
from contacts_tui.importer import ImportFileError, open_source
from contacts_tui.services import ContactFilter, ContactService, refresh_derived
from contacts_tui.services.imports import import_contacts
from contacts_tui.store.models import (
    Account,
    Address,
    AuditEntry,
    BankAccount,
    Company,
    Contact,
    ContactAccount,
    Email,
    Phone,
    StageChange,
    database,
)

EVERYONE = ContactFilter()
ARCHIVED = ContactFilter(archived=True)


# ----- helpers ------------------------------------------------------------------------------


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def snapshot(service: ContactService) -> list[tuple]:
    """Every contact (active and archived) as its fields and records, without ids or times."""
    people = []
    for view in (EVERYONE, ARCHIVED):
        rows = service.list_page(view, limit=1000).rows
        for row in rows:
            detail = service.get_contact(row.id)
            people.append(
                (
                    detail.name,
                    detail.full_name,
                    detail.company.name if detail.company else None,
                    detail.template,
                    detail.stage,
                    detail.status,
                    detail.segmentation,
                    detail.scoring,
                    detail.reason_code,
                    detail.archived,
                    tuple(a.name for a in detail.accounts),
                    tuple((e.email, e.type, e.is_primary) for e in detail.emails),
                    tuple((p.number, p.type, p.is_primary) for p in detail.phones),
                    # address, country, state, city, zip, locality, type, primary
                    tuple(astuple(a)[1:] for a in detail.addresses),
                )
            )
    return sorted(people, key=repr)


def wipe() -> None:
    """An empty workspace again, on the same database."""
    with database.connection_context():
        for model in (
            AuditEntry,
            StageChange,
            ContactAccount,
            Email,
            Phone,
            Address,
            BankAccount,
            Contact,
            Company,
            Account,
        ):
            model.delete().execute()


def count(model) -> int:
    with database.connection_context():
        return model.select().count()


@pytest.fixture
def people(service: ContactService) -> ContactService:
    """Contacts using every field the export writes."""
    ada = service.create_contact("Ada Lovelace", "Analytical Engines Ltd")
    service.update_contact(
        ada.id,
        ada.version,
        full_name="Augusta Ada King",
        scoring=90,
        segmentation="Enterprise",
        reason_code="Referral",
        accounts=(service.create_account("North").id, service.create_account("South").id),
    )
    service.set_stage(ada.id, "qualified")
    service.records.add_email(ada.id, "ada@example.com", "Business")
    service.records.add_email(ada.id, "ada.home@example.org", "Personal", primary=True)
    service.records.add_phone(ada.id, "020 7946 0018", "Office")
    service.records.add_phone(ada.id, "+44 7550 217244", "Mobile", primary=True)
    service.records.add_address(
        ada.id,
        address="12 St James's Square",
        country="GB",
        city="London",
        zip_code="SW1Y 4JH",
        locality="St James's",
        type="Office",
    )
    service.records.add_address(
        ada.id,
        address="Am Markt 1",
        country="DE",
        state="BE",
        city="Berlin",
        zip_code="10178",
        locality="Mitte",
        type="Billing",
        primary=True,
    )
    grace = service.create_contact("Grace Hopper")  # Tenant-Wide, first step, nothing else
    service.records.add_email(grace.id, "grace@example.com")
    won = service.create_contact('=HYPERLINK("x"), Inc; "quoted"', "Acme, Inc.")
    service.set_stage(won.id, "closed_won")
    service.records.add_phone(won.id, "+1 415 555 0100", "Mobile")
    gone = service.create_contact("Archie Ved", "Acme, Inc.")
    service.records.add_email(gone.id, "archie@example.com", "Business")
    service.archive(gone.id)
    return service


def export_file(service: ContactService, tmp_path: Path, fmt: str, view=EVERYONE) -> Path:
    path = tmp_path / f"out-{fmt}-{view.archived}.{'vcf' if fmt == 'vcard' else fmt}"
    export_contacts(service, view, fmt=fmt, path=path)
    return path


# ----- round trips ------------------------------------------------------------------------


def test_json_round_trip_gives_the_same_contacts(people, backend, tmp_path):
    before = snapshot(people)
    files = [export_file(people, tmp_path, "json"), export_file(people, tmp_path, "json", ARCHIVED)]
    wipe()
    for path in files:
        summary = import_contacts(people, path)
        assert summary.rejected == summary.duplicates == 0
    assert snapshot(people) == before
    # The list columns and the search document are what refresh_derived would write.
    with database.connection_context():
        derived = list(
            Contact.select(Contact.id, Contact.primary_phone, Contact.search_doc).tuples()
        )
        for contact_id, *_ in derived:
            refresh_derived(contact_id)
        assert (
            list(Contact.select(Contact.id, Contact.primary_phone, Contact.search_doc).tuples())
            == derived
        )


def test_csv_round_trip_keeps_every_column_it_has(people, backend, tmp_path):
    before = snapshot(people)
    path = export_file(people, tmp_path, "csv")
    wipe()
    summary = import_contacts(people, path)
    assert (summary.imported, summary.rejected) == (3, 0)
    after = snapshot(people)

    # CSV holds the contact's own fields and its primary e-mail and phone only.
    def flat(person):
        *fields, emails, phones, _ = person
        primary = [e[0] for e in emails if e[2]], [p[0] for p in phones if p[2]]
        return (*fields, primary)

    assert [flat(p) for p in after] == [flat(p) for p in before if not p[9]]
    assert "=HYPERLINK" in after[0][0]  # the formula guard is undone


def test_vcard_round_trip_keeps_names_company_and_records(people, tmp_path):
    before = snapshot(people)
    path = export_file(people, tmp_path, "vcard")
    wipe()
    assert import_contacts(people, path).imported == 3
    after = {p[0]: p for p in snapshot(people)}
    for person in before:
        if person[9]:  # archived: not in the export
            continue
        got = after[person[0]]
        assert got[:3] == person[:3]  # name, full name, company
        assert got[11] == person[11]  # e-mails with types and primary
        assert [(p[0], p[2]) for p in got[12]] == [(p[0], p[2]) for p in person[12]]
        assert [a[:6] for a in got[13]] == [a[:6] for a in person[13]]


# ----- what an import writes --------------------------------------------------------------


def test_every_contact_has_an_imported_audit_entry_and_history(service, tmp_path):
    path = write(tmp_path / "new.csv", "Name,Stage\nMaria Lopez,Proposal Sent\n")
    import_contacts(service, path)
    contact = service.get_contact(service.list_page(limit=1).rows[0].id)
    assert [(a.field, a.new_value) for a in contact.audit] == [
        ("imported", "from new.csv (line 2)")
    ]
    assert [(h.from_stage, h.to_stage) for h in contact.stage_history] == [("", "proposal_sent")]


def test_imported_contacts_can_be_searched(service, backend, tmp_path):
    path = write(tmp_path / "s.csv", "Name,Email\nZebulon Quark,zq@example.com\nOther One,\n")
    import_contacts(service, path)
    found = service.list_page(ContactFilter(search="quark")).rows
    assert [r.name for r in found] == ["Zebulon Quark"]
    assert service.list_page(ContactFilter(search="zq@exa")).rows[0].email == "zq@example.com"


def test_csv_aliases_from_other_crms(service, tmp_path):
    text = (
        "\ufeffFirst Name,Last Name,E-mail Address,Mobile,Work Phone,Organization,"
        "Street,City,Postal Code,Country,Twitter\n"
        "Jane,Doe,JANE@Example.COM,07550 217245,020 7946 0019,Doe & Co,"
        "1 High St,London,sw1a 1aa,United Kingdom,@jane\n"
    )
    path = write(tmp_path / "outlook.csv", text)
    source = open_source(path)
    assert source.notes == (
        "Columns with no field here (a value in them is kept in its contact's notes): Twitter.",
    )
    assert import_contacts(service, path).imported == 1
    detail = service.get_contact(service.list_page(limit=1).rows[0].id)
    assert detail.name == "Jane Doe"
    assert detail.company.name == "Doe & Co"
    assert [(e.email, e.is_primary) for e in detail.emails] == [("JANE@example.com", True)]
    assert [(p.number, p.type, p.is_primary) for p in detail.phones] == [
        ("+447550217245", "Mobile", True),
        ("+442079460019", "Office", False),
    ]
    address = detail.addresses[0]
    assert (address.country, address.zip_code, address.locality) == ("GB", "SW1A 1AA", "London")


def test_vcard_3_with_folds_escapes_and_types(service, tmp_path):
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:O'Brien\\, Siobhán\r\nN:O'Brien;Siobhán;;Dr.;\r\n"
        "ORG:Éire Trading\\; Ltd;Sales\r\n"
        "EMAIL;TYPE=INTERNET,HOME:s@example.ie\r\n"
        "EMAIL;TYPE=INTERNET,WORK,PREF:siobhan.obrien@a-very-long-company-domain-name-for\r\n"
        " -folding.example.com\r\n"
        "TEL;TYPE=CELL:+353 85 123 4567\r\nNOTE:Met at the fair\\nCall back\r\n"
        "PHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\n"
        "ADR;TYPE=WORK:;;1 Main St;Dublin;;D02 X285;Ireland\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Second\r\nTEL;VALUE=uri:tel:+442079460020\r\n"
        "TEL;VALUE=uri;TYPE=work:TEL:+1-201-555-0123;ext=456\r\nEND:VCARD\r\n"
    )
    path = write(tmp_path / "cards.vcf", text)
    assert import_contacts(service, path).imported == 2
    rows = {r.name: r for r in service.list_page(limit=10).rows}
    detail = service.get_contact(rows["O'Brien, Siobhán"].id)
    assert detail.full_name == "Dr. Siobhán O'Brien"
    assert detail.company.name == "Éire Trading; Ltd"
    assert [(e.email, e.type, e.is_primary) for e in detail.emails] == [
        (
            "siobhan.obrien@a-very-long-company-domain-name-for-folding.example.com",
            "Business",
            True,
        ),
        ("s@example.ie", "Personal", False),
    ]
    assert [(p.number, p.type) for p in detail.phones] == [("+353851234567", "Mobile")]
    assert (detail.addresses[0].country, detail.addresses[0].type) == ("IE", "Office")
    # vCard 4.0's tel: URI: its scheme is not part of the number as written
    assert [(p.number, p.typed) for p in service.get_contact(rows["Second"].id).phones] == [
        ("+442079460020", "+442079460020"),
        ("+12015550123;ext=456", "+1-201-555-0123;ext=456"),
    ]


def test_stage_and_lifecycle_by_key_or_name_any_case(service, tmp_path):
    text = (
        "Name,Stage,Lifecycle,Segmentation,Reason Code,Scoring\n"
        "A,qualified,standard,smb,REFERRAL,7\n"
        "B,CLOSED – WON,Standard Sales,,,\n"
    )
    import_contacts(service, write(tmp_path / "s.csv", text))
    rows = {r.name: r for r in service.list_page(limit=10).rows}
    assert (rows["A"].stage, rows["A"].segmentation, rows["A"].reason_code) == (
        "qualified",
        "SMB",
        "Referral",
    )
    assert (rows["B"].stage, rows["B"].status) == ("closed_won", "Closed")


# ----- rejected rows ------------------------------------------------------------------------

BAD_ROWS = [
    ("Bad Mail,not-an-email,,,,", "E-mail “not-an-email”"),
    ("Bad Phone,,12,,,", "Phone “12”: This phone number is too short"),
    ("Bad Stage,,,Nowhere,,", "Stage “Nowhere”: not a step of the lifecycle “Standard sales”"),
    (
        "Bad Segment,,,,Galactic,",
        "Segmentation “Galactic”: not in the list; use one of: Enterprise",
    ),
    ("Bad Score,,,,,101", "Scoring “101”: Scoring must be a whole number from 0 to 100"),
]
HEADER = "Name,E-mail,Number,Stage,Segmentation,Scoring"


def test_strict_rejects_a_row_with_any_bad_value_whole(service, backend, tmp_path):
    rows = ["Good One,good@example.com,+44 20 7946 0018,,,", ",,,Contacted,,"]
    # A bad phone after a good e-mail: the e-mail must not be saved either.
    rows += [row.replace("Bad Phone,,", "Bad Phone,half@example.com,") for row, _ in BAD_ROWS]
    problems = []
    path = write(tmp_path / "bad.csv", "\n".join([HEADER, *rows]) + "\n")
    summary = import_contacts(service, path, strict=True, on_problem=problems.append)
    assert (summary.imported, summary.rejected) == (1, len(BAD_ROWS) + 1)
    reasons = ["Name is required", *(reason for _, reason in BAD_ROWS)]
    for n, (problem, reason) in enumerate(zip(problems, reasons, strict=True)):
        assert problem.ref == f"line {n + 3}"
        assert problem.outcome == "refused"
        assert reason in problem.reason
    assert "use one of: New Lead, Contacted" in problems[3].reason
    assert count(Contact) == 1 and count(Email) == 1 and count(Phone) == 1
    assert summary.text(see_above=True) == (
        "Imported 1 contact; skipped 0 duplicates; refused 6 rows (see above)."
    )


def test_a_bad_value_is_reported_and_kept_in_the_notes_the_contact_comes_in(
    service, backend, tmp_path
):
    rows = [row.replace("Bad Phone,,", "Bad Phone,half@example.com,") for row, _ in BAD_ROWS]
    problems = []
    path = write(tmp_path / "bad.csv", "\n".join([HEADER, *rows]) + "\n")
    summary = import_contacts(service, path, on_problem=problems.append)
    assert (summary.imported, summary.rejected, summary.kept) == (5, 0, 5)
    for n, (problem, (_, reason)) in enumerate(zip(problems, BAD_ROWS, strict=True)):
        assert (problem.ref, problem.outcome) == (f"line {n + 2}", "kept")
        assert reason in problem.reason
    by_name = {r.name: service.get_contact(r.id) for r in service.list_page(limit=10).rows}
    phone = by_name["Bad Phone"]
    assert [e.email for e in phone.emails] == ["half@example.com"]  # the good value stays
    assert phone.phones == ()
    assert "Phone: 12 (This phone number is too short" in phone.notes
    assert "bad.csv, line 3" in phone.notes
    assert by_name["Bad Stage"].stage == "new_lead"
    assert "Stage: Nowhere" in by_name["Bad Stage"].notes
    assert "Scoring: 101" in by_name["Bad Score"].notes
    assert summary.text() == (
        "Imported 5 contacts; skipped 0 duplicates; refused 0 rows; "
        "5 values kept in the contacts' notes."
    )


def test_json_items_name_their_index_and_bad_shapes(service, tmp_path):
    items = [
        {"name": "Fine", "emails": [{"email": "fine@example.com", "type": "Business"}]},
        17,
        {"name": "Wrong type", "phones": [{"number": "+442079460018", "type": "Pager"}]},
        {"name": ["not", "text"]},
        {"name": "No list", "emails": "x@example.com"},
    ]
    path = write(tmp_path / "c.json", "[\n" + ",\n".join(map(json.dumps, items)) + "\n]\n")
    problems = []
    summary = import_contacts(service, path, on_problem=problems.append)
    assert summary.imported == 2  # "Wrong type" comes in, its phone kept in its notes
    assert [(p.ref, p.outcome) for p in problems] == [
        ("item 2 (line 3)", "refused"),
        ("item 3 (line 4)", "kept"),
        ("item 4 (line 5)", "refused"),
        ("item 5 (line 6)", "refused"),
    ]
    assert "not a contact object" in problems[0].reason
    assert "“Pager” is not a phone type" in problems[1].reason
    assert "Name is required" in problems[2].reason
    assert "emails is a text, not a list" in problems[3].reason


def test_a_broken_vcard_is_rejected_by_its_number(service, tmp_path):
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:One\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN this line has no colon\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Three\nEMAIL:three@\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Unclosed\n"
    )
    problems = []
    summary = import_contacts(service, write(tmp_path / "x.vcf", text), on_problem=problems.append)
    assert summary.imported == 2  # Three, without its broken e-mail (kept in its notes)
    assert [p.ref for p in problems] == ["card 2 (line 5)", "card 3 (line 9)", "card 4 (line 14)"]
    assert "cannot be read" in problems[0].reason
    assert problems[1].outcome == "kept" and "E-mail “three@”" in problems[1].reason
    assert "not closed with END:VCARD" in problems[2].reason


# ----- files that cannot be imported at all -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "empty.csv is empty"),
        ("blank.json", b"\xef\xbb\xbf \n\n", "blank.json is empty"),
        ("binary.csv", b"Name\n\x00\x01\x02", "not a text file"),
        ("noname.csv", b"Phone,Fax\n+44 20 7946 0018,\n", "has no Name column"),
        ("object.json", b'{"name": "x"}', "not a JSON list of contacts: it starts with “{”"),
        ("broken.json", b'[{"name": "A"},\n{"name": "B"}\n{"name": "C"}]', "expecting “,” or “]”"),
        ("cut.json", b'[{"name": "A"},\n{"name": "B"', "not valid JSON"),
        ("tail.json", b'[{"name": "A"}] x', "more text after the list"),
        ("notes.vcf", b"just some text\n", "holds no vCard"),
        ("contacts.txt", b"Name\nA\n", "Cannot tell the format of contacts.txt"),
    ],
)
def test_unreadable_files_import_nothing_and_say_why(service, tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(")):
        import_contacts(service, path)
    assert count(Contact) == 0


def test_a_folder_or_a_missing_file_is_refused(service, tmp_path):
    with pytest.raises(ImportFileError, match="is a folder"):
        import_contacts(service, tmp_path)
    with pytest.raises(ImportFileError, match="There is no file"):
        import_contacts(service, tmp_path / "gone.csv")


def test_invalid_json_late_in_a_big_file_imports_nothing(service, tmp_path, monkeypatch):
    # Small chunks: the reader must still find items across chunk ends.
    monkeypatch.setattr(importer, "CHUNK_SIZE", 7)
    good = ",\n".join(json.dumps({"name": f"Person {n}", "scoring": n}) for n in range(30))
    assert open_source(write(tmp_path / "ok.json", f"[{good}]")).total == 30
    with pytest.raises(ImportFileError, match="line 31"):
        import_contacts(service, write(tmp_path / "bad.json", f'[{good},\n{{"name": ]'))
    assert count(Contact) == 0
    assert import_contacts(service, tmp_path / "ok.json", batch_size=7).imported == 30
    scores = sorted(r.scoring for r in service.list_page(limit=100).rows)
    assert scores == list(range(30))


# ----- duplicates, dry run, cancel ----------------------------------------------------------


def test_duplicates_are_skipped_by_default_and_added_on_request(service, backend, tmp_path):
    existing = service.create_contact("Maria Lopez")
    service.records.add_email(existing.id, "maria@example.com")
    text = (
        "Name,E-mail,Number\n"
        "Maria L.,maria@example.com,\n"  # in the workspace already
        "Tom,tom@example.com,+44 20 7946 0018\n"
        "Tom again,,020 7946 0018\n"  # the same phone, earlier in this file
        "New,new@example.com,\n"
    )
    path = write(tmp_path / "d.csv", text)
    problems = []
    summary = import_contacts(service, path, on_problem=problems.append)
    assert (summary.imported, summary.duplicates, summary.rejected) == (2, 2, 0)
    assert [str(p) for p in problems] == [
        f"line 2: skipped duplicate: the same person as “Maria Lopez” (contact {existing.id}): "
        "same e-mail “maria@example.com”",
        "line 4: skipped duplicate: the same person as “Tom” (line 3 of this file): "
        "same phone number “+442079460018”",
    ]
    summary = import_contacts(service, path, duplicates="add")  # the older name of create
    assert (summary.imported, summary.duplicates) == (4, 0)
    assert count(Contact) == 7


def test_dry_run_checks_everything_and_writes_nothing(service, tmp_path):
    path = write(
        tmp_path / "d.csv",
        "Name,E-mail,Company\nA,a@example.com,New Co\nB,b@,\nA,a@example.com,\n,,\u200b\n",
    )
    summary = import_contacts(service, path, dry_run=True)
    assert (summary.imported, summary.duplicates, summary.rejected) == (2, 1, 1)
    assert summary.text() == (
        "Would import 2 contacts; would skip 1 duplicate; would refuse 1 row; "
        "1 value would be kept in the contacts' notes."
    )
    assert count(Contact) == count(Company) == 0


def test_cancel_stops_between_batches_and_keeps_what_was_written(service, tmp_path):
    rows = "".join(f"Person {n},p{n}@example.com\n" for n in range(25))
    path = write(tmp_path / "many.csv", "Name,E-mail\n" + rows)
    seen = []
    summary = import_contacts(
        service,
        path,
        batch_size=10,
        progress=lambda done, total: seen.append((done, total)),
        cancelled=lambda: len(seen) > 2,
    )
    assert seen == [(0, 25), (10, 25), (20, 25)]
    assert summary.cancelled and summary.imported == 20 == count(Contact)
    assert summary.text().startswith("Cancelled: imported 20 contacts")
    assert "(the contacts imported before the cancel stay)" in summary.text()


# ----- the `import` subcommand ---------------------------------------------------------------


def test_cli_import_exit_codes_and_messages(tmp_path, capsys):
    home = ["--home", str(tmp_path / "ws")]
    good = write(tmp_path / "good.csv", "Name,E-mail\nAnn,ann@example.com\n")
    assert main([*home, "import", str(good), "--dry-run"]) == 0
    assert capsys.readouterr().out == (
        "line 2: would be created: “Ann”\n"
        "Would import 1 contact; would skip 0 duplicates; would refuse 0 rows.\n"
    )
    assert main([*home, "import", str(good)]) == 0
    assert capsys.readouterr().out == "Imported 1 contact; skipped 0 duplicates; refused 0 rows.\n"

    mixed = write(
        tmp_path / "mixed.txt", "Name,E-mail\nAnn,ann@example.com\nBob,bob@\nCy,\n,\n,,x\n"
    )
    assert main([*home, "import", str(mixed), "--format", "csv"]) == 1
    out = capsys.readouterr()
    assert out.err.splitlines() == [
        "line 2: skipped duplicate: the same person as “Ann” (contact 1): "
        "same e-mail “ann@example.com”",
        "line 3: kept in notes: E-mail “bob@”: There must be something after the @-sign",
        "line 6: refused: the row has 3 values but the first line names 2 columns "
        "(a comma in a value without quotes around it?)",
    ]
    assert out.out == (
        "Imported 2 contacts; skipped 1 duplicate; refused 1 row; "
        "1 value kept in the contacts' notes (see above).\n"
    )

    assert main([*home, "import", str(mixed)]) == 2
    assert "Use --format" in capsys.readouterr().err
    binary = tmp_path / "x.json"
    binary.write_bytes(b"\x89PNG\x00\x00")
    assert main([*home, "import", str(binary)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("contacts-tui: x.json is not a text file") and "Nothing was" in err


def test_a_colleague_saves_while_an_import_runs(tmp_path):
    # An import used to drop and re-create the search trigger per batch: a schema change
    # under a colleague's session, whose saves meanwhile failed ("no such table: contact").
    rows = 3000
    lines = ["First Name,Last Name,Company,E-mail Address,Mobile Phone"]
    lines += [
        f"Ann{i},Quirin{i},Firma {i % 50} GmbH,ann{i}@firma{i % 50}.example,+49 30 {1000000 + i}"
        for i in range(rows)
    ]
    path = write(tmp_path / "outlook.csv", "\n".join(lines) + "\n")
    home = tmp_path / "ws"
    assert main(["--home", str(home), "check"]) == 0
    command = [sys.executable, "-m", "contacts_tui", "--home", str(home), "import", str(path)]
    importing = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    from contacts_tui.workspace import open_workspace

    ws = open_workspace(home)
    colleague = ContactService(ws.config, ws.user)
    saved = 0
    while importing.poll() is None:
        colleague.create_contact(f"Colleague {saved}")  # raises if the save fails
        saved += 1
        time.sleep(0.01)
    _, err = importing.communicate()
    assert importing.returncode == 0, err
    assert saved > 3
    assert count(Contact) == rows + saved
    # Every imported contact is in the search index and the word index.
    assert main(["--home", str(home), "check"]) == 0
    found = colleague.list_page(ContactFilter(search="quirin2999")).rows
    assert [r.name for r in found] == ["Ann2999 Quirin2999"]
    assert colleague.list_page(ContactFilter(search="ann1234@firma")).rows[0].name == (
        "Ann1234 Quirin1234"
    )
