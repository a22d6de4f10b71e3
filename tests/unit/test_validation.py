"""Unit tests for contacts_tui.validation: valid and invalid input for every rule."""

import unicodedata
import warnings

import phonenumbers
import pytest
from schwifty import IBAN
from schwifty.exceptions import InvalidBBANChecksum

from contacts_tui.safe_text import display_safe
from contacts_tui.validation import (
    ValidationError,
    bank_from_iban,
    clean_text,
    country_choices,
    format_iban,
    format_phone,
    normalize_bic,
    normalize_country,
    normalize_email,
    normalize_iban,
    normalize_phone,
    normalize_scoring,
    normalize_state,
    normalize_zip,
    phone_digits,
    state_choices,
)


def refused(func, *args, match: str, **kwargs) -> ValidationError:
    """Call func, expect a ValidationError matching ``match`` with no library error chained."""
    with pytest.raises(ValidationError, match=match) as info:
        func(*args, **kwargs)
    error = info.value
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
    return error


# --- clean_text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Ada Lovelace  ", "Ada Lovelace"),
        ("José Müller-Øster", "José Müller-Øster"),
        ("Jose\u0301", "José"),  # decomposed accent composed (NFC), so search and duplicates match
        ("👨\u200d👩\u200d👧 family", "👨\u200d👩\u200d👧 family"),  # ZWJ emoji allowed
        ("می\u200cخواهم", "می\u200cخواهم"),  # ZWNJ needed in Persian
        ("Zoë 🇩🇪", "Zoë 🇩🇪"),
        ("\nname pasted with newline\n", "name pasted with newline"),
    ],
)
def test_clean_text_keeps_ordinary_text(typed, expected):
    assert clean_text(typed, field="Name") == expected


@pytest.mark.parametrize(
    "typed",
    [
        "red \x1b[31mtext",  # CSI colour
        "\x1b]8;;http://evil\x07click\x1b]8;;\x07",  # OSC 8 hyperlink
        "clear\x9b2J",  # C1 CSI
        "abc\u202etxt.exe",  # right-to-left override
        "a\u2066b\u2069",  # bidi isolate
        "a\u200eb",  # left-to-right mark
        "a\u200fb",  # right-to-left mark
        "nul\x00byte",
        "bell\x07",
        "del\x7f",
        "two\nlines",
        "tab\tinside",
        "zero\u200bwidth",  # zero-width space makes equal names look different
        "\ufeffbom",
        "lone \ud800 surrogate",
        "line\u2028separator",
    ],
)
def test_clean_text_refuses_control_and_escape_characters(typed):
    refused(clean_text, typed, field="Name", match="Name contains hidden control")


def test_clean_text_required_and_blank():
    assert clean_text(None, field="City") == ""
    assert clean_text("   ", field="City") == ""
    refused(clean_text, None, field="Name", required=True, match=r"^Name is required\.$")
    refused(clean_text, "  ", field="Locality", required=True, match=r"^Locality is required\.$")


def test_clean_text_max_length():
    assert clean_text("abcde", field="Zip", max_length=5) == "abcde"
    refused(clean_text, "abcdef", field="Zip", max_length=5, match="Zip must be at most 5")


# --- display_safe -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]8;;http://x\x07click\x1b]8;;\x07", "click"),  # OSC 8, BEL terminated
        ("\x1b]0;pwned title\x1b\\rest", "rest"),  # OSC, ST terminated
        ("\x1b[1;31mred\x1b[0m", "red"),  # CSI
        ("\x9b2Jafter", "after"),  # C1 CSI
        ("\x9d0;title\x9cafter", "after"),  # C1 OSC ... C1 ST
        ("\x1bP+q544e\x1b\\after", "after"),  # DCS
        ("\x1b(Bx\x1b=y\x1b", "xy"),  # charset, keypad, lone ESC
        ("\u202eexe.txt", "exe.txt"),
        ("a\u2067b\u2069c\u200fd", "abcd"),
        ("nul\x00byte\x07", "nulbyte"),
        ("two\nlines\tand\r\ntab", "two lines and  tab"),
        ("lone\ud800surrogate", "lonesurrogate"),
        ("José 👨\u200d👩\u200d👧", "José 👨\u200d👩\u200d👧"),
        ("plain", "plain"),
        (42, "42"),
        (None, ""),
    ],
)
def test_display_safe(raw, shown):
    assert display_safe(raw) == shown


BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_display_safe_never_lets_a_control_character_through():
    for code in [*range(0x0, 0x3000), *range(0xD800, 0xE000), 0xFEFF]:
        shown = display_safe(f"a{chr(code)}b \x1b[{chr(code)}m")
        assert shown.startswith("a"), hex(code)
        for char in shown:
            assert unicodedata.category(char) not in {"Cc", "Cs", "Zl", "Zp"}, hex(code)
            assert char not in BIDI_CONTROLS, hex(code)


# --- scoring ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [(None, None), ("", None), ("  ", None), ("0", 0), ("100", 100), (" 42 ", 42), (57, 57)],
)
def test_normalize_scoring_valid(typed, expected):
    assert normalize_scoring(typed) == expected


@pytest.mark.parametrize("typed", ["-1", "101", "4.5", "abc", "1e2", "٥", 101, -5, True, 4.0])
def test_normalize_scoring_invalid(typed):
    refused(normalize_scoring, typed, match=r"^Scoring must be a whole number from 0 to 100\.$")


def test_normalize_scoring_custom_range():
    assert normalize_scoring("5", low=1, high=5) == 5
    refused(normalize_scoring, "0", low=1, high=5, match="from 1 to 5")


# --- IBAN ---------------------------------------------------------------------------------------

VALID_IBANS = {
    "DE": "DE89370400440532013000",
    "GB": "GB29NWBK60161331926819",
    "FR": "FR1420041010050500013M02606",
    "ES": "ES9121000418450200051332",
    "NL": "NL91ABNA0417164300",
    "BR": "BR1800360305000010009795493C1",
}


def mod97_check_digits(country: str, bban: str) -> str:
    """ISO 7064 mod-97-10 IBAN check digits, computed here independently of schwifty."""
    digits = "".join(str(int(char, 36)) for char in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


def with_bad_national_check(iban: str, start: int, end: int) -> str:
    """Change the BBAN's national check digits [start:end] and fix the IBAN check digits."""
    bban = iban[4:]
    old = bban[start:end]
    new = str((int(old) + 1) % 10 ** len(old)).zfill(len(old))
    bban = bban[:start] + new + bban[end:]
    return iban[:2] + mod97_check_digits(iban[:2], bban) + bban


@pytest.mark.parametrize("iban", VALID_IBANS.values(), ids=VALID_IBANS.keys())
def test_normalize_iban_valid(iban):
    assert normalize_iban(iban) == iban
    assert normalize_iban(format_iban(iban).lower()) == iban  # spaces and lower case accepted


def test_normalize_iban_country_without_national_check_algorithm_passes_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        iban = normalize_iban("HU42 1177 3016 1111 1018 0000 0000")
    assert iban == "HU42117730161111101800000000"


@pytest.mark.parametrize(("country", "start", "end"), [("ES", 8, 10), ("FR", 21, 23)])
def test_normalize_iban_bad_national_check_digits(country, start, end):
    bad = with_bad_national_check(VALID_IBANS[country], start, end)
    assert bad != VALID_IBANS[country]
    assert mod97_check_digits(country, bad[4:]) == bad[2:4]  # the IBAN check itself passes...
    IBAN(bad)  # ...so schwifty accepts it without the national check
    with pytest.raises(InvalidBBANChecksum):
        IBAN(bad, validate_bban=True)
    refused(normalize_iban, bad, match="fails its national check")


@pytest.mark.parametrize(
    ("typed", "match"),
    [
        ("DE89370400440532013001", r"check digits are wrong"),
        ("GB28NWBK60161331926819", r"check digits are wrong"),
        ("DE8937040044053201300", r"Germany has 22 characters; this one has 21"),
        ("NL91ABNA04171643001", r"has 18 characters; this one has 19"),
        ("XX89370400440532013000", r"“XX” is not one"),
        ("US89370400440532013000", r"United States does not use IBANs"),
        ("DE8937040044053201300A", r"not how IBANs from Germany look"),
        ("DE89-3704-0044-0532-0130-00", r"only contain letters and digits"),
        ("1234", r"starts with a two-letter country code"),
        ("", r"IBAN is required"),
        ("DE89\x1b[2J370400440532013000", r"hidden control"),
    ],
)
def test_normalize_iban_invalid(typed, match):
    refused(normalize_iban, typed, match=match)


def test_format_iban_groups_of_four():
    assert format_iban("DE89370400440532013000") == "DE89 3704 0044 0532 0130 00"
    assert format_iban("br18 0036 0305000010009795493C1") == "BR18 0036 0305 0000 1000 9795 493C 1"


def test_bank_from_iban():
    assert bank_from_iban("DE89370400440532013000") == ("COBADEFFXXX", "Commerzbank")
    assert bank_from_iban("BR1800360305000010009795493C1") == (None, None)  # unknown to registry
    assert bank_from_iban("not an iban") == (None, None)


# --- BIC ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("COBADEFF", "COBADEFF"),
        ("COBADEFFXXX", "COBADEFFXXX"),
        ("deut de db 200", "DEUTDEDB200"),
        ("  NWBKGB2L ", "NWBKGB2L"),
        ("", ""),
    ],
)
def test_normalize_bic_valid(typed, expected):
    assert normalize_bic(typed) == (expected, None)


