"""Worked examples of joint programs, equivalencies, credit transfer requests and learning-agreement changes.

The story: Kim Minji, an MFA student at KNUA, spends 2026-fall at VGIK and takes DIR-620 (6 ZET,
grade 5), CAM-610 (4 ZET, grade 4) and VFX-630 (5 ZET, grade 3).
"""

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.agreement_rules import Rejected
from domain.agreements import Phase
from domain.catalogs import CourseRef, EquivalencyTable
from domain.credit_transfer import (
    CourseDecision,
    CreditTransferRequest,
    PrecheckFlag,
    PrecheckLine,
    RejectReason,
    TakenCourse,
    precheck,
)
from domain.learning_agreements import (
    ChangeKind,
    ChangeReason,
    LearningAgreement,
    LearningAgreementChange,
    PlannedCourse,
    apply_change,
    check_change,
    check_change_approval,
)
from domain.programs import JointProgram, check_enrolment
from domain.transfer_decisions import (
    CourseDecisionLine,
    TransferStage,
    check_decisions,
    equivalency_from_decision,
    pending_courses,
    post_credits,
    transfer_stages,
)
from tests.domain.program_examples import (
    CATALOGS,
    COORDINATOR,
    KNUA_CATALOG,
    KNUA_TABLE,
    RU_TO_KR,
    VGIK_CATALOG,
    eq,
    native,
    program,
)

D = Decimal
FALL = date(2026, 12, 20)  # when the department looks at the request


def taken(code: str, credits: str, grade: str, title: str = "as on the transcript") -> TakenCourse:
    return TakenCourse(course_code=code, title=title, credits=D(credits), grade=grade)


def request(*courses: TakenCourse) -> CreditTransferRequest:
    return CreditTransferRequest(
        id="kim-minji-2026-fall",
        program_id="knua-vgik-film-ai",
        student_id="kim-minji",
        term="2026-fall",
        taken_at="vgik",
        credited_at="knua",
        courses=list(courses) or [taken("DIR-620", "6", "5"), taken("CAM-610", "4", "4"), taken("VFX-630", "5", "3")],
    )


# ---------------------------------------------------------------- the program


def test_the_example_program_is_coherent() -> None:
    p = program()
    assert p.institution("vgik").credit_system.value == "ru_zet"
    assert p.credit_rule(*(i.credit_system for i in p.institutions)).factor == 2  # KR → ZET, the program's own
    assert p.grade_table("ru_5", "kr_4_5") == RU_TO_KR


def test_models_survive_the_json_round_trip_of_temporal_s_pydantic_converter() -> None:
    """Workflows receive these models as JSON: every value, Decimal and term included, must come back equal."""
    p = program()
    assert JointProgram.model_validate_json(p.model_dump_json()) == p
    lines = precheck(request(), p, CATALOGS, KNUA_TABLE, FALL)
    assert [PrecheckLine.model_validate_json(ln.model_dump_json()) for ln in lines] == lines
    assert EquivalencyTable.model_validate_json(KNUA_TABLE.model_dump_json()) == KNUA_TABLE
    assert CreditTransferRequest.model_validate_json(request().model_dump_json()) == request()


def test_a_program_without_a_grade_table_for_a_pair_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"no grade table converts Korean 4\.5 scale"):
        program(grade_conversions=(RU_TO_KR,))


def test_minima_above_the_total_and_strangers_are_refused() -> None:
    knua = program().institutions[0]
    greedy = knua.model_copy(update={"requirements": knua.requirements.model_copy(update={"minimum_at": {"knua": D(40), "kaist": D(12)}})})
    with pytest.raises(ValidationError) as e:
        program(institutions=(greedy, program().institutions[1]))
    assert "minimum at kaist, which is not in the program" in str(e.value)
    assert "add up to more than its 48 KR credits" in str(e.value)


def test_ministry_authorization_needs_a_country() -> None:
    with pytest.raises(ValidationError, match="whose ministry authorizes"):
        program(requires_ministry_authorization=True)
    p = program(requires_ministry_authorization=True, ministry_country="kr")
    assert p.ministry_country == "KR"
    assert TransferStage.MINISTRY in transfer_stages(p)
    assert transfer_stages(program()) == [
        TransferStage.PRECHECK,
        TransferStage.DEPARTMENT,
        TransferStage.HOME_REGISTRAR,
        TransferStage.PARTNER_REGISTRAR,
        TransferStage.POSTED,
    ]


