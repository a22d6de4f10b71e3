"""The services of the Details tab: e-mails, phones, addresses, bank accounts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import peewee

from contacts_tui.services.results import ConflictError, NotFoundError
from contacts_tui.services.shared import read_contact, refresh_derived, write_audit
from contacts_tui.store.database import with_connection
from contacts_tui.store.models import (
    Address,
    BankAccount,
    Contact,
    Email,
    Phone,
    database,
)
from contacts_tui.store.rows import tuples
from contacts_tui.validation import (
    ValidationError,
    clean_text,
    normalize_bic,
    normalize_country,
    normalize_email,
    normalize_iban,
    normalize_phone,
    normalize_state,
    normalize_zip,
)

if TYPE_CHECKING:
    from contacts_tui.lifecycle import LifecycleConfig

RecordInfo = Any
"""The saved record as its kind's dataclass (EmailInfo, PhoneInfo, AddressInfo or
BankAccountInfo of services/details.py, loaded on first use)."""


@dataclass
class RecordService:
    """The Details tab's records of contacts: e-mails, phones, addresses, bank accounts.

    `config` gives the picklists and the phone region; `user` is written to the audit log.
    ContactService builds one as `service.records` and hands it a new `config` on reload.
    """

    config: LifecycleConfig
    user: str

    # ----- details tab records: e-mails, phones, addresses, bank accounts ------------
    # One generic path for the four kinds, driven by RECORD_KINDS below, plus named
    # shortcuts (add_email, delete_phone, ...) that tests read best with. Each change is one
    # transaction that also writes the audit entry, refreshes the list columns and the
    # search document (refresh_derived) and touches updated_at/updated_by. It does not
    # bump the contact's `version`: records are saved one at a time, each on its own row,
    # so a colleague adding a phone number must not turn someone else's edit of the name
    # in the information panel into a conflict.

    def validate(self, kind: str, values: dict[str, str], current_type: str = "") -> RecordCheck:
        """Normalise every field of a record; RecordInvalid names each bad field at once.

        Needs no database, so the form calls it on submit to show each message at its
        field. `current_type` is the record's saved type, still accepted when the config's
        picklist no longer has it. Warnings (a SWIFT code from another country than the
        IBAN) do not stop a save.
        """
        if kind in ("email", "address") and not current_type:
            found = _without_errors(kind, values, self.config)
            if found is not None:
                return RecordCheck(found, {})
        spec = _record_kind(kind)
        unknown = set(values) - set(spec.fields)
        if unknown:
            raise TypeError(f"{kind} has no field {', '.join(sorted(unknown))}")
        raw = {name: values.get(name) or "" for name in spec.fields}
        errors: dict[str, str] = {}
        warnings: dict[str, str] = {}
        clean: dict[str, str] = {}

        def check(name: str, normalize: Callable[[str], str]) -> None:
            try:
                clean[name] = normalize(raw[name])
            except ValidationError as error:
                errors[name] = str(error)

        if kind == "email":
            check("email", normalize_email)
        elif kind == "phone":
            check("number", lambda t: normalize_phone(t, self.config.default_phone_region))
            if "number" in clean:
                clean["typed"] = clean_text(raw["number"], field="Number")
        elif kind == "address":
            check("address", lambda t: clean_text(t, field="Address", required=True))
            check("country", normalize_country)
            if "country" in clean:
                check("state", lambda t: normalize_state(t, clean["country"]))
            else:
                check("state", lambda t: clean_text(t, field="State", max_length=100))
            check("city", lambda t: clean_text(t, field="City"))
            check("zip_code", normalize_zip)
            check("locality", lambda t: clean_text(t, field="Locality", required=True))
        elif kind == "bank_account":
            check("name", lambda t: clean_text(t, field="Name", required=True))
            check("iban", normalize_iban)
            try:
                clean["bic"], warning = normalize_bic(raw["bic"], clean.get("iban"))
                if warning:
                    warnings["bic"] = warning
            except ValidationError as error:
                errors["bic"] = str(error)
        if spec.picklist:
            choices = getattr(self.config.picklists, spec.picklist)
            check("type", lambda t: _picked(t, choices, current_type, spec.label))
        if errors:
            raise RecordInvalid(errors)
        return RecordCheck(clean, warnings)

    def values(self, kind: str, values: dict[str, str]) -> dict[str, str]:
        """validate(kind, values).values: a record of a file, checked (an import keeps
        no warning), without a RecordCheck for the usual e-mail or address."""
        if kind in ("email", "address"):
            found = _without_errors(kind, values, self.config)
            if found is not None:
                return found
        return self.validate(kind, values).values

    @with_connection
    def find_duplicates(
        self, kind: str, value: str, exclude_contact_id: int | None = None
    ) -> list[tuple[int, str]]:
        """Other contacts that have this e-mail, phone number or IBAN: [(id, name)].

        `value` may be typed or normalised; a value that does not validate has no
        duplicates. Archived contacts count too (their name says so).
        """
        spec = _record_kind(kind)
        if spec.duplicate_field is None:
            return []
        try:
            if kind == "email":
                wanted = {normalize_email(value)}
                wanted.add(next(iter(wanted)).lower())
            elif kind == "phone":
                wanted = {normalize_phone(value, self.config.default_phone_region)}
            else:
                wanted = {normalize_iban(value)}
        except ValidationError:
            return []
        column = getattr(spec.model, spec.duplicate_field)
        holders = spec.model.select(spec.model.contact).where(column.in_(sorted(wanted)))
        query = (
            Contact.select(Contact.id, Contact.name, Contact.archived)
            .where(Contact.id.in_(holders))
            .order_by(Contact.name_key, Contact.id)
        )
        if exclude_contact_id is not None:
            query = query.where(Contact.id != exclude_contact_id)
        return [
            (contact_id, f"{name} (archived)" if archived else name)
            for contact_id, name, archived in tuples(query.limit(20))
        ]

    @with_connection
    def add(
        self, kind: str, contact_id: int, values: dict[str, str], *, primary: bool = False
    ) -> RecordInfo:
        """Add a record to the contact; the first e-mail, phone or address is primary.

        `primary=True` makes it the primary one in the same transaction. Raises
        RecordInvalid (nothing saved) or NotFoundError when the contact is gone.
        """
        spec = _record_kind(kind)
        clean = self.validate(kind, values).values
        # On PostgreSQL two users adding a contact's first e-mail at once may both see no
        # primary; the partial unique index refuses the second, which is then retried and
        # sees the first one's primary.
        for attempt in range(2):
            try:
                with database.atomic():
                    record_id = self._insert_record(spec, contact_id, clean, primary)
                break
            except peewee.IntegrityError:
                if attempt or not spec.has_primary:
                    raise
        return _record_info(spec, record_id)

    def _insert_record(self, spec: _RecordKind, contact_id: int, clean: dict, primary: bool) -> int:
        if not Contact.select().where(Contact.id == contact_id).exists():
            raise NotFoundError(f"Contact {contact_id} no longer exists.")
        _refuse_same_contact_duplicate(spec, contact_id, clean)
        old_primary = _primary_of(spec, contact_id) if spec.has_primary else None
        make_primary = spec.has_primary and (primary or old_primary is None)
        if make_primary and old_primary is not None:
            _unset_primary(spec, contact_id)
        extra = {"is_primary": make_primary} if spec.has_primary else {}
        row = spec.model.create(contact=contact_id, **clean, **extra)
        audit = [(f"{spec.label} added", "", _record_text(spec, clean))]
        if make_primary and old_primary is not None:
            audit.append(
                (
                    f"primary {spec.label}",
                    _record_text(spec, old_primary),
                    _record_text(spec, clean),
                )
            )
        self._record_changed(contact_id, audit)
        return row.id

    @with_connection
    def update(
        self,
        kind: str,
        record_id: int,
        values: dict[str, str],
        *,
        primary: bool = False,
        expected: object | None = None,
    ) -> RecordInfo:
        """Save an edited record; `primary=True` also makes it the primary one.

        `expected` is the record as the user saw it when they began editing: if someone
        saved it since, ConflictError is raised instead of overwriting their change.
        """
        spec = _record_kind(kind)
        with database.atomic():
            row = _record_row(spec, record_id)
            current = _record_info(spec, record_id)
            if expected is not None and expected != current:
                raise ConflictError(read_contact(row.contact_id))
            clean = self.validate(kind, values, current_type=_row_type(row)).values
            _refuse_same_contact_duplicate(spec, row.contact_id, clean, record_id)
            audit: list[tuple[str, str, str]] = []
            old = {name: getattr(row, name) for name in clean}
            if old != clean:
                spec.model.update(**clean).where(spec.model.id == record_id).execute()
                audit.append(
                    (f"{spec.label} changed", _record_text(spec, old), _record_text(spec, clean))
                )
            if primary and spec.has_primary and not row.is_primary:
                audit.append(self._switch_primary(spec, row.contact_id, record_id))
            if audit:
                self._record_changed(row.contact_id, audit)
        return _record_info(spec, record_id)

    @with_connection
    def delete(self, kind: str, record_id: int, successor_id: int | None = None) -> None:
        """Delete a record; deleting the primary needs `successor_id`, the new primary.

        The successor must be another record of the same contact and kind. Deleting the
        contact's only e-mail (phone, address) leaves it without a primary one.
        """
        spec = _record_kind(kind)
        with database.atomic():
            row = _record_row(spec, record_id)
            contact_id = row.contact_id
            old = {name: getattr(row, name) for name in spec.stored}
            audit = [(f"{spec.label} deleted", _record_text(spec, old), "")]
            successor = None
            if spec.has_primary and row.is_primary:
                others = (
                    spec.model.select()
                    .where((spec.model.contact == contact_id) & (spec.model.id != record_id))
                    .exists()
                )
                if others and successor_id is None:
                    raise ValidationError(
                        f"This is the primary {spec.label}: choose which {spec.label}"
                        " becomes the primary one instead."
                    )
                if others:
                    successor = spec.model.get_or_none(
                        (spec.model.id == successor_id) & (spec.model.contact == contact_id)
                    )
                    if successor is None or successor.id == record_id:
                        raise ValidationError(
                            f"The new primary {spec.label} must be another {spec.label}"
                            " of this contact."
                        )
            spec.model.delete().where(spec.model.id == record_id).execute()
            if successor is not None:
                spec.model.update(is_primary=True).where(spec.model.id == successor.id).execute()
                new = {name: getattr(successor, name) for name in spec.stored}
                audit.append(
                    (f"primary {spec.label}", _record_text(spec, old), _record_text(spec, new))
                )
            self._record_changed(contact_id, audit)

    @with_connection
    def make_primary(self, kind: str, record_id: int) -> RecordInfo:
        """Make the record its contact's primary one of its kind (one transaction)."""
        spec = _record_kind(kind)
        if not spec.has_primary:
            raise ValidationError(f"A {spec.label} has no primary flag.")
        with database.atomic():
            row = _record_row(spec, record_id)
            if not row.is_primary:
                entry = self._switch_primary(spec, row.contact_id, record_id)
                self._record_changed(row.contact_id, [entry])
        return _record_info(spec, record_id)

    def _switch_primary(
        self, spec: _RecordKind, contact_id: int, record_id: int
    ) -> tuple[str, str, str]:
        # Unset first: the partial unique index allows one primary at any moment.
        old = _primary_of(spec, contact_id)
        _unset_primary(spec, contact_id)
        spec.model.update(is_primary=True).where(spec.model.id == record_id).execute()
        new = _record_row(spec, record_id)
        return (
            f"primary {spec.label}",
            _record_text(spec, old) if old else "",
            _record_text(spec, {name: getattr(new, name) for name in spec.stored}),
        )

    def _record_changed(self, contact_id: int, audit: list[tuple[str, str, str]]) -> None:
        now = write_audit(contact_id, self.user, audit)
        Contact.update(updated_at=now, updated_by=self.user).where(
            Contact.id == contact_id
        ).execute()
        refresh_derived(contact_id)

    # Shortcuts by kind, which read best in tests; the UI and the import use the
    # generic methods above.

    def add_email(
        self, contact_id: int, email: str, type: str = "", primary: bool = False
    ) -> RecordInfo:
        return self.add("email", contact_id, {"email": email, "type": type}, primary=primary)

    def update_email(
        self, email_id: int, email: str, type: str = "", primary: bool = False
    ) -> RecordInfo:
        return self.update("email", email_id, {"email": email, "type": type}, primary=primary)

    def delete_email(self, email_id: int, successor_id: int | None = None) -> None:
        self.delete("email", email_id, successor_id)

    def add_phone(
        self, contact_id: int, number: str, type: str = "", primary: bool = False
    ) -> RecordInfo:
        return self.add("phone", contact_id, {"number": number, "type": type}, primary=primary)

    def delete_phone(self, phone_id: int, successor_id: int | None = None) -> None:
        self.delete("phone", phone_id, successor_id)

    def add_address(self, contact_id: int, primary: bool = False, **fields: str) -> RecordInfo:
        return self.add("address", contact_id, fields, primary=primary)

    def update_address(self, address_id: int, primary: bool = False, **fields: str) -> RecordInfo:
        return self.update("address", address_id, fields, primary=primary)

    def add_bank_account(self, contact_id: int, name: str, iban: str, bic: str = "") -> RecordInfo:
        return self.add("bank_account", contact_id, {"name": name, "iban": iban, "bic": bic})

    def update_bank_account(
        self, bank_account_id: int, name: str, iban: str, bic: str = ""
    ) -> RecordInfo:
        values = {"name": name, "iban": iban, "bic": bic}
        return self.update("bank_account", bank_account_id, values)


