"""Check a contact read from a file as the app checks typing: `check_contact`.

Nothing from the file is lost without a word: a value that cannot be stored (a country
nobody knows, a phone with too few digits, a stage this workspace does not have) is left
out of its field, reported with the field and why, and written verbatim into the
contact's notes; the contact comes in with every other value. `strict` turns any such
value into the whole contact's rejection instead, as imports used to be.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from contacts_tui.importer.shared import (
    ContactDraft,
    RawContact,
    RowRejected,
    ValueReport,
    _json_kind,
    shown,
)
from contacts_tui.lifecycle import LifecycleConfig, Template
from contacts_tui.safe_text import display_safe
from contacts_tui.store.models import PROFILE_COLUMNS
from contacts_tui.validation import (
    NOTES_MAX_LENGTH,
    TEXT_MAX,
    ValidationError,
    clean_notes,
    clean_text,
    normalize_country,
    normalize_profile_field,
    normalize_scoring,
    read_phone,
)

if TYPE_CHECKING:
    from contacts_tui.services import ContactService

_T = TypeVar("_T")

TENANT_WIDE_NAMES = ("tenant-wide", "tenant wide")
"""How our export writes "no company" in CSV (`Tenant-Wide`)."""

_LABELS = {
    "email": "E-mail",
    "phone": "Phone",
    "address": "Address",
    "bank_account": "Bank account",
}
_PICKLISTS = {"email": "email_types", "phone": "phone_types", "address": "address_types"}
_SAME_WHEN = {"email": "email", "phone": "number", "bank_account": "iban"}
"""The value two records of a contact must not share (an address: all of its values)."""
_PROFILE_LABELS = {
    "job_title": "Job title",
    "department": "Department",
    "website": "Website",
    "birthday": "Birthday",
    "nickname": "Nickname",
}

_PROFILE_FIELDS = frozenset(_PROFILE_LABELS)


class _Value(Exception):
    """One value cannot be stored: (label, value verbatim, why)."""

    def __init__(self, label: str, value: object, reason: str) -> None:
        super().__init__(reason)
        self.report = ValueReport(label, _verbatim(value), reason.rstrip("."))


def _verbatim(value: object) -> str:
    if isinstance(value, dict):
        # An address's locality is its city unless the file names a district: once.
        same = value.get("locality") == value.get("city")
        return "; ".join(
            str(v)
            for k, v in value.items()
            if k != "primary" and v not in ("", None) and not (same and k == "locality")
        )
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return "" if value is None else str(value)


def _text(raw: RawContact, key: str, label: str) -> str:
    value = raw.fields.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Value(label, value, f"{label} must be text, not {_json_kind(value)}")
    try:
        return clean_text(str(value), field=label)
    except ValidationError as error:
        raise _Value(label, value, str(error)) from None


def _from_list(typed: str, choices: tuple[str, ...], label: str) -> str:
    """`typed` as written in the picklist (case-insensitive); blank stays blank."""
    if not typed:
        return ""
    match = next((c for c in choices if c.casefold() == typed.casefold()), None)
    if match is None:
        raise _Value(label, typed, f"not in the list; use one of: {', '.join(choices)}")
    return match


@functools.lru_cache(maxsize=256)
def _listed(choices: tuple[str, ...], typed: str) -> str | None:
    """The picklist's entry `typed` names (case-insensitive), or None."""
    wanted = typed.casefold()
    return next((c for c in choices if c.casefold() == wanted), None)


def _template(config: LifecycleConfig, typed: str) -> Template:
    if not typed:
        return config.default
    wanted = typed.casefold()
    for template in config.templates:
        if wanted in (template.key.casefold(), template.name.casefold()):
            return template
    names = ", ".join(t.name for t in config.templates)
    raise _Value("Lifecycle", typed, f"not one of: {names}")


def _step(template: Template, typed: list[str]) -> tuple[str, bool]:
    """(step key, closed) from stage_key or stage, by key or name; the first step if blank."""
    if not typed:
        return template.first_step.key, template.first_step.is_closed
    for wanted in (t.casefold() for t in typed):
        for step in template.steps():
            if wanted in (step.key.casefold(), step.name.casefold()):
                return step.key, step.is_closed
    names = ", ".join(step.name for step in template.steps())
    raise _Value(
        "Stage",
        typed[-1],
        f"not a step of the lifecycle {shown(template.name)}; use one of: {names}",
    )


