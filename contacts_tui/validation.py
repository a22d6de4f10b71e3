"""Field validation and normalisation shared by the UI, import and scripts."""

from __future__ import annotations

import functools
import importlib
import re
import unicodedata
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from contacts_tui import phone_rules
from contacts_tui.safe_text import UNSAFE_CHAR


class _ImportedOnFirstUse:
    """A module imported the first time one of its names is used (thread-safe: it is
    importlib's own import, under its module lock).

    Phonenumbers, pycountry, schwifty and email_validator take about 55 ms and 8 MB to
    import, and every session starts on the contact list, which needs none of them.
    """

    def __init__(self, name: str, prepare: Callable[[Any], None] | None = None) -> None:
        self._name = name
        self._prepare = prepare  # called with the module once it is imported
        self._module: Any = None

    def __getattr__(self, attribute: str) -> Any:
        # Kept once imported: import_module on every use was 3% of an import's time.
        module = self._module
        if module is None:
            module = importlib.import_module(self._name)
            if self._prepare is not None:
                self._prepare(module)
            self._module = module
        value = getattr(module, attribute)
        # Kept as this object's own attribute: the next use is an ordinary look-up, not
        # this method (a phone number read used a dozen).
        self.__dict__[attribute] = value
        return value


def _keep_phone_patterns(module: Any) -> None:
    """phonenumbers compiles its metadata's patterns through `re`'s cache at every use
    (15 look-ups a number); its own cache keeps them: ~12 µs less a number read."""
    keep = getattr(module, "enable_pattern_cache", None)  # not in older versions
    if keep is not None:
        keep()


phonenumbers: Any = _ImportedOnFirstUse("phonenumbers", _keep_phone_patterns)
pycountry: Any = _ImportedOnFirstUse("pycountry")
email_validator: Any = _ImportedOnFirstUse("email_validator")
schwifty: Any = _ImportedOnFirstUse("schwifty")
iban_errors: Any = _ImportedOnFirstUse("schwifty.exceptions")


class ValidationError(ValueError):
    """A value a user typed is not acceptable; the message says why, in plain words."""


# --- Text ------------------------------------------------------------------------------------


TEXT_MAX = 200
"""Characters of one line of text (a name, a street), unless a field says otherwise."""


def clean_text(
    value: str | None, *, field: str, required: bool = False, max_length: int = TEXT_MAX
) -> str:
    """Trim and NFC-normalise one line of user text; refuse control and escape characters."""
    value = value or ""
    if value.isascii() and value.isprintable():
        # The usual case, and most of an import's cells: printable ASCII is its own NFC
        # form and holds none of UNSAFE_CHAR's characters.
        text = value.strip()
    else:
        text = unicodedata.normalize("NFC", value).strip()
        if UNSAFE_CHAR.search(text):
            raise ValidationError(
                f"{field} contains hidden control or text-direction characters"
                " — please retype it without them."
            )
    if required and not text:
        raise ValidationError(f"{field} is required.")
    if len(text) > max_length:
        raise ValidationError(f"{field} must be at most {max_length} characters long.")
    return text


