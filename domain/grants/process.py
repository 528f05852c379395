"""The co-production fund as workflows run it: stages, the actions people send, activity contracts.

Three workflows share these models: `FundLedger` (one per fund: the authoritative books),
`GrantApplication` (one per application: eligibility, screening, panel review, board decision)
and `Grant` (one per award: the grant agreement, tranches, reports, amendments, closeout). The
people who may act are a snapshot in the start input, so every validator decides without I/O.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.agreements import PartySpec
from domain.grants.applications import Application, TeamCompany
from domain.grants.board import Decision, VoteChoice
from domain.grants.conflicts import Reviewer
from domain.grants.funds import Fund, GrantCall
from domain.grants.ledger import Figures, Ledger
from domain.grants.money import Amount, PositiveAmount
from domain.grants.tranches import Tranche
from domain.parties import PersonRef

ACTOR = Field(min_length=1, max_length=64)
Key = Annotated[str, Field(max_length=64)]
"""A criterion or tranche id as a key of an action's mapping."""

# ---------------------------------------------------------------- who takes part


class GrantPeople(BaseModel):
    """Everyone a fund's applications and grants may wait on."""

    model_config = ConfigDict(frozen=True)

    fund_managers: tuple[PersonRef, ...] = Field(min_length=1)
    board: tuple[PersonRef, ...] = Field(min_length=1)
    reviewers: tuple[Reviewer, ...] = ()
    liaisons: dict[str, PersonRef] = Field(default_factory=dict, description="country → liaison, for escalation")

    @model_validator(mode="after")
    def _once_each(self) -> GrantPeople:
        for what, ids in (("fund manager", [p.id for p in self.fund_managers]), ("board member", [p.id for p in self.board]),
                          ("reviewer", [r.id for r in self.reviewers])):  # fmt: skip
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"{what} {', '.join(twice)} is listed twice")
        return self


class AgreementParties(BaseModel):
    """Who signs the grant agreement: the fund's organisation and the lead producer."""

    model_config = ConfigDict(frozen=True)

    fund_party: PartySpec
    grantee_party: PartySpec
    initiator: PersonRef


# ---------------------------------------------------------------- stages


class ApplicationStage(StrEnum):
    SUBMITTED = "submitted"  # being checked for eligibility
    SCREENING = "screening"  # the fund manager screens it
    REVIEW = "review"  # the panel scores it
    BOARD = "board"  # the board votes
    AWARDED = "awarded"  # committed in the ledger; a grant workflow carries on
    WAITLISTED = "waitlisted"  # the board approved, but the fund had too little left
    REJECTED = "rejected"  # ineligible, screened out, or refused by the board
    WITHDRAWN = "withdrawn"


APPLICATION_CLOSED = {ApplicationStage.AWARDED, ApplicationStage.WAITLISTED, ApplicationStage.REJECTED, ApplicationStage.WITHDRAWN}


class GrantStage(StrEnum):
    AGREEMENT = "agreement"  # the grant agreement is being negotiated and signed
    ACTIVE = "active"  # tranches are paid as reports are approved
    CLOSEOUT = "closeout"  # every tranche settled; the final report is awaited or under review
    CLOSED = "closed"
    CANCELLED = "cancelled"


GRANT_CLOSED = {GrantStage.CLOSED, GrantStage.CANCELLED}

# ---------------------------------------------------------------- actions on an application


class ScreenAction(BaseModel):
    """The fund manager's screening: pass to the panel, or screen out with a reason."""

    actor_id: str = ACTOR
    passed: bool
    reason: str = Field(default="", max_length=2000)


class ScoreAction(BaseModel):
    actor_id: str = ACTOR
    values: dict[Key, Decimal] = Field(min_length=1, max_length=30, description="criterion id → mark")
    comment: str = Field(default="", max_length=4000)
    criterion_comments: dict[Key, Annotated[str, Field(max_length=2000)]] = Field(default_factory=dict, max_length=30)


class DeclineReviewAction(BaseModel):
    """An assigned reviewer steps down; `conflict` records a declared conflict of interest."""

    actor_id: str = ACTOR
    reason: str = Field(min_length=3, max_length=2000)
    conflict: bool = False


class VoteAction(BaseModel):
    actor_id: str = ACTOR
    choice: VoteChoice
    amount: Amount | None = None
    reason: str = Field(default="", max_length=2000)


