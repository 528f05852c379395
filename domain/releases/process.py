"""Award-to-release as workflows run it: stages, the actions people send, states and their checks.

`Festival` (one per edition) records jury awards and fans each awarded film out to every member
country; `FilmRights` (one per film) is the single authority over the film's licences, refusing
one that overlaps an exclusive deal; `CountryRelease` (one per film and country) takes the film
through that country's path: acknowledgement, classification, an import-quota exception where
needed, an optional subsidy, a licence signed through the agreement engine, the release date and
the confirmed release. Each `check_*` is pure: it returns what the handler needs or raises
`Rejected` with a sentence a person can act on.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.agreement_rules import Rejected
from domain.agreements import AgreementKind, AgreementSpec, PartySpec, Phase, TermSpec
from domain.grants.money import Amount
from domain.parties import PersonRef
from domain.readmodel import HumanState
from domain.releases.country_rules import CountryRules, check_rating
from domain.releases.festival import Edition, Film, JuryAward
from domain.releases.rights import Media, RightsGrant

ACTOR = Field(min_length=1, max_length=64)

# ---------------------------------------------------------------- who takes part


class ReleasePeople(BaseModel):
    """Who records awards, who acts for each country, who hears last when a step is late."""

    model_config = ConfigDict(frozen=True)

    festival_admins: tuple[PersonRef, ...] = Field(min_length=1)
    liaisons: dict[str, PersonRef] = Field(description="country → its liaison, who takes the film through that country")
    board: tuple[PersonRef, ...] = ()


# ---------------------------------------------------------------- the festival


class RecordAwardAction(BaseModel):
    actor_id: str = ACTOR
    award: JuryAward


class RegisterFilmAction(BaseModel):
    actor_id: str = ACTOR
    film: Film
    licensor: PartySpec = Field(description="The rights holder as a party of licence agreements")


class FestivalResult(BaseModel):
    message: str
    started: list[str] = Field(default_factory=list)


class FestivalState(HumanState):
    edition: Edition
    films: list[Film]
    licensors: dict[str, PartySpec] = Field(default_factory=dict, description="film id → its rights holder as a party")
    people: ReleasePeople
    rules: dict[str, CountryRules]
    awards: list[JuryAward] = Field(default_factory=list)
    recommended: dict[str, list[str]] = Field(default_factory=dict, description="film id → its country release workflow ids")

    def film(self, film_id: str) -> Film | None:
        return next((f for f in self.films if f.id == film_id), None)


# ---------------------------------------------------------------- a film's rights


class RightsRequest(BaseModel):
    """Reserve (or free) a licence's rights in the film's `FilmRights` workflow; `request_key` is the update id."""

    film_id: str
    grant: RightsGrant | None = None
    release_deal_id: str | None = None
    request_key: str = Field(min_length=1, max_length=300)


class RightsReply(BaseModel):
    applied: bool
    message: str


# ---------------------------------------------------------------- one country's release


class ReleaseStage(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    CLASSIFICATION = "classification"
    QUOTA = "quota"
    SUBSIDY = "subsidy"
    LICENCE = "licence"  # a licence is being agreed and signed
    SCHEDULING = "scheduling"
    RELEASING = "releasing"  # scheduled; the release is to be confirmed
    RELEASED = "released"
    REFUSED = "refused"  # classification or the quota refused it
    DECLINED = "declined"  # the country declined the recommendation


RELEASE_CLOSED = {ReleaseStage.RELEASED, ReleaseStage.REFUSED, ReleaseStage.DECLINED}
STAGE_ORDER = [ReleaseStage.ACKNOWLEDGE, ReleaseStage.CLASSIFICATION, ReleaseStage.QUOTA, ReleaseStage.SUBSIDY,
               ReleaseStage.LICENCE, ReleaseStage.SCHEDULING, ReleaseStage.RELEASING, ReleaseStage.RELEASED]  # fmt: skip
STAGE_NAMES = {
    ReleaseStage.ACKNOWLEDGE: "acknowledgement",
    ReleaseStage.CLASSIFICATION: "classification review",
    ReleaseStage.QUOTA: "import-quota exception",
    ReleaseStage.SUBSIDY: "dubbing or subtitling subsidy",
    ReleaseStage.LICENCE: "licence",
    ReleaseStage.SCHEDULING: "release scheduling",
    ReleaseStage.RELEASING: "release",
    ReleaseStage.RELEASED: "release (done)",
    ReleaseStage.REFUSED: "refusal",
    ReleaseStage.DECLINED: "declined recommendation",
}


class ClassificationOutcome(StrEnum):
    APPROVED = "approved"
    APPROVED_WITH_CUTS = "approved_with_cuts"
    REFUSED = "refused"


class SubsidyOutcome(StrEnum):
    SKIPPED = "skipped"  # not applied for
    GRANTED = "granted"
    REFUSED = "refused"


class SubsidyKind(StrEnum):
    DUBBING = "dubbing"
    SUBTITLING = "subtitling"


class AcknowledgeAction(BaseModel):
    actor_id: str = ACTOR
    note: str = Field(default="", max_length=2000)


class ClassifyAction(BaseModel):
    actor_id: str = ACTOR
    outcome: ClassificationOutcome
    rating: str | None = Field(default=None, max_length=20)
    cuts: str = Field(default="", max_length=2000, description="The cuts required, with approved_with_cuts")
    reason: str = Field(default="", max_length=2000, description="Why it was refused")


class QuotaAction(BaseModel):
    actor_id: str = ACTOR
    granted: bool
    reference: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=2000)


class SubsidyAction(BaseModel):
    actor_id: str = ACTOR
    outcome: SubsidyOutcome
    kind: SubsidyKind | None = None
    amount: Amount | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    reason: str = Field(default="", max_length=2000)


class LicenceAction(BaseModel):
    """A distributor in the country takes rights; signed through the agreement engine."""

    actor_id: str = ACTOR
    deal_id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{1,63}$")
    licensee: PartySpec
    media: list[Media] = Field(min_length=1, max_length=3)
    starts_on: date
    ends_on: date
    exclusive: bool = False
    fee: Amount
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class ScheduleAction(BaseModel):
    actor_id: str = ACTOR
    release_on: date
    platform: str = Field(min_length=2, max_length=200, description="Cinema chain, streaming service or channel")


class ConfirmReleaseAction(BaseModel):
    actor_id: str = ACTOR
    released_on: date
    platform: str = Field(min_length=2, max_length=200)


class DeclineAction(BaseModel):
    actor_id: str = ACTOR
    reason: str = Field(min_length=3, max_length=2000)


class ReleaseResult(BaseModel):
    stage: str
    revision: int
    message: str


class Classification(BaseModel):
    outcome: ClassificationOutcome
    rating: str | None = None
    cuts: str = ""
    reason: str = ""
    by: str
    on: date


class Quota(BaseModel):
    granted: bool
    reference: str = ""
    reason: str = ""
    by: str
    on: date


class Subsidy(BaseModel):
    outcome: SubsidyOutcome
    kind: SubsidyKind | None = None
    amount: Decimal | None = None
    currency: str | None = None
    reason: str = ""
    by: str
    on: date


class Licence(BaseModel):
    grant: RightsGrant
    agreement_workflow_id: str
    agreement_phase: Phase | None = None
    signed_on: date | None = None


class ReleaseState(HumanState):
    film: Film
    awards: list[JuryAward]
    edition: Edition
    country: str
    rules: CountryRules
    liaison: PersonRef
    people: ReleasePeople
    licensor: PartySpec
    stage: ReleaseStage = ReleaseStage.ACKNOWLEDGE
    acknowledged_on: date | None = None
    classification: Classification | None = None
    quota: Quota | None = None
    subsidy: Subsidy | None = None
    licence: Licence | None = None
    past_licences: list[Licence] = Field(default_factory=list, description="Deals that fell through")
    release_on: date | None = None
    platform: str | None = None
    released_on: date | None = None
    decline_reason: str | None = None
    created_at: datetime | None = None
    closed_at: datetime | None = None

    def summary(self) -> dict[str, object]:
        return {
            "film_id": self.film.id,
            "film": self.film.english_title,
            "country": self.country,
            "origin_countries": list(self.film.origin_countries),
            "edition_id": self.edition.id,
            "stage": self.stage.value,
            "rating": self.classification.rating if self.classification else None,
            "licensee": self.licence.grant.licensee_name if self.licence else None,
            "release_on": self.release_on.isoformat() if self.release_on else None,
            "released_on": self.released_on.isoformat() if self.released_on else None,
            "platform": self.platform,
            "abroad": self.country not in self.film.origin_countries,
        }


def next_stage(state: ReleaseState, after: ReleaseStage) -> ReleaseStage:
    """The stage that follows `after` in this country (the quota step only where its rules need one)."""
    i = STAGE_ORDER.index(after) + 1
    if i >= len(STAGE_ORDER):
        return after
    nxt = STAGE_ORDER[i]
    if nxt is ReleaseStage.QUOTA and not state.rules.quota_exception_required:
        nxt = STAGE_ORDER[i + 1]
    return nxt


def _liaison(state: ReleaseState, actor_id: str, what: str) -> PersonRef:
    if actor_id != state.liaison.id:
        raise Rejected(f"{actor_id} cannot {what}: only {state.liaison.name}, the liaison for {state.country}, can.")
    return state.liaison


def _at(state: ReleaseState, stage: ReleaseStage, what: str) -> None:
    if state.stage is not stage:
        raise Rejected(
            f"You cannot {what} now: “{state.film.english_title}” in {state.country} is at the {STAGE_NAMES[state.stage]},"
            f" not the {STAGE_NAMES[stage]}."
        )


def check_acknowledge(state: ReleaseState, a: AcknowledgeAction) -> PersonRef:
    p = _liaison(state, a.actor_id, "acknowledge the recommendation")
    _at(state, ReleaseStage.ACKNOWLEDGE, "acknowledge it")
    return p


def check_classify(state: ReleaseState, a: ClassifyAction) -> PersonRef:
    p = _liaison(state, a.actor_id, "record the classification")
    _at(state, ReleaseStage.CLASSIFICATION, "record the classification")
    if a.outcome is ClassificationOutcome.REFUSED:
        if not a.reason.strip():
            raise Rejected("Say why classification was refused: the rights holder reads the reason.")
        return p
    if a.rating is None and state.rules.ratings:
        raise Rejected(f"Give the rating {state.rules.classification_authority} assigned.")
    if a.rating is not None:
        check_rating(state.rules, a.rating)
    if a.outcome is ClassificationOutcome.APPROVED_WITH_CUTS and not a.cuts.strip():
        raise Rejected("Describe the cuts required: the distributor must make them.")
    return p


def check_quota(state: ReleaseState, a: QuotaAction) -> PersonRef:
    p = _liaison(state, a.actor_id, "record the import-quota decision")
    _at(state, ReleaseStage.QUOTA, "record the quota decision")
    if not a.granted and not a.reason.strip():
        raise Rejected("Say why the quota exception was refused.")
    return p


def check_subsidy(state: ReleaseState, a: SubsidyAction) -> PersonRef:
    p = _liaison(state, a.actor_id, "record the subsidy")
    _at(state, ReleaseStage.SUBSIDY, "record the subsidy")
    if a.outcome is not SubsidyOutcome.SKIPPED:
        if not state.rules.subsidy_available:
            raise Rejected(f"{state.country} offers no dubbing or subtitling subsidy; record it as skipped.")
        if a.kind is None:
            raise Rejected("Say whether the subsidy is for dubbing or subtitling.")
    if a.outcome is SubsidyOutcome.GRANTED:
        if a.amount is None or a.currency is None:
            raise Rejected("Give the granted amount and its currency.")
        cap = state.rules.subsidy_max
        if cap is not None and a.amount > cap:
            raise Rejected(f"The subsidy in {state.country} is at most {cap} {state.rules.subsidy_currency}; {a.amount} was entered.")
    return p


def licence_grant(state: ReleaseState, a: LicenceAction) -> RightsGrant:
    return RightsGrant(
        deal_id=a.deal_id, film_id=state.film.id, licensee_id=a.licensee.organisation_id,
        licensee_name=a.licensee.names.get("en") or next(iter(a.licensee.names.values())), territories=(state.country,),
        media=tuple(a.media), starts_on=a.starts_on, ends_on=a.ends_on, exclusive=a.exclusive, fee=a.fee, currency=a.currency,
    )  # fmt: skip


def licence_agreement(state: ReleaseState, a: LicenceAction, initiator: PersonRef, parent_workflow_id: str) -> AgreementSpec:
    """The licence as an agreement for the engine to sign: the rights holder and the distributor."""
    months = max(1, (a.ends_on.year - a.starts_on.year) * 12 + a.ends_on.month - a.starts_on.month + (a.ends_on.day >= a.starts_on.day))
    return AgreementSpec(
        id=f"lic-{state.film.id}-{state.country.lower()}-{a.deal_id}"[:64].rstrip("-_."), kind=AgreementKind.LICENCE,
        title=f"Licence — {state.film.english_title} ({state.country})"[:300], languages=["en"], initiator=initiator,
        parties=[state.licensor, a.licensee], review_days=5,
        term=TermSpec(term_months=min(months, 600), renewal_window_days=min(90, months * 28 - 1)),
        variables={"film_title": state.film.english_title[:300], "territory": [state.country], "media": [m.value for m in a.media],
                   "term_start": a.starts_on.isoformat(), "term_end": a.ends_on.isoformat(), "exclusive": a.exclusive,
                   "fee": str(a.fee), "currency": a.currency},
        board=list(state.people.board), parent_workflow_id=parent_workflow_id,
    )  # fmt: skip


def check_licence_action(state: ReleaseState, a: LicenceAction) -> tuple[PersonRef, RightsGrant]:
    p = _liaison(state, a.actor_id, "propose a licence")
    _at(state, ReleaseStage.LICENCE, "propose a licence")
    if state.licence is not None:
        raise Rejected(f"Licence {state.licence.grant.deal_id} is being signed; void it before proposing another.")
    if a.licensee.country != state.country:
        raise Rejected(f"The distributor must be in {state.country}; {a.licensee.organisation_id} is in {a.licensee.country}.")
    if a.licensee.organisation_id == state.licensor.organisation_id:
        raise Rejected("The distributor is the rights holder itself; a licence needs a distributor in the country.")
    if any(x.grant.deal_id == a.deal_id for x in state.past_licences):
        raise Rejected(f"Deal {a.deal_id} fell through earlier; give the new licence its own deal id.")
    try:
        grant = licence_grant(state, a)
        licence_agreement(state, a, p, "check")
    except ValidationError as e:
        raise Rejected("; ".join(str(err["msg"]).removeprefix("Value error, ") for err in e.errors()).capitalize() + ".") from None
    return p, grant


def check_schedule(state: ReleaseState, a: ScheduleAction) -> PersonRef:
    p = _liaison(state, a.actor_id, "schedule the release")
    _at(state, ReleaseStage.SCHEDULING, "schedule the release")
    g = state.licence.grant if state.licence else None
    if g is not None and not (g.starts_on <= a.release_on <= g.ends_on):
        raise Rejected(f"The release date {a.release_on} is outside the licence term {g.starts_on} to {g.ends_on}.")
    return p


def check_confirm(state: ReleaseState, a: ConfirmReleaseAction) -> PersonRef:
    p = _liaison(state, a.actor_id, "confirm the release")
    _at(state, ReleaseStage.RELEASING, "confirm the release")
    g = state.licence.grant if state.licence else None
    if g is not None and not (g.starts_on <= a.released_on <= g.ends_on):
        raise Rejected(f"The release date {a.released_on} is outside the licence term {g.starts_on} to {g.ends_on}.")
    return p


def check_decline(state: ReleaseState, a: DeclineAction) -> PersonRef:
    p = _liaison(state, a.actor_id, "decline the recommendation")
    if state.stage in RELEASE_CLOSED:
        raise Rejected(f"“{state.film.english_title}” in {state.country} is already {state.stage.value}.")
    if state.licence is not None and state.licence.signed_on is not None:
        raise Rejected("The licence is signed; the release can no longer be declined, only scheduled.")
    return p


class RecommendationLetterRequest(BaseModel):
    """The recommendation letter to one member country: the film, its awards, the country's path."""

    edition: Edition
    film: Film
    awards: list[JuryAward]
    country: str
    rules: CountryRules
    liaison: PersonRef
    issued_at: datetime
