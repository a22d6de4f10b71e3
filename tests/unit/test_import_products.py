"""Files as more products write them: Yahoo Mail, Salesforce and Zoho CSVs, Outlook's
other phones, Google's relations and custom fields, Apple's birthdays without a year and
its group cards. Each file is written for the test from the product's documented shape."""

from __future__ import annotations

from test_import_formats import contacts, imported, vcard, write

from contacts_tui.importer import open_source


def test_yahoo_csv_reads_names_phones_second_email_and_zip(service, tmp_path):
    header = (
        '"First","Middle","Last","Email","Category","Messenger ID","Home","Work","Mobile",'
        '"Yahoo Phone","Alternate Email 1","Company","Work Address","Work City",'
        '"Work State","Work ZIP","Work Country","Comments"'
    )
    row = (
        '"Pat","Q","Kim","pat@example.com","Friends","","(416) 555-0101","(416) 555-0102",'
        '"(416) 555-0103","","pk@example.org","Acme","1 Main St","Toronto","ON",'
        '"M5V 2T6","Canada","Met at the fair"'
    )
    imported(service, write(tmp_path / "yahoo.csv", f"{header}\n{row}\n"))
    pat = contacts(service)["Pat Kim"]  # not named after the company
    assert pat.company.name == "Acme"
    assert [e.email for e in pat.emails] == ["pat@example.com", "pk@example.org"]
    assert [(p.number, p.type) for p in pat.phones] == [
        ("+14165550101", "Home"),
        ("+14165550102", "Office"),
        ("+14165550103", "Mobile"),
    ]
    assert [(a.zip_code, a.country) for a in pat.addresses] == [("M5V 2T6", "CA")]
    assert pat.notes == "Met at the fair\nCategory: Friends"


def test_salesforce_csv_reads_account_mailing_address_and_salutation(service, tmp_path):
    text = (
        "Salutation,First Name,Last Name,Title,Account Name,Mailing Street,Mailing City,"
        "Mailing State/Province,Mailing Zip/Postal Code,Mailing Country,Phone,Email,Description\n"
        "Ms.,Ana,Lopez,VP Sales,Globex Corp,500 Market St,San Francisco,CA,94105,"
        "United States,(415) 555-0100,ana@example.com,Met at the fair\n"
    )
    _summary, problems = imported(service, write(tmp_path / "salesforce.csv", text))
    ana = contacts(service)["Ana Lopez"]
    assert ana.full_name == "Ms. Ana Lopez"
    assert ana.company.name == "Globex Corp"
    assert [(a.address, a.city, a.state, a.zip_code, a.country) for a in ana.addresses] == [
        ("500 Market St", "San Francisco", "US-CA", "94105", "US")
    ]
    # The address says US: the national number is American, not refused as British.
    assert [p.number for p in ana.phones] == ["+14155550100"]
    assert ana.notes == "Met at the fair"
    assert problems == []


def test_outlook_primary_phone_car_phone_and_other_fax(service, tmp_path):
    text = (
        "First Name,Last Name,E-mail Address,Home Phone,Mobile Phone,Car Phone,Other Fax,"
        "Primary Phone,Pager\n"
        "Sam,Roe,sam@example.com,+1 206 555 0100,+1 206 555 0199,+1 206 555 0111,"
        "+1 206 555 0133,+1 206 555 0199,+1 206 555 0122\n"
        "Kit,Roe,kit@example.com,+1 206 555 0200,,,,+1 206 555 0300,\n"
    )
    imported(service, write(tmp_path / "outlook.csv", text))
    found = contacts(service)
    sam = found["Sam Roe"]
    assert [(p.number, p.type, p.is_primary) for p in sam.phones] == [
        ("+12065550199", "Mobile", True),  # Outlook's Primary Phone is this one
        ("+12065550100", "Home", False),
        ("+12065550111", "Mobile", False),
        ("+12065550133", "Fax", False),
    ]
    assert sam.notes == "Pager: +1 206 555 0122"
    kit = found["Kit Roe"]
    assert [(p.number, p.is_primary) for p in kit.phones] == [
        ("+12065550300", True),  # a primary number of its own
        ("+12065550200", False),
    ]


