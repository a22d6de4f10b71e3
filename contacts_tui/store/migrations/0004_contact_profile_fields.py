"""Job title, department, website, birthday, nickname and notes on the contact, and its UID.

Every address book and CRM exchanges these; import dropped them and there was nowhere to
type them. Plain ALTER TABLE … ADD COLUMN … NOT NULL DEFAULT '': on SQLite and
PostgreSQL 11+ that changes only the schema, not a million rows, and the database's own
default lets the demo's bulk insert leave them out. Every stored contact has them blank,
so its search document (which now also holds nickname, job title and department) stays
right as it is.

`uid` is the id another address book gave the contact (a vCard UID): an import of the
same file again recognises its contacts by it.
"""

COLUMNS = (
    ("job_title", "VARCHAR(255)"),
    ("department", "VARCHAR(255)"),
    ("website", "VARCHAR(255)"),
    ("birthday", "VARCHAR(255)"),
    ("nickname", "VARCHAR(255)"),
    ("notes", "TEXT"),
    ("uid", "VARCHAR(255)"),
)


def up(migrator, db):
    for column, kind in COLUMNS:
        db.execute_sql(f"ALTER TABLE contact ADD COLUMN {column} {kind} NOT NULL DEFAULT ''")
    db.execute_sql("CREATE INDEX contact_uid ON contact (uid)")
