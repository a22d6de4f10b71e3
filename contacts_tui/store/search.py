"""Search text: folding, the per-contact search document, and the search condition."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

import peewee

from contacts_tui.store.models import Contact

# Trigram indexes (FTS5 trigram, pg_trgm) cannot find terms shorter than this.
TRIGRAM = 3

_NON_DIGITS = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case without accents, so that `jose` finds `José` on both databases."""
    if text.isascii():
        return " ".join(text.lower().split())
    return _fold_unicode(text)


@functools.lru_cache(maxsize=4096)
def _fold_unicode(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def digits(text: str) -> str:
    return _NON_DIGITS.sub("", text)


def search_document(
    name: str,
    full_name: str,
    company: str,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    extra: Iterable[str] = (),
) -> str:
    """Everything a contact can be found by, folded, phones also as bare digits.

    `extra`: other texts to find the contact by (its nickname, job title, department).
    """
    phones = list(phones)
    parts = [name, full_name, company, *emails, *phones, *(digits(p) for p in phones), *extra]
    return " ".join(folded for folded in map(fold, parts) if folded)


def search_terms(text: str) -> list[str]:
    return [term for term in fold(text).split(" ") if term]


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(column: peewee.Field, pattern: str) -> peewee.Node:
    """column LIKE pattern, with backslash as the escape character on both databases."""
    return peewee.NodeList((column, peewee.SQL("LIKE"), pattern, peewee.SQL("ESCAPE '\\'")))


def _contains(column: peewee.Field, term: str) -> peewee.Node:
    return _like(column, f"%{_like_escape(term)}%")


def _prefix(column: peewee.Field, term: str, postgres: bool) -> peewee.Node:
    if postgres:
        # text_pattern_ops indexes serve LIKE 'x%' whatever the server's collation.
        return _like(column, _like_escape(term) + "%")
    # SQLite only uses an index for a LIKE prefix when LIKE is case sensitive; a range is
    # the same test and always uses the index.
    return (column >= term) & (column < term + "\U0010ffff")


def short_term_condition(term: str, postgres: bool) -> peewee.Expression:
    """A one- or two-character term: a prefix of the name, e-mail or phone digits."""
    condition = _prefix(Contact.name_key, term, postgres) | _prefix(
        Contact.primary_email, term, postgres
    )
    if term.isdigit():
        condition |= _prefix(Contact.phone_digits, term, postgres)
    return condition


def search_condition(text: str, postgres: bool) -> peewee.Expression | None:
    """The WHERE condition for a search box text: every term must match."""
    terms = search_terms(text)
    if not terms:
        return None
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    short_terms = [t for t in terms if len(t) < TRIGRAM]
    conditions: list[peewee.Expression] = []
    if long_terms:
        if postgres:
            # pg_trgm's GIN index answers LIKE '%term%' on the folded document.
            for term in long_terms:
                conditions.append(_contains(Contact.search_doc, term))
        else:
            query = " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
            matching = peewee.SQL(
                "(SELECT rowid FROM contact_fts WHERE contact_fts MATCH ?)", [query]
            )
            conditions.append(Contact.id.in_(matching))
        # Short terms beside long ones only narrow rows the index already found.
        for term in short_terms:
            conditions.append(_contains(Contact.search_doc, term))
    else:
        conditions.extend(short_term_condition(t, postgres) for t in short_terms)
    result = conditions[0]
    for condition in conditions[1:]:
        result &= condition
    return result