def test_apple_birthday_without_a_year_is_a_day_and_month(service, tmp_path):
    text = vcard(
        "VERSION:3.0",
        "FN:Ken Ito",
        "BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-15",
        "item1.X-ABDATE;type=pref;X-APPLE-OMIT-YEAR=1604:1604-06-01",
        "item1.X-ABLabel:_$!<Anniversary>!$_",
    ) + vcard("VERSION:3.0", "FN:Ann Ito", "BDAY;value=date:1980-03-15")
    imported(service, write(tmp_path / "apple.vcf", text))
    found = contacts(service)
    ken = found["Ken Ito"]
    assert ken.birthday == "--03-15"  # not born in 1604
    assert "Anniversary: --06-01" in ken.notes
    assert found["Ann Ito"].birthday == "1980-03-15"


def test_group_cards_of_apple_and_vcard_4_are_not_people(service, tmp_path):
    text = (
        vcard("VERSION:3.0", "FN:Ken Ito", "EMAIL:ken@example.com", "UID:ken-1")
        + vcard(
            "VERSION:3.0",
            "N:Friends",
            "FN:Friends",
            "X-ADDRESSBOOKSERVER-KIND:group",
            "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:ken-1",
        )
        + vcard("VERSION:4.0", "KIND:group", "FN:Team", "MEMBER:urn:uuid:ken-1")
    )
    path = write(tmp_path / "icloud.vcf", text)
    source = open_source(path)
    assert source.total == 1
    note = "2 cards are groups of contacts, not people: left out (Friends, Team)."
    assert note in source.notes
    _summary, problems = imported(service, path)
    assert sorted(contacts(service)) == ["Ken Ito"]
    assert problems == []


def test_google_relations_events_custom_fields_and_ims_keep_their_labels(service, tmp_path):
    text = (
        "First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,Relation 1 - Label,"
        "Relation 1 - Value,Event 1 - Label,Event 1 - Value,Custom Field 1 - Label,"
        "Custom Field 1 - Value,IM 1 - Label,IM 1 - Service,IM 1 - Value,"
        "Relation 2 - Label,Relation 2 - Value\n"
        "Mia,Chen,* Home,mia@example.com,Spouse,Wei Chen,Anniversary,2010-06-01,"
        "Customer ID,C-1234,Work,Skype,mia.chen,,Ada Chen\n"
    )
    source = open_source(write(tmp_path / "google.csv", text))
    assert not any("Relation" in note for note in source.notes)  # read, not unknown
    imported(service, source.path)
    assert contacts(service)["Mia Chen"].notes == (
        "Spouse: Wei Chen\nAnniversary: 2010-06-01\nCustomer ID: C-1234\n"
        "Skype (Work): mia.chen\nRelation: Ada Chen"
    )


def test_evolution_kde_thunderbird_android_properties_under_names_people_know(service, tmp_path):
    text = (
        vcard(
            "VERSION:3.0",
            "FN:Marco Rossi",
            "X-EVOLUTION-BLOG-URL:https://marco.example/blog",
            "FBURL:https://marco.example/fb",
            "TEL;X-EVOLUTION-UI-SLOT=1;TYPE=CELL:+39 333 555 0101",
            "X-EVOLUTION-E164:+393335550101,,",
        )
        + vcard(
            "VERSION:3.0",
            "FN:Hans Meyer",
            "X-KADDRESSBOOK-X-Profession:Physicist",
            "X-KADDRESSBOOK-OPENPGPFP:ABCDEF0123456789",
            "X-KADDRESSBOOK-CRYPTOENCRYPTPREF:always",
        )
        + vcard("VERSION:4.0", "FN:Tina Berg", "X-CUSTOM1;VALUE=TEXT:Kundennummer 42")
        + vcard("VERSION:2.1", "FN:Ayla Kaya", "X-SIP:ayla@sip.example")
    )
    imported(service, write(tmp_path / "apps.vcf", text))
    found = contacts(service)
    marco = found["Marco Rossi"].notes
    assert "Blog: https://marco.example/blog" in marco
    assert "Free/busy: https://marco.example/fb" in marco
    assert "E164" not in marco  # the TEL's number again, which is read
    hans = found["Hans Meyer"].notes
    assert "Profession: Physicist" in hans
    assert "OpenPGP fingerprint: ABCDEF0123456789" in hans
    assert "always" not in hans  # how KMail encrypts to them: KMail's setting
    assert "Custom 1: Kundennummer 42" in found["Tina Berg"].notes
    assert "SIP address: ayla@sip.example" in found["Ayla Kaya"].notes