def test_enrolment_only_while_the_mou_is_active() -> None:
    check_enrolment(program(), Phase.ACTIVE)
    check_enrolment(program(), Phase.RENEWAL)
    with pytest.raises(Rejected, match="agreement-knua-vgik-2026 is still in signing and not yet signed"):
        check_enrolment(program(), Phase.SIGNING)
    with pytest.raises(Rejected, match="under notice of termination"):
        check_enrolment(program(), Phase.TERMINATING)
    with pytest.raises(Rejected, match="has expired"):
        check_enrolment(program(), Phase.EXPIRED)


# ---------------------------------------------------------------- equivalencies


def test_an_expired_equivalency_is_ignored_after_its_end_date() -> None:
    cam = CourseRef(institution_id="vgik", code="CAM-610")
    assert KNUA_TABLE.lookup(cam, date(2026, 2, 28)).home_course_code == "FP-530"  # type: ignore[union-attr]  # last day
    assert KNUA_TABLE.lookup(cam, date(2026, 3, 1)) is None


def test_the_latest_equivalency_in_force_wins() -> None:
    table = KNUA_TABLE.add(eq("VFX-630", home="AI-520", start=date(2026, 9, 1)))
    vfx = VGIK_CATALOG.find("vfx-630")  # codes match regardless of case
    assert vfx is not None
    assert table.lookup(vfx, date(2026, 8, 31)).elective_category == "major_elective"  # type: ignore[union-attr]
    assert table.lookup(vfx, date(2026, 9, 1)).home_course_code == "AI-520"  # type: ignore[union-attr]
    assert table.lookup(vfx, date(2025, 8, 31)) is None  # before any took effect


def test_an_equivalency_names_one_target() -> None:
    with pytest.raises(ValidationError, match="a home course or an elective category, not both"):
        eq("DIR-620", home="FP-501", elective="major_elective", start=date(2025, 3, 1))


def test_a_table_holds_only_its_own_institution_s_entries() -> None:
    with pytest.raises(ValidationError, match="credits knua, not vgik whose table this is"):
        EquivalencyTable(institution_id="vgik", entries=KNUA_TABLE.entries)


# ---------------------------------------------------------------- the request and its pre-check


def test_precheck_of_kim_minji_s_fall_at_vgik() -> None:
    """6, 4, 5 ZET × 0.5 → 3, 2, 2.5 KR credits; grades 5, 4, 3 → A+, B+, C+ by the program's table.

    DIR-620 is known as FP-501; CAM-610's equivalency lapsed in February 2026; VFX-630 counts as a
    major elective.
    """
    lines = precheck(request(), program(), CATALOGS, KNUA_TABLE, FALL)
    assert [(ln.partner_course.code, ln.credits, ln.grade.grade) for ln in lines] == [
        ("DIR-620", D("3"), "A+"),
        ("CAM-610", D("2"), "B+"),
        ("VFX-630", D("2.5"), "C+"),
    ]
    dir620, cam610, vfx630 = lines
    assert dir620.equivalency.home_course_code == "FP-501" and dir620.suggested is CourseDecision.APPROVE  # type: ignore[union-attr]
    assert cam610.flags == [PrecheckFlag.NO_EQUIVALENCY] and cam610.suggested is None
    assert cam610.notes == ["No equivalency for CAM-610 is in force on 2026-12-20."]
    assert vfx630.suggested is CourseDecision.APPROVE_AS_ELECTIVE


def test_precheck_flags_failing_grades_duplicates_and_catalog_mismatch() -> None:
    already = [native("knua", "FP-501", "Directing Workshop", "3", "B0", "2026-spring")]
    lines = precheck(request(taken("DIR-620", "5", "4"), taken("SCR-540", "4.5", "2")), program(), CATALOGS, KNUA_TABLE, FALL, posted=already)
    dir620, scr540 = lines
    assert dir620.flags == [PrecheckFlag.CREDITS_DIFFER_FROM_CATALOG, PrecheckFlag.HOME_COURSE_ALREADY_EARNED]
    assert dir620.notes[0] == "The transcript shows 5 ZET, the catalog 6 ZET."
    assert (dir620.suggested, dir620.suggested_reason) == (CourseDecision.REJECT, RejectReason.DUPLICATE_CREDIT)
    assert PrecheckFlag.FAILING_GRADE in scr540.flags and scr540.grade.grade == "F"
    assert scr540.credits == D("2.5")  # 4.5 × 0.5 = 2.25 → 2.5
    assert scr540.suggested_reason is RejectReason.FAILING_GRADE