class CloseVoteAction(BaseModel):
    """The fund manager closes the board's vote and the decision is tallied."""

    actor_id: str = ACTOR


class WithdrawAction(BaseModel):
    actor_id: str = ACTOR
    reason: str = Field(min_length=3, max_length=2000)


# ---------------------------------------------------------------- actions on a grant

FINAL_REPORT = "final"  # the report that closes a grant, besides the tranches' own


class SubmitReportAction(BaseModel):
    """The producer submits a tranche's report (or the final report, `tranche_id` = 'final')."""

    actor_id: str = ACTOR
    tranche_id: str = Field(min_length=1, max_length=64)
    reference: str = Field(min_length=1, max_length=200, description="The report's document id or sha256")
    summary: str = Field(default="", max_length=4000)


class ReviewReportAction(BaseModel):
    actor_id: str = ACTOR
    tranche_id: str = Field(min_length=1, max_length=64)
    approve: bool
    reason: str = Field(default="", max_length=2000)


class ProposeAmendmentAction(BaseModel):
    """The fund manager proposes a new award amount and/or new due dates; the board must approve it."""

    actor_id: str = ACTOR
    new_amount: PositiveAmount | None = None
    due_dates: dict[Key, date] = Field(default_factory=dict, max_length=20, description="tranche id → new due date")
    reason: str = Field(min_length=3, max_length=2000)


class AmendmentVoteAction(BaseModel):
    actor_id: str = ACTOR
    choice: VoteChoice
    reason: str = Field(default="", max_length=2000)


class CancelGrantAction(BaseModel):
    """The fund manager cancels the grant; money already paid may be clawed back."""

    actor_id: str = ACTOR
    reason: str = Field(min_length=3, max_length=2000)
    clawback: Amount = Decimal("0.00")  # as validated: a JSON round trip gives "0.00" back


class GrantResult(BaseModel):
    """What an update returns to the page that sent it."""

    stage: str
    revision: int
    message: str


# ---------------------------------------------------------------- activity contracts


class LedgerOp(StrEnum):
    COMMIT = "commit"
    RELEASE = "release"
    AMEND = "amend"
    CANCEL = "cancel"
    CLAWBACK = "clawback"


class LedgerRequest(BaseModel):
    """One operation on a fund's books, sent to its `FundLedger` workflow. `request_key` is the
    update id: the same request delivered twice counts once."""

    fund_id: str
    op: LedgerOp
    award_id: str
    amount: Amount = Decimal(0)
    tranche_id: str | None = None
    reason: str = ""
    reference: str | None = None
    request_key: str = Field(min_length=1, max_length=300)


class LedgerReply(BaseModel):
    applied: bool
    message: str
    figures: Figures | None = None


class PaymentRequest(BaseModel):
    """A payment instruction for one tranche; `key` makes it once-only, whatever the retries."""

    key: str = Field(min_length=1, max_length=300)
    fund: Fund
    call_id: str
    application_id: str
    award_id: str
    project_title: str
    tranche: Tranche
    payee: TeamCompany
    approved_by: PersonRef | None = None
    issued_at: datetime


class PaymentRecord(BaseModel):
    key: str
    reference: str = Field(description="The payment instruction's number, e.g. PAY-2026-000012")
    amount: Decimal
    currency: str
    pdf_sha256: str
    pages: int = 1
    issued_at: datetime


class LetterKind(StrEnum):
    AWARD = "award_letter"
    REJECTION = "rejection_letter"


class LetterRequest(BaseModel):
    """An award or rejection letter to the lead applicant."""

    kind: LetterKind
    fund: Fund
    call: GrantCall
    application: Application
    amount: Decimal | None = None
    reasons: list[str] = Field(default_factory=list, description="Why it was refused, for the rejection letter")
    score: Decimal | None = None
    decision: Decision | None = None
    issued_at: datetime


class ReviewerLoadRequest(BaseModel):
    """How many reviews each reviewer has open now, across every application (from the read model)."""

    reviewer_ids: list[str]


class FundStatementRequest(BaseModel):
    """The fund statement: every entry of the books with the running figures."""

    fund: Fund
    ledger: Ledger
    award_titles: dict[str, str] = Field(default_factory=dict, description="award id → project title")
    issued_at: datetime


class VoidAgreementRequest(BaseModel):
    """Void a grant agreement not yet executed, because its grant was cancelled."""

    workflow_id: str
    actor_id: str
    reason: str = Field(min_length=3, max_length=2000)