def test_evolution_phone_types_and_the_assistants_number(service, tmp_path):
    text = vcard(
        "VERSION:3.0",
        "FN:Marco Rossi",
        "TEL;X-EVOLUTION-UI-SLOT=1;TYPE=X-EVOLUTION-ASSISTANT:+39 02 5555 0103",
        "TEL;X-EVOLUTION-UI-SLOT=2;TYPE=X-EVOLUTION-COMPANY:+39 02 5555 0100",
        "TEL;X-EVOLUTION-UI-SLOT=3;TYPE=CAR:+39 333 555 0101",
    )
    imported(service, write(tmp_path / "evolution.vcf", text))
    marco = contacts(service)["Marco Rossi"]
    # The assistant's number is not the person's own (nor their primary one).
    assert [(p.number, p.type, p.is_primary) for p in marco.phones] == [
        ("+390255550100", "Office", True),
        ("+393335550101", "Mobile", False),
    ]
    assert "Assistant's phone: +39 02 5555 0103" in marco.notes


def test_macos_assistant_phone_label_is_the_assistants_number(service, tmp_path):
    text = vcard(
        "VERSION:3.0",
        "FN:Jim Roe",
        "item1.TEL:+1 905 555 0122",
        "item1.X-ABLabel:AssistantPhone",
        "TEL;type=WORK:+1 905 555 0100",
    )
    imported(service, write(tmp_path / "mac.vcf", text))
    jim = contacts(service)["Jim Roe"]
    assert [(p.number, p.is_primary) for p in jim.phones] == [("+19055550100", True)]
    assert "Assistant's phone: +1 905 555 0122" in jim.notes


def test_mailchimp_address_birthday_and_its_own_columns(service, tmp_path):
    text = (
        "Email Address,First Name,Last Name,Address,Phone Number,Birthday,MEMBER_RATING,"
        "OPTIN_TIME,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,"
        "LEID,EUID,NOTES\n"
        'eve@example.com,Eve,Stone,"12 Elm St  Unit 4  Springfield  IL  62701  US",'
        "(217) 555-0100,06/15,2,2023-01-02 03:04:05,39.78,-89.65,-6,-5,America/Chicago,"
        "US,MO,2024-01-01 00:00:00,123456789,abc123def,Met at the fair\n"
    )
    _summary, problems = imported(service, write(tmp_path / "mailchimp.csv", text))
    eve = contacts(service)["Eve Stone"]
    assert [(a.address, a.city, a.state, a.zip_code, a.country) for a in eve.addresses] == [
        ("12 Elm St, Unit 4", "Springfield", "US-IL", "62701", "US")  # not the IP's MO
    ]
    assert [p.number for p in eve.phones] == ["+12175550100"]
    assert eve.birthday == "--06-15"
    assert eve.notes.startswith("Met at the fair\nMEMBER_RATING: 2\nOPTIN_TIME: 2023-01-02")
    for housekeeping in ("LEID", "EUID", "LATITUDE", "GMTOFF", "LAST_CHANGED", "REGION"):
        assert housekeeping not in eve.notes
    assert problems == []


def test_an_address_with_a_region_not_on_the_list_is_kept_without_it(service, tmp_path):
    text = vcard(
        "VERSION:3.0",
        "FN:Liam Byrne",
        "ADR;TYPE=HOME:;;4 Quay St;Berlin;Greater Berlinshire;10115;Germany",
    )
    _summary, problems = imported(service, write(tmp_path / "region.vcf", text))
    liam = contacts(service)["Liam Byrne"]
    assert [(a.address, a.city, a.state, a.zip_code, a.country) for a in liam.addresses] == [
        ("4 Quay St", "Berlin", "", "10115", "DE")
    ]
    assert [p.outcome for p in problems] == ["kept"]  # the state, said so
    assert "State: Greater Berlinshire" in liam.notes