def test_a_course_already_credited_is_flagged() -> None:
    earlier = [
        native("knua", "FP-501", "Directing Workshop", "3", "F", "2026-spring"),  # failed at home: not a duplicate
    ]
    transferred = native("knua", "FP-501", "x", "3", "A+", "2026-spring").model_copy(
        update={"taken_at": "vgik", "course_code": "HIST-301", "home_course_code": None, "elective_category": "general_elective",
                "source_request_id": "kim-minji-2026-spring"}
    )  # fmt: skip
    lines = precheck(request(taken("HIST-301", "3", "зачёт"), taken("DIR-620", "6", "5")), program(), CATALOGS, KNUA_TABLE, FALL,
                     posted=[*earlier, transferred])  # fmt: skip
    assert lines[0].flags == [PrecheckFlag.ALREADY_CREDITED] and lines[0].grade.grade == "P"
    assert PrecheckFlag.HOME_COURSE_ALREADY_EARNED not in lines[1].flags


def test_unknown_course_and_grade_off_the_scale_are_refused_together() -> None:
    bad = request(taken("DIR-999", "6", "5", "Mystery course"), taken("CAM-610", "4", "A"))
    with pytest.raises(Rejected) as e:
        precheck(bad, program(), CATALOGS, KNUA_TABLE, FALL)
    message = str(e.value)
    assert message.startswith("The request has 2 problems:")
    assert "Gerasimov Institute of Cinematography (VGIK) has no course 'DIR-999' (Mystery course) in its catalog" in message
    assert "CAM-610: Grade 'A' is not on the Russian five-point scale; valid grades: 5 (отлично)" in message


@pytest.mark.parametrize("credits", ["-3", "0"])
def test_negative_or_zero_credits_are_refused_with_the_course_named(credits: str) -> None:
    with pytest.raises(ValidationError, match=f"Credits of DIR-620 must be more than zero; got {credits}"):
        taken("DIR-620", credits, "5")


def test_a_request_lists_each_course_once() -> None:
    with pytest.raises(ValidationError, match="DIR-620 listed more than once"):
        request(taken("DIR-620", "6", "5"), taken("dir-620", "6", "5"))


# ---------------------------------------------------------------- decisions and posting


def test_decisions_resolve_from_the_equivalency_and_post_converted_credits() -> None:
    req = request()
    lines = precheck(req, program(), CATALOGS, KNUA_TABLE, FALL)
    first = [
        CourseDecisionLine(course_code="DIR-620", decision=CourseDecision.APPROVE),  # FP-501 from the table
        CourseDecisionLine(course_code="CAM-610", decision=CourseDecision.ASK_FOR_INFORMATION, comment="Please send the syllabus."),
        CourseDecisionLine(course_code="VFX-630", decision=CourseDecision.APPROVE_AS_ELECTIVE),
    ]
    check_decisions(req, lines, first, KNUA_CATALOG)
    assert pending_courses(req, first) == ["CAM-610"]
    with pytest.raises(Rejected, match="CAM-610 still await a final decision"):
        post_credits(req, lines, first)

    after_syllabus = CourseDecisionLine(course_code="CAM-610", decision=CourseDecision.APPROVE, home_course_code="FP-530", save_as_equivalency=True)
    check_decisions(req, lines, [after_syllabus], KNUA_CATALOG)
    posted = post_credits(req, lines, [*first, after_syllabus])
    assert [(p.course_code, p.home_course_code, p.elective_category, p.credits, p.grade) for p in posted] == [
        ("DIR-620", "FP-501", None, D("3"), "A+"),
        ("CAM-610", "FP-530", None, D("2"), "B+"),
        ("VFX-630", None, "major_elective", D("2.5"), "C+"),
    ]
    assert posted[0].original_credits == 6 and posted[0].original_grade == "5" and posted[0].source_request_id == req.id

    saved = equivalency_from_decision(req, after_syllabus, lines[1], decided_by=COORDINATOR, effective_from=FALL)
    table = KNUA_TABLE.add(saved)
    assert table.lookup(CourseRef(institution_id="vgik", code="CAM-610"), date(2027, 9, 1)).source_request_id == req.id  # type: ignore[union-attr]


def test_incoherent_decisions_are_refused() -> None:
    req = request(taken("DIR-620", "6", "2"), taken("CAM-610", "4", "4"))
    lines = precheck(req, program(), CATALOGS, KNUA_TABLE, FALL)
    with pytest.raises(Rejected) as e:
        check_decisions(
            req,
            lines,
            [
                CourseDecisionLine(course_code="DIR-620", decision=CourseDecision.APPROVE),
                CourseDecisionLine(course_code="CAM-610", decision=CourseDecision.APPROVE),
                CourseDecisionLine(course_code="VFX-630", decision=CourseDecision.REJECT, reason=RejectReason.CONTENT_MISMATCH),
            ],
            KNUA_CATALOG,
        )
    assert "DIR-620 was failed (2); it can only be rejected." in str(e.value)
    assert "Approving CAM-610 needs the home course it counts as; no equivalency is known." in str(e.value)
    assert "VFX-630 is not among the courses of request kim-minji-2026-fall." in str(e.value)


