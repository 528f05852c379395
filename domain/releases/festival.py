"""The SCO Film Festival: editions, sections, award categories, films and the jury's awards.

An edition (e.g. `sco-2026`, Qingdao) runs a few sections: the main competition, short films,
children's films and the Youth AI Film Competition. Each award category belongs to exactly one
section, so a short film cannot win Best Film and a feature cannot win Most Innovative Use of AI:
the jury of a section awards that section's prizes only. A category is awarded once per edition
unless it may be shared (*ex aequo*, as a jury prize often is).

A film is selected for one edition and one section (`edition_id`, `section`): the festival's
premiere rules make a second selection the exception, and a film shown again later is entered
again under a new id. Its origin countries are the network countries of its production (a
co-production has several); they decide what counts as a release *abroad* (`targets`).

An award is what starts the release process, so `check_award` refuses, with a sentence the
festival office can act on, anything that would send a wrong recommendation to a dozen countries:
an unknown film, a film of another edition, a category of another section, a second winner of an
unshared category, a date outside the festival.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.agreement_rules import Rejected
from domain.grants.applications import CountryCode
from domain.grants.rubric import names_with_en
from domain.parties import ID_PATTERN
from domain.reference import COUNTRIES, NetworkStatus

SHORT_MAX_MINUTES = 40
"""The usual festival (and Academy) definition of a short film: 40 minutes or less, credits included."""

MAX_FESTIVAL_DAYS = 30
LANGUAGE_PATTERN = r"^[a-z]{2,3}$"
"""ISO 639-1 (or 639-3) codes: a film may be in Tajik, Kyrgyz or Urdu, beyond the interface languages of `reference`."""


# ------------------------------------------------------------------------- EIDR

EIDR_PREFIX = "10.5240/"
_EIDR = re.compile(r"^10\.5240/([0-9A-F]{4})-([0-9A-F]{4})-([0-9A-F]{4})-([0-9A-F]{4})-([0-9A-F]{4})-([0-9A-Z])$")
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def eidr_check_character(hex_digits: str) -> str:
    """The ISO 7064 Mod 37,36 check character of an EIDR id's 20 hexadecimal digits (dashes left out).

    EIDR computes it over the suffix only, not the `10.5240` prefix: "7EC7228A510A053ECBB8" → "J"
    (`10.5240/7EC7-228A-510A-053E-CBB8-J`, the example EIDR and schema.org give).
    """
    m = 36
    p = m
    for ch in hex_digits.upper():
        s = (p + _BASE36.index(ch)) % m or m
        p = (2 * s) % (m + 1)
    return _BASE36[(m + 1 - p) % m]


def check_eidr(value: str) -> str:
    """An EIDR content id, upper-cased, with its check character verified; else a ValueError saying what is wrong.

    The check character catches a mistyped or swapped digit before the id reaches a distributor's
    delivery system, where a wrong id silently points at another film.
    """
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not an EIDR id")
    v = value.strip().upper()
    m = _EIDR.match(v)
    if m is None:
        raise ValueError(
            f"'{value}' is not an EIDR id; an EIDR id reads 10.5240/XXXX-XXXX-XXXX-XXXX-XXXX-C"
            " (five groups of four hexadecimal digits, then a check character)"
        )
    expected = eidr_check_character("".join(m.groups()[:5]))
    if m.group(6) != expected:
        raise ValueError(
            f"'{value}' is not a valid EIDR id: its check character should be {expected}, not {m.group(6)};"
            " a digit was probably mistyped"
        )
    return v


EidrId = Annotated[str, AfterValidator(check_eidr)]


# ------------------------------------------------------------------------- sections and categories


class SectionKind(StrEnum):
    COMPETITION = "competition"  # feature films, the main competition
    SHORT_FILMS = "short_films"
    CHILDRENS_FILMS = "childrens_films"
    YOUTH_AI = "youth_ai"  # the Youth AI Film Competition


SECTION_NAMES: dict[SectionKind, str] = {
    SectionKind.COMPETITION: "main competition",
    SectionKind.SHORT_FILMS: "short films section",
    SectionKind.CHILDRENS_FILMS: "children's films section",
    SectionKind.YOUTH_AI: "Youth AI Film Competition",
}


class AwardCategory(BaseModel):
    """A prize a section's jury awards, e.g. Best Film (main competition) or Technical Excellence (Youth AI)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    names: dict[str, str]
    section: SectionKind
    ex_aequo: bool = Field(default=False, description="May be shared: awarded to more than one film in an edition")

    _n = field_validator("names")(classmethod(lambda cls, v: names_with_en(v, "an award category's name")))

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