def test_irish_and_british_counties_written_with_co_or_county(service, tmp_path):
    text = (
        "Name,E-mail 1 - Value,Address 1 - Street,Address 1 - City,Address 1 - Region,"
        "Address 1 - Postal Code,Address 1 - Country\n"
        "Liam Byrne,liam@example.ie,4 Quay St,Galway,Co. Galway,H91 X2Y3,Ireland\n"
        "Ann Hall,ann@example.co.uk,1 Market Pl,Durham,County Durham,DH1 3NJ,United Kingdom\n"
    )
    _summary, problems = imported(service, write(tmp_path / "google.csv", text))
    found = contacts(service)
    assert [a.state for a in found["Liam Byrne"].addresses] == ["IE-G"]
    assert [a.state for a in found["Ann Hall"].addresses] == ["GB-DUR"]
    assert problems == []


def test_proton_mail_settings_and_old_nokia_sync_numbers_stay_out_of_the_notes(service, tmp_path):
    text = vcard(
        "VERSION:4.0",
        "FN:Noor Haddad",
        "ITEM1.EMAIL;PREF=1:noor@example.com",
        "ITEM1.X-PM-ENCRYPT:true",
        "ITEM1.X-PM-SIGN:true",
        "ITEM1.X-PM-SCHEME:pgp-mime",
        "ITEM1.X-PM-MIMETYPE:text/plain",
        "ITEM1.KEY;PREF=1:data:application/pgp-keys;base64,xjMEZabc",
    ) + vcard(
        "VERSION:2.1",
        "N:Virtanen;Aino",
        "TEL;CELL:+358 40 555 0100",
        "X-IRMC-LUID:000100000123",
        "X-EPOCSECONDNAME:Ainoska",
    )
    imported(service, write(tmp_path / "proton.vcf", text))
    found = contacts(service)
    noor = found["Noor Haddad"].notes
    assert "Public key: data:application/pgp-keys;base64,xjMEZabc" in noor
    assert "pgp-mime" not in noor and "X-Pm" not in noor
    aino = found["Aino Virtanen"]
    assert (aino.nickname, aino.notes) == ("Ainoska", "")


def test_pipedrive_people_export(service, tmp_path):
    # Pipedrive's export names each column by its record: `Person - Email - Work`.
    text = (
        "Person - ID,Person - Name,Person - First name,Person - Last name,Person - Label,"
        "Person - Organization,Person - Email - Work,Person - Email - Home,"
        "Person - Email - Other,Person - Phone - Work,Person - Phone - Mobile,"
        "Person - Owner,Person - Person created,Person - Update time,"
        "Person - Marketing status,Organization - Name,Organization - Address,Deal - Title\n"
        "17,Ana Lopez,Ana,Lopez,Hot lead,Globex Corp,ana@globex.example,ana@home.example,,"
        "+1 415 555 0100,+1 415 555 0199,Sue Park,2024-01-02 10:00:00,2024-02-03 11:00:00,"
        'Subscribed,Globex Corp,"500 Market St, San Francisco, CA 94105, USA",Renewal 2024\n'
    )
    _summary, problems = imported(service, write(tmp_path / "people.csv", text))
    ana = contacts(service)["Ana Lopez"]
    assert ana.company.name == "Globex Corp"
    assert ana.job_title == ""  # a deal's title is not the person's
    assert [(e.email, e.type) for e in ana.emails] == [
        ("ana@globex.example", "Business"),
        ("ana@home.example", "Personal"),
    ]
    assert [(p.number, p.type) for p in ana.phones] == [
        ("+14155550100", "Office"),
        ("+14155550199", "Mobile"),
    ]
    assert ana.notes == (
        "Person - Label: Hot lead\nPerson - Owner: Sue Park\n"
        "Person - Marketing status: Subscribed\n"
        "Organization - Address: 500 Market St, San Francisco, CA 94105, USA\n"
        "Deal - Title: Renewal 2024"
    )
    assert problems == []


