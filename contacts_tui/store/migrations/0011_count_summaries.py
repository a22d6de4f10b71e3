"""Counts kept by the database: the dashboard's and the movement report's, true at a million.

Counting a million contacts (the list's dashboard) or a year of stage changes (the
movement report) scans them on every read. These tables hold the answers instead, kept
by triggers in the transaction of every write, whoever writes (the app, the demo,
import, the command line, an older copy of the app):

* contact_tally: contacts per (archived, template, stage, status, segmentation, reason
  code, missing a primary e-mail or phone): the dashboard and the board's step counts
  of any view filtered by those alone.
* stage_day: stage changes per (UTC day, step) of contacts not archived.
* created_day: contacts not archived per UTC day created.

A contact archived or restored takes its whole history out of (or back into) stage_day
and created_day, as the reports take contacts as they are now. `contacts-tui check`
compares every table with a count from the rows (`store.summaries`).
"""

from peewee import PostgresqlDatabase

TALLY = ("archived", "template", "stage", "status", "segmentation", "reason_code", "missing")
COLUMNS = ("archived", "template", "stage", "status", "segmentation", "reason_code")


def missing(row: str) -> str:
    return f"CASE WHEN {row}.primary_email = '' OR {row}.primary_phone = '' THEN 1 ELSE 0 END"


def tally_values(row: str) -> str:
    return ", ".join([*(f"{row}.{c}" for c in COLUMNS), missing(row)])


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    flag = "BOOLEAN" if postgres else "INTEGER"
    day = "DATE" if postgres else "TEXT"
    db.execute_sql(
        f"CREATE TABLE contact_tally (archived {flag} NOT NULL, template TEXT NOT NULL, "
        "stage TEXT NOT NULL, status TEXT NOT NULL, segmentation TEXT NOT NULL, "
        "reason_code TEXT NOT NULL, missing INTEGER NOT NULL, contacts INTEGER NOT NULL, "
        f"PRIMARY KEY ({', '.join(TALLY)}))"
    )
    db.execute_sql(
        f"CREATE TABLE stage_day (day {day} NOT NULL, stage TEXT NOT NULL, "
        "changes INTEGER NOT NULL, PRIMARY KEY (day, stage))"
    )
    db.execute_sql(
        f"CREATE TABLE created_day (day {day} NOT NULL PRIMARY KEY, contacts INTEGER NOT NULL)"
    )
    if postgres:
        up_postgresql(db)
    else:
        up_sqlite(db)
    fill(db, postgres)


def fill(db, postgres: bool) -> None:
    to_day = (lambda c: f"CAST({c} AS DATE)") if postgres else (lambda c: f"date({c})")
    not_archived = "NOT c.archived" if postgres else "c.archived = 0"
    db.execute_sql(
        f"INSERT INTO contact_tally SELECT {', '.join(COLUMNS)}, {missing('contact')}, COUNT(*) "
        f"FROM contact GROUP BY {', '.join(COLUMNS)}, {missing('contact')}"
    )
    db.execute_sql(
        f"INSERT INTO stage_day SELECT {to_day('s.at')}, s.to_stage, COUNT(*) "
        f"FROM stage_change s JOIN contact c ON c.id = s.contact_id WHERE {not_archived} "
        "GROUP BY 1, 2"
    )
    db.execute_sql(
        f"INSERT INTO created_day SELECT {to_day('c.created_at')}, COUNT(*) "
        f"FROM contact c WHERE {not_archived} GROUP BY 1"
    )


# ----- SQLite ------------------------------------------------------------------------------

ADD_TALLY = (
    "INSERT INTO contact_tally VALUES ({values}, {n}) ON CONFLICT ({key}) "
    "DO UPDATE SET contacts = contacts + excluded.contacts;"
)
ADD_CREATED = (
    "INSERT INTO created_day SELECT date({row}.created_at), {n} WHERE NOT {row}.archived "
    "ON CONFLICT (day) DO UPDATE SET contacts = contacts + excluded.contacts;"
)
ADD_DAY = (
    "INSERT INTO stage_day SELECT date({row}.at), {row}.to_stage, {n} "
    "WHERE NOT EXISTS (SELECT 1 FROM contact WHERE id = {row}.contact_id AND archived) "
    "ON CONFLICT (day, stage) DO UPDATE SET changes = changes + excluded.changes;"
)
# A contact's whole history in or out of stage_day (archived, restored, deleted).
ADD_HISTORY = (
    "INSERT INTO stage_day SELECT date(at), to_stage, {n} * COUNT(*) FROM stage_change "
    "WHERE contact_id = {row}.id GROUP BY 1, 2 "
    "ON CONFLICT (day, stage) DO UPDATE SET changes = changes + excluded.changes;"
)


def tally(row: str, n: int) -> str:
    return ADD_TALLY.format(values=tally_values(row), n=n, key=", ".join(TALLY))