@pytest.mark.parametrize(
    ("typed", "match"),
    [
        ("COBADEF", r"8 or 11 characters; this one has 7"),
        ("COBADEFFXX", r"8 or 11 characters; this one has 10"),
        ("COBAD3FF", r"2 letters for the country"),
        ("COBA-DEF", r"2 letters for the country"),
        ("COBAXXFF", r"“XX” in this SWIFT/BIC code is not a country code"),
    ],
)
def test_normalize_bic_invalid(typed, match):
    refused(normalize_bic, typed, match=match)


def test_normalize_bic_warns_when_country_differs_from_iban():
    bic, warning = normalize_bic("NWBKGB2L", iban="DE89 3704 0044 0532 0130 00")
    assert bic == "NWBKGB2L"
    assert warning is not None
    assert "United Kingdom" in warning and "Germany" in warning
    assert normalize_bic("COBADEFFXXX", iban="de89 3704 0044 0532 0130 00") == ("COBADEFFXXX", None)


# --- e-mail -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ada@example.com", "ada@example.com"),
        ("Joe.Bloggs+crm@Example.COM", "Joe.Bloggs+crm@example.com"),
        ("  ada@example.com ", "ada@example.com"),
        ("user@bücher.de", "user@bücher.de"),
        ("user@xn--bcher-kva.de", "user@bücher.de"),
        ("josé@example.fr", "josé@example.fr"),
    ],
)
def test_normalize_email_valid(typed, expected):
    assert normalize_email(typed) == expected


@pytest.mark.parametrize(
    ("typed", "match"),
    [
        ("ada.example.com", r"@-sign"),
        ("ada..lovelace@example.com", r"two periods in a row"),
        ("ada.@example.com", r"period"),
        ("ada@example.com.", r"cannot end with a period"),
        ("ada lovelace@example.com", r"invalid characters"),
        ("ada@exam ple.com", r"invalid characters"),
        ('"ada lovelace"@example.com', r"Quoting"),  # email-validator refuses quoted parts
        ("ada@localhost", r"should have a period"),
        ("a@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + "." + "e" * 63 + ".com", r"too long"),
        ("", r"E-mail is required"),
        ("ada@exa\x1bmple.com", r"hidden control"),
    ],
)
def test_normalize_email_invalid(typed, match):
    refused(normalize_email, typed, match=match)


# --- phone --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "region", "expected"),
    [
        ("020 7946 0018", "GB", "+442079460018"),
        ("07911 123456", "GB", "+447911123456"),
        ("+44 20 7946 0018", "GB", "+442079460018"),
        ("+44 (0)20 7946 0018", None, "+442079460018"),
        ("(202) 555-0143", "US", "+12025550143"),
        ("202.555.0143", "us", "+12025550143"),
        ("+1 202-555-0143", None, "+12025550143"),
        ("030 901820", "DE", "+4930901820"),
        ("+49 30 901820", "US", "+4930901820"),  # an international number ignores the region
        ("01 42 68 53 00", "FR", "+33142685300"),
        ("+33 1 42 68 53 00", None, "+33142685300"),
        ("(11) 91234-5678", "BR", "+5511912345678"),
        ("+55 11 91234-5678", "GB", "+5511912345678"),
        ("00 49 30 901820", "GB", "+4930901820"),  # international prefix from the UK
    ],
)
def test_normalize_phone_valid(typed, region, expected):
    assert normalize_phone(typed, region) == expected