def test_samsung_custom_labels_name_the_type(service, tmp_path):
    # Samsung's phones write a label the person typed in the parameter itself, its
    # bytes quoted-printable: X-CUSTOM(CHARSET=UTF-8,ENCODING=QUOTED-PRINTABLE,…).
    custom = "X-CUSTOM(CHARSET=UTF-8,ENCODING=QUOTED-PRINTABLE,"
    text = vcard(
        "VERSION:2.1",
        "N:Kaya;Ayla;;;",
        "FN:Ayla Kaya",
        "TEL;CELL:+49 151 23456789",
        f"TEL;{custom}=4F=66=66=69=63=65):+49 30 1234567",
        f"TEL;{custom}=42=C3=BC=72=6F=20=32):+49 30 7654321",
        f"EMAIL;{custom}=42=69=6C=6C=69=6E=67):invoices@kaya.example",
    )
    _summary, problems = imported(service, write(tmp_path / "samsung.vcf", text))
    ayla = contacts(service)["Ayla Kaya"]
    assert [(p.number, p.type) for p in ayla.phones] == [
        ("+4915123456789", "Mobile"),
        ("+49301234567", "Office"),
        ("+49307654321", ""),  # Büro 2: no such type on the list, said and kept
    ]
    assert [(e.email, e.type) for e in ayla.emails] == [("invoices@kaya.example", "Billing")]
    assert [p.reason for p in problems] == [
        "Phone label “Büro 2 (+49 30 7654321)”: not one of this workspace's phone types"
    ]
    assert "- Phone label: Büro 2 (+49 30 7654321)" in ayla.notes


def test_a_label_of_the_persons_own_is_kept_beside_its_value(service, tmp_path):
    # Apple's and Google's labels a person typed: the value goes in, its label is said.
    text = vcard(
        "VERSION:3.0",
        "FN:Coach Test",
        "item1.TEL:+1 415 555 0100",
        "item1.X-ABLabel:Soccer coach",
        "item2.EMAIL;type=INTERNET:coach@example.com",
        "item2.X-ABLabel:club",
        "item3.TEL:+1 415 555 0101",
        "item3.X-ABLabel:_$!<Mobile>!$_",
    )
    summary, problems = imported(service, write(tmp_path / "apple.vcf", text))
    assert summary.imported == 1
    coach = contacts(service)["Coach Test"]
    assert [(p.number, p.type) for p in coach.phones] == [
        ("+14155550100", ""),
        ("+14155550101", "Mobile"),
    ]
    assert sorted(p.reason.split("”")[0] for p in problems) == [
        "E-mail label “club (coach@example.com)",
        "Phone label “Soccer coach (+1 415 555 0100)",
    ]
    assert "Soccer coach (+1 415 555 0100)" in coach.notes
    assert "club (coach@example.com)" in coach.notes


def test_apple_instant_messaging_keeps_its_service(service, tmp_path):
    # macOS and iCloud name the service in X-SERVICE-TYPE; the value's scheme may be
    # another (Facebook's chat was XMPP), and a group's label says only Other.
    text = vcard(
        "VERSION:3.0",
        "FN:John Smith",
        "IMPP;X-SERVICE-TYPE=Skype;type=HOME;type=pref:skype:johnsmith",
        "item1.IMPP;X-SERVICE-TYPE=Facebook:xmpp:johnsmith",
        "item1.X-ABLabel:_$!<Other>!$_",
        "IMPP:xmpp:john@jabber.example",
    )
    imported(service, write(tmp_path / "icloud.vcf", text))
    notes = contacts(service)["John Smith"].notes
    kept = [line.split(" (no field")[0] for line in notes.splitlines()]
    assert kept[1:] == [
        "- Skype: skype:johnsmith",
        "- Facebook (Other): xmpp:johnsmith",
        "- Instant messaging: xmpp:john@jabber.example",
    ]