def _scoring(raw: RawContact, config: LifecycleConfig) -> int | None:
    value = raw.fields.get("scoring")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (str, int, type(None))):
        raise _Value("Scoring", value, f"must be a whole number, not {_json_kind(value)}")
    try:
        return normalize_scoring(value, config.scoring_min, config.scoring_max)
    except ValidationError as error:
        raise _Value("Scoring", value, str(error)) from None


class _Checker:
    """The checks of one contact, collecting the values that cannot be stored."""

    def __init__(self, raw: RawContact, service: ContactService, strict: bool) -> None:
        self.raw = raw
        self.service = service
        self.strict = strict
        self.reports: list[ValueReport] = []

    def kept(self, problem: _Value) -> None:
        if self.strict:
            raise RowRejected(str(problem.report))
        self.reports.append(problem.report)

    def text(self, key: str, label: str) -> str:
        """The field's text cleaned (`_text`), or "" when it cannot be stored (reported)."""
        value = self.raw.fields.get(key)
        if value is None:
            return ""
        if (
            value.__class__ is str
            and len(value) <= TEXT_MAX
            and value.isascii()
            and value.isprintable()
        ):
            # clean_text's own shortcut for printable ASCII, without three calls per field:
            # a row asks for ten.
            return value.strip()
        try:
            return _text(self.raw, key, label)
        except _Value as problem:
            self.kept(problem)
            return ""

    def value(self, check: Callable[[], _T], fallback: _T) -> _T:
        """check(), or `fallback` when its value cannot be stored (reported)."""
        try:
            return check()
        except _Value as problem:
            self.kept(problem)
            return fallback

    # ----- the name ---------------------------------------------------------------------

    def name(self, company: str) -> str:
        """FN, else N (first and last name), else the company, else the nickname, else
        the e-mail, else the phone number (a phone's contact may be a number alone)."""
        raw = self.raw
        name = self.text("name", "Name")
        if not name:
            first = self.text("first_name", "First name")
            last = self.text("last_name", "Last name")
            name = f"{first} {last}" if first and last else first or last
        if not name:
            name = company
        if not name:
            # One that cannot be a name is passed over (its own field's check says why).
            others = [raw.fields.get("nickname", "")]
            others += [record.get("email", "") for record in raw.emails]
            others += [record.get("number", "") for record in raw.phones]
            for other in others:
                try:
                    name = clean_text(str(other), field="Name")
                except ValidationError:
                    continue
                if name:
                    break
        if not name:
            raise RowRejected(
                "Name is required (the record has no name, company, nickname, e-mail or "
                "phone number to name it by)"
            )
        return name

    # ----- e-mails, phones, addresses, bank accounts ------------------------------------

    def records(self, kind: str, records: list[dict[str, Any]], region: str = "") -> list:
        """Each record validated as the Details tab does: (clean values, primary), no repeats.

        A record with a bad value is left out and reported (the others stay).
        """
        if not records:
            return []
        label = _LABELS[kind]
        choices: tuple[str, ...] = ()
        if kind != "bank_account":
            choices = getattr(self.service.config.picklists, _PICKLISTS[kind])
        checked: list[tuple[dict[str, str], bool]] = []
        seen: set[str] = set()
        for record in records:
            try:
                clean = self.record(kind, label, record, choices, region)
            except _Value as problem:
                self.kept(problem)
                continue
            if len(records) > 1:  # (one repeats nothing)
                if kind == "address":
                    key = "\n".join([clean[k] for k in sorted(clean)]).casefold()
                else:
                    key = clean[_SAME_WHEN[kind]].casefold()
                if key in seen:
                    continue  # the same value twice on one card: keep the first
                seen.add(key)
            checked.append((clean, bool(record.get("primary"))))
        return checked

    def record(
        self,
        kind: str,
        label: str,
        record: dict[str, Any],
        choices: tuple[str, ...],
        region: str,
    ) -> dict[str, str]:
        values = record.copy()
        values.pop("primary", None)
        for key, value in values.items():
            if value.__class__ is not str:  # (a JSON file's)
                if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                    raise _Value(label, record, f"{key} must be text, not {_json_kind(value)}")
                values[key] = str(value)
        kind_name = values.get("type", "")
        if self.raw.guessed_types and kind_name:
            # A type from a column name or a vCard TYPE: kept only where the picklist has
            # it. A label of the person's own (Apple's, Google's: `Soccer coach`) is
            # said, and kept in the notes beside its value.
            listed = _listed(choices, kind_name)
            if listed is None:
                shown_value = values.get("number") or values.get("email") or values.get("address")
                self.kept(
                    _Value(
                        f"{label} label",
                        f"{kind_name} ({shown_value})" if shown_value else kind_name,
                        f"not one of this workspace's {label.lower()} types",
                    )
                )
            values["type"] = listed or ""
        if kind == "address":
            # macOS and Gmail write a street on several lines: one line, parts kept.
            for key in ("address", "locality", "city"):
                if key in values:
                    values[key] = _one_line(values[key])
        if kind == "phone":
            return self.phone(values, record, region)
        try:
            return self.service.records.values(kind, values)
        except ValidationError as error:
            if kind == "address" and values.get("state"):
                return self.address_without_state(values, record, error)
            raise _Value(label, record, str(error)) from None

    def address_without_state(
        self, values: dict[str, str], record: dict[str, Any], error: ValidationError
    ) -> dict[str, str]:
        """An address refused for its state or region alone (`Co. Galway`, a county the
        country's list has not): the address kept, and its state kept in the notes."""
        state = values["state"]
        try:
            clean = self.service.records.values("address", {**values, "state": ""})
        except ValidationError:
            raise _Value("Address", record, str(error)) from None
        self.kept(_Value("State", state, str(error)))
        return clean

    def phone(self, values: dict[str, str], record: dict[str, Any], region: str) -> dict[str, str]:
        typed = values.get("number", "")
        phone_type = values.get("type", "")
        if phone_type:
            match = _listed(self.service.config.picklists.phone_types, phone_type)
            if match is None:
                raise _Value("Phone", record, f"{shown(phone_type)} is not a phone type")
            phone_type = match
        try:
            number, certain = read_phone(typed, region, self.service.config.default_phone_region)
            # Our JSON export has the number as it was first typed, too.
            typed = clean_text(values.get("typed") or typed, field="Number")
        except ValidationError as error:
            raise _Value("Phone", record, str(error)) from None
        if not certain:
            # Kept as written, and said so: the country would be a guess, not the file's.
            self.kept(
                _Value(
                    "Phone",
                    typed,
                    "stored as written: no country code, and no address country to read it by",
                )
            )
        return {"number": number, "typed": typed, "type": phone_type}

    # ----- the profile fields -----------------------------------------------------------

    def profile(self) -> dict[str, str]:
        profile: dict[str, str] = {}
        if _PROFILE_FIELDS.isdisjoint(self.raw.fields):
            return profile
        for key, label in _PROFILE_LABELS.items():
            value = self.raw.fields.get(key)
            if value in (None, ""):
                continue
            try:
                region = self.service.config.default_phone_region
                profile[key] = normalize_profile_field(key, str(value), region)
            except ValidationError as error:
                self.kept(_Value(label, value, str(error)))
        return profile

    def notes(self, ref_text: str) -> str:
        """The file's own notes, then each value that could not be stored, verbatim."""
        own = self.raw.fields.get("notes")
        try:
            notes = clean_notes(str(own)) if own not in (None, "") else ""
        except ValidationError:
            notes = clean_notes(display_safe(own))
        for label, value, reason in self.raw.unread:
            self.reports.append(ValueReport(label, value, reason))
        if not self.reports:
            return notes
        lines = [f"Not stored in a field on import ({ref_text}):"]
        for report in self.reports:
            value = display_safe(report.value.replace("\n", " / "))
            lines.append(f"- {report.field}: {value} ({report.reason})")
        block = "\n".join(lines)
        text = f"{notes}\n\n{block}" if notes else block
        if len(text) > NOTES_MAX_LENGTH:
            text = text[: NOTES_MAX_LENGTH - 1] + "…"
        return text


