"""The network's target: films released outside their origin countries, each counted once a year."""

import re
from datetime import date

import pytest
from pydantic import ValidationError

from domain.agreement_rules import Rejected
from domain.releases.rights import Media
from domain.releases.targets import FilmAbroad, ReleaseRecord, progress, released_abroad

T, S = Media.THEATRICAL, Media.STREAMING


def rec(film_id: str, country: str, on: date, origins: tuple[str, ...], platform: Media = T) -> ReleaseRecord:
    return ReleaseRecord(film_id=film_id, country=country, released_on=on, platform=platform, origin_countries=origins)


RECORDS = [
    # The Steppe Wind (KZ): at home, then in three countries abroad. Counts once.
    rec("steppe-wind", "KZ", date(2026, 9, 1), ("KZ",)),
    rec("steppe-wind", "RU", date(2026, 10, 2), ("KZ",)),
    rec("steppe-wind", "KR", date(2026, 11, 5), ("KZ",)),
    rec("steppe-wind", "UZ", date(2026, 11, 20), ("KZ",), S),
    # Paper Cranes (CN–RU): released in both origin countries only. Does not count.
    rec("paper-cranes", "CN", date(2026, 9, 15), ("CN", "RU")),
    rec("paper-cranes", "RU", date(2026, 9, 16), ("CN", "RU")),
    # Tunduk (KG): abroad on 31 December 2026 and again on 1 January 2027. Counts in both years.
    rec("tunduk", "KZ", date(2026, 12, 31), ("KG",), S),
    rec("tunduk", "RU", date(2027, 1, 1), ("KG",), S),
    # Signals (KR): abroad in 2027 only.
    rec("signals", "CN", date(2027, 3, 1), ("KR",), S),
    # Monsoon Letters (IN): abroad in 2026, on two media in the same country.
    rec("monsoon-letters", "KZ", date(2026, 7, 1), ("IN",)),
    rec("monsoon-letters", "KZ", date(2026, 8, 1), ("IN",), S),
]


def test_a_film_released_in_three_countries_counts_once_and_one_released_at_home_not_at_all() -> None:
    assert released_abroad(RECORDS, 2026) == [
        FilmAbroad(film_id="monsoon-letters", countries=("KZ",), first_released_on=date(2026, 7, 1)),
        FilmAbroad(film_id="steppe-wind", countries=("KR", "RU", "UZ"), first_released_on=date(2026, 10, 2)),
        FilmAbroad(film_id="tunduk", countries=("KZ",), first_released_on=date(2026, 12, 31)),
    ]


def test_the_year_boundary() -> None:
    assert [f.film_id for f in released_abroad(RECORDS, 2027)] == ["tunduk", "signals"]
    assert released_abroad(RECORDS, 2025) == []


def test_progress_against_the_target_of_five() -> None:
    p = progress(RECORDS, 2026)
    assert (p.year, p.target, p.achieved, p.met, p.remaining) == (2026, 5, 3, False, 2)
    assert p.by_country == {"KR": 1, "KZ": 2, "RU": 1, "UZ": 1}
    assert p.summary() == "2026: 3 of 5 films released abroad through the network; 2 to go."
    more = [*RECORDS, rec("signals", "UZ", date(2026, 12, 1), ("KR",)), rec("last-caravan", "TJ", date(2026, 10, 1), ("IR",))]
    assert progress(more, 2026).summary() == "2026: 5 of 5 films released abroad through the network; target met."
    assert progress(RECORDS, 2027, target=1).met
    with pytest.raises(Rejected, match=re.escape("A target is at least one film, not 0.")):
        progress(RECORDS, 2026, target=0)


def test_a_co_production_counts_only_outside_all_its_origin_countries() -> None:
    records = [
        rec("paper-cranes", "RU", date(2026, 9, 16), ("CN", "RU")),
        rec("paper-cranes", "KZ", date(2027, 1, 15), ("RU", "CN")),
    ]
    assert released_abroad(records, 2026) == []
    assert [f.countries for f in released_abroad(records, 2027)] == [("KZ",)]


def test_records_that_disagree_on_a_films_origin_are_refused() -> None:
    bad = [*RECORDS, rec("steppe-wind", "KG", date(2026, 12, 1), ("KZ", "RU"))]
    with pytest.raises(Rejected) as e:
        progress(bad, 2026)
    assert str(e.value) == (
        "Film steppe-wind is recorded with origin countries KZ in one release and KZ, RU in another;"
        " correct the film's origin countries before counting."
    )


def test_malformed_release_records_are_refused() -> None:
    with pytest.raises(ValidationError, match="'XX' is not the ISO 3166 code of a network country"):
        rec("tunduk", "XX", date(2026, 1, 1), ("KG",))
    with pytest.raises(ValidationError, match="at least 1 item"):
        rec("tunduk", "KZ", date(2026, 1, 1), ())
    with pytest.raises(ValidationError, match="Input should be 'theatrical', 'streaming' or 'tv'"):
        ReleaseRecord.model_validate(
            {"film_id": "tunduk", "country": "KZ", "released_on": "2026-01-01", "platform": "dvd", "origin_countries": ["KG"]}
        )
