"""The peewee models of the contacts database (the schema itself lives in migrations/)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    CompositeKey,
    DatabaseProxy,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

database = DatabaseProxy()


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class BaseModel(Model):
    if TYPE_CHECKING:
        # The `id` primary key peewee adds to every model without one of its own,
        # for the type checker (declared for real it would be a field of ContactWord too).
        id = AutoField()

    class Meta:
        database = database
        legacy_table_names = False


class Company(BaseModel):
    name = CharField(unique=True)
    created_at = DateTimeField(default=utc_now)


class Account(BaseModel):
    """An account of the Sales Management → Accounts module that contacts are assigned to."""

    name = CharField(unique=True)
    archived = BooleanField(default=False)
    created_at = DateTimeField(default=utc_now)


class Contact(BaseModel):
    name = CharField()
    full_name = CharField(default="")
    scoring = IntegerField(null=True)
    segmentation = CharField(default="")
    reason_code = CharField(default="")
    company = ForeignKeyField(Company, null=True, on_delete="SET NULL")  # NULL = Tenant-Wide
    template = CharField()
    stage = CharField()
    status = CharField()  # "Open" or "Closed", derived from the stage's step
    archived = BooleanField(default=False)
    # Denormalised for the list screen: sorting and keyset paging at a million rows
    # need these on one indexed table, not behind joins.
    name_key = CharField()  # lower-case, accents folded: sort order and short-term prefix search
    company_name = CharField(default="")
    primary_email = CharField(default="")
    primary_phone = CharField(default="")
    phone_digits = CharField(default="")  # digits of the primary phone, for prefix search
    search_doc = TextField(default="")  # every searchable text, folded; FTS5/pg_trgm index it
    created_at = DateTimeField(default=utc_now)
    created_by = CharField(default="")
    updated_at = DateTimeField(default=utc_now)
    updated_by = CharField(default="")
    version = IntegerField(default=1)
    # What every address book and CRM exchanges beside the spec's fields.
    job_title = CharField(default="")
    department = CharField(default="")
    website = CharField(default="")
    birthday = CharField(default="")  # ISO 8601: 1985-04-12, or --04-12 without the year
    nickname = CharField(default="")
    notes = TextField(default="")  # free text, several lines
    uid = CharField(default="", index=True)  # the id another address book gave it (vCard UID)


PROFILE_COLUMNS = ("job_title", "department", "website", "birthday", "nickname", "notes")
"""The contact's own fields beyond the spec's: shown on the contact, imported, exported."""

CONTACT_COLUMNS = tuple(
    field.column_name
    for field in Contact._meta.sorted_fields[1:]
    if field.column_name not in (*PROFILE_COLUMNS, "uid")
)
"""Every column of `contact` but id, PROFILE_COLUMNS and uid, in the model's order: what
the bulk insert of the demo writes, a tuple of values per row (import adds the others;
the demo leaves them at their defaults)."""


class ContactWord(BaseModel):
    """One- and two-character starts of the words a contact can be found by.

    Trigram indexes cannot find a term shorter than three characters; this table can
    (`jo` finds John, Jones, jo.smith@… and Johnson & Co). Written from the search
    document by `store.search.write_word_index`; one row per contact and prefix.
    PostgreSQL's rows also hold `code`, the contact's count key (migration 0021), which
    a search's counts read; not a field here, as SQLite has no such column.
    """

    prefix = CharField()
    contact = IntegerField(column_name="contact_id")  # no foreign key: see migration 0005

    class Meta:
        primary_key = CompositeKey("prefix", "contact")


class ContactCounted(BaseModel):
    """Each contact's columns the dashboard counts, kept by triggers (migration 0012): a
    search's matches are counted here without reading their wide contact rows."""

    id = IntegerField(primary_key=True)
    archived = BooleanField()
    template = CharField()
    stage = CharField()
    status = CharField()
    segmentation = CharField()
    reason_code = CharField()
    missing = IntegerField()  # 1: no primary e-mail or no primary phone


class StageSince(BaseModel):
    """Each contact's latest stage change, kept by triggers (migration 0017): the stuck
    contacts are read along its (stage, since) index."""

    contact = IntegerField(column_name="contact_id", primary_key=True)
    stage = CharField()
    since = DateTimeField()


class ContactAccount(BaseModel):
    contact = ForeignKeyField(Contact, on_delete="CASCADE")
    account = ForeignKeyField(Account, on_delete="CASCADE")

    class Meta:
        indexes = ((("contact", "account"), True),)


class BankAccount(BaseModel):
    contact = ForeignKeyField(Contact, on_delete="CASCADE")
    name = CharField()
    iban = CharField(index=True)
    bic = CharField(default="")


class Address(BaseModel):
    contact = ForeignKeyField(Contact, on_delete="CASCADE")
    address = CharField()
    country = CharField(default="")
    state = CharField(default="")
    city = CharField(default="")
    zip_code = CharField()
    locality = CharField()
    type = CharField(default="")
    is_primary = BooleanField(default=False)


class Email(BaseModel):
    contact = ForeignKeyField(Contact, on_delete="CASCADE")
    email = CharField(index=True)
    type = CharField(default="")
    is_primary = BooleanField(default=False)


class Phone(BaseModel):
    contact = ForeignKeyField(Contact, on_delete="CASCADE")
    number = CharField(index=True)  # E.164
    typed = CharField(default="")  # what the user typed, kept as they wrote it
    type = CharField(default="")
    is_primary = BooleanField(default=False)


class Document(BaseModel):
    contact = ForeignKeyField(Contact, on_delete="CASCADE")
    file_name = CharField()
    doc_type = CharField(default="")
    size = IntegerField()
    media_type = CharField(default="application/octet-stream")
    sha256 = CharField(index=True)
    uploaded_at = DateTimeField(default=utc_now)
    uploaded_by = CharField(default="")


class StageChange(BaseModel):
    contact = ForeignKeyField(Contact, on_delete="CASCADE")
    from_stage = CharField(default="")
    to_stage = CharField()
    at = DateTimeField(default=utc_now)
    by = CharField(default="")


class AuditEntry(BaseModel):
    contact = ForeignKeyField(Contact, on_delete="CASCADE")
    at = DateTimeField(default=utc_now)
    by = CharField(default="")
    field = CharField()
    old_value = TextField(default="")
    new_value = TextField(default="")


ALL_MODELS = (
    Company,
    Account,
    Contact,
    ContactWord,
    ContactAccount,
    BankAccount,
    Address,
    Email,
    Phone,
    Document,
    StageChange,
    AuditEntry,
)
