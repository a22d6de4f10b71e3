"""The Details tab's records in the services, on SQLite and PostgreSQL: validation, primaries,
duplicates, audit and the list columns they feed."""

from __future__ import annotations

import peewee
import pytest

from contacts_tui.services import (
    AddressInfo,
    BankAccountInfo,
    ConflictError,
    EmailInfo,
    NotFoundError,
    PhoneInfo,
    RecordInvalid,
)
from contacts_tui.store.models import Address, Contact, Email, Phone, database
from contacts_tui.validation import ValidationError

ADDRESS = {
    "address": "Calle Mayor 1",
    "country": "Spain",
    "state": "Madrid",
    "city": "Madrid",
    "zip_code": "28013",
    "locality": "Centro",
    "type": "Office",
}


@pytest.fixture
def contact(service):
    return service.create_contact("Maria Martínez")


def _list_columns(contact_id: int) -> tuple[str, str, str]:
    with database.connection_context():
        row = Contact.get_by_id(contact_id)
        return row.primary_email, row.primary_phone, row.search_doc


def _audit(service, contact_id: int) -> list[tuple[str, str, str]]:
    return [(a.field, a.old_value, a.new_value) for a in service.get_contact(contact_id).audit]


# ----- adding: normalised, first one primary, audit, derived columns ------------------------


def test_first_email_becomes_primary_and_feeds_the_list(service, contact, backend):
    first = service.records.add_email(contact.id, "  maria@EXAMPLE.com ", "business")
    second = service.records.add_email(contact.id, "m.martinez@example.org", "Personal")
    assert first == EmailInfo(first.id, "maria@example.com", "Business", True)
    assert second.is_primary is False
    email, _, search_doc = _list_columns(contact.id)
    assert email == "maria@example.com"
    assert "m.martinez@example.org" in search_doc
    assert ("e-mail added", "", "maria@example.com (Business)") in _audit(service, contact.id)
    detail = service.get_contact(contact.id)
    assert [e.email for e in detail.emails] == ["maria@example.com", "m.martinez@example.org"]
    assert detail.version == contact.version  # records do not bump the contact's version
    assert detail.updated_by == service.user


def test_phone_is_stored_in_e164_with_what_was_typed(service, contact, backend):
    # The bundled config reads numbers without +country as the default region's (GB).
    phone = service.records.add_phone(contact.id, "020 7946 0958", "Office")
    assert phone == PhoneInfo(phone.id, "+442079460958", "020 7946 0958", "Office", True)
    other = service.records.add_phone(contact.id, "+34 612 34 56 78", "Mobile")
    assert (other.number, other.is_primary) == ("+34612345678", False)
    _, primary_phone, search_doc = _list_columns(contact.id)
    assert primary_phone == "+44 20 7946 0958"  # the list shows it as people read it
    assert "34612345678" in search_doc


def test_a_phone_with_an_extension_is_typed_and_saved_again(service, contact, backend):
    # The form shows what was typed (an import's `+1 416-810-9897 ext. 752` too); saving
    # it again was refused ("can only contain digits"), the extension's letters.
    phone = service.records.add_phone(contact.id, "+1 416-810-9897 ext. 752", "Office")
    assert phone.number == "+14168109897;ext=752"
    again = service.records.update(
        "phone", phone.id, {"number": phone.typed, "type": "Mobile"}, primary=True
    )
    assert (again.number, again.type) == ("+14168109897;ext=752", "Mobile")
    _, primary_phone, _ = _list_columns(contact.id)
    assert primary_phone == "+1 416-810-9897 ext. 752"


def test_address_country_and_state_become_iso_codes(service, contact, backend):
    address = service.records.add_address(contact.id, **ADDRESS)
    assert address == AddressInfo(
        address.id, "Calle Mayor 1", "ES", "ES-M", "Madrid", "28013", "Centro", "Office", True
    )
    # A country without ISO 3166-2 subdivisions keeps a free-text state.
    free = service.records.add_address(
        contact.id, address="1 Main St", country="GI", state="Upper Town", zip_code="GX11 1AA",
        locality="Gibraltar",
    )  # fmt: skip
    assert (free.country, free.state, free.is_primary) == ("GI", "Upper Town", False)


