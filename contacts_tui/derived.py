"""The contact's derived columns: what the list sorts by, shows and searches, from its values.

One place for them, used by the services (a contact typed or edited in the app) and by
import (contacts written in bulk), so a contact is found the same way however it came in.
"""

from __future__ import annotations

from collections.abc import Iterable

from contacts_tui.store.search import digits, fold, search_document
from contacts_tui.validation import format_phone

DERIVED_COLUMNS = ("name_key", "primary_email", "primary_phone", "phone_digits", "search_doc")
"""The columns of `contact` computed from its other values and its e-mails and phones."""

SEARCHED_PROFILE_FIELDS = ("nickname", "job_title", "department")
"""Profile fields people search by ("the CFO", "Bobby"); website, birthday and notes are not."""


def derived_columns(
    name: str,
    full_name: str,
    company_name: str,
    emails: Iterable[tuple[str, bool]] = (),
    phones: Iterable[tuple[str, bool]] = (),
    profile: dict[str, str] | None = None,
) -> tuple[str, str, str, str, str]:
    """The DERIVED_COLUMNS' values, in that order.

    `emails` and `phones` are (value, is primary) in the order they were added: the
    primary one is searched first, then the others. `profile` holds the contact's
    profile fields (those of SEARCHED_PROFILE_FIELDS are searched).
    """
    emails, phones = list(emails), list(phones)
    if len(emails) > 1:  # most contacts have one of each: nothing to sort
        emails.sort(key=_not_primary)  # stable: primary first
    if len(phones) > 1:
        phones.sort(key=_not_primary)
    # Sorted, a primary one is first.
    primary_email = emails[0][0] if emails and emails[0][1] else ""
    primary_phone = phones[0][0] if phones and phones[0][1] else ""
    extra = [v for v in map(profile.get, SEARCHED_PROFILE_FIELDS) if v] if profile else []
    return (
        fold(name),
        primary_email,
        # As people read it ("+44 7550 217244"): the list shows and sorts this column
        # without loading phonenumbers; the records keep E.164.
        format_phone(primary_phone) if primary_phone else "",
        digits(primary_phone),
        search_document(
            name,
            full_name,
            company_name,
            [e for e, _ in emails],
            [p for p, _ in phones],
            extra=extra,
        ),
    )


def _not_primary(pair: tuple[str, bool]) -> bool:
    return not pair[1]
