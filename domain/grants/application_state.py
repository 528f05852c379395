"""One application as its workflow holds it, and who may act on it at which stage.

Each `check_*` reads the state, never changes it, and returns what the handler needs or raises
`Rejected` with a sentence the person can act on; the update validators and the handlers (again,
under the lock) run the same check, so a refused action leaves no trace.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field, ValidationError

from domain.agreement_rules import Rejected
from domain.grants.applications import Application
from domain.grants.board import Decision, Outcome, Vote, check_vote, tally
from domain.grants.eligibility import EligibilityResult
from domain.grants.funds import Fund, GrantCall
from domain.grants.money import format_money
from domain.grants.process import (
    APPLICATION_CLOSED,
    AgreementParties,
    ApplicationStage,
    CloseVoteAction,
    DeclineReviewAction,
    GrantPeople,
    ScoreAction,
    ScreenAction,
    VoteAction,
    WithdrawAction,
)
from domain.grants.rubric import Score, aggregate, check_score, weighted_score
from domain.parties import PersonRef
from domain.readmodel import HumanState

STAGE_NAMES = {
    ApplicationStage.SUBMITTED: "eligibility check",
    ApplicationStage.SCREENING: "fund manager's screening",
    ApplicationStage.REVIEW: "panel review",
    ApplicationStage.BOARD: "board's vote",
    ApplicationStage.AWARDED: "award",
    ApplicationStage.WAITLISTED: "waiting list",
    ApplicationStage.REJECTED: "rejection",
    ApplicationStage.WITHDRAWN: "withdrawal",
}


class ReviewAssignment(BaseModel):
    """One reviewer on the panel of this application, and what became of the assignment."""

    reviewer: PersonRef
    assigned_at: datetime
    due_at: datetime
    score: Score | None = None
    weighted: Decimal | None = None
    scored_at: datetime | None = None
    left_reason: str | None = Field(default=None, description="Why the reviewer stepped down (declined or conflict)")
    conflict: bool = False

    @property
    def active(self) -> bool:
        return self.left_reason is None

    @property
    def pending(self) -> bool:
        return self.active and self.score is None


class Screening(BaseModel):
    by: PersonRef
    passed: bool
    reason: str = ""
    at: datetime


class ApplicationState(HumanState):
    fund: Fund
    call: GrantCall
    application: Application
    people: GrantPeople
    parties: AgreementParties | None = Field(default=None, description="Who signs the grant agreement if it is awarded")
    stage: ApplicationStage = ApplicationStage.SUBMITTED
    submitted_at: datetime | None = None
    eligibility: EligibilityResult | None = None
    screening: Screening | None = None
    reviews: list[ReviewAssignment] = Field(default_factory=list)
    excluded: list[str] = Field(default_factory=list, description="Reviewers who declined: never asked again here")
    declared: list[tuple[str, str]] = Field(default_factory=list, description="(reviewer, application) conflicts")
    shortfall: int = Field(default=0, description="Reviewers the pool could not provide: the fund manager must act")
    score: Decimal | None = Field(default=None, description="The panel's mean weighted score, 0–100")
    bonus: Decimal = Decimal(0)
    votes: list[Vote] = Field(default_factory=list)
    decision: Decision | None = None
    award_amount: Decimal | None = None
    reasons: list[str] = Field(default_factory=list, description="Why it was refused, for the letter")
    ledger_message: str | None = None
    grant_workflow_id: str | None = None
    closed_at: datetime | None = None

    @property
    def active_reviews(self) -> list[ReviewAssignment]:
        return [r for r in self.reviews if r.active]

    def review_of(self, person_id: str) -> ReviewAssignment | None:
        return next((r for r in self.reviews if r.active and r.reviewer.id == person_id), None)

    def summary(self) -> dict[str, object]:
        a = self.application
        return {
            "application_id": a.id,
            "call_id": self.call.id,
            "fund_id": self.fund.id,
            "track": self.call.track.value,
            "project": a.project.title,
            "lead": a.lead.name,
            "lead_country": a.lead_country,
            "countries": a.countries,
            "requested": str(a.requested_amount),
            "currency": a.currency,
            "score": None if self.score is None else str(self.score),
            "bonus": str(self.bonus),
            "priorities": list(a.priorities),
            "reviews_done": sum(1 for r in self.active_reviews if r.score is not None),
            "reviews_assigned": len(self.active_reviews),
            "votes": len(self.votes),
            "award_amount": None if self.award_amount is None else str(self.award_amount),
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
        }


# ---------------------------------------------------------------- who


def _person(people: tuple[PersonRef, ...], actor_id: str) -> PersonRef | None:
    return next((p for p in people if p.id == actor_id), None)


def fund_manager(state: ApplicationState, actor_id: str, what: str) -> PersonRef:
    p = _person(state.people.fund_managers, actor_id)
    if p is None:
        raise Rejected(f"{actor_id} cannot {what}: only the fund's managers can.")
    return p


def board_member(state: ApplicationState, actor_id: str, what: str) -> PersonRef:
    p = _person(state.people.board, actor_id)
    if p is None:
        raise Rejected(f"{actor_id} cannot {what}: only members of the board can.")
    return p


def at_stage(state: ApplicationState, stage: ApplicationStage, what: str) -> None:
    if state.stage is not stage:
        raise Rejected(
            f"You cannot {what} now: application {state.application.id} is at the {STAGE_NAMES[state.stage]},"
            f" not the {STAGE_NAMES[stage]}."
        )


# ---------------------------------------------------------------- checks


def check_screen(state: ApplicationState, a: ScreenAction) -> PersonRef:
    p = fund_manager(state, a.actor_id, "screen applications")
    at_stage(state, ApplicationStage.SCREENING, "screen it")
    if not a.passed and not a.reason.strip():
        raise Rejected("Say why the application is screened out: the reason goes into the letter to the applicant.")
    return p


def check_score_action(state: ApplicationState, a: ScoreAction) -> tuple[PersonRef, ReviewAssignment, Score]:
    at_stage(state, ApplicationStage.REVIEW, "score it")
    review = state.review_of(a.actor_id)
    if review is None:
        raise Rejected(f"{a.actor_id} is not on the panel of application {state.application.id}, so cannot score it.")
    if review.score is not None:
        raise Rejected(f"{review.reviewer.name} has already scored application {state.application.id}.")
    try:
        score = Score(reviewer_id=a.actor_id, application_id=state.application.id, values=a.values, comment=a.comment,
                      criterion_comments=a.criterion_comments)  # fmt: skip
    except ValidationError as e:
        raise Rejected("; ".join(str(err["msg"]).removeprefix("Value error, ") for err in e.errors())) from None
    check_score(state.call.rubric, score)
    return review.reviewer, review, score


def check_decline_review(state: ApplicationState, a: DeclineReviewAction) -> tuple[PersonRef, ReviewAssignment]:
    at_stage(state, ApplicationStage.REVIEW, "step down from its panel")
    review = state.review_of(a.actor_id)
    if review is None:
        raise Rejected(f"{a.actor_id} is not on the panel of application {state.application.id}.")
    if review.score is not None:
        raise Rejected(f"{review.reviewer.name} has already scored application {state.application.id}; the score stands.")
    return review.reviewer, review


def check_vote_action(state: ApplicationState, a: VoteAction) -> tuple[PersonRef, Vote]:
    p = board_member(state, a.actor_id, "vote on awards")
    at_stage(state, ApplicationStage.BOARD, "vote on it")
    try:
        vote = Vote(member_id=a.actor_id, choice=a.choice, amount=a.amount, reason=a.reason)
    except ValidationError as e:
        raise Rejected("; ".join(str(err["msg"]).removeprefix("Value error, ") for err in e.errors()).capitalize() + ".") from None
    check_vote(vote, [m.id for m in state.people.board], state.votes, requested=state.application.requested_amount,
               max_amount=state.call.max_amount, currency=state.fund.currency)  # fmt: skip
    return p, vote


def decide(state: ApplicationState, votes: list[Vote]) -> Decision:
    return tally(votes, [m.id for m in state.people.board], state.call.board.quorum, majority=state.call.board.majority,
                 requested=state.application.requested_amount, max_amount=state.call.max_amount,
                 currency=state.fund.currency)  # fmt: skip


def check_close_vote(state: ApplicationState, a: CloseVoteAction) -> tuple[PersonRef, Decision]:
    p = fund_manager(state, a.actor_id, "close the board's vote")
    at_stage(state, ApplicationStage.BOARD, "close the vote")
    d = decide(state, state.votes)
    if d.outcome is Outcome.NO_QUORUM:
        raise Rejected(f"The vote cannot be closed yet. {d.reasons[0]}")
    return p, d


def check_withdraw(state: ApplicationState, a: WithdrawAction) -> PersonRef:
    if a.actor_id != state.application.contact.id:
        raise Rejected(f"{a.actor_id} cannot withdraw application {state.application.id}: only its contact person can.")
    if state.stage in APPLICATION_CLOSED:
        raise Rejected(f"Application {state.application.id} is already decided ({state.stage.value}); it can no longer be withdrawn.")
    return state.application.contact


def panel_score(state: ApplicationState, score: Score) -> Decimal:
    return weighted_score(state.call.rubric, score)


def panel_result(state: ApplicationState) -> Decimal | None:
    scores = [r.score for r in state.active_reviews if r.score is not None]
    return aggregate(state.call.rubric, scores) if scores else None


def award_text(state: ApplicationState, amount: Decimal) -> str:
    return f"{format_money(amount, state.fund.currency)} awarded to “{state.application.project.title}”"
