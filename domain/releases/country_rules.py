"""Each country's regulatory path for releasing a foreign film, as the release workflows run it.

Every country of a recommendation (the SCO member states and Korea) classifies a film before it
can be shown; some approve a film without age ratings (China, Iran), the others rate it on their
own scale. Some admit foreign films only through an import quota, so a recommended film needs an
exception (China and Iran here). Some support dubbing or subtitling into the national language(s)
with a subsidy up to a maximum. Each step has a due time in days from the moment it opens (the
network's expedited path for award-winning films), after which the liaison is reminded.

These tables are the network's **configuration**, plausible simplifications agreed for the
workflows, not legal advice: authorities reorganise, scales change and quotas are renegotiated.
Changing a country's row changes the path of releases started afterwards only, because a workflow
keeps the `CountryRules` it started with in its input.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.agreement_rules import Rejected
from domain.grants.applications import CountryCode
from domain.grants.money import Currency, PositiveAmount, format_money
from domain.reference import COUNTRIES, NetworkStatus
from domain.releases.festival import LANGUAGE_PATTERN, Film

APPROVED = "approved"
"""The one outcome on the 'scale' of a country that approves films without age ratings."""


class Step(StrEnum):
    ACKNOWLEDGE = "acknowledge"  # the country's liaison acknowledges the recommendation
    CLASSIFICATION = "classification"
    QUOTA = "quota"  # an import-quota exception, where one is needed
    SUBSIDY = "subsidy"  # a dubbing/subtitling subsidy, where one exists and is wanted
    LICENCE = "licence"  # a licence with a distributor, signed through the agreement engine
    SCHEDULING = "scheduling"  # the release date and venues or platform
    RELEASE = "release"  # the release itself, confirmed


STEP_ORDER = tuple(Step)

EXPEDITED_DUE_DAYS: dict[Step, int] = {
    Step.ACKNOWLEDGE: 5,
    Step.CLASSIFICATION: 20,
    Step.QUOTA: 20,
    Step.SUBSIDY: 15,
    Step.LICENCE: 30,
    Step.SCHEDULING: 30,
    Step.RELEASE: 60,
}
"""Days each step may take on the network's expedited path for award-winning films."""


