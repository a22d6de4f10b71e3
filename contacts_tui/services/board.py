"""The pipeline board: one lifecycle template's steps as columns of contacts, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from contacts_tui.lifecycle import Template
from contacts_tui.store import reports as queries
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
    def counts(self, template: Template, contact_filter: ContactFilter) -> dict[str, int]:
        """Contacts per step of `template` (steps without any are left out)."""
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
        has_more = len(rows) > limit
        rows = rows[:limit]
        arrived = queries.arrived_at([r[0] for r in rows])
        now = now or utc_now()
        cards = tuple(
            BoardCard(
                id=contact_id,
                name=name,
                company=company,
                days=max(0, (now - arrived[contact_id]).days) if contact_id in arrived else 0,
                version=version,
                sort_key=(name_key, contact_id),
            )
            for contact_id, name, company, name_key, version in rows
        )
        return ColumnPage(cards, has_more)
