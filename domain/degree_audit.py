"""Degree audit: a student's progress toward each degree of a joint program, and when it will be done.

Each degree is audited on its own institution's books (credits posted there, in its system and on
its scale), against every requirement: total credits, minimum credits earned at each institution,
required courses (taken there or transferred as an equivalent), minimum GPA and thesis. The audit
is a pure function of the record, recomputed on each posting, so what a coordinator, a student
and a transcript show can never disagree.

Rules a registrar should know:
- Credits count when the grade passes (P included); failed graded courses count in the GPA.
- The GPA is credit-weighted, pass/fail left out, rounded half-up to 0.01 (`grade_conversion.gpa`).
- The projection assumes `planned load` credits a term from `as_of_term` (by default the term after
  the last one posted at that institution), and at least one more term while anything is missing.
- `percent_complete` is credit progress, held below 100 while any requirement is unmet so a
  progress bar never reads 100 % with a thesis outstanding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.catalogs import Catalog, EquivalencyTable, code_key
from domain.credits import CREDIT_SYSTEMS, CreditSystem, format_credits, plain_number
from domain.grade_conversion import gpa
from domain.programs import JointProgram, ProgramInstitution
from domain.students import PostedCredit, StudentRecord, ThesisStatus
from domain.terms import next_term, normalize_term, term_index, term_start, terms_between

PERCENT_QUANTUM = Decimal("0.1")
ALMOST_DONE = Decimal("99.9")


class RequirementKind(StrEnum):
    TOTAL_CREDITS = "total_credits"
    MINIMUM_AT_INSTITUTION = "minimum_at_institution"
    REQUIRED_COURSE = "required_course"
    MINIMUM_GPA = "minimum_gpa"
    THESIS = "thesis"


class LoadBasis(StrEnum):
    TYPICAL = "typical"  # the degree's planned load, else its credit system's full-time load a term
    OBSERVED = "observed"  # what the student has averaged a term since enrolment


class RequirementProgress(BaseModel):
    kind: RequirementKind
    label: str
    met: bool
    required: Decimal | None = Field(default=None, description="Credits, or the minimum GPA")
    earned: Decimal | None = Field(default=None, description="Credits, or the GPA")
    institution_id: str | None = None
    course_code: str | None = None
    satisfied_by: str | None = None
    missing: str | None = Field(default=None, description="What is still needed, as a sentence; None when met")


class DegreeAudit(BaseModel):
    """One degree's audit: every requirement, what is missing and the projected completion term."""

    institution_id: str
    degree_title: dict[str, str]
    credit_system: CreditSystem
    grading_scale: str
    requirements: list[RequirementProgress]
    required_credits: Decimal
    earned_credits: Decimal
    remaining_credits: Decimal = Field(description="Toward the total")
    credits_needed: Decimal = Field(description="Toward the total and every minimum per institution")
    earned_at: dict[str, Decimal] = Field(description="institution id → credits earned there, in this degree's system")
    gpa: Decimal | None
    missing: list[str]
    percent_complete: Decimal
    met: bool
    as_of_term: str
    planned_load_per_term: Decimal
    terms_remaining: int
    projected_completion_term: str | None = Field(description="The last term still needed; when met, the last term posted")


def _course_label(code: str, catalog: Catalog | None, lang: str = "en") -> str:
    course = catalog.find(code) if catalog else None
    return f"{course.code} {course.name(lang)}" if course else code


def _planned_load(
    record: StudentRecord, inst: ProgramInstitution, earned: Decimal, basis: LoadBasis, given: Decimal | None
) -> Decimal:
    if given is not None:
        return given
    last = record.last_posted_term(inst.organisation_id)
    if basis is LoadBasis.OBSERVED and last is not None and earned > 0:
        terms = max(terms_between(record.enrolled_term, last) + 1, 1)
        return (earned / terms).quantize(Decimal("0.01"))
    return inst.requirements.planned_load_per_term or CREDIT_SYSTEMS[inst.credit_system].typical_term_load


