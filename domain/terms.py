"""Academic terms: "2026-spring", "2026-fall", two a year, and arithmetic on them.

Every partner of the network (Korea, China, Russia, Europe, the US) runs two semesters a year, so a
term is a year and a season. The calendar boundaries used here (spring from 1 February, fall from
1 August) only place a date in a term; they are not anyone's first day of classes. Summer and
winter sessions (Korea's 계절학기) are posted under the term they follow.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator


class Season(StrEnum):
    SPRING = "spring"
    FALL = "fall"


_SEASON_INDEX = {Season.SPRING: 0, Season.FALL: 1}
_ALIASES = {"spring": Season.SPRING, "fall": Season.FALL, "autumn": Season.FALL}


def parse_term(term: str) -> tuple[int, Season]:
    """(year, season) of a term, or a ValueError saying how to write one."""
    year_text, _, season_text = term.strip().lower().partition("-")
    season = _ALIASES.get(season_text)
    if season is None or not year_text.isdigit() or not 1900 <= int(year_text) <= 2199:
        raise ValueError(f"'{term}' is not a term; write it as YEAR-spring or YEAR-fall, e.g. 2026-fall")
    return int(year_text), season


def normalize_term(term: str) -> str:
    """The canonical spelling: '2026-Autumn' → '2026-fall'."""
    year, season = parse_term(term)
    return f"{year}-{season.value}"


Term = Annotated[str, AfterValidator(normalize_term)]
"""A term in a model: validated and stored in its canonical spelling."""


def term_index(term: str) -> int:
    """A number that orders terms: consecutive terms differ by one."""
    year, season = parse_term(term)
    return year * 2 + _SEASON_INDEX[season]


def term_from_index(index: int) -> str:
    year, half = divmod(index, 2)
    return f"{year}-{Season.SPRING.value if half == 0 else Season.FALL.value}"


def next_term(term: str, n: int = 1) -> str:
    """The term `n` terms after `term` (before it when `n` is negative): next_term('2026-fall') = '2027-spring'."""
    return term_from_index(term_index(term) + n)


def terms_between(start: str, end: str) -> int:
    """How many terms from `start` to `end`: 0 for the same term, 1 for the next, negative when `end` is earlier."""
    return term_index(end) - term_index(start)


def term_range(start: str, end: str) -> list[str]:
    """Every term from `start` to `end`, both included; empty when `end` is earlier."""
    return [term_from_index(i) for i in range(term_index(start), term_index(end) + 1)]


def term_of(d: date) -> str:
    """The term a date falls in: February–July is spring, August–January is fall (of the August's year)."""
    if d.month == 1:
        return f"{d.year - 1}-fall"
    return f"{d.year}-{'spring' if d.month < 8 else 'fall'}"


def term_start(term: str) -> date:
    """The first calendar day of a term (1 February or 1 August): the date rules in force for it are read on."""
    year, season = parse_term(term)
    return date(year, 2 if season is Season.SPRING else 8, 1)


def sort_terms(terms: list[str]) -> list[str]:
    return sorted(terms, key=term_index)