def test_normalize_phone_region_defaults_to_gb():
    assert normalize_phone("020 7946 0018") == "+442079460018"


def test_normalize_phone_refuses_possible_but_invalid_number():
    # Ofcom keeps 07700 900xxx for drama: the right length, but never a real number.
    assert phonenumbers.is_possible_number(phonenumbers.parse("07700 900123", "GB"))
    refused(normalize_phone, "07700 900123", "GB", match="not a valid United Kingdom phone number")


@pytest.mark.parametrize(
    "typed",
    [
        "+1 416-810-9897 ext. 752",
        "+1 416 810 9897 x752",
        "+14168109897;ext=752",
        "(416) 810-9897 #752",
    ],
)
def test_normalize_phone_keeps_an_extension_as_import_does(typed):
    assert normalize_phone(typed, "CA") == "+14168109897;ext=752"


@pytest.mark.parametrize(
    ("typed", "region", "match"),
    [
        ("+1 555 555 5555", None, r"not a valid United States phone number"),
        ("(11) 1234-5678", "BR", r"not a valid Brazil phone number"),
        ("+55 11 1234", None, r"too short"),
        ("+44 20 7946 0018 9999", None, r"too long"),
        ("7946 0018", "GB", r"include the area code"),
        ("020 7946 0018", None, r"start the number with \+ and its country code"),
        ("+999 123 456", None, r"country code after \+ is not one we know"),
        ("call me", "GB", r"only contain digits"),
        ("0800 FLOWERS", "GB", r"only contain digits"),
        ("+44 20 7946 0018 ext 12a", "GB", r"only contain digits"),
        ("+44 20 ext 12", "GB", r"too short"),  # the number before its extension
        ("++--", "GB", r"doesn't look like a phone number"),
        ("", "GB", r"Phone number is required"),
        ("+44 20\x1b[0m 7946 0018", "GB", r"hidden control"),
    ],
)
def test_normalize_phone_invalid(typed, region, match):
    refused(normalize_phone, typed, region, match=match)


def test_format_phone():
    assert format_phone("+442079460018") == "+44 20 7946 0018"
    assert format_phone("+12025550143") == "+1 202-555-0143"
    assert format_phone("+5511912345678") == "+55 11 91234-5678"
    assert format_phone("garbage") == "garbage"
    assert format_phone("") == ""


def test_phone_digits():
    assert phone_digits("+44 (0)20 7946-0018") == "440207946" + "0018"
    assert phone_digits("no digits") == ""


# --- countries, states, zip codes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("DE", "DE"),
        ("de", "DE"),
        ("DEU", "DE"),
        ("germany", "DE"),
        ("United Kingdom", "GB"),
        ("Côte d'Ivoire", "CI"),
        ("bolivia", "BO"),
        ("", ""),
    ],
)
def test_normalize_country_valid(typed, expected):
    assert normalize_country(typed) == expected


@pytest.mark.parametrize("typed", ["Narnia", "XX", "XYZ", "Germ"])
def test_normalize_country_invalid(typed):
    refused(normalize_country, typed, match="not a country we know")


def test_country_choices_sorted_by_name():
    choices = country_choices()
    assert ("DE", "Germany") in choices
    assert ("BO", "Bolivia") in choices  # the common name, not "Bolivia, Plurinational State of"
    assert len(choices) == len({code for code, _ in choices}) > 240
    names = [name for _, name in choices]
    assert names.index("Afghanistan") < names.index("Åland Islands") < names.index("Albania")
    assert names[-1] == "Zimbabwe"


