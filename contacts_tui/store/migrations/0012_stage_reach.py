"""The funnel and its breakdowns kept by the database: contacts reaching each step, exactly.

A contact reaches a group of steps (a step, a category, an outcome) in a period when a
change into one of them is in the period, counted once however often it came back. A
change at day D whose contact's previous change into the same group was at day P is the
first of the period [S, E) exactly when S <= D < E and P < S (or there is none). So
stage_reach counts changes per (group, dimension, value, D, P), and a funnel is the sum
over D in the period and P before it: a few thousand rows instead of millions of changes.

* report_group: which steps form each group (`store.summaries` registers the groups of
  the lifecycle in use, and fills them a batch of contacts at a time: `filled_upto` is
  the last contact id counted, and the triggers keep only contacts up to it).
* stage_reach: the counts, for contacts not archived. Dimensions: '' (every contact),
  segmentation, reason_code, account (an account id; '' for none) and user (who made the
  change: the previous change is then that user's).

* contact_counted: each contact's counted columns alone (archived, template, stage,
  status, segmentation, reason code, missing a primary e-mail or phone), keyed by id: a
  search's counts look its matches up here, ~40 bytes a row, instead of in the contact
  table (~2 KB a row: at a million contacts, 87,000 matches of `jo` read ~1 s of pages).

Triggers keep them in the transaction of each write: a change written, edited or
deleted (the next change into the group then has another previous one), a contact
archived, restored, deleted or re-segmented, an account assigned or taken away.
"""

from peewee import PostgresqlDatabase

NONE = "0001-01-01"  # P when there is no previous change: before every period
CONTACT_DIMS = ("segmentation", "reason_code")