def audit_degree(
    record: StudentRecord,
    program: JointProgram,
    institution_id: str,
    catalogs: Mapping[str, Catalog],
    equivalencies: Mapping[str, EquivalencyTable] | None = None,
    *,
    as_of_term: str | None = None,
    load_basis: LoadBasis = LoadBasis.TYPICAL,
    planned_load: Decimal | None = None,
) -> DegreeAudit:
    """The audit of one institution's degree; see `audit` for both."""
    inst = program.institution(institution_id)
    req, unit, scale = inst.requirements, inst.credit_system, inst.grading_scale
    posted = record.posted_at(institution_id)
    passing = [p for p in posted if scale.grade_for(p.grade).passing]
    earned = sum((p.credits for p in passing), Decimal(0))
    earned_at = {
        i: sum((p.credits for p in passing if p.taken_at == i), Decimal(0)) for i in program.institution_ids
    }
    average = gpa(
        (p.credits, scale.grade_for(p.grade).points) for p in posted if req.gpa_includes_transfers or not p.transferred
    )
    last = record.last_posted_term(institution_id)
    as_of = normalize_term(as_of_term) if as_of_term else (next_term(last) if last else record.enrolled_term)
    if term_index(as_of) < term_index(record.enrolled_term):
        as_of = record.enrolled_term

    def fmt(x: Decimal) -> str:
        return format_credits(x, unit)

    reqs: list[RequirementProgress] = []

    remaining = max(req.total_credits - earned, Decimal(0))
    reqs.append(
        RequirementProgress(
            kind=RequirementKind.TOTAL_CREDITS,
            label=f"Total credits: {fmt(earned)} of {fmt(req.total_credits)}",
            met=remaining == 0,
            required=req.total_credits,
            earned=earned,
            missing=None
            if remaining == 0
            else f"{fmt(remaining)} more needed: {plain_number(earned)} of {fmt(req.total_credits)} earned.",
        )
    )
    shortfall = Decimal(0)
    for other_id, minimum in req.minimum_at.items():
        other = program.institution(other_id)
        have = earned_at.get(other_id, Decimal(0))
        short = max(minimum - have, Decimal(0))
        shortfall += short
        reqs.append(
            RequirementProgress(
                kind=RequirementKind.MINIMUM_AT_INSTITUTION,
                label=f"Credits earned at {other.name()}: {fmt(have)} of at least {fmt(minimum)}",
                met=short == 0,
                required=minimum,
                earned=have,
                institution_id=other_id,
                missing=None
                if short == 0
                else f"At least {fmt(minimum)} must be earned at {other.name()}: {plain_number(have)} so far, {plain_number(short)} more needed.",
            )
        )
    for code in req.required_courses:
        reqs.append(_required_course(code, inst, program, passing, catalogs, equivalencies, as_of))
    if req.minimum_gpa is not None:
        ok = average is not None and average >= req.minimum_gpa
        minimum_text = f"{req.minimum_gpa} on the {scale.name()}"
        reqs.append(
            RequirementProgress(
                kind=RequirementKind.MINIMUM_GPA,
                label=f"GPA: {average if average is not None else '—'} (minimum {minimum_text})",
                met=ok,
                required=req.minimum_gpa,
                earned=average,
                missing=None
                if ok
                else (
                    f"No graded courses yet; a GPA of at least {minimum_text} is required."
                    if average is None
                    else f"GPA {average} is below the minimum {minimum_text}."
                ),
            )
        )
    if req.thesis_required:
        status = record.thesis_status(institution_id)
        ok = status is ThesisStatus.APPROVED
        said = status.value.replace("_", " ")
        reqs.append(
            RequirementProgress(
                kind=RequirementKind.THESIS,
                label=f"Thesis: {said}",
                met=ok,
                missing=None if ok else f"Thesis {said}; it must be approved.",
            )
        )

    met = all(r.met for r in reqs)
    needed = max(remaining, shortfall)
    load = _planned_load(record, inst, earned, load_basis, planned_load)
    terms = 0 if met else max(math.ceil(needed / load), 1)
    projected = last if met else next_term(as_of, terms - 1)
    percent = (min(earned, req.total_credits) * 100 / req.total_credits).quantize(PERCENT_QUANTUM, rounding=ROUND_DOWN)
    return DegreeAudit(
        institution_id=institution_id,
        degree_title=inst.degree_title,
        credit_system=unit,
        grading_scale=scale.id,
        requirements=reqs,
        required_credits=req.total_credits,
        earned_credits=earned,
        remaining_credits=remaining,
        credits_needed=needed,
        earned_at=earned_at,
        gpa=average,
        missing=[r.missing for r in reqs if r.missing],
        percent_complete=percent if met else min(percent, ALMOST_DONE),
        met=met,
        as_of_term=as_of,
        planned_load_per_term=load,
        terms_remaining=terms,
        projected_completion_term=projected,
    )


