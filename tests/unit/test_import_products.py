"""Files as more products write them: Yahoo Mail, Salesforce and Zoho CSVs, Outlook's
other phones, Google's relations and custom fields, Apple's birthdays without a year and
its group cards. Each file is written for the test from the product's documented shape."""

from __future__ import annotations

from test_import_formats import contacts, imported, write


def test_yahoo_csv_reads_names_phones_second_email_and_zip(service, tmp_path):
    header = (
        '"First","Middle","Last","Email","Messenger ID","Home","Work","Mobile",'
        '"Yahoo Phone","Alternate Email 1","Company","Work Address","Work City",'
        '"Work State","Work ZIP","Work Country","Comments"'
    )
    row = (
        '"Pat","Q","Kim","pat@example.com","","(416) 555-0101","(416) 555-0102",'
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
    assert pat.notes == "Met at the fair"