# --- Numbers -----------------------------------------------------------------------------------

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def normalize_scoring(value: str | int | None, low: int = 0, high: int = 100) -> int | None:
    """Return the scoring as an int in ``low..high``, or None when left blank."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        value = int(value) if _WHOLE_NUMBER.fullmatch(value) else None
    elif value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(f"Scoring must be a whole number from {low} to {high}.")
    return value


# --- Bank accounts -----------------------------------------------------------------------------


def _country_name(alpha2: str) -> str:
    country = pycountry.countries.get(alpha_2=alpha2)
    if country is None:
        return alpha2
    return getattr(country, "common_name", country.name)


def normalize_iban(text: str) -> str:
    """Return the IBAN compact and upper-case, checked against its country's registry entry."""
    compact = re.sub(r"\s+", "", clean_text(text, field="IBAN", required=True, max_length=64))
    compact = compact.upper()
    if not compact.isascii() or not compact.isalnum():
        raise ValidationError("An IBAN can only contain letters and digits.")
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}.*", compact):
        raise ValidationError(
            "An IBAN starts with a two-letter country code and two check digits, e.g. DE89 …"
        )
    country = compact[:2]
    try:
        with warnings.catch_warnings():
            # Countries whose national check digits schwifty cannot verify only warn; the
            # registry format, length and IBAN check digits are still checked for them.
            warnings.simplefilter("ignore", iban_errors.NationalChecksumNotVerified)
            schwifty.IBAN(compact, validate_bban=True)
    except iban_errors.InvalidCountryCode:
        if pycountry.countries.get(alpha_2=country) is None:
            message = f"An IBAN starts with a country code; “{country}” is not one."
        else:
            message = f"{_country_name(country)} does not use IBANs."
        raise ValidationError(message) from None
    except iban_errors.InvalidLength:
        expected = schwifty.IBAN(compact, allow_invalid=True).spec.iban_length
        raise ValidationError(
            f"An IBAN from {_country_name(country)} has {expected} characters;"
            f" this one has {len(compact)}."
        ) from None
    except iban_errors.InvalidChecksumDigits:
        raise ValidationError(
            "This IBAN's check digits are wrong — please check for a typo."
        ) from None
    except iban_errors.InvalidBBANChecksum:
        raise ValidationError(
            "The account number in this IBAN fails its national check — please check for a typo."
        ) from None
    except iban_errors.SchwiftyException:
        raise ValidationError(
            f"This is not how IBANs from {_country_name(country)} look — please check for a typo."
        ) from None
    return compact


def format_iban(compact: str) -> str:
    """Show an IBAN in groups of four characters."""
    compact = re.sub(r"\s+", "", compact).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def normalize_bic(text: str, iban: str | None = None) -> tuple[str, str | None]:
    """Return (compact BIC, warning or None); blank gives ("", None) since SWIFT is optional."""
    compact = re.sub(r"\s+", "", clean_text(text, field="SWIFT/BIC", max_length=32)).upper()
    if not compact:
        return "", None
    try:
        bic = schwifty.BIC(compact)
    except iban_errors.InvalidLength:
        raise ValidationError(
            f"A SWIFT/BIC code has 8 or 11 characters; this one has {len(compact)}."
        ) from None
    except iban_errors.InvalidCountryCode:
        raise ValidationError(
            f"“{compact[4:6]}” in this SWIFT/BIC code is not a country code."
        ) from None
    except iban_errors.SchwiftyException:
        raise ValidationError(
            "A SWIFT/BIC code is 4 letters or digits for the bank, 2 letters for the country,"
            " 2 for the location and optionally 3 for the branch, e.g. COBADEFFXXX."
        ) from None
    iban_country = re.sub(r"\s+", "", iban or "")[:2].upper()
    if iban_country and iban_country != bic.country_code:
        return compact, (
            f"This SWIFT/BIC code is for a bank in {_country_name(bic.country_code)}, but the IBAN"
            f" is from {_country_name(iban_country)} — please check they belong together."
        )
    return compact, None


def bank_from_iban(iban: str) -> tuple[str | None, str | None]:
    """Return (BIC, bank name) for the IBAN's bank where the registry knows it."""
    try:
        account = schwifty.IBAN(iban, allow_invalid=True)
        bic = account.bic
        return (str(bic) if bic else None), (account.bank_name or None)
    except iban_errors.SchwiftyException:
        return None, None


# --- E-mail and phone --------------------------------------------------------------------------


_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def normalize_email(text: str) -> str:
    """Return the e-mail address normalised (domain lower-case); syntax only, no DNS."""
    address = clean_text(text, field="E-mail", required=True, max_length=320)
    local, at, domain = address.rpartition("@")
    if at and len(local) <= 64 and len(address) <= 254 and _DOT_ATOM.fullmatch(local):
        # The usual plain address: only its domain needs email-validator, and an import
        # meets the same few domains thousands of times (0.5 ms each, a third of a row).
        checked = _checked_domain(domain)
        if isinstance(checked, str):
            return f"{local}@{checked}"
    try:
        return email_validator.validate_email(address, check_deliverability=False).normalized
    except email_validator.EmailNotValidError as error:
        # email-validator's messages are written for end users ("must have an @-sign").
        raise ValidationError(str(error)) from None


