"""The home department's decisions on a credit transfer, and what they post.

A department decides course by course, possibly over several sittings: a later decision on a course
replaces an earlier one, so "ask for information" is followed by a final answer once the student
replies. Approving without naming the home course takes it from the equivalency the pre-check
found; approving a failed course is refused. An approval can be saved to the equivalency table so
the next student's pre-check finds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from domain.agreement_rules import Rejected
from domain.catalogs import CATEGORY_PATTERN, Catalog, CourseCode, Equivalency, code_key
from domain.credit_transfer import FINAL_DECISIONS, CourseDecision, CreditTransferRequest, PrecheckLine, RejectReason
from domain.parties import PersonRef
from domain.programs import JointProgram
from domain.students import PostedCredit


class TransferStage(StrEnum):
    PRECHECK = "precheck"
    DEPARTMENT = "department"  # the home department decides each course
    HOME_REGISTRAR = "home_registrar"  # approves the department's decisions
    PARTNER_REGISTRAR = "partner_registrar"  # confirms the grades as taken
    MINISTRY = "ministry"  # only where the program requires it
    POSTED = "posted"


def transfer_stages(program: JointProgram) -> list[TransferStage]:
    """The stages a request of `program` passes through, in order."""
    return [s for s in TransferStage if s is not TransferStage.MINISTRY or program.requires_ministry_authorization]


class CourseDecisionLine(BaseModel):
    """The department's decision on one course of a request."""

    course_code: CourseCode
    decision: CourseDecision
    home_course_code: CourseCode | None = Field(default=None, description="approve: the home course; the equivalency's if unset")
    elective_category: str | None = Field(
        default=None, pattern=CATEGORY_PATTERN, description="approve_as_elective; the equivalency's if unset"
    )
    reason: RejectReason | None = None
    comment: str = Field(default="", max_length=2000, description="The question, for ask_for_information")
    save_as_equivalency: bool = False

    @model_validator(mode="after")
    def _coherent(self) -> CourseDecisionLine:
        d, c = self.decision, self.course_code
        if d is CourseDecision.REJECT and self.reason is None:
            raise ValueError(f"rejecting {c} needs a reason code")
        if d is not CourseDecision.REJECT and self.reason is not None:
            raise ValueError(f"a reason code goes with a rejection, not with {d.value}")
        if self.reason is RejectReason.OTHER and not self.comment.strip():
            raise ValueError(f"rejecting {c} for another reason needs a comment saying which")
        if d is CourseDecision.ASK_FOR_INFORMATION and not self.comment.strip():
            raise ValueError(f"asking for information on {c} needs the question in the comment")
        if self.home_course_code is not None and d is not CourseDecision.APPROVE:
            raise ValueError(f"a home course goes with approve, not with {d.value}")
        if self.elective_category is not None and d is not CourseDecision.APPROVE_AS_ELECTIVE:
            raise ValueError(f"an elective category goes with approve_as_elective, not with {d.value}")
        if self.save_as_equivalency and d not in {CourseDecision.APPROVE, CourseDecision.APPROVE_AS_ELECTIVE}:
            raise ValueError("only an approval can be saved as an equivalency")
        return self


def latest_decisions(decisions: Iterable[CourseDecisionLine]) -> dict[str, CourseDecisionLine]:
    """The decision in force per course (by code key): the last one given."""
    return {code_key(d.course_code): d for d in decisions}


def pending_courses(request: CreditTransferRequest, decisions: Iterable[CourseDecisionLine]) -> list[str]:
    """Courses still without a final decision (undecided, or waiting for the student's answer)."""
    latest = latest_decisions(decisions)
    return [
        c.course_code for c in request.courses
        if (d := latest.get(code_key(c.course_code))) is None or d.decision not in FINAL_DECISIONS
    ]  # fmt: skip


def _line(lines: list[PrecheckLine], code: str) -> PrecheckLine | None:
    return next((ln for ln in lines if code_key(ln.partner_course.code) == code_key(code)), None)


def resolved_target(decision: CourseDecisionLine, line: PrecheckLine) -> tuple[str | None, str | None]:
    """(home course code, elective category) an approval counts as, filled from the equivalency when unset."""
    eq = line.equivalency
    if decision.decision is CourseDecision.APPROVE:
        return decision.home_course_code or (eq.home_course_code if eq else None), None
    if decision.decision is CourseDecision.APPROVE_AS_ELECTIVE:
        return None, decision.elective_category or (eq.elective_category if eq else None)
    return None, None


