"""Time in stage kept by the database: whole days per step, and each contact's latest step.

The time-in-stage report took each stay in a step (from the change into it to the
contact's next change) that ended in the period, from the whole stage history: minutes
at a million contacts. These tables hold what it needs instead, kept by triggers in the
transaction of every write, whoever writes:

* stay_day: stays per (step, UTC day the stay ended, whole days it lasted), of contacts
  not archived. The median and 90th percentile of whole days are exact from these counts
  (a histogram), whatever the number of stays.
* stage_since: each contact's latest stage change (by time, then id): its step and when it
  came. The stuck contacts are those waiting longest: an index on (stage, since) lists
  them without reading every contact's history.

A change written, edited or deleted ends its previous change's stay at itself (instead
of at the next change) and its own stay at the next change; a contact archived,
restored or deleted takes its stays out or back in, as stage_reach (0012) does. On
SQLite the insert triggers skip the contacts of a bulk insert (0015), whose writer does
their work in one statement (`store.bulk`).

* stage_reach_fill: the counts a first fill of the funnel's groups (0012) has made so
  far, appended batch by batch and added into stage_reach by its last batch. Each batch
  adding into stage_reach itself rewrote most of that table's pages (a million contacts:
  thousands of batches, 12 GB written, 45 minutes).
"""

from peewee import PostgresqlDatabase


class Dialect:
    def __init__(self, postgres: bool):
        self.postgres = postgres

    def day(self, column: str) -> str:
        return f"CAST({column} AS DATE)" if self.postgres else f"date({column})"

    def whole_days(self, began: str, ended: str) -> str:
        """Whole days from `began` to `ended` (later), counted exactly: calendar days
        between the two dates, less one if the time of day came round not yet."""
        if self.postgres:
            return f"CAST(EXTRACT(DAY FROM ({ended} - {began})) AS INTEGER)"
        return (
            f"(CAST(julianday(date({ended})) - julianday(date({began})) AS INTEGER) "
            f"- (substr({ended}, 12) < substr({began}, 12)))"
        )

    def upsert(self, rows: str) -> str:
        """Add `rows` (step, day, days, stays) into stay_day."""
        target = "stay_day." if self.postgres else ""
        return (
            "INSERT INTO stay_day (step, day, days, stays) SELECT step, day, days, SUM(stays) "
            f"FROM ({rows}) AS r WHERE stays <> 0 GROUP BY step, day, days "
            "ON CONFLICT (step, day, days) "
            f"DO UPDATE SET stays = {target}stays + excluded.stays;"
        )

    def counted(self, contact_id: str) -> str:
        flag = "NOT archived" if self.postgres else "archived = 0"
        return f"EXISTS (SELECT 1 FROM contact WHERE id = {contact_id} AND {flag})"

    def neighbour(self, row: str, later: bool, but_itself: bool) -> str:
        """The contact's change just before (or after) `row`, as a one-row table (at,
        to_stage); `but_itself`: leaving out the row `row` was (an update rewrote it)."""
        compare = ">" if later else "<"
        order = "" if later else " DESC"
        itself = f" AND s.id <> {row}.id" if but_itself else ""
        return (
            "(SELECT s.at, s.to_stage FROM stage_change s "
            f"WHERE s.contact_id = {row}.contact_id{itself} "
            f"AND (s.at {compare} {row}.at OR (s.at = {row}.at AND s.id {compare} {row}.id)) "
            f"ORDER BY s.at{order}, s.id{order} LIMIT 1)"
        )

    def change_rows(self, row: str, sign: int, but_itself: bool = False) -> str:
        """What one change (NEW inserted, OLD deleted) does to the stays, times `sign`:
        the previous change's stay ends at it instead of at the next change, and its own
        stay ends at the next change."""
        before = self.neighbour(row, False, but_itself)
        after = self.neighbour(row, True, but_itself)
        parts = [
            f"SELECT p.to_stage AS step, {self.day('x.at')} AS day, "
            f"{self.whole_days('p.at', 'x.at')} AS days, {-sign} AS stays "
            f"FROM {before} AS p, {after} AS x",
            f"SELECT p.to_stage, {self.day(f'{row}.at')}, "
            f"{self.whole_days('p.at', f'{row}.at')}, {sign} FROM {before} AS p",
            f"SELECT {row}.to_stage, {self.day('x.at')}, "
            f"{self.whole_days(f'{row}.at', 'x.at')}, {sign} FROM {after} AS x",
        ]
        return (
            f"SELECT * FROM ({' UNION ALL '.join(parts)}) AS c "
            f"WHERE {self.counted(f'{row}.contact_id')}"
        )

    def contact_rows(self, contact_id: str, sign: str) -> str:
        """Every stay of one contact, times `sign`."""
        following = (
            "(SELECT n.id FROM stage_change n WHERE n.contact_id = s.contact_id "
            "AND (n.at > s.at OR (n.at = s.at AND n.id > s.id)) ORDER BY n.at, n.id LIMIT 1)"
        )
        return (
            f"SELECT s.to_stage AS step, {self.day('x.at')} AS day, "
            f"{self.whole_days('s.at', 'x.at')} AS days, {sign} AS stays "
            f"FROM stage_change s JOIN stage_change x ON x.id = {following} "
            f"WHERE s.contact_id = {contact_id}"
        )

    def since(self, contact_id: str) -> str:
        """stage_since's row of one contact, counted again from its history."""
        return (
            f"DELETE FROM stage_since WHERE contact_id = {contact_id}; "
            "INSERT INTO stage_since (contact_id, stage, since) "
            "SELECT contact_id, to_stage, at FROM stage_change "
            f"WHERE contact_id = {contact_id} ORDER BY at DESC, id DESC LIMIT 1;"
        )


