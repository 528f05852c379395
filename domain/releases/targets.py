"""The network's target: films released outside their origin countries, counted per year.

The network committed to at least five films released internationally by the end of 2026. What
counts is a *film*, not a release: a Kazakh film released in Russia, Korea and Uzbekistan counts
once, since the commitment is about how many films cross borders, not how many screens they reach.
A release in one of the film's own origin countries does not count (for a China–Russia
co-production, neither China nor Russia is abroad). A film counts in the year of a release abroad
by the date of release; a film released abroad in December 2026 and again in January 2027 counts
in both years, because each year's figure answers "which films crossed a border this year".

Records come from confirmed releases (the release step of each country's process), so they are
network releases by construction. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.agreement_rules import Rejected
from domain.grants.applications import CountryCode
from domain.parties import ID_PATTERN
from domain.releases.rights import Media

NETWORK_TARGET = 5
"""Films released outside their origin countries by the end of 2026."""


class ReleaseRecord(BaseModel):
    """A confirmed release of a film in one country, on one medium, on a date."""

    model_config = ConfigDict(frozen=True)

    film_id: str = Field(pattern=ID_PATTERN)
    country: CountryCode
    released_on: date
    platform: Media = Field(description="The medium of the release: in cinemas, on a streaming service, on TV")
    origin_countries: tuple[CountryCode, ...] = Field(min_length=1, description="The film's, copied so a record stands alone")
    deal_id: str | None = Field(default=None, pattern=ID_PATTERN, description="The licence it was released under")

    @field_validator("origin_countries")
    @classmethod
    def _origins(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(v)))

    @property
    def abroad(self) -> bool:
        return self.country not in self.origin_countries


class FilmAbroad(BaseModel):
    """A film released abroad in a year: where, and when first."""

    model_config = ConfigDict(frozen=True)

    film_id: str
    countries: tuple[str, ...] = Field(description="Countries outside its origin where it was released that year, sorted")
    first_released_on: date


def _check_origins(records: Iterable[ReleaseRecord]) -> None:
    seen: dict[str, tuple[str, ...]] = {}
    for r in records:
        known = seen.setdefault(r.film_id, r.origin_countries)
        if known != r.origin_countries:
            raise Rejected(
                f"Film {r.film_id} is recorded with origin countries {', '.join(known)} in one release and"
                f" {', '.join(r.origin_countries)} in another; correct the film's origin countries before counting."
            )


def released_abroad(records: Iterable[ReleaseRecord], year: int) -> list[FilmAbroad]:
    """The films with at least one release outside their origin countries in `year`, each once.

    Ordered by first release abroad that year, then film id. Records whose origin countries
    disagree for the same film are refused: counting them would depend on which record came first.
    """
    records = list(records)
    _check_origins(records)
    by_film: dict[str, list[ReleaseRecord]] = {}
    for r in records:
        if r.released_on.year == year and r.abroad:
            by_film.setdefault(r.film_id, []).append(r)
    out = [
        FilmAbroad(
            film_id=film_id,
            countries=tuple(sorted({r.country for r in rs})),
            first_released_on=min(r.released_on for r in rs),
        )
        for film_id, rs in by_film.items()
    ]
    return sorted(out, key=lambda f: (f.first_released_on, f.film_id))


class TargetProgress(BaseModel):
    """A year's count of films released abroad against the network's target."""

    model_config = ConfigDict(frozen=True)

    year: int
    target: int
    achieved: int
    films: tuple[FilmAbroad, ...]
    by_country: dict[str, int] = Field(description="Country → films released there (from abroad) that year, sorted by code")

    @property
    def met(self) -> bool:
        return self.achieved >= self.target

    @property
    def remaining(self) -> int:
        return max(self.target - self.achieved, 0)

    def summary(self) -> str:
        """'2026: 3 of 5 films released abroad through the network; 2 to go.'"""
        films = "film" if self.achieved == 1 else "films"
        state = "target met" if self.met else f"{self.remaining} to go"
        return f"{self.year}: {self.achieved} of {self.target} {films} released abroad through the network; {state}."


def progress(records: Iterable[ReleaseRecord], year: int, target: int = NETWORK_TARGET) -> TargetProgress:
    """How far the network is in `year`: films released abroad, and in how many films each country took part."""
    if target < 1:
        raise Rejected(f"A target is at least one film, not {target}.")
    films = released_abroad(records, year)
    by_country: dict[str, int] = {}
    for f in films:
        for c in f.countries:
            by_country[c] = by_country.get(c, 0) + 1
    return TargetProgress(
        year=year,
        target=target,
        achieved=len(films),
        films=tuple(films),
        by_country=dict(sorted(by_country.items())),
    )
