"""One credit transfer as its workflow holds it: who takes part, the actions they send, the state.

The workflow receives snapshots of the program, the catalogs, the equivalency table and the
student record, so every check (`domain.transfer_rules`) decides without I/O. The state keeps the
decisions in force (a registrar's return removes some), the questions asked of the student, the
learning-agreement proposals and every event, so the read model can be rebuilt from it alone.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.agreements import Event
from domain.catalogs import Catalog, CourseCode, Equivalency, EquivalencyTable, code_key
from domain.credit_transfer import (
    FINAL_DECISIONS,
    CourseDecision,
    CreditTransferRequest,
    PrecheckLine,
    RejectReason,
)
from domain.human_steps import OpenStep
from domain.learning_agreements import ChangeKind, ChangeReason, LearningAgreement, LearningAgreementChange, PlannedCourse
from domain.parties import PersonRef
from domain.programs import JointProgram
from domain.readmodel import ItemDocument
from domain.students import PostedCredit, StudentRecord
from domain.transfer_decisions import CourseDecisionLine, TransferStage, latest_decisions

# ---------------------------------------------------------------- who takes part


class InstitutionStaff(BaseModel):
    """The people of one institution of a program who act on credit transfers."""

    model_config = ConfigDict(frozen=True)

    department_reviewers: tuple[PersonRef, ...] = ()
    registrars: tuple[PersonRef, ...] = ()
    liaison: PersonRef | None = Field(default=None, description="Hears first when a step of this institution is overdue")


class ProgramRoster(BaseModel):
    """Everyone a program's credit transfers may wait on, by institution; the board hears last."""

    model_config = ConfigDict(frozen=True)

    staff: dict[str, InstitutionStaff] = Field(description="institution id → its staff")
    coordinators: tuple[PersonRef, ...] = Field(min_length=1)
    ministry_officers: tuple[PersonRef, ...] = ()
    board: tuple[PersonRef, ...] = ()

    def at(self, institution_id: str | None) -> InstitutionStaff:
        return self.staff.get(institution_id or "", InstitutionStaff())


# ---------------------------------------------------------------- actions


class DecideCourseAction(BaseModel):
    """The home department's decision on one course. `note` is the question for ask_for_information
    and the comment otherwise; `expected_revision`, when given, refuses a decision taken on a stale page."""

    actor_id: str = Field(min_length=1, max_length=64)
    course_code: CourseCode
    decision: CourseDecision
    home_course_code: CourseCode | None = None
    elective_category: str | None = Field(default=None, max_length=64)
    reason_code: RejectReason | None = None
    note: str = Field(default="", max_length=2000)
    save_as_equivalency: bool = False
    expected_revision: int | None = None

    def line(self) -> CourseDecisionLine:
        """The decision as the pure rules read it (raises pydantic's ValidationError when incoherent)."""
        return CourseDecisionLine(
            course_code=self.course_code, decision=self.decision, home_course_code=self.home_course_code,
            elective_category=self.elective_category, reason=self.reason_code, comment=self.note,
            save_as_equivalency=self.save_as_equivalency,
        )  # fmt: skip


class ProvideInformationAction(BaseModel):
    actor_id: str = Field(min_length=1, max_length=64)
    course_code: CourseCode
    text: str = Field(min_length=1, max_length=4000)


class StageAction(BaseModel):
    """A registrar's approval, a partner registrar's confirmation, a ministry's authorization."""

    actor_id: str = Field(min_length=1, max_length=64)
    comment: str = Field(default="", max_length=2000)
    expected_revision: int | None = None


class ReturnAction(BaseModel):
    """The home registrar sends decisions back to the department: the courses named, or all when none are."""

    actor_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)
    course_codes: list[CourseCode] = Field(default_factory=list, max_length=40)
    expected_revision: int | None = None


class ProposeChangeAction(BaseModel):
    actor_id: str = Field(min_length=1, max_length=64)
    proposal_id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{1,63}$")
    kind: ChangeKind
    course_code: CourseCode
    title: str = Field(default="", max_length=300)
    home_course_code: CourseCode | None = None
    reason: ChangeReason
    comment: str = Field(default="", max_length=2000)
    base_revision: int = Field(ge=0)

    def change(self) -> LearningAgreementChange:
        return LearningAgreementChange(
            proposal_id=self.proposal_id, kind=self.kind, course_code=self.course_code, title=self.title,
            home_course_code=self.home_course_code, reason=self.reason, comment=self.comment,
            base_revision=self.base_revision, proposed_by=self.actor_id,
        )  # fmt: skip


class ApproveChangeAction(BaseModel):
    actor_id: str = Field(min_length=1, max_length=64)
    proposal_id: str = Field(min_length=1, max_length=64)


class CloseChangeAction(BaseModel):
    """A pending proposal ends unapproved: withdrawn by the student's side, or declined by the
    department (an outdated one, say) with the reason the student will read."""

    actor_id: str = Field(min_length=1, max_length=64)
    proposal_id: str = Field(min_length=1, max_length=64)
    decline: bool = Field(default=False, description="The department declines it; otherwise the student's side withdraws it")
    reason: str = Field(default="", max_length=2000)


class TransferResult(BaseModel):
    """What an update returns to the page that sent it."""

    stage: TransferStage
    revision: int
    message: str


# ---------------------------------------------------------------- state


class InfoRequest(BaseModel):
    """A question the department asked about one course, and the answer once given."""

    course_code: str
    question: str
    asked_by: str
    asked_at: datetime
    seq: int = Field(description="The event that asked it: tells repeated questions apart")
    answer: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"