@functools.lru_cache(maxsize=4096)
def _checked_domain(domain: str) -> str | None:
    """The domain as email-validator normalises it, or None (then it says why, in full)."""
    try:
        return email_validator.validate_email(f"a@{domain}", check_deliverability=False).domain
    except email_validator.EmailNotValidError:
        return None


_PHONE_CHARACTERS = re.compile(r"[\d\s+().\-/]+")


def normalize_phone(text: str, region: str | None = "GB") -> str:
    """Return the phone number in E.164; numbers without +country are read as ``region``'s.

    An extension typed after it (x752, ext. 752, ;ext=752) is kept, as import keeps one:
    +14168109897;ext=752."""
    typed = clean_text(text, field="Phone number", required=True, max_length=40)
    extension = _EXTENSION.search(typed) if not _PHONE_CHARACTERS.fullmatch(typed) else None
    if extension:
        number = normalize_phone(typed[: extension.start()], region)
        return f"{number};ext={extension.group(1)}"
    if not _PHONE_CHARACTERS.fullmatch(typed):
        raise ValidationError(
            "A phone number can only contain digits, spaces and + ( ) - . /, "
            "then an extension (x752)"
        )
    try:
        number = phonenumbers.parse(typed, (region or "").upper() or None)
    except phonenumbers.NumberParseException as error:
        if error.error_type != phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise ValidationError("This doesn't look like a phone number.") from None
        if typed.startswith("+"):
            raise ValidationError("The country code after + is not one we know.") from None
        raise ValidationError("Please start the number with + and its country code.") from None
    if not phonenumbers.is_valid_number(number):
        reason = phonenumbers.is_possible_number_with_reason(number)
        if reason == phonenumbers.ValidationResult.TOO_SHORT:
            raise ValidationError("This phone number is too short — please check the digits.")
        if reason == phonenumbers.ValidationResult.TOO_LONG:
            raise ValidationError("This phone number is too long — please check the digits.")
        if reason == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
            raise ValidationError("Please include the area code.")
        country = phonenumbers.region_code_for_country_code(number.country_code)
        where = f" {_country_name(country)}" if country.isalpha() and country != "ZZ" else ""
        raise ValidationError(f"This is not a valid{where} phone number — please check the digits.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_SHOWN: OrderedDict[str, str] = OrderedDict()
"""E.164 -> international form of the numbers `read_phone` read last: an import shows
each primary number in the list right after reading it, and parsing it again cost as
much as reading it."""
_SHOWN_KEPT = 10_000
"""More than an import's largest batch (services.imports.MAX_BATCH): every number of a
batch is still here when its contacts are written."""


def _remember_shown(e164: str, shown: str) -> None:
    if len(_SHOWN) >= _SHOWN_KEPT:
        # The oldest. (A dict's first key is found by stepping over the slots of every
        # key deleted before it: 2.7 µs a number read, where this is constant.)
        _SHOWN.popitem(last=False)
    _SHOWN[e164] = shown


def shown_forms(numbers: Iterable[str]) -> dict[str, str]:
    """E.164 -> international form of those of `numbers` this process read last: what
    another process that writes them needs so as not to parse them again."""
    return {n: _SHOWN[n] for n in numbers if n in _SHOWN}


def remember_shown_forms(forms: dict[str, str]) -> None:
    """Take the international forms another process read (`shown_forms`)."""
    for e164, shown in forms.items():
        _remember_shown(e164, shown)


def format_phone(e164: str) -> str:
    """Show a stored number in international format, or unchanged if it cannot be read."""
    shown = _SHOWN.get(e164)
    if shown is not None:
        return shown
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_digits(text: str) -> str:
    """Only the digits 0-9 of ``text``, for search."""
    return re.sub(r"[^0-9]", "", text)


# --- Addresses ---------------------------------------------------------------------------------


def _sort_key(name: str) -> str:
    # "Åland Islands" sorts with A, not after Z.
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def normalize_country(text: str) -> str:
    """Return the ISO 3166 alpha-2 code for a code or a name as address books write it.

    Alpha-2 and alpha-3 codes, English names, the names in the common languages
    (Deutschland, Espagne, 日本), and the usual short forms (UK, U.S.A., Holland).
    """
    typed = clean_text(text, field="Country", max_length=100)
    if not typed:
        return ""
    return _country_code(typed)


@functools.lru_cache(maxsize=1024)
def _country_code(typed: str) -> str:
    key = _name_key(typed)
    if key in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[key]
    try:
        return pycountry.countries.lookup(typed).alpha_2
    except LookupError:
        pass
    # Only now the translations: reading them takes most of a second, once.
    code = _country_names().get(key)
    if code is None:
        raise ValidationError(
            f"“{typed}” is not a country we know — type its name or code, e.g. DE."
        )
    return code


COUNTRY_LANGUAGES = (
    "de", "fr", "es", "it", "nl", "pt", "pt_BR", "sv", "da", "nb", "fi", "pl", "cs",
    "hu", "ro", "el", "tr", "ru", "uk", "ja", "zh_CN", "zh_TW", "ko", "ar", "he",
)  # fmt: skip
"""Languages whose country names import understands (pycountry's ISO 3166 translations)."""

COUNTRY_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "us": "US",
    "america": "US",
    "united states of america": "US",
    "holland": "NL",
    "the netherlands": "NL",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "north korea": "KP",
    "czech republic": "CZ",
    "ivory coast": "CI",
    "vietnam": "VN",
    "iran": "IR",
    "syria": "SY",
    "taiwan": "TW",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "macedonia": "MK",
    "moldova": "MD",
    "laos": "LA",
    "vatican": "VA",
    "uae": "AE",
}
"""Short and everyday forms of country names that are not in ISO 3166 (keys: _name_key)."""


