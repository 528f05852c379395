"""Term arithmetic: two terms a year."""

from datetime import date

import pytest
from pydantic import BaseModel

from domain.terms import Term, next_term, normalize_term, term_of, term_range, term_start, terms_between


def test_next_and_previous_terms() -> None:
    assert next_term("2026-spring") == "2026-fall"
    assert next_term("2026-fall") == "2027-spring"
    assert next_term("2026-fall", 3) == "2028-spring"
    assert next_term("2026-spring", -1) == "2025-fall"


def test_terms_between_and_ranges() -> None:
    assert terms_between("2026-spring", "2026-spring") == 0
    assert terms_between("2026-spring", "2027-fall") == 3
    assert terms_between("2027-fall", "2026-spring") == -3
    assert term_range("2026-fall", "2027-fall") == ["2026-fall", "2027-spring", "2027-fall"]


def test_dates_fall_in_terms() -> None:
    assert term_of(date(2026, 3, 2)) == "2026-spring"  # Korea's first day of classes
    assert term_of(date(2026, 9, 1)) == "2026-fall"
    assert term_of(date(2027, 1, 15)) == "2026-fall"  # the Russian winter exam session
    assert term_start("2026-fall") == date(2026, 8, 1)


def test_spelling_is_normalised_and_nonsense_refused() -> None:
    assert normalize_term(" 2026-Autumn ") == "2026-fall"

    class M(BaseModel):
        term: Term

    assert M(term="2026-FALL").term == "2026-fall"
    with pytest.raises(ValueError, match="write it as YEAR-spring or YEAR-fall"):
        M(term="fall 2026")