def _cat(id_: str, section: SectionKind, en: str, ru: str, zh: str, *, ex_aequo: bool = False) -> AwardCategory:
    return AwardCategory(id=id_, names={"en": en, "ru": ru, "zh": zh}, section=section, ex_aequo=ex_aequo)


C, S, K, Y = SectionKind.COMPETITION, SectionKind.SHORT_FILMS, SectionKind.CHILDRENS_FILMS, SectionKind.YOUTH_AI

CATEGORIES: dict[str, AwardCategory] = {
    c.id: c
    for c in [
        _cat("best_film", C, "Best Film", "Лучший фильм", "最佳影片"),
        _cat("best_director", C, "Best Director", "Лучшая режиссура", "最佳导演"),
        _cat("best_actress", C, "Best Actress", "Лучшая женская роль", "最佳女演员"),
        _cat("best_actor", C, "Best Actor", "Лучшая мужская роль", "最佳男演员"),
        _cat("best_screenplay", C, "Best Screenplay", "Лучший сценарий", "最佳编剧"),
        _cat("jury_prize", C, "Special Jury Prize", "Специальный приз жюри", "评委会特别奖", ex_aequo=True),
        _cat("best_short", S, "Best Short Film", "Лучший короткометражный фильм", "最佳短片"),
        _cat("best_childrens_film", K, "Best Children's Film", "Лучший детский фильм", "最佳儿童影片"),
        _cat("most_innovative_ai", Y, "Most Innovative Use of AI", "Самое новаторское использование ИИ", "最具创新AI应用奖"),
        _cat("best_story_ai_assisted", Y, "Best Story (AI-assisted)", "Лучшая история (с помощью ИИ)", "最佳故事奖(AI辅助)"),
        _cat("technical_excellence", Y, "Technical Excellence", "Техническое совершенство", "最佳技术奖"),
    ]
}
"""The festival's standard categories; an edition may use them or define its own."""

YOUTH_AI_CATEGORIES = ("most_innovative_ai", "best_story_ai_assisted", "technical_excellence")


def standard_categories(sections: Iterable[SectionKind]) -> tuple[AwardCategory, ...]:
    """The standard categories of these sections, in the order of `CATEGORIES`."""
    wanted = set(sections)
    return tuple(c for c in CATEGORIES.values() if c.section in wanted)


# ------------------------------------------------------------------------- editions