def _one_line(text: str) -> str:
    """A street (or city) written on several lines, as one: its lines joined by commas."""
    if text.isprintable():  # no line break of any kind in it (the usual street)
        return text.strip()
    return ", ".join(p.strip() for p in text.splitlines() if p.strip())


def _with_one_primary(records: list[tuple[dict, bool]]) -> list[tuple[dict, bool]]:
    """The first record marked primary stays primary, else the first one (as the app does)."""
    if len(records) == 1:
        return [(records[0][0], True)]
    chosen = next((n for n, (_, primary) in enumerate(records) if primary), 0)
    return [(values, n == chosen) for n, (values, _) in enumerate(records)]


def _address_region(raw: RawContact) -> str:
    """The country of the record's first address that names one: its national phones'."""
    for address in raw.addresses:
        try:
            country = normalize_country(str(address.get("country") or ""))
        except ValidationError:
            continue
        if country:
            return country
    return ""


def check_contact(
    raw: RawContact,
    service: ContactService,
    *,
    strict: bool = False,
    file_name: str = "",
    config: LifecycleConfig | None = None,
) -> ContactDraft:
    """Validate every value of a record as typing it in the app would.

    A value that cannot be stored is reported (`ContactDraft.reports`) and kept in the
    notes; with `strict`, RowRejected instead. RowRejected also when nothing names the
    contact. `config`: the lifecycle as just read from disk (by default it is read now).
    """
    if config is None:
        config = service.current_config()  # the file on disk now, not a stale copy
    check = _Checker(raw, service, strict)
    company = check.text("company", "Company")
    if company.casefold() in TENANT_WIDE_NAMES:
        company = ""
    name = check.name(company)
    full_name = check.text("full_name", "Full name")
    fields = raw.fields
    # Most files name no lifecycle, stage, segment or reason (an address book's): their
    # checks, and the fallbacks they would need, are skipped.
    if _LIFECYCLE_FIELDS.isdisjoint(fields):
        template = config.default
        stage, closed = template.first_step.key, template.first_step.is_closed
    else:
        template, stage, closed = _where_in_lifecycle(check, config)
    crm: tuple[str, str, int | None, tuple[str, ...], bool] = ("", "", None, (), False)
    if not _CRM_FIELDS.isdisjoint(fields):
        crm = _crm_fields(check, config)
    segmentation, reason_code, scoring, accounts, archived = crm
    region = _address_region(raw)
    emails = _with_one_primary(check.records("email", raw.emails))
    phones = _with_one_primary(check.records("phone", raw.phones, region))
    addresses = _with_one_primary(check.records("address", raw.addresses))
    banks = check.records("bank_account", raw.bank_accounts)
    profile = check.profile()
    where = f"{file_name}, {raw.ref}" if file_name else raw.ref
    notes = check.notes(where)
    if notes:
        profile["notes"] = notes
    uid = raw.fields.get("uid")
    history, stamps, document_rows = _our_history(raw, check)
    return _draft(
        ref=raw.ref,
        name=name,
        full_name=full_name,
        company=company or None,
        template=template.key,
        stage=stage,
        closed=closed,
        segmentation=segmentation,
        scoring=scoring,
        reason_code=reason_code,
        accounts=accounts,
        archived=archived,
        emails=tuple([(v["email"], v["type"], primary) for v, primary in emails]),
        phones=tuple([(v["number"], v["typed"], v["type"], primary) for v, primary in phones]),
        addresses=tuple([{**v, "is_primary": primary} for v, primary in addresses]),
        bank_accounts=tuple([(v["name"], v["iban"], v["bic"]) for v, _ in banks]),
        profile=_in_column_order(profile),
        reports=tuple(check.reports),
        uid=str(uid) if isinstance(uid, (str, int)) and not isinstance(uid, bool) else "",
        documents=tuple(raw.documents),
        history=history,
        stamps=stamps,
        document_rows=document_rows,
    )


