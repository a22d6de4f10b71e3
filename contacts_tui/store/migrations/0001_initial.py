"""The first schema: contacts, their children, history, and the list and search indexes.

The models are a frozen copy, on purpose independent of store/models.py: this file must
build the same schema forever, whatever the application models become later.
"""

import datetime

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    PostgresqlDatabase,
    TextField,
)


def now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


# Columns the list screen sorts by; each gets an index (column, name_key, id) so that keyset
# pagination reads only the rows it shows, whichever way the list is sorted.
SORT_EXPRESSIONS = (
    "full_name",
    "primary_email",
    "primary_phone",
    "company_name",
    "status",
    "stage",
    "segmentation",
    "reason_code",
    "COALESCE(scoring, -1)",
    "updated_at",
)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Company(Base):
        name = CharField(unique=True)
        created_at = DateTimeField(default=now)

    class Account(Base):
        name = CharField(unique=True)
        archived = BooleanField(default=False)
        created_at = DateTimeField(default=now)

    class Contact(Base):
        name = CharField()
        full_name = CharField(default="")
        scoring = IntegerField(null=True)
        segmentation = CharField(default="")
        reason_code = CharField(default="")
        company = ForeignKeyField(Company, null=True, on_delete="SET NULL")
        template = CharField()
        stage = CharField()  # the sort index (stage, name_key, id) serves lookups too
        status = CharField()
        archived = BooleanField(default=False)
        name_key = CharField()
        company_name = CharField(default="")
        primary_email = CharField(default="")
        primary_phone = CharField(default="")
        phone_digits = CharField(default="")
        search_doc = TextField(default="")
        created_at = DateTimeField(default=now)
        created_by = CharField(default="")
        updated_at = DateTimeField(default=now)
        updated_by = CharField(default="")
        version = IntegerField(default=1)

    class ContactAccount(Base):
        contact = ForeignKeyField(Contact, on_delete="CASCADE")
        account = ForeignKeyField(Account, on_delete="CASCADE")

        class Meta:
            indexes = ((("contact", "account"), True),)

    class BankAccount(Base):
        contact = ForeignKeyField(Contact, on_delete="CASCADE")
        name = CharField()
        iban = CharField(index=True)
        bic = CharField(default="")

    class Address(Base):
        contact = ForeignKeyField(Contact, on_delete="CASCADE")
        address = CharField()
        country = CharField(default="")
        state = CharField(default="")
        city = CharField(default="")
        zip_code = CharField()
        locality = CharField()
        type = CharField(default="")
        is_primary = BooleanField(default=False)

    class Email(Base):
        contact = ForeignKeyField(Contact, on_delete="CASCADE")
        email = CharField(index=True)
        type = CharField(default="")
        is_primary = BooleanField(default=False)

    class Phone(Base):
        contact = ForeignKeyField(Contact, on_delete="CASCADE")
        number = CharField(index=True)
        typed = CharField(default="")
        type = CharField(default="")
        is_primary = BooleanField(default=False)

    class Document(Base):
        contact = ForeignKeyField(Contact, on_delete="CASCADE")
        file_name = CharField()
        doc_type = CharField(default="")
        size = IntegerField()
        media_type = CharField(default="application/octet-stream")
        sha256 = CharField(index=True)
        uploaded_at = DateTimeField(default=now)
        uploaded_by = CharField(default="")

    class StageChange(Base):
        contact = ForeignKeyField(Contact, on_delete="CASCADE")
        from_stage = CharField(default="")
        to_stage = CharField()
        at = DateTimeField(default=now)
        by = CharField(default="")

    class AuditEntry(Base):
        contact = ForeignKeyField(Contact, on_delete="CASCADE")
        at = DateTimeField(default=now)
        by = CharField(default="")
        field = CharField()
        old_value = TextField(default="")
        new_value = TextField(default="")

    db.create_tables(
        [
            Company,
            Account,
            Contact,
            ContactAccount,
            BankAccount,
            Address,
            Email,
            Phone,
            Document,
            StageChange,
            AuditEntry,
        ]
    )

    # At most one primary per contact and kind, enforced by the database itself.
    for table in ("address", "email", "phone"):
        db.execute_sql(
            f"CREATE UNIQUE INDEX {table}_one_primary ON {table} (contact_id) WHERE is_primary"
        )

    db.execute_sql("CREATE INDEX contact_sort_name ON contact (name_key, id)")
    for number, expression in enumerate(SORT_EXPRESSIONS):
        db.execute_sql(
            f"CREATE INDEX contact_sort_{number} ON contact ({expression}, name_key, id)"
        )
    # Prefix search for one- and two-character terms, which trigram indexes cannot serve.
    db.execute_sql("CREATE INDEX contact_phone_digits ON contact (phone_digits)")

    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        db.execute_sql(
            "CREATE INDEX contact_search_trgm ON contact USING gin (search_doc gin_trgm_ops)"
        )
        db.execute_sql("CREATE INDEX contact_name_prefix ON contact (name_key text_pattern_ops)")
        db.execute_sql(
            "CREATE INDEX contact_email_prefix ON contact (primary_email text_pattern_ops)"
        )
        db.execute_sql(
            "CREATE INDEX contact_digits_prefix ON contact (phone_digits text_pattern_ops)"
        )
    else:
        # External-content FTS5 table over contact.search_doc, kept in sync by triggers.
        db.execute_sql(
            "CREATE VIRTUAL TABLE contact_fts USING fts5("
            "search_doc, content='contact', content_rowid='id', tokenize='trigram')"
        )
        db.execute_sql(
            "CREATE TRIGGER contact_fts_insert AFTER INSERT ON contact BEGIN "
            "INSERT INTO contact_fts(rowid, search_doc) VALUES (new.id, new.search_doc); END"
        )
        db.execute_sql(
            "CREATE TRIGGER contact_fts_delete AFTER DELETE ON contact BEGIN "
            "INSERT INTO contact_fts(contact_fts, rowid, search_doc) "
            "VALUES ('delete', old.id, old.search_doc); END"
        )
        db.execute_sql(
            "CREATE TRIGGER contact_fts_update AFTER UPDATE OF search_doc ON contact BEGIN "
            "INSERT INTO contact_fts(contact_fts, rowid, search_doc) "
            "VALUES ('delete', old.id, old.search_doc); "
            "INSERT INTO contact_fts(rowid, search_doc) VALUES (new.id, new.search_doc); END"
        )