def check_decisions(
    request: CreditTransferRequest, lines: list[PrecheckLine], decisions: list[CourseDecisionLine], home_catalog: Catalog
) -> None:
    """Refuse a batch of decisions that names a course not in the request, decides one twice,
    approves a failed course, or counts a course as a home course that does not exist."""
    problems: list[str] = []
    seen: set[str] = set()
    for d in decisions:
        line = _line(lines, d.course_code)
        if line is None:
            problems.append(f"{d.course_code} is not among the courses of request {request.id}.")
            continue
        if code_key(d.course_code) in seen:
            problems.append(f"{d.course_code} is decided twice in the same submission.")
        seen.add(code_key(d.course_code))
        if d.decision not in {CourseDecision.APPROVE, CourseDecision.APPROVE_AS_ELECTIVE}:
            continue
        if not line.grade.passing:
            problems.append(f"{d.course_code} was failed ({line.grade.from_grade}); it can only be rejected.")
            continue
        home_code, category = resolved_target(d, line)
        if d.decision is CourseDecision.APPROVE and home_code is None:
            problems.append(f"Approving {d.course_code} needs the home course it counts as; no equivalency is known.")
        elif d.decision is CourseDecision.APPROVE and home_catalog.find(home_code) is None:  # type: ignore[arg-type]
            problems.append(f"{home_code} is not a course of {home_catalog.institution_id}'s catalog.")
        if d.decision is CourseDecision.APPROVE_AS_ELECTIVE and category is None:
            problems.append(f"Approving {d.course_code} as an elective needs the elective category.")
    if len(problems) == 1:
        raise Rejected(problems[0])
    if problems:
        raise Rejected(f"{len(problems)} problems: " + " ".join(problems))


def post_credits(
    request: CreditTransferRequest, lines: list[PrecheckLine], decisions: Iterable[CourseDecisionLine]
) -> list[PostedCredit]:
    """The credits a fully decided request posts at home: one per approved course, converted."""
    decisions = list(decisions)
    waiting = pending_courses(request, decisions)
    if waiting:
        raise Rejected(f"Credits cannot be posted yet: {', '.join(waiting)} still await a final decision.")
    out: list[PostedCredit] = []
    for d in latest_decisions(decisions).values():
        line = _line(lines, d.course_code)
        if line is None or d.decision is CourseDecision.REJECT:
            continue
        home_code, category = resolved_target(d, line)
        out.append(
            PostedCredit(
                institution_id=request.credited_at,
                taken_at=request.taken_at,
                course_code=line.partner_course.code,
                title=line.course.title,
                home_course_code=home_code,
                elective_category=category,
                credits=line.credits,
                grade=line.grade.grade,
                term=request.term,
                source_request_id=request.id,
                original_credits=line.course.credits,
                original_grade=line.grade.from_grade,
            )
        )
    return out


def equivalency_from_decision(
    request: CreditTransferRequest,
    decision: CourseDecisionLine,
    line: PrecheckLine,
    *,
    decided_by: PersonRef,
    effective_from: date,
) -> Equivalency:
    """The table entry an approval saved for reuse becomes, open-ended from `effective_from`."""
    home_code, category = resolved_target(decision, line)
    if home_code is None and category is None:
        raise Rejected(f"Only an approval of {decision.course_code} with its home course or category can be saved.")
    return Equivalency(
        partner_institution_id=request.taken_at,
        partner_course_code=line.partner_course.code,
        home_institution_id=request.credited_at,
        home_course_code=home_code,
        elective_category=category,
        effective_from=effective_from,
        decided_by=decided_by,
        source_request_id=request.id,
        note=decision.comment,
    )


def partner_postings(
    request: CreditTransferRequest, lines: list[PrecheckLine], posted_already: Iterable[PostedCredit] = ()
) -> list[PostedCredit]:
    """The courses on the partner's own books, as its registrar confirmed them: every course taken,
    in the partner's credits and on its scale, counting toward the partner's degree (whether home
    recognizes it is a separate matter). A course already on the partner's books for that term is
    not posted twice."""
    have = {(p.institution_id, code_key(p.course_code), p.term) for p in posted_already}
    return [
        PostedCredit(institution_id=request.taken_at, taken_at=request.taken_at, course_code=ln.partner_course.code,
                     title=ln.course.title, credits=ln.course.credits, grade=ln.grade.from_grade, term=request.term,
                     source_request_id=request.id)
        for ln in lines
        if (request.taken_at, code_key(ln.partner_course.code), request.term) not in have
    ]  # fmt: skip
