"""The list screen's queries: filter, search, sort and keyset pages over the contact table.

Every query here selects tuples, not model instances: at a million rows the hot paths
must not build objects they throw away.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee
from peewee import fn

from contacts_tui.store.database import is_postgres
from contacts_tui.store.models import Account, Contact, ContactAccount
from contacts_tui.store.search import search_condition

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


def stage_counts(condition: peewee.Expression) -> list[tuple[str, str, int, int]]:
    """(stage, status, contacts, contacts missing a primary e-mail or phone), one scan."""
    missing = fn.SUM(
        peewee.Case(None, (((Contact.primary_email == "") | (Contact.primary_phone == ""), 1),), 0)
    )
    query = (
        Contact.select(Contact.stage, Contact.status, fn.COUNT(Contact.id), missing)
        .where(condition)
        .group_by(Contact.stage, Contact.status)
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


# ----- position of a row (added for the list screen's virtual table) ------------------------
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