_GERMAN_OUTLOOK = (
    "Anrede,Vorname,Weitere Vornamen,Nachname,Suffix,Firma,Abteilung,Position,"
    "Straße geschäftlich,Straße geschäftlich 2,Straße geschäftlich 3,Ort geschäftlich,"
    "Region geschäftlich,Postleitzahl geschäftlich,Land/Region geschäftlich,Straße privat,"
    "Straße privat 2,Straße privat 3,Ort privat,Bundesland/Kanton privat,Postleitzahl privat,"
    "Land/Region privat,Weitere Straße,Weitere Straße 2,Weitere Straße 3,Weiterer Ort,"
    "Weiteres/r Bundesland/Kanton,Weitere Postleitzahl,Weiteres/e Land/Region,"
    "Telefon Assistent,Fax geschäftlich,Telefon geschäftlich,Telefon geschäftlich 2,"
    "Rückmeldung,Autotelefon,Telefon Firma,Fax privat,Telefon privat,Telefon privat 2,ISDN,"
    "Mobiltelefon,Weiteres Fax,Weiteres Telefon,Pager,Haupttelefon,Mobiltelefon 2,"
    "Telefon für Hörbehinderte,Telex,Abrechnungsinformation,Benutzer 1,Benutzer 2,"
    "Benutzer 3,Benutzer 4,Beruf,Büro,E-Mail-Adresse,E-Mail-Typ,E-Mail: Angezeigter Name,"
    "E-Mail 2: Adresse,E-Mail 2: Typ,E-Mail 2: Angezeigter Name,E-Mail 3: Adresse,"
    "E-Mail 3: Typ,E-Mail 3: Angezeigter Name,Empfohlen von,Geburtstag,Geschlecht,Hobby,"
    "Initialen,Internet-Frei/Gebucht,Jahrestag,Kategorien,Kinder,Konto,Name Assistent,"
    "Name des/der Vorgesetzten,Notizen,Organisationsnr.,Ort,Partner,Postfach geschäftlich,"
    "Postfach privat,Priorität,Privat,Regierungsnr.,Reisekilometer,Sprache,Stichwörter,"
    "Vertraulichkeit,Verzeichnisserver,Webseite,Weiteres Postfach"
)
GERMAN_OUTLOOK_HEADER = _GERMAN_OUTLOOK.split(",")
"""A German Outlook's CSV export: Outlook's columns under its German names."""


def test_german_outlook_csv(service, tmp_path):
    defaults = {
        "Geburtstag": "0.0.00",
        "Jahrestag": "0.0.00",
        "Geschlecht": "Keine Angabe",
        "Priorität": "Normal",
        "Privat": "Aus",
        "Vertraulichkeit": "Normal",
    }
    values = {
        **defaults,
        "Anrede": "Dr.",
        "Vorname": "Jürgen",
        "Nachname": "Müller",
        "Firma": "Müller GmbH",
        "Abteilung": "Vertrieb",
        "Position": "Leiter",
        "Straße geschäftlich": "Hauptstraße 1",
        "Ort geschäftlich": "Berlin",
        "Postleitzahl geschäftlich": "10115",
        "Land/Region geschäftlich": "Deutschland",
        "Telefon geschäftlich": "+49 30 1234567",
        "Mobiltelefon": "+49 151 23456789",
        "Haupttelefon": "+49 151 23456789",
        "E-Mail-Adresse": "juergen@mueller.example",
        "E-Mail-Typ": "SMTP",
        "E-Mail: Angezeigter Name": "Jürgen Müller (juergen@mueller.example)",
        "Notizen": "Kunde seit 2010",
        "Hobby": "Segeln",
        "Webseite": "https://mueller.example",
    }
    row = ",".join(f'"{values.get(h, "")}"' for h in GERMAN_OUTLOOK_HEADER)
    header = ",".join(f'"{h}"' for h in GERMAN_OUTLOOK_HEADER)
    path = write(tmp_path / "kontakte.csv", f"{header}\r\n{row}\r\n", "cp1252")
    _summary, problems = imported(service, path)
    jurgen = contacts(service)["Jürgen Müller"]
    assert (jurgen.full_name, jurgen.job_title, jurgen.department) == (
        "Dr. Jürgen Müller",
        "Leiter",
        "Vertrieb",
    )
    assert jurgen.company.name == "Müller GmbH"
    assert [(e.email, e.is_primary) for e in jurgen.emails] == [("juergen@mueller.example", True)]
    assert [(p.number, p.type, p.is_primary) for p in jurgen.phones] == [
        ("+4915123456789", "Mobile", True),
        ("+49301234567", "Office", False),
    ]
    assert [(a.address, a.city, a.zip_code, a.country, a.type) for a in jurgen.addresses] == [
        ("Hauptstraße 1", "Berlin", "10115", "DE", "Office")
    ]
    assert (jurgen.website, jurgen.birthday) == ("https://mueller.example", "")
    assert jurgen.notes == "Kunde seit 2010\nHobby: Segeln"  # Outlook's defaults say nothing
    assert problems == []


