"""Learning agreements: the courses a student plans to take at the partner, and changes during the term.

A change (add or drop a course, with a reason code) is a proposal with its own approval. Each
approved change raises the agreement's revision, and a proposal records the revision it was made
against: approving a proposal made against an older revision is refused, as approving a stale
version of an agreement is, because the person approving has not seen what changed since.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from domain.agreement_rules import Rejected
from domain.catalogs import Catalog, CourseCode, code_key
from domain.parties import ID_PATTERN
from domain.terms import Term


class ChangeKind(StrEnum):
    ADD = "add"
    DROP = "drop"


class ChangeReason(StrEnum):
    COURSE_CANCELLED = "course_cancelled"
    TIMETABLE_CLASH = "timetable_clash"
    LANGUAGE = "language"  # language of instruction differs from what was announced or can be followed
    OTHER = "other"  # needs a comment


class PlannedCourse(BaseModel):
    course_code: CourseCode
    title: str = Field(min_length=1, max_length=300)
    home_course_code: CourseCode | None = Field(default=None, description="What it is expected to count as, if known")


class LearningAgreement(BaseModel):
    """The plan for one student's term at one partner; `revision` counts approved changes."""

    student_id: str = Field(pattern=ID_PATTERN)
    program_id: str = Field(pattern=ID_PATTERN)
    term: Term
    taken_at: str = Field(pattern=ID_PATTERN)
    credited_at: str = Field(pattern=ID_PATTERN)
    courses: list[PlannedCourse] = Field(default_factory=list, max_length=40)
    revision: int = Field(default=0, ge=0)

    def has(self, code: str) -> bool:
        return any(code_key(c.course_code) == code_key(code) for c in self.courses)


class LearningAgreementChange(BaseModel):
    """A proposal to add or drop one course, made against revision `base_revision`."""

    proposal_id: str = Field(pattern=ID_PATTERN)
    kind: ChangeKind
    course_code: CourseCode
    title: str = Field(default="", max_length=300, description="For an added course: its title")
    home_course_code: CourseCode | None = None
    reason: ChangeReason
    comment: str = Field(default="", max_length=2000)
    base_revision: int = Field(ge=0)
    proposed_by: str = Field(min_length=1, max_length=64)

    @model_validator(mode="after")
    def _coherent(self) -> LearningAgreementChange:
        if self.reason is ChangeReason.OTHER and not self.comment.strip():
            raise ValueError("a change for another reason needs a comment saying which")
        if self.kind is ChangeKind.ADD and not self.title.strip():
            raise ValueError(f"adding {self.course_code} needs its title")
        return self

    @property
    def summary(self) -> str:
        return f"{self.kind.value} {self.course_code} ({self.reason.value.replace('_', ' ')})"


def check_change(agreement: LearningAgreement, change: LearningAgreementChange, partner_catalog: Catalog) -> None:
    """Refuse a proposal that cannot apply: an added course the partner does not teach or already planned,
    a dropped course not in the plan, or a revision that does not exist yet."""
    if change.base_revision > agreement.revision:
        raise Rejected(f"Revision {change.base_revision} of the learning agreement does not exist; it is at {agreement.revision}.")
    if change.kind is ChangeKind.ADD:
        if partner_catalog.find(change.course_code) is None:
            raise Rejected(f"{change.course_code} is not in {partner_catalog.institution_id}'s catalog; check the code.")
        if agreement.has(change.course_code):
            raise Rejected(f"{change.course_code} is already in the learning agreement.")
    elif not agreement.has(change.course_code):
        raise Rejected(f"{change.course_code} is not in the learning agreement, so it cannot be dropped.")


def check_change_approval(
    current_revision: int, proposal: LearningAgreementChange, *, last_change: LearningAgreementChange | None = None
) -> None:
    """Refuse approving `proposal` unless it was made against the current revision.

    `last_change`, the change that produced the current revision, is named in the message when given.
    """
    if proposal.base_revision == current_revision:
        return
    since = f" (the latest change: {last_change.summary}, proposed by {last_change.proposed_by})" if last_change else ""
    raise Rejected(
        f"Conflict: you tried to approve “{proposal.summary}”, proposed against revision {proposal.base_revision} of the"
        f" learning agreement, but the current revision is {current_revision}{since}. Please read the current learning"
        " agreement and ask for the change to be proposed again against it."
    )


def apply_change(agreement: LearningAgreement, change: LearningAgreementChange) -> LearningAgreement:
    """The agreement after an approved change, one revision on."""
    check_change_approval(agreement.revision, change)
    if (change.kind is ChangeKind.ADD) is agreement.has(change.course_code):
        state = "already in" if change.kind is ChangeKind.ADD else "not in"
        raise Rejected(f"{change.course_code} is {state} the learning agreement; the change cannot apply.")
    if change.kind is ChangeKind.ADD:
        added = PlannedCourse(course_code=change.course_code, title=change.title, home_course_code=change.home_course_code)
        courses = [*agreement.courses, added]
    else:
        courses = [c for c in agreement.courses if code_key(c.course_code) != code_key(change.course_code)]
    return agreement.model_copy(update={"courses": courses, "revision": agreement.revision + 1})
