"""A new contact's `contact` row as an import writes it, from its checked draft alone.

The row's values (the derived columns above all: name key, primary e-mail and phone as
shown, digits, search document) and its search words' starts (the `contact_word` rows)
need no database: they are worked out before a batch takes the write lock.

Tried and left: working them out in the process that checked the draft, to cross with
it. The importer, the slower half, saved 0.8 s of 100,000 rows' 6 s, the pickles grew
by the same, and the pipe then held too few records to cover a batch's write (wall
6.6 s against 7.0, CPU 10.4 s against 9.5, with a thread reading the pipe meanwhile).
"""

from __future__ import annotations

from contacts_tui.derived import DERIVED_COLUMNS, derived_columns
from contacts_tui.importer import ContactDraft
from contacts_tui.services.shared import status_of
from contacts_tui.store.models import CONTACT_COLUMNS, PROFILE_COLUMNS
from contacts_tui.store.search import word_prefixes

STAMP_COLUMNS = ("created_at", "created_by", "updated_at", "updated_by", "version")
"""Written after ROW_COLUMNS: when and by whom, known when the batch is written (or the
draft's own, from our JSON export)."""

ROW_COLUMNS = (
    "name",
    "full_name",
    "scoring",
    "segmentation",
    "reason_code",
    "template",
    "stage",
    "status",
    "archived",
    "company_name",
    "uid",
    *DERIVED_COLUMNS,
    *PROFILE_COLUMNS,
)
"""The contact columns of `contact_row`'s values, in their order."""

_WRITTEN = {*ROW_COLUMNS, *STAMP_COLUMNS, "company_id"}
_MODEL = {*CONTACT_COLUMNS, *PROFILE_COLUMNS, "uid"}
if _WRITTEN != _MODEL:  # a column added to the model, say
    raise RuntimeError(f"import_rows: columns unlike the model's: {_WRITTEN ^ _MODEL}")

ContactRowValues = tuple[tuple, tuple[str, ...]]
"""ROW_COLUMNS' values, and the search words' starts (`word_prefixes`)."""

_NO_PROFILE = ("",) * len(PROFILE_COLUMNS)
_SEARCH_DOC = ROW_COLUMNS.index("search_doc")


def contact_row(draft: ContactDraft) -> ContactRowValues:
    """ROW_COLUMNS' values of a new contact of `draft`, and its search words' starts."""
    company_name = draft.company or ""
    profile = dict(draft.profile) if draft.profile else None
    derived = derived_columns(
        draft.name,
        draft.full_name,
        company_name,
        [(e, p) for e, _, p in draft.emails],
        [(n, p) for n, _, _, p in draft.phones],
        profile,
    )
    values = (
        draft.name,
        draft.full_name,
        draft.scoring,
        draft.segmentation,
        draft.reason_code,
        draft.template,
        draft.stage,
        status_of(draft.closed),
        draft.archived,
        company_name,
        draft.uid,
        *derived,
        *([profile.get(key, "") for key in PROFILE_COLUMNS] if profile else _NO_PROFILE),
    )
    return values, tuple(word_prefixes(values[_SEARCH_DOC]))
