"""Every shortcut of an import's checks gives exactly what the general path gives.

Checking a row of an import file is made cheap by shortcuts for the common shapes (a
number of digits and separators, a clean ASCII text); each one here is held, over
values shaped like the world's (tests/world_values.py), to the path it shortcuts,
which is the libraries' own (phonenumbers, email-validator, the country tables).
"""

from __future__ import annotations

import dataclasses
import pickle
import re
from types import SimpleNamespace

import phonenumbers
import pytest
import world_values

from contacts_tui import phone_rules, validation
from contacts_tui.importer import checks
from contacts_tui.importer.checks import _Checker, _one_line, _text, _Value
from contacts_tui.importer.csv_file import (
    _GOOGLE_SEPARATOR,
    _SEVERAL,
    _google_type,
    _several,
    _several_addresses,
    _values,
)
from contacts_tui.importer.shared import ContactDraft, RawContact, ValueReport
from contacts_tui.services import records as records_module
from contacts_tui.services.records import RecordInvalid

TYPES = ("", "Business", "business", "Nope", " Personal ")


def _parsed(body: str, region: str | None) -> object:
    try:
        return phonenumbers.parse(body, region)
    except phonenumbers.NumberParseException as error:
        return error.error_type


# A tenth of the world's example numbers in every test run; all of them with -m slow.
WORLD_SHARE = [pytest.param(1, marks=pytest.mark.slow), 10]


@pytest.mark.parametrize("every", WORLD_SHARE)
def test_a_plain_number_is_read_as_phonenumbers_parse_reads_it(every):
    compared = 0
    for text, region in world_values.phone_texts(every):
        for reading in {region or None, "GB"}:
            fast = validation.plain_number(text, reading)
            if fast is None:
                continue
            assert fast == _parsed(text, reading), (text, reading)
            compared += 1
    assert compared > 2_000 // every  # the shortcut is taken for most numbers of the world


def _read(text: str, region: str, default: str | None) -> object:
    try:
        return validation.read_phone(text, region, default)
    except validation.ValidationError as error:
        return f"refused: {error}"


@pytest.mark.parametrize("every", WORLD_SHARE)
def test_reading_a_phone_from_a_file_gives_the_same_with_and_without_the_shortcut(
    monkeypatch, every
):
    cases = [
        (text, region, default)
        for n, (text, region) in enumerate(world_values.phone_texts(every))
        for default in (("GB", "US", None)[n % 3],)
    ]
    validation._read_phone.cache_clear()
    fast = [_read(*case) for case in cases]
    # Without plain_number's reading, phone_rules' rules are not asked either: parse,
    # is_valid_number and format_number read every number.
    monkeypatch.setattr(validation, "_plain_national", lambda body, region: None)
    validation._read_phone.cache_clear()
    slow = [_read(*case) for case in cases]
    validation._read_phone.cache_clear()
    differ = [(case, f, s) for case, f, s in zip(cases, fast, slow, strict=True) if f != s]
    assert not differ, differ[:5]
    assert sum(not str(f).startswith("refused") for f in fast) > 5_000 // every


def test_the_shortcut_steps_aside_when_phonenumbers_lacks_a_step(monkeypatch):
    monkeypatch.delattr(phonenumbers.phonenumberutil, "_test_number_length")
    validation._lengths_not_stripped.cache_clear()
    try:
        assert validation.plain_number("+44 20 7200 1234", "GB") is None
    finally:
        monkeypatch.undo()
        validation._lengths_not_stripped.cache_clear()
    assert validation.plain_number("+44 20 7200 1234", "GB") == phonenumbers.parse(
        "+44 20 7200 1234", "GB"
    )


def _numbers_read(every: int) -> list[tuple[phonenumbers.PhoneNumber, str | None]]:
    """(number, region it was read in) of the world's phone texts that parse reads,
    read in the card's region, in the UK, in the US and in none."""
    numbers = []
    for text, region in world_values.phone_texts(every):
        for reading in {region or None, "GB", "US", None}:
            number = _parsed(text, reading)
            if isinstance(number, phonenumbers.PhoneNumber):
                numbers.append((number, reading))
    return numbers


@pytest.fixture(params=["joined", "one by one"])
def type_patterns(request, monkeypatch):
    """The compiled rules with each length's type patterns joined in one (the usual), or
    asked one by one (a pattern that cannot be joined)."""
    if request.param == "one by one":
        monkeypatch.setattr(phone_rules, "_JOINABLE", re.compile("(?!)"))
    monkeypatch.setattr(phone_rules, "_REGIONS", {})
    monkeypatch.setattr(phone_rules, "_CODES", {})