# ----- details tab records: helpers ------------------------------------------------------


class RecordInvalid(ValidationError):
    """Fields of an e-mail, phone, address or bank account are not acceptable.

    `errors` maps each bad field to its message, so a form can show each at its field.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class RecordCheck:
    """A record's fields normalised for saving, and warnings that do not stop a save."""

    values: dict[str, str]
    warnings: dict[str, str]


@dataclass(frozen=True)
class _RecordKind:
    model: Any  # Email, Phone, Address or BankAccount: columns are reached by name
    info: str  # its class in services/details.py, loaded on first use
    label: str  # "e-mail": audit entries and messages
    fields: tuple[str, ...]  # what the user fills in
    stored: tuple[str, ...]  # what validate_record returns and the row holds
    duplicate_field: str | None = None  # the column that must not repeat on a contact
    picklist: str = ""  # the config picklist of its types
    has_primary: bool = True


RECORD_KINDS = {
    "email": _RecordKind(
        Email, "EmailInfo", "e-mail", ("email", "type"), ("email", "type"), "email", "email_types"
    ),
    "phone": _RecordKind(
        Phone,
        "PhoneInfo",
        "phone number",
        ("number", "type"),
        ("number", "typed", "type"),
        "number",
        "phone_types",
    ),
    "address": _RecordKind(
        Address,
        "AddressInfo",
        "address",
        ("address", "country", "state", "city", "zip_code", "locality", "type"),
        ("address", "country", "state", "city", "zip_code", "locality", "type"),
        None,
        "address_types",
    ),
    "bank_account": _RecordKind(
        BankAccount,
        "BankAccountInfo",
        "bank account",
        ("name", "iban", "bic"),
        ("name", "iban", "bic"),
        "iban",
        has_primary=False,
    ),
}
"""The kinds of record of the Details tab, by the name the UI and scripts use."""