def _name_key(text: str) -> str:
    """`U.S.A.`, `u s a` and `USA` alike; accents and case folded (`Österreich` = `osterreich`)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    if re.fullmatch(r"(?:[a-z]\.\s*)+", folded):  # U.S.A., U.K.
        folded = folded.replace(".", "").replace(" ", "")
    return " ".join(re.sub(r"[.,()'’]", " ", folded).split())


@cache
def _country_names() -> dict[str, str]:
    """name key -> alpha-2, from every ISO name in COUNTRY_LANGUAGES and English."""
    import gettext

    names: dict[str, str] = {_name_key(k): v for k, v in COUNTRY_ALIASES.items()}
    countries = list(pycountry.countries)
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in COUNTRY_LANGUAGES
    ]
    for country in countries:
        english = [
            str(name)
            for attribute in ("name", "official_name", "common_name")
            if (name := getattr(country, attribute, None))
        ]
        for name in english:
            names.setdefault(_name_key(name), country.alpha_2)
            for translation in translations:
                names.setdefault(_name_key(translation.gettext(name)), country.alpha_2)
        names.setdefault(_name_key(country.alpha_3), country.alpha_2)
    return names


@cache
def _countries() -> tuple[tuple[str, str], ...]:
    pairs = ((country.alpha_2, _country_name(country.alpha_2)) for country in pycountry.countries)
    # Then by code: two subdivisions can share a name (ES-LO and ES-RI are both "La
    # Rioja"), and pycountry's own order is not the same from run to run.
    return tuple(sorted(pairs, key=lambda pair: (_sort_key(pair[1]), pair[0])))


def country_choices() -> list[tuple[str, str]]:
    """(alpha-2, name) of every ISO 3166 country, sorted by name."""
    return list(_countries())


@cache
def _states(country: str) -> tuple[tuple[str, str], ...]:
    subdivisions = pycountry.subdivisions.get(country_code=country) or []
    pairs = ((state.code, state.name) for state in subdivisions)
    # Then by code: two subdivisions can share a name (ES-LO and ES-RI are both "La
    # Rioja"), and pycountry's own order is not the same from run to run.
    return tuple(sorted(pairs, key=lambda pair: (_sort_key(pair[1]), pair[0])))


def state_choices(country: str) -> list[tuple[str, str]]:
    """ISO 3166-2 (code, name) of the country's subdivisions, sorted by name; [] if none."""
    return list(_states(country.strip().upper()))


def state_name(state: str, country: str) -> str:
    """A stored state as another address book should show it: its name (California),
    or its code within the country (LO) where two share the name; as stored if it is
    not a subdivision's code."""
    return _state_names(country.strip().upper()).get(state, state)