class Dialect:
    def __init__(self, postgres: bool):
        self.postgres = postgres
        self.none = f"DATE '{NONE}'" if postgres else f"'{NONE}'"

    def day(self, column: str) -> str:
        return f"CAST({column} AS DATE)" if self.postgres else f"date({column})"

    def upsert(self, rows: str) -> str:
        """Add `rows` (grp, dim, value, day, prev_day, contacts) into stage_reach."""
        target = "stage_reach." if self.postgres else ""
        return (
            "INSERT INTO stage_reach (grp, dim, value, day, prev_day, contacts) "
            "SELECT grp, dim, value, day, prev_day, SUM(contacts) "
            f"FROM ({rows}) AS r WHERE contacts <> 0 GROUP BY grp, dim, value, day, prev_day "
            "ON CONFLICT (grp, dim, value, day, prev_day) "
            f"DO UPDATE SET contacts = {target}contacts + excluded.contacts;"
        )

    def counted(self, contact_id: str) -> str:
        """The contact exists, is not archived (a deleted one was counted out before)."""
        flag = "NOT archived" if self.postgres else "archived = 0"
        return f"EXISTS (SELECT 1 FROM contact WHERE id = {contact_id} AND {flag})"

    def neighbour(self, row: str, later: bool, by_user: bool, but_itself: bool) -> str:
        """The day of the contact's previous (or next) change into the group g.grp;
        `but_itself`: leaving out the row `row` was (an update has rewritten it)."""
        compare = ">" if later else "<"
        user = f' AND s."by" = {row}."by"' if by_user else ""
        itself = f" AND s.id <> {row}.id" if but_itself else ""
        return (
            f"(SELECT {self.day('MIN(s.at)' if later else 'MAX(s.at)')} FROM stage_change s "
            "JOIN report_group h ON h.step = s.to_stage "
            f"WHERE h.grp = g.grp AND s.contact_id = {row}.contact_id{itself} "
            f"AND (s.at {compare} {row}.at OR (s.at = {row}.at AND s.id {compare} {row}.id))"
            f"{user})"
        )

    def dims_of_contact(self, row: str) -> str:
        """(dim, value) of a contact row (NEW, OLD): every dimension but the user's."""
        parts = ["SELECT '' AS dim, '' AS value"]
        parts += [f"SELECT '{d}', {row}.{d}" for d in CONTACT_DIMS]
        parts.append(self.accounts(f"{row}.id"))
        return " UNION ALL ".join(parts)

    def dims_of_change(self, row: str) -> str:
        """(dim, value) of a change's contact, read from the contact table."""
        parts = ["SELECT '' AS dim, '' AS value"]
        parts += [
            f"SELECT '{d}', (SELECT {d} FROM contact WHERE id = {row}.contact_id)"
            for d in CONTACT_DIMS
        ]
        parts.append(self.accounts(f"{row}.contact_id"))
        return " UNION ALL ".join(parts)

    def accounts(self, contact_id: str) -> str:
        return (
            f"SELECT 'account', CAST(account_id AS TEXT) FROM contact_account "
            f"WHERE contact_id = {contact_id} UNION ALL SELECT 'account', '' WHERE NOT EXISTS "
            f"(SELECT 1 FROM contact_account WHERE contact_id = {contact_id})"
        )

    def change_rows(self, row: str, sign: int, but_itself: bool = False) -> str:
        """What one change (NEW inserted, OLD deleted) adds to the counts, times `sign`.

        The change's own (D, P), and when a later change into the group follows it, that
        one's P moves: from the change's P to the change's own day.
        """
        per_dim = []
        for by_user in (False, True):
            dims = (
                f"SELECT 'user' AS dim, {row}.\"by\" AS value"
                if by_user
                else self.dims_of_change(row)
            )
            before = self.neighbour(row, False, by_user, but_itself)
            after = self.neighbour(row, True, by_user, but_itself)
            per_dim.append(
                f"SELECT g.grp, d.dim, d.value, {self.day(f'{row}.at')} AS tday, "
                f"COALESCE({before}, {self.none}) AS pday, {after} AS nday "
                f"FROM report_group g, ({dims}) AS d "
                f"WHERE g.step = {row}.to_stage AND {row}.contact_id <= g.filled_upto "
                f"AND {self.counted(f'{row}.contact_id')}"
            )
        return (
            "SELECT x.grp, x.dim, x.value, "
            "CASE WHEN k.kind = 0 THEN x.tday ELSE x.nday END AS day, "
            "CASE WHEN k.kind = 2 THEN x.tday ELSE x.pday END AS prev_day, "
            f"{sign} * CASE WHEN k.kind = 1 THEN -1 ELSE 1 END AS contacts "
            f"FROM ({' UNION ALL '.join(per_dim)}) AS x, "
            "(SELECT 0 AS kind UNION ALL SELECT 1 UNION ALL SELECT 2) AS k "
            "WHERE k.kind = 0 OR x.nday IS NOT NULL"
        )

    def contact_rows(self, contact_id: str, dims: str | None, sign: str) -> str:
        """Everything one contact's history adds to the counts, for the (dim, value) rows
        of `dims`, or (None) for the user dimension, times `sign`."""
        by_user = dims is None
        user = ' AND s2."by" = s."by"' if by_user else ""
        prev = (
            f"(SELECT {self.day('MAX(s2.at)')} FROM stage_change s2 "
            "JOIN report_group h2 ON h2.step = s2.to_stage "
            "WHERE h2.grp = h.grp AND s2.contact_id = s.contact_id "
            f"AND (s2.at < s.at OR (s2.at = s.at AND s2.id < s.id)){user})"
        )
        source = "(SELECT 'user' AS dim) AS d" if by_user else f"({dims}) AS d"
        value = 's."by"' if by_user else "d.value"
        return (
            f"SELECT h.grp, d.dim, {value} AS value, {self.day('s.at')} AS day, "
            f"COALESCE({prev}, {self.none}) AS prev_day, {sign} AS contacts "
            f"FROM stage_change s JOIN report_group h ON h.step = s.to_stage, {source} "
            f"WHERE s.contact_id = {contact_id} AND s.contact_id <= h.filled_upto"
        )

    def whole_contact(self, row: str, sign: str) -> str:
        """A contact row's every count, all dimensions, times `sign`."""
        return self.upsert(
            self.contact_rows(f"{row}.id", self.dims_of_contact(row), sign)
        ) + self.upsert(self.contact_rows(f"{row}.id", None, sign))


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    day = "DATE" if postgres else "TEXT"
    db.execute_sql(
        "CREATE TABLE report_group (grp TEXT NOT NULL, step TEXT NOT NULL, "
        "filled_upto BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (step, grp))"
    )
    db.execute_sql(
        "CREATE TABLE stage_reach (grp TEXT NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL, "
        f"day {day} NOT NULL, prev_day {day} NOT NULL, contacts INTEGER NOT NULL, "
        "PRIMARY KEY (grp, dim, value, day, prev_day))"
    )
    counted_table(db, postgres)
    create_triggers(db, postgres, triggers(Dialect(postgres)))


