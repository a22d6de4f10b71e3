"""Values shaped like the world's, for tests that hold a fast path to the slow one.

Phone numbers: libphonenumber's own example of every type of every region (and of the
non-geographic codes), written the ways address books write them: E.164, international,
national, RFC 3966, with 00 or 011 in front, the country code without +, `(0)`, odd
separators, extensions, a digit too many or too few. E-mails: plain, upper case, IDN,
quoted, plus-addressed, broken. Texts: odd whitespace, controls, direction marks,
decomposed accents, other scripts, too long.
"""

from __future__ import annotations

import itertools

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

_TYPES = [
    getattr(PhoneNumberType, name)
    for name in (
        "FIXED_LINE",
        "MOBILE",
        "TOLL_FREE",
        "PREMIUM_RATE",
        "SHARED_COST",
        "VOIP",
        "PERSONAL_NUMBER",
        "PAGER",
        "UAN",
        "VOICEMAIL",
    )
]


def example_numbers() -> list[tuple[str, phonenumbers.PhoneNumber]]:
    """(region, number) for libphonenumber's example of each type of each region."""
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in _TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                found.append((region, number))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number is not None:
            found.append(("001", number))
    return found


def _changed(text: str, position: int, digit: str) -> str:
    """`text` with its digit at `position` (counting digits only, from the end) replaced."""
    places = [n for n, c in enumerate(text) if c.isdigit()]
    if not places:
        return text
    n = places[-1 - position % len(places)]
    return text[:n] + digit + text[n + 1 :]


def phone_texts(every: int = 1) -> list[tuple[str, str]]:
    """(as written, the region of the card it is on) for every `every`-th example
    number (1: the whole world, ~60,000 texts), then odd ones."""
    texts = []
    for n, (region, number) in enumerate(example_numbers()[::every]):
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        code = str(number.country_code)
        digits = e164[1 + len(code) :]
        forms = [
            e164,
            international,
            national,
            phonenumbers.format_number(number, PhoneNumberFormat.RFC3966),
            "00" + e164[1:],
            "011 " + e164[1:],
            e164[1:],  # the country code without +
            f"+{code} (0){digits}",
            f"(+{code}) {digits[:3]}/{digits[3:]}",
            f"+{code}.{digits[:2]}.{digits[2:5]}.{digits[5:]}",
            national.replace(" ", "-"),
            national.replace(" ", "") + " ",
            f"({national})",
            national + " x12",
            international + " ext. 4521",
            e164 + ";ext=102",
            national + "#7",
            _changed(national, n, str(n % 10)),
            national + str(n % 10),
            national[:-1],
            _changed(e164, n + 3, "0"),
            "+" + code,
            digits[:2],
            " " + international + "\t",
            international.replace(" ", "\u00a0"),  # no-break spaces
            "tel:" + e164,
            "TEL:" + national,
        ]
        for form in forms:
            texts.append((form, region if region != "001" else ""))
            # A card whose address is elsewhere, and one with no address.
            texts.append((form, ("US", "GB", "DE", "IN", "")[n % 5]))
    texts += [
        ("905-555-1234", ""),
        ("(800) 000-0000", "CA"),
        ("416-810-9897x752", "CA"),
        ("1-800-FLOWERS", "US"),
        ("+1 (416) 555-0199", ""),
        ("0049 30 2001234", "DE"),
        ("٠٢٠ ٧٢٠٠ ١٢٣٤", "GB"),  # Arabic-Indic digits
        ("０２０ ７２００ １２３４", "GB"),  # full-width digits
        ("+44 20 7200 1234 / +44 20 7200 1235", "GB"),
        ("020 7200 1234 - 5", "GB"),
        ("--020 7200 1234--", "GB"),
        ("(((020))) 7200 1234", "GB"),
        ("++44 20 7200 1234", "GB"),
        ("44 20 7200 1234", "GB"),
        ("1 416 555 0199", "CA"),
        ("0", "GB"),
        ("12", "GB"),
        ("123", "GB"),
        ("+", ""),
        ("+0 123 456", ""),
        ("+999 123 456 789", ""),
        ("0" * 20, "GB"),
        ("1" * 18, "US"),
    ]
    return texts


