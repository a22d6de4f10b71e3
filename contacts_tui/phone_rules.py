"""Whether a phone number is valid, and its international form, by phonenumbers' own rules.

An import reads a phone number on most rows. phonenumbers takes about as long to say
whether a number is valid (it fetches each of a region's ten number types' patterns
from its cache and tries them in turn, the usual fixed-line and mobile ones last) as
to write its international form (`re.sub` expands the format's template in Python),
and both are more than a sixth of a row's check. Both follow the region's metadata:
its patterns are compiled here once a region, those of the number types of each length
joined in one, and the form is built from the format pattern's groups.

Each function gives what phonenumbers gives for a number read from digits (country
code and national significant number), as tests/unit/test_checking_fast_paths.py
checks over every region's example numbers, or None when this version of
phonenumbers lacks a field of its metadata read here: then the caller asks
phonenumbers itself.
"""

from __future__ import annotations

import functools
import importlib
import re
from typing import Any, NamedTuple

_NON_GEO = "001"
"""phonenumbers' region of the country codes of no country (+800, +882…)."""

_TYPES = (
    "fixed_line",
    "mobile",
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)
"""The number types phonenumbers' _number_type_helper tries, the usual ones first."""

_METADATA_FIELDS = (
    "country_code",
    "general_desc",
    "leading_digits",
    "same_mobile_and_fixed_line_pattern",
    "number_format",
    "intl_number_format",
    *_TYPES,
)
_DESC_FIELDS = ("possible_length", "national_number_pattern")
_FORMAT_FIELDS = ("pattern", "format", "leading_digits_pattern")

_DIGIT_GROUPS = re.compile(r"(?:\((?:\\d(?:\{[0-9]+(?:,[0-9]+)?\})?)+\))+")
"""A format pattern of groups of digits only, `(\\d{3})(\\d{2,4})` (all of phonenumbers'
are): whether it matches a whole number depends on its length alone; it has no anchor,
look-around or alternative, so (unless it matches nothing too) that match is the only
one re.sub makes, and every group takes part in it."""
_LONGEST = 17
"""Digits of the longest national number phonenumbers reads."""
_TEMPLATE_PART = re.compile(r"\\([1-9])(?![0-9])|([^\\]+)")


class _Desc(NamedTuple):
    """A number type's rule: its lengths (none: any) and its pattern of the whole number."""

    lengths: frozenset[int]
    pattern: re.Pattern[str]

    def matches(self, national: str) -> bool:
        # phonenumbers' _is_number_matching_desc: the length first, then the pattern.
        lengths = self.lengths
        return (not lengths or len(national) in lengths) and (
            self.pattern.fullmatch(national) is not None
        )


class _Format(NamedTuple):
    leading: re.Pattern[str] | None  # the format's last (most detailed) leading digits
    pattern: re.Pattern[str]
    template: str  # phonenumbers' re.sub template (\1 \2 \3)
    # Of a pattern of digit groups: the lengths of the numbers it matches whole, and the
    # template as a str.format one ({0} {1} {2}); else None and None.
    lengths: frozenset[int] | None
    built: str | None