_DRAFT_FIELDS = frozenset(field.name for field in dataclasses.fields(ContactDraft))


def _draft(**values: Any) -> ContactDraft:
    """ContactDraft(**values), every field given, built as unpickling builds one: its
    frozen __init__ sets each of 23 fields through object.__setattr__ (5 us a row)."""
    if values.keys() != _DRAFT_FIELDS:
        return ContactDraft(**values)  # says what is missing or unknown
    draft = object.__new__(ContactDraft)
    draft.__dict__.update(values)
    return draft


_LIFECYCLE_FIELDS = frozenset(("lifecycle_key", "lifecycle", "stage_key", "stage"))
_CRM_FIELDS = frozenset(("segmentation", "reason_code", "scoring", "accounts", "archived"))


def _where_in_lifecycle(check: _Checker, config: LifecycleConfig) -> tuple[Template, str, bool]:
    """(template, step key, closed) the record names, by key or name; the default
    template's first step where it names none (or none this workspace has)."""
    raw = check.raw
    template_key = raw.fields.get("lifecycle_key")
    known = config.template(str(template_key)) if template_key else None
    if known is not None:
        template = known
    else:
        typed = check.text("lifecycle", "Lifecycle")
        found = check.value(lambda: _template(config, typed), None) if typed else None
        template = found if found is not None else config.default
    stages = [t for t in (check.text("stage_key", "Stage"), check.text("stage", "Stage")) if t]
    first = template.first_step
    stage, closed = first.key, first.is_closed
    if stages:
        stage, closed = check.value(lambda: _step(template, stages), (stage, closed))
    return template, stage, closed