_FIELD_SETS = {kind: frozenset(spec.fields) for kind, spec in RECORD_KINDS.items()}


def _record_kind(kind: str) -> _RecordKind:
    try:
        return RECORD_KINDS[kind]
    except KeyError:
        raise TypeError(f"unknown record kind {kind!r}") from None


def _without_errors(kind: str, values: dict[str, str], config: LifecycleConfig) -> dict | None:
    """validate's values for an e-mail or address in which it finds no error, by the
    same functions in the same order without the bookkeeping of errors (a third of an
    address's check, which an import does for every row); None when a value is not
    acceptable or not a field: then validate says why, field by field.
    """
    spec = RECORD_KINDS[kind]
    if not _FIELD_SETS[kind].issuperset(values):
        return None
    get = values.get
    try:
        if kind == "email":
            email = normalize_email(get("email") or "")
            chosen = get("type")  # blank (most): no type, as _picked says
            return {
                "email": email,
                "type": (
                    _picked(chosen, config.picklists.email_types, "", spec.label) if chosen else ""
                ),
            }
        country = normalize_country(get("country") or "")
        state = get("state")  # blank (most): no state, as normalize_state says
        chosen = get("type")
        return {
            "address": clean_text(get("address") or "", field="Address", required=True),
            "country": country,
            "state": normalize_state(state, country) if state else "",
            "city": clean_text(get("city") or "", field="City"),
            "zip_code": normalize_zip(get("zip_code") or ""),
            "locality": clean_text(get("locality") or "", field="Locality", required=True),
            "type": (
                _picked(chosen, config.picklists.address_types, "", spec.label) if chosen else ""
            ),
        }
    except ValidationError:
        return None


