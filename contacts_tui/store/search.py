"""Search text: folding, the per-contact search document, and the search condition."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

import peewee

from contacts_tui.store.database import insert_rows, is_postgres
from contacts_tui.store.models import Contact, ContactWord, database

# Trigram indexes (FTS5 trigram, pg_trgm) cannot find terms shorter than this.
TRIGRAM = 3

_NON_DIGITS = re.compile(r"\D+")
# A word: letters and digits; anything else ends it ("jo.smith@wayne.com" is four words).
_WORD = re.compile(r"[^\W_]+")
# Letters that are not a base letter plus an accent, so NFKD leaves them whole: without
# this `Łukasz` sorted after `Z` and `lukasz` did not find him. Applied after casefold.
_BASE_LETTERS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ŧ": "t",
        "ħ": "h",
        "ŋ": "n",
    }
)


def fold(text: str) -> str:
    """Lower case without accents, so that `jose` finds `José` on both databases."""
    if text.isascii():
        return " ".join(text.lower().split())
    return _fold_unicode(text)


class _WithoutMarks(dict[int, int | None]):
    """A str.translate table that deletes combining marks (accents after NFKD) and keeps
    every other character, filled as characters are first seen."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_WITHOUT_MARKS = _WithoutMarks()
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_marks(run: re.Match[str]) -> str:
    return run.group().translate(_WITHOUT_MARKS)


@functools.lru_cache(maxsize=4096)
def _fold_unicode(text: str) -> str:
    # Only the runs of non-ASCII characters are looked at (a name's accents, not the
    # whole search document: a Python call per character was most of an import's fold).
    stripped = _NOT_ASCII.sub(_without_marks, unicodedata.normalize("NFKD", text)).casefold()
    if not stripped.isascii():  # _BASE_LETTERS are not ASCII
        stripped = stripped.translate(_BASE_LETTERS)
    return " ".join(stripped.split())  # str.split's whitespace is the same as \s


def digits(text: str) -> str:
    # A stored number (E.164) is a plus and digits: sliced, not searched by a regex.
    if text[1:].isdecimal() and (text[:1] == "+" or text[:1].isdecimal()):
        return text[1:] if text[0] == "+" else text
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
    parts = [name, full_name, company, *emails, *phones, *map(digits, phones), *extra]
    # The same as the whole folded at once (fold works character by character and
    # collapses spaces). All ASCII (most contacts): folded at once, in three C calls.
    # Otherwise each part folded and the non-blank ones joined: the names and companies
    # that recur are folded once (fold's cache) and the ASCII parts (e-mails, numbers)
    # take its quick path: a demo's or an import's documents in a third the time.
    text = " ".join(parts)
    if text.isascii():
        return " ".join(text.lower().split())
    return " ".join(filter(None, map(fold, parts)))


def search_terms(text: str) -> list[str]:
    return [term for term in fold(text).split(" ") if term]


def split_terms(terms: list[str]) -> tuple[list[str], list[str]]:
    """(terms the trigram indexes find anywhere, word starts of one or two characters).

    A short term stands for the words in it: `+4` is the start of the number 447…, as
    the search document holds it. One without any letter or digit (`@`) stays as it is
    and finds nothing.
    """
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    starts: list[str] = []
    for term in terms:
        if len(term) < TRIGRAM:
            words = _WORD.findall(term)
            starts.extend(w for w in words or [term] if w not in starts)
    return long_terms, starts


def word_prefixes(document: str) -> set[str]:
    """The first one and two characters of every word of a (folded) search document."""
    words = _WORD.findall(document)
    return {word[:1] for word in words} | {word[:2] for word in words}


def write_word_index(documents: Iterable[tuple[int, str]], new: bool = False) -> None:
    """Write the `contact_word` rows of these (contact id, search document) pairs.

    Every writer of `contact.search_doc` calls this in the same transaction. `new`: the
    contacts were just inserted, so they have no rows yet to replace.
    """
    documents = list(documents)
    if not new:
        ids = [contact_id for contact_id, _ in documents]
        for start in range(0, len(ids), 500):  # SQLite's limit of bound parameters
            ContactWord.delete().where(ContactWord.contact.in_(ids[start : start + 500])).execute()
    insert_word_index((contact_id, word_prefixes(doc)) for contact_id, doc in documents)


def insert_word_index(prefixes: Iterable[tuple[int, Iterable[str]]]) -> None:
    """Write the `contact_word` rows of contacts that have none yet: (contact id, the
    `word_prefixes` of its search document)."""
    # In index order: each prefix's rows go in together, at the end of its range. Grouped
    # by prefix rather than sorted as pairs: an import's ids come in order, so each
    # group is sorted already (sorting a dozen pairs a contact was ~5 us of its write).
    by_prefix: defaultdict[str, list[int]] = defaultdict(list)
    for contact_id, starts in prefixes:
        for start in starts:
            by_prefix[start].append(contact_id)
    rows = [(p, i) for p in sorted(by_prefix) for i in sorted(by_prefix[p])]
    db = database.obj
    if is_postgres(db):
        insert_rows(db, "contact_word", ("prefix", "contact_id", "code"), coded_words(db, rows))
    else:
        insert_rows(db, "contact_word", ("prefix", "contact_id"), rows)


