"""Check a contact read from a file as the app checks typing: `check_contact`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contacts_tui.importer.shared import ContactDraft, RawContact, RowRejected, _json_kind, shown
from contacts_tui.lifecycle import LifecycleConfig, Template
from contacts_tui.validation import ValidationError, clean_text, normalize_scoring

if TYPE_CHECKING:
    from contacts_tui.services import ContactService

TENANT_WIDE_NAMES = ("tenant-wide", "tenant wide")
"""How our export writes "no company" in CSV (`Tenant-Wide`)."""


def _text(raw: RawContact, key: str, label: str, *, required: bool = False) -> str:
    value = raw.fields.get(key)
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RowRejected(f"{label} must be text, not {_json_kind(value)}")
    try:
        return clean_text(str(value), field=label, required=required)
    except ValidationError as error:
        raise RowRejected(str(error)) from None


def _from_list(typed: str, choices: tuple[str, ...], label: str) -> str:
    """`typed` as written in the picklist (case-insensitive); blank stays blank."""
    if not typed:
        return ""
    match = next((c for c in choices if c.casefold() == typed.casefold()), None)
    if match is None:
        raise RowRejected(
            f"{label} {shown(typed)} is not in the list; use one of: " + ", ".join(choices)
        )
    return match


def _template(config: LifecycleConfig, typed: str) -> Template:
    if not typed:
        return config.default
    wanted = typed.casefold()
    for template in config.templates:
        if wanted in (template.key.casefold(), template.name.casefold()):
            return template
    names = ", ".join(t.name for t in config.templates)
    raise RowRejected(f"Lifecycle {shown(typed)} is not one of: {names}")


def _step(template: Template, raw: RawContact) -> tuple[str, bool]:
    """(step key, closed) from stage_key or stage, by key or name; the first step if blank."""
    typed = [_text(raw, key, "Stage") for key in ("stage_key", "stage")]
    typed = [t for t in typed if t]
    if not typed:
        return template.first_step.key, template.first_step.is_closed
    for wanted in (t.casefold() for t in typed):
        for step in template.steps():
            if wanted in (step.key.casefold(), step.name.casefold()):
                return step.key, step.is_closed
    names = ", ".join(step.name for step in template.steps())
    raise RowRejected(
        f"Stage {shown(typed[-1])} is not a step of the lifecycle {shown(template.name)}; "
        f"use one of: {names}"
    )


def _scoring(raw: RawContact, config: LifecycleConfig) -> int | None:
    value = raw.fields.get("scoring")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (str, int, type(None))):
        raise RowRejected(f"Scoring must be a whole number, not {_json_kind(value)}")
    try:
        return normalize_scoring(value, config.scoring_min, config.scoring_max)
    except ValidationError as error:
        raise RowRejected(f"Scoring {shown(value)}: {error}") from None


def _name(raw: RawContact) -> str:
    name = _text(raw, "name", "Name")
    if not name:
        first = _text(raw, "first_name", "First name")
        last = _text(raw, "last_name", "Last name")
        name = " ".join(p for p in (first, last) if p)
    if not name:
        raise RowRejected("Name is required (the name is blank)")
    return name


_LABELS = {
    "email": ("E-mail", "email"),
    "phone": ("Phone number", "number"),
    "address": ("Address", "address"),
    "bank_account": ("Bank account", "name"),
}


def _records(
    service: ContactService, raw: RawContact, kind: str, records: list[dict[str, Any]]
) -> list[tuple[dict[str, str], bool]]:
    """Each record validated as the Details tab does: (clean values, primary), no repeats."""
    label, main = _LABELS[kind]
    choices: tuple[str, ...] = ()
    if kind != "bank_account":
        picklist = {"email": "email_types", "phone": "phone_types", "address": "address_types"}
        choices = getattr(service.config.picklists, picklist[kind])
    checked: list[tuple[dict[str, str], bool]] = []
    seen: set[str] = set()
    for record in records:
        values = {}
        for key, value in record.items():
            if key == "primary":
                continue
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise RowRejected(f"{label} {key} must be text, not {_json_kind(value)}")
            values[key] = str(value)
        kind_name = values.get("type", "")
        if raw.guessed_types and kind_name:
            # A type from a column name or a vCard TYPE: kept only where the picklist has it.
            values["type"] = next((c for c in choices if c.casefold() == kind_name.casefold()), "")
        try:
            clean = service.validate_record(kind, values).values
        except ValidationError as error:
            raise RowRejected(f"{label} {shown(values.get(main, ''))}: {error}") from None
        key = clean.get("email", clean.get("number", clean.get("iban", ""))).casefold()
        if kind == "address":
            key = "\n".join(clean[k].casefold() for k in sorted(clean) if k != "type")
        if key in seen:
            continue  # the same e-mail twice on one card: keep the first
        seen.add(key)
        checked.append((clean, bool(record.get("primary"))))
    return checked


def _with_one_primary(records: list[tuple[dict[str, str], bool]]) -> list[tuple[dict, bool]]:
    """The first record marked primary stays primary, else the first one (as the app does)."""
    chosen = next((n for n, (_, primary) in enumerate(records) if primary), 0)
    return [(values, n == chosen) for n, (values, _) in enumerate(records)]


def check_contact(raw: RawContact, service: ContactService) -> ContactDraft:
    """Validate every value of a record as typing it in the app would; RowRejected if any
    is bad (the message names the field, the value and why)."""
    config = service.current_config()  # the file on disk now, not a stale copy
    name = _name(raw)
    full_name = _text(raw, "full_name", "Full name")
    company = _text(raw, "company", "Company")
    if company.casefold() in TENANT_WIDE_NAMES:
        company = ""
    template = _template(config, _text(raw, "lifecycle", "Lifecycle"))
    stage, closed = _step(template, raw)
    picklists = config.picklists
    segmentation = _from_list(
        _text(raw, "segmentation", "Segmentation"), picklists.segmentation, "Segmentation"
    )
    reason_code = _from_list(
        _text(raw, "reason_code", "Reason code"), picklists.reason_codes, "Reason code"
    )
    scoring = _scoring(raw, config)
    accounts: list[str] = []
    for account in raw.fields.get("accounts", ()):
        if not isinstance(account, str):
            raise RowRejected(f"Assigned accounts must be names, not {_json_kind(account)}")
        try:
            account = clean_text(account, field="Account name")
        except ValidationError as error:
            raise RowRejected(str(error)) from None
        if account and account not in accounts:
            accounts.append(account)
    archived = raw.fields.get("archived", False)
    if not isinstance(archived, bool):
        raise RowRejected(f"archived must be true or false, not {_json_kind(archived)}")
    emails = _with_one_primary(_records(service, raw, "email", raw.emails))
    phones = _with_one_primary(_records(service, raw, "phone", raw.phones))
    addresses = _with_one_primary(_records(service, raw, "address", raw.addresses))
    banks = _records(service, raw, "bank_account", raw.bank_accounts)
    return ContactDraft(
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
        accounts=tuple(accounts),
        archived=archived,
        emails=tuple((v["email"], v["type"], primary) for v, primary in emails),
        phones=tuple((v["number"], v["typed"], v["type"], primary) for v, primary in phones),
        addresses=tuple({**v, "is_primary": primary} for v, primary in addresses),
        bank_accounts=tuple((v["name"], v["iban"], v["bic"]) for v, _ in banks),
    )