def _picked(text: str, choices: tuple[str, ...], current: str, label: str) -> str:
    """A type from the config's picklist (blank allowed; a saved, since-removed one too)."""
    typed = clean_text(text, field="Type", max_length=100)
    if not typed or typed == current:
        return typed
    match = next((c for c in choices if c.casefold() == typed.casefold()), None)
    if match is None:
        raise ValidationError(
            f"“{typed}” is not a {label} type; choose one of: {', '.join(choices)}."
        )
    return match


def _row_type(row: peewee.Model) -> str:
    return getattr(row, "type", "")


def _record_row(spec: _RecordKind, record_id: int) -> Any:
    row = spec.model.get_or_none(spec.model.id == record_id)
    if row is None:
        raise NotFoundError(f"This {spec.label} no longer exists; someone may have deleted it.")
    return row


def _record_info(spec: _RecordKind, record_id: int) -> RecordInfo:
    from contacts_tui.services import details

    info = getattr(details, spec.info)
    names = [f.name for f in dataclasses.fields(info)]
    row = (
        spec.model.select(*(getattr(spec.model, n) for n in names))
        .where(spec.model.id == record_id)
        .tuples()
        .first()
    )
    if row is None:
        raise NotFoundError(f"This {spec.label} no longer exists; someone may have deleted it.")
    return info(*row)