def triggers(sql: Dialect) -> dict[str, tuple[str, str, str | None, str]]:
    """name: (table, when, condition, statements) of every stage_reach trigger."""
    postgres = sql.postgres
    # Each change is counted against the changes written before it. SQLite runs a row
    # trigger as soon as its row is written, so AFTER sees exactly those. PostgreSQL runs
    # AFTER row triggers once the whole statement is done (a many-row insert would see its
    # later rows too); its BEFORE triggers see the rows done so far, and the row itself
    # (an update's, a delete's) is left out by id.
    early = "BEFORE" if postgres else "AFTER"
    triggers = {  # name: (table, when, condition, statements)
        "stage_reach_change_insert": (
            "stage_change",
            f"{early} INSERT",
            None,
            sql.upsert(sql.change_rows("NEW", 1)),
        ),
        "stage_reach_change_delete": (
            "stage_change",
            f"{early} DELETE",
            None,
            sql.upsert(sql.change_rows("OLD", -1, but_itself=True)),
        ),
        "stage_reach_change_update": (
            "stage_change",
            f"{early} UPDATE",
            'OLD.at <> NEW.at OR OLD.to_stage <> NEW.to_stage OR OLD."by" <> NEW."by" '
            "OR OLD.contact_id <> NEW.contact_id",
            # As a delete and an insert; the row in the table is the old or the new one
            # (before, after), and left out either way.
            sql.upsert(sql.change_rows("OLD", -1, but_itself=True))
            + sql.upsert(sql.change_rows("NEW", 1, but_itself=True)),
        ),
        # Out with the values it had, back in with the ones it has.
        "stage_reach_archive": (
            "contact",
            "AFTER UPDATE",
            "NEW.archived AND NOT OLD.archived"
            if postgres
            else "NEW.archived <> 0 AND OLD.archived = 0",
            sql.whole_contact("OLD", "-1"),
        ),
        "stage_reach_restore": (
            "contact",
            "AFTER UPDATE",
            "OLD.archived AND NOT NEW.archived"
            if postgres
            else "OLD.archived <> 0 AND NEW.archived = 0",
            sql.whole_contact("NEW", "1"),
        ),
        "stage_reach_delete": (
            "contact",
            "BEFORE DELETE",
            "NOT OLD.archived" if postgres else "OLD.archived = 0",
            sql.whole_contact("OLD", "-1"),
        ),
        "stage_reach_account_insert": (
            "contact_account",
            f"{early} INSERT",
            None,
            sql.upsert(
                sql.contact_rows(
                    "NEW.contact_id",
                    "SELECT 'account' AS dim, CAST(NEW.account_id AS TEXT) AS value "
                    "UNION ALL SELECT 'account', '' WHERE (SELECT COUNT(*) FROM "
                    f"contact_account WHERE contact_id = NEW.contact_id) = {0 if postgres else 1}",
                    "CASE WHEN d.value = '' THEN -1 ELSE 1 END",
                )
                + f" AND {sql.counted('NEW.contact_id')}"
            ),
        ),
        "stage_reach_account_delete": (
            "contact_account",
            f"{early} DELETE",
            None,
            sql.upsert(
                sql.contact_rows(
                    "OLD.contact_id",
                    "SELECT 'account' AS dim, CAST(OLD.account_id AS TEXT) AS value "
                    "UNION ALL SELECT 'account', '' WHERE (SELECT COUNT(*) FROM "
                    f"contact_account WHERE contact_id = OLD.contact_id) = {1 if postgres else 0}",
                    "CASE WHEN d.value = '' THEN 1 ELSE -1 END",
                )
                + f" AND {sql.counted('OLD.contact_id')}"
            ),
        ),
    }
    for dim in CONTACT_DIMS:
        moved = sql.contact_rows(
            "NEW.id",
            f"SELECT '{dim}' AS dim, OLD.{dim} AS value, -1 AS sign "
            f"UNION ALL SELECT '{dim}', NEW.{dim}, 1",
            "d.sign",
        )
        triggers[f"stage_reach_{dim}"] = (
            "contact",
            "AFTER UPDATE",
            f"OLD.{dim} <> NEW.{dim} AND "
            + (
                "NOT OLD.archived AND NOT NEW.archived"
                if postgres
                else "OLD.archived = 0 AND NEW.archived = 0"
            ),
            sql.upsert(moved),
        )
    return triggers


