"""The pipeline board: one lifecycle template's steps as columns of contacts, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from contacts_tui.lifecycle import Template
from contacts_tui.store import reports as queries
from contacts_tui.store.database import with_connection
from contacts_tui.store.listing import ContactFilter
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
        return queries.step_counts(self.contacts.condition(contact_filter), template.key)

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
            self.contacts.condition(contact_filter), template.key, step, after, limit + 1
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
