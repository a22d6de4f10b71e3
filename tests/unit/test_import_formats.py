"""Files as phones, mail clients and other CRMs write them, and our own exports coming back.

Each file here is written for the test from the formats' specs (RFC 2426, 6350, 7095,
RFC 4180) and the products' documented export columns, one defect of issue 14 each.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from test_import import ARCHIVED, EVERYONE, count, export_file, people, wipe  # noqa: F401

from contacts_tui.cli import main
from contacts_tui.export import export_contacts
from contacts_tui.importer import open_source
from contacts_tui.services import ContactService
from contacts_tui.services.imports import import_contacts
from contacts_tui.store.models import BankAccount, Contact


def write(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def vcard(*lines: str, end: str = "\r\n") -> str:
    return end.join(["BEGIN:VCARD", *lines, "END:VCARD"]) + end


def contacts(service: ContactService) -> dict:
    """name -> ContactDetail of every contact."""
    rows = service.list_page(EVERYONE, limit=1000).rows + service.list_page(ARCHIVED).rows
    return {row.name: service.get_contact(row.id) for row in rows}


def imported(service, path, **options):
    problems = []
    summary = import_contacts(service, path, on_problem=problems.append, **options)
    return summary, problems


# ----- phones ---------------------------------------------------------------------------------


def test_a_national_number_takes_the_country_of_the_cards_address(service, tmp_path):
    text = vcard(
        "VERSION:3.0",
        "FN:Toronto Office",
        "TEL;TYPE=WORK:905-555-1234",
        "TEL;TYPE=WORK,FAX:(416) 810-9897 x752",
        "ADR;TYPE=WORK:;;1 Yonge St;Toronto;ON;M5E 1E6;Canada",
    ) + vcard("VERSION:3.0", "FN:No Address", "TEL:905-555-1234", "EMAIL:na@example.com")
    _summary, problems = imported(service, write(tmp_path / "p.vcf", text))
    found = contacts(service)
    toronto = found["Toronto Office"]
    assert [(p.number, p.type) for p in toronto.phones] == [
        ("+19055551234", "Office"),
        ("+14168109897;ext=752", "Fax"),  # the extension kept, the fax a fax
    ]
    assert toronto.addresses[0].state == "CA-ON"
    # No address and no +: the workspace default (GB) would be a guess: stored as written.
    guessed = found["No Address"]
    assert [p.number for p in guessed.phones] == ["905-555-1234"]
    assert [p.outcome for p in problems] == ["kept"]
    assert "stored as written" in problems[0].reason
    assert "905-555-1234" in guessed.notes


# ----- a contact comes in with every good value -------------------------------------------------


def test_values_that_refused_whole_contacts_before_come_in(service, tmp_path):
    text = vcard(
        "VERSION:3.0",
        "FN:Doe\\, Jane",
        "N:Doe;Jane;;;",
        "EMAIL;TYPE=INTERNET:jane@example.com",
        "EMAIL;TYPE=INTERNET:jane@",
        "TEL;TYPE=CELL:+1 416-810-9897x752",
        "ADR;TYPE=HOME:;;1 Main St\\nApt 4;Berlin;;10115;Deutschland",
        "ADR;TYPE=WORK:;;2 Side St;Springfield;IL;62701;U.S.A.",
        "ADR;TYPE=HOME:;;123 Main St\\nSpringfield\\, IL;;;;USA",
    )
    summary, problems = imported(service, write(tmp_path / "j.vcf", text))
    assert (summary.imported, summary.rejected) == (1, 0)
    jane = contacts(service)["Doe, Jane"]  # FN with a comma is not cut
    assert jane.full_name == ""  # N's Jane Doe is the same name, not a full name of its own
    assert [e.email for e in jane.emails] == ["jane@example.com"]
    assert jane.phones[0].number == "+14168109897;ext=752"
    assert [(a.address, a.country, a.state) for a in jane.addresses] == [
        ("1 Main St, Apt 4", "DE", ""),  # the line break of macOS and Gmail
        ("2 Side St", "US", "US-IL"),
    ]
    # The free-form Gmail address has no zip code: kept in the notes, said so.
    assert sorted(p.reason.split(" ")[0] for p in problems) == ["Address", "E-mail"]
    assert "123 Main St" in jane.notes and "jane@" in jane.notes


@pytest.mark.parametrize(
    ("card", "name"),
    [
        (("FN:", "EMAIL:only.mail@example.com"), "only.mail@example.com"),
        (("N:;;;;", "ORG:Acme Widgets", "EMAIL:x@example.com"), "Acme Widgets"),
        (("N:Smith;Anna;;Dr.;", "EMAIL:anna@example.com"), "Dr. Anna Smith"),
        # iCloud's card of a nickname alone; a phone's of a number alone
        (("N:;;;;", "FN:", "NICKNAME:somenickname", "NOTE:"), "somenickname"),
        (("N:;;;;", "FN:", "TEL;type=CELL:+44 20 7946 0018"), "+44 20 7946 0018"),
    ],
)
def test_the_name_comes_from_fn_else_n_else_org_else_the_email(service, tmp_path, card, name):
    summary, _ = imported(service, write(tmp_path / "n.vcf", vcard("VERSION:3.0", *card)))
    assert summary.imported == 1
    assert name in contacts(service)


def test_strict_refuses_the_contact_whole(service, tmp_path):
    text = vcard("VERSION:3.0", "FN:Jane", "EMAIL:jane@example.com", "EMAIL:jane@")
    summary, problems = imported(service, write(tmp_path / "s.vcf", text), strict=True)
    assert (summary.imported, summary.rejected) == (0, 1)
    assert problems[0].outcome == "refused" and "E-mail “jane@”" in problems[0].reason


# ----- vCard as products write it ---------------------------------------------------------------


def test_vcard_fields_beyond_the_spec_and_the_photo(workspace, tmp_path):
    from contacts_tui.documents import BlobStore

    service = ContactService(workspace.config, workspace.user, blobs=BlobStore(workspace.documents))
    text = vcard(
        "VERSION:3.0",
        "FN:Ana Lima",
        "ORG:Lima Ltd;Research;Lab 2",
        "TITLE:Chief Scientist",
        "NICKNAME:Aninha,Ana",
        "BDAY:1985-04-12",
        "URL:https://lima.example",
        "NOTE:Met at FOSDEM.\\nLikes tea.",
        "PHOTO;ENCODING=b;TYPE=PNG:iVBORw0KGgo=",
        "X-SKYPE:ana.lima",
    )
    _summary, problems = imported(service, write(tmp_path / "a.vcf", text))
    ana = contacts(service)["Ana Lima"]
    assert (ana.job_title, ana.department, ana.nickname) == (
        "Chief Scientist",
        "Research / Lab 2",
        "Aninha",
    )
    assert (ana.birthday, ana.website) == ("1985-04-12", "https://lima.example")
    assert ana.notes.startswith("Met at FOSDEM.\nLikes tea.")
    assert "Skype: ana.lima" in ana.notes  # no field for it: kept, and said so
    assert [(d.file_name, d.size) for d in ana.documents] == [("photo-card-1.png", 8)]
    assert [p.outcome for p in problems] == ["kept"]


def test_vcard_2_1_quoted_printable_groups_and_cr_cr_lf(service, tmp_path):
    text = vcard(
        "VERSION:2.1",
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;",
        "FN;ENCODING=QUOTED-PRINTABLE:J=FCrgen M=FCller",  # 8-bit, no CHARSET
        "TEL;CELL;PREF:+49 151 23456789",
        "TEL;WORK;FAX:+49 30 1234567",
        "ADR;WORK;ENCODING=QUOTED-PRINTABLE:;;Hauptstra=C3=9Fe 1=0D=0A=",
        "Hinterhaus;Berlin;;10115;Germany",
        "item1.EMAIL;type=INTERNET:juergen@example.de",
        "item1.X-ABLabel:_$!<Work>!$_",
        end="\r\r\n",
    ) + vcard("VERSION:2.1", "FN:Broken =E9", "NOTE;ENCODING=QUOTED-PRINTABLE:caf=FF=FE")
    summary, _problems = imported(service, write(tmp_path / "q.vcf", text))
    assert summary.imported == 2 and summary.rejected == 0
    found = contacts(service)
    jurgen = found["Jürgen Müller"]
    assert [(p.number, p.type, p.is_primary) for p in jurgen.phones] == [
        ("+4915123456789", "Mobile", True),
        ("+49301234567", "Fax", False),
    ]
    assert jurgen.addresses[0].address == "Hauptstraße 1, Hinterhaus"
    assert [(e.email, e.type) for e in jurgen.emails] == [("juergen@example.de", "")]


def test_agent_is_left_out_with_a_note_and_the_parent_kept(service, tmp_path):
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Boss Person\r\nEMAIL:boss@example.com\r\n"
        "AGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nFN:Assistant\r\nEND:VCARD\r\n"
        "TEL:+44 20 7946 0018\r\nEND:VCARD\r\n"
    )
    summary, problems = imported(service, write(tmp_path / "agent.vcf", text))
    assert summary.imported == 1
    boss = contacts(service)["Boss Person"]
    assert [p.number for p in boss.phones] == ["+442079460018"]
    assert "AGENT" in boss.notes and "Assistant" not in contacts(service)
    assert problems[0].outcome == "kept"


def test_the_products_housekeeping_is_not_kept_in_notes(service, tmp_path):
    # What Outlook, Apple, Thunderbird and Evolution write on every card, about their
    # own display: kept, it filled every imported contact's notes with XML and codes.
    outlook = vcard(
        "VERSION:2.1",
        "N;LANGUAGE=en-us:Kim;Pat",
        "FN:Pat Kim",
        "ADR;HOME:;;1 Elm St;Springfield;IL;62701;United States of America",
        "ADR;WORK:;;200 Main St;Chicago;IL;60601;United States of America",
        "X-MS-OL-DEFAULT-POSTAL-ADDRESS:2",
        'X-MS-OL-DESIGN;CHARSET=utf-8:<card xmlns="http://schemas.microsoft.com/office/'
        'outlook/12/electronicbusinesscards" ver="1.0" layout="left" bgcolor="ffffff">'
        '<fld xmlns="" prop="name" align="left" dir="ltr" style="b" color="000000" size="10"/>'
        "</card>",
        "X-MOZILLA-HTML:FALSE",
        "X-EVOLUTION-FILE-AS:Kim\\, Pat",
    )
    apple = vcard(
        "VERSION:3.0",
        "N:Sato;Yui;;;",
        "FN:Yui Sato",
        "item1.ADR;type=HOME;type=pref:;;Unter den Linden 5;Berlin;;10117;",
        "item1.X-ABADR:de",
        "X-ADDRESSING-GRAMMAR:ZW5jcnlwdGVkIGdyYW1tYXI=",
        "X-IMAGETYPE:PHOTO",
        "X-SHARED-PHOTO-DISPLAY-PREF:AUTOUPDATE",
        "item2.X-ABRELATEDNAMES;type=pref:Ken Sato",
        "item2.X-ABLabel:_$!<Spouse>!$_",
        "X-PHONETIC-LAST-NAME:サトウ",
    )
    summary, problems = imported(service, write(tmp_path / "n.vcf", outlook + apple))
    assert summary.imported == 2 and summary.rejected == 0
    found = contacts(service)
    pat, yui = found["Pat Kim"], found["Yui Sato"]
    assert pat.notes == ""
    # Outlook's mailing address (2: business) is the primary one.
    assert {a.city: a.is_primary for a in pat.addresses} == {
        "Springfield": False,
        "Chicago": True,
    }
    assert yui.addresses[0].country == "DE"  # the country Apple laid it out for
    assert "Spouse: Ken Sato" in yui.notes
    assert "Phonetic last name: サトウ" in yui.notes
    for gone in ("X-Ab", "Grammar", "Imagetype", "AUTOUPDATE", "Abadr"):
        assert gone not in yui.notes
    assert sorted(str(p) for p in problems if p.outcome == "kept") == sorted(
        str(p) for p in problems if p.ref.startswith("card 2")
    )


def test_google_categories_and_outlook_card_picture(workspace, tmp_path):
    from contacts_tui.documents import BlobStore

    service = ContactService(workspace.config, workspace.user, blobs=BlobStore(workspace.documents))
    google = vcard(
        "VERSION:3.0",
        "FN:Dee Ray",
        "EMAIL;TYPE=INTERNET;TYPE=HOME:dee@example.com",
        "CATEGORIES:myContacts,starred,Customers",
        "X-SOCIALPROFILE;type=twitter:http://twitter.com/dee",
        "X-SOCIALPROFILE;type=pref;type=linkedin:https://www.linkedin.com/in/deeray",
        "X-SOCIALPROFILE:https://example.social/@dee",
    )
    base64_lines = ["X-MS-CARDPICTURE;TYPE=JPEG;ENCODING=BASE64:", " /9j/4AAQSkZJRgAB", ""]
    outlook = vcard("VERSION:2.1", "N:Ho;Al", "FN:Al Ho", *base64_lines, "REV:20230101T120000Z")
    both = vcard("VERSION:2.1", "FN:Cy Li", "PHOTO;TYPE=JPEG;ENCODING=BASE64:", " iVBORw0KGgo=", "",
                 *base64_lines)  # fmt: skip
    summary, _problems = imported(service, write(tmp_path / "m.vcf", google + outlook + both))
    assert summary.imported == 3
    found = contacts(service)
    dee = found["Dee Ray"]
    assert "- Categories: Customers (" in dee.notes and "myContacts" not in dee.notes
    # A social profile under its network's name, as Apple and Google show it.
    assert "Twitter: http://twitter.com/dee" in dee.notes
    assert "LinkedIn: https://www.linkedin.com/in/deeray" in dee.notes
    assert "Social profile: https://example.social/@dee" in dee.notes
    # Outlook's card picture is the contact's photo, once: kept as a document.
    assert [d.file_name for d in found["Al Ho"].documents] == ["photo-card-2.jpg"]
    assert [d.file_name for d in found["Cy Li"].documents] == ["photo-card-3.jpg"]
    assert found["Al Ho"].notes == found["Cy Li"].notes == ""


def test_android_custom_rows(service, tmp_path):
    # Android's vCard 2.1 has no NICKNAME, and writes its relations and events as its
    # own rows: vnd.android.cursor.item/KIND;data1;type;label;…
    text = vcard(
        "VERSION:2.1",
        "N:Kim;Pat;;;",
        "FN:Pat Kim",
        "X-ANDROID-CUSTOM:vnd.android.cursor.item/nickname;Patty;1;;;;;;;;;;;;;",
        "X-ANDROID-CUSTOM:vnd.android.cursor.item/relation;Sam Kim;14;;;;;;;;;;;;;",
        "X-ANDROID-CUSTOM:vnd.android.cursor.item/relation;Jo Doe;0;Mentor;;;;;;;;;;;;",
        "X-ANDROID-CUSTOM:vnd.android.cursor.item/contact_event;2010-06-12;1;;;;;;;;;;;;;",
        "X-ANDROID-CUSTOM:vnd.android.cursor.item/contact_event;1985-02-03;3;;;;;;;;;;;;;",
    )
    summary, _problems = imported(service, write(tmp_path / "android.vcf", text))
    assert summary.imported == 1
    pat = contacts(service)["Pat Kim"]
    assert (pat.nickname, pat.birthday) == ("Patty", "1985-02-03")
    notes = pat.notes.splitlines()
    for kept in ("- Spouse: Sam Kim", "- Mentor: Jo Doe", "- Anniversary: 2010-06-12"):
        assert any(line.startswith(kept) for line in notes), pat.notes
    assert "vnd.android" not in pat.notes


def test_jcard_is_recognised(service, tmp_path):
    card = [
        "vcard",
        [
            ["version", {}, "text", "4.0"],
            ["fn", {}, "text", "Simon Perreault"],
            ["n", {}, "text", ["Perreault", "Simon", "", "", ["ing. jr", "M.Sc."]]],
            ["email", {"type": "work"}, "text", "simon.perreault@viagenie.ca"],
            ["tel", {"type": ["work", "voice"], "pref": "1"}, "uri", "tel:+1-418-656-9254;ext=102"],
            [
                "adr",
                {"type": "work"},
                "text",
                ["", "Suite D2-630", "2875 Laurier", "Quebec", "QC", "G1V 2M2", "Canada"],
            ],
        ],
    ]
    path = write(tmp_path / "simon.json", json.dumps(card))
    assert open_source(path).fmt == "jcard"
    summary, _problems = imported(service, path)
    assert (summary.imported, summary.rejected) == (1, 0)
    simon = contacts(service)["Simon Perreault"]
    assert simon.phones[0].number == "+14186569254;ext=102"
    address = simon.addresses[0]
    assert (address.address, address.city, address.state) == (
        "2875 Laurier, Suite D2-630",  # the extended address is part of the street
        "Quebec",
        "CA-QC",
    )


# ----- CSV as products write it -----------------------------------------------------------------

GOOGLE = (
    "First Name,Middle Name,Last Name,Nickname,Birthday,Notes,Organization Name,"
    "Organization Title,Organization Department,E-mail 1 - Label,E-mail 1 - Value,"
    "E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,"
    "Address 1 - Label,Address 1 - Street,Address 1 - City,Address 1 - PO Box,"
    "Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Labels\n"
    "Ann,,Lee,Annie,1990-01-31,VIP,Acme,CTO,R&D,* Work,ann@acme.example,Home,"
    "ann@home.example ::: ann2@home.example,Mobile,+44 7550 217244,Home,1 Elm Rd,London,"
    "12,,SW1A 1AA,United Kingdom,* myContacts\n"
)
OUTLOOK = (
    "First Name,Middle Name,Last Name,Company,Department,Job Title,Business Street,"
    "Business City,Business State,Business Postal Code,Business Country/Region,"
    "Business Phone,Business Fax,Mobile Phone,E-mail Address,E-mail Type,"
    "E-mail Display Name,E-mail 2 Address,Web Page\n"
    "Bob,,Ray,Fabrikam,Sales,Rep,1 Way,Redmond,WA,98052,United States,"
    "+1 425 555 0100,+1 425 555 0101,+1 206 555 0102,bob@fabrikam.example,SMTP,"
    "Bob Ray (bob@fabrikam.example),bob@home.example,fabrikam.example\n"
)
THUNDERBIRD = (
    "First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,"
    "Screen Name,Work Phone,Home Phone,Fax Number,Pager Number,Mobile Number,"
    "Home Address,Home Address 2,Home City,Home State,Home ZipCode,Home Country,"
    "Job Title,Department,Organization,Web Page 1,Notes\n"
    "Cy,Dee,Cy Dee,,cy@example.org,cy.dee@example.net,,,,,,,"
    "5 Rue Neuve,Bât B,Paris,,75001,France,,,,,\n"
)
HUBSPOT = (
    "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Lifecycle Stage,"
    "Lead Status,Contact owner\n"
    "101,Dan,Fox,dan@fox.example,+1 617 555 0199,Fox Co,Marketing Qualified Lead,New,Sue\n"
)
LINKEDIN = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email '
    'addresses are missing."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Eve,Ng,https://www.linkedin.com/in/eve,,Initech,Engineer,01 Jan 2024\n"
)


def test_google_contacts_csv(service, tmp_path):
    summary, _problems = imported(service, write(tmp_path / "google.csv", GOOGLE))
    assert (summary.imported, summary.rejected) == (1, 0)
    ann = contacts(service)["Ann Lee"]
    assert (ann.company.name, ann.job_title, ann.department, ann.nickname) == (
        "Acme",
        "CTO",
        "R&D",
        "Annie",
    )
    assert [(e.email, e.type, e.is_primary) for e in ann.emails] == [
        ("ann@acme.example", "Business", True),
        ("ann@home.example", "Personal", False),
        ("ann2@home.example", "Personal", False),
    ]
    assert [(p.number, p.type) for p in ann.phones] == [("+447550217244", "Mobile")]
    address = ann.addresses[0]
    assert (address.address, address.city, address.country, address.type) == (
        "1 Elm Rd, PO Box 12",
        "London",
        "GB",
        "Personal",
    )
    assert ann.birthday == "1990-01-31"
    assert ann.notes.startswith("VIP")


def test_outlook_csv(service, tmp_path):
    imported(service, write(tmp_path / "outlook.csv", OUTLOOK, "utf-8-sig"))
    bob = contacts(service)["Bob Ray"]
    assert [e.email for e in bob.emails] == ["bob@fabrikam.example", "bob@home.example"]
    assert [(p.number, p.type) for p in bob.phones] == [
        ("+14255550100", "Office"),
        ("+14255550101", "Fax"),
        ("+12065550102", "Mobile"),
    ]
    address = bob.addresses[0]
    assert (address.address, address.city, address.state, address.zip_code, address.type) == (
        "1 Way",
        "Redmond",
        "US-WA",
        "98052",
        "Office",
    )
    assert (bob.department, bob.job_title, bob.website) == (
        "Sales",
        "Rep",
        "https://fabrikam.example",
    )


_OUTLOOK_COLUMNS = (
    "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,"
    "Business Street,Business Street 2,Business Street 3,Business City,Business State,"
    "Business Postal Code,Business Country/Region,Home Street,Home Street 2,"
    "Home Street 3,Home City,Home State,Home Postal Code,Home Country/Region,"
    "Other Street,Other Street 2,Other Street 3,Other City,Other State,Other Postal Code,"
    "Other Country/Region,Assistant's Phone,Business Fax,Business Phone,Business Phone 2,"
    "Callback,Car Phone,Company Main Phone,Home Fax,Home Phone,Home Phone 2,ISDN,"
    "Mobile Phone,Other Fax,Other Phone,Pager,Primary Phone,Radio Phone,TTY/TDD Phone,"
    "Telex,Account,Anniversary,Assistant's Name,Billing Information,Birthday,"
    "Business Address PO Box,Categories,Children,Directory Server,E-mail Address,"
    "E-mail Type,E-mail Display Name,E-mail 2 Address,E-mail 2 Type,"
    "E-mail 2 Display Name,E-mail 3 Address,E-mail 3 Type,E-mail 3 Display Name,Gender,"
    "Government ID Number,Hobby,Home Address PO Box,Initials,Internet Free Busy,Keywords,"
    "Language,Location,Manager's Name,Mileage,Notes,Office Location,"
    "Organizational ID Number,Other Address PO Box,Priority,Private,Profession,"
    "Referred By,Sensitivity,Spouse,User 1,User 2,User 3,User 4,Web Page"
)
OUTLOOK_HEADER = _OUTLOOK_COLUMNS.split(",")
"""Outlook's own CSV export (File > Open & Export > Import/Export, Comma Separated
Values): every column, every one written, quoted."""


def outlook_row(**values: str) -> str:
    defaults = {
        "Anniversary": "0/0/00",
        "Birthday": "0/0/00",
        "Gender": "Unspecified",
        "Priority": "Normal",
        "Private": "False",
        "Sensitivity": "Normal",
    }
    cells = {**defaults, **values}
    return ",".join(f'"{cells.get(h, "")}"' for h in OUTLOOK_HEADER)


def test_outlook_csv_as_outlook_writes_it(service, tmp_path):
    text = "\r\n".join(
        [
            ",".join(f'"{h}"' for h in OUTLOOK_HEADER),
            outlook_row(
                **{
                    "Title": "Dr.",
                    "First Name": "Lee",
                    "Middle Name": "J.",
                    "Last Name": "Kim",
                    "Suffix": "Jr.",
                    "Company": "Contoso",
                    "Job Title": "Head of Buying",
                    "Business Street": "200 Main St",
                    "Business Street 2": "Floor 3",
                    "Business Street 3": "Suite 300",
                    "Business City": "Chicago",
                    "Business State": "IL",
                    "Business Postal Code": "60601",
                    "Business Country/Region": "United States of America",
                    "Business Address PO Box": "77",
                    "Business Phone": "(312) 555-0100",
                    "E-mail Address": "lee@contoso.example",
                    "E-mail Type": "SMTP",
                    "E-mail Display Name": "Lee Kim (lee@contoso.example)",
                    "Initials": "L.J.K.",
                    "Spouse": "Sam",
                }
            ),
            outlook_row(
                **{
                    "First Name": "Max",
                    "Last Name": "Roe",
                    "E-mail Address": "max@contoso.example",
                    "Birthday": "4/12/1985",
                    "Sensitivity": "Private",
                    "Gender": "Male",
                }
            ),
        ]
    )
    summary, problems = imported(service, write(tmp_path / "outlook.csv", text + "\r\n"))
    assert (summary.imported, summary.rejected) == (2, 0)
    assert [p for p in problems if p.outcome == "kept"] == []  # 0/0/00 is no birthday
    found = contacts(service)
    lee, max_roe = found["Lee Kim"], found["Max Roe"]
    # Title is the courtesy title beside Job Title, not the job (which was dropped).
    assert (lee.full_name, lee.job_title) == ("Dr. Lee J. Kim Jr.", "Head of Buying")
    assert lee.addresses[0].address == "200 Main St, Floor 3, Suite 300, PO Box 77"
    assert lee.birthday == ""
    # Outlook's defaults say nothing; what a person filled in is kept.
    assert lee.notes == "Initials: L.J.K.\nSpouse: Sam"
    # The Windows locale's form, read by the workspace's country (GB: day first).
    assert max_roe.birthday == "1985-12-04"
    assert max_roe.notes == "Gender: Male\nSensitivity: Private"


def test_two_columns_for_one_field_keep_the_second_in_notes(service, tmp_path):
    text = "Name,Company,Organization,Email\nAl Poe,Acme,Acme Holdings,al@acme.example\n"
    imported(service, write(tmp_path / "two.csv", text))
    al = contacts(service)["Al Poe"]
    assert al.company is not None
    assert (al.company.name, al.notes) == ("Acme", "Organization: Acme Holdings")


def test_google_formatted_address(service, tmp_path):
    # Google writes the address on lines beside its parts: the parts are read, and the
    # lines only when there are no parts (a free-form address).
    header = (
        "First Name,Last Name,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,"
        "Address 1 - City,Address 1 - Postal Code,Address 1 - Country\n"
    )
    rows = (
        'Ana,Lima,Work,"Rua Augusta 1\n1100-048 Lisboa\nPT",Rua Augusta 1,Lisboa,1100-048,PT\n'
        'Rui,Sá,Home,"Quinta do Lago\nAlmancil",,,,\n'
    )
    summary, problems = imported(service, write(tmp_path / "g.csv", header + rows))
    assert summary.imported == 2
    found = contacts(service)
    assert found["Ana Lima"].notes == ""
    assert [(a.address, a.city) for a in found["Ana Lima"].addresses] == [
        ("Rua Augusta 1", "Lisboa")
    ]
    # Without a zip code it cannot be an address here: kept whole in the notes, and said.
    assert [p.ref for p in problems if p.outcome == "kept"] == ["line 5"]
    assert "Quinta do Lago, Almancil" in found["Rui Sá"].notes


def test_google_labels_are_kept_without_its_own_groups(service, tmp_path):
    text = (
        "First Name,Last Name,E-mail 1 - Value,Labels\n"
        "Ann,Lee,ann@acme.example,* starred ::: * myContacts ::: Customers ::: VIP\n"
        "Bo,Ng,bo@acme.example,* myContacts\n"
    )
    older = (
        "Name,E-mail 1 - Value,Group Membership\nCy Ho,cy@acme.example,* myContacts ::: Friends\n"
    )
    imported(service, write(tmp_path / "g.csv", text))
    imported(service, write(tmp_path / "old.csv", older))
    found = contacts(service)
    assert found["Ann Lee"].notes == "Labels: Customers, VIP"
    assert found["Bo Ng"].notes == ""
    assert found["Cy Ho"].notes == "Group Membership: Friends"


def test_thunderbird_csv(service, tmp_path):
    imported(service, write(tmp_path / "tb.csv", THUNDERBIRD))
    cy = contacts(service)["Cy Dee"]
    assert [e.email for e in cy.emails] == ["cy@example.org", "cy.dee@example.net"]
    assert (cy.addresses[0].address, cy.addresses[0].country) == ("5 Rue Neuve, Bât B", "FR")


def test_thunderbird_birthday_in_three_columns(service, tmp_path):
    # Thunderbird writes the birthday as Birth Year, Birth Month and Birth Day, and
    # ends its header and rows with a comma.
    text = (
        "First Name,Last Name,Display Name,Primary Email,Job Title,Birth Year,Birth Month,"
        "Birth Day,Custom 1,Notes,\r\n"
        "Cy,Dee,Cy Dee,cy@example.org,Engineer,1980,4,12,,,\r\n"
        "Di,Fox,Di Fox,di@example.org,,,11,3,,,\r\n"
        "Ed,Gray,Ed Gray,ed@example.org,,1975,,,,Met in Lyon,\r\n"
    )
    summary, problems = imported(service, write(tmp_path / "tb.csv", text))
    assert summary.imported == 3 and not [p for p in problems if p.outcome == "kept"]
    found = contacts(service)
    assert [found[n].birthday for n in ("Cy Dee", "Di Fox", "Ed Gray")] == [
        "1980-04-12",
        "--11-03",
        "",
    ]
    assert found["Ed Gray"].notes == "Met in Lyon\nBirth year: 1975"  # not a date: kept


def test_hubspot_lifecycle_stage_is_not_our_stage(service, tmp_path):
    summary, _problems = imported(service, write(tmp_path / "hubspot.csv", HUBSPOT))
    assert (summary.imported, summary.rejected, summary.kept) == (1, 0, 0)
    dan = contacts(service)["Dan Fox"]
    assert dan.stage == "new_lead"
    assert "Lifecycle Stage: Marketing Qualified Lead" in dan.notes
    source = open_source(tmp_path / "hubspot.csv")
    assert any("Lifecycle Stage" in note for note in source.notes)


def test_linkedin_preamble_and_a_semicolon_csv(service, tmp_path):
    _summary, _ = imported(service, write(tmp_path / "Connections.csv", LINKEDIN))
    eve = contacts(service)["Eve Ng"]
    assert (eve.company.name, eve.job_title) == ("Initech", "Engineer")
    assert eve.website == "https://www.linkedin.com/in/eve"
    semicolons = "Name;E-mail;Company\nZoe Ball;zoe@example.com;Ball; Inc\n"
    semicolons = 'Name;E-mail;Company\nZoe Ball;zoe@example.com;"Ball; Inc"\n'
    imported(service, write(tmp_path / "excel-de.csv", semicolons))
    assert contacts(service)["Zoe Ball"].company.name == "Ball; Inc"


def test_map_reads_any_column_as_a_field(service, tmp_path):
    path = write(tmp_path / "odd.csv", "Person,Mail,Employer\nKim Yu,kim@example.com,Yu Co\n")
    _summary, _ = imported(service, path, mapping={"Person": "name", "Employer": "company"})
    kim = contacts(service)["Kim Yu"]
    assert (kim.company.name, [e.email for e in kim.emails]) == ("Yu Co", ["kim@example.com"])


# ----- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "encoding"),
    [
        ("cp1252.csv", "Name,Company\nJosé Müller,Café Crème\n", "cp1252"),
        ("sjis.csv", "Name,Company\n山田 太郎,株式会社テスト商事\n", "shift_jis"),
        ("utf16.csv", "Name,Company\nJosé Müller,Café Crème\n", "utf-16"),
        ("bom.csv", "Name,Company\nJosé Müller,Café Crème\n", "utf-8-sig"),
    ],
)
def test_encodings_are_detected(service, tmp_path, name, text, encoding):
    summary, _ = imported(service, write(tmp_path / name, text, encoding))
    assert (summary.imported, summary.rejected) == (1, 0)
    person, company = text.splitlines()[1].split(",")
    assert contacts(service)[person].company.name == company


# Outlook on Windows writes its CSV export in the system's ANSI code page, no BOM.
OUTLOOK_ANSI_HEADER = (
    "First Name,Middle Name,Last Name,Title,Suffix,Nickname,Given Yomi,Surname Yomi,"
    "E-mail Address,E-mail 2 Address,E-mail 3 Address,Home Phone,Home Phone 2,"
    "Business Phone,Business Phone 2,Mobile Phone,Company,Job Title\r\n"
)


@pytest.mark.parametrize(
    ("rows", "encoding", "names"),
    [
        (  # Western Europe: cp1252, which the detector reads as cp775 as cleanly
            "José,,Müller,,,,,,jose.mueller@example.de,,,,,+49 30 1234567,,,Bräu GmbH,"
            "Einkauf\r\nFrançoise,,Lévesque,,,,,,f.levesque@example.fr,,,,,"
            "+33 1 42 68 53 00,,,Société Générale,Acheteuse\r\n",
            "cp1252",
            {"José Müller", "Françoise Lévesque"},
        ),
    ],
)
def test_an_outlook_export_in_a_windows_code_page_keeps_its_letters(
    service, tmp_path, rows, encoding, names
):
    path = write(tmp_path / "outlook.csv", OUTLOOK_ANSI_HEADER + rows, encoding)
    summary, _ = imported(service, path)
    assert summary.imported == len(names)
    assert set(contacts(service)) == names


@pytest.mark.parametrize(
    ("region", "rows", "encoding", "names"),
    [
        (  # Turkish Windows: cp1254, which reads as cleanly in cp1252 (Ayþe Yýlmaz)
            "TR",
            "Ayşe,,Yılmaz,,,,,,ayse@example.com.tr,,,,,+90 212 555 01 01,,,Doğan Ltd,"
            "Satın alma\r\nŞükrü,,Güneş,,,,,,sukru@example.com.tr,,,,,,,,İzmir AŞ,\r\n",
            "cp1254",
            {"Ayşe Yılmaz", "Şükrü Güneş"},
        ),
        (  # Czech Windows: cp1250
            "CZ",
            "Jiří,,Šťastný,,,,,,jiri@example.cz,,,,,+420 224 000 111,,,Řezník s.r.o.,"
            "Nákup\r\nBožena,,Němcová,,,,,,bozena@example.cz,,,,,,,,Česká pošta,\r\n",
            "cp1250",
            {"Jiří Šťastný", "Božena Němcová"},
        ),
    ],
)
def test_a_file_from_a_windows_of_the_teams_country_is_read_in_its_code_page(
    service, tmp_path, region, rows, encoding, names
):
    local = ContactService(replace(service.config, default_phone_region=region), service.user)
    path = write(tmp_path / "outlook.csv", OUTLOOK_ANSI_HEADER + rows, encoding)
    summary, _ = imported(local, path)
    assert summary.imported == len(names)
    assert set(contacts(local)) == names
    # Said, with words of the file as read, to see it is the right one.
    first, _, last = rows.split(",")[:3]
    assert f"Read as {encoding} text ({first}, {last}, " in "\n".join(summary.notes)


def test_encoding_can_be_given(service, tmp_path):
    path = write(tmp_path / "koi.csv", "Name\nИван Петров\n", "koi8_r")
    imported(service, path, encoding="koi8_r")
    assert "Иван Петров" in contacts(service)


# ----- duplicates are the same person -----------------------------------------------------------


def test_shared_mailbox_and_office_phone_are_not_duplicates(service, tmp_path):
    text = (
        "Name,E-mail,Phone\n"
        "Ann Smith,sales@acme.example,+44 20 7946 0018\n"
        "Bob Jones,sales@acme.example,+44 20 7946 0018\n"
        "A. Smith,sales@acme.example,\n"
    )
    summary, problems = imported(service, write(tmp_path / "team.csv", text))
    assert (summary.imported, summary.duplicates) == (2, 1)
    assert [p.outcome for p in problems] == ["shared", "shared", "skipped"]
    assert "also “Ann Smith” (line 2 of this file)'s" in problems[0].reason


def test_on_duplicate_update_fills_the_saved_contact(service, tmp_path):
    ann = service.create_contact("Ann Smith")
    service.records.add_email(ann.id, "ann@example.com")
    path = write(
        tmp_path / "u.csv",
        "Name,E-mail,Phone,Job Title\nAnn Smith,ann@example.com,+44 20 7946 0018,CFO\n",
    )
    dry, listed = imported(service, path, on_duplicate="update", dry_run=True)
    assert (dry.updated, dry.imported) == (1, 0)
    assert [p.outcome for p in listed] == ["updated"]
    summary, _ = imported(service, path, on_duplicate="update")
    assert (summary.updated, summary.imported, count(Contact)) == (1, 0, 1)
    saved = service.get_contact(ann.id)
    assert saved.job_title == "CFO" and [p.number for p in saved.phones] == ["+442079460018"]
    assert saved.version == ann.version + 1


# ----- our own exports come back whole ----------------------------------------------------------


def test_json_export_is_lossless_and_reimports_identical(people, tmp_path):  # noqa: F811
    ada = next(r for r in people.list_page(limit=10).rows if r.name == "Ada Lovelace")
    detail = people.get_contact(ada.id)
    people.records.add_bank_account(ada.id, "Main", "GB33BUKB20201555555555")
    people.update_contact(
        ada.id, detail.version, job_title="Analyst", birthday="--12-10", notes="Line 1\nLine 2"
    )
    first = export_file(people, tmp_path, "json")
    archived = export_file(people, tmp_path, "json", ARCHIVED)
    wipe()
    for path in (first, archived):
        summary = import_contacts(people, path)
        assert summary.rejected == summary.kept == 0
    assert count(BankAccount) == 1
    again = tmp_path / "again.json"
    export_contacts(people, EVERYONE, fmt="json", path=again)

    def without_ids(path: Path) -> list[dict]:
        # A fresh database numbers them from 1 again; this one goes on from the last.
        return [
            {k: v for k, v in item.items() if k != "id"} for item in json.loads(path.read_text())
        ]

    assert without_ids(again) == without_ids(first)
    assert json.loads(first.read_text())[1]["bank_accounts"] == [
        {"name": "Main", "iban": "GB33BUKB20201555555555", "bic": ""}
    ]


def test_vcard_round_trip_keeps_crm_fields_types_and_uid(people, tmp_path):  # noqa: F811
    first = export_file(people, tmp_path, "vcard")

    def phones() -> dict[str, list[tuple[str, str, bool]]]:
        return {
            name: [(p.number, p.type, p.is_primary) for p in contact.phones]
            for name, contact in contacts(people).items()
            if not contact.archived
        }

    before = phones()
    wipe()
    summary = import_contacts(people, first)
    assert summary.rejected == summary.kept == 0
    assert phones() == before
    # Each number was written as a tel: URI; the scheme is no part of it as written.
    written = [p.typed for c in contacts(people).values() for p in c.phones]
    assert written and all(typed.startswith("+") for typed in written)
    again = tmp_path / "again.vcf"
    export_contacts(people, EVERYONE, fmt="vcard", path=again)
    assert again.read_text() == first.read_text()
    won = contacts(people)['=HYPERLINK("x"), Inc; "quoted"']
    assert (won.stage, won.status) == ("closed_won", "Closed")
    ada = contacts(people)["Ada Lovelace"]
    assert (ada.scoring, ada.segmentation, ada.reason_code) == (90, "Enterprise", "Referral")
    assert [a.name for a in ada.accounts] == ["North", "South"]
    assert [a.type for a in ada.addresses] == ["Billing", "Office"]
    # The same file again: every card is recognised by its UID.
    summary = import_contacts(people, again)
    assert summary.imported == 0 and summary.duplicates == 3


@pytest.mark.parametrize(("fmt", "profile"), [("vcard", ""), ("csv", "google"), ("csv", "outlook")])
def test_states_leave_by_name_and_come_back_as_codes(service, tmp_path, fmt, profile):
    # Another address book shows what it is given: California, not US-CA. Two of
    # Spain's regions are both "La Rioja" (ES-LO, ES-RI): those leave as their codes.
    for name, state, country, city in (
        ("Al Cruz", "US-CA", "US", "Cupertino"),
        ("Bo Diaz", "ES-LO", "ES", "Logroño"),
    ):
        contact = service.create_contact(name)
        service.records.add_address(
            contact.id, address="1 Main St", country=country, state=state, city=city,
            zip_code="95014", locality=city, type="Office",
        )  # fmt: skip
    path = tmp_path / f"out.{'vcf' if fmt == 'vcard' else 'csv'}"
    export_contacts(
        service, EVERYONE, fmt=fmt, path=path, **({"profile": profile} if profile else {})
    )
    text = path.read_text(encoding="utf-8-sig")
    assert "California" in text and "US-CA" not in text
    assert "ES-LO" not in text and "LO" in text
    wipe()
    summary = import_contacts(service, path)
    assert summary.rejected == summary.kept == 0
    states = {n: [a.state for a in c.addresses] for n, c in contacts(service).items()}
    assert states == {"Al Cruz": ["US-CA"], "Bo Diaz": ["ES-LO"]}


def test_google_and_outlook_profiles_read_back_without_a_guard(people, tmp_path):  # noqa: F811
    for profile in ("google", "outlook"):
        path = tmp_path / f"{profile}.csv"
        export_contacts(people, EVERYONE, fmt="csv", path=path, profile=profile)
        text = path.read_text()
        assert "'+" not in text  # no formula guard: Google and Outlook keep it as text
        assert "12 St James's Square" in text and "Am Markt 1" in text
    plain = tmp_path / "plain.csv"
    export_contacts(people, EVERYONE, fmt="csv", path=plain)
    assert "'+44 7550 217244" in plain.read_text()  # a spreadsheet would run +44…
    wipe()
    summary = import_contacts(people, tmp_path / "google.csv")
    assert summary.rejected == 0 and summary.imported == 3
    ada = contacts(people)["Ada Lovelace"]
    assert len(ada.emails) == 2 and len(ada.phones) == 2 and len(ada.addresses) == 2


def test_google_profile_keeps_addresses_beyond_its_columns(people, tmp_path):  # noqa: F811
    ada = contacts(people)["Ada Lovelace"]
    people.records.add_address(
        ada.id, address="1 Calle Mayor", city="Madrid", locality="Sol", zip_code="28013",
        country="ES",
        type="Shipping",
    )  # fmt: skip
    path = tmp_path / "google.csv"
    export_contacts(people, EVERYONE, fmt="csv", path=path, profile="google")
    wipe()
    summary, problems = imported(people, path)
    assert (summary.rejected, summary.kept, problems) == (0, 0, [])
    ada = contacts(people)["Ada Lovelace"]
    assert [(a.address, a.city, a.state, a.zip_code, a.country, a.type) for a in ada.addresses] == [
        ("Am Markt 1, Mitte", "Berlin", "DE-BE", "10178", "DE", "Billing"),
        ("12 St James's Square, St James's", "London", "", "SW1Y 4JH", "GB", "Office"),
        ("1 Calle Mayor, Sol", "Madrid", "", "28013", "ES", "Shipping"),
    ]


def test_google_contacts_one_label_for_several_values(service, tmp_path):
    """Google Contacts puts values sharing a label in one cell, ` ::: ` between."""
    text = (
        "First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,"
        "Phone 1 - Value,Address 1 - Label,Address 1 - Street,Address 1 - City,"
        "Address 1 - Region,Address 1 - Postal Code,Address 1 - Country\n"
        "Jane,Roe,* Work,jane@work.example ::: jr@work.example,Mobile,"
        "+44 7550 217244 ::: +44 7550 217245,Home,"
        '"1 High St ::: 2 Low Rd",London ::: Leeds, ::: ,SW1A 1AA ::: LS1 1AA,'
        "United Kingdom ::: United Kingdom\n"
    )
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    summary, problems = imported(service, path)
    assert (summary.imported, summary.kept) == (1, 0), problems
    jane = contacts(service)["Jane Roe"]
    assert [(e.email, e.type, e.is_primary) for e in jane.emails] == [
        ("jane@work.example", "Business", True),
        ("jr@work.example", "Business", False),
    ]
    assert [(p.number, p.type) for p in jane.phones] == [
        ("+447550217244", "Mobile"),
        ("+447550217245", "Mobile"),
    ]
    assert [(a.address, a.city, a.zip_code, a.type) for a in jane.addresses] == [
        ("1 High St", "London", "SW1A 1AA", "Personal"),
        ("2 Low Rd", "Leeds", "LS1 1AA", "Personal"),
    ]


def test_cli_export_to_standard_output(people, workspace, capsys):  # noqa: F811
    home = ["--home", str(workspace.folder)]
    assert main([*home, "export", "--format", "vcard", "-o", "-"]) == 0
    out = capsys.readouterr()
    assert out.out.count("BEGIN:VCARD") == 3
    assert "3 contacts written" in out.err
    assert "\r" not in out.err  # no progress line when it is not a terminal
    assert not Path("-").exists()
    # A CSV to a script's pipe starts with its header, no byte-order mark.
    assert main([*home, "export", "--format", "csv", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("ID,Name,")


def test_plain_csv_export_reads_back_every_email_phone_and_address(people, tmp_path):  # noqa: F811
    path = tmp_path / "plain.csv"
    export_contacts(people, EVERYONE, fmt="csv", path=path)
    wipe()
    summary = import_contacts(people, path)
    assert (summary.imported, summary.rejected, summary.kept) == (3, 0, 0)
    ada = contacts(people)["Ada Lovelace"]
    assert [e.email for e in ada.emails] == ["ada.home@example.org", "ada@example.com"]
    assert [p.number for p in ada.phones] == ["+447550217244", "+442079460018"]
    assert (ada.addresses[0].address, ada.addresses[0].locality) == ("Am Markt 1", "Mitte")


def test_identical_addresses_of_two_types_and_a_cjk_full_name_survive(service, tmp_path):
    text = vcard(
        "VERSION:4.0",
        "FN:Taro Yamada",
        "N:Yamada;Taro;;;",
        "X-CONTACTS-TUI-FULL-NAME:山田 太郎",
        "ADR;TYPE=billing:;;1-2-3 Ginza;Tokyo;;104-0061;Japan",
        "ADR;TYPE=shipping:;;1-2-3 Ginza;Tokyo;;104-0061;Japan",
    )
    imported(service, write(tmp_path / "t.vcf", text))
    taro = contacts(service)["Taro Yamada"]
    assert taro.full_name == "山田 太郎"
    assert sorted(a.type for a in taro.addresses) == ["Billing", "Shipping"]
    out = tmp_path / "out.vcf"
    export_contacts(service, EVERYONE, fmt="vcard", path=out)
    assert "X-CONTACTS-TUI-FULL-NAME:山田 太郎" in out.read_text()


def test_vcard_4_quoted_type_lists_as_rfc_6350_writes_them(service, tmp_path):
    # RFC 6350's own example card quotes a TYPE list: TYPE="voice,home"; Nextcloud's
    # Contacts (and Huawei's phones) write their vCard 3.0 so too.
    text = vcard(
        "VERSION:4.0",
        "FN:Jane Public",
        'TEL;VALUE=uri;PREF=1;TYPE="voice,home":tel:+1-206-555-0100;ext=5555',
        'TEL;VALUE=uri;TYPE="fax,work":tel:+1-206-555-0102',
        'EMAIL;TYPE="work,pref":jane@example.com',
        "EMAIL:jane@home.example",
    ) + vcard(
        "VERSION:3.0",
        "PRODID:-//Sabre//Sabre VObject 4.3.0//EN",
        "FN:Max Mustermann",
        "ADR;TYPE=HOME:;;;;;;",
        "EMAIL;TYPE=HOME:",
        'TEL;TYPE="CELL,VOICE,pref";VALUE=UNKNOWN:+49 151 23456789',
        'TEL;TYPE="WORK,VOICE":+49 30 1234567',
    )
    imported(service, write(tmp_path / "rfc6350.vcf", text))
    found = contacts(service)
    assert [(p.number, p.type, p.is_primary) for p in found["Max Mustermann"].phones] == [
        ("+4915123456789", "Mobile", True),
        ("+49301234567", "Office", False),
    ]
    jane = found["Jane Public"]
    assert [(p.number, p.type, p.is_primary) for p in jane.phones] == [
        ("+12065550100;ext=5555", "Home", True),
        ("+12065550102", "Fax", False),
    ]
    assert [(e.email, e.type, e.is_primary) for e in jane.emails] == [
        ("jane@example.com", "Business", True),
        ("jane@home.example", "", False),
    ]


def test_vcard_4_properties_kept_under_names_people_know(service, tmp_path):
    # RFC 6350's GENDER is a letter (and an identity after `;`), Outlook's X-WAB-GENDER
    # a number (OlGender: 1 female, 2 male, 0 unspecified); RELATED's TYPE says who.
    text = (
        vcard(
            "VERSION:4.0",
            "FN:Jane Public",
            "GENDER:F",
            "LANG;PREF=1:fr",
            "TZ;VALUE=text:-05:00",
            "GEO:geo:37.386013,-122.082932",
            "RELATED;TYPE=spouse;VALUE=text:John Public",
            "RELATED;TYPE=co-worker;VALUE=text:Ann Roe",
            "URL;TYPE=home:https://jane.example",
            "URL;TYPE=work:https://work.example",
            "CLIENTPIDMAP:1;urn:uuid:3df403f4-5924-4bb7-b077-3c711d9eb34b",
        )
        + vcard("VERSION:4.0", "FN:Alex Roe", "GENDER:O;intersex")
        + vcard("VERSION:4.0", "FN:Sam Roe", "GENDER:U")
        + vcard("VERSION:2.1", "N:Kim;Pat", "FN:Pat Kim", "X-WAB-GENDER:2")
        + vcard("VERSION:2.1", "N:Kim;Lou", "FN:Lou Kim", "X-WAB-GENDER:0")
    )
    imported(service, write(tmp_path / "v4.vcf", text))
    found = contacts(service)
    jane = found["Jane Public"]
    kept = [line.split(" (")[0] for line in jane.notes.splitlines() if line.startswith("- ")]
    assert kept == [
        "- Gender: Female",
        "- Language: fr",
        "- Time zone: -05:00",
        "- Geographic position: geo:37.386013,-122.082932",
        "- Spouse: John Public",
        "- Co-worker: Ann Roe",
        "- Website: https://work.example",  # the first is the website
    ]
    assert "Gender: Other (intersex)" in found["Alex Roe"].notes
    assert "Gender: Male" in found["Pat Kim"].notes
    assert found["Sam Roe"].notes == found["Lou Kim"].notes == ""  # unknown, unspecified


def test_an_address_given_only_as_its_printed_label_is_kept(service, tmp_path):
    # vCard 2.1 and 3.0 have a LABEL property (the address as printed on an envelope),
    # vCard 4.0 a LABEL parameter of ADR; a card may give the address only so.
    text = (
        vcard(
            "VERSION:4.0",
            "FN:Jane Public",
            'ADR;TYPE=work;LABEL="123 Main Street\\nAny Town, CA 91921\\nU.S.A.":;;;;;;',
        )
        + vcard("VERSION:3.0", "FN:Ann Roe", "LABEL;TYPE=HOME:1 Elm St\\nSpringfield\\, IL 62701")
        + vcard(
            "VERSION:2.1",
            "FN:Pat Kim",
            "ADR;HOME:;;3247 Upton Avenue N;Minneapolis;MN;55412;United States of America",
            "LABEL;HOME;ENCODING=QUOTED-PRINTABLE:3247 Upton Avenue N=0D=0A=",
            "Minneapolis, MN 55412",
        )
    )
    text += vcard(  # a home ADR, and the work address as printed alone
        "VERSION:3.0",
        "FN:Kit Roe",
        "ADR;TYPE=HOME:;;1 Elm St;Springfield;IL;62701;USA",
        "LABEL;TYPE=HOME:1 Elm St\\nSpringfield\\, IL 62701",
        "LABEL;TYPE=WORK:2 Oak Ave\\nSpringfield\\, IL 62702",
    )
    _summary, problems = imported(service, write(tmp_path / "label.vcf", text))
    found = contacts(service)
    assert "Address: 123 Main Street / Any Town, CA 91921 / U.S.A." in found["Jane Public"].notes
    assert "Address: 1 Elm St / Springfield, IL 62701" in found["Ann Roe"].notes
    kit = found["Kit Roe"]
    assert [a.address for a in kit.addresses] == ["1 Elm St"]
    assert "Address: 2 Oak Ave / Springfield, IL 62702" in kit.notes
    assert "1 Elm St /" not in kit.notes
    assert [p.ref.split(" ")[1] for p in problems] == ["1", "2", "4"]  # each said so
    pat = found["Pat Kim"]  # its LABEL only prints its ADR again
    assert [a.city for a in pat.addresses] == ["Minneapolis"]
    assert pat.notes == ""


def test_vcard_2_1_base64_lines_without_indent_end_at_a_blank_line(workspace, tmp_path):
    # vCard 2.1 (section 2.1.3) folds only at white space, which base64 has none of:
    # its lines follow unindented, and a blank line ends the value (older phones').
    from contacts_tui.documents import BlobStore

    service = ContactService(workspace.config, workspace.user, blobs=BlobStore(workspace.documents))
    text = vcard(
        "VERSION:2.1",
        "N:Virtanen;Aino",
        "PHOTO;ENCODING=BASE64;TYPE=PNG:iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lE",
        "QVR4nGNgYAAAAAMAAWgmWQ0AAAAASUVORK5CYII=",
        "",
        "TEL;CELL:+358 40 555 0100",
    )
    summary, _problems = imported(service, write(tmp_path / "nokia.vcf", text))
    assert (summary.imported, summary.rejected) == (1, 0)
    aino = contacts(service)["Aino Virtanen"]
    assert [p.number for p in aino.phones] == ["+358405550100"]
    assert [(d.file_name, d.size) for d in aino.documents] == [("photo-card-1.png", 68)]


def test_a_trailing_delimiter_is_no_column_to_report(service, tmp_path):
    # Thunderbird (and Excel) end every line with the delimiter: a last column with no
    # name and, mostly, no value. One that holds a value still keeps it.
    text = (
        "First Name,Last Name,Primary Email,Notes,\n"
        "Cy,Dee,cy@example.org,Met in Lyon,\n"
        "Al,Roe,al@example.org,,stray value\n"
    )
    source = open_source(write(tmp_path / "tb.csv", text))
    assert not any("kept in each contact's notes" in note for note in source.notes)
    imported(service, source.path)
    found = contacts(service)
    assert found["Cy Dee"].notes == "Met in Lyon"
    assert found["Al Roe"].notes == "Column 5: stray value"


def test_phone_exports_framing_a_bom_lower_case_and_no_last_line_end(service, tmp_path):
    # What phones' exports start and end with: a byte-order mark, lower-case BEGIN and
    # END, spaces after END:VCARD, no line end after the last card, N of one part.
    text = (
        "\ufeffbegin:vcard\nversion:2.1\nN:Mama\nTEL;CELL:+49 151 11111111\nend:vcard  \n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nEMAIL:ann@example.com\nEND:VCARD"
    )
    summary, _problems = imported(service, write(tmp_path / "phone.vcf", text))
    assert (summary.imported, summary.rejected) == (2, 0)
    found = contacts(service)
    assert [p.number for p in found["Mama"].phones] == ["+4915111111111"]
    assert [e.email for e in found["Ann Lee"].emails] == ["ann@example.com"]


def test_a_line_break_the_writer_did_not_escape_goes_on_the_value(service, tmp_path):
    # Some exporters write a note's line breaks as they are, not as \n: the line after
    # has no colon, and is the note's next line (the card was refused whole). After
    # another property such a line is a broken one (test_import's broken vCard).
    text = vcard(
        "VERSION:3.0",
        "FN:Ann Lee",
        "NOTE:Met at the fair",
        "Likes tea",
        "EMAIL:ann@example.com",
    )
    summary, _problems = imported(service, write(tmp_path / "crm.vcf", text))
    assert (summary.imported, summary.rejected) == (1, 0)
    ann = contacts(service)["Ann Lee"]
    assert (ann.notes, [e.email for e in ann.emails]) == (
        "Met at the fair\nLikes tea",
        ["ann@example.com"],
    )


def test_an_address_kept_in_the_notes_names_its_city_once(service, tmp_path):
    text = vcard(
        "VERSION:3.0", "FN:Ann Example", "ADR;TYPE=HOME:;;1 Main St;Springfield;;;Atlantis"
    )
    summary, problems = imported(service, write(tmp_path / "a.vcf", text))
    assert summary.imported == 1
    (problem,) = problems
    assert "“1 Main St; Springfield; Atlantis; Personal”" in str(problem)
    assert "- Address: 1 Main St; Springfield; Atlantis; Personal (" in (
        contacts(service)["Ann Example"].notes
    )


def test_a_numbers_extension_in_a_csv_cell_stays_with_it(service, tmp_path):
    # Our plain export writes other numbers as `+14168109897;ext=752; +442079460018`, and
    # phones export a wait before an extension as `;456`: neither `;` starts a number.
    sam = service.create_contact("Sam Roe")
    for number in ("+1 206-555-0100", "+1 416-810-9897 ext. 752", "+44 20 7946 0018"):
        service.records.add_phone(sam.id, number)
    path = tmp_path / "plain.csv"
    export_contacts(service, EVERYONE, fmt="csv", path=path)
    assert "+14168109897;ext=752; +442079460018" in path.read_text("utf-8-sig")
    waits = write(tmp_path / "waits.csv", 'Name,Phone\nAnn Lee,"+1 206-555-0101;456"\n')
    wipe()
    for file in (path, waits):
        summary, problems = imported(service, file)
        assert (summary.imported, problems) == (1, [])
    numbers = {n: [p.number for p in c.phones] for n, c in contacts(service).items()}
    assert numbers == {
        "Sam Roe": ["+12065550100", "+14168109897;ext=752", "+442079460018"],
        "Ann Lee": ["+12065550101;ext=456"],
    }
