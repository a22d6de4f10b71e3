"""The search document: its parts folded one by one read the same as the whole folded."""

import random
import re

from contacts_tui.store.search import digits, fold, search_document


def whole_folded(name, full_name, company, emails, phones, extra):
    """The document as it was made before: the parts joined, then folded at once."""
    parts = [name, full_name, company, *emails, *phones, *(digits(p) for p in phones), *extra]
    return fold(" ".join(parts))


def test_a_document_reads_as_its_whole_text_folded():
    assert (
        search_document(
            "José  Ñúñez", "", "Łódź Ltd", ["Jose.Nunez@Example.com"], ["+44 7550 217244"]
        )
        == "jose nunez lodz ltd jose.nunez@example.com +44 7550 217244 447550217244"
    )


def test_parts_folded_one_by_one_equal_the_whole_folded():
    # Combining marks at the start of a part, blank parts, every kind of space, letters
    # whose case folding grows (ß, İ) or that have no base letter (Ł, ø), ligatures.
    alphabet = "aZ é\u0301\u00a0\x1c\x1f\t\nßŁøİıﬁ①Ａ\u2003\u202e\x85x"
    rng = random.Random(3)
    for _ in range(5000):
        texts = ["".join(rng.choices(alphabet, k=rng.randrange(6))) for _ in range(6)]
        name, full_name, company, email, phone, extra = texts
        args = (name, full_name, company, [email], [phone], [extra])
        assert search_document(*args) == whole_folded(*args), texts


def test_digits_of_any_text_are_its_decimal_digits():
    # A stored number's quick path (a plus and digits) and every other text agree.
    alphabet = "+0123456789 -()x٣①²Ａ"
    rng = random.Random(5)
    texts = ["", "+", "+44", "447550", "+447550217244", "+٣٣", "٣4", "+4 4", "4+4"]
    texts += ["".join(rng.choices(alphabet, k=rng.randrange(8))) for _ in range(3000)]
    for text in texts:
        assert digits(text) == re.sub(r"\D+", "", text), text
