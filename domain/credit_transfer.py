"""Credit transfer: the courses a student took at a partner, checked, decided course by course, posted.

The chain (`transfer_stages`) is: automatic pre-check → home department decides each course →
home registrar approves → partner registrar confirms the grades → ministry, where the program
requires it → credits posted. This module holds the pure part: what a request may contain, what
the pre-check computes, which decisions are coherent, and what gets posted. A request that names
a course the partner does not teach, non-positive credits or a grade off the partner's scale is
refused with every problem listed, before any person is asked to look at it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator, model_validator

from domain.agreement_rules import Rejected
from domain.catalogs import LEVEL_RANK, Catalog, Course, CourseCode, Equivalency, EquivalencyTable, code_key
from domain.credits import CreditError, check_positive, format_credits
from domain.grade_conversion import ConvertedGrade
from domain.grading import GradeError
from domain.parties import ID_PATTERN
from domain.programs import JointProgram
from domain.students import PostedCredit
from domain.terms import Term


class TakenCourse(BaseModel):
    """A course as the partner's transcript shows it."""

    course_code: CourseCode
    title: str = Field(min_length=1, max_length=300)
    credits: Decimal = Field(le=60, decimal_places=2, description="In the partner's credit system")
    grade: str = Field(min_length=1, max_length=20, description="On the partner's scale")

    @field_validator("credits", mode="before")
    @classmethod
    def _positive(cls, v: object, info) -> Decimal:  # type: ignore[no-untyped-def]
        return check_positive(v, what=f"Credits of {info.data.get('course_code', 'a course')}")  # type: ignore[arg-type]


class CreditTransferRequest(BaseModel):
    """One student's courses of one term at one partner, to be credited at home."""

    id: str = Field(pattern=ID_PATTERN)
    program_id: str = Field(pattern=ID_PATTERN)
    student_id: str = Field(pattern=ID_PATTERN)
    term: Term
    taken_at: str = Field(pattern=ID_PATTERN, description="The partner institution")
    credited_at: str = Field(pattern=ID_PATTERN, description="The home institution whose degree it counts toward")
    courses: list[TakenCourse] = Field(min_length=1, max_length=40)

    @model_validator(mode="after")
    def _coherent(self) -> CreditTransferRequest:
        if self.taken_at == self.credited_at:
            raise ValueError("a credit transfer moves credits between two different institutions")
        first: dict[str, str] = {}
        dupes: list[str] = []
        for c in self.courses:
            if code_key(c.course_code) in first and first[code_key(c.course_code)] not in dupes:
                dupes.append(first[code_key(c.course_code)])
            first.setdefault(code_key(c.course_code), c.course_code)
        if dupes:
            raise ValueError(f"{', '.join(dupes)} listed more than once")
        return self


def _refuse(problems: list[str]) -> None:
    if len(problems) == 1:
        raise Rejected(problems[0])
    if problems:
        raise Rejected(f"The request has {len(problems)} problems: " + " ".join(problems))


def check_request(request: CreditTransferRequest, program: JointProgram, catalogs: Mapping[str, Catalog]) -> None:
    """Refuse a request whose courses are not in the partner's catalog or whose grades are off its scale."""
    if request.program_id != program.id:
        raise Rejected(f"Request {request.id} belongs to program {request.program_id}, not {program.id}.")
    partner = program.institution(request.taken_at)
    program.institution(request.credited_at)  # refuses an institution outside the program
    catalog = catalogs.get(partner.organisation_id)
    if catalog is None:
        raise Rejected(f"No course catalog of {partner.name()} is known, so its courses cannot be checked.")
    problems: list[str] = []
    for c in request.courses:
        if catalog.find(c.course_code) is None:
            problems.append(
                f"{partner.name()} has no course '{c.course_code}' ({c.title}) in its catalog; check the code on the transcript."
            )
        try:
            partner.grading_scale.grade_for(c.grade)
        except GradeError as e:
            problems.append(f"{c.course_code}: {e}")
    _refuse(problems)


class CourseDecision(StrEnum):
    APPROVE = "approve"  # counts as a named home course
    APPROVE_AS_ELECTIVE = "approve_as_elective"  # counts as elective credit in a category
    REJECT = "reject"
    ASK_FOR_INFORMATION = "ask_for_information"  # back to the student; not final


FINAL_DECISIONS = {CourseDecision.APPROVE, CourseDecision.APPROVE_AS_ELECTIVE, CourseDecision.REJECT}


class RejectReason(StrEnum):
    CONTENT_MISMATCH = "content_mismatch"
    LEVEL_TOO_LOW = "level_too_low"
    DUPLICATE_CREDIT = "duplicate_credit"
    INSUFFICIENT_HOURS = "insufficient_hours"
    FAILING_GRADE = "failing_grade"
    OTHER = "other"  # needs a comment