class Edition(BaseModel):
    """One year's festival: where and when, its sections and the categories its juries award.

    Categories default to the standard ones of the edition's sections, so an edition that adds the
    Youth AI competition gets its three categories without listing them.
    """

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN, description="e.g. sco-2026")
    year: int = Field(ge=2000, le=2100)
    city: str = Field(min_length=1, max_length=100)
    country: CountryCode
    opens_on: date
    closes_on: date
    sections: tuple[SectionKind, ...] = Field(min_length=1)
    categories: tuple[AwardCategory, ...] = Field(default=(), description="Empty: the standard ones of its sections")
    names: dict[str, str] = Field(
        default_factory=dict, description="Optional title by language; 'SCO Film Festival 2026' if none"
    )

    @model_validator(mode="before")
    @classmethod
    def _default_categories(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("categories"):
            try:
                sections = [SectionKind(s) for s in data.get("sections") or ()]
            except ValueError:
                return data  # the field validator names the unknown section
            return {**data, "categories": standard_categories(sections)}
        return data

    @field_validator("names")
    @classmethod
    def _names(cls, v: dict[str, str]) -> dict[str, str]:
        return names_with_en(v, "an edition's name") if v else v

    @model_validator(mode="after")
    def _coherent(self) -> Edition:
        problems: list[str] = []
        if self.opens_on.year != self.year:
            problems.append(f"the {self.year} edition cannot open on {self.opens_on.isoformat()}")
        if self.closes_on < self.opens_on:
            problems.append(f"the festival closes ({self.closes_on.isoformat()}) before it opens ({self.opens_on.isoformat()})")
        elif (self.closes_on - self.opens_on).days >= MAX_FESTIVAL_DAYS:
            problems.append(f"a festival of more than {MAX_FESTIVAL_DAYS} days is not plausible; check the dates")
        if len(set(self.sections)) != len(self.sections):
            problems.append("a section is listed twice")
        ids = [c.id for c in self.categories]
        problems += [f"the category {i} is listed twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
        problems += [
            f"the category {c.id} belongs to the {SECTION_NAMES[c.section]}, which this edition does not have"
            for c in self.categories
            if c.section not in self.sections
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names.get("en") or f"SCO Film Festival {self.year}"

    def category(self, category_id: str) -> AwardCategory:
        found = next((c for c in self.categories if c.id == category_id), None)
        if found is None:
            raise Rejected(
                f"'{category_id}' is not an award category of the {self.name()}; its categories are "
                + ", ".join(c.id for c in self.categories)
                + "."
            )
        return found


# ------------------------------------------------------------------------- films


class RightsHolder(BaseModel):
    """Who holds a film's distribution rights and licenses them: a producer, sales agent or film body."""

    model_config = ConfigDict(frozen=True)

    organisation_id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=300)
    country: CountryCode


class Film(BaseModel):
    """A film selected for an edition's section, with what the release process needs to know of it."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    edition_id: str = Field(pattern=ID_PATTERN, description="The edition whose programme it is in")
    section: SectionKind
    original_title: str = Field(min_length=1, max_length=300)
    english_title: str = Field(min_length=1, max_length=300)
    origin_countries: tuple[CountryCode, ...] = Field(min_length=1, max_length=10, description="Network countries of production")
    rights_holder: RightsHolder
    runtime_minutes: int = Field(gt=0, le=1200)
    languages: tuple[str, ...] = Field(min_length=1, description="Spoken languages, ISO 639 codes: ru, kk, ko…")
    eidr_id: EidrId | None = None
    year: int = Field(ge=1895, le=2100, description="Year of completion")

    @field_validator("original_title", "english_title")
    @classmethod
    def _title(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a title cannot be blank")
        return v.strip()

    @field_validator("origin_countries")
    @classmethod
    def _origins(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if twice := sorted({c for c in v if v.count(c) > 1}):
            raise ValueError(f"origin country {', '.join(twice)} is listed twice")
        return v

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        out = tuple(x.strip().lower() for x in v)
        for lang in out:
            if not re.match(LANGUAGE_PATTERN, lang):
                raise ValueError(f"'{lang}' is not an ISO 639 language code (such as en, ru, zh, kk, ko)")
        return tuple(dict.fromkeys(out))

    @model_validator(mode="after")
    def _short(self) -> Film:
        if self.section is SectionKind.SHORT_FILMS and self.runtime_minutes > SHORT_MAX_MINUTES:
            raise ValueError(
                f"a film in the short films section runs {SHORT_MAX_MINUTES} minutes at most; "
                f"“{self.english_title}” runs {self.runtime_minutes}"
            )
        return self

    def title(self) -> str:
        """“English title” (original title), or the one title when they are the same."""
        if self.original_title == self.english_title:
            return f"“{self.english_title}”"
        return f"“{self.english_title}” ({self.original_title})"


# ------------------------------------------------------------------------- awards


class JuryAward(BaseModel):
    """A jury's award to a film: the event that starts its release across the network."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    edition_id: str = Field(pattern=ID_PATTERN)
    film_id: str = Field(pattern=ID_PATTERN)
    category_id: str = Field(pattern=ID_PATTERN)
    jury_note: str = Field(default="", max_length=2000, description="The jury's citation, read at the ceremony")
    awarded_on: date


def error_lines(error: ValidationError) -> list[str]:
    """A pydantic error as lines a person can act on: 'fee: an amount cannot be negative (-1)'."""
    errors = error.errors()
    item_failed = {tuple(e["loc"][:-1]) for e in errors if e["loc"] and isinstance(e["loc"][-1], int)}
    out: list[str] = []
    for e in errors:
        if e["type"] == "too_short" and tuple(e["loc"]) in item_failed:
            continue  # "should have at least 1 item" only because an item was refused: that one says why
        where = ".".join(str(p) for p in e["loc"])
        msg = str(e["msg"]).removeprefix("Value error, ")
        out.append(f"{where}: {msg}" if where else msg)
    return list(dict.fromkeys(out))


def parse_award(data: Any) -> JuryAward:
    """A `JuryAward` from submitted data, or `Rejected` listing every field that is wrong."""
    try:
        return JuryAward.model_validate(data)
    except ValidationError as e:
        raise Rejected("The award cannot be recorded: " + "; ".join(error_lines(e)) + ".") from None


def parse_film(data: Any) -> Film:
    """A `Film` from submitted data, or `Rejected` listing every field that is wrong."""
    try:
        return Film.model_validate(data)
    except ValidationError as e:
        raise Rejected("The film cannot be recorded: " + "; ".join(error_lines(e)) + ".") from None


def check_award(
    edition: Edition,
    films: Sequence[Film],
    award: JuryAward | Sequence[JuryAward],
    awarded: Sequence[JuryAward] | JuryAward = (),
) -> None:
    """Refuse an award that cannot stand, with a sentence the festival office can act on.

    `films` are the films known to the festival (of any edition); `awarded` are the awards already
    recorded. Recording the very same award again is accepted (a retried step), so the caller can
    treat the check as idempotent; a different award under an id already used is refused.

    Also callable as `check_award(edition, films, awarded, award)` (the recorded awards first, as
    the festival workflow calls it): the two are told apart by type, so neither order can check
    the wrong thing.
    """
    if not isinstance(award, JuryAward):
        if not isinstance(awarded, JuryAward):
            raise TypeError("check_award needs the award to check (a JuryAward) and the awards already recorded")
        award, awarded = awarded, award
    assert not isinstance(awarded, JuryAward)
    if award.edition_id != edition.id:
        raise Rejected(f"Award {award.id} is for edition {award.edition_id}, not for the {edition.name()} ({edition.id}).")
    same_id = next((a for a in awarded if a.id == award.id), None)
    if same_id is not None:
        if same_id == award:
            return
        raise Rejected(
            f"Award {award.id} is already recorded (to {same_id.film_id} for {same_id.category_id});"
            " give a corrected award a new id, or withdraw the recorded one first."
        )
    category = edition.category(award.category_id)
    film = next((f for f in films if f.id == award.film_id), None)
    if film is None:
        raise Rejected(f"There is no film '{award.film_id}' in the festival's records; check the film id of award {award.id}.")
    if film.edition_id != edition.id:
        raise Rejected(
            f"{film.title()} is in the programme of edition {film.edition_id}, not of the {edition.name()};"
            " only films of this edition can receive its awards."
        )
    if film.section not in edition.sections:
        raise Rejected(
            f"{film.title()} is entered in the {SECTION_NAMES[film.section]}, which the {edition.name()} does not have."
        )
    if category.section is not film.section:
        raise Rejected(
            f"{category.name()} is awarded in the {SECTION_NAMES[category.section]}, but {film.title()}"
            f" is in the {SECTION_NAMES[film.section]}."
        )
    if film.year > edition.year:
        raise Rejected(f"{film.title()} is recorded as completed in {film.year}, after the {edition.name()}; check its year.")
    if not edition.opens_on <= award.awarded_on <= edition.closes_on:
        raise Rejected(
            f"The {edition.name()} runs from {edition.opens_on.isoformat()} to {edition.closes_on.isoformat()};"
            f" award {award.id} is dated {award.awarded_on.isoformat()}. Date it on the day the jury announced it."
        )
    for other in awarded:
        if other.edition_id != edition.id or other.category_id != category.id:
            continue
        if other.film_id == film.id:
            raise Rejected(f"{film.title()} already received {category.name()} of the {edition.name()} (award {other.id}).")
        if not category.ex_aequo:
            winner = next((f.title() for f in films if f.id == other.film_id), other.film_id)
            raise Rejected(
                f"{category.name()} of the {edition.name()} already went to {winner} with award {other.id};"
                " it is awarded once, as it cannot be shared ex aequo."
            )


# ------------------------------------------------------------------------- recommendation


def member_countries_for(film: Film, *, include_origin: bool = False) -> list[str]:
    """The countries an award's release recommendation goes to: every SCO member state and Korea, sorted.

    Origin countries are left out by default. The recommendation asks a country to take the film
    up *from abroad*: classify a foreign film, grant an import-quota exception, subsidise its
    dubbing, license it to a distributor. At home the rights holder releases the film under the
    national rules anyway, and such a release does not count toward the network's target (films
    released *outside* their origin countries), so a recommendation there would open a process
    that can only add work. Pass `include_origin=True` where an origin country asks to run the
    network's path too (e.g. for a wider re-release after the award).

    Observers and dialogue partners are not sent recommendations: the network's release
    commitments bind its members and its partner, Korea.
    """
    targets = {c.code for c in COUNTRIES.values() if c.status in (NetworkStatus.MEMBER, NetworkStatus.PARTNER)}
    if not include_origin:
        targets -= set(film.origin_countries)
    return sorted(targets)
