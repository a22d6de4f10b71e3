"""What the list's services return (frozen dataclasses), and the errors services raise.

The detail screen's results are in `details.py`, loaded on first use: fifteen frozen
dataclasses cost about 9 ms to create, on the way to the list's first screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contacts_tui.services.details import ContactDetail


class NotFoundError(LookupError):
    """The contact (or record) no longer exists, e.g. another user deleted it."""


@dataclass(frozen=True)
class ContactRow:
    """One row of the contact list."""

    id: int
    name: str
    full_name: str
    email: str
    phone: str
    company: str  # "" = Tenant-Wide
    status: str
    stage: str
    template: str
    segmentation: str
    scoring: int | None
    reason_code: str
    updated_at: datetime
    archived: bool
    accounts: tuple[str, ...]
    sort_key: tuple  # (sort value, name key, id): where the next page continues


@dataclass(frozen=True)
class Page:
    rows: tuple[ContactRow, ...]
    has_more: bool  # more rows lie beyond this page in the direction it was read


@dataclass(frozen=True)
class CategoryCount:
    key: str
    name: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    total: int
    open: int
    closed: int
    categories: tuple[CategoryCount, ...]
    missing_primary: int  # contacts without a primary e-mail or phone
    unknown_stage: int  # contacts whose step is no longer in lifecycle.toml


class ConflictError(Exception):
    """Someone saved the contact since it was read; `current` holds what they saved."""

    def __init__(self, current: ContactDetail) -> None:
        super().__init__(
            f"{current.updated_by or 'Someone'} changed this contact at "
            f"{current.updated_at:%Y-%m-%d %H:%M} UTC since you opened it."
        )
        self.current = current