def test_german_thunderbird_csv(service, tmp_path):
    header = (
        "Vorname,Nachname,Anzeigename,Spitzname,Primäre E-Mail-Adresse,"
        "Sekundäre E-Mail-Adresse,Messenger-Name,Tel. dienstlich,Tel. privat,Fax-Nummer,"
        "Pager-Nummer,Mobil-Tel.-Nr.,Privat: Adresse,Privat: Adresse 2,Privat: Ort,"
        "Privat: Bundesland,Privat: PLZ,Privat: Land,Dienstlich: Adresse,"
        "Dienstlich: Adresse 2,Dienstlich: Ort,Dienstlich: Bundesland,Dienstlich: PLZ,"
        "Dienstlich: Land,Arbeitstitel,Abteilung,Organisation,Webseite 1,Webseite 2,"
        "Geburtsjahr,Geburtsmonat,Geburtstag,Benutzerdef. 1,Benutzerdef. 2,Benutzerdef. 3,"
        "Benutzerdef. 4,Notizen,"
    )
    row = (
        "Anna,Schmidt,Anna Schmidt,Anni,anna@schmidt.example,a.schmidt@example.org,,"
        "+49 30 7654321,,,,+49 160 5550100,Gartenweg 2,,Potsdam,,14467,Deutschland,"
        ",,,,,,Einkäuferin,Einkauf,Schmidt AG,https://schmidt.example,,1980,3,15,"
        "Kundennr. 42,,,,Mag Kaffee,"
    )
    _summary, problems = imported(service, write(tmp_path / "adressbuch.csv", f"{header}\n{row}\n"))
    anna = contacts(service)["Anna Schmidt"]
    assert (anna.nickname, anna.job_title, anna.department, anna.birthday) == (
        "Anni",
        "Einkäuferin",
        "Einkauf",
        "1980-03-15",
    )
    assert anna.company.name == "Schmidt AG"
    assert [e.email for e in anna.emails] == ["anna@schmidt.example", "a.schmidt@example.org"]
    assert [(p.number, p.type) for p in anna.phones] == [
        ("+49307654321", "Office"),
        ("+491605550100", "Mobile"),
    ]
    assert [(a.address, a.city, a.zip_code, a.country) for a in anna.addresses] == [
        ("Gartenweg 2", "Potsdam", "14467", "DE")
    ]
    assert anna.notes == "Mag Kaffee\nBenutzerdef. 1: Kundennr. 42"
    assert problems == []


def test_microsoft_dynamics_contacts_export(service, tmp_path):
    # Dynamics 365 names its columns by their display names: `Address 1: Street 1`.
    text = (
        "Full Name,First Name,Last Name,Email,Email Address 2,Business Phone,Mobile Phone,"
        "Company Name,Job Title,Address 1: Street 1,Address 1: Street 2,Address 1: City,"
        "Address 1: State/Province,Address 1: ZIP/Postal Code,Address 1: Country/Region,"
        "Address 1: Latitude,Address 2: Street 1,Address 2: City,Address 2: ZIP/Postal Code,"
        "Address 2: Country/Region,Description\n"
        "Maria Campbell,Maria,Campbell,maria@contoso.example,maria@home.example,"
        "+1 425 555 0100,+1 425 555 0101,Contoso Pharmaceuticals,Purchasing Manager,"
        "1 Microsoft Way,Building 4,Redmond,WA,98052,United States,47.64,2 Elm St,Seattle,"
        "98101,United States,Met at Ignite\n"
    )
    _summary, problems = imported(service, write(tmp_path / "contacts.csv", text))
    maria = contacts(service)["Maria Campbell"]
    assert [e.email for e in maria.emails] == ["maria@contoso.example", "maria@home.example"]
    assert [(a.address, a.city, a.state, a.zip_code, a.country) for a in maria.addresses] == [
        ("1 Microsoft Way, Building 4", "Redmond", "US-WA", "98052", "US"),
        ("2 Elm St", "Seattle", "", "98101", "US"),
    ]
    assert maria.notes == "Met at Ignite\nAddress 1: Latitude: 47.64"
    assert problems == []


