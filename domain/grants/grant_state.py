"""An awarded grant as its workflow holds it, from the agreement to closeout, and who may act when.

As with applications, each `check_*` is pure: it reads the state and returns what the handler
needs, or raises `Rejected` with a sentence the person can act on.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field, ValidationError

from domain.agreement_rules import Rejected
from domain.agreements import Phase
from domain.grants.applications import Application
from domain.grants.board import Decision, Outcome, Vote, VoteChoice, check_vote, tally
from domain.grants.funds import Fund, GrantCall
from domain.grants.money import format_money
from domain.grants.process import (
    FINAL_REPORT,
    AgreementParties,
    AmendmentVoteAction,
    CancelGrantAction,
    CloseVoteAction,
    GrantPeople,
    GrantStage,
    PaymentRecord,
    ProposeAmendmentAction,
    ReviewReportAction,
    SubmitReportAction,
)
from domain.grants.tranches import (
    ReportKind,
    Tranche,
    TrancheStatus,
    check_report_approval,
    check_report_submission,
    closeout_blockers,
    find,
    paid_total,
)
from domain.parties import PersonRef
from domain.readmodel import HumanState


class FinalReport(BaseModel):
    submitted_on: date | None = None
    reference: str | None = None
    summary: str = ""
    returned_reason: str | None = None
    approved_on: date | None = None
    approved_by: str | None = None


class Amendment(BaseModel):
    number: int
    proposed_by: PersonRef
    new_amount: Decimal
    due_dates: dict[str, date] = Field(default_factory=dict)
    reason: str
    proposed_at: datetime
    votes: list[Vote] = Field(default_factory=list)
    decision: Decision | None = None
    applied: bool = False


class GrantState(HumanState):
    fund: Fund
    call: GrantCall
    application: Application
    people: GrantPeople
    parties: AgreementParties
    amount: Decimal = Field(description="The award in force (after any amendment)")
    decision: Decision
    stage: GrantStage = GrantStage.AGREEMENT
    agreement_workflow_id: str | None = None
    agreement_phase: Phase | None = None
    executed_pdf_sha256: str | None = None
    signed_on: date | None = None
    tranches: list[Tranche] = Field(default_factory=list)
    payments: list[PaymentRecord] = Field(default_factory=list)
    final_report: FinalReport = FinalReport()
    amendments: list[Amendment] = Field(default_factory=list)
    cancel_reason: str | None = None
    clawed_back: Decimal = Decimal(0)
    held: list[str] = Field(default_factory=list, description="Tranches the ledger refused to release, until resolved")
    created_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def award_id(self) -> str:
        return self.application.id

    @property
    def open_amendment(self) -> Amendment | None:
        return next((a for a in self.amendments if a.decision is None), None)

    def payable(self) -> list[Tranche]:
        """Tranches ready to pay, in schedule order (only the first is paid before the next)."""
        if self.stage is not GrantStage.ACTIVE:
            return []
        first = next((t for t in self.tranches if not t.settled), None)
        return [first] if first is not None and first.status is TrancheStatus.PAYABLE and first.id not in self.held else []

    def summary(self) -> dict[str, object]:
        return {
            "application_id": self.application.id,
            "call_id": self.call.id,
            "fund_id": self.fund.id,
            "project": self.application.project.title,
            "lead": self.application.lead.name,
            "lead_country": self.application.lead_country,
            "currency": self.fund.currency,
            "amount": str(self.amount),
            "paid": str(paid_total(self.tranches)),
            "clawed_back": str(self.clawed_back),
            "tranches": [{"id": t.id, "label": t.label, "amount": str(t.amount), "status": t.status.value,
                          "due_on": t.due_on.isoformat()} for t in self.tranches],
            "agreement_phase": self.agreement_phase.value if self.agreement_phase else None,
        }


def _one(people: tuple[PersonRef, ...], actor_id: str) -> PersonRef | None:
    return next((p for p in people if p.id == actor_id), None)


def fund_manager(state: GrantState, actor_id: str, what: str) -> PersonRef:
    p = _one(state.people.fund_managers, actor_id)
    if p is None:
        raise Rejected(f"{actor_id} cannot {what}: only the fund's managers can.")
    return p


def grantee(state: GrantState, actor_id: str, what: str) -> PersonRef:
    team = [state.application.contact, *state.parties.grantee_party.signatories]
    p = next((x for x in team if x.id == actor_id), None)
    if p is None:
        raise Rejected(f"{actor_id} cannot {what}: only the producer's contact or signatories can.")
    return p


def _not_closed(state: GrantState, what: str) -> None:
    if state.stage in (GrantStage.CLOSED, GrantStage.CANCELLED):
        raise Rejected(f"You cannot {what}: the grant is {state.stage.value}.")
    if state.stage is GrantStage.AGREEMENT:
        raise Rejected(f"You cannot {what} yet: the grant agreement is not executed, and nothing happens before it is.")


def check_submit_report(state: GrantState, a: SubmitReportAction) -> tuple[PersonRef, Tranche | None]:
    p = grantee(state, a.actor_id, "submit reports")
    _not_closed(state, "submit a report")
    if a.tranche_id == FINAL_REPORT:
        f = state.final_report
        if state.stage is not GrantStage.CLOSEOUT:
            raise Rejected("The final report comes after every tranche is settled.")
        if f.approved_on is not None:
            raise Rejected("The final report is already approved.")
        if f.submitted_on is not None and f.returned_reason is None:
            raise Rejected("The final report is already submitted and awaits the fund manager.")
        return p, None
    t = find(state.tranches, a.tranche_id)
    check_report_submission(t, t.report_kind or ReportKind.PRODUCTION_MILESTONE)
    for earlier in state.tranches[: state.tranches.index(t)]:
        if not earlier.settled and earlier.report_kind is not None and earlier.report_approved_on is None:
            raise Rejected(f"Reports come in order: the {earlier.report_name} for “{earlier.label}” is due first.")
    return p, t


def check_review_report(state: GrantState, a: ReviewReportAction) -> tuple[PersonRef, Tranche | None]:
    p = fund_manager(state, a.actor_id, "review reports")
    _not_closed(state, "review a report")
    if not a.approve and not a.reason.strip():
        raise Rejected("Say why the report goes back: the producer reads the reason.")
    if a.tranche_id == FINAL_REPORT:
        f = state.final_report
        if f.submitted_on is None or f.returned_reason is not None or f.approved_on is not None:
            raise Rejected("No final report awaits review.")
        return p, None
    t = find(state.tranches, a.tranche_id)
    check_report_approval(t)
    return p, t


def check_propose_amendment(state: GrantState, a: ProposeAmendmentAction) -> PersonRef:
    p = fund_manager(state, a.actor_id, "propose amendments")
    _not_closed(state, "amend the grant")
    if state.stage is not GrantStage.ACTIVE:
        raise Rejected("Only an active grant can be amended; every tranche is settled.")
    if state.open_amendment is not None:
        raise Rejected("An amendment is already before the board; wait for its decision.")
    if a.new_amount is None and not a.due_dates:
        raise Rejected("Propose a new amount, new due dates, or both.")
    if a.new_amount == state.amount and not a.due_dates:
        raise Rejected(f"The award is already {format_money(state.amount, state.fund.currency)}.")
    for tid in a.due_dates:
        t = find(state.tranches, tid)
        if t.settled:
            raise Rejected(f"“{t.label}” is {t.status.value}; its due date can no longer change.")
    paid = paid_total(state.tranches)
    if a.new_amount is not None and a.new_amount < paid:
        raise Rejected(
            f"The award cannot go below the {format_money(paid, state.fund.currency)} already paid."
        )
    if a.new_amount is not None and a.new_amount == paid:
        raise Rejected(
            f"{format_money(paid, state.fund.currency)} is what was already paid: to end the grant there, cancel it instead."
        )
    return p


def _amendment_still_open(state: GrantState) -> None:
    if state.stage is not GrantStage.ACTIVE:
        raise Rejected(f"The grant is {state.stage.value}: its amendment can no longer be voted on or decided.")


def check_amendment_vote(state: GrantState, a: AmendmentVoteAction, *, strict: bool = True) -> tuple[PersonRef, Amendment, Vote]:
    """`strict`: only while the grant is active (a cancelled grant's amendment is moot); workflows
    replaying an older history pass False in the handler (see `workflows/grant.py`)."""
    p = _one(state.people.board, a.actor_id)
    if p is None:
        raise Rejected(f"{a.actor_id} cannot vote on amendments: only members of the board can.")
    amendment = state.open_amendment
    if amendment is None:
        raise Rejected("No amendment is before the board.")
    if strict:
        _amendment_still_open(state)
    try:
        vote = Vote(member_id=a.actor_id, choice=a.choice, reason=a.reason)
    except ValidationError as e:
        raise Rejected("; ".join(str(err["msg"]).removeprefix("Value error, ") for err in e.errors()).capitalize() + ".") from None
    check_vote(vote, [m.id for m in state.people.board], amendment.votes)
    return p, amendment, vote


def amendment_decision(state: GrantState, amendment: Amendment) -> Decision:
    d = tally(amendment.votes, [m.id for m in state.people.board], state.call.board.quorum, majority=state.call.board.majority,
              requested=amendment.new_amount, max_amount=max(amendment.new_amount, state.call.max_amount),
              currency=state.fund.currency)  # fmt: skip
    if d.outcome is Outcome.AWARD:  # an amendment is carried at the amount proposed, not a median
        return d.model_copy(update={"amount": amendment.new_amount})
    return d


def check_close_amendment(state: GrantState, a: CloseVoteAction, *, strict: bool = True) -> tuple[PersonRef, Amendment, Decision]:
    p = fund_manager(state, a.actor_id, "close the board's vote")
    amendment = state.open_amendment
    if amendment is None:
        raise Rejected("No amendment is before the board.")
    if strict:
        _amendment_still_open(state)
    d = amendment_decision(state, amendment)
    if d.outcome is Outcome.NO_QUORUM:
        raise Rejected(f"The vote cannot be closed yet. {d.reasons[0]}")
    return p, amendment, d


def check_cancel(state: GrantState, a: CancelGrantAction) -> PersonRef:
    p = fund_manager(state, a.actor_id, "cancel grants")
    if len(a.reason.strip()) < 3:
        raise Rejected("Say why the grant is cancelled: the producer and the board read it.")
    if state.stage in (GrantStage.CLOSED, GrantStage.CANCELLED):
        raise Rejected(f"The grant is already {state.stage.value}.")
    paid = paid_total(state.tranches)
    if a.clawback > paid:
        raise Rejected(
            f"Only {format_money(paid, state.fund.currency)} was paid; {format_money(a.clawback, state.fund.currency)}"
            " cannot be clawed back."
        )
    return p


def closeout_missing(state: GrantState) -> list[str]:
    return closeout_blockers(state.tranches, state.final_report.approved_on is not None)


__all__ = ["VoteChoice"]