@pytest.mark.parametrize("every", WORLD_SHARE)
def test_a_number_is_valid_by_the_compiled_rules_where_phonenumbers_says_so(every, type_patterns):
    said = []
    for number, reading in _numbers_read(every):
        national = phonenumbers.national_significant_number(number)
        expected = bool(reading and phonenumbers.is_valid_number_for_region(number, reading))
        expected = expected or phonenumbers.is_valid_number(number)
        got = phone_rules.is_valid(number.country_code, national, reading)
        assert got is expected, (number, reading)
        said.append(got)
    assert said.count(True) > 10_000 // every
    assert said.count(False) > 5_000 // every


def test_a_number_is_valid_by_the_compiled_rules_of_any_metadata_as_phonenumbers_says(
    type_patterns,
):
    """Rules the world's metadata does not have: a type wider than the general pattern,
    types of other lengths, a mobile pattern said to be the fixed line's."""

    def desc(pattern: str, *lengths: int) -> SimpleNamespace:
        return SimpleNamespace(national_number_pattern=pattern, possible_length=lengths)

    types = dict.fromkeys(phone_rules._TYPES)
    for same in (False, True):
        metadata = SimpleNamespace(
            **{
                **types,
                "country_code": 1,
                "general_desc": desc("[2-8]\\d{2,3}", 3, 4),
                "fixed_line": desc("\\d{4}", 4),
                "mobile": desc("[1-5]\\d{2}|9\\d{3}"),
                "toll_free": desc("8\\d{2}", 3),
                "voip": desc("", 4),
                "same_mobile_and_fixed_line_pattern": same,
                "leading_digits": None,
                "number_format": [],
                "intl_number_format": [],
            }
        )
        rules = phone_rules._compiled(metadata)
        unknown = phonenumbers.PhoneNumberType.UNKNOWN
        for number in [f"{n:0{width}d}" for width in (2, 3, 4, 5) for n in range(0, 10**width, 7)]:
            expected = phonenumbers.phonenumberutil._number_type_helper(number, metadata)
            assert rules.valid(number) is (expected != unknown), (number, same)


@pytest.mark.parametrize("every", WORLD_SHARE)
def test_the_international_form_is_the_one_phonenumbers_writes(every):
    compared = 0
    for number, _ in _numbers_read(every):
        if number.extension:
            continue  # not asked of the rules: a plain number has none
        national = phonenumbers.national_significant_number(number)
        expected = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        assert phone_rules.international(number.country_code, national) == expected, number
        compared += 1
    assert compared > 10_000 // every
    # Codes no country has: phonenumbers writes the national number alone.
    for code in (0, 999, 42):
        number = phonenumbers.PhoneNumber(country_code=code, national_number=1234567)
        expected = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        assert phone_rules.international(code, "1234567") == expected


def test_a_format_is_built_from_its_groups_only_when_re_sub_would_build_the_same():
    assert phone_rules._str_format("\\1 \\2-\\3", 3) == "{0} {1}-{2}"
    assert phone_rules._str_format("\\2 15-\\3-\\4", 4) == "{1} 15-{2}-{3}"
    assert phone_rules._str_format("(\\1) {x}", 1) == "({0}) {{x}}"
    for template in ("\\1\\0", "\\12", "\\g<1>", "\\1\\n", "\\4"):
        assert phone_rules._str_format(template, 3) is None, template
    # A pattern re.sub may match twice (once more, empty, at the end): re.sub itself.
    odd = phone_rules._format(_FakeFormat("(\\d{2})(\\d{0,2})", "\\1 \\2", []))
    assert odd.built is not None
    again = phone_rules._format(_FakeFormat("(\\d{0,2})", "\\1-", []))
    assert again.built is None


class _FakeFormat:
    def __init__(self, pattern: str, format: str, leading: list[str]) -> None:
        self.pattern, self.format, self.leading_digits_pattern = pattern, format, leading


def test_the_compiled_rules_step_aside_when_phonenumbers_lacks_a_field(monkeypatch):
    cases = [("+44 20 7200 1234", "", "GB"), ("416-555-0199", "CA", "GB"), ("0301234", "DE", None)]
    validation._read_phone.cache_clear()
    with_rules = [_read(*case) for case in cases]
    monkeypatch.setattr(
        phone_rules, "_METADATA_FIELDS", (*phone_rules._METADATA_FIELDS, "a_field_it_lacks")
    )
    phone_rules._phonenumbers.cache_clear()
    validation._read_phone.cache_clear()
    try:
        assert phone_rules.is_valid(44, "2072001234", "GB") is None
        assert phone_rules.international(44, "2072001234") is None
        assert [_read(*case) for case in cases] == with_rules
    finally:
        monkeypatch.undo()
        phone_rules._phonenumbers.cache_clear()
        validation._read_phone.cache_clear()
    assert phone_rules.is_valid(44, "2072001234", "GB") is True
    assert with_rules[0] == ("+442072001234", True)