def create_triggers(
    db, postgres: bool, triggers: dict[str, tuple[str, str, str | None, str]]
) -> None:
    for name, (table, when, condition, body) in triggers.items():
        if postgres:
            returned = "NULL"
            if when.startswith("BEFORE"):
                returned = "OLD" if when.endswith("DELETE") else "NEW"
            db.execute_sql(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body} RETURN {returned}; END $$"
            )
            where = f" WHEN ({condition})" if condition else ""
            db.execute_sql(
                f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW{where} "
                f"EXECUTE FUNCTION {name}()"
            )
        else:
            where = f" WHEN {condition}" if condition else ""
            db.execute_sql(f"CREATE TRIGGER {name} {when} ON {table}{where} BEGIN {body} END")


COUNTED = ("archived", "template", "stage", "status", "segmentation", "reason_code")
MISSING = "CASE WHEN {row}.primary_email = '' OR {row}.primary_phone = '' THEN 1 ELSE 0 END"


def counted_table(db, postgres: bool) -> None:
    flag = "BOOLEAN" if postgres else "INTEGER"
    db.execute_sql(
        f"CREATE TABLE contact_counted (id INTEGER PRIMARY KEY, archived {flag} NOT NULL, "
        "template TEXT NOT NULL, stage TEXT NOT NULL, status TEXT NOT NULL, "
        "segmentation TEXT NOT NULL, reason_code TEXT NOT NULL, missing INTEGER NOT NULL)"
    )
    columns = ", ".join(COUNTED)
    db.execute_sql(
        f"INSERT INTO contact_counted SELECT id, {columns}, {MISSING.format(row='contact')} "
        "FROM contact"
    )

    def values(row: str) -> str:
        return (
            f"{row}.id, "
            + ", ".join(f"{row}.{c}" for c in COUNTED)
            + ", "
            + MISSING.format(row=row)
        )

    insert = f"INSERT INTO contact_counted VALUES ({values('NEW')});"
    update = (
        "UPDATE contact_counted SET "
        + ", ".join(f"{c} = NEW.{c}" for c in COUNTED)
        + f", missing = {MISSING.format(row='NEW')} WHERE id = OLD.id;"
    )
    delete = "DELETE FROM contact_counted WHERE id = OLD.id;"
    watched = (*COUNTED, "primary_email", "primary_phone")
    if postgres:
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in watched)
        db.execute_sql(
            "CREATE FUNCTION contact_counted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN {insert} "
            f"ELSIF TG_OP = 'UPDATE' THEN {update} "
            f"ELSE {delete} END IF; RETURN NULL; END $$"
        )
        db.execute_sql(
            "CREATE TRIGGER contact_counted AFTER INSERT OR DELETE ON contact "
            "FOR EACH ROW EXECUTE FUNCTION contact_counted()"
        )
        db.execute_sql(
            f"CREATE TRIGGER contact_counted_update AFTER UPDATE ON contact FOR EACH ROW "
            f"WHEN ({changed}) EXECUTE FUNCTION contact_counted()"
        )
    else:
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watched)
        db.execute_sql(
            f"CREATE TRIGGER contact_counted_insert AFTER INSERT ON contact BEGIN {insert} END"
        )
        db.execute_sql(
            "CREATE TRIGGER contact_counted_update "
            f"AFTER UPDATE OF {', '.join(watched)} ON contact WHEN {changed} BEGIN {update} END"
        )
        db.execute_sql(
            f"CREATE TRIGGER contact_counted_delete AFTER DELETE ON contact BEGIN {delete} END"
        )