class CountryRules(BaseModel):
    """One country's path for a foreign film: who classifies, on which scale, quota, subsidy, due days."""

    model_config = ConfigDict(frozen=True)

    country: CountryCode
    classification_authority: str = Field(min_length=1, max_length=300)
    ratings: tuple[str, ...] = Field(default=(), description="The rating scale, youngest first; empty: approval without ratings")
    quota_exception_required: bool = Field(default=False, description="A foreign film needs an import-quota exception")
    subsidy_available: bool = Field(default=False, description="A dubbing/subtitling subsidy exists for foreign films")
    subsidy_body: str = Field(default="", max_length=300, description="Who grants it")
    subsidy_max: PositiveAmount | None = Field(default=None, description="Per film; None: decided case by case")
    subsidy_currency: Currency | None = None
    release_languages: tuple[str, ...] = Field(min_length=1, description="Languages a release must be dubbed or subtitled in")
    due_days: dict[Step, int] = Field(default_factory=lambda: dict(EXPEDITED_DUE_DAYS))

    @field_validator("ratings")
    @classmethod
    def _ratings(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if twice := sorted({r for r in v if v.count(r) > 1}):
            raise ValueError(f"rating {', '.join(twice)} is listed twice")
        if any(not r.strip() for r in v):
            raise ValueError("a rating cannot be blank")
        return v

    @field_validator("release_languages")
    @classmethod
    def _languages(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for lang in v:
            if not re.match(LANGUAGE_PATTERN, lang):
                raise ValueError(f"'{lang}' is not an ISO 639 language code")
        return v

    @model_validator(mode="after")
    def _coherent(self) -> CountryRules:
        if self.subsidy_available and self.subsidy_max is not None and self.subsidy_currency is None:
            raise ValueError("give the currency of the subsidy's maximum")
        if not self.subsidy_available and (self.subsidy_max is not None or self.subsidy_body):
            raise ValueError("a country without a subsidy has no subsidy body or maximum; set subsidy_available")
        if missing := [s.value for s in STEP_ORDER if s not in self.due_days]:
            raise ValueError(f"give the due days of every step; missing: {', '.join(missing)}")
        if bad := [s.value for s, d in self.due_days.items() if not 1 <= d <= 365]:
            raise ValueError(f"due days are 1 to 365; check {', '.join(bad)}")
        return self

    @property
    def name(self) -> str:
        return COUNTRIES[self.country].name()

    @property
    def scale(self) -> tuple[str, ...]:
        """The ratings a decision may give: the country's scale, or just 'approved'."""
        return self.ratings or (APPROVED,)

    @property
    def subsidy_maximum(self) -> str | None:
        """'15,000,000.00 KZT', or None without a fixed maximum."""
        if self.subsidy_max is None or self.subsidy_currency is None:
            return None
        return format_money(self.subsidy_max, self.subsidy_currency)

    def due_on(self, step: Step, opened_on: date) -> date:
        """When a step opened on `opened_on` falls due."""
        return opened_on + timedelta(days=self.due_days[step])


def check_rating(rules: CountryRules, rating: str) -> str:
    """The rating as the scale spells it (case aside), or `Rejected` listing the scale."""
    found = next((r for r in rules.scale if r.casefold() == rating.strip().casefold()), None)
    if found is None:
        if not rules.ratings:
            raise Rejected(
                f"{rules.classification_authority} approves films for release in {rules.name} without age ratings;"
                f" record the decision as '{APPROVED}', not '{rating}'."
            )
        raise Rejected(
            f"'{rating}' is not a rating of {rules.classification_authority} ({rules.name});"
            f" its ratings are {', '.join(rules.ratings)}."
        )
    return found


def languages_to_add(rules: CountryRules, film: Film) -> list[str]:
    """The country's release languages the film is not in: what dubbing or subtitles must provide."""
    return [lang for lang in rules.release_languages if lang not in film.languages]


def steps_for(rules: CountryRules, film: Film) -> list[Step]:
    """The steps a film's release runs in the country, in order.

    The quota step only where the country requires an exception; the subsidy step only where a
    subsidy exists and the film needs dubbing or subtitles there (the distributor may still decline it).
    """
    skip = set()
    if not rules.quota_exception_required:
        skip.add(Step.QUOTA)
    if not rules.subsidy_available or not languages_to_add(rules, film):
        skip.add(Step.SUBSIDY)
    return [s for s in STEP_ORDER if s not in skip]


# ------------------------------------------------------------------------- the network's configuration

RU_SCALE = ("0+", "6+", "12+", "16+", "18+")


def _r(
    country: str,
    authority: str,
    ratings: tuple[str, ...],
    languages: tuple[str, ...],
    *,
    quota: bool = False,
    subsidy: tuple[str, str, str] | None = None,
) -> CountryRules:
    return CountryRules(
        country=country,
        classification_authority=authority,
        ratings=ratings,
        quota_exception_required=quota,
        subsidy_available=subsidy is not None,
        subsidy_body=subsidy[0] if subsidy else "",
        subsidy_max=subsidy[1] if subsidy else None,
        subsidy_currency=subsidy[2] if subsidy else None,
        release_languages=languages,
    )


RULES: dict[str, CountryRules] = {
    r.country: r
    for r in [
        # Approval (a public screening licence) without age ratings; foreign films within the import quota.
        _r("CN", "China Film Administration", (), ("zh",), quota=True),
        _r("RU", "Ministry of Culture of the Russian Federation", RU_SCALE, ("ru",)),
        _r(
            "KZ",
            "Ministry of Culture and Information of Kazakhstan",
            ("K", "BA", "B14", "E16", "E18", "HA"),
            ("kk", "ru"),
            subsidy=("State Centre for Support of National Cinema", "15000000", "KZT"),
        ),
        _r("KG", "Ministry of Culture of the Kyrgyz Republic", RU_SCALE, ("ky", "ru")),
        _r("TJ", "Ministry of Culture of Tajikistan", RU_SCALE, ("tg",)),
        _r(
            "UZ",
            "Cinematography Agency of Uzbekistan",
            RU_SCALE,
            ("uz",),
            subsidy=("Cinematography Agency of Uzbekistan", "200000000", "UZS"),
        ),
        _r("IN", "Central Board of Film Certification", ("U", "UA 7+", "UA 13+", "UA 16+", "A", "S"), ("hi", "en")),
        _r("PK", "Central Board of Film Censors", ("U", "PG", "A"), ("ur", "en")),
        # A screening licence without age ratings; foreign films by exception only.
        _r("IR", "Ministry of Culture and Islamic Guidance", (), ("fa",), quota=True),
        _r("BY", "Ministry of Culture of the Republic of Belarus", RU_SCALE, ("be", "ru")),
        _r(
            "KR",
            "Korea Media Rating Board",
            ("ALL", "12", "15", "18", "restricted"),
            ("ko",),
            subsidy=("Korean Film Council (KOFIC)", "20000000", "KRW"),
        ),
    ]
}
"""The path in every country a recommendation goes to: each SCO member state and Korea."""


def rules_for(country: str) -> CountryRules:
    """The country's rules, or `Rejected` if the network sends no release recommendations there."""
    code = country.strip().upper() if isinstance(country, str) else country
    if code in RULES:
        return RULES[code]
    known = COUNTRIES.get(code)
    if known is None:
        raise Rejected(f"'{country}' is not a country of the network; use an ISO 3166 code such as CN, KR, KZ or RU.")
    status = {NetworkStatus.OBSERVER: "an observer", NetworkStatus.DIALOGUE_PARTNER: "a dialogue partner"}.get(known.status)
    if status is None:  # a member or partner without a row: the configuration is incomplete
        raise Rejected(f"There are no release rules for {known.name()} yet; the network's secretariat must add them.")
    raise Rejected(
        f"{known.name()} is {status} of the SCO; release recommendations go to the member states and Korea,"
        " so there are no release rules for it."
    )