def test_bank_account_is_stored_compact_and_has_no_primary(service, contact, backend):
    account = service.records.add_bank_account(
        contact.id, "Main", "de89 3704 0044 0532 0130 00", "cobadeffxxx"
    )
    assert account == BankAccountInfo(account.id, "Main", "DE89370400440532013000", "COBADEFFXXX")
    assert ("bank account added", "", "Main DE89370400440532013000 COBADEFFXXX") in _audit(
        service, contact.id
    )


def test_adding_with_primary_switches_in_one_go(service, contact, backend):
    first = service.records.add_email(contact.id, "a@example.com")
    second = service.records.add_email(contact.id, "b@example.com", primary=True)
    emails = {e.id: e.is_primary for e in service.get_contact(contact.id).emails}
    assert emails == {first.id: False, second.id: True}
    assert _list_columns(contact.id)[0] == "b@example.com"
    assert ("primary e-mail", "a@example.com", "b@example.com") in _audit(service, contact.id)


# ----- primaries ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Email, Phone, Address])
def test_database_refuses_a_second_primary(service, contact, backend, model):
    values = {
        Email: {"email": "x@example.com"},
        Phone: {"number": "+442079460958"},
        Address: {"address": "A", "zip_code": "1", "locality": "L"},
    }[model]
    with database.connection_context():
        model.create(contact=contact.id, is_primary=True, **values)
        model.create(contact=contact.id, is_primary=False, **values)
        with pytest.raises(peewee.IntegrityError), database.atomic():
            model.create(contact=contact.id, is_primary=True, **values)
        # Another contact has a primary of its own.
        other = service.create_contact("Other")
        model.create(contact=other.id, is_primary=True, **values)


@pytest.mark.parametrize("kind", ["email", "phone", "address"])
def test_make_primary_switches_and_audits(service, contact, backend, kind):
    values = {
        "email": [{"email": "a@example.com"}, {"email": "b@example.com"}],
        "phone": [{"number": "+442079460958"}, {"number": "+34612345678"}],
        "address": [ADDRESS, {**ADDRESS, "address": "Gran Vía 2"}],
    }[kind]
    first = service.records.add(kind, contact.id, values[0])
    second = service.records.add(kind, contact.id, values[1])
    assert (first.is_primary, second.is_primary) == (True, False)
    made = service.records.make_primary(kind, second.id)
    assert made.is_primary
    records = {
        "email": lambda d: d.emails,
        "phone": lambda d: d.phones,
        "address": lambda d: d.addresses,
    }[kind](service.get_contact(contact.id))
    assert [(r.id, r.is_primary) for r in records] == [(second.id, True), (first.id, False)]
    assert any(field.startswith("primary ") for field, _, _ in _audit(service, contact.id))
    # Making the primary primary again changes nothing.
    before = len(_audit(service, contact.id))
    service.records.make_primary(kind, second.id)
    assert len(_audit(service, contact.id)) == before


def test_bank_accounts_cannot_be_primary(service, contact):
    account = service.records.add_bank_account(contact.id, "Main", "DE89370400440532013000")
    with pytest.raises(ValidationError):
        service.records.make_primary("bank_account", account.id)


def test_deleting_the_primary_needs_a_successor(service, contact, backend):
    a = service.records.add_phone(contact.id, "+442079460958")
    b = service.records.add_phone(contact.id, "+34612345678")
    c = service.records.add_phone(contact.id, "+4930123456")
    with pytest.raises(ValidationError, match="choose which phone number"):
        service.records.delete_phone(a.id)
    with pytest.raises(ValidationError):
        service.records.delete_phone(a.id, successor_id=a.id)
    stranger = service.records.add_phone(service.create_contact("Other").id, "+33142685300")
    with pytest.raises(ValidationError):
        service.records.delete_phone(a.id, successor_id=stranger.id)
    assert len(service.get_contact(contact.id).phones) == 3  # nothing was deleted
    service.records.delete_phone(a.id, successor_id=c.id)
    phones = service.get_contact(contact.id).phones
    assert [(p.id, p.is_primary) for p in phones] == [(c.id, True), (b.id, False)]
    assert _list_columns(contact.id)[1] == "+49 30 123456"
    audit = _audit(service, contact.id)
    assert ("phone number deleted", "+442079460958", "") in audit
    assert ("primary phone number", "+442079460958", "+4930123456") in audit


def test_deleting_a_non_primary_or_the_last_one(service, contact, backend):
    a = service.records.add_email(contact.id, "a@example.com")
    b = service.records.add_email(contact.id, "b@example.com")
    service.records.delete_email(b.id)
    assert [e.id for e in service.get_contact(contact.id).emails] == [a.id]
    service.records.delete_email(a.id)  # the only one: no successor to name
    assert service.get_contact(contact.id).emails == ()
    assert _list_columns(contact.id)[0] == ""
    with pytest.raises(NotFoundError):
        service.records.delete_email(a.id)


