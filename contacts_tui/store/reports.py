"""The sales reports' and the pipeline board's queries over the stage history and contacts.

A period is [start, end) in UTC. `condition` is the list's filter (see
`listing.filter_condition`), applied to the contacts as they are now. Every query
selects tuples and leaves the arithmetic (rates, percentiles) to the services.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime

import peewee
from peewee import JOIN, fn

from contacts_tui.store.database import is_postgres
from contacts_tui.store.models import Account, Contact, ContactAccount, StageChange, StageSince
from contacts_tui.store.rows import tuples

_TIME_IN_STAGE = importlib.import_module("contacts_tui.store.migrations.0017_time_in_stage")

DIMENSIONS = ("segmentation", "reason_code", "account", "company", "user")
"""What the funnel can be broken down by: contact fields, the assigned account (a
contact with two accounts counts under each), and the user who made the change."""


def _group_case(column: peewee.ColumnBase, groups: Mapping[str, Iterable[str]]) -> peewee.Node:
    """CASE column WHEN step THEN group …: which group a step key belongs to."""
    whens = [(column == key, group) for group, keys in groups.items() for key in keys]
    return peewee.Case(None, whens, None)


def _dimension(by: str) -> peewee.Node:
    return {
        "segmentation": Contact.segmentation,
        "reason_code": Contact.reason_code,
        "account": fn.COALESCE(Account.name, ""),
        "company": Contact.company_name,
        "user": StageChange.by,
    }[by]


def _not_archived() -> peewee.Expression:
    """The default view's contacts as a condition on the stage history alone: the few
    archived ones are looked up in their partial index (migration 0007) instead of
    reading the contact row of every change."""
    archived = Contact.select(Contact.id).where(Contact.archived)
    return StageChange.contact.not_in(archived)


def reached(
    condition: peewee.Expression | None,
    start: datetime,
    end: datetime,
    groups: Mapping[str, Iterable[str]],
    by: str | None = None,
) -> list[tuple[str, str, int]]:
    """(dimension value, group, contacts) for the contacts that entered a step of each
    group in the period, each contact counted once per group (and per dimension value).

    `groups` maps a group name to step keys (a step per group, a category's steps, the
    steps of an outcome). Without `by` the dimension value is "". `condition` None is
    the default view (every contact not archived).
    """
    keys = sorted({key for members in groups.values() for key in members})
    if not keys:
        return []
    group = _group_case(StageChange.to_stage, groups)
    dimension = _dimension(by) if by else peewee.Value("")
    query = StageChange.select(dimension, group, fn.COUNT(fn.DISTINCT(StageChange.contact)))
    where = (StageChange.at >= start) & (StageChange.at < end) & StageChange.to_stage.in_(keys)
    if condition is None and by in (None, "user"):
        where &= _not_archived()
    else:
        query = query.join(Contact, on=StageChange.contact == Contact.id)
        where &= condition if condition is not None else ~Contact.archived
    if by == "account":
        query = query.join(
            ContactAccount, JOIN.LEFT_OUTER, on=ContactAccount.contact == Contact.id
        ).join(Account, JOIN.LEFT_OUTER, on=ContactAccount.account == Account.id)
    query = query.where(where).group_by(peewee.SQL("1"), peewee.SQL("2")).tuples()
    return [(value or "", name, n) for value, name, n in tuples(query) if name is not None]


def completed_stints(
    condition: peewee.Expression, start: datetime, end: datetime, steps: Iterable[str]
) -> list[tuple[str, int, int]]:
    """(step, whole days spent, stays) for the stays in one of `steps` that ended in the
    period, as stay_day (migration 0017) counts them for the default view.

    A stay begins with the change into the step and ends with the contact's next change
    (whatever it is: a move back, a skip, another template's step).
    """
    keys = list(steps)
    if not keys:
        return []
    ended = (
        fn.LEAD(StageChange.at)
        .over(partition_by=[StageChange.contact], order_by=[StageChange.at, StageChange.id])
        .alias("ended")
    )
    stays = StageChange.select(
        StageChange.contact.alias("contact_id"),
        StageChange.to_stage.alias("step"),
        StageChange.at.alias("began"),
        ended,
    ).cte("stay")
    left = stays.c.ended
    days = peewee.SQL(_TIME_IN_STAGE.Dialect(is_postgres()).whole_days("stay.began", "stay.ended"))
    query = (
        Contact.select(stays.c.step, days, fn.COUNT(peewee.SQL("*")))
        .from_(stays)
        .join(Contact, on=stays.c.contact_id == Contact.id)
        .where(condition & (left >= start) & (left < end) & stays.c.step.in_(keys))
        .group_by(peewee.SQL("1"), peewee.SQL("2"))
        .with_cte(stays)
        .tuples()
    )
    return [(step, int(days), int(n)) for step, days, n in tuples(query)]


def current_stays(
    condition: peewee.Expression,
    template: str,
    older_than: dict[str, datetime],
    limit: int,
) -> list[tuple[int, str, str, str, datetime]]:
    """(id, name, company, step, arrived) of contacts of `template` in a step of
    `older_than` since before that step's time, the longest waiting first.

    Read from stage_since (migration 0017) along its (stage, since) index, a step at a
    time: at most `limit` contacts each, however many wait.
    """
    found = []
    for step, cutoff in older_than.items():
        query = (
            Contact.select(
                Contact.id, Contact.name, Contact.company_name, Contact.stage, StageSince.since
            )
            .join(StageSince, on=StageSince.contact == Contact.id)
            .where(
                condition
                & (StageSince.stage == step)
                & (StageSince.since < cutoff)
                & (Contact.stage == step)
                & (Contact.template == template)
            )
            .order_by(StageSince.since, Contact.id)
            .limit(limit)
            .tuples()
        )
        found += [(i, n, c, st, _as_datetime(at)) for i, n, c, st, at in tuples(query)]
    found.sort(key=lambda row: (row[4], row[0]))
    return found[:limit]


def _week(column: peewee.Field) -> peewee.Node:
    """The Monday of the week a timestamp falls in (ISO weeks)."""
    if is_postgres():
        return fn.date_trunc("week", column).cast("date")
    return fn.date(column, "-6 days", "weekday 1")


def changes_per_week(
    condition: peewee.Expression | None,
    start: datetime,
    end: datetime,
    won: Iterable[str],
    lost: Iterable[str],
) -> list[tuple[date, int, int, int]]:
    """(week's Monday, stage changes, changes into a won step, into a lost step)."""
    week = _week(StageChange.at)

    def into(keys: Iterable[str]) -> peewee.Node:
        keys = list(keys)
        if not keys:
            return peewee.Value(0)
        return fn.SUM(peewee.Case(None, ((StageChange.to_stage.in_(keys), 1),), 0))

    query = StageChange.select(week, fn.COUNT(StageChange.id), into(won), into(lost))
    where = (StageChange.at >= start) & (StageChange.at < end)
    if condition is None:  # the default view
        where &= _not_archived()
    else:
        query = query.join(Contact, on=StageChange.contact == Contact.id)
        where &= condition
    query = query.where(where).group_by(peewee.SQL("1")).tuples()
    return [(_as_date(w), n, int(w_n or 0), int(l_n or 0)) for w, n, w_n, l_n in tuples(query)]


def new_contacts_per_week(
    condition: peewee.Expression, start: datetime, end: datetime
) -> list[tuple[date, int]]:
    week = _week(Contact.created_at)
    query = (
        Contact.select(week, fn.COUNT(Contact.id))
        .where(condition & (Contact.created_at >= start) & (Contact.created_at < end))
        .group_by(peewee.SQL("1"))
        .tuples()
    )
    return [(_as_date(w), n) for w, n in tuples(query)]


# ----- the pipeline board -------------------------------------------------------------------


def column_page(
    condition: peewee.Expression,
    template: str,
    step: str,
    after: tuple[str, int] | None,
    limit: int,
    sparse: bool = False,
) -> list[tuple[int, str, str, str, int]]:
    """(id, name, company, name_key, version) of a step's contacts by name, after a key.

    Read along the (stage, name_key, id) index: a screenful costs the same at a million
    when the filter keeps many of the step's contacts. `sparse`: it keeps few (a rare
    search, a filter on a field most of the step lacks), and walking the step by name
    would read most of it to find them: the matches are found by the filter's own index
    first and only they are sorted.
    """
    where = condition & (Contact.stage == step) & (Contact.template == template)
    if after is not None:
        where &= peewee.Tuple(Contact.name_key, Contact.id) > peewee.Tuple(*after)
    columns = (Contact.id, Contact.name, Contact.company_name, Contact.name_key, Contact.version)
    if not sparse:
        walked = Contact.select(*columns).where(where).order_by(Contact.name_key, Contact.id)
        return list(tuples(walked.limit(limit)))
    matches = Contact.select(*columns).where(where).cte("matches", materialized=True)
    c = matches.c
    few = (
        matches.select_from(c.id, c.name, c.company_name, c.name_key, c.version)
        .order_by(c.name_key, c.id)
        .limit(limit)
    )
    return list(tuples(few))


def arrived_at(contact_ids: list[int]) -> dict[int, datetime]:
    """When each contact entered its current step: its latest stage change."""
    if not contact_ids:
        return {}
    query = (
        StageChange.select(StageChange.contact, fn.MAX(StageChange.at))
        .where(StageChange.contact.in_(contact_ids))
        .group_by(StageChange.contact)
        .tuples()
    )
    return {contact: _as_datetime(at) for contact, at in tuples(query)}


def step_counts(condition: peewee.Expression, template: str) -> dict[str, int]:
    query = (
        Contact.select(Contact.stage, fn.COUNT(Contact.id))
        .where(condition & (Contact.template == template))
        .group_by(Contact.stage)
        .tuples()
    )
    return dict(tuples(query))


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