class _Rules(NamedTuple):
    """One region's (or non-geographic code's) metadata, compiled."""

    code: int
    general: _Desc | None
    types: tuple[_Desc, ...]
    leading: re.Pattern[str] | None  # the region's leading digits (+1 is shared by 25)
    formats: tuple[_Format, ...]  # for the INTERNATIONAL form
    of_length: dict[int, re.Pattern[str] | None]  # filled on use: see valid()

    def valid(self, national: str) -> bool:
        """_number_type_helper(national, metadata) != UNKNOWN: the general pattern and
        one of the patterns of the types of the number's length, asked as one."""
        length = len(national)
        try:
            pattern = self.of_length[length]
        except KeyError:
            pattern = self.of_length[length] = self._of_length(length)
        if pattern is _ONE_BY_ONE:
            general = self.general
            if general is None or not general.matches(national):
                return False
            return any(desc.matches(national) for desc in self.types)
        return pattern is not None and pattern.fullmatch(national) is not None

    def _of_length(self, length: int) -> re.Pattern[str] | None:
        """One pattern for the numbers of `length` digits: the general one (a look-ahead
        to the end) and then any type's; None when nothing is valid at that length;
        _ONE_BY_ONE when a pattern is not one to join with others."""
        general = self.general
        if general is None or (general.lengths and length not in general.lengths):
            return None
        types = [d.pattern.pattern for d in self.types if not d.lengths or length in d.lengths]
        if not types:
            return None
        if not all(_JOINABLE.fullmatch(p) for p in (general.pattern.pattern, *types)):
            return _ONE_BY_ONE
        either = "|".join(f"(?:{p})" for p in types)
        return re.compile(f"(?=(?:{general.pattern.pattern})\\Z)(?:{either})")


_JOINABLE = re.compile(r"(?:[0-9()\[\]|?:{},\-]|\\d)*")
"""A pattern of digits, classes, groups, alternatives and counts (all of the metadata's):
no back-reference, named group, flag or look-around that joining it with others in one
pattern would change."""
_ONE_BY_ONE = re.compile("(?!)")
"""The mark of a length whose patterns are asked one by one (itself never asked)."""


def _desc(desc: Any) -> _Desc | None:
    """A PhoneNumberDesc compiled; None when nothing matches it (no desc, no pattern)."""
    if desc is None or not desc.national_number_pattern:
        return None
    return _Desc(frozenset(desc.possible_length), re.compile(desc.national_number_pattern))


def _format(number_format: Any) -> _Format:
    leading = number_format.leading_digits_pattern
    pattern = re.compile(number_format.pattern)
    template = number_format.format
    lengths = built = None
    if _DIGIT_GROUPS.fullmatch(number_format.pattern) and pattern.match("") is None:
        built = _str_format(template, pattern.groups)
        lengths = frozenset(n for n in range(1, _LONGEST + 1) if pattern.fullmatch("0" * n))
    if built is None:
        lengths = None
    leading_pattern = re.compile(leading[-1]) if leading else None
    return _Format(leading_pattern, pattern, template, lengths, built)


def _str_format(template: str, groups: int) -> str | None:
    """A re.sub template of groups and text (`\\1 \\2`) as a str.format one (`{0} {1}`);
    None if it holds anything else (an escape, a group the pattern does not have)."""
    parts = _TEMPLATE_PART.findall(template)
    if "".join(f"\\{group}" if group else text for group, text in parts) != template:
        return None
    if any(group and int(group) > groups for group, _ in parts):
        return None
    return "".join(
        f"{{{int(group) - 1}}}" if group else text.replace("{", "{{").replace("}", "}}")
        for group, text in parts
    )


def _compiled(metadata: Any) -> _Rules:
    types = [metadata.fixed_line]
    if not metadata.same_mobile_and_fixed_line_pattern:
        types.append(metadata.mobile)
    types += [getattr(metadata, name) for name in _TYPES[2:]]
    formats = metadata.intl_number_format or metadata.number_format
    return _Rules(
        metadata.country_code,
        _desc(metadata.general_desc),
        tuple(desc for desc in map(_desc, types) if desc is not None),
        re.compile(metadata.leading_digits) if metadata.leading_digits is not None else None,
        tuple(map(_format, formats)),
        {},
    )


@functools.cache
def _phonenumbers() -> Any:
    """phonenumbers' module of rules, if it has every field read here; else None."""
    # Imported on first use, as validation imports phonenumbers (its import is slow).
    util: Any = importlib.import_module("phonenumbers.phonenumberutil")
    if not all(
        hasattr(util, name)
        for name in ("PhoneMetadata", "COUNTRY_CODE_TO_REGION_CODE", "SUPPORTED_REGIONS")
    ):
        return None
    metadata = util.PhoneMetadata.metadata_for_region("US")
    if metadata is None or not all(hasattr(metadata, name) for name in _METADATA_FIELDS):
        return None
    desc, number_format = metadata.general_desc, metadata.number_format[0]
    if not all(hasattr(desc, name) for name in _DESC_FIELDS) or not all(
        hasattr(number_format, name) for name in _FORMAT_FIELDS
    ):
        return None
    return util