def _primary_of(spec: _RecordKind, contact_id: int) -> dict | None:
    row = (
        spec.model.select(*(getattr(spec.model, n) for n in spec.stored))
        .where((spec.model.contact == contact_id) & (spec.model.is_primary == True))  # noqa: E712
        .dicts()
        .first()
    )
    return row


def _unset_primary(spec: _RecordKind, contact_id: int) -> None:
    spec.model.update(is_primary=False).where(
        (spec.model.contact == contact_id) & (spec.model.is_primary == True)  # noqa: E712
    ).execute()


def _refuse_same_contact_duplicate(
    spec: _RecordKind, contact_id: int, clean: dict, record_id: int | None = None
) -> None:
    if spec.duplicate_field is None:
        return
    column = getattr(spec.model, spec.duplicate_field)
    query = spec.model.select().where(
        (spec.model.contact == contact_id) & (column == clean[spec.duplicate_field])
    )
    if record_id is not None:
        query = query.where(spec.model.id != record_id)
    if query.exists():
        field_name = "number" if spec.duplicate_field == "number" else spec.duplicate_field
        raise RecordInvalid({field_name: f"This contact has this {spec.label} already."})


def _record_text(spec: _RecordKind, values: dict | None) -> str:
    """One line for the audit log, e.g. `maria@example.com (Business)`."""
    if not values:
        return ""
    if spec.model is Phone:
        text = values["number"]
    elif spec.model is Email:
        text = values["email"]
    elif spec.model is BankAccount:
        text = " ".join(p for p in (values["name"], values["iban"], values["bic"]) if p)
    else:
        parts = (
            values["address"],
            f"{values['zip_code']} {values['locality']}".strip(),
            values["city"],
            values["state"],
            values["country"],
        )
        text = ", ".join(p for p in parts if p)
    kind = values.get("type")
    return f"{text} ({kind})" if kind else text
