"""A Korea–Russia dual MFA in film production and AI technology, for the worked examples.

Korea National University of Arts (KNUA, Korean credits, 4.5 scale) and VGIK (ZET, five-point
scale). The program converts ZET → Korean credits by the conventional 0.5, half-up to 0.5, and
Korean → ZET by an explicit factor of 2 rounded to whole ZET; grades by the tables below.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.catalogs import Catalog, Course, CourseLevel, Equivalency, EquivalencyTable
from domain.credits import CreditConversion, CreditSystem, Rounding
from domain.grade_conversion import GradeConversion, GradeRule
from domain.grading import KR_4_5, RU_FIVE_POINT
from domain.parties import PersonRef
from domain.programs import DegreeRequirements, JointProgram, ProgramInstitution
from domain.students import PostedCredit, StudentRecord

D = Decimal
COORDINATOR = PersonRef(id="park-coordinator", name="Park Jiwon", email="jiwon.park@knua.example", organisation_id="knua")


def rules(pairs: dict[str, str]) -> tuple[GradeRule, ...]:
    return tuple(GradeRule(from_grade=a, to_grade=b) for a, b in pairs.items())


RU_TO_KR = GradeConversion(from_scale="ru_5", to_scale="kr_4_5", rules=rules({"5": "A+", "4": "B+", "3": "C+", "2": "F"}))
KR_TO_RU = GradeConversion(
    from_scale="kr_4_5",
    to_scale="ru_5",
    rules=rules({"A+": "5", "A0": "5", "B+": "4", "B0": "4", "C+": "3", "C0": "3", "D+": "3", "D0": "3", "F": "2"}),
)

KNUA = ProgramInstitution(
    organisation_id="knua",
    names={"en": "Korea National University of Arts", "ko": "한국예술종합학교"},
    country="KR",
    credit_system=CreditSystem.KR_CREDIT,
    grading_scale=KR_4_5,
    degree_title={"en": "Master of Fine Arts in Film Production and AI Technology", "ko": "영상제작·AI기술 예술전문사"},
    requirements=DegreeRequirements(
        total_credits=D(48),
        minimum_at={"knua": D(30), "vgik": D(12)},  # 12 Korean credits = the 24 ECTS the MOU asks for at the partner
        required_courses=("FP-501", "AI-510"),
        minimum_gpa=D("3.0"),
        thesis_required=True,
        planned_load_per_term=D(12),
    ),
)

VGIK = ProgramInstitution(
    organisation_id="vgik",
    names={"en": "Gerasimov Institute of Cinematography (VGIK)", "ru": "ВГИК имени С. А. Герасимова"},
    country="RU",
    credit_system=CreditSystem.RU_ZET,
    grading_scale=RU_FIVE_POINT,
    degree_title={"en": "Master of Cinematography and AI Technology", "ru": "Магистр: кинематография и технологии ИИ"},
    requirements=DegreeRequirements(
        total_credits=D(120),
        minimum_at={"vgik": D(30), "knua": D(30)},
        required_courses=("DIR-620",),
        minimum_gpa=D("4.0"),
        thesis_required=True,
    ),
)


def program(**changes: object) -> JointProgram:
    data: dict[str, object] = {
        "id": "knua-vgik-film-ai",
        "title": {"en": "Film Production and AI Technology", "ko": "영상제작·AI기술", "ru": "Кинопроизводство и технологии ИИ"},
        "agreement_id": "agreement-knua-vgik-2026",
        "institutions": (KNUA, VGIK),
        "languages": ("ko", "ru"),
        "credit_conversions": (
            CreditConversion(from_system=CreditSystem.KR_CREDIT, to_system=CreditSystem.RU_ZET, factor=D(2), rounding=Rounding(step=D(1))),
        ),
        "grade_conversions": (RU_TO_KR, KR_TO_RU),
    }
    return JointProgram.model_validate({**data, **changes})


def course(inst: str, code: str, en: str, credits: str, level: CourseLevel = CourseLevel.MASTER) -> Course:
    return Course(institution_id=inst, code=code, title={"en": en}, credits=D(credits), level=level)


KNUA_CATALOG = Catalog(
    institution_id="knua",
    courses=(
        course("knua", "FP-501", "Directing Workshop", "3"),
        course("knua", "AI-510", "Machine Learning for Moving Images", "3"),
        course("knua", "FP-520", "Producing", "3"),
        course("knua", "FP-530", "Cinematography Lab", "3"),
        course("knua", "FP-540", "Screenwriting", "3"),
        course("knua", "AI-520", "Virtual Production", "3"),
        course("knua", "FP-590", "Thesis Seminar", "3"),
    ),
)

VGIK_CATALOG = Catalog(
    institution_id="vgik",
    courses=(
        Course(institution_id="vgik", code="DIR-620", title={"en": "Directing the Fiction Film", "ru": "Режиссура игрового фильма"},
               credits=D(6), level=CourseLevel.MASTER),
        course("vgik", "CAM-610", "Light and Colour in Cinematography", "4"),
        course("vgik", "VFX-630", "Neural Rendering and Visual Effects", "5"),
        course("vgik", "SCR-540", "Screenwriting for Series", "4.5"),
        course("vgik", "HIST-301", "History of Russian Cinema", "3", CourseLevel.INTERMEDIATE),
    ),
)  # fmt: skip

CATALOGS = {"knua": KNUA_CATALOG, "vgik": VGIK_CATALOG}


def eq(partner_code: str, *, home: str | None = None, elective: str | None = None, start: date, end: date | None = None) -> Equivalency:
    return Equivalency(
        partner_institution_id="vgik",
        partner_course_code=partner_code,
        home_institution_id="knua",
        home_course_code=home,
        elective_category=elective,
        effective_from=start,
        effective_to=end,
        decided_by=COORDINATOR,
    )


KNUA_TABLE = EquivalencyTable(
    institution_id="knua",
    entries=(
        eq("DIR-620", home="FP-501", start=date(2025, 3, 1)),
        eq("CAM-610", home="FP-530", start=date(2024, 3, 1), end=date(2026, 2, 28)),  # lapsed with the 2026 curriculum
        eq("VFX-630", elective="major_elective", start=date(2025, 9, 1)),
        eq("HIST-301", elective="general_elective", start=date(2025, 9, 1)),
    ),
)


def native(inst: str, code: str, title: str, credits: str, grade: str, term: str) -> PostedCredit:
    return PostedCredit(institution_id=inst, taken_at=inst, course_code=code, title=title, credits=D(credits), grade=grade, term=term)


def first_term_at_knua() -> list[PostedCredit]:
    """Kim Minji's 2026-spring at home: 12 credits, GPA (3×4.0 + 3×3.5 + 3×4.5) / 9 = 36 / 9 = 4.00, P left out."""
    return [
        native("knua", "AI-510", "Machine Learning for Moving Images", "3", "A+", "2026-spring"),
        native("knua", "FP-520", "Producing", "3", "A0", "2026-spring"),
        native("knua", "FP-540", "Screenwriting", "3", "B+", "2026-spring"),
        native("knua", "FP-590", "Thesis Seminar", "3", "P", "2026-spring"),
    ]


def student(posted: list[PostedCredit] | None = None, **changes: object) -> StudentRecord:
    data: dict[str, object] = {
        "student_id": "kim-minji",
        "person": PersonRef(id="kim-minji", name="Kim Minji", email="minji.kim@knua.example", organisation_id="knua"),
        "program_id": "knua-vgik-film-ai",
        "home_institution_id": "knua",
        "enrolled_term": "2026-spring",
        "terms_abroad": [{"institution_id": "vgik", "term": "2026-fall"}],
        "posted": first_term_at_knua() if posted is None else posted,
    }
    return StudentRecord.model_validate({**data, **changes})