_REGIONS: dict[str, _Rules | None] = {}
_CODES: dict[int, _Rules | None] = {}


def _of_region(util: Any, region: str) -> _Rules | None:
    """The rules of a region (a code as phonenumbers writes them: GB), None if it has none."""
    try:
        return _REGIONS[region]
    except KeyError:
        metadata = util.PhoneMetadata.metadata_for_region(region, None)
        rules = _REGIONS[region] = _compiled(metadata) if metadata is not None else None
        return rules


def _of_code(util: Any, code: int) -> _Rules | None:
    """The rules of a non-geographic country code (+800), None if it has none."""
    try:
        return _CODES[code]
    except KeyError:
        metadata = util.PhoneMetadata.metadata_for_nongeo_region(code, None)
        rules = _CODES[code] = _compiled(metadata) if metadata is not None else None
        return rules


def _for_region(util: Any, code: int, region: str) -> _Rules | None:
    """metadata_for_region_or_calling_code(code, region), compiled."""
    return _of_code(util, code) if region == _NON_GEO else _of_region(util, region)


def _valid_for_region(util: Any, code: int, national: str, region: str | None) -> bool:
    """phonenumbers.is_valid_number_for_region."""
    if region is None:
        return False
    rules = _for_region(util, code, region.upper())
    if rules is None:
        return False
    if region != _NON_GEO and code != rules.code:
        return False
    return rules.valid(national)


def _region_of(util: Any, code: int, national: str) -> str | None:
    """phonenumbers.region_code_for_number."""
    regions = util.COUNTRY_CODE_TO_REGION_CODE.get(code)
    if regions is None:
        return None
    if len(regions) == 1:
        return regions[0]
    for region in regions:
        rules = _of_region(util, region.upper())
        if rules is None:
            continue
        if rules.leading is not None:
            if rules.leading.match(national):
                return region
        elif rules.valid(national):
            return region
    return None


def is_valid(code: int, national: str, region: str | None) -> bool | None:
    """Whether +`code` `national` is valid in `region` (the one it was read in), else
    anywhere (phonenumbers.is_valid_number); None when this cannot be told here.

    `national`: the national significant number, its leading zeros included.
    """
    util = _phonenumbers()
    if util is None:
        return None
    if region and _valid_for_region(util, code, national, region):
        return True
    return _valid_for_region(util, code, national, _region_of(util, code, national))


def international(code: int, national: str) -> str | None:
    """phonenumbers.format_number(number, INTERNATIONAL) of +`code` `national` without
    an extension; None when this cannot be told here."""
    util = _phonenumbers()
    if util is None:
        return None
    regions = util.COUNTRY_CODE_TO_REGION_CODE.get(code)
    if regions is None:
        return national  # a country code nobody has: phonenumbers formats nothing
    rules = _for_region(util, code, regions[0].upper())
    if rules is None:
        return None
    length = len(national)
    if length > _LONGEST:
        return None  # (never a number phonenumbers reads)
    for rule in rules.formats:
        # phonenumbers' _choose_formatting_pattern_for_number: the first format whose
        # leading digits begin the number and whose pattern matches all of it.
        if rule.lengths is not None:
            if length not in rule.lengths:
                continue
        elif rule.pattern.fullmatch(national) is None:
            continue
        if rule.leading is not None and not rule.leading.match(national):
            continue
        if rule.built is not None:
            match = rule.pattern.match(national)
            if match is not None and match.end() == length:
                return f"+{code} {rule.built.format(*match.groups())}"
        return f"+{code} {rule.pattern.sub(rule.template, national)}"
    return f"+{code} {national}"
