"""Joint programs: dual degrees between universities, each with its own credits, grades and degree rules.

A program rests on a university-partnership MOU signed by the agreement engine, and enrols students
only while that MOU is active. Each institution keeps its own credit system, grading scale and
degree requirements; the program holds the conversion rules the partners agreed between them, and
the check that those rules cover every pair, so no conversion can go missing mid-way through a
student's transfer.

Pure: no I/O, no clock. Related models: `domain.catalogs` (courses, equivalencies),
`domain.credit_transfer` (requests, pre-check, decisions), `domain.students` (records, posted
credits), `domain.degree_audit` (progress).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from domain.agreement_rules import Rejected
from domain.agreements import Phase
from domain.credits import (
    CREDIT_SYSTEMS,
    CreditConversion,
    CreditSystem,
    Rounding,
    convert_credits,
    default_conversion,
    format_credits,
)
from domain.grade_conversion import ConvertedGrade, GradeConversion, convert_grade
from domain.grading import GradingScale, scale_by_id
from domain.human_steps import ReminderPolicy
from domain.parties import ID_PATTERN
from domain.reference import COUNTRIES, LANGUAGES

ENROLLING_PHASES = {Phase.ACTIVE, Phase.RENEWAL}


def _names(v: dict[str, str], what: str) -> dict[str, str]:
    if "en" not in v:
        raise ValueError(f"{what} needs an English version ('en')")
    if any(not n.strip() or len(n) > 300 for n in v.values()):
        raise ValueError(f"{what}: each language 1 to 300 characters")
    return v


def _country(v: str) -> str:
    if v.upper() not in COUNTRIES:
        raise ValueError(f"'{v}' is not an ISO 3166 code of a network country")
    return v.upper()


class DegreeRequirements(BaseModel):
    """What one institution's degree asks for, in that institution's own credits and scale.

    `minimum_at` expresses "at least 30 credits at home and 24 ECTS at the partner" in the degree's
    own system: for a Korean degree with the usual 2 ECTS = 1 credit, {"knua": 30, "vgik": 12}.
    Credits earned at the partner count here once they are posted (transferred) here.
    """

    model_config = ConfigDict(frozen=True)

    total_credits: Decimal = Field(gt=0, le=1000, decimal_places=2)
    minimum_at: dict[str, Decimal] = Field(default_factory=dict, description="institution id → credits earned there")
    required_courses: tuple[str, ...] = Field(default=(), description="Home course codes; an equivalent transferred course counts")
    minimum_gpa: Decimal | None = Field(default=None, ge=0, decimal_places=2)
    thesis_required: bool = False
    gpa_includes_transfers: bool = Field(default=True, description="False where transferred grades are posted but not averaged")
    planned_load_per_term: Decimal | None = Field(
        default=None, gt=0, le=100, description="Credits a term for the projection; the credit system's typical load if unset"
    )

    @field_validator("minimum_at")
    @classmethod
    def _minima(cls, v: dict[str, Decimal]) -> dict[str, Decimal]:
        if any(x < 0 for x in v.values()):
            raise ValueError("a minimum of credits cannot be negative")
        return v


class ProgramInstitution(BaseModel):
    """A university of the program, with the degree it awards."""

    model_config = ConfigDict(frozen=True)

    organisation_id: str = Field(pattern=ID_PATTERN)
    names: dict[str, str]
    country: str
    credit_system: CreditSystem
    grading_scale: Annotated[GradingScale, BeforeValidator(scale_by_id)] = Field(
        description="A scale, or the id of a standard one (kr_4_5, cn_percent, cn_five_level, ru_5, ects, us_4_0)"
    )
    degree_title: dict[str, str] = Field(description="language → the degree as the diploma names it")
    requirements: DegreeRequirements

    _n = field_validator("names")(classmethod(lambda cls, v: _names(v, "an institution's name")))
    _d = field_validator("degree_title")(classmethod(lambda cls, v: _names(v, "a degree title")))
    _c = field_validator("country")(classmethod(lambda cls, v: _country(v)))

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]

    def degree(self, lang: str = "en") -> str:
        return self.degree_title.get(lang) or self.degree_title["en"]


class JointProgram(BaseModel):
    """A dual (or multiple) degree program, as the workflows receive it in their start input."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    title: dict[str, str]
    agreement_id: str = Field(min_length=3, max_length=128, description="Workflow id of the MOU it rests on")
    institutions: tuple[ProgramInstitution, ...] = Field(min_length=2, max_length=10)
    languages: tuple[str, ...] = Field(default=("en",), min_length=1, max_length=3, description="Of its transcripts")
    credit_conversions: tuple[CreditConversion, ...] = Field(default=(), description="Overrides of the default factors")
    credit_rounding: Rounding = Field(default=Rounding(), description="Rounding of pairs without an explicit rule")
    grade_conversions: tuple[GradeConversion, ...] = Field(default=(), description="One per ordered pair of scales")
    requires_ministry_authorization: bool = False
    ministry_country: str | None = Field(default=None, description="Whose ministry of education authorizes")
    ministry_organisation_id: str | None = Field(default=None, pattern=ID_PATTERN)
    reminders: ReminderPolicy = ReminderPolicy()

    _t = field_validator("title")(classmethod(lambda cls, v: _names(v, "a program title")))

    @field_validator("ministry_country")
    @classmethod
    def _ministry_country(cls, v: str | None) -> str | None:
        return None if v is None else _country(v)

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for lang in v:
            if lang not in LANGUAGES:
                raise ValueError(f"language '{lang}' is not supported; choose from {', '.join(LANGUAGES)}")
        return v

    @model_validator(mode="after")
    def _coherent(self) -> JointProgram:
        problems = program_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def name(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title["en"]

    @property
    def institution_ids(self) -> list[str]:
        return [i.organisation_id for i in self.institutions]

    def institution(self, organisation_id: str) -> ProgramInstitution:
        found = next((i for i in self.institutions if i.organisation_id == organisation_id), None)
        if found is None:
            raise Rejected(
                f"{organisation_id} is not an institution of “{self.name()}”; its institutions are "
                + ", ".join(self.institution_ids)
                + "."
            )
        return found

    def credit_rule(self, from_system: CreditSystem, to_system: CreditSystem) -> CreditConversion:
        """The program's own rule for the pair, else the conventional factor with the program's rounding."""
        own = next((c for c in self.credit_conversions if (c.from_system, c.to_system) == (from_system, to_system)), None)
        return own or default_conversion(from_system, to_system, self.credit_rounding)

    def grade_table(self, from_scale: str, to_scale: str) -> GradeConversion | None:
        return next((g for g in self.grade_conversions if (g.from_scale, g.to_scale) == (from_scale, to_scale)), None)

    def convert(self, taken_at: str, credited_at: str, credits: Decimal, grade: str) -> tuple[Decimal, ConvertedGrade]:
        """Credits and grade earned at `taken_at` as `credited_at` will post them."""
        src, dst = self.institution(taken_at), self.institution(credited_at)
        amount = convert_credits(credits, self.credit_rule(src.credit_system, dst.credit_system))
        table = self.grade_table(src.grading_scale.id, dst.grading_scale.id)
        return amount, convert_grade(grade, src.grading_scale, dst.grading_scale, table)


def program_problems(p: JointProgram) -> list[str]:
    """Why a program cannot run as configured, one readable line each; empty when it can."""
    out: list[str] = []
    ids = p.institution_ids
    out += [f"institution {i} is listed twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    scales: dict[str, GradingScale] = {}
    for inst in p.institutions:
        if scales.setdefault(inst.grading_scale.id, inst.grading_scale) != inst.grading_scale:
            out.append(f"two different grading scales share the id {inst.grading_scale.id}")
        req, unit = inst.requirements, inst.credit_system
        out += [f"{inst.organisation_id}'s degree sets a minimum at {k}, which is not in the program" for k in req.minimum_at if k not in ids]
        if sum(req.minimum_at.values(), Decimal(0)) > req.total_credits:
            out.append(
                f"{inst.organisation_id}'s minima per institution add up to more than its "
                f"{format_credits(req.total_credits, unit)} in total"
            )
        if req.minimum_gpa is not None and req.minimum_gpa > inst.grading_scale.max_points:
            out.append(f"{inst.organisation_id}'s minimum GPA {req.minimum_gpa} is above the scale's {inst.grading_scale.max_points}")
    systems = {i.credit_system for i in p.institutions}
    pairs = [(c.from_system, c.to_system) for c in p.credit_conversions]
    for c in p.credit_conversions:
        if c.from_system not in systems or c.to_system not in systems:
            out.append(f"the credit rule {c.label} names a system no institution of the program uses")
        if pairs.count((c.from_system, c.to_system)) > 1:
            out.append(f"two credit rules convert {CREDIT_SYSTEMS[c.from_system].short} to {CREDIT_SYSTEMS[c.to_system].short}")
    for g in p.grade_conversions:
        if g.from_scale not in scales or g.to_scale not in scales:
            out.append(f"the grade table {g.from_scale} → {g.to_scale} names a scale no institution of the program uses")
        else:
            out += g.problems(scales[g.from_scale], scales[g.to_scale])
    for a in p.institutions:
        for b in p.institutions:
            sa, sb = a.grading_scale.id, b.grading_scale.id
            if sa != sb and p.grade_table(sa, sb) is None:
                out.append(f"no grade table converts {a.grading_scale.name()} ({a.organisation_id}) to the {b.grading_scale.name()} ({b.organisation_id})")
    if p.requires_ministry_authorization and p.ministry_country is None:
        out.append("say whose ministry authorizes (ministry_country) when the program requires ministry authorization")
    return list(dict.fromkeys(out))


def check_enrolment(program: JointProgram, mou_phase: Phase) -> None:
    """Refuse enrolment unless the program's MOU is executed and active (its renewal window included).

    Once notice of termination is given the MOU still binds the parties for students already
    enrolled, but takes no new ones.
    """
    if mou_phase in ENROLLING_PHASES:
        return
    why = {  # by value, so a phase added to the engine later still gets a sentence
        "executing": "is signed but still being executed",
        "pending": "is signed but not yet in force (it takes effect on its effective date)",
        "terminating": "is under notice of termination, so it takes no new students",
        "expired": "has expired",
        "terminated": "has been terminated",
        "voided": "was voided",
    }.get(mou_phase.value, f"is still in {mou_phase.value} and not yet signed")
    raise Rejected(
        f"“{program.name()}” cannot enrol students now: its agreement {program.agreement_id} {why}."
        " Students can be enrolled while the agreement is active."
    )