@cache
def _state_names(country: str) -> dict[str, str]:
    states = _states(country)
    names = [name for _, name in states]
    return {
        code: name if names.count(name) == 1 else code.split("-", 1)[1] for code, name in states
    }


_COUNTY = re.compile(r"^(?:co\.?|county)\s+", re.IGNORECASE)


def normalize_state(text: str, country: str | None) -> str:
    """Return the ISO 3166-2 code where the country has subdivisions, else free text."""
    typed = clean_text(text, field="State", max_length=100)
    country_code = normalize_country(country or "")
    states = _states(country_code) if country_code else ()
    if not typed or not states:
        return typed
    own, translated = _state_index(country_code)
    key = _name_key(typed)
    # Codes and ISO names first: a translation may name two subdivisions alike (Madrid
    # is ES-M, the province, in ISO; some languages call ES-MD, the community, so too).
    matches = own.get(key) or translated.get(key, [])
    if not matches:  # Ireland's and Britain's "Co. Galway", "County Durham": the county
        county = _COUNTY.sub("", typed)
        if county != typed:
            key = _name_key(county)
            matches = own.get(key) or translated.get(key, [])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValidationError(
            f"“{typed}” could be {', '.join(matches)} — please pick one of those codes."
        )
    raise ValidationError(
        f"“{typed}” is not a state or region of {_country_name(country_code)}"
        " — please pick one from the list."
    )