class PrecheckFlag(StrEnum):
    NO_EQUIVALENCY = "no_equivalency"  # the department must decide from scratch
    FAILING_GRADE = "failing_grade"
    ALREADY_CREDITED = "already_credited"  # this partner course is already posted at home
    HOME_COURSE_ALREADY_EARNED = "home_course_already_earned"  # its home equivalent is already passed
    CREDITS_DIFFER_FROM_CATALOG = "credits_differ_from_catalog"
    LEVEL_BELOW_HOME = "level_below_home"  # below the level of the home course it would count as


class PrecheckLine(BaseModel):
    """One taken course after the automatic pre-check: what is known, what it converts to, what to look at."""

    course: TakenCourse
    partner_course: Course
    equivalency: Equivalency | None
    credits: Decimal = Field(description="Converted, in the home system")
    grade: ConvertedGrade
    flags: list[PrecheckFlag] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="One readable line per flag")
    suggested: CourseDecision | None = None
    suggested_reason: RejectReason | None = None


def precheck(
    request: CreditTransferRequest,
    program: JointProgram,
    catalogs: Mapping[str, Catalog],
    equivalencies: EquivalencyTable | None,
    on_date: date,
    *,
    posted: Iterable[PostedCredit] = (),
) -> list[PrecheckLine]:
    """For each taken course: the equivalency in force on `on_date`, converted credits and grade, and flags.

    `posted` is what the student already has on the home institution's books (for the
    duplicate flags). Refuses the request as `check_request` does.
    """
    check_request(request, program, catalogs)
    partner, home = program.institution(request.taken_at), program.institution(request.credited_at)
    if equivalencies is not None and equivalencies.institution_id != home.organisation_id:
        raise Rejected(f"The equivalency table given is {equivalencies.institution_id}'s, not {home.name()}'s.")
    at_home = [p for p in posted if p.institution_id == home.organisation_id and p.source_request_id != request.id]
    home_catalog = catalogs.get(home.organisation_id)
    lines: list[PrecheckLine] = []
    for c in request.courses:
        course = catalogs[partner.organisation_id].find(c.course_code)
        assert course is not None  # check_request refused unknown courses
        try:
            credits, grade = program.convert(partner.organisation_id, home.organisation_id, c.credits, c.grade)
        except (CreditError, GradeError) as e:
            raise Rejected(f"{c.course_code}: {e}") from None
        eq = equivalencies.lookup(course, on_date) if equivalencies else None
        flags: list[tuple[PrecheckFlag, str]] = []
        if eq is None:
            flags.append((PrecheckFlag.NO_EQUIVALENCY, f"No equivalency for {course.code} is in force on {on_date.isoformat()}."))
        if not grade.passing:
            flags.append((PrecheckFlag.FAILING_GRADE, f"{grade.from_grade} is a failing grade at {partner.name()}."))
        if c.credits != course.credits:
            flags.append(
                (
                    PrecheckFlag.CREDITS_DIFFER_FROM_CATALOG,
                    f"The transcript shows {format_credits(c.credits, partner.credit_system)}, the catalog"
                    f" {format_credits(course.credits, partner.credit_system)}.",
                )
            )
        if any(p.taken_at == partner.organisation_id and code_key(p.course_code) == code_key(course.code) for p in at_home):
            flags.append((PrecheckFlag.ALREADY_CREDITED, f"{course.code} is already credited at {home.name()}."))
        if eq is not None and eq.home_course_code:
            earned = [
                p for p in at_home
                if p.home_course_code and code_key(p.home_course_code) == code_key(eq.home_course_code)
                and home.grading_scale.grade_for(p.grade).passing
            ]  # fmt: skip
            if earned:
                flags.append(
                    (PrecheckFlag.HOME_COURSE_ALREADY_EARNED, f"{eq.home_course_code} is already passed ({earned[0].term}).")
                )
            target = home_catalog.find(eq.home_course_code) if home_catalog else None
            if target is not None and LEVEL_RANK[course.level] < LEVEL_RANK[target.level]:
                flags.append(
                    (
                        PrecheckFlag.LEVEL_BELOW_HOME,
                        f"{course.code} is a {course.level.value} course; {target.code} is {target.level.value}.",
                    )
                )
        suggested, reason = _suggest({f for f, _ in flags}, eq)
        lines.append(
            PrecheckLine(
                course=c,
                partner_course=course,
                equivalency=eq,
                credits=credits,
                grade=grade,
                flags=[f for f, _ in flags],
                notes=[n for _, n in flags],
                suggested=suggested,
                suggested_reason=reason,
            )
        )
    return lines


def _suggest(flags: set[PrecheckFlag], eq: Equivalency | None) -> tuple[CourseDecision | None, RejectReason | None]:
    """A suggestion the department sees pre-selected; it never decides on its own."""
    if PrecheckFlag.FAILING_GRADE in flags:
        return CourseDecision.REJECT, RejectReason.FAILING_GRADE
    if flags & {PrecheckFlag.ALREADY_CREDITED, PrecheckFlag.HOME_COURSE_ALREADY_EARNED}:
        return CourseDecision.REJECT, RejectReason.DUPLICATE_CREDIT
    if eq is None:
        return None, None
    return (CourseDecision.APPROVE_AS_ELECTIVE if eq.is_elective else CourseDecision.APPROVE), None