def emails() -> list[str]:
    """E-mail addresses as people's address books hold them, good and bad."""
    good = [
        "ada.lovelace@example.com",
        "Ada.Lovelace@Example.COM",
        "ada+crm@example.co.uk",
        "o'brien@example.ie",
        "first_last-99@sub.domain.example.org",
        "x@example.museum",
        "user@münchen.de",
        "user@xn--mnchen-3ya.de",
        "用户@例子.广告",
        "josé@example.es",
        "ΑΒΓ@example.gr",
        '"john doe"@example.com',
        '"john..doe"@example.com',
        "a!#$%&'*+/=?^_`{|}~-@example.com",
        "user@[192.168.0.1]",
        "user@localhost",
        "user@example.com.",
        "a" * 64 + "@example.com",
        "a" * 65 + "@example.com",
        "user@" + "d" * 63 + ".example",
        "user@" + "d" * 64 + ".example",
        "user@" + ".".join(["abcdefghij"] * 24) + ".com",
        " user@example.com ",
        "user@EXAMPLE.com\u200b",
        "user@exam\u202eple.com",
        "user\u0301@example.com",
        "user@e\u0301xample.com",
    ]
    bad = [
        "",
        "plainaddress",
        "@example.com",
        "user@",
        "user@@example.com",
        "user@example..com",
        ".user@example.com",
        "user.@example.com",
        "us..er@example.com",
        "user name@example.com",
        "user@exa mple.com",
        "user@-example.com",
        "user@example-.com",
        "user@example.c",
        "user@123.123.123.123",
        "user@exam_ple.com",
        "user@example.com\n",
        "user\x07@example.com",
        "Ada <ada@example.com>",
        "mailto:ada@example.com",
    ]
    return good + bad


def texts() -> list[str]:
    """One-line texts (names, companies, streets) with what files put in them."""
    base = [
        "",
        " ",
        "Ada",
        "  Ada Lovelace  ",
        "O'Brien & Sons, Ltd.",
        "Zoë",
        "Zoe\u0308",  # decomposed
        "Ｆｕｌｌ ｗｉｄｔｈ",
        "山田 太郎",
        "Ελληνικά",
        "עברית",
        "العربية",
        "Ada\u00a0Lovelace",
        "Ada\tLovelace",
        "Ada\nLovelace",
        "Ada\r\nLovelace",
        "Ada\x00",
        "Ada\x07",
        "Ada\x1b[31m",
        "\u202eecilA",
        "Ada\u200b",
        "Ada\u2028",
        "Ada\ufeff",
        "\ufeffAda",
        "Ada\x7f",
        "Ada\x85",
        "=SUM(A1)",
        "'=SUM(A1)",
        "a" * 200,
        " " + "a" * 200 + " ",
        "a" * 201,
        "é" * 201,
    ]
    return base + [a + b for a, b in itertools.product(("x", " "), ("\u3000", "\x0b", "\x0c"))]


PLACES = (
    ("", ""), ("GB", ""), ("gb", ""), ("United Kingdom", ""), ("UK", ""), ("U.K.", ""),
    ("Deutschland", "Bayern"), ("Germany", "Bavaria"), ("DEU", "BY"), ("DE", "DE-BY"),
    ("U.S.A.", "California"), ("usa", "TX"), ("United States", " ca "), ("Canada", "quebec"),
    ("CA", "ON"), ("日本", ""), ("Österreich", ""), ("Espagne", "Madrid"), ("ES", "La Rioja"),
    ("Holland", ""), ("Côte d'Ivoire", ""), ("Ivory Coast", ""), (" France ", ""),
    ("Brasil", ""), ("Narnia", ""), ("X", ""), ("Germany", "Nowhere"), ("", "Somewhere"),
)  # fmt: skip
"""(country, state) as address books write them; the last four are refused."""
ZIPS = ("SW1A 1AA", "sw1a  1aa", "10115", "M5E 1E6", "90210-1234", " 75008 ", "", "12#45",
        "1" * 17, "ÄB 12")  # fmt: skip
STREETS = ("1 High St", "Hauptstraße 5", "  12 Rue de Rivoli ", "Suite 5, 1 Main St", "大通り1")


def addresses() -> list[dict[str, str]]:
    """Address records as files give them: every country form, state, zip and text."""
    found = []
    lines = texts()
    for n in range(3000):
        country, state = PLACES[n % len(PLACES)]
        address = {
            "address": STREETS[n % 5] if n % 4 else lines[n % len(lines)],
            "city": ("London", "Zürich", "", lines[(n * 7) % len(lines)])[n % 4],
            "locality": ("London", "Mitte", "", lines[(n * 3) % len(lines)])[(n // 4) % 4],
            "state": state,
            "zip_code": ZIPS[(n * 7) % 6] if n % 5 else ZIPS[n % len(ZIPS)],
            "country": country,
            "type": ("", "Office", "office", "Personal", "Billing", "Nope")[n % 6],
        }
        if n % 9 == 0:
            del address["city"]
        if n % 13 == 0:
            address["po_box"] = "12"  # no such field: validate says so
        found.append(address)
    return found