def test_a_phones_pause_and_wait_before_an_extension(service, tmp_path):
    # Android and iOS dial what follows a pause (,) or a wait (;) once the call is
    # answered: an extension, written so in the number phones export.
    text = vcard(
        "VERSION:2.1",
        "N:Roe;Sam",
        "TEL;WORK:+1 206-555-0100,,123",
        "TEL;HOME:+1 206-555-0101;456",
    )
    _summary, problems = imported(service, write(tmp_path / "android.vcf", text))
    sam = contacts(service)["Sam Roe"]
    assert [p.number for p in sam.phones] == ["+12065550100;ext=123", "+12065550101;ext=456"]
    assert problems == []


def test_apple_sublocality_is_the_addresss_district(service, tmp_path):
    # iOS and macOS write an address's district and county as properties of its group.
    text = vcard(
        "VERSION:3.0",
        "N:Wang;Li;;;",
        "FN:Li Wang",
        "item3.ADR;type=HOME;type=pref:;;Jiedao 2;Hangzhou;Zhejiang;310000;China",
        "item3.X-ABLabel:_$!<Home>!$_",
        "item3.X-ABADR:cn",
        "item3.X-APPLE-SUBLOCALITY:Jianggan",
        "item3.X-APPLE-SUBADMINISTRATIVEAREA:Hangzhou Shi",
        "item4.ADR;type=WORK:;;1 Main St;Springfield;IL;62701;United States",
        "item4.X-APPLE-SUBLOCALITY:",
        "item4.X-APPLE-SUBADMINISTRATIVEAREA:",
    )
    imported(service, write(tmp_path / "apple.vcf", text))
    li = contacts(service)["Li Wang"]
    assert [(a.city, a.locality) for a in li.addresses] == [
        ("Hangzhou", "Jianggan"),
        ("Springfield", "Springfield"),
    ]
    assert "- County (Home): Hangzhou Shi" in li.notes
    assert "Jianggan" not in li.notes


def test_shopify_customers_export(service, tmp_path):
    # Shopify's customer export, as it is now (`Default Address Address1`, codes for
    # the province and country, an apostrophe before the id) and as it was (`Address1`,
    # a province and a country by name and by code).
    now = (
        "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,"
        "Default Address Company,Default Address Address1,Default Address Address2,"
        "Default Address City,Default Address Province Code,Default Address Country Code,"
        "Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,"
        "Total Orders,Note,Tax Exempt,Tags\n"
        "'7398802653250,Bob,Norman,bob@example.com,yes,Norman Ltd,Chestnut Street 92,"
        "Apartment 2,Louisville,KY,US,40202,+1 502-555-0199,+1 502-555-0100,no,120.50,3,"
        'Likes blue,no,"vip, wholesale"\n'
    )
    before = (
        "First Name,Last Name,Email,Accepts Email Marketing,Company,Address1,Address2,City,"
        "Province,Province Code,Country,Country Code,Zip,Phone,Accepts SMS Marketing,"
        "Total Spent,Total Orders,Tags,Note,Tax Exempt\n"
        "Ann,Lee,ann@example.com,no,,1 Elm St,,Toronto,Ontario,ON,Canada,CA,M5V 2T6,"
        "+1 416-555-0100,no,0.00,0,,,no\n"
    )
    imported(service, write(tmp_path / "customers_export.csv", now))
    imported(service, write(tmp_path / "customers_export_1.csv", before))
    found = contacts(service)
    bob, ann = found["Bob Norman"], found["Ann Lee"]
    assert bob.company.name == "Norman Ltd"
    assert [(a.address, a.city, a.state, a.zip_code, a.country) for a in bob.addresses] == [
        ("Chestnut Street 92, Apartment 2", "Louisville", "US-KY", "40202", "US")
    ]
    assert [p.number for p in bob.phones] == ["+15025550199", "+15025550100"]
    assert "Customer ID: '7398802653250" in bob.notes and "Tags: vip, wholesale" in bob.notes
    assert [(a.address, a.state, a.country) for a in ann.addresses] == [("1 Elm St", "CA-ON", "CA")]
    assert "Province" not in ann.notes and "Country" not in ann.notes