def test_missing_primary_is_counted_on_the_dashboard(service, contact, backend):
    assert service.dashboard().missing_primary == 1
    service.records.add_email(contact.id, "a@example.com")
    service.records.add_phone(contact.id, "+442079460958")
    assert service.dashboard().missing_primary == 0


# ----- editing --------------------------------------------------------------------------------


def test_update_changes_the_record_and_audits(service, contact, backend):
    email = service.records.add_email(contact.id, "a@example.com", "Business")
    updated = service.records.update_email(email.id, "maria@example.com", "Personal")
    assert updated == EmailInfo(email.id, "maria@example.com", "Personal", True)
    assert _list_columns(contact.id)[0] == "maria@example.com"
    assert (
        "e-mail changed",
        "a@example.com (Business)",
        "maria@example.com (Personal)",
    ) in _audit(service, contact.id)


def test_update_with_primary_switches(service, contact, backend):
    a = service.records.add_address(contact.id, **ADDRESS)
    b = service.records.add_address(contact.id, **{**ADDRESS, "address": "Gran Vía 2"})
    service.records.update_address(b.id, primary=True, **{**ADDRESS, "address": "Gran Vía 3"})
    rows = {r.id: (r.address, r.is_primary) for r in service.get_contact(contact.id).addresses}
    assert rows == {a.id: ("Calle Mayor 1", False), b.id: ("Gran Vía 3", True)}


def test_update_refuses_to_overwrite_a_colleagues_change(service, contact, backend):
    seen = service.records.add_email(contact.id, "a@example.com")
    service.records.update_email(seen.id, "colleague@example.com")
    with pytest.raises(ConflictError):
        service.records.update("email", seen.id, {"email": "mine@example.com"}, expected=seen)
    assert service.get_contact(contact.id).emails[0].email == "colleague@example.com"


def test_a_saved_type_no_longer_in_the_picklist_is_kept(service, contact, backend):
    email = service.records.add_email(contact.id, "a@example.com")
    with database.connection_context():
        Email.update(type="Legacy").where(Email.id == email.id).execute()
    assert service.records.update_email(email.id, "b@example.com", "Legacy").type == "Legacy"
    with pytest.raises(RecordInvalid) as error:
        service.records.add_email(contact.id, "c@example.com", "Legacy")
    assert set(error.value.errors) == {"type"}


# ----- bad input: every field named, nothing saved --------------------------------------------


BAD = [
    ("email", {"email": "maria@"}, {"email"}),
    ("email", {"email": "maria example.com"}, {"email"}),
    ("email", {"email": ""}, {"email"}),
    ("email", {"email": "a@example.com", "type": "Carrier pigeon"}, {"type"}),
    ("email", {"email": "a@example.com\x1b[31m"}, {"email"}),
    ("phone", {"number": "12"}, {"number"}),
    ("phone", {"number": "020 7946 09"}, {"number"}),  # too short for GB
    ("phone", {"number": "+1 555 0100 abc"}, {"number"}),
    ("phone", {"number": "+44 20 7946 0958\u202e"}, {"number"}),
    (
        "address",
        {"country": "Narnia", "state": "Madrid"},
        {"address", "country", "zip_code", "locality"},
    ),
    ("address", {**ADDRESS, "state": "Bavaria"}, {"state"}),
    ("address", {**ADDRESS, "zip_code": "28013; DROP"}, {"zip_code"}),
    ("address", {**ADDRESS, "city": "Madrid\x07"}, {"city"}),
    ("bank_account", {"name": "", "iban": "", "bic": ""}, {"name", "iban"}),
    ("bank_account", {"name": "M", "iban": "DE89370400440532013001"}, {"iban"}),  # check digits
    ("bank_account", {"name": "M", "iban": "GB82WEST1234569876543"}, {"iban"}),  # length
    ("bank_account", {"name": "M", "iban": "FR8420041010050500013M02607"}, {"iban"}),  # RIB key
    ("bank_account", {"name": "M", "iban": "ES2921000418460200051332"}, {"iban"}),  # national
    ("bank_account", {"name": "M", "iban": "NL91ABNA0417164301"}, {"iban"}),
    ("bank_account", {"name": "M", "iban": "BR1800360305000010009795493C2"}, {"iban"}),
    ("bank_account", {"name": "M", "iban": "DE89370400440532013000", "bic": "COBADEF"}, {"bic"}),
    ("bank_account", {"name": "M\x9b2J", "iban": "DE89370400440532013000"}, {"name"}),
]