def up_sqlite(db) -> None:
    watched = ", ".join((*COLUMNS, "primary_email", "primary_phone", "created_at"))
    changed = " OR ".join(
        f"OLD.{c} IS NOT NEW.{c}"
        for c in (*COLUMNS, "primary_email", "primary_phone", "created_at")
    )
    statements = {
        "contact_summary_insert": (
            "AFTER INSERT ON contact",
            tally("NEW", 1) + ADD_CREATED.format(row="NEW", n=1),
        ),
        "contact_summary_update": (
            f"AFTER UPDATE OF {watched} ON contact WHEN {changed}",
            tally("OLD", -1)
            + tally("NEW", 1)
            + ADD_CREATED.format(row="OLD", n=-1)
            + ADD_CREATED.format(row="NEW", n=1),
        ),
        "contact_summary_archive": (
            "AFTER UPDATE OF archived ON contact WHEN OLD.archived IS NOT NEW.archived",
            ADD_HISTORY.format(row="NEW", n="CASE WHEN NEW.archived THEN -1 ELSE 1 END"),
        ),
        "contact_summary_delete": (
            "AFTER DELETE ON contact",
            tally("OLD", -1) + ADD_CREATED.format(row="OLD", n=-1),
        ),
        # The history of a deleted contact goes with it (ON DELETE CASCADE), and each
        # change's own trigger then finds no contact, so counts it out: an archived
        # contact's history was never counted, so it is counted in first.
        "contact_summary_delete_archived": (
            "BEFORE DELETE ON contact WHEN OLD.archived",
            ADD_HISTORY.format(row="OLD", n=1),
        ),
        "stage_change_summary_insert": (
            "AFTER INSERT ON stage_change",
            ADD_DAY.format(row="NEW", n=1),
        ),
        "stage_change_summary_update": (
            "AFTER UPDATE OF at, to_stage, contact_id ON stage_change",
            ADD_DAY.format(row="OLD", n=-1) + ADD_DAY.format(row="NEW", n=1),
        ),
        "stage_change_summary_delete": (
            "AFTER DELETE ON stage_change",
            ADD_DAY.format(row="OLD", n=-1),
        ),
    }
    for name, (when, body) in statements.items():
        db.execute_sql(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


# ----- PostgreSQL --------------------------------------------------------------------------

PG_TALLY = (
    "INSERT INTO contact_tally VALUES ({values}, {n}) ON CONFLICT ({key}) "
    "DO UPDATE SET contacts = contact_tally.contacts + excluded.contacts;"
)
PG_CREATED = (
    "IF NOT {row}.archived THEN INSERT INTO created_day VALUES (CAST({row}.created_at AS DATE), "
    "{n}) ON CONFLICT (day) DO UPDATE SET contacts = created_day.contacts + excluded.contacts; "
    "END IF;"
)
PG_DAY = (
    "IF NOT EXISTS (SELECT 1 FROM contact WHERE id = {row}.contact_id AND archived) THEN "
    "INSERT INTO stage_day VALUES (CAST({row}.at AS DATE), {row}.to_stage, {n}) "
    "ON CONFLICT (day, stage) DO UPDATE SET changes = stage_day.changes + excluded.changes; "
    "END IF;"
)
PG_HISTORY = (
    "INSERT INTO stage_day SELECT CAST(at AS DATE), to_stage, {n} * COUNT(*) FROM stage_change "
    "WHERE contact_id = {row}.id GROUP BY 1, 2 "
    "ON CONFLICT (day, stage) DO UPDATE SET changes = stage_day.changes + excluded.changes;"
)


def pg_tally(row: str, n: int) -> str:
    return PG_TALLY.format(values=tally_values(row), n=n, key=", ".join(TALLY))


def up_postgresql(db) -> None:
    changed = " OR ".join(
        f"OLD.{c} IS DISTINCT FROM NEW.{c}"
        for c in (*COLUMNS, "primary_email", "primary_phone", "created_at")
    )
    contact_body = (
        "BEGIN "
        "IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        + pg_tally("OLD", -1)
        + PG_CREATED.format(row="OLD", n=-1)
        + " END IF; "
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        + pg_tally("NEW", 1)
        + PG_CREATED.format(row="NEW", n=1)
        + " END IF; "
        "IF TG_OP = 'UPDATE' AND OLD.archived IS DISTINCT FROM NEW.archived THEN "
        + PG_HISTORY.format(row="NEW", n="CASE WHEN NEW.archived THEN -1 ELSE 1 END")
        + " END IF; "
        "RETURN NULL; END"
    )
    change_body = (
        "BEGIN "
        "IF TG_OP IN ('UPDATE', 'DELETE') THEN " + PG_DAY.format(row="OLD", n=-1) + " END IF; "
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN " + PG_DAY.format(row="NEW", n=1) + " END IF; "
        "RETURN NULL; END"
    )
    for name, body in (("contact_summary", contact_body), ("stage_change_summary", change_body)):
        db.execute_sql(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ {body} $$")
    # See the SQLite trigger of the same name: counted in before the delete cascades.
    db.execute_sql(
        "CREATE FUNCTION contact_summary_delete_archived() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {PG_HISTORY.format(row='OLD', n=1)} RETURN OLD; END $$"
    )
    db.execute_sql(
        "CREATE TRIGGER contact_summary_delete_archived BEFORE DELETE ON contact "
        "FOR EACH ROW WHEN (OLD.archived) EXECUTE FUNCTION contact_summary_delete_archived()"
    )
    db.execute_sql(
        "CREATE TRIGGER contact_summary AFTER INSERT OR DELETE ON contact "
        "FOR EACH ROW EXECUTE FUNCTION contact_summary()"
    )
    db.execute_sql(
        "CREATE TRIGGER contact_summary_update AFTER UPDATE ON contact FOR EACH ROW "
        f"WHEN ({changed}) EXECUTE FUNCTION contact_summary()"
    )
    db.execute_sql(
        "CREATE TRIGGER stage_change_summary AFTER INSERT OR DELETE ON stage_change "
        "FOR EACH ROW EXECUTE FUNCTION stage_change_summary()"
    )
    db.execute_sql(
        "CREATE TRIGGER stage_change_summary_update AFTER UPDATE ON stage_change FOR EACH ROW "
        "WHEN (OLD.at IS DISTINCT FROM NEW.at OR OLD.to_stage IS DISTINCT FROM NEW.to_stage "
        "OR OLD.contact_id IS DISTINCT FROM NEW.contact_id) "
        "EXECUTE FUNCTION stage_change_summary()"
    )