def _validated(records, kind: str, values: dict[str, str]) -> object:
    try:
        return "accepted", records.validate(kind, values).values
    except RecordInvalid as error:
        return "refused", error.errors
    except TypeError as error:
        return "not a field", str(error)


def test_an_email_or_address_is_validated_the_same_with_and_without_the_shortcut(
    service, monkeypatch
):
    cases = [("address", a) for a in world_values.addresses()]
    cases += [("email", {"email": e, "type": t}) for e in world_values.emails() for t in TYPES]
    fast = [_validated(service.records, kind, values) for kind, values in cases]
    monkeypatch.setattr(records_module, "_without_errors", lambda kind, values, config: None)
    slow = [_validated(service.records, kind, values) for kind, values in cases]
    differ = [(case, f, s) for case, f, s in zip(cases, fast, slow, strict=True) if f != s]
    assert not differ, differ[:5]
    outcomes = [outcome for outcome, _ in fast]
    assert outcomes.count("accepted") > 400
    assert outcomes.count("refused") > 400
    assert "not a field" in outcomes


def test_a_record_of_a_file_gets_the_values_validate_gives(service):
    """RecordService.values, an import's check of a record, is validate's values."""
    cases = [("address", a) for a in world_values.addresses()[::3]]
    cases += [("email", {"email": e, "type": t}) for e in world_values.emails() for t in TYPES]
    cases += [("phone", {"number": t, "type": ""}) for t, _ in world_values.phone_texts(50)]
    iban = "DE89 3704 0044 0532 0130 00"
    cases += [("bank_account", {"name": "Main", "iban": iban, "bic": bic}) for bic in TYPES]

    def outcome(check, kind: str, values: dict[str, str]) -> object:
        try:
            return "accepted", check(kind, values)
        except RecordInvalid as error:
            return "refused", error.errors
        except TypeError as error:
            return "not a field", str(error)

    def validated(kind: str, values: dict[str, str]) -> dict[str, str]:
        return service.records.validate(kind, values).values

    outcomes = []
    for kind, values in cases:
        expected = outcome(validated, kind, values)
        assert outcome(service.records.values, kind, values) == expected, (kind, values)
        outcomes.append(expected[0])
    assert outcomes.count("accepted") > 500
    assert outcomes.count("refused") > 500


def test_a_text_field_of_a_file_is_cleaned_or_refused_as_clean_text_does():
    values = [*world_values.texts(), 12, 3.5, True, None, ["a"], {"a": 1}]
    raw = RawContact("line 2", fields={f"field{n}": v for n, v in enumerate(values)})
    check = _Checker(raw, None, strict=False)
    for n, value in enumerate(values):
        key = f"field{n}"
        try:
            expected = _text(raw, key, "Name")
        except _Value as problem:
            expected = problem.report
        reports = len(check.reports)
        got = check.text(key, "Name")
        if isinstance(expected, ValueReport):
            assert (got, check.reports[-1]) == ("", expected), value
        else:
            assert (got, len(check.reports)) == (expected, reports), value
    assert len(check.reports) > 10


def test_a_street_on_several_lines_becomes_one_as_before():
    lines = [*world_values.texts(), "1 Main St\nSuite 2", "a\rb", "a\u2028b", "a\x1cb\x85c", "\n"]
    for text in lines:
        assert _one_line(text) == ", ".join(p.strip() for p in text.splitlines() if p.strip())


def test_a_cell_of_emails_or_phones_is_read_as_splitting_it_would():
    values = [*world_values.texts(), *world_values.emails(), "a; b", "a;b", "a ::: b", "a:::b"]
    values += ["a :::  b", "a\t:::\tb", "a  :::b", "; a", "a ;", ";", " ::: ", "+44 20; x12"]
    for value in values:
        assert _several(value) == _SEVERAL.split(value), value


def test_one_address_of_a_csv_row_is_read_as_splitting_it_would():
    labels = ("", "Work", "* Home", "Shipping ::: Billing", "Home ::: ")
    values = ("1 High St", "London", "a ::: b", " ::: x", "Zürich", "a:::b", "", "x\n:::y")
    for n in range(400):
        slot = {"kind": "address", "type": ("", "Office")[n % 2]}
        for k, key in enumerate(("address", "city", "zip_code", "country")):
            if (n >> k) & 1:
                slot[key] = values[(n + k) % len(values)]
        if n % 3:
            slot["label"] = labels[n % len(labels)]
        labels = _values(slot.get("label", ""))
        assert _several_addresses(slot, labels) == split_every_column(slot), slot


