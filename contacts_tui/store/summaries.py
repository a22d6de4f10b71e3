"""Counts the database keeps by trigger (migrations 0011, 0012, 0017), read, checked and rebuilt.

Each summary table has a query here that counts the same thing from the rows
themselves: `check` compares the two, and `rebuild` replaces a table's rows by it.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from contacts_tui.store.database import is_postgres
from contacts_tui.store.models import database

_TIME_IN_STAGE = importlib.import_module("contacts_tui.store.migrations.0017_time_in_stage")


@functools.cache
def _company() -> Any:
    """Migration 0019's rules for the company's counts, loaded when first needed: at
    start it compiled 0019, 0012 and 0016 for every session (~7 ms)."""
    return importlib.import_module("contacts_tui.store.migrations.0019_company_reach")


def _day(column: str) -> str:
    return f"CAST({column} AS DATE)" if is_postgres() else f"date({column})"


def _not_archived(row: str) -> str:
    return f"NOT {row}.archived" if is_postgres() else f"{row}.archived = 0"


def _missing(row: str) -> str:
    return f"CASE WHEN {row}.primary_email = '' OR {row}.primary_phone = '' THEN 1 ELSE 0 END"


_TALLY_COLUMNS = "archived, template, stage, status, segmentation, reason_code"


def _sources() -> dict[str, tuple[tuple[str, ...], str]]:
    """Summary table → (its columns, the query counting it from the rows)."""
    keys = {}
    if not is_postgres():  # (migration 0018: SQLite only)
        keys["contact_key"] = (
            ("id", *_TALLY_COLUMNS.split(", "), "missing", "1"),
            f"SELECT id, {_TALLY_COLUMNS}, {_missing('contact')}, 1 FROM contact",
        )
    else:  # (migration 0021: each word's code, counted per code)
        keys["contact_word"] = (
            ("code", "COUNT(*)"),
            f"SELECT k.code, COUNT(*) FROM contact_word w JOIN contact c ON c.id = w.contact_id "
            f"JOIN count_key k ON {_SAME_KEY} GROUP BY k.code",
        )
    return {
        "contact_tally": (
            (*_TALLY_COLUMNS.split(", "), "missing", "contacts"),
            f"SELECT {_TALLY_COLUMNS}, {_missing('contact')}, COUNT(*) FROM contact "
            f"GROUP BY {_TALLY_COLUMNS}, {_missing('contact')}",
        ),
        "contact_counted": (
            # A row per contact: the 1 stands for its count, so that every column compares.
            ("id", *_TALLY_COLUMNS.split(", "), "missing", "1"),
            f"SELECT id, {_TALLY_COLUMNS}, {_missing('contact')}, 1 FROM contact",
        ),
        "stage_day": (
            ("day", "stage", "changes"),
            f"SELECT {_day('s.at')}, s.to_stage, COUNT(*) FROM stage_change s "
            f"JOIN contact c ON c.id = s.contact_id WHERE {_not_archived('c')} GROUP BY 1, 2",
        ),
        "created_day": (
            ("day", "contacts"),
            f"SELECT {_day('c.created_at')}, COUNT(*) FROM contact c "
            f"WHERE {_not_archived('c')} GROUP BY 1",
        ),
        "stay_day": (
            ("step", "day", "days", "stays"),
            _TIME_IN_STAGE.stays_source(is_postgres()),
        ),
        "stage_since": (
            ("contact_id", "stage", "since", "1"),
            _TIME_IN_STAGE.SINCE_SOURCE.replace(", at FROM", ", at, 1 FROM", 1),
        ),
        **keys,
    }


_SAME_KEY = " AND ".join(
    [*(f"k.{c} = c.{c}" for c in _TALLY_COLUMNS.split(", ")), f"k.missing = {_missing('c')}"]
)
"""count_key `k` is the key of contact `c`."""

_KEPT = {
    "contact_word": "SELECT code, COUNT(*) FROM contact_word GROUP BY code",
    # Each contact's letter read back as the columns it stands for.
    "contact_key": (
        f"SELECT c.id, {', '.join(f'k.{c}' for c in _TALLY_COLUMNS.split(', '))}, k.missing, 1 "
        "FROM contact_key c JOIN count_key k ON k.letter = c.letter"
    ),
}
"""How a summary table is read for `mismatches`, where not as its columns alone."""


SUMMARY_TABLES = (
    "contact_tally",
    "contact_counted",
    "stage_day",
    "created_day",
    "stay_day",
    "stage_since",
    "contact_key",
    "contact_word",
)
"""Every summary table, in the order `rebuild` counts them (SQLite has contact_key too;
PostgreSQL keeps a count key on each contact_word row instead)."""


def mismatches() -> list[str]:
    """The summary tables whose counts differ from a count of the rows (empty: all true)."""
    wrong = []
    for table, (columns, source) in _sources().items():
        kept_query = _KEPT.get(table, f"SELECT {', '.join(columns)} FROM {table}")
        kept = _as_counts(database.execute_sql(kept_query))
        counted = _as_counts(database.execute_sql(source))
        if kept != counted:
            wrong.append(table)
    return wrong


def _as_counts(cursor: Iterable[tuple]) -> dict[tuple, int]:
    """Key → count, leaving out zero counts (a summary keeps a row whose count fell to 0)."""
    counts: dict[tuple, int] = {}
    for row in cursor:
        *key, n = row
        if n != 0:
            counts[tuple(key)] = n
    return counts


def rebuild(tables: Iterable[str] = SUMMARY_TABLES) -> None:
    """Count each table again from the rows (in the caller's write transaction)."""
    sources = _sources()
    for table in tables:
        if table not in sources:
            continue  # (contact_key: not on PostgreSQL)
        if table == "contact_word":
            _recode_words()
            continue
        if table == "contact_key":
            database.execute_sql("DELETE FROM contact_key")
            for statement in key_statements("contact", "1 = 1"):
                database.execute_sql(statement)
            continue
        columns, source = sources[table]
        if columns[-1] == "1":  # a row per key, not a count (see _sources)
            columns, source = columns[:-1], source.replace(", 1 FROM", " FROM", 1)
        database.execute_sql(f"DELETE FROM {table}")
        database.execute_sql(f"INSERT INTO {table} ({', '.join(columns)}) {source}")


def _recode_words() -> None:
    """PostgreSQL: give every contact_word row its contact's count_key code (0021)."""
    columns = [*_TALLY_COLUMNS.split(", "), "missing"]
    values = [*(f"c.{c}" for c in columns[:-1]), _missing("c")]
    database.execute_sql(
        f"SELECT count_key_of({', '.join(f'd.{c}' for c in columns)}) FROM (SELECT DISTINCT "
        + ", ".join(f"{v} AS {c}" for v, c in zip(values, columns, strict=True))
        + " FROM contact c) AS d"
    )
    database.execute_sql(
        "UPDATE contact_word w SET code = k.code FROM contact c JOIN count_key k "
        f"ON {_SAME_KEY} WHERE c.id = w.contact_id AND w.code <> k.code"
    )


# ----- each contact's key as a letter (migration 0018, SQLite) --------------------------

_KEY_COLUMNS = (*_TALLY_COLUMNS.split(", "), "missing")

LETTER = "char({code} + 32 + CASE WHEN {code} + 32 >= 55296 THEN 2048 ELSE 0 END)"
"""The letter of a count_key code in SQL (migration 0018's `letter`)."""


def key_statements(source: str, where: str) -> tuple[str, str]:
    """What contact_key's insert trigger does, for the rows of `source` (contact_counted,
    or contact itself) that meet `where`: their combinations not yet in count_key get the
    next codes, then each row its letter. The caller removed any letter they had."""
    columns = ", ".join(_KEY_COLUMNS)
    values = ", ".join(
        f"{_missing('s')} AS missing" if c == "missing" and source == "contact" else f"s.{c}"
        for c in _KEY_COLUMNS
    )
    same = " AND ".join(f"k.{c} = d.{c}" for c in _KEY_COLUMNS)
    new_keys = (
        f"INSERT INTO count_key (code, letter, {columns}) "
        f"SELECT top.m + fresh.n, {LETTER.format(code='top.m + fresh.n')}, "
        f"{', '.join(f'fresh.{c}' for c in _KEY_COLUMNS)} "
        f"FROM (SELECT ROW_NUMBER() OVER () AS n, * FROM (SELECT DISTINCT {values} "
        f"FROM {source} s WHERE {where}) AS d WHERE NOT EXISTS "
        f"(SELECT 1 FROM count_key k WHERE {same})) AS fresh, "
        "(SELECT COALESCE(MAX(code), 0) AS m FROM count_key) AS top"
    )
    keyed = (
        f"INSERT INTO contact_key (id, letter) SELECT d.id, k.letter FROM "
        f"(SELECT s.id, {values} FROM {source} s WHERE {where}) AS d "
        f"JOIN count_key k ON {same}"
    )
    return new_keys, keyed


class TallyFilter(NamedTuple):
    """The fields the dashboard's counts are narrowed by (None: any). `stages`: the steps
    a category or step filter leaves."""

    archived: bool
    status: str | None = None
    stages: Sequence[str] | None = None
    segmentation: str | None = None
    reason_code: str | None = None
    template: str | None = None


def keyed_stage_counts(letters: str, f: TallyFilter) -> list[tuple[str, str, int, int]]:
    """`stage_tally`'s rows for the contacts whose contact_key letters are `letters`
    (one per contact, in any order)."""
    return _stage_counts_by_key(Counter(letters), "letter", f)


def coded_stage_counts(codes: Mapping[int, int], f: TallyFilter) -> list[tuple[str, str, int, int]]:
    """`stage_tally`'s rows for contacts counted by their count_key code (PostgreSQL's
    contact_word, migration 0021): code → contacts."""
    return _stage_counts_by_key(codes, "code", f)


def _stage_counts_by_key(
    counted: Mapping[Any, int], key: str, f: TallyFilter
) -> list[tuple[str, str, int, int]]:
    """`stage_tally`'s rows for contacts counted per count_key `key` (letter or code)."""
    if not counted:
        return []
    wanted = None if f.stages is None else set(f.stages)
    per_stage: dict[tuple[str, str], list[int]] = {}
    cursor = database.execute_sql(f"SELECT {key}, {', '.join(_KEY_COLUMNS)} FROM count_key")
    for its_key, is_archived, its_template, stage, its_status, segment, reason, missing in cursor:
        n = counted.get(its_key)
        if (
            not n
            or bool(is_archived) != f.archived
            or (f.status is not None and its_status != f.status)
            or (wanted is not None and stage not in wanted)
            or (f.segmentation is not None and segment != f.segmentation)
            or (f.reason_code is not None and reason != f.reason_code)
            or (f.template is not None and its_template != f.template)
        ):
            continue
        sums = per_stage.setdefault((stage, its_status), [0, 0])
        sums[0] += n
        sums[1] += n * missing
    return [(stage, its_status, n, m) for (stage, its_status), (n, m) in per_stage.items()]


# ----- reading --------------------------------------------------------------------------


def stage_tally(f: TallyFilter) -> list[tuple[str, str, int, int]]:
    """(stage, status, contacts, contacts missing a primary e-mail or phone) of the contacts
    matching these fields, from contact_tally: a few hundred rows whatever the size."""
    param = database.param
    where = [f"archived = {param}"]
    values: list[object] = [f.archived]
    for column, value in (
        ("status", f.status),
        ("segmentation", f.segmentation),
        ("reason_code", f.reason_code),
        ("template", f.template),
    ):
        if value is not None:
            where.append(f"{column} = {param}")
            values.append(value)
    if f.stages is not None:
        if not f.stages:
            return []
        where.append(f"stage IN ({', '.join(param for _ in f.stages)})")
        values.extend(f.stages)
    cursor = database.execute_sql(
        "SELECT stage, status, SUM(contacts), SUM(contacts * missing) FROM contact_tally "
        f"WHERE {' AND '.join(where)} GROUP BY stage, status HAVING SUM(contacts) > 0",
        values,
    )
    return [(stage, status, int(n), int(m)) for stage, status, n, m in cursor]


def contacts_per_step() -> dict[tuple[str, str], int]:
    """(template, step) → contacts on it, archived ones too."""
    cursor = database.execute_sql(
        "SELECT template, stage, SUM(contacts) FROM contact_tally GROUP BY template, stage "
        "HAVING SUM(contacts) > 0"
    )
    return {(template, stage): int(n) for template, stage, n in cursor}


def changes_per_day(
    start: datetime, end: datetime, stages: Iterable[str] | None = None
) -> list[tuple[date, str, int]]:
    """(UTC day, step, stage changes) of contacts not archived, for days in [start, end)."""
    param = database.param
    cursor = database.execute_sql(
        f"SELECT day, stage, changes FROM stage_day WHERE day >= {param} AND day < {param} "
        "AND changes <> 0",
        (start.date().isoformat(), end.date().isoformat()),
    )
    wanted = None if stages is None else set(stages)
    return [
        (_as_date(day), stage, int(n))
        for day, stage, n in cursor
        if wanted is None or stage in wanted
    ]


def created_per_day(start: datetime, end: datetime) -> list[tuple[date, int]]:
    """(UTC day, contacts created) of contacts not archived, for days in [start, end)."""
    param = database.param
    cursor = database.execute_sql(
        f"SELECT day, contacts FROM created_day WHERE day >= {param} AND day < {param} "
        "AND contacts <> 0",
        (start.date().isoformat(), end.date().isoformat()),
    )
    return [(_as_date(day), int(n)) for day, n in cursor]


def stays_per_step(start: datetime, end: datetime) -> dict[str, Counter[int]]:
    """Step → whole days → stays in it that ended in [start, end) (UTC days), of
    contacts not archived, from stay_day."""
    param = database.param
    cursor = database.execute_sql(
        f"SELECT step, days, SUM(stays) FROM stay_day WHERE day >= {param} AND day < {param} "
        "GROUP BY step, days HAVING SUM(stays) <> 0",
        (start.date().isoformat(), end.date().isoformat()),
    )
    stays: dict[str, Counter[int]] = {}
    for step, days, n in cursor:
        stays.setdefault(step, Counter())[int(days)] += int(n)
    return stays


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# ----- the funnel's groups (migration 0012) ---------------------------------------------

FILLED = 1 << 62
"""report_group.filled_upto of a group counted for every contact, present and future."""
NO_PREVIOUS = "0001-01-01"
REACH_DIMENSIONS = ("segmentation", "reason_code", "account", "company", "user")
"""Breakdowns stage_reach keeps (besides '' for the funnel itself)."""


def group_name(steps: Iterable[str]) -> str:
    """A group's name: its step keys, sorted (one step's group is named after it)."""
    return ",".join(sorted(set(steps)))


def _counted_reach(
    lowest: int, highest: int, upto: dict[str, int], contacts: str = "contact"
) -> Counter[tuple[str, str, str, object, object]]:
    """stage_reach's counts from the history of contacts lowest < id <= highest, for the
    groups of `upto` (group → the last contact id it counts).

    `contacts`: where each contact's archived flag, segmentation and reason code are
    read: the contact rows, or their narrow copies in contact_counted (a first fill reads
    every contact: ~40 bytes a row there, ~2 KB in contact).

    Counted here rather than in SQL: a contact's changes come in time order along the
    (contact_id, at, id) index, with no sort, and one pass counts every group and
    dimension (two window functions and a grouping of ~50 million rows took an hour
    at a million contacts on a loaded machine).
    """
    param = database.param
    none: object = date(1, 1, 1) if is_postgres() else NO_PREVIOUS
    groups_of: dict[str, list[str]] = {}
    for (grp,) in database.execute_sql("SELECT DISTINCT grp FROM report_group"):
        if grp in upto:
            for step in grp.split(","):
                groups_of.setdefault(step, []).append(grp)
    accounts: dict[int, list[str]] = {}
    for contact_id, account_id in database.execute_sql(
        f"SELECT contact_id, account_id FROM contact_account "
        f"WHERE contact_id > {param} AND contact_id <= {param}",
        (lowest, highest),
    ):
        accounts.setdefault(contact_id, []).append(str(account_id))
    # The company from the contact row (contact_counted has none): the rows of a batch
    # of ids, next to each other.
    company, named = "c.company_name", ""
    if contacts != "contact":
        company, named = "k.company_name", "JOIN contact k ON k.id = s.contact_id "
    cursor = database.execute_sql(
        f'SELECT s.contact_id, s.to_stage, {_day("s.at")}, s."by", c.segmentation, '
        f"c.reason_code, {company} FROM stage_change s JOIN {contacts} c ON c.id = s.contact_id "
        f"{named}WHERE {_not_archived('c')} AND s.contact_id > {param} "
        f"AND s.contact_id <= {param} ORDER BY s.contact_id, s.at, s.id",
        (lowest, highest),
    )
    counts: Counter[tuple[str, str, str, object, object]] = Counter()
    current = None
    last: dict[str, object] = {}
    last_mine: dict[tuple[str, str], object] = {}
    no_account = [""]
    company_keys = _company().split
    while rows := cursor.fetchmany(10000):
        for contact_id, step, day, by, segmentation, reason_code, company_name in rows:
            if contact_id != current:
                current, last, last_mine = contact_id, {}, {}
            for grp in groups_of.get(step, ()):
                if contact_id > upto[grp]:
                    continue
                prev = last.get(grp, none)
                counts[(grp, "", "", day, prev)] += 1
                counts[(grp, "segmentation", segmentation, day, prev)] += 1
                counts[(grp, "reason_code", reason_code, day, prev)] += 1
                for account in accounts.get(contact_id, no_account):
                    counts[(grp, "account", account, day, prev)] += 1
                counts[(grp, "user", by, day, last_mine.get((grp, by), none))] += 1
                for key in company_keys(grp, company_name, day, prev, none):
                    counts[key] += 1
                last[grp] = day
                last_mine[(grp, by)] = day
    return counts


def _add_reach(counts: Counter) -> None:
    """Add counts (see _counted_reach) into stage_reach."""
    param = database.param
    target = "stage_reach." if is_postgres() else ""
    rows = [(*key, n) for key, n in counts.items()]
    for at in range(0, len(rows), 5000):
        database.cursor().executemany(
            "INSERT INTO stage_reach (grp, dim, value, day, prev_day, contacts) "
            f"VALUES ({', '.join(param for _ in range(6))}) "
            "ON CONFLICT (grp, dim, value, day, prev_day) "
            f"DO UPDATE SET contacts = {target}contacts + excluded.contacts",
            rows[at : at + 5000],
        )


def _stage_reach(counts: Counter) -> None:
    """Append a fill's batch of counts to stage_reach_fill: rows at the end of a table,
    where adding them into stage_reach would rewrite most of its pages every batch."""
    param = database.param
    rows = [(*key, n) for key, n in counts.items() if n]
    for at in range(0, len(rows), 5000):
        database.cursor().executemany(
            "INSERT INTO stage_reach_fill (grp, dim, value, day, prev_day, contacts) "
            f"VALUES ({', '.join(param for _ in range(6))})",
            rows[at : at + 5000],
        )


def _merge_staged() -> None:
    """Add the staged counts into stage_reach, once, and drop them (at any time: the
    reports read a group only once it is counted for every contact)."""
    target = "stage_reach." if is_postgres() else ""
    database.execute_sql(
        "INSERT INTO stage_reach (grp, dim, value, day, prev_day, contacts) "
        "SELECT grp, dim, value, day, prev_day, SUM(contacts) FROM stage_reach_fill "
        "WHERE contacts <> 0 GROUP BY grp, dim, value, day, prev_day "
        "ON CONFLICT (grp, dim, value, day, prev_day) "
        f"DO UPDATE SET contacts = {target}contacts + excluded.contacts"
    )
    database.execute_sql("DELETE FROM stage_reach_fill")


def count_reach_of(lowest: int, highest: int, upto: dict[str, int]) -> None:
    """Add the counts of contacts lowest < id <= highest into stage_reach (their whole
    histories, for the groups of `upto`): for contacts inserted in bulk, which their
    changes' triggers left out (`store.bulk`)."""
    _add_reach(_counted_reach(lowest, highest, upto))


def missing_groups(groups: Iterable[Iterable[str]]) -> list[str]:
    """Names of the groups not yet counted for every contact."""
    wanted = {group_name(steps): sorted(set(steps)) for steps in groups}
    if not wanted:
        return []
    param = database.param
    names = list(wanted)
    cursor = database.execute_sql(
        f"SELECT grp, COUNT(*), MIN(filled_upto) FROM report_group "
        f"WHERE grp IN ({', '.join(param for _ in names)}) GROUP BY grp",
        names,
    )
    ready = {grp for grp, steps, upto in cursor if upto >= FILLED and steps == len(wanted[grp])}
    return [name for name in names if name not in ready]


FILL_SECONDS = 0.5
"""How long one batch of `fill_groups` aims to hold the write lock (others' saves wait)."""
FILL_AHEAD_SECONDS = 3.0
"""How long a batch counted without the write lock (SQLite) aims to take."""
MERGE_ROWS = 1_000_000
"""Staged rows a fill adds into stage_reach at once (a few seconds' write lock)."""


def fill_groups(
    groups: Iterable[Iterable[str]],
    batch: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Count the groups not yet counted, a batch of contact ids per write transaction (so
    others keep saving meanwhile: the batch grows or shrinks to take FILL_SECONDS); the
    triggers count the contacts done so far. Another session filling the same groups
    at once is fine: each batch continues from what is recorded in report_group.

    `progress` is told (contact ids done, the last id) before the first batch and after
    each: minutes at a million contacts, which a screen says."""
    param = database.param
    missing = missing_groups(groups)
    if not missing:
        return
    with database.atomic():
        for name in missing:
            for step in name.split(","):
                database.execute_sql(
                    "INSERT INTO report_group (grp, step, filled_upto) "
                    f"VALUES ({param}, {param}, 0) ON CONFLICT DO NOTHING",
                    (name, step),
                )
    marks = ", ".join(param for _ in missing)

    def progress_of() -> dict[str, int]:
        return dict(
            database.execute_sql(
                f"SELECT grp, MIN(filled_upto) FROM report_group WHERE grp IN ({marks}) "
                "GROUP BY grp",
                missing,
            ).fetchall()
        )

    staged = 0
    ahead = batch  # contacts counted before taking the write lock (SQLite); it grows
    if progress is not None:
        (last_id,) = database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM contact").fetchone()
        progress(min(progress_of().values()), last_id)
    while True:
        started = time.perf_counter()
        # SQLite: count first without the write lock, and keep the counts if nobody
        # committed meanwhile (PRAGMA data_version is the same): others save freely
        # while the batch is counted, so batches can be large (fewer staged rows).
        early = None
        if not is_postgres():
            version = _data_version()
            seen = progress_of()
            done = min(seen.values())
            if done >= FILLED:
                return
            behind = [grp for grp, upto in seen.items() if upto == done]
            upto = done + ahead
            wanted = dict.fromkeys(behind, upto)
            early = seen, upto, _counted_reach(done, upto, wanted, "contact_counted")
            counted_in = time.perf_counter() - started
        locked = time.perf_counter()
        with database.atomic():
            now = progress_of()
            done = min(now.values())
            if done >= FILLED:
                return
            behind = [grp for grp, upto in now.items() if upto == done]
            (last,) = database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM contact").fetchone()
            if early is not None and early[0] == now and _data_version() == version:
                _, upto, counts = early
            else:
                early = None
                upto = done + batch
                wanted = dict.fromkeys(behind, upto)
                counts = _counted_reach(done, upto, wanted, "contact_counted")
            _stage_reach(counts)
            staged += len(counts)
            # Counted for every contact (from now on the triggers alone), or enough
            # staged that adding them up takes longer than a batch.
            if upto >= last or staged >= MERGE_ROWS:
                _merge_staged()
                staged = 0
            database.execute_sql(
                f"UPDATE report_group SET filled_upto = {param} "
                f"WHERE grp IN ({', '.join(param for _ in behind)})",
                (FILLED if upto >= last else upto, *behind),
            )
        took = time.perf_counter() - locked
        if progress is not None:
            progress(min(upto, last), last)
        if early is None:
            batch = max(1000, min(200_000, int(batch * FILL_SECONDS / max(took, 0.01))))
        else:
            ahead = max(1000, min(200_000, int(ahead * FILL_AHEAD_SECONDS / max(counted_in, 0.01))))


def _data_version() -> int:
    """SQLite's count of commits by other connections seen by this one."""
    return database.execute_sql("PRAGMA data_version").fetchone()[0]


CHECK_ROWS = 1_000_000
"""About how many stage_reach rows `check` compares at once (a million contacts keep
~4 million, most of them the company's: held twice in memory they took gigabytes)."""


def _group_chunks(upto: Mapping[str, int]) -> list[dict[str, int]]:
    """The groups of `upto` in chunks of about CHECK_ROWS kept rows each."""
    sizes = dict(
        database.execute_sql(
            "SELECT grp, COUNT(*) FROM (SELECT grp FROM stage_reach UNION ALL "
            "SELECT grp FROM stage_reach_fill) AS kept GROUP BY grp"
        ).fetchall()
    )
    chunks: list[dict[str, int]] = [{}]
    rows = 0
    for grp in sorted(upto):
        size = int(sizes.get(grp, 0))
        if chunks[-1] and rows + size > CHECK_ROWS:
            chunks.append({})
            rows = 0
        chunks[-1][grp] = upto[grp]
        rows += size
    return [chunk for chunk in chunks if chunk]


def reach_mismatches() -> bool:
    """Whether stage_reach differs from a count of the history (its groups' contacts),
    compared a chunk of groups at a time (a pass over the history each)."""
    param = database.param
    upto = dict(database.execute_sql("SELECT grp, MIN(filled_upto) FROM report_group GROUP BY grp"))
    kept_groups = {
        grp
        for (grp,) in database.execute_sql(
            "SELECT DISTINCT grp FROM stage_reach WHERE contacts <> 0 UNION "
            "SELECT DISTINCT grp FROM stage_reach_fill WHERE contacts <> 0"
        )
    }
    if kept_groups - set(upto):
        return True  # rows of a group no longer registered
    for chunk in _group_chunks(upto):
        marks = ", ".join(param for _ in chunk)
        kept = _as_counts(
            database.execute_sql(
                "SELECT grp, dim, value, day, prev_day, SUM(contacts) FROM (SELECT grp, dim, "
                "value, day, prev_day, contacts FROM stage_reach UNION ALL SELECT grp, dim, "
                "value, day, prev_day, contacts FROM stage_reach_fill) AS kept "
                f"WHERE grp IN ({marks}) GROUP BY 1, 2, 3, 4, 5",
                list(chunk),
            )
        )
        counted = {key: n for key, n in _counted_reach(0, FILLED, chunk).items() if n}
        if kept != counted:
            return True
    return False


def rebuild_reach() -> None:
    """Count stage_reach again from the history, every group for every contact (a chunk
    of groups at a time, as `reach_mismatches` compares them)."""
    database.execute_sql("DELETE FROM stage_reach")
    database.execute_sql("DELETE FROM stage_reach_fill")
    database.execute_sql(f"UPDATE report_group SET filled_upto = {FILLED}")
    groups = [grp for (grp,) in database.execute_sql("SELECT DISTINCT grp FROM report_group")]
    for chunk in _group_chunks(dict.fromkeys(groups, FILLED)):
        _add_reach(_counted_reach(0, FILLED, chunk))


def reached(
    groups: Mapping[str, Iterable[str]], start: datetime, end: datetime, dim: str = ""
) -> list[tuple[str, str, int]]:
    """(dimension value, group, contacts reaching it in [start, end)) from stage_reach, as
    `store.reports.reached` counts them from the history for the default view. The
    groups must be counted (`fill_groups`). Accounts come back as their names."""
    names = {group: group_name(keys) for group, keys in groups.items() if list(keys)}
    if not names:
        return []
    param = database.param
    wanted = sorted(set(names.values()))
    first = start.date().isoformat()
    if dim == "company":
        counts = _company_reached(wanted, start.date(), end.date())
        return _by_group(names, counts)
    cursor = database.execute_sql(
        "SELECT grp, value, SUM(contacts) FROM stage_reach "
        f"WHERE dim = {param} AND grp IN ({', '.join(param for _ in wanted)}) "
        f"AND day >= {param} AND day < {param} AND prev_day < {param} "
        "GROUP BY grp, value HAVING SUM(contacts) <> 0",
        [dim, *wanted, first, end.date().isoformat(), first],
    )
    counts = [(value, grp, int(n)) for grp, value, n in cursor]
    if dim == "account":
        accounts = dict(database.execute_sql("SELECT CAST(id AS TEXT), name FROM account"))
        merged: dict[tuple[str, str], int] = {}
        for value, grp, n in counts:
            key = (accounts.get(value, "") if value else "", grp)
            merged[key] = merged.get(key, 0) + n
        counts = [(value, grp, n) for (value, grp), n in merged.items()]
    return _by_group(names, counts)


def _by_group(
    names: Mapping[str, str], counts: Iterable[tuple[str, str, int]]
) -> list[tuple[str, str, int]]:
    """(value, group, n) from (value, group's name, n): two groups may share a name."""
    by_name: dict[str, list[str]] = {}
    for group, name in names.items():
        by_name.setdefault(name, []).append(group)
    return [(value, group, n) for value, grp, n in counts for group in by_name.get(grp, [])]


def _company_reached(groups: list[str], start: date, end: date) -> list[tuple[str, str, int]]:
    """(company, group's name, contacts reaching it in [start, end)) from the company's
    rows of stage_reach (migration 0019): first entries from the period's whole blocks
    and its days at either end, later entries of each class from its first days."""
    rules = _company()
    whole_from = rules.block_start(start)
    if whole_from < start:
        whole_from += timedelta(days=rules.BLOCK)
    whole_to = rules.block_start(end)
    if whole_from < whole_to:
        parts = [
            (rules.FIRST_DAY, start, whole_from),
            (rules.FIRST_BLOCK, whole_from, whole_to),
            (rules.FIRST_DAY, whole_to, end),
        ]
    else:
        parts = [(rules.FIRST_DAY, start, end)]
    parts += [(f"company<{w}", start, min(end, start + timedelta(days=w))) for w in rules.WINDOWS]
    parts.append((rules.LATER_ALL, start, end))
    param = database.param
    marks = ", ".join(param for _ in groups)
    counts: Counter[tuple[str, str]] = Counter()
    for dim, first, last in parts:
        if first >= last:
            continue
        # The value is "day<tab>company": one range of the key per group, in day order;
        # the company follows the day's 10 characters and the tab.
        cursor = database.execute_sql(
            "SELECT grp, substr(value, 12), SUM(contacts) FROM stage_reach "
            f"WHERE grp IN ({marks}) AND dim = {param} AND value >= {param} "
            f"AND value < {param} AND prev_day < {param} GROUP BY 1, 2",
            [*groups, dim, first.isoformat(), last.isoformat(), start.isoformat()],
        )
        for grp, company, n in cursor:
            counts[(company, grp)] += int(n)
    return [(company, grp, n) for (company, grp), n in counts.items() if n]
