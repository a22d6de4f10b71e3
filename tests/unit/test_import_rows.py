"""A contact written by import reads as one the app saved: its list columns, search
document and word starts are what the services compute from its values."""

from __future__ import annotations

from contacts_tui.services import ContactFilter, refresh_derived
from contacts_tui.services.imports import import_contacts
from contacts_tui.store.models import database
from contacts_tui.store.search import word_prefixes

CARDS = """BEGIN:VCARD
VERSION:3.0
FN:Zoë Łukasiewicz
N:Łukasiewicz;Zoë;;;
ORG:Müller & Co;Sales
TITLE:CFO
NICKNAME:Zozo
EMAIL;TYPE=WORK:zoe.work@example.com
EMAIL;TYPE=HOME,PREF:Zoe@Example.org
TEL;TYPE=WORK:+44 20 7946 0000
TEL;TYPE=CELL,PREF:+1 416 555 0100
NOTE:likes tea
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Plain Jane
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Ada  Lovelace
EMAIL:ada@example.com
TEL:+44 20 7946 0001
TEL:+44 20 7946 0002
END:VCARD
"""

COLUMNS = "id, name_key, primary_email, primary_phone, phone_digits, search_doc, job_title"


def test_imported_contacts_have_the_columns_the_services_compute(service, tmp_path):
    path = tmp_path / "cards.vcf"
    path.write_text(CARDS, encoding="utf-8")
    summary = import_contacts(service, path)
    assert summary.imported == 3 and summary.rejected == 0
    with database.connection_context():
        db = database.obj
        imported = db.execute_sql(f"SELECT {COLUMNS} FROM contact ORDER BY id").fetchall()
        words = db.execute_sql("SELECT contact_id, prefix FROM contact_word").fetchall()
        for contact_id, *_ in imported:
            refresh_derived(contact_id)
        assert db.execute_sql(f"SELECT {COLUMNS} FROM contact ORDER BY id").fetchall() == imported
    zoe = imported[0]
    assert zoe[1:6] == (
        "zoe lukasiewicz",
        "Zoe@example.org",  # the preferred one, not the first
        "+1 416-555-0100",
        "14165550100",
        "zoe lukasiewicz muller & co zoe@example.org zoe.work@example.com +14165550100 "
        "+442079460000 14165550100 442079460000 zozo cfo sales",
    )
    assert imported[1][2:6] == ("", "", "", "plain jane")
    assert sorted(words) == sorted(
        (contact_id, prefix) for contact_id, *_, doc, _ in imported for prefix in word_prefixes(doc)
    )
    for text, who in (("zozo", 1), ("cfo", 1), ("lu", 1), ("+1 416", 1), ("79460002", 1)):
        assert service.count(ContactFilter(search=text)) == who, text
