"""The small fixed stage history the reports' tests check by hand (see test_reports.py)."""

from __future__ import annotations

from datetime import date, datetime

from contacts_tui.services.reports import period
from contacts_tui.store.database import with_connection
from contacts_tui.store.models import Contact, StageChange, database

SPAN = period("custom", start=date(2026, 1, 1), end=date(2026, 3, 31))
NOW = datetime(2026, 4, 1)

HISTORY = {
    "Ada": ["2025-12-20 new_lead", "01-05 contacted", "01-15 interested", "01-20 contacted",
            "02-01 interested", "02-11 qualified"],
    "Bob": ["01-10 new_lead", "01-12 proposal_sent", "02-16 closed_won"],
    "Cy": ["01-03 new_lead", "01-08 contacted", "02-02 referred"],
    "Dee": ["01-04 new_lead", "01-06 contacted", "01-30 closed_lost"],
    "Eve": ["02-20 new_lead", "03-02 closed_lost bob"],
    "Fay": ["2025-06-01 new_lead", "2025-07-01 contacted"],
}  # fmt: skip


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text if len(text) > 5 else f"2026-{text}")


@with_connection
def _rewrite_history(ids: dict[str, int]) -> None:
    with database.atomic():
        for name, changes in HISTORY.items():
            contact_id = ids[name]
            StageChange.delete().where(StageChange.contact == contact_id).execute()
            previous = ""
            for change in changes:
                at, step, *by = change.split()
                StageChange.create(
                    contact=contact_id,
                    from_stage=previous,
                    to_stage=step,
                    at=_when(at),
                    by=by[0] if by else "alice",
                )
                previous = step
            closed = previous in ("closed_won", "closed_lost")
            Contact.update(
                stage=previous,
                template="partner" if previous == "referred" else "standard",
                status="Closed" if closed else "Open",
                created_at=_when(changes[0].split()[0]),
                archived=name == "Dee",
            ).where(Contact.id == contact_id).execute()


def build_history(service) -> dict[str, int]:
    """The contacts of HISTORY with their history; their ids by name."""
    north = service.create_account("North")
    south = service.create_account("South")
    segments = {"Ada": "Enterprise", "Cy": "Enterprise", "Bob": "SMB", "Eve": "SMB"}
    ids = {}
    for name in HISTORY:
        contact = service.create_contact(name, "Acme" if name in ("Ada", "Cy") else None)
        changes = {"segmentation": segments.get(name, "")}
        if name == "Ada":
            changes["accounts"] = (north.id, south.id)
        service.update_contact(contact.id, contact.version, **changes)
        ids[name] = contact.id
    _rewrite_history(ids)
    return ids
