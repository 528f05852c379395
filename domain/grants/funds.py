"""The co-production fund and its calls for applications.

A fund holds a budget in one currency, pledged by its sponsors; every award is committed against
it in `domain.grants.ledger`. A call is one round of that fund: the main track for co-production
grants, or the pitching-session track with its own smaller grants (and, typically, a smaller
project budget and no matching requirement). The call carries every rule the workflows apply to
its applications, so a round is reproducible from its start input alone: eligibility, the rubric,
the priorities and their bonus, the payment template, how many reviewers read each application
and by when, and how the board decides.

Eligibility by status follows `domain.reference`: members, observers, dialogue partners and Korea
(the network's partner). A call may narrow it, e.g. to members and Korea only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.agreement_rules import Rejected
from domain.grants.applications import CountryCode, ProjectFormat
from domain.grants.board import BoardRule
from domain.grants.money import Amount, Currency, PositiveAmount, Share, format_money
from domain.grants.rubric import Rubric, names_with_en, priority_bonus
from domain.grants.tranches import TrancheSpec, schedule_problems
from domain.human_steps import ReminderPolicy
from domain.parties import ID_PATTERN
from domain.reference import COUNTRIES, NetworkStatus

STATUS_NAMES = {
    NetworkStatus.MEMBER: "members",
    NetworkStatus.OBSERVER: "observers",
    NetworkStatus.DIALOGUE_PARTNER: "dialogue partners",
    NetworkStatus.PARTNER: "Korea",
}


class Sponsor(BaseModel):
    model_config = ConfigDict(frozen=True)

    organisation_id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=300)
    contribution: Amount | None = None


class Fund(BaseModel):
    """A fund with its budget, e.g. the SCO Film Co-production Fund 2026: 1,000,000.00 USD."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    names: dict[str, str]
    currency: Currency
    budget: PositiveAmount
    sponsors: tuple[Sponsor, ...] = ()

    _n = field_validator("names")(classmethod(lambda cls, v: names_with_en(v, "a fund's name")))

    @model_validator(mode="after")
    def _pledges(self) -> Fund:
        pledged = [s.contribution for s in self.sponsors if s.contribution is not None]
        if pledged and len(pledged) != len(self.sponsors):
            raise ValueError("give every sponsor's contribution, or none")
        if pledged and sum(pledged, Decimal(0)) != self.budget:
            raise ValueError(
                f"the sponsors' contributions add up to {format_money(sum(pledged, Decimal(0)), self.currency)},"
                f" not the budget of {format_money(self.budget, self.currency)}"
            )
        return self

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


class Track(StrEnum):
    MAIN = "main"
    PITCHING = "pitching"  # grants awarded from the pitching session: smaller, for development


