"""The pipeline board: one lifecycle template's steps as columns of contacts, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from contacts_tui.lifecycle import Template
from contacts_tui.store import reports as queries
from contacts_tui.store import summaries
from contacts_tui.store.database import with_connection
from contacts_tui.store.listing import (
    ContactFilter,
    is_tallied,
    searched_stage_counts,
    tallied_stage_counts,
)
from contacts_tui.store.models import utc_now

if TYPE_CHECKING:
    from contacts_tui.services import ContactService


@dataclass(frozen=True)
class BoardCard:
    id: int
    name: str
    company: str
    days: int  # in the step
    version: int
    sort_key: tuple[str, int]  # where the next page of the column starts


@dataclass(frozen=True)
class ColumnPage:
    cards: tuple[BoardCard, ...]
    has_more: bool


class BoardService:
    """Counts and pages of the board's columns, under the list's filter."""

    def __init__(self, contacts: ContactService) -> None:
        self.contacts = contacts

    @with_connection
    def first_screen(
        self, template: Template, contact_filter: ContactFilter, wanted: dict[str, int]
    ) -> tuple[dict[str, int], dict[str, ColumnPage]]:
        """The step counts and the first `wanted[step]` cards of each step's column, read
        together in one connection (what the board shows when it opens or reloads), not
        in a transaction: that would wait for the write lock. A column the counts say is
        empty is not read at all."""
        now = utc_now()
        counts = self._counts(template, contact_filter)
        on_step = summaries.contacts_per_step()
        condition = self.contacts.view_condition(contact_filter)
        rows = {}
        for step, limit in wanted.items():
            found = counts.get(step, 0)
            if not found:
                continue
            # Few of the step's contacts in the view: sorting them beats walking the
            # step by name (which reads about PAGE × all / found rows to fill a page).
            sparse = found * found < limit * on_step.get((template.key, step), 0)
            rows[step] = queries.column_page(
                condition, template.key, step, None, limit + 1, sparse=sparse
            )
        arrived = queries.arrived_at([r[0] for page in rows.values() for r in page])
        pages = {step: ColumnPage((), False) for step in wanted}
        for step, page in rows.items():
            pages[step] = _page(page, wanted[step], arrived, now)
        return counts, pages

    @with_connection
    def counts(self, template: Template, contact_filter: ContactFilter) -> dict[str, int]:
        """Contacts per step of `template` (steps without any are left out)."""
        return self._counts(template, contact_filter)

    def _counts(self, template: Template, contact_filter: ContactFilter) -> dict[str, int]:
        steps = self.contacts.category_steps(contact_filter.category)
        rows: list[tuple[str, str, int, int]] | None
        if is_tallied(contact_filter):
            rows = tallied_stage_counts(contact_filter, steps, template.key)
        else:
            rows = searched_stage_counts(contact_filter, steps, template.key)
        if rows is None:
            return queries.step_counts(self.contacts.view_condition(contact_filter), template.key)
        counts: dict[str, int] = {}
        for stage, _status, n, _missing in rows:
            counts[stage] = counts.get(stage, 0) + n
        return counts

    @with_connection
    def column(
        self,
        template: Template,
        step: str,
        contact_filter: ContactFilter,
        after: tuple[str, int] | None = None,
        limit: int = 30,
        now: datetime | None = None,
    ) -> ColumnPage:
        """The contacts of one step by name, `limit` at a time after `after`'s sort key."""
        rows = queries.column_page(
            self.contacts.view_condition(contact_filter), template.key, step, after, limit + 1
        )
        arrived = queries.arrived_at([r[0] for r in rows[:limit]])
        return _page(rows, limit, arrived, now or utc_now())


def _page(
    rows: list[tuple[int, str, str, str, int]],
    limit: int,
    arrived: dict[int, datetime],
    now: datetime,
) -> ColumnPage:
    """A column's page from `limit` + 1 rows of `store.reports.column_page`."""
    cards = tuple(
        BoardCard(
            id=contact_id,
            name=name,
            company=company,
            days=max(0, (now - arrived[contact_id]).days) if contact_id in arrived else 0,
            version=version,
            sort_key=(name_key, contact_id),
        )
        for contact_id, name, company, name_key, version in rows[:limit]
    )
    return ColumnPage(cards, len(rows) > limit)