def test_a_decision_carries_what_it_needs() -> None:
    with pytest.raises(ValidationError, match="rejecting DIR-620 needs a reason code"):
        CourseDecisionLine(course_code="DIR-620", decision=CourseDecision.REJECT)
    with pytest.raises(ValidationError, match="needs a comment saying which"):
        CourseDecisionLine(course_code="DIR-620", decision=CourseDecision.REJECT, reason=RejectReason.OTHER)
    with pytest.raises(ValidationError, match="needs the question"):
        CourseDecisionLine(course_code="DIR-620", decision=CourseDecision.ASK_FOR_INFORMATION)
    with pytest.raises(ValidationError, match="only an approval can be saved"):
        CourseDecisionLine(course_code="DIR-620", decision=CourseDecision.REJECT, reason=RejectReason.LEVEL_TOO_LOW, save_as_equivalency=True)


# ---------------------------------------------------------------- learning-agreement changes


def agreement() -> LearningAgreement:
    return LearningAgreement(
        student_id="kim-minji",
        program_id="knua-vgik-film-ai",
        term="2026-fall",
        taken_at="vgik",
        credited_at="knua",
        courses=[PlannedCourse(course_code="DIR-620", title="Directing the Fiction Film"), PlannedCourse(course_code="CAM-610", title="Light")],
    )


def change(kind: ChangeKind, code: str, base: int, reason: ChangeReason = ChangeReason.TIMETABLE_CLASH, **kw: str) -> LearningAgreementChange:
    return LearningAgreementChange(
        proposal_id=f"{kind.value}-{code.lower()}-{base}", kind=kind, course_code=code, reason=reason, base_revision=base,
        proposed_by="kim-minji", **kw,
    )  # fmt: skip


def test_learning_agreement_changes_raise_the_revision() -> None:
    la = agreement()
    drop = change(ChangeKind.DROP, "CAM-610", 0, ChangeReason.COURSE_CANCELLED)
    check_change(la, drop, VGIK_CATALOG)
    la = apply_change(la, drop)
    add = change(ChangeKind.ADD, "VFX-630", 1, title="Neural Rendering and Visual Effects")
    check_change(la, add, VGIK_CATALOG)
    la = apply_change(la, add)
    assert (la.revision, [c.course_code for c in la.courses]) == (2, ["DIR-620", "VFX-630"])


def test_approving_an_outdated_proposal_is_refused() -> None:
    la = agreement()
    first = change(ChangeKind.DROP, "CAM-610", 0, ChangeReason.COURSE_CANCELLED)
    stale = change(ChangeKind.ADD, "SCR-540", 0, ChangeReason.LANGUAGE, title="Screenwriting for Series")
    la = apply_change(la, first)
    with pytest.raises(Rejected) as e:
        check_change_approval(la.revision, stale, last_change=first)
    assert str(e.value) == (
        "Conflict: you tried to approve “add SCR-540 (language)”, proposed against revision 0 of the learning agreement,"
        " but the current revision is 1 (the latest change: drop CAM-610 (course cancelled), proposed by kim-minji)."
        " Please read the current learning agreement and ask for the change to be proposed again against it."
    )
    with pytest.raises(Rejected, match="Conflict"):
        apply_change(la, stale)


def test_changes_that_cannot_apply_are_refused() -> None:
    la = agreement()
    with pytest.raises(Rejected, match="DIR-999 is not in vgik's catalog"):
        check_change(la, change(ChangeKind.ADD, "DIR-999", 0, title="Unknown"), VGIK_CATALOG)
    with pytest.raises(Rejected, match="already in the learning agreement"):
        check_change(la, change(ChangeKind.ADD, "DIR-620", 0, title="Again"), VGIK_CATALOG)
    with pytest.raises(Rejected, match="SCR-540 is not in the learning agreement"):
        check_change(la, change(ChangeKind.DROP, "SCR-540", 0), VGIK_CATALOG)
    with pytest.raises(ValidationError, match="needs a comment saying which"):
        change(ChangeKind.DROP, "CAM-610", 0, ChangeReason.OTHER)