def split_every_column(slot: dict[str, str]) -> list[dict[str, str]]:
    """The slot's addresses with every column split at ` ::: `, none taken as one value."""
    columns = {
        k: _GOOGLE_SEPARATOR.split(v) for k, v in slot.items() if k not in ("kind", "type", "label")
    }
    labels = _GOOGLE_SEPARATOR.split(slot.get("label", ""))
    addresses = []
    for n in range(max((len(values) for values in columns.values()), default=0)):
        one = {k: values[n] for k, values in columns.items() if n < len(values) and values[n]}
        kind = slot.get("type", "")
        if "label" in slot:
            kind = _google_type("address", labels[n] if n < len(labels) else labels[0])[0]
        addresses.append({**one, "kind": "address", "type": kind})
    return addresses


def test_a_blank_state_is_blank_in_every_country_a_country_is_read_as():
    """The address shortcut leaves a blank state blank without asking normalize_state."""
    codes = {validation.normalize_country(name) for name, _ in world_values.PLACES[:-4]}
    codes |= {code for code, _ in validation.country_choices()}
    assert len(codes) > 200
    for code in codes:
        assert validation.normalize_state("", code) == ""


FIELD_VALUES = {
    "lifecycle_key": ["sales", "nope", 3],
    "lifecycle": ["Sales", "nope", "", None],
    "stage_key": ["qualified", "nope"],
    "stage": ["Qualified", "Won", "nope", None],
    "segmentation": ["Enterprise", "nope", None],
    "reason_code": ["Price", "nope", ""],
    "scoring": ["50", 50, 50.0, "500", "x", True, None],
    "accounts": [["North", "North", " South "], [3], ["a\x07"]],
    "archived": [True, "yes", None],
    "job_title": ["CEO", "a\x07", ""],
    "department": ["Sales"],
    "website": ["example.com", "not a site"],
    "birthday": ["1985-04-12", "04/12/1985"],
    "nickname": ["Ada"],
    "notes": ["Met at a fair", "a\x07b", ""],
    "uid": ["urn:uuid:1", 7, True],
    "stage_history": [[{"from": "", "to": "lead", "at": "2026-01-02T03:04:05Z"}], [{"to": 1}]],
    "created_at": ["2026-01-02T03:04:05Z", "never"],
    "updated_at": ["2026-02-02T03:04:05Z"],
    "documents": [[{"sha256": "ab", "name": "a.pdf"}, "x"]],
}
"""Each field check_contact reads besides the name, company, e-mails, phones and
addresses, with good and bad values."""


class _NeverDisjoint:
    def isdisjoint(self, other) -> bool:
        return False


def test_a_record_without_crm_fields_skips_their_checks_for_what_they_would_give(
    service, monkeypatch
):
    """An address book's record skips the checks of fields it does not have: with any
    one of them (or a pair) it is checked in full, and the two agree."""
    keys = list(FIELD_VALUES)
    records = [RawContact("line 2", fields={"name": "Ada"})]
    for n, key in enumerate(keys):
        for value in FIELD_VALUES[key]:
            other = keys[(n + 7) % len(keys)]
            records.append(RawContact("line 3", fields={"name": "Ada", key: value}))
            records.append(
                RawContact(
                    "line 4", fields={"name": "Ada", key: value, other: FIELD_VALUES[other][0]}
                )
            )
    config = service.current_config()

    def checked(record):
        try:
            return checks.check_contact(record, service, file_name="f.csv", config=config)
        except Exception as error:
            return repr(error)

    fast = [checked(record) for record in records]
    for name in ("_LIFECYCLE_FIELDS", "_CRM_FIELDS", "_PROFILE_FIELDS", "_HISTORY_FIELDS"):
        monkeypatch.setattr(checks, name, _NeverDisjoint())
    slow = [checked(record) for record in records]
    differ = [(r.fields, f, s) for r, f, s in zip(records, fast, slow, strict=True) if f != s]
    assert not differ, differ[:3]
    assert sum(bool(draft.reports) for draft in fast) > 20  # bad values were among them


def test_a_draft_is_built_as_its_dataclass_builds_it(service):
    raw = RawContact(
        "line 2",
        fields={"name": "Ada", "company": "Analytical", "scoring": "x", "nickname": "A"},
        emails=[{"email": "ada@example.com", "type": ""}],
        phones=[{"number": "020 7200 1234", "type": ""}],
        addresses=[{"address": "1 High St", "city": "London", "country": "GB"}],
    )
    draft = checks.check_contact(raw, service, file_name="f.csv")
    values = {f.name: getattr(draft, f.name) for f in dataclasses.fields(ContactDraft)}
    assert type(draft) is ContactDraft
    assert vars(draft) == values  # every field, and nothing else
    assert draft == ContactDraft(**values)
    assert pickle.loads(pickle.dumps(draft)) == draft
    with pytest.raises(dataclasses.FrozenInstanceError):
        draft.name = "Bob"  # type: ignore[misc]
    del values["uid"]  # a field left to its default: the dataclass builds it
    assert checks._draft(**values) == ContactDraft(**values, uid="")
    with pytest.raises(TypeError, match="nickname"):
        checks._draft(**values, nickname="A")