@pytest.mark.parametrize(("kind", "values", "fields"), BAD)
def test_bad_input_names_each_field_and_saves_nothing(service, contact, kind, values, fields):
    with pytest.raises(RecordInvalid) as error:
        service.records.add(kind, contact.id, values)
    assert set(error.value.errors) == fields
    assert all(error.value.errors.values())
    detail = service.get_contact(contact.id)
    assert (detail.emails, detail.phones, detail.addresses, detail.bank_accounts) == (
        (),
        (),
        (),
        (),
    )
    assert [a.field for a in detail.audit] == ["created"]


def test_bad_edit_leaves_the_saved_record_untouched(service, contact, backend):
    account = service.records.add_bank_account(contact.id, "Main", "DE89370400440532013000")
    with pytest.raises(RecordInvalid):
        service.records.update_bank_account(account.id, "Main", "ES2921000418460200051332")
    assert service.get_contact(contact.id).bank_accounts == (account,)


def test_the_same_value_twice_on_one_contact_is_refused(service, contact, backend):
    email = service.records.add_email(contact.id, "a@example.com")
    with pytest.raises(RecordInvalid, match="already"):
        service.records.add_email(contact.id, "a@example.com", "Personal")
    service.records.update_email(email.id, "a@example.com", "Personal")  # itself is no duplicate


def test_bic_from_another_country_is_a_warning_not_an_error(service):
    check = service.records.validate(
        "bank_account", {"name": "M", "iban": "DE89370400440532013000", "bic": "BNPAFRPPXXX"}
    )
    assert check.values["bic"] == "BNPAFRPPXXX"
    assert "France" in check.warnings["bic"] and "Germany" in check.warnings["bic"]


def test_unknown_kind_or_field_is_a_programming_error(service, contact):
    with pytest.raises(TypeError):
        service.records.add("fax", contact.id, {})
    with pytest.raises(TypeError):
        service.records.add("email", contact.id, {"email": "a@example.com", "colour": "red"})


def test_adding_to_a_deleted_contact(service):
    with pytest.raises(NotFoundError):
        service.records.add_email(987654, "a@example.com")


# ----- duplicates -----------------------------------------------------------------------------


def test_find_duplicates_names_the_other_contacts(service, contact, backend):
    other = service.create_contact("Juan Pérez")
    service.records.add_email(other.id, "maria@example.com")
    service.records.add_phone(other.id, "+34 612 34 56 78")
    service.records.add_bank_account(other.id, "Shared", "DE89370400440532013000")
    service.archive(other.id)
    found = [(other.id, "Juan Pérez (archived)")]
    assert service.records.find_duplicates("email", "Maria@EXAMPLE.com", contact.id) == found
    assert service.records.find_duplicates("email", "maria@Example.com", contact.id) == found
    assert service.records.find_duplicates("phone", "+34612345678", contact.id) == found
    assert service.records.find_duplicates(
        "bank_account", "de89 3704 0044 0532 0130 00", contact.id
    ) == (found)
    # The contact itself is left out; addresses and invalid values have no duplicates.
    assert service.records.find_duplicates("email", "maria@example.com", other.id) == []
    assert service.records.find_duplicates("email", "not an e-mail", contact.id) == []
    assert service.records.find_duplicates("address", "Calle Mayor 1", contact.id) == []


def test_two_users_adding_the_first_email_at_once(service, contact, backend, monkeypatch):
    """Both saw no primary; the database refuses the second primary, and the retry sees it."""
    import contacts_tui.services.records as records

    first = service.records.add_email(contact.id, "a@example.com")
    real = records._primary_of
    stale = iter([None])  # the first look misses the colleague's primary, as a race would
    monkeypatch.setattr(
        records, "_primary_of", lambda spec, cid: next(stale, None) or real(spec, cid)
    )
    second = service.records.add_email(contact.id, "b@example.com")
    assert (first.is_primary, second.is_primary) == (True, False)
    emails = service.get_contact(contact.id).emails
    assert [(e.email, e.is_primary) for e in emails] == [
        ("a@example.com", True),
        ("b@example.com", False),
    ]