@cache
def _state_index(country: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(code, short code or ISO name -> codes; translated name -> codes) of a country."""
    own: dict[str, list[str]] = {}
    translated: dict[str, list[str]] = {}
    for code, name in _states(country):
        for key in {code.casefold(), code.split("-", 1)[1].casefold(), _name_key(name)}:
            own.setdefault(key, []).append(code)
        for key in _subdivision_keys(code, name):
            translated.setdefault(key, []).append(code)
    return own, translated


@cache
def _subdivision_translations() -> tuple[Any, ...]:
    import gettext

    return tuple(
        gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in COUNTRY_LANGUAGES
    )


def _subdivision_keys(code: str, name: str) -> tuple[str, ...]:
    """The name keys a subdivision is known by: its ISO name and its translations."""
    keys = {_name_key(name)}
    keys.update(_name_key(t.gettext(name)) for t in _subdivision_translations())
    return tuple(keys)


_ZIP = re.compile(r"[A-Za-z0-9 -]+")


def normalize_zip(text: str) -> str:
    """Return the zip code trimmed, upper-case, with single spaces."""
    typed = clean_text(text, field="Zip code", required=True, max_length=16)
    if not _ZIP.fullmatch(typed):
        raise ValidationError("A zip code can only contain letters, digits, spaces and hyphens.")
    return " ".join(typed.upper().split())


# --- The contact's profile fields ------------------------------------------------------------

_BIRTHDAY_FORMS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),  # 1985-04-12
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),  # vCard 3.0's basic form: 19850412
    re.compile(r"--(?P<m>\d{2})-?(?P<d>\d{2})"),  # vCard 4.0 without the year: --0412
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})T[0-9:.Z+-]*"),  # with a time
)


_NO_DATE = frozenset(("0/0/00", "0.0.00", "0/0/0000", "00/00/0000", "0000-00-00"))
"""What Outlook (0/0/00, in German 0.0.00) and some databases write for a date nobody gave."""


_WRITTEN_DATE = re.compile(r"(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})")
"""A date as people and Windows write it: 12/04/1985, 4/12/1985, 12.04.1985, 12-04-1985."""
MONTH_FIRST_REGIONS = frozenset(("US", "PH", "FM", "MH", "PW", "GU", "AS", "MP", "PR", "VI", "UM"))
"""Where 4/12/1985 is April 12th (Outlook writes dates in the Windows locale's form)."""


def _written_date(match: re.Match[str], region: str) -> dict[str, str]:
    """Day, month and year of a _WRITTEN_DATE: a part above 12 is the day; else the day
    comes first, but for a slash in a month-first region."""
    a, b, sep = match["a"], match["b"], match["sep"]
    month_first = int(b) > 12 or (
        int(a) <= 12 and sep == "/" and region.upper() in MONTH_FIRST_REGIONS
    )
    month, day = (a, b) if month_first else (b, a)
    return {"y": match["y"], "m": month, "d": day}


def normalize_birthday(text: str, region: str = "") -> str:
    """Return the birthday as 1985-04-12, or --04-12 when the year is not known.

    `region`: the workspace's country, for a date written 4/12/1985 (month first in the
    US, day first elsewhere)."""
    typed = clean_text(text, field="Birthday", max_length=40)
    if not typed or typed in _NO_DATE:
        return ""
    import datetime

    for form in (*_BIRTHDAY_FORMS, _WRITTEN_DATE):
        match = form.fullmatch(typed)
        if match is None:
            continue
        parts = _written_date(match, region) if form is _WRITTEN_DATE else match.groupdict()
        year = int(parts["y"]) if parts.get("y") else 2000  # a leap year: --02-29 is a day
        try:
            day = datetime.date(year, int(parts["m"]), int(parts["d"]))
        except ValueError:
            break
        if parts.get("y"):
            return day.isoformat()
        return f"--{day.month:02d}-{day.day:02d}"
    raise ValidationError(
        f"“{typed}” is not a date; write it as 1985-04-12, or --04-12 without the year."
    )


_WEBSITE = re.compile(r"[^\s<>\"]+\.[^\s<>\"]+")


def normalize_website(text: str) -> str:
    """Return the web address as typed, with https:// in front when it has no scheme."""
    typed = clean_text(text, field="Website", max_length=255)
    if not typed:
        return ""
    if not _WEBSITE.fullmatch(typed):
        raise ValidationError(f"“{typed}” is not a web address, e.g. https://example.com.")
    if "://" not in typed:
        return "https://" + typed
    return typed


NOTES_MAX_LENGTH = 20_000


def clean_notes(text: str | None) -> str:
    """Free text on several lines: tabs and line breaks stay, other control characters not."""
    notes = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    notes = notes.replace("\t", "    ").strip()
    if UNSAFE_CHAR.search(notes.replace("\n", " ")):
        raise ValidationError(
            "Notes contain hidden control or text-direction characters"
            " — please retype them without them."
        )
    if len(notes) > NOTES_MAX_LENGTH:
        raise ValidationError(f"Notes must be at most {NOTES_MAX_LENGTH:,} characters long.")
    return notes


def normalize_profile_field(key: str, value: str | None, region: str = "") -> str:
    """One of the contact's profile fields (job title, …, notes), checked and normalised
    (`region`: the workspace's country, which a birthday's 4/12/1985 is read by)."""
    if key == "birthday":
        return normalize_birthday(value or "", region)
    if key == "website":
        return normalize_website(value or "")
    if key == "notes":
        return clean_notes(value)
    label = {"job_title": "Job title"}.get(key, key.replace("_", " ").capitalize())
    return clean_text(value, field=label)


# --- Phone numbers from files --------------------------------------------------------------------

_EXTENSION = re.compile(
    r"\s*(?:;\s*ext\s*=|,?\s*(?:ext\.?|extension|x|#)|[,;]+)\s*(\d{1,10})\s*$", re.I
)
"""An extension: x752, ext. 752, ;ext=102, or after a phone's pause or wait (,,752 ;752)."""


def read_phone(text: str, region: str = "", default_region: str | None = "GB") -> tuple[str, bool]:
    """A phone number from a file: (number to store, whether its country is certain).

    A national number takes `region` (the country of the same card's address), else
    the workspace's `default_region`; one valid only in the workspace's country though
    the address is elsewhere is kept as typed (False). With the default, a number
    written without the country's trunk prefix (905-555-1234 for the UK, which wants
    0…) is only valid under a guess: it comes back as typed with False, never re-homed
    to another country. The
    extension (x752, ext. 752, ;ext=102, a phone's ,,752) is kept: +14168109897;ext=752.
    """
    typed = clean_text(text, field="Phone number", required=True, max_length=60)
    stored, certain, e164, shown = _read_phone(typed, region, default_region)
    if shown:
        _remember_shown(e164, shown)
    return stored, certain


@functools.lru_cache(maxsize=4096)
def _read_phone(typed: str, region: str, default_region: str | None) -> tuple[str, bool, str, str]:
    """read_phone's (stored, certain) and the E.164 form with its international form
    ("" with an extension), remembered: a file repeats its switchboards' numbers, and
    reading one is most of an imported row's time."""
    body = typed[4:] if typed[:4].casefold() == "tel:" else typed
    extension = ""
    if not _PHONE_CHARACTERS.fullmatch(body):  # else it has no extension: no x, # or ;
        match = _EXTENSION.search(body)
        if match:
            extension = match.group(1)
            body = body[: match.start()]
        if not _PHONE_CHARACTERS.fullmatch(body):
            raise ValidationError("A phone number can only contain digits, spaces and + ( ) - . /")
    if body.startswith("00"):
        body = "+" + body[2:]
    international = _INTERNATIONAL.match(body) is not None
    reading = (region or default_region or "").upper() or None
    read = _valid_number(body, reading)
    if read is None and region and not international and default_region:
        # Not a number of the address's country; one of the workspace's country is still
        # only a guess: kept as written.
        normalize_phone(body, default_region)  # not valid there either: says why
        return typed, False, "", ""
    if read is None:
        normalize_phone(body, reading)  # says why, as for a number typed in the app
        raise ValidationError("This doesn't look like a phone number.")  # pragma: no cover
    code, stored, shown = read
    with_extension = f"{stored};ext={extension}" if extension else stored
    if international or region:
        return with_extension, True, stored, shown
    numbers = phonenumbers.phonenumberutil
    metadata = numbers.PhoneMetadata.metadata_for_region(reading or "")
    trunk = metadata.national_prefix if metadata is not None else None
    written = re.sub(r"\D", "", body)
    if code == 1 or not trunk or written.startswith(trunk):
        return with_extension, True, stored, shown
    return typed, False, stored, shown


def _valid_number(body: str, reading: str | None) -> tuple[int, str, str] | None:
    """(country code, E.164, international form or "" with an extension) of the number
    `body` read as `reading`'s, None if it is not a valid number."""
    numbers = phonenumbers.phonenumberutil
    try:
        plain = _plain_national(body, reading)
        if plain is not None:
            code, national = plain
            # phonenumbers' own rules without its general machinery (phone_rules) where
            # they can be read; a plain number has no extension.
            valid = phone_rules.is_valid(code, national, reading)
            if valid is False:
                return None
            shown = phone_rules.international(code, national) if valid else None
            if shown is not None:
                return code, f"+{code}{national}", shown
        number = plain_number(body, reading)
        if number is None:
            number = numbers.parse(body, reading)
        if not _is_valid_number(number, reading):
            return None
    except numbers.NumberParseException:
        return None
    stored = numbers.format_number(number, numbers.PhoneNumberFormat.E164)
    shown = ""
    if not number.extension:
        shown = numbers.format_number(number, numbers.PhoneNumberFormat.INTERNATIONAL)
    return number.country_code, stored, shown


_INTERNATIONAL = re.compile(r"[\s(]*\+")
"""A number that gives its country code: `+1 416…`, `(+376) 312/345`."""
_PLAIN_NUMBER = re.compile(r"[(]*\+?[0-9 ().\-/]*")
"""A number written as ASCII digits and separators, `+` first if at all: most are."""
_SEPARATORS = str.maketrans("", "", " ().-/+")


@functools.cache
def _pattern(expression: str) -> re.Pattern[str]:
    return re.compile(expression)


def plain_number(body: str, region: str | None) -> Any:
    """phonenumbers.parse(body, region) for a number written as `_PLAIN_NUMBER` that it
    reads without an error, taking the same steps; None for any other (then parse).

    phonenumbers reads any text (letters for digits, extensions, RFC 3966, digits of
    every script) through a dozen regular expressions and a character-by-character
    normalisation: ~30 µs a number, a sixth of an imported row. For digits and
    separators those steps come down to: the digits, the country code after a `+`, the
    national prefix stripped by phonenumbers' own function and rule. A number that
    could be read in another way (an international prefix such as 00 or 011, the
    country code without `+`, too few or too many digits) is left to parse. The test
    compares the two over numbers of every region in every form.
    """
    plain = _plain_national(body, region)
    if plain is None:
        return None
    code, national = plain
    util = phonenumbers.phonenumberutil
    number = util.PhoneNumber(country_code=code)
    util._set_italian_leading_zeros_for_phone_number(national, number)
    number.national_number = int(national)
    return number


def _plain_national(body: str, region: str | None) -> tuple[int, str] | None:
    """plain_number's (country code, national significant number), or None.

    The national significant number is the national number's digits as they are:
    parse keeps its leading zeros (`italian_leading_zero`) and gives them back.
    """
    util = phonenumbers.phonenumberutil
    if _lengths_not_stripped() is None or not _PLAIN_NUMBER.fullmatch(body):
        return None
    digits = body.translate(_SEPARATORS)
    if len(digits) < 3:  # parse's shortest viable number (or after a +)
        return None
    if "+" in body:
        code, national = util._extract_country_code(digits)
        if code == 0:
            return None
        plan = _plan_of_code(code)
    else:
        if region not in util.SUPPORTED_REGIONS:
            return None
        plan = _plan_of_region(region)
        prefix = plan.international_prefix
        if (prefix is not None and prefix.match(digits)) or digits.startswith(plan.code_digits):
            return None  # parse may read it as international
        code, national = plan.code, digits
    if plan is None or len(national) < 2:
        return None
    _, stripped, _ = util._maybe_strip_national_prefix_carrier_code(national, plan.metadata)
    if not plan.keeps_prefix(stripped):
        national = stripped
    if not 2 <= len(national) <= 17:  # parse's bounds of a national significant number
        return None
    return code, national


class _ReadingPlan:
    """What parse looks up in a region's (or country code's) metadata for each number,
    looked up once."""

    def __init__(self, metadata: Any) -> None:
        self.metadata = metadata
        self.code: int = metadata.country_code
        self.code_digits = str(self.code)
        prefix = metadata.international_prefix
        self.international_prefix = _pattern(prefix) if prefix is not None else None
        self._kept: dict[int, bool] = {}

    def keeps_prefix(self, stripped: str) -> bool:
        """Whether parse keeps the national prefix it could strip, leaving `stripped`:
        as phonenumbers' _test_number_length says, which reads only its length."""
        kept = self._kept.get(len(stripped))
        if kept is None:
            util = phonenumbers.phonenumberutil
            result = util._test_number_length(stripped, self.metadata)
            kept = self._kept[len(stripped)] = result in (_lengths_not_stripped() or ())
        return kept


@functools.cache
def _plan_of_region(region: str) -> _ReadingPlan:
    return _ReadingPlan(phonenumbers.PhoneMetadata.metadata_for_region(region))


@functools.cache
def _plan_of_code(code: int) -> _ReadingPlan | None:
    """The plan of the metadata parse reads a number of `+code` by, None if none."""
    util = phonenumbers.phonenumberutil
    region = util.region_code_for_country_code(code)
    metadata = util.PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    return _ReadingPlan(metadata) if metadata is not None else None


_PARSE_STEPS = (
    "_extract_country_code",
    "_maybe_strip_national_prefix_carrier_code",
    "_test_number_length",
    "_set_italian_leading_zeros_for_phone_number",
)
"""phonenumbers' own functions plain_number takes parse's steps with (not its public API)."""


@functools.cache
def _lengths_not_stripped() -> tuple[int, ...] | None:
    """The lengths after which parse keeps a national prefix; None if this version of
    phonenumbers lacks one of _PARSE_STEPS (then every number goes to parse)."""
    util = phonenumbers.phonenumberutil
    if not all(hasattr(util, step) for step in _PARSE_STEPS):
        return None
    result = util.ValidationResult
    return (result.TOO_SHORT, result.IS_POSSIBLE_LOCAL_ONLY, result.INVALID_LENGTH)


def _is_valid_number(number: Any, region: str | None) -> bool:
    """phonenumbers.is_valid_number, asking the region the number was read in first.

    is_valid_number works out the number's region before checking it, and for a code
    several countries share (+1: some 25) that means trying their patterns in turn; a
    number valid in the region it was read in is valid.
    """
    if region and phonenumbers.is_valid_number_for_region(number, region):
        return True
    return phonenumbers.is_valid_number(number)