class Priority(BaseModel):
    """A policy priority of the call and the bonus points it adds to the panel's score."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    names: dict[str, str]
    bonus: Decimal = Field(ge=0, le=20)

    _n = field_validator("names")(classmethod(lambda cls, v: names_with_en(v, "a priority's name")))

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


ALL_STATUSES = (NetworkStatus.MEMBER, NetworkStatus.OBSERVER, NetworkStatus.DIALOGUE_PARTNER, NetworkStatus.PARTNER)


class GrantCall(BaseModel):
    """A call for applications and every rule that applies to them."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    fund_id: str = Field(pattern=ID_PATTERN)
    title: dict[str, str]
    track: Track = Track.MAIN
    currency: Currency
    opens_on: date
    closes_on: date = Field(description="The deadline: applications are accepted through the end of this day")
    review_due_days: int = Field(default=21, ge=1, le=365, description="Days a reviewer has from assignment")
    max_amount: PositiveAmount
    min_countries: int = Field(default=2, ge=1, le=10, description="Distinct eligible countries the team must span")
    eligible_statuses: tuple[NetworkStatus, ...] = Field(default=ALL_STATUSES, min_length=1)
    lead_countries: tuple[CountryCode, ...] | None = Field(
        default=None, description="Where the lead applicant may be based; None for any eligible country"
    )
    matching_share: Share = Field(
        default=Decimal(0), description="At least this share of the budget from sources other than this fund"
    )
    matching_must_be_confirmed: bool = False
    max_budget_total: PositiveAmount | None = Field(
        default=None, description="The largest project budget the call takes (pitching)"
    )
    allowed_formats: tuple[ProjectFormat, ...] | None = None
    priorities: tuple[Priority, ...] = ()
    rubric: Rubric
    tranche_schedule: tuple[TrancheSpec, ...]
    reviewers_per_application: int = Field(default=3, ge=1, le=10)
    board: BoardRule = BoardRule()
    reminders: ReminderPolicy = ReminderPolicy()

    _t = field_validator("title")(classmethod(lambda cls, v: names_with_en(v, "a call's title")))

    @field_validator("eligible_statuses")
    @classmethod
    def _statuses(cls, v: tuple[NetworkStatus, ...]) -> tuple[NetworkStatus, ...]:
        return tuple(s for s in ALL_STATUSES if s in v)  # canonical order, each once

    @model_validator(mode="after")
    def _coherent(self) -> GrantCall:
        problems: list[str] = []
        if self.closes_on < self.opens_on:
            problems.append(f"the call closes on {self.closes_on}, before it opens on {self.opens_on}")
        if self.max_budget_total is not None and self.max_amount > self.max_budget_total:
            problems.append("the maximum grant is larger than the largest budget the call takes")
        if self.lead_countries is not None:
            for code in self.lead_countries:
                if COUNTRIES[code].status not in self.eligible_statuses:
                    problems.append(f"lead country {code} is not of a status this call is open to")
            if len(set(self.lead_countries)) != len(self.lead_countries):
                problems.append("a lead country is listed twice")
        ids = [p.id for p in self.priorities]
        problems += [f"priority {i} is listed twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
        problems += schedule_problems(self.tranche_schedule)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def name(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title["en"]

    @property
    def bonuses(self) -> dict[str, Decimal]:
        """Priority id → bonus points, for `rubric.rank`."""
        return {p.id: p.bonus for p in self.priorities}

    def priority_bonus(self, claimed: Sequence[str]) -> Decimal:
        return priority_bonus(claimed, self.bonuses)[0]

    def is_open(self, on: date) -> bool:
        """Whether a submission dated `on` (the date in UTC the workflow received it) is in time."""
        return self.opens_on <= on <= self.closes_on

    def statuses_text(self) -> str:
        names = [STATUS_NAMES[s] for s in self.eligible_statuses]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def review_due(self, assigned_on: date) -> date:
        """When a review assigned on `assigned_on` is due."""
        return assigned_on + timedelta(days=self.review_due_days)

    def review_reminders(self) -> ReminderPolicy:
        """The call's reminder policy with the review's due date: what `workflows.human_step` waits on."""
        policy = self.reminders
        first = min(policy.first_reminder_days, self.review_due_days)
        return policy.model_copy(update={"due_days": self.review_due_days, "first_reminder_days": first})


def call_problems(fund: Fund, call: GrantCall) -> list[str]:
    """Why a call cannot run under a fund, one line each; empty when it can."""
    out: list[str] = []
    if call.fund_id != fund.id:
        out.append(f"the call belongs to fund {call.fund_id}, not {fund.id}")
    if call.currency != fund.currency:
        out.append(f"the call is in {call.currency} but the fund keeps its books in {fund.currency}")
    if call.max_amount > fund.budget:
        out.append(
            f"the maximum grant of {format_money(call.max_amount, call.currency)} is more than"
            f" the fund's whole budget of {format_money(fund.budget, fund.currency)}"
        )
    return out


def check_call(fund: Fund, call: GrantCall) -> None:
    """Refuse to open a call that does not fit its fund."""
    problems = call_problems(fund, call)
    if problems:
        raise Rejected(f"The call “{call.name()}” cannot be opened: " + "; ".join(problems) + ".")