def _crm_fields(
    check: _Checker, config: LifecycleConfig
) -> tuple[str, str, int | None, tuple[str, ...], bool]:
    """(segmentation, reason code, scoring, account names, archived) of the record."""
    raw = check.raw
    picklists = config.picklists
    typed = check.text("segmentation", "Segmentation")
    segmentation = ""
    if typed:
        segmentation = check.value(
            lambda: _from_list(typed, picklists.segmentation, "Segmentation"), ""
        )
    typed = check.text("reason_code", "Reason code")
    reason_code = ""
    if typed:
        reason_code = check.value(
            lambda: _from_list(typed, picklists.reason_codes, "Reason code"), ""
        )
    scoring = None
    if raw.fields.get("scoring") is not None:
        scoring = check.value(lambda: _scoring(raw, config), None)
    accounts: list[str] = []
    for account in raw.fields.get("accounts", ()):
        try:
            if not isinstance(account, str):
                raise _Value("Account", account, f"must be a name, not {_json_kind(account)}")
            account = clean_text(account, field="Account name")
        except ValidationError as error:
            check.kept(_Value("Account", account, str(error)))
            continue
        except _Value as problem:
            check.kept(problem)
            continue
        if account and account not in accounts:
            accounts.append(account)
    archived = raw.fields.get("archived", False)
    if not isinstance(archived, bool):
        check.kept(_Value("Archived", archived, "must be true or false"))
        archived = False
    return segmentation, reason_code, scoring, tuple(accounts), archived


def _in_column_order(profile: dict[str, str]) -> tuple[tuple[str, str], ...]:
    if not profile:  # most rows: nothing to order
        return ()
    return tuple((k, profile[k]) for k in PROFILE_COLUMNS if profile.get(k))


def _stamp(value: object) -> str:
    """An ISO time of our export (2026-11-30T09:15:00Z) as the database keeps it."""
    if not isinstance(value, str):
        raise ValueError(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return str(moment)


_HISTORY_FIELDS = frozenset(("stage_history", "created_at", "updated_at", "documents"))


def _our_history(raw: RawContact, check: _Checker) -> tuple[tuple, tuple | None, tuple]:
    """Stage history, who created and changed it when, and documents, from our JSON export."""
    if _HISTORY_FIELDS.isdisjoint(raw.fields):  # another program's file
        return (), None, ()
    history = []
    for entry in raw.fields.get("stage_history") or ():
        try:
            history.append(
                (
                    str(entry.get("from") or ""),
                    str(entry["to"]),
                    _stamp(entry["at"]),
                    str(entry.get("by") or ""),
                )
            )
        except (AttributeError, KeyError, TypeError, ValueError):
            check.kept(_Value("Stage history", entry, "not a stage change of our export"))
    stamps = None
    fields = raw.fields
    if fields.get("created_at") and fields.get("updated_at"):
        try:
            version = fields.get("version")
            stamps = (
                _stamp(fields["created_at"]),
                str(fields.get("created_by") or ""),
                _stamp(fields["updated_at"]),
                str(fields.get("updated_by") or ""),
                version if isinstance(version, int) and version > 0 else 1,
            )
        except ValueError:
            check.kept(_Value("Created at", fields["created_at"], "not a time"))
    documents = []
    for entry in fields.get("documents") or ():
        if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
            documents.append(entry)
    return tuple(history), stamps, tuple(documents)