def stays_source(postgres: bool) -> str:
    """Every stay of contacts not archived, counted per (step, day ended, whole days):
    what stay_day holds (`check` compares the two, `check --repair` and this migration
    fill it from it)."""
    sql = Dialect(postgres)
    not_archived = "NOT c.archived" if postgres else "c.archived = 0"
    return (
        "SELECT s.step, "
        f"{sql.day('s.ended')}, {sql.whole_days('s.began', 's.ended')}, COUNT(*) FROM "
        "(SELECT contact_id, to_stage AS step, at AS began, "
        "LEAD(at) OVER (PARTITION BY contact_id ORDER BY at, id) AS ended "
        "FROM stage_change) AS s JOIN contact c ON c.id = s.contact_id "
        f"WHERE s.ended IS NOT NULL AND {not_archived} GROUP BY 1, 2, 3"
    )


SINCE_SOURCE = (
    "SELECT contact_id, to_stage, at FROM stage_change s WHERE NOT EXISTS "
    "(SELECT 1 FROM stage_change n WHERE n.contact_id = s.contact_id "
    "AND (n.at > s.at OR (n.at = s.at AND n.id > s.id)))"
)
"""Each contact's latest change: what stage_since holds."""

BULK_SKIP = (
    "NOT EXISTS (SELECT 1 FROM bulk_insert WHERE NEW.contact_id BETWEEN first_id AND last_id)"
)


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    day = "DATE" if postgres else "TEXT"
    at = "TIMESTAMP" if postgres else "DATETIME"
    db.execute_sql(
        f"CREATE TABLE stay_day (step TEXT NOT NULL, day {day} NOT NULL, "
        "days INTEGER NOT NULL, stays INTEGER NOT NULL, PRIMARY KEY (step, day, days))"
    )
    db.execute_sql(
        "CREATE TABLE stage_since (contact_id INTEGER PRIMARY KEY, stage TEXT NOT NULL, "
        f"since {at} NOT NULL)"
    )
    db.execute_sql(f"INSERT INTO stay_day (step, day, days, stays) {stays_source(postgres)}")
    db.execute_sql(f"INSERT INTO stage_since (contact_id, stage, since) {SINCE_SOURCE}")
    db.execute_sql("CREATE INDEX stage_since_waiting ON stage_since (stage, since)")
    db.execute_sql(
        "CREATE TABLE stage_reach_fill (grp TEXT NOT NULL, dim TEXT NOT NULL, "
        f"value TEXT NOT NULL, day {day} NOT NULL, prev_day {day} NOT NULL, "
        "contacts INTEGER NOT NULL)"
    )
    sql = Dialect(postgres)
    # As in 0012: SQLite runs a row trigger as soon as its row is written; PostgreSQL's
    # BEFORE row triggers see the rows done so far (its AFTER ones would see a whole
    # many-row insert), and the row itself is left out by id.
    early = "BEFORE" if postgres else "AFTER"
    not_archived = "NOT {row}.archived" if postgres else "{row}.archived = 0"
    triggers = {  # name: (table, when, condition, statements)
        "stay_day_change_insert": (
            "stage_change",
            f"{early} INSERT",
            None if postgres else BULK_SKIP,
            sql.upsert(sql.change_rows("NEW", 1)),
        ),
        "stay_day_change_delete": (
            "stage_change",
            f"{early} DELETE",
            None,
            sql.upsert(sql.change_rows("OLD", -1, but_itself=True)),
        ),
        "stay_day_change_update": (
            "stage_change",
            f"{early} UPDATE",
            "OLD.at <> NEW.at OR OLD.to_stage <> NEW.to_stage OR OLD.contact_id <> NEW.contact_id",
            sql.upsert(sql.change_rows("OLD", -1, but_itself=True))
            + sql.upsert(sql.change_rows("NEW", 1, but_itself=True)),
        ),
        "stay_day_archive": (
            "contact",
            "AFTER UPDATE",
            "NEW.archived AND NOT OLD.archived"
            if postgres
            else "NEW.archived <> 0 AND OLD.archived = 0",
            sql.upsert(sql.contact_rows("OLD.id", "-1")),
        ),
        "stay_day_restore": (
            "contact",
            "AFTER UPDATE",
            "OLD.archived AND NOT NEW.archived"
            if postgres
            else "OLD.archived <> 0 AND NEW.archived = 0",
            sql.upsert(sql.contact_rows("NEW.id", "1")),
        ),
        # Before its history goes (ON DELETE CASCADE): each change's own trigger then
        # finds no contact and leaves the counts alone.
        "stay_day_delete": (
            "contact",
            "BEFORE DELETE",
            not_archived.format(row="OLD"),
            sql.upsert(sql.contact_rows("OLD.id", "-1")),
        ),
        # Counted again from the history after each write: a many-row statement ends
        # with every contact's latest change whatever order its rows came in.
        "stage_since_insert": (
            "stage_change",
            "AFTER INSERT",
            None if postgres else BULK_SKIP,
            sql.since("NEW.contact_id"),
        ),
        "stage_since_delete": ("stage_change", "AFTER DELETE", None, sql.since("OLD.contact_id")),
        "stage_since_update": (
            "stage_change",
            "AFTER UPDATE",
            "OLD.at <> NEW.at OR OLD.to_stage <> NEW.to_stage OR OLD.contact_id <> NEW.contact_id"
            " OR OLD.id <> NEW.id",
            sql.since("OLD.contact_id") + sql.since("NEW.contact_id"),
        ),
    }
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