def test_state_choices():
    states = state_choices("us")
    assert ("US-CA", "California") in states
    assert [name for _, name in states][:2] == ["Alabama", "Alaska"]
    assert ("DE-BY", "Bayern") in state_choices("DE")
    assert state_choices("VA") == []  # Vatican City has no subdivisions


@pytest.mark.parametrize(
    ("typed", "country", "expected"),
    [
        ("CA", "US", "US-CA"),
        ("ca", "us", "US-CA"),
        ("US-CA", "US", "US-CA"),
        ("california", "US", "US-CA"),
        ("Bayern", "Germany", "DE-BY"),
        ("", "US", ""),
        ("  Anywhere  ", "VA", "Anywhere"),  # no subdivisions: free text
        ("Some County", None, "Some County"),  # no country: free text
    ],
)
def test_normalize_state_valid(typed, country, expected):
    assert normalize_state(typed, country) == expected


@pytest.mark.parametrize(
    ("typed", "country", "match"),
    [
        ("Tyrol", "DE", r"not a state or region of Germany"),
        ("ZZ", "US", r"not a state or region of United States"),
        ("La Rioja", "ES", r"could be ES-LO, ES-RI"),
        ("Some\x1b[2J County", None, r"hidden control"),
    ],
)
def test_normalize_state_invalid(typed, country, match):
    refused(normalize_state, typed, country, match=match)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("75001", "75001"),
        ("sw1a  1aa", "SW1A 1AA"),
        (" 12345-6789 ", "12345-6789"),
        ("1234567890123456", "1234567890123456"),
    ],
)
def test_normalize_zip_valid(typed, expected):
    assert normalize_zip(typed) == expected


@pytest.mark.parametrize(
    ("typed", "match"),
    [
        ("", r"Zip code is required"),
        ("SW1A_1AA", r"only contain letters, digits, spaces and hyphens"),
        ("１２３４５", r"only contain letters, digits, spaces and hyphens"),
        ("12345678901234567", r"at most 16"),
        ("12\x0045", r"hidden control"),
    ],
)
def test_normalize_zip_invalid(typed, match):
    refused(normalize_zip, typed, match=match)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Deutschland", "DE"),
        ("U.S.A.", "US"),
        ("UK", "GB"),
        ("usa", "US"),
        ("Österreich", "AT"),
        ("Royaume-Uni", "GB"),
        ("España", "ES"),
        ("日本", "JP"),
        ("DEU", "DE"),
        ("Holland", "NL"),
    ],
)
def test_country_names_in_common_languages_and_forms(typed, code):
    assert normalize_country(typed) == code


@pytest.mark.parametrize(
    ("typed", "country", "code"),
    [("Bayern", "DE", "DE-BY"), ("Bavaria", "DE", "DE-BY"), ("quebec", "CA", "CA-QC")],
)
def test_subdivisions_by_name_code_or_translation(typed, country, code):
    assert normalize_state(typed, country) == code


@pytest.mark.parametrize(
    ("typed", "region", "result"),
    [
        ("905-555-1234", "CA", ("+19055551234", True)),  # the address's country
        ("905-555-1234", "", ("905-555-1234", False)),  # GB would be a guess
        ("(800) 000-0000", "", ("(800) 000-0000", False)),
        ("020 7946 0018", "", ("+442079460018", True)),  # written as the UK writes it
        ("020 7946 0018", "DE", ("020 7946 0018", False)),  # UK-only, address in Germany
        ("416-810-9897x752", "CA", ("+14168109897;ext=752", True)),
        ("tel:+1-418-656-9254;ext=102", "", ("+14186569254;ext=102", True)),
        ("0049 30 1234567", "", ("+49301234567", True)),
        ("(+376) 312/345", "", ("+376312345", True)),  # its country code in brackets
    ],
)
def test_read_phone_from_a_file(typed, region, result):
    from contacts_tui.validation import read_phone

    assert read_phone(typed, region, "GB") == result
