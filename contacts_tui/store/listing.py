"""The list screen's queries: filter, search, sort and keyset pages over the contact table.

Every query here selects tuples, not model instances: at a million rows the hot paths
must not build objects they throw away.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple

import peewee
from peewee import fn

from contacts_tui.store import summaries
from contacts_tui.store.database import is_postgres
from contacts_tui.store.models import (
    Account,
    Contact,
    ContactAccount,
    ContactCounted,
    ContactWord,
    database,
)
from contacts_tui.store.rows import tuples
from contacts_tui.store.search import (
    _contains,  # the same LIKE the search index stands for, for the plans that read rows
    fts_query,
    has_word_starting,
    matching_ids,
    search_condition,
    search_terms,
    split_terms,
)

TENANT_WIDE = 0
"""`ContactFilter.company` value that selects contacts without a company."""

MISSING_PRIMARY = "missing_primary"
"""`ContactFilter.attention` value: contacts without a primary e-mail or phone."""
UNKNOWN_STEP = "unknown_step"
"""`ContactFilter.attention` value: contacts at a step the lifecycle no longer has."""

SORT_COLUMNS: dict[str, peewee.ColumnBase] = {
    "name": Contact.name_key,
    "full_name": Contact.full_name,
    "email": Contact.primary_email,
    "phone": Contact.primary_phone,
    "company": Contact.company_name,
    "status": Contact.status,
    "stage": Contact.stage,
    "segmentation": Contact.segmentation,
    "reason_code": Contact.reason_code,
    # A literal -1, not a bound parameter: only then can the database match the
    # expression index on COALESCE(scoring, -1); with `?` sorting by scoring scans.
    "scoring": fn.COALESCE(Contact.scoring, peewee.SQL("-1")),
    "updated": Contact.updated_at,
}
"""Columns the list can be sorted by; each has an index (column, name_key, id)."""

ROW_FIELDS = (
    Contact.id,
    Contact.name,
    Contact.full_name,
    Contact.primary_email,
    Contact.primary_phone,
    Contact.company_name,
    Contact.status,
    Contact.stage,
    Contact.template,
    Contact.segmentation,
    Contact.scoring,
    Contact.reason_code,
    Contact.updated_at,
    Contact.archived,
    Contact.name_key,
)


class ListRow(NamedTuple):
    """A row of the list as `page` reads it: ROW_FIELDS, then the value it is sorted by.

    A named tuple, not a dataclass: peewee hands rows over as tuples, and `_make` takes
    one as it is (a page is read on every scroll, at any size of the table).
    """

    id: int
    name: str
    full_name: str
    email: str
    phone: str
    company: str
    status: str
    stage: str
    template: str
    segmentation: str
    scoring: int | None
    reason_code: str
    updated_at: datetime
    archived: bool
    name_key: str
    sort_value: object

    @property
    def sort_key(self) -> SortKey:
        return SortKey(self.sort_value, self.name_key, self.id)


class SortKey(NamedTuple):
    """Where a row stands in a sorted list; pages continue `after` one (keyset paging)."""

    value: object
    name_key: str
    id: int

    def keyset(self, sort: str) -> list[object]:
        """The values the keyset compares: sorted by name, the name is the value."""
        return [self.value, self.id] if sort == "name" else [self.value, self.name_key, self.id]


@dataclass(frozen=True)
class ContactFilter:
    """What the list shows: the search text and every filter, all combined with AND."""

    search: str = ""
    status: str | None = None  # "Open" / "Closed"
    category: str | None = None  # a lifecycle category key
    stage: str | None = None  # a lifecycle step key
    company: int | None = None  # a company id, TENANT_WIDE, or None for any
    segmentation: str | None = None
    reason_code: str | None = None
    scoring_min: int | None = None
    scoring_max: int | None = None
    account: int | None = None  # an account id
    attention: str | None = None  # MISSING_PRIMARY or UNKNOWN_STEP (the dashboard's warnings)
    archived: bool = False  # True shows only archived contacts


def filter_condition(
    contact_filter: ContactFilter,
    category_steps: tuple[str, ...] = (),
    known_steps: tuple[str, ...] = (),
) -> peewee.Expression:
    """The WHERE clause for a filter; `category_steps` are the step keys of its category,
    `known_steps` every step key of the lifecycle (for UNKNOWN_STEP)."""
    f = contact_filter
    condition = Contact.archived == f.archived
    if f.status:
        condition &= Contact.status == f.status
    if f.category is not None:
        condition &= Contact.stage.in_(list(category_steps))
    if f.stage:
        condition &= Contact.stage == f.stage
    if f.company == TENANT_WIDE:
        condition &= Contact.company.is_null()
    elif f.company is not None:
        condition &= Contact.company == f.company
    if f.segmentation is not None:
        condition &= Contact.segmentation == f.segmentation
    if f.reason_code is not None:
        condition &= Contact.reason_code == f.reason_code
    if f.scoring_min is not None:
        condition &= Contact.scoring >= f.scoring_min
    if f.scoring_max is not None:
        condition &= Contact.scoring <= f.scoring_max
    if f.account is not None:
        assigned = ContactAccount.select(ContactAccount.contact).where(
            ContactAccount.account == f.account
        )
        condition &= Contact.id.in_(assigned)
    if f.attention == MISSING_PRIMARY:
        condition &= (Contact.primary_email == "") | (Contact.primary_phone == "")
    elif f.attention == UNKNOWN_STEP:
        condition &= Contact.stage.not_in(list(known_steps))
    searched = search_condition(f.search, is_postgres())
    if searched is not None:
        condition &= searched
    return condition


def page(
    condition: peewee.Expression,
    sort: str = "name",
    descending: bool = False,
    after: tuple | None = None,
    limit: int = 100,
    backwards: bool = False,
    extra: tuple[peewee.Node, ...] = (),
    raw: bool = False,
    fields: tuple[peewee.Node, ...] = ROW_FIELDS,
) -> list[tuple]:
    """One page of rows in display order: `fields` (the list's), the sort value, `extra`.

    `after` is the sort key (sort value, name_key, id) of the row the page continues from:
    the next rows below it, or with `backwards` the rows above it. Without `after`,
    `backwards` gives the last page. Ties are broken by name, then id, so pages are stable.
    `raw`: the values as the driver gives them (SQLite: times as text, flags as 0/1),
    without peewee's conversion of every value (an export's million rows).
    """
    column = SORT_COLUMNS[sort]
    keys = [column, Contact.name_key, Contact.id] if sort != "name" else [column, Contact.id]
    # Reading backwards is reading the reversed order forwards, then flipping the page.
    reverse = descending != backwards
    where = condition
    if after is not None:
        after_key = SortKey(*after).keyset(sort)
        ahead = peewee.Tuple(*keys) < peewee.Tuple(*after_key)
        behind = peewee.Tuple(*keys) > peewee.Tuple(*after_key)
        where &= ahead if reverse else behind
    order = [k.desc() if reverse else k.asc() for k in keys]
    query = (
        Contact.select(*fields, column.alias("sort_value"), *extra)
        .where(where)
        .order_by(*order)
        .limit(limit)
        .tuples()
    )
    rows = list(database.execute_sql(*query.sql())) if raw else list(tuples(query))
    if backwards:
        rows.reverse()
    return rows


def count(condition: peewee.Expression) -> int:
    return Contact.select(fn.COUNT(Contact.id)).where(condition).scalar() or 0


def stage_counts(
    condition: peewee.Expression, searched: bool = False
) -> list[tuple[str, str, int, int]]:
    """(stage, status, contacts, contacts missing a primary e-mail or phone), one scan.

    `searched`: the condition holds a search. SQLite would then still group along the
    (stage, status) index, reading all million rows to test each (2.3 s for "7", which
    matches nothing); a unary + keeps that index out of the grouping, so the search's
    own indexes find the rows (under 1 ms) and a small sort groups them.
    """
    missing = fn.SUM(
        peewee.Case(None, (((Contact.primary_email == "") | (Contact.primary_phone == ""), 1),), 0)
    )
    groups: list[peewee.ColumnBase] = [Contact.stage, Contact.status]
    if searched and not is_postgres():
        groups = [peewee.NodeList((peewee.SQL("+"), column), glue="") for column in groups]
    query = (
        Contact.select(Contact.stage, Contact.status, fn.COUNT(Contact.id), missing)
        .where(condition)
        .group_by(*groups)
        .tuples()
    )
    return [(stage, status, n, int(m or 0)) for stage, status, n, m in tuples(query)]


def is_tallied(f: ContactFilter) -> bool:
    """Whether the filter uses only the fields contact_tally keeps (status, category, step,
    segmentation, reason code, archived; a search only if it matches everything): then the
    counts come from there, not from a scan. Named the other way round, a filter field added
    later would be counted from the tally without being applied."""
    kept = ContactFilter(
        status=f.status,
        category=f.category,
        stage=f.stage,
        segmentation=f.segmentation,
        reason_code=f.reason_code,
        archived=f.archived,
    )
    return replace(f, search="") == kept and search_condition(f.search, is_postgres()) is None


def tallied_stage_counts(
    f: ContactFilter, category_steps: tuple[str, ...] = (), template: str | None = None
) -> list[tuple[str, str, int, int]]:
    """`stage_counts` of a filter `is_tallied` accepts, read from contact_tally."""
    return summaries.stage_tally(_tally_filter(f, category_steps, template))


def _tally_filter(
    f: ContactFilter, category_steps: tuple[str, ...], template: str | None
) -> summaries.TallyFilter:
    """A filter's fields the tallies are narrowed by; its category and step as the steps
    they leave (None: any step)."""
    stages: list[str] | None = list(category_steps) if f.category is not None else None
    if f.stage:
        stages = [f.stage] if stages is None or f.stage in stages else []
    return summaries.TallyFilter(
        f.archived, f.status or None, stages, f.segmentation, f.reason_code, template
    )


def searched_stage_counts(
    f: ContactFilter, category_steps: tuple[str, ...] = (), template: str | None = None
) -> list[tuple[str, str, int, int]] | None:
    """`stage_counts` of a search whose other filters `is_tallied` accepts, counted in
    contact_counted (narrow rows) for the ids the search indexes give; None when this
    search cannot be answered that way."""
    without_search = replace(f, search="")
    if not is_tallied(without_search):
        return None
    if not is_postgres():
        letters = _matching_letters(f.search)
        if letters is not None:
            return summaries.keyed_stage_counts(letters, _tally_filter(f, category_steps, template))
    else:
        codes = _matching_codes(f.search)
        if codes is not None:
            return summaries.coded_stage_counts(codes, _tally_filter(f, category_steps, template))
    ids = matching_ids(f.search, is_postgres())
    if ids is None:
        return None
    k = ContactCounted
    where = k.archived == f.archived
    if f.status:
        where &= k.status == f.status
    if f.category is not None:
        where &= k.stage.in_(list(category_steps))
    if f.stage:
        where &= k.stage == f.stage
    if f.segmentation is not None:
        where &= k.segmentation == f.segmentation
    if f.reason_code is not None:
        where &= k.reason_code == f.reason_code
    if template is not None:
        where &= k.template == template
    for subquery in ids:
        where &= k.id.in_(subquery)
    # As in stage_counts: a unary + keeps SQLite from grouping along an index of its own.
    groups: list[peewee.ColumnBase] = [k.stage, k.status]
    if not is_postgres():
        groups = [peewee.NodeList((peewee.SQL("+"), column), glue="") for column in groups]
    query = (
        k.select(k.stage, k.status, fn.COUNT(k.id), fn.SUM(k.missing))
        .where(where)
        .group_by(*groups)
        .tuples()
    )
    return [(stage, status, n, int(m or 0)) for stage, status, n, m in tuples(query)]


def _matching_letters(text: str) -> str | None:
    """SQLite: the contact_key letters of the contacts a search matches, one each, read
    from the search indexes and contact_key alone (None: a search of short terms beside
    long ones, which needs the contacts' own documents, or no search).

    Joined into one string rather than grouped: GROUP BY sorted every match (most of
    the 0.4 s `mar` took at a million contacts); the string is counted in Python."""
    long_terms, starts = split_terms(search_terms(text))
    if bool(long_terms) == bool(starts):  # both kinds, or no search at all
        return None
    if long_terms:
        sql = (
            "SELECT group_concat(k.letter, '') FROM contact_fts f "
            "CROSS JOIN contact_key k ON k.id = f.rowid WHERE f.contact_fts MATCH ?"
        )
        values: list[object] = [fts_query(long_terms)]
    else:
        # The rarest term is read, the others looked up for each of its contacts.
        rarest = starts[0] if len(starts) == 1 else _rarest(starts)[0]
        others = [t for t in starts if t != rarest]
        sql = (
            "SELECT group_concat(k.letter, '') FROM contact_word w "
            "CROSS JOIN contact_key k ON k.id = w.contact_id WHERE w.prefix = ?"
            + " AND EXISTS (SELECT 1 FROM contact_word o WHERE o.prefix = ? "
            "AND o.contact_id = w.contact_id)" * len(others)
        )
        values = [rarest, *others]
    (letters,) = database.execute_sql(sql, values).fetchone()
    return letters or ""


def _matching_codes(text: str) -> dict[int, int] | None:
    """PostgreSQL: how many contacts a search of short terms only matches, per count_key
    code (migration 0021), read from contact_word's key alone (None: any other search).

    The rarest term's entries are read, index-only, each holding its contact's code;
    the other terms are looked up for each of them."""
    long_terms, starts = split_terms(search_terms(text))
    if long_terms or not starts:
        return None
    rarest = starts[0] if len(starts) == 1 else _rarest(starts)[0]
    others = [t for t in starts if t != rarest]
    sql = (
        "SELECT w.code, COUNT(*) FROM contact_word w WHERE w.prefix = %s"
        + " AND EXISTS (SELECT 1 FROM contact_word o WHERE o.prefix = %s "
        "AND o.contact_id = w.contact_id)" * len(others) + " GROUP BY w.code"
    )
    return dict(database.execute_sql(sql, [rarest, *others]))


def assigned_accounts(contact_ids: list[int]) -> dict[int, list[str]]:
    """Account names per contact, for the rows of one page."""
    if not contact_ids:
        return {}
    query = (
        ContactAccount.select(ContactAccount.contact, Account.name)
        .join(Account)
        .where(ContactAccount.contact.in_(contact_ids))
        .order_by(Account.name)
        .tuples()
    )
    result: dict[int, list[str]] = {}
    for contact_id, name in tuples(query):
        result.setdefault(contact_id, []).append(name)
    return result


# ----- position of a row --------------------------------------------------------------------
# After a change the table re-reads its window from a row's sort key; this says which row
# number that key now has, so "row N of M" stays exact without OFFSET paging.


def position(condition: peewee.Expression, sort: str, descending: bool, sort_key: tuple) -> int:
    """How many rows matching `condition` come before the row with `sort_key` in this order."""
    column = SORT_COLUMNS[sort]
    keys = [column, Contact.name_key, Contact.id] if sort != "name" else [column, Contact.id]
    key = list(sort_key) if sort != "name" else [sort_key[0], sort_key[2]]
    if descending:
        before = peewee.Tuple(*keys) > peewee.Tuple(*key)
    else:
        before = peewee.Tuple(*keys) < peewee.Tuple(*key)
    return count(condition & before)


# ----- contacts changed by another session ----------------------------------------------------
# A session holds a window of rows; when other sessions change some contacts it reads
# only those, and where each now sorts among the rows it kept, rather than the window.


def _key_columns(
    model: type[Contact] | peewee.ModelAlias[Contact], sort: str
) -> list[peewee.ColumnBase]:
    """`_sort_keys(sort)` on `model`: Contact itself or an alias of it."""
    column = SORT_COLUMNS[sort]
    if not isinstance(column, peewee.Field):  # scoring: see SORT_COLUMNS
        column = fn.COALESCE(model.scoring, peewee.SQL("-1"))
    else:
        column = getattr(model, column.name)
    return [column, model.name_key, model.id] if sort != "name" else [column, model.id]


def _key_values(sort: str, sort_key: tuple) -> peewee.Tuple:
    return peewee.Tuple(*(list(sort_key) if sort != "name" else [sort_key[0], sort_key[2]]))


def _in_ids(column: peewee.Field, ids: list[int]) -> peewee.ColumnBase:
    """`column IN (ids)` with the ids written into the statement: peewee turns each
    parameter into SQL in Python, 1.5 ms for a window's hundred ids, which every
    session spent on every change."""
    if not ids:
        return peewee.SQL("0 = 1")
    listed = ",".join(str(int(i)) for i in ids)
    return peewee.NodeList((column, peewee.SQL(f"IN ({listed})")))


def window_changes(
    condition: peewee.Expression,
    sort: str,
    descending: bool,
    changed_ids: list[int],
    kept_ids: list[int],
    first: tuple | None,
    last: tuple | None,
) -> list[tuple]:
    """The rows of `changed_ids` that meet `condition` and sort from the sort key `first`
    to `last` (both included; None: from the list's start, to its end), in display
    order, as `page` returns them plus one last value: how many of `kept_ids` come
    before the row. One statement, so both are read from the same snapshot; the order
    is the database's (collations), never Python's."""
    keys = peewee.Tuple(*_key_columns(Contact, sort))
    where = condition & _in_ids(Contact.id, changed_ids)
    if first is not None:
        bound = _key_values(sort, first)
        where &= keys <= bound if descending else keys >= bound
    if last is not None:
        bound = _key_values(sort, last)
        where &= keys >= bound if descending else keys <= bound
    kept = Contact.alias("kept")
    kept_keys = peewee.Tuple(*_key_columns(kept, sort))
    before = kept_keys > keys if descending else kept_keys < keys
    rank = kept.select(fn.COUNT(kept.id)).where(_in_ids(kept.id, kept_ids) & before)
    order = [k.desc() if descending else k.asc() for k in _key_columns(Contact, sort)]
    query = (
        Contact.select(*ROW_FIELDS, SORT_COLUMNS[sort].alias("sort_value"), rank.alias("rank"))
        .where(where)
        .order_by(*order)
        .tuples()
    )
    return list(tuples(query))


# ----- pages of a search, fast at a million contacts ---------------------------------------
# `page` with a search condition asks the search index (FTS5 or pg_trgm, or `contact_word`
# for short terms) for every match, then sorts them all for one page: at a million
# contacts 190 ms for "mar" (177,000 matches), 150 ms and more for "jo" sorted by company.
# A term that many contacts match is found sooner by reading the list in its order and
# keeping the rows that match; a rare one by sorting its few matches. The plans below
# pick one of the two; each answers None when it cannot be sure of the answer, and `page`
# (always right) answers then.

SCAN_AHEAD = 2000
"""Rows of the plain list read in order by `_scan_ahead` before it gives up."""

FEW_MATCHES = 3500
"""Contacts with a word starting with a short term below which sorting them all
(`_word_matches_sorted`) is quicker than reading the list in order (`_word_scan`)."""

MANY_MATCHES = 20000
"""Contacts with a word starting with a short term from which `_word_scan` tests each
contact in the word index as it goes, rather than first listing every match.

What each costs here at a million contacts (per contact; 2 cores shared by many): reading
a match's row to sort it 10 µs, listing a match 2.5 µs, a look-up in the word index
5 µs, passing over a contact in a sort index 0.3 µs (0.8 µs tested against the list).
A page of 100 passes over about 100 × 1,000,000 / matches contacts, more for a term
bunched in one part of the list (`mi`: Mia, Michael…), so sorting is cheapest below
~3,500 matches, listing first up to ~20,000, and the look-ups above."""

WORD_SCAN = (12000, 100000)
"""Contacts `_word_scan` passes over before giving up: testing each in the word index,
and after listing the matches first."""


def search_page(
    contact_filter: ContactFilter,
    category_steps: tuple[str, ...] = (),
    sort: str = "name",
    descending: bool = False,
    after: tuple | None = None,
    limit: int = 100,
    backwards: bool = False,
    known_steps: tuple[str, ...] = (),
) -> Sequence[tuple]:
    """The same rows as `page(filter_condition(contact_filter, ...), ...)`, found faster."""
    terms = search_terms(contact_filter.search)
    long_terms, starts = split_terms(terms)
    base = filter_condition(replace(contact_filter, search=""), category_steps, known_steps)
    if starts and not long_terms:
        return _word_start_page(base, starts, sort, descending, after, limit, backwards)
    plain = replace(contact_filter, search="") == ContactFilter(archived=contact_filter.archived)
    # A selective filter makes reading ahead read far more rows than it keeps.
    if terms and plain:
        rows = _scan_ahead(base, terms, sort, descending, after, limit, backwards)
        if rows is not None:
            return rows
    condition = filter_condition(contact_filter, category_steps, known_steps)
    return page(condition, sort, descending, after, limit, backwards)


def _sort_keys(sort: str) -> list[peewee.ColumnBase]:
    column = SORT_COLUMNS[sort]
    return [column, Contact.name_key, Contact.id] if sort != "name" else [column, Contact.id]


def _after_condition(sort: str, after: tuple, reverse: bool) -> peewee.Expression:
    keys = peewee.Tuple(*_sort_keys(sort))
    key = peewee.Tuple(*SortKey(*after).keyset(sort))
    return keys < key if reverse else keys > key


def _rows_by_id(
    ids: list[int], sort: str, condition: peewee.Expression | None = None
) -> list[ListRow]:
    """The rows of these contacts (those meeting `condition`) as `page` returns them, in
    the order of `ids`."""
    if not ids:
        return []
    where = Contact.id.in_(ids) if condition is None else condition & Contact.id.in_(ids)
    query = Contact.select(*ROW_FIELDS, SORT_COLUMNS[sort].alias("sort_value")).where(where)
    found = {row.id: row for row in map(ListRow._make, tuples(query))}
    return [found[i] for i in ids if i in found]


def rows_by_id(ids: list[int], sort: str, condition: peewee.Expression) -> list[ListRow]:
    """The rows of these contacts that meet `condition`, as `page` returns them."""
    return _rows_by_id(ids, sort, condition)


def _scan_ahead(
    base: peewee.Expression,
    terms: list[str],
    sort: str,
    descending: bool,
    after: tuple | None,
    limit: int,
    backwards: bool,
) -> list[ListRow] | None:
    """Read the list in order and keep the rows that match, up to SCAN_AHEAD rows.

    A common term ("mar" is in one contact of six) fills a page within a few hundred rows;
    a rare one does not, and then the search index is the better way (None).
    """
    reverse = descending != backwards
    where = base if after is None else base & _after_condition(sort, after, reverse)
    order = [k.desc() if reverse else k.asc() for k in _sort_keys(sort)]
    keys = [k.alias(f"key{n}") for n, k in enumerate(_sort_keys(sort))]
    ahead = (
        Contact.select(Contact.id, Contact.search_doc, *keys)
        .where(where)
        .order_by(*order)
        .limit(SCAN_AHEAD)
        .alias("ahead")
    )
    matches = [_contains(ahead.c.search_doc, t) for t in terms]
    query = peewee.Select([ahead], [ahead.c.id]).where(functools.reduce(operator.and_, matches))
    # No ORDER BY outside on SQLite: it yields the subquery's rows in its order, and
    # sorting again would make it read all SCAN_AHEAD rows before the first match is
    # returned. PostgreSQL promises the order only with one (and knows it is sorted).
    if is_postgres():
        outer = [ahead.c[f"key{n}"] for n in range(len(keys))]
        query = query.order_by(*[c.desc() if reverse else c.asc() for c in outer])
    ids = [row[0] for row in query.limit(limit).tuples().execute(database)]
    if len(ids) < limit:
        return None
    rows = _rows_by_id(ids, sort)
    return rows[::-1] if backwards else rows


def _word_start_page(
    base: peewee.Expression,
    starts: list[str],
    sort: str,
    descending: bool,
    after: tuple | None,
    limit: int,
    backwards: bool,
) -> list[ListRow]:
    """`page` for a search of short terms only: each must start a word of the contact.

    The rarest term decides the plan (see MANY_MATCHES): sort its matches, or read the
    list in order testing each contact against its matches listed first, or against
    the word index itself; a plan that reads too far gives way to the next one.
    """
    rarest, matches = _rarest(starts)
    others = [t for t in starts if t != rarest]
    scan = (base, rarest, others, sort, descending, after, limit, backwards)
    rows = None
    if matches >= MANY_MATCHES:
        rows = _word_scan(*scan, listed=False)
    if rows is None and matches >= FEW_MATCHES:
        rows = _word_scan(*scan, listed=True)
    if rows is None:
        rows = _word_matches_sorted(base, rarest, starts, sort, descending, after, limit, backwards)
    return rows


def _rarest(starts: list[str]) -> tuple[str, int]:
    """The term that starts the fewest words, and how many (counted up to MANY_MATCHES)."""
    counted = {t: _count_upto(ContactWord.prefix == t, MANY_MATCHES) for t in starts}
    rarest = min(starts, key=counted.__getitem__)
    return rarest, counted[rarest]


def _count_upto(condition: peewee.Expression, most: int) -> int:
    """How many `contact_word` rows meet `condition`, counting no further than `most`."""
    some = ContactWord.select(peewee.SQL("1")).where(condition).limit(most).alias("some")
    return peewee.Select([some], [fn.COUNT(peewee.SQL("*"))]).scalar(database)


def _word_matches_sorted(
    base: peewee.Expression,
    rarest: str,
    starts: list[str],
    sort: str,
    descending: bool,
    after: tuple | None,
    limit: int,
    backwards: bool,
) -> list[ListRow]:
    """Every contact with a word starting with `rarest` (read from `contact_word`),
    those that also have the other terms and meet `base`, sorted: a page of them."""
    reverse = descending != backwards
    where = base
    if after is not None:
        where &= _after_condition(sort, after, reverse)
    for term in starts:
        if term != rarest:
            where &= has_word_starting(Contact.id, term)
    order = [k.desc() if reverse else k.asc() for k in _sort_keys(sort)]
    query: peewee.ModelSelect[Any]
    ids = _few_matches(rarest) if is_postgres() else None
    if ids is not None:
        if not ids:
            return []
        where &= Contact.id == peewee.SQL("ANY(%s)", [ids])
        query = Contact.select(*_sort_keys(sort)).where(where)
    else:
        # CROSS JOIN: SQLite then reads contact_word first, as written, and never walks
        # the sort index testing every contact.
        where &= (ContactWord.prefix == rarest) & (Contact.id == ContactWord.contact)
        query = ContactWord.select(*_sort_keys(sort)).join(Contact, peewee.JOIN.CROSS).where(where)
    # Only the sort keys are sorted (the page's rows are read after): a smaller sort.
    query = query.order_by(*order).limit(limit).tuples()
    rows = _rows_by_id([key[-1] for key in tuples(query)], sort)
    return rows[::-1] if backwards else rows


def _few_matches(term: str) -> list[int] | None:
    """PostgreSQL: the ids of the contacts with a word starting with `term`, unless there
    are more than MANY_MATCHES (None).

    The planner guesses a prefix's matches from a sample (15,000 for one that no contact
    has) and walked the whole sort index looking for them: 6 s at a million contacts for
    `47`, typing a phone number. Given the matches themselves, it sorts those. Many
    matches are left to its join (a long list of ids costs more than it saves).
    """
    matches = ContactWord.select(ContactWord.contact).where(ContactWord.prefix == term)
    ids = [contact_id for (contact_id,) in tuples(matches.limit(MANY_MATCHES + 1))]
    return ids if len(ids) <= MANY_MATCHES else None


def _word_scan(
    base: peewee.Expression,
    rarest: str,
    others: list[str],
    sort: str,
    descending: bool,
    after: tuple | None,
    limit: int,
    backwards: bool,
    listed: bool,
) -> list[ListRow] | None:
    """Read the list in order, keeping the contacts with a word starting with each term,
    until the page is full; None if WORD_SCAN contacts were not enough.

    The order comes from the sort index alone: only the contacts that have the words
    are read (for `base`, which would otherwise cost a read of every contact passed
    over). `listed`: the rarest term's matches are listed first and each contact is
    tested against that list, else in the word index.
    """
    reverse = descending != backwards
    found: list[ListRow] = []
    position = after
    for _ in range(WORD_SCAN_ROUNDS):
        where = None if position is None else _after_condition(sort, position, reverse)
        candidates, ended = _word_candidates(where, rarest, others, sort, reverse, limit, listed)
        rows = _rows_by_id([key[-1] for key in candidates], sort, base)
        found += rows
        if len(found) >= limit or ended:
            found = found[:limit]
            return found[::-1] if backwards else found
        if len(candidates) < limit:
            return None  # WORD_SCAN contacts held too few: the term is rare here
        last = candidates[-1]
        position = (last[0], last[0], last[1]) if sort == "name" else last
    return None


WORD_SCAN_ROUNDS = 3
"""Pages of candidates `_word_scan` tries when `base` turns many of them down."""


def _word_candidates(
    where: peewee.Expression | None,
    rarest: str,
    others: list[str],
    sort: str,
    reverse: bool,
    limit: int,
    listed: bool,
) -> tuple[list[tuple], bool]:
    """The sort keys of up to `limit` contacts with the words, in order, read from the
    sort index (at most WORD_SCAN of them); and whether the list ended there."""
    most = WORD_SCAN[listed]
    names = [f"key{n}" for n in range(len(_sort_keys(sort)))]
    keys = [k.alias(name) for k, name in zip(_sort_keys(sort), names, strict=True)]
    order = [k.desc() if reverse else k.asc() for k in _sort_keys(sort)]
    ahead = Contact.select(*keys).order_by(*order).limit(most)
    if where is not None:
        ahead = ahead.where(where)
    ahead = ahead.alias("ahead")
    columns = [ahead.c[name] for name in names]
    contact_id = columns[-1]
    if listed:  # (SQLite lists them once, PostgreSQL hashes them)
        first = contact_id.in_(
            ContactWord.select(ContactWord.contact).where(ContactWord.prefix == rarest)
        )
    else:
        first = has_word_starting(contact_id, rarest)
    matches = [first, *(has_word_starting(contact_id, t) for t in others)]
    query = peewee.Select([ahead], columns).where(functools.reduce(operator.and_, matches))
    if is_postgres():  # SQLite keeps the subquery's order; PostgreSQL promises it only so
        query = query.order_by(*[c.desc() if reverse else c.asc() for c in columns])
    candidates = list(query.limit(limit).tuples().execute(database))
    ended = False
    if len(candidates) < limit:
        scanned = peewee.Select([ahead], [fn.COUNT(peewee.SQL("*"))]).scalar(database)
        ended = scanned < most
    return candidates, ended
