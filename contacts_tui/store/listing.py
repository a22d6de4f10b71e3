"""The list screen's queries: filter, search, sort and keyset pages over the contact table.

Every query here selects tuples, not model instances: at a million rows the hot paths
must not build objects they throw away.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import peewee
from peewee import fn

from contacts_tui.store.database import is_postgres
from contacts_tui.store.models import Account, Contact, ContactAccount, database
from contacts_tui.store.search import (
    TRIGRAM,
    _contains,  # the same LIKE the search index stands for, for the plans that read rows
    _prefix,
    search_condition,
    search_terms,
)

TENANT_WIDE = 0
"""`ContactFilter.company` value that selects contacts without a company."""

SORT_COLUMNS: dict[str, peewee.Node] = {
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
    archived: bool = False  # True shows only archived contacts


def filter_condition(
    contact_filter: ContactFilter, category_steps: tuple[str, ...] = ()
) -> peewee.Expression:
    """The WHERE clause for a filter; `category_steps` are the step keys of its category."""
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
) -> list[tuple]:
    """One page of rows in display order, each ending with its sort value.

    `after` is the sort key (sort value, name_key, id) of the row the page continues from:
    the next rows below it, or with `backwards` the rows above it. Without `after`,
    `backwards` gives the last page. Ties are broken by name, then id, so pages are stable.
    """
    column = SORT_COLUMNS[sort]
    keys = [column, Contact.name_key, Contact.id] if sort != "name" else [column, Contact.id]
    # Reading backwards is reading the reversed order forwards, then flipping the page.
    reverse = descending != backwards
    where = condition
    if after is not None:
        after_key = list(after) if sort != "name" else [after[0], after[2]]
        ahead = peewee.Tuple(*keys) < peewee.Tuple(*after_key)
        behind = peewee.Tuple(*keys) > peewee.Tuple(*after_key)
        where &= ahead if reverse else behind
    order = [k.desc() if reverse else k.asc() for k in keys]
    query = (
        Contact.select(*ROW_FIELDS, column.alias("sort_value"))
        .where(where)
        .order_by(*order)
        .limit(limit)
        .tuples()
    )
    rows = list(query)
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
    groups: list[peewee.Node] = [Contact.stage, Contact.status]
    if searched and not is_postgres():
        groups = [peewee.NodeList((peewee.SQL("+"), column), glue="") for column in groups]
    query = (
        Contact.select(Contact.stage, Contact.status, fn.COUNT(Contact.id), missing)
        .where(condition)
        .group_by(*groups)
        .tuples()
    )
    return [(stage, status, n, int(m or 0)) for stage, status, n, m in query]


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
    for contact_id, name in query:
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


# ----- pages of a search, fast at a million contacts ---------------------------------------
# `page` with a search condition asks the search index (FTS5 or pg_trgm, or the prefix
# indexes for short terms) for every match, then sorts them all for one page: at a million
# contacts 190 ms for "mar" (177,000 matches) and 180-700 ms for one or two letters. The list
# tries two cheaper plans first; each answers None when it cannot be sure of the answer, and
# `page` (always right) answers then. They run only for a search over the plain list (no
# other filter): a selective filter makes the first plan read far more rows than it keeps.

SCAN_AHEAD = 2000
"""Rows of the plain list read in order by `_scan_ahead` before it gives up."""

EMAIL_ROUNDS = 4
"""Chunks of candidates `_email_prefix_by_name` tries before it gives up."""


def search_page(
    contact_filter: ContactFilter,
    category_steps: tuple[str, ...] = (),
    sort: str = "name",
    descending: bool = False,
    after: tuple | None = None,
    limit: int = 100,
    backwards: bool = False,
) -> list[tuple]:
    """The same rows as `page(filter_condition(contact_filter, ...), ...)`, found faster."""
    terms = search_terms(contact_filter.search)
    plain = replace(contact_filter, search="") == ContactFilter(archived=contact_filter.archived)
    if terms and plain and not is_postgres():  # PostgreSQL: pg_trgm and its planner
        base = filter_condition(replace(contact_filter, search=""), category_steps)
        term = terms[0]
        if len(terms) == 1 and len(term) < TRIGRAM and sort == "name" and not term.isdigit():
            # Names starting with the term sit together in name order, far from the
            # top: reading ahead from the top would not reach them.
            rows = _short_term_by_name(base, term, descending, after, limit, backwards)
            if rows is not None:
                return rows
        rows = _scan_ahead(base, terms, sort, descending, after, limit, backwards)
        if rows is not None:
            return rows
    condition = filter_condition(contact_filter, category_steps)
    return page(condition, sort, descending, after, limit, backwards)


def _sort_keys(sort: str) -> list[peewee.Node]:
    column = SORT_COLUMNS[sort]
    return [column, Contact.name_key, Contact.id] if sort != "name" else [column, Contact.id]


def _after_condition(sort: str, after: tuple, reverse: bool) -> peewee.Expression:
    keys = peewee.Tuple(*_sort_keys(sort))
    key = peewee.Tuple(*(list(after) if sort != "name" else [after[0], after[2]]))
    return keys < key if reverse else keys > key


def _rows_by_id(
    ids: list[int], sort: str, condition: peewee.Expression | None = None
) -> list[tuple]:
    """The rows of these contacts (those meeting `condition`) as `page` returns them, in
    the order of `ids`."""
    if not ids:
        return []
    where = Contact.id.in_(ids) if condition is None else condition & Contact.id.in_(ids)
    query = Contact.select(*ROW_FIELDS, SORT_COLUMNS[sort].alias("sort_value")).where(where)
    found = {row[0]: row for row in query.tuples()}
    return [found[i] for i in ids if i in found]


def _scan_ahead(
    base: peewee.Expression,
    terms: list[str],
    sort: str,
    descending: bool,
    after: tuple | None,
    limit: int,
    backwards: bool,
) -> list[tuple] | None:
    """Read the list in order and keep the rows that match, up to SCAN_AHEAD rows.

    A common term ("mar" is in one contact of six) fills a page within a few hundred rows;
    a rare one does not, and then the search index is the better way (None).
    """
    reverse = descending != backwards
    where = base if after is None else base & _after_condition(sort, after, reverse)
    order = [k.desc() if reverse else k.asc() for k in _sort_keys(sort)]
    ahead = (
        Contact.select(
            Contact.id,
            Contact.name_key,
            Contact.primary_email,
            Contact.phone_digits,
            Contact.search_doc,
        )
        .where(where)
        .order_by(*order)
        .limit(SCAN_AHEAD)
        .alias("ahead")
    )
    query = peewee.Select([ahead], [ahead.c.id]).where(_row_matches(ahead.c, terms)).limit(limit)
    # No ORDER BY outside: SQLite yields the subquery's rows in its order, and sorting
    # again would make it read all SCAN_AHEAD rows before the first match is returned.
    ids = [row[0] for row in query.tuples().execute(database)]
    if len(ids) < limit:
        return None
    rows = _rows_by_id(ids, sort)
    return rows[::-1] if backwards else rows


def _row_matches(columns, terms: list[str]) -> peewee.Expression:
    """`search_condition` for one row, without an index: every term must match."""
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    conditions: list[peewee.Expression] = []
    if long_terms:
        conditions = [_contains(columns.search_doc, t) for t in terms]
    else:
        for term in terms:
            matches = _prefix(columns.name_key, term, False) | _prefix(
                columns.primary_email, term, False
            )
            if term.isdigit():
                matches |= _prefix(columns.phone_digits, term, False)
            conditions.append(matches)
    result = conditions[0]
    for condition in conditions[1:]:
        result &= condition
    return result


def _short_term_by_name(
    base: peewee.Expression,
    term: str,
    descending: bool,
    after: tuple | None,
    limit: int,
    backwards: bool,
) -> list[tuple] | None:
    """One short term (not digits) over the list sorted by name: both ways a contact can
    match, each in name order, merged.

    The name prefix comes in name order straight from the name index, the e-mail prefix
    from the (primary_email, name_key, id) index in name order without reading a row.
    A term of digits also matches phone numbers, evenly spread in name order: reading
    ahead (`_scan_ahead`) finds those.
    """
    by_name = page(
        base & _prefix(Contact.name_key, term, False), "name", descending, after, limit, backwards
    )
    by_email = _email_prefix_by_name(base, term, descending, after, limit, backwards)
    if by_email is None:
        return None
    branches = [by_name, by_email]
    name_key, contact_id = 14, 0
    merged = sorted(
        {row[contact_id]: row for rows in branches for row in rows}.values(),
        key=lambda row: (row[name_key], row[contact_id]),
        reverse=descending,
    )
    return merged[-limit:] if backwards else merged[:limit]


def _email_prefix_by_name(
    base: peewee.Expression,
    term: str,
    descending: bool,
    after: tuple | None,
    limit: int,
    backwards: bool,
) -> list[tuple] | None:
    reverse = descending != backwards
    order = [k.desc() if reverse else k.asc() for k in (Contact.name_key, Contact.id)]
    found: list[tuple] = []
    position = after
    for _ in range(EMAIL_ROUNDS):
        where = _prefix(Contact.primary_email, term, False)
        if position is not None:
            where &= _after_condition("name", position, reverse)
        # Only columns of that index: SQLite reads it alone, never a contact row.
        candidates = list(
            Contact.select(Contact.id, Contact.name_key)
            .where(where)
            .order_by(*order)
            .limit(2 * limit)
            .tuples()
        )
        found += _rows_by_id([i for i, _ in candidates], "name", base)
        if len(found) >= limit or len(candidates) < 2 * limit:
            found = found[:limit]
            return found[::-1] if backwards else found
        last_id, last_key = candidates[-1]
        position = (last_key, last_key, last_id)
    return None