def _required_course(
    code: str,
    inst: ProgramInstitution,
    program: JointProgram,
    passing: list[PostedCredit],
    catalogs: Mapping[str, Catalog],
    equivalencies: Mapping[str, EquivalencyTable] | None,
    as_of: str,
) -> RequirementProgress:
    """A required course is met by passing it, or a partner course transferred as it."""
    label = _course_label(code, catalogs.get(inst.organisation_id))
    hit = next((p for p in passing if p.home_course_code and code_key(p.home_course_code) == code_key(code)), None)
    if hit is not None:
        how = (
            f"{hit.course_code} {hit.title} at {program.institution(hit.taken_at).name()}, {hit.term}, by equivalency"
            if hit.transferred
            else f"{hit.term}, grade {hit.grade}"
        )
        return RequirementProgress(
            kind=RequirementKind.REQUIRED_COURSE, label=f"Required course {label}", met=True, course_code=code, satisfied_by=how
        )
    missing = f"Required course {label} is missing."
    table = equivalencies.get(inst.organisation_id) if equivalencies else None
    options = table.leading_to(code, term_start(as_of)) if table else []
    if options:
        alternatives = ", ".join(
            f"{_course_label(e.partner_course_code, catalogs.get(e.partner_institution_id))} at "
            f"{program.institution(e.partner_institution_id).name()}"
            for e in options
            if e.partner_institution_id in program.institution_ids
        )
        missing = missing[:-1] + f"; it can also be met by {alternatives}."
    return RequirementProgress(
        kind=RequirementKind.REQUIRED_COURSE, label=f"Required course {label}", met=False, course_code=code, missing=missing
    )


def audit(
    record: StudentRecord,
    program: JointProgram,
    catalogs: Mapping[str, Catalog],
    equivalencies: Mapping[str, EquivalencyTable] | None = None,
    *,
    as_of_term: str | None = None,
    load_basis: LoadBasis = LoadBasis.TYPICAL,
    planned_load: Mapping[str, Decimal] | None = None,
) -> list[DegreeAudit]:
    """Every degree of the program for one student, in the program's order of institutions.

    `catalogs` and `equivalencies` are keyed by institution id; the equivalency tables (each the
    receiving institution's) only serve to suggest partner courses for a missing required course.
    `planned_load`, by institution, overrides `load_basis` for the projection.
    """
    return [
        audit_degree(
            record,
            program,
            i,
            catalogs,
            equivalencies,
            as_of_term=as_of_term,
            load_basis=load_basis,
            planned_load=(planned_load or {}).get(i),
        )
        for i in program.institution_ids
    ]


def dual_degree_complete(audits: list[DegreeAudit]) -> bool:
    """True once every degree (at least two) is met: time for the joint transcript and the certificate."""
    return len(audits) >= 2 and all(a.met for a in audits)