_COUNT_KEY = {
    **{
        c: f"c.{c}"
        for c in ("archived", "template", "stage", "status", "segmentation", "reason_code")
    },
    "missing": "CASE WHEN c.primary_email = '' OR c.primary_phone = '' THEN 1 ELSE 0 END",
}
"""count_key's columns (migration 0021) and their values from a contact row `c`."""


def coded_words(db: peewee.Database, rows: list[tuple[str, int]]) -> list[tuple[str, int, int]]:
    """PostgreSQL: `contact_word` rows (prefix, contact id) with their contact's count
    key code (migration 0021), for contacts already inserted.

    Looked up once per batch: the trigger that codes a row given without one costs
    ~30 µs a row, about what the rest of writing the row costs.
    """
    ids = sorted({contact_id for _, contact_id in rows})
    if not ids:
        return []
    # New combinations first (count_key_of adds them, under a lock), then each code.
    key = ", ".join(f"{value} AS {column}" for column, value in _COUNT_KEY.items())
    db.execute_sql(
        f"SELECT count_key_of({', '.join(f'c.{column}' for column in _COUNT_KEY)}) "
        f"FROM (SELECT DISTINCT {key} FROM contact c WHERE c.id = ANY(%s)) AS c",
        (ids,),
    )
    same = " AND ".join(f"k.{column} = {value}" for column, value in _COUNT_KEY.items())
    codes = dict(
        db.execute_sql(
            f"SELECT c.id, k.code FROM contact c JOIN count_key k ON {same} WHERE c.id = ANY(%s)",
            (ids,),
        )
    )
    return [(prefix, contact_id, codes[contact_id]) for prefix, contact_id in rows]


def word_rows(documents: Iterable[tuple[int, str]]) -> list[tuple[str, int]]:
    """The `contact_word` rows (prefix, contact id) of these (contact id, search document)
    pairs, in index order: each prefix's rows go in together, at the end of its range."""
    return sorted((p, contact_id) for contact_id, doc in documents for p in word_prefixes(doc))


def fts_query(long_terms: list[str]) -> str:
    """The FTS5 MATCH expression of terms of three characters or more: each, as a phrase."""
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)


def matching_ids(text: str, postgres: bool) -> list[peewee.Node] | None:
    """Subqueries of contact ids that each match the search (a contact matches when it
    is in all of them), read from the search indexes alone; None when the search needs
    the contact's own document (PostgreSQL's trigram terms, short terms beside long ones)
    or there is no search."""
    terms = search_terms(text)
    if not terms:
        return None
    long_terms, short_terms = split_terms(terms)
    if long_terms:
        if postgres or short_terms:
            return None
        query = fts_query(long_terms)
        return [peewee.SQL("(SELECT rowid FROM contact_fts WHERE contact_fts MATCH ?)", [query])]
    return [contacts_with_word_starting(t) for t in short_terms]


def has_word_starting(contact_id: peewee.Node, term: str) -> peewee.ColumnBase:
    """The contact has a word that starts with `term` (one or two characters): one
    look-up in `contact_word`'s primary key."""
    starting = ContactWord.select(peewee.SQL("1")).where(
        (ContactWord.prefix == term) & (ContactWord.contact == contact_id)
    )
    if is_postgres():
        # OFFSET 0 keeps PostgreSQL from turning the look-up into a join with all the
        # term's words: with a sample that put `jo` a little rarer it hashed all 86,787
        # (30 ms) to find a page's contacts among the first 1,828 of the sort (4 ms).
        starting = starting.offset(peewee.SQL("0"))
    return peewee.fn.EXISTS(starting)


def contacts_with_word_starting(term: str) -> peewee.Select:
    """The ids of the contacts that have a word starting with `term`, in id order."""
    return ContactWord.select(ContactWord.contact).where(ContactWord.prefix == term)


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(column: peewee.Field, pattern: str) -> peewee.ColumnBase:
    """column LIKE pattern, with backslash as the escape character on both databases."""
    return peewee.NodeList((column, peewee.SQL("LIKE"), pattern, peewee.SQL("ESCAPE '\\'")))


def _contains(column: peewee.Field, term: str) -> peewee.ColumnBase:
    return _like(column, f"%{_like_escape(term)}%")


def search_condition(text: str, postgres: bool) -> peewee.ColumnBase | None:
    """The WHERE condition for a search box text: every term must match.

    A term of three characters or more matches anywhere (the trigram indexes). Shorter
    terms alone match the start of a word (`contact_word`): `wa` finds Wayne Ltd and
    wade@example.com, not Howard.
    """
    terms = search_terms(text)
    if not terms:
        return None
    long_terms, short_terms = split_terms(terms)
    conditions: list[peewee.ColumnBase] = []
    if long_terms:
        if postgres:
            # pg_trgm's GIN index answers LIKE '%term%' on the folded document.
            for term in long_terms:
                conditions.append(_contains(Contact.search_doc, term))
        else:
            query = fts_query(long_terms)
            matching = peewee.SQL(
                "(SELECT rowid FROM contact_fts WHERE contact_fts MATCH ?)", [query]
            )
            conditions.append(Contact.id.in_(matching))
        # Short terms beside long ones only narrow rows the index already found, and
        # match anywhere: a number typed in groups ("+44 71") must still find +4471….
        conditions.extend(_contains(Contact.search_doc, t) for t in short_terms)
    else:
        conditions.extend(Contact.id.in_(contacts_with_word_starting(t)) for t in short_terms)
    result = conditions[0]
    for condition in conditions[1:]:
        result &= condition
    return result