class ChangeProposal(BaseModel):
    change: LearningAgreementChange
    status: ProposalStatus = ProposalStatus.PENDING
    proposed_at: datetime
    approved_by: str | None = None
    closed_by: str | None = Field(default=None, description="Who withdrew or declined it")
    close_reason: str = ""


class Signoff(BaseModel):
    """A stage passed: who approved, confirmed or authorized, and when."""

    stage: TransferStage
    person_id: str
    person_name: str
    at: datetime
    comment: str = ""


class CreditTransferState(BaseModel):
    program: JointProgram
    catalogs: dict[str, Catalog]
    equivalencies: EquivalencyTable | None = None
    record: StudentRecord
    request: CreditTransferRequest
    roster: ProgramRoster
    learning_agreement: LearningAgreement
    stage: TransferStage = TransferStage.PRECHECK
    revision: int = Field(
        default=0, description="Raised by every accepted action: a page's expected_revision is checked against it"
    )
    lines: list[PrecheckLine] = Field(default_factory=list)
    decisions: list[CourseDecisionLine] = Field(default_factory=list, description="In force; the history is in the events")
    decided_by: dict[str, str] = Field(default_factory=dict, description="course code key → who decided it")
    info: list[InfoRequest] = Field(default_factory=list)
    proposals: list[ChangeProposal] = Field(default_factory=list)
    department_round: int = 1
    signoffs: list[Signoff] = Field(default_factory=list)
    posted: list[PostedCredit] = Field(default_factory=list, description="At home, converted")
    posted_at_partner: list[PostedCredit] = Field(default_factory=list, description="On the partner's books, as taken")
    saved_equivalencies: list[Equivalency] = Field(default_factory=list)
    documents: list[ItemDocument] = Field(default_factory=list, description="The learning agreement as posted")
    steps: list[OpenStep] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    projected_seq: int = 0
    created_at: datetime | None = None
    posted_at: datetime | None = None

    @property
    def home_id(self) -> str:
        return self.request.credited_at

    @property
    def partner_id(self) -> str:
        return self.request.taken_at

    @property
    def student(self) -> PersonRef:
        return self.record.person

    def latest(self) -> dict[str, CourseDecisionLine]:
        return latest_decisions(self.decisions)

    def open_question(self, course_code: str) -> InfoRequest | None:
        """The unanswered question on a course whose decision in force is still 'ask for information'."""
        d = self.latest().get(code_key(course_code))
        if d is None or d.decision is not CourseDecision.ASK_FOR_INFORMATION:
            return None
        asked = [q for q in self.info if code_key(q.course_code) == code_key(course_code)]
        return asked[-1] if asked and asked[-1].answer is None else None

    def awaiting_department(self) -> list[str]:
        """Courses the department has to decide: undecided, or answered after a question."""
        latest = self.latest()
        out = []
        for c in self.request.courses:
            d = latest.get(code_key(c.course_code))
            if d is None or (d.decision not in FINAL_DECISIONS and self.open_question(c.course_code) is None):
                out.append(c.course_code)
        return out

    def awaiting_information(self) -> list[InfoRequest]:
        return [q for c in self.request.courses if (q := self.open_question(c.course_code)) is not None]

    def pending_proposals(self) -> list[ChangeProposal]:
        return [p for p in self.proposals if p.status is ProposalStatus.PENDING]

    def last_approved_change(self) -> LearningAgreementChange | None:
        done = [p for p in self.proposals if p.status is ProposalStatus.APPROVED]
        return done[-1].change if done else None

    def summary(self) -> dict[str, object]:
        """The list columns: courses approved, rejected and pending, credits requested (partner's
        system) and approved (home system)."""
        latest = self.latest()
        approved = [ln for ln in self.lines if (d := latest.get(code_key(ln.partner_course.code))) and d.decision in
                    {CourseDecision.APPROVE, CourseDecision.APPROVE_AS_ELECTIVE}]  # fmt: skip
        rejected = [d for d in latest.values() if d.decision is CourseDecision.REJECT]
        return {
            "student_id": self.record.student_id,
            "student_name": self.student.name,
            "program_id": self.program.id,
            "term": self.request.term,
            "courses": len(self.request.courses),
            "approved": len(approved),
            "rejected": len(rejected),
            "pending": len(self.request.courses) - len(approved) - len(rejected),
            "credits_requested": str(sum((c.credits for c in self.request.courses), Decimal(0))),
            "credits_approved": str(sum((ln.credits for ln in approved), Decimal(0))),
            "credits_posted": str(sum((p.credits for p in self.posted), Decimal(0))),
        }


def learning_agreement_from(request: CreditTransferRequest) -> LearningAgreement:
    """The plan a transfer starts from when none is given: the courses of the request, revision 0."""
    return LearningAgreement(
        student_id=request.student_id, program_id=request.program_id, term=request.term, taken_at=request.taken_at,
        credited_at=request.credited_at,
        courses=[PlannedCourse(course_code=c.course_code, title=c.title) for c in request.courses],
    )  # fmt: skip


class CreditsPosted(BaseModel):
    """What a finished transfer tells the student record: the credits to add, and the decisions saved for reuse."""

    request_id: str
    term: str
    workflow_id: str
    credited_at: str
    credits: list[PostedCredit]
    equivalencies: list[Equivalency] = Field(default_factory=list)


class CreditTransferOutcome(BaseModel):
    request_id: str
    stage: TransferStage
    posted: list[PostedCredit]
    equivalencies: list[Equivalency] = Field(default_factory=list)
