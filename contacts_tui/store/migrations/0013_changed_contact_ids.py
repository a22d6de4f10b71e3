"""Sessions learn which contacts another session changed, not only that something changed.

Migration 0006 told a session "contacts changed" and every session re-read its whole
screenful: with 50 sessions open, each colleague's save cost 50 page reads and 50
repaints, and two cores could not keep up. With the ids a session reads only the changed
contacts it shows or that now sort into what it shows (most changes are elsewhere in the
list: nothing to read, nothing to paint).

SQLite: a ring of RING rows `contact_change (slot, seq, contact_id, counted)`, written by
the same triggers that bump 0006's counters, in the writer's own transaction: `seq` is
the `row_changes` counter after the bump, stored in slot `seq % RING`. SQLite has one
writer at a time, so the sequence is also the order of the commits: a session that last
saw `row_changes = N` reads the slots of N+1 to the counter's value now; a slot already
reused by a later change (a session more than RING changes behind: a big import) means
"everything", as before.

PostgreSQL: the NOTIFY payload carries the ids, from statement-level triggers that read
the statement's transition tables: "rows:ID,ID…" (own columns only) or "counts:ID,ID…"
(the counts may have changed). A statement touching too many contacts for one payload
(8,000 bytes) sends "rows" or "counts" without ids, which sessions read as "any", as
0006's payloads. Notifications are delivered when the transaction commits, in commit
order, so no id is seen before its change can be read.
"""

from peewee import PostgresqlDatabase

CHANNEL = "contacts_tui_changed"  # store.change_feed.CHANNEL; migrations stay frozen
RING = 4096  # store.change_feed.RING
MAX_IDS_TEXT = 7900  # under PostgreSQL's 8,000-byte payload limit, with the prefix

# Columns the counts, the dashboard or a filter read (as in 0006).
COUNTED = (
    "status",
    "stage",
    "template",
    "archived",
    "company_id",
    "segmentation",
    "reason_code",
    "scoring",
    "primary_email",
    "primary_phone",
)

SQLITE_TRIGGERS_0006 = (
    "contact_insert_counted",
    "contact_delete_counted",
    "contact_account_insert_counted",
    "contact_account_delete_counted",
    "contact_account_update_counted",
    "contact_update_counted",
)


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        up_postgresql(db)
    else:
        up_sqlite(db)


def up_sqlite(db) -> None:
    db.execute_sql(
        "CREATE TABLE contact_change (slot INTEGER PRIMARY KEY, seq INTEGER NOT NULL, "
        "contact_id INTEGER NOT NULL, counted INTEGER NOT NULL)"
    )
    for name in SQLITE_TRIGGERS_0006:
        db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")

    def bump_and_log(contact_id: str, counted: str) -> str:
        return (
            "UPDATE change_counter SET row_changes = row_changes + 1, "
            f"count_changes = count_changes + ({counted}); "
            "INSERT OR REPLACE INTO contact_change (slot, seq, contact_id, counted) "
            f"SELECT row_changes % {RING}, row_changes, {contact_id}, ({counted}) "
            "FROM change_counter;"
        )

    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COUNTED)
    triggers = {
        "contact_insert_logged": ("INSERT ON contact", bump_and_log("NEW.id", "1")),
        "contact_delete_logged": ("DELETE ON contact", bump_and_log("OLD.id", "1")),
        "contact_update_logged": ("UPDATE ON contact", bump_and_log("NEW.id", changed)),
        "contact_account_insert_logged": (
            "INSERT ON contact_account",
            bump_and_log("NEW.contact_id", "1"),
        ),
        "contact_account_delete_logged": (
            "DELETE ON contact_account",
            bump_and_log("OLD.contact_id", "1"),
        ),
        "contact_account_update_logged": (
            "UPDATE ON contact_account",
            bump_and_log("OLD.contact_id", "1") + bump_and_log("NEW.contact_id", "1"),
        ),
    }
    for name, (event, body) in triggers.items():
        db.execute_sql(f"CREATE TRIGGER {name} AFTER {event} BEGIN {body} END")


def up_postgresql(db) -> None:
    # kind: 'rows' or 'counts'; ids: the changed contacts' ids, NULL when there were none.
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION contacts_tui_notify_ids(kind text, ids text) "
        "RETURNS void AS $$ BEGIN "
        "IF ids IS NULL THEN RETURN; END IF; "
        f"IF length(ids) > {MAX_IDS_TEXT} THEN PERFORM pg_notify('{CHANNEL}', kind); "
        f"ELSE PERFORM pg_notify('{CHANNEL}', kind || ':' || ids); END IF; "
        "END; $$ LANGUAGE plpgsql"
    )
    changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in COUNTED)
    functions = {
        "contacts_tui_contact_inserted": "PERFORM contacts_tui_notify_ids('counts', "
        "string_agg(DISTINCT id::text, ',')) FROM changed_rows",
        "contacts_tui_contact_deleted": "PERFORM contacts_tui_notify_ids('counts', "
        "string_agg(DISTINCT id::text, ',')) FROM changed_rows",
        "contacts_tui_contact_updated": "PERFORM contacts_tui_notify_ids("
        f"CASE WHEN bool_or({changed}) THEN 'counts' ELSE 'rows' END, "
        "string_agg(DISTINCT n.id::text, ',')) FROM new_rows n JOIN old_rows o ON o.id = n.id",
        "contacts_tui_accounts_inserted": "PERFORM contacts_tui_notify_ids('counts', "
        "string_agg(DISTINCT contact_id::text, ',')) FROM changed_rows",
        "contacts_tui_accounts_deleted": "PERFORM contacts_tui_notify_ids('counts', "
        "string_agg(DISTINCT contact_id::text, ',')) FROM changed_rows",
        "contacts_tui_accounts_updated": "PERFORM contacts_tui_notify_ids('counts', "
        "string_agg(DISTINCT contact_id::text, ',')) FROM "
        "(SELECT contact_id FROM new_rows UNION SELECT contact_id FROM old_rows) AS both_sides",
    }
    for name, perform in functions.items():
        db.execute_sql(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ "
            f"BEGIN {perform}; RETURN NULL; END; $$ LANGUAGE plpgsql"
        )
    # 0006's: every write to contact or contact_account said "rows" or "counts", no ids.
    db.execute_sql("DROP TRIGGER IF EXISTS contacts_tui_notify ON contact")
    db.execute_sql("DROP TRIGGER IF EXISTS contacts_tui_notify_counts ON contact")
    db.execute_sql("DROP TRIGGER IF EXISTS contacts_tui_notify_counted ON contact")
    db.execute_sql("DROP TRIGGER IF EXISTS contacts_tui_notify ON contact_account")
    for table, prefix in (("contact", "contact"), ("contact_account", "accounts")):
        db.execute_sql(
            f"CREATE TRIGGER contacts_tui_inserted AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT "
            f"EXECUTE PROCEDURE contacts_tui_{prefix}_inserted()"
        )
        db.execute_sql(
            f"CREATE TRIGGER contacts_tui_deleted AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT "
            f"EXECUTE PROCEDURE contacts_tui_{prefix}_deleted()"
        )
        db.execute_sql(
            f"CREATE TRIGGER contacts_tui_updated AFTER UPDATE ON {table} "
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
            f"EXECUTE PROCEDURE contacts_tui_{prefix}_updated()"
        )
        # TRUNCATE has no transition table: "counts" without ids, that is "anything".
        db.execute_sql(
            f"CREATE TRIGGER contacts_tui_truncated AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE PROCEDURE contacts_tui_notify('counts')"
        )
