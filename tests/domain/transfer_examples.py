"""Kim Minji's 2026-fall at VGIK, credited at KNUA, and the people of the chain: for the transfer examples."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.credit_transfer import CreditTransferRequest, TakenCourse
from domain.parties import PersonRef
from domain.programs import JointProgram
from domain.students import PostedCredit, StudentRecord
from domain.transfer_state import InstitutionStaff, ProgramRoster
from tests.domain.program_examples import COORDINATOR, native, program, student


def person(pid: str, org: str | None = None) -> PersonRef:
    return PersonRef(id=pid, name=pid.replace("-", " ").title(), email=f"{pid}@example.org", organisation_id=org)


ROSTER = ProgramRoster(
    staff={
        "knua": InstitutionStaff(department_reviewers=(person("knua-dept", "knua"),), registrars=(person("knua-registrar", "knua"),),
                                 liaison=person("kr-liaison")),
        "vgik": InstitutionStaff(department_reviewers=(person("vgik-dept", "vgik"),), registrars=(person("vgik-registrar", "vgik"),),
                                 liaison=person("ru-liaison")),
    },
    coordinators=(COORDINATOR,),
    ministry_officers=(person("moe-officer", "kr-moe"),),
    board=(person("board-chair"),),
)  # fmt: skip


def ministry_program() -> JointProgram:
    return program(requires_ministry_authorization=True, ministry_country="KR", ministry_organisation_id="kr-moe")


def taken(code: str, title: str, credits: str, grade: str) -> TakenCourse:
    return TakenCourse(course_code=code, title=title, credits=Decimal(credits), grade=grade)


FALL_COURSES = [
    taken("DIR-620", "Directing the Fiction Film", "6", "5"),  # equivalency: FP-501
    taken("VFX-630", "Neural Rendering and Visual Effects", "5", "4"),  # equivalency: major elective
    taken("SCR-540", "Screenwriting for Series", "4.5", "4"),  # no equivalency
]


def request(courses: list[TakenCourse] | None = None, term: str = "2026-fall", **kw: Any) -> CreditTransferRequest:
    data: dict[str, Any] = dict(id=f"req-kim-{term}", program_id="knua-vgik-film-ai", student_id="kim-minji", term=term,
                                taken_at="vgik", credited_at="knua", courses=courses or FALL_COURSES)  # fmt: skip
    data.update(kw)
    return CreditTransferRequest.model_validate(data)


def almost_done() -> StudentRecord:
    """Every requirement of both degrees met but the theses: 36 + 12 Korean credits, 60 + 60 ZET, all top grades."""
    knua = [native("knua", code, code, "3", "A+", "2026-spring") for code in ["FP-501", "AI-510"]]
    knua += [native("knua", f"FP-6{i:02}", "Studio", "3", "A+", "2026-spring") for i in range(10)]
    knua += [PostedCredit(institution_id="knua", taken_at="vgik", course_code=f"VX-{i}", title="Studio abroad", credits=Decimal(3),
                          grade="A+", elective_category="major_elective", term="2026-fall") for i in range(4)]  # fmt: skip
    vgik = [native("vgik", "DIR-620", "Directing", "6", "5", "2026-fall")]
    vgik += [native("vgik", f"ST-{i}", "Studio", "6", "5", "2026-fall") for i in range(9)]
    vgik += [PostedCredit(institution_id="vgik", taken_at="knua", course_code=f"KX-{i}", title="Studio in Seoul", credits=Decimal(6),
                          grade="5", elective_category="major_elective", term="2026-spring") for i in range(10)]  # fmt: skip
    return student(posted=knua + vgik)
