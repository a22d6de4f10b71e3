"""Search folding: lower case without accents, the same for stored documents and terms.

Documents already stored were folded by the first definition (NFKD, every combining
mark dropped, casefold, the base letters, spaces collapsed): a faster fold must give
exactly that, or saved contacts stop being found."""

from __future__ import annotations

import re
import unicodedata

from contacts_tui.store import search


def folded_one_character_at_a_time(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = stripped.casefold().translate(search._BASE_LETTERS)
    return re.sub(r"\s+", " ", folded).strip()


def test_fold_is_the_first_definition_for_every_character_of_the_common_scripts():
    every = "".join(chr(c) for c in range(0x20, 0x3100))
    for start in range(0, len(every), 101):  # each chunk a text of mixed scripts
        chunk = every[start : start + 101]
        assert search.fold(chunk) == folded_one_character_at_a_time(chunk), chunk


def test_fold_of_names_addresses_and_spaces():
    for text in [
        "José Müller",
        "  Łukasz   Żółć\u00a0Straße ",
        "山田 太郎",
        "Ærø Œuvre ﬁne ①",
        "Chloé\tDupont\nchloe.dupont@example.com +33 1 23 45 67 89",
        "ǅemal İstanbul",
        "",
    ]:
        assert search.fold(text) == folded_one_character_at_a_time(text), text
    assert search.fold("José Müller") == "jose muller"
    assert search.fold("Łukasz") == "lukasz"
