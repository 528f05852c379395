"""Worked examples of the degree audit for Kim Minji, KNUA–VGIK dual MFA in film production and AI.

The KNUA degree: 48 Korean credits, at least 30 at KNUA and 12 at VGIK (the MOU's 24 ECTS), FP-501
and AI-510 required, GPA at least 3.0 of 4.5, thesis; planned load 12 credits a term.
"""

from datetime import date
from decimal import Decimal

from domain.credit_transfer import CourseDecision, CreditTransferRequest, TakenCourse, precheck
from domain.degree_audit import DegreeAudit, LoadBasis, RequirementKind, audit, audit_degree, dual_degree_complete
from domain.students import PostedCredit, StudentRecord, ThesisStatus
from domain.transfer_decisions import CourseDecisionLine, post_credits
from tests.domain.program_examples import CATALOGS, KNUA_TABLE, first_term_at_knua, native, program, student

D = Decimal
TABLES = {"knua": KNUA_TABLE}


def fall_at_vgik_posted() -> list[PostedCredit]:
    """DIR-620 (6 ZET, 5), CAM-610 (4 ZET, 4), VFX-630 (5 ZET, 3) → 3 A+ as FP-501, 2 B+ as FP-530, 2.5 C+ as elective."""
    req = CreditTransferRequest(
        id="kim-minji-2026-fall",
        program_id="knua-vgik-film-ai",
        student_id="kim-minji",
        term="2026-fall",
        taken_at="vgik",
        credited_at="knua",
        courses=[
            TakenCourse(course_code=c, title=t, credits=D(n), grade=g)
            for c, t, n, g in [
                ("DIR-620", "Directing the Fiction Film", "6", "5"),
                ("CAM-610", "Light and Colour in Cinematography", "4", "4"),
                ("VFX-630", "Neural Rendering and Visual Effects", "5", "3"),
            ]
        ],
    )
    lines = precheck(req, program(), CATALOGS, KNUA_TABLE, date(2026, 12, 20))
    decisions = [
        CourseDecisionLine(course_code="DIR-620", decision=CourseDecision.APPROVE),
        CourseDecisionLine(course_code="CAM-610", decision=CourseDecision.APPROVE, home_course_code="FP-530"),
        CourseDecisionLine(course_code="VFX-630", decision=CourseDecision.APPROVE_AS_ELECTIVE),
    ]
    return post_credits(req, lines, decisions)


def knua(record: StudentRecord, **kw: object):  # type: ignore[no-untyped-def]
    return audit_degree(record, program(), "knua", CATALOGS, TABLES, **kw)  # type: ignore[arg-type]


def test_before_and_after_posting_the_fall_at_vgik() -> None:
    """Before: 12 of 48 credits, GPA 36 / 9 = 4.00 (the P of FP-590 left out), 36 to go at 12 a term from
    2026-fall → 2026-fall, 2027-spring, 2027-fall.

    After posting 3 + 2 + 2.5 = 7.5 credits: 19.5 of 48; GPA (36 + 3×4.5 + 2×3.5 + 2.5×2.5) / (9 + 7.5)
    = 62.75 / 16.5 = 3.803… → 3.80; 28.5 to go at 12 a term from 2027-spring → 3 terms → 2028-spring.
    A light term abroad (7.5 instead of 12) moves the projected completion one term later.
    """
    before = knua(student())
    assert (before.earned_credits, before.remaining_credits, before.gpa) == (D(12), D(36), D("4.00"))
    assert (before.as_of_term, before.terms_remaining, before.projected_completion_term) == ("2026-fall", 3, "2027-fall")
    assert before.percent_complete == D("25.0")
    assert before.earned_at == {"knua": D(12), "vgik": D(0)}

    after = knua(student([*first_term_at_knua(), *fall_at_vgik_posted()]))
    assert (after.earned_credits, after.remaining_credits, after.gpa) == (D("19.5"), D("28.5"), D("3.80"))
    assert (after.as_of_term, after.terms_remaining, after.projected_completion_term) == ("2027-spring", 3, "2028-spring")
    assert after.percent_complete == D("40.6")  # 19.5 / 48 = 40.625 %, shown down to 40.6
    assert after.earned_at == {"knua": D(12), "vgik": D("7.5")}
    assert "At least 12 KR credits must be earned at Gerasimov Institute of Cinematography (VGIK): 7.5 so far, 4.5 more needed." in after.missing


def test_a_required_course_satisfied_via_equivalency() -> None:
    before = knua(student())
    fp501 = next(r for r in before.requirements if r.course_code == "FP-501")
    assert not fp501.met
    assert fp501.missing == (
        "Required course FP-501 Directing Workshop is missing; it can also be met by DIR-620 Directing the Fiction Film"
        " at Gerasimov Institute of Cinematography (VGIK)."
    )
    after = knua(student([*first_term_at_knua(), *fall_at_vgik_posted()]))
    fp501 = next(r for r in after.requirements if r.course_code == "FP-501")
    assert fp501.met
    assert fp501.satisfied_by == "DIR-620 Directing the Fiction Film at Gerasimov Institute of Cinematography (VGIK), 2026-fall, by equivalency"
    ai510 = next(r for r in after.requirements if r.course_code == "AI-510")
    assert ai510.satisfied_by == "2026-spring, grade A+"


def test_pass_fail_is_excluded_from_the_gpa_and_transfers_can_be_too() -> None:
    """A P in FP-590 adds 3 credits and nothing to the GPA; counting it as 0 would give 36 / 12 = 3.00."""
    record = student([*first_term_at_knua(), *fall_at_vgik_posted()])
    assert knua(record).gpa == D("3.80")
    knua_inst = program().institutions[0]
    home_only = knua_inst.model_copy(update={"requirements": knua_inst.requirements.model_copy(update={"gpa_includes_transfers": False})})
    p = program(institutions=(home_only, program().institutions[1]))
    assert audit_degree(record, p, "knua", CATALOGS).gpa == D("4.00")


def all_at_home(thesis: ThesisStatus = ThesisStatus.APPROVED) -> StudentRecord:
    """48 credits, all at KNUA: FP-501 and AI-510 among them, everything B+ or better."""
    posted = [
        native("knua", code, title, "3", "A0", term)
        for code, title, term in [("FP-501", "Directing Workshop", "2026-spring"), ("AI-510", "ML for Moving Images", "2026-spring")]
    ] + [native("knua", f"FP-6{n:02d}", f"Studio {n}", "3", "B+", "2026-fall" if n < 7 else "2027-spring") for n in range(14)]
    return student(posted, thesis={"knua": thesis})


def test_the_minimum_at_the_partner_missing() -> None:
    result = knua(all_at_home())
    assert (result.earned_credits, result.remaining_credits, result.credits_needed) == (D(48), D(0), D(12))
    assert not result.met
    assert result.missing == [
        "At least 12 KR credits must be earned at Gerasimov Institute of Cinematography (VGIK): 0 so far, 12 more needed."
    ]
    assert result.percent_complete == D("99.9")  # never 100 while something is missing
    assert (result.terms_remaining, result.projected_completion_term) == (1, "2027-fall")


def knua_complete(thesis: ThesisStatus) -> StudentRecord:
    """36 credits at KNUA (2026-spring and 2027-spring) and 7.5 + 4.5 = 12 transferred from VGIK (2026-fall): 48."""
    home = [
        native("knua", "FP-501", "Directing Workshop", "3", "A0", "2026-spring"),
        native("knua", "AI-510", "ML for Moving Images", "3", "A0", "2026-spring"),
        *(native("knua", f"FP-6{n:02d}", f"Studio {n}", "3", "B+", "2026-spring" if n < 4 else "2027-spring") for n in range(10)),
    ]
    practicum = PostedCredit(
        institution_id="knua", taken_at="vgik", course_code="PRA-700", title="Graduation Film Practicum", elective_category="major_elective",
        credits=D("4.5"), grade="A0", term="2026-fall", source_request_id="kim-minji-2026-fall-2", original_credits=D(9), original_grade="5",
    )  # fmt: skip
    return student([*home, *fall_at_vgik_posted(), practicum], thesis={"knua": thesis})


def test_thesis_pending_is_not_met_until_approved() -> None:
    pending = knua(knua_complete(ThesisStatus.SUBMITTED))
    assert (pending.earned_credits, pending.remaining_credits, pending.earned_at) == (D(48), D(0), {"knua": D(36), "vgik": D(12)})
    assert not pending.met
    assert pending.missing == ["Thesis submitted; it must be approved."]
    assert (pending.percent_complete, pending.projected_completion_term) == (D("99.9"), "2027-fall")  # a term for the defence
    thesis = next(r for r in pending.requirements if r.kind is RequirementKind.THESIS)
    assert thesis.label == "Thesis: submitted"

    record = knua_complete(ThesisStatus.APPROVED)
    done = knua(record)
    assert done.met and done.missing == [] and done.percent_complete == D("100.0")
    assert done.projected_completion_term == "2027-spring"  # the last term posted
    assert record.thesis_status("vgik") is ThesisStatus.NOT_STARTED


def test_low_gpa_is_missing_with_both_numbers() -> None:
    record = student([native("knua", "FP-501", "Directing Workshop", "3", "C0", "2026-spring")])
    gpa_line = next(r for r in knua(record).requirements if r.kind is RequirementKind.MINIMUM_GPA)
    assert gpa_line.missing == "GPA 2.00 is below the minimum 3.0 on the Korean 4.5 scale."


def test_observed_load_and_typical_load() -> None:
    """Observed: 19.5 credits over 2026-spring and 2026-fall = 9.75 a term; 28.5 / 9.75 = 2.9 → 3 terms.
    VGIK's degree has no planned load: the ZET system's 60 a year = 30 a term; 120 ZET from 2026-spring → 2027-fall."""
    record = student([*first_term_at_knua(), *fall_at_vgik_posted()])
    observed = knua(record, load_basis=LoadBasis.OBSERVED)
    assert (observed.planned_load_per_term, observed.projected_completion_term) == (D("9.75"), "2028-spring")
    heavy = knua(record, planned_load=D(15))
    assert heavy.projected_completion_term == "2027-fall"  # 28.5 / 15 → 2 terms
    vgik = audit_degree(record, program(), "vgik", CATALOGS)
    assert (vgik.planned_load_per_term, vgik.as_of_term, vgik.projected_completion_term) == (D(30), "2026-spring", "2027-fall")


def both_degrees_met() -> StudentRecord:
    """KNUA as in `knua_complete`; at VGIK 60 ZET taken there and 60 ZET transferred from KNUA, all 5 but VFX-630's 4:
    GPA (6×5 + 4×5 + 5×4 + 45×5 + 60×5) / 120 = 595 / 120 = 4.958… → 4.96."""
    at_knua = knua_complete(ThesisStatus.APPROVED).posted
    at_vgik = [
        native("vgik", "DIR-620", "Directing the Fiction Film", "6", "5", "2026-fall"),
        native("vgik", "CAM-610", "Light and Colour", "4", "5", "2026-fall"),
        native("vgik", "VFX-630", "Neural Rendering", "5", "4", "2026-fall"),
        *(native("vgik", f"MAG-{n}", f"Seminar {n}", "5", "5", "2026-fall") for n in range(9)),
        *(
            PostedCredit(institution_id="vgik", taken_at="knua", course_code=f"FP-6{n:02d}", title=f"Studio {n}", elective_category="major_elective",
                         credits=D(6), grade="5", term="2026-spring", source_request_id="kim-minji-knua-to-vgik")
            for n in range(10)
        ),
    ]  # fmt: skip
    return student([*at_knua, *at_vgik], thesis={"knua": ThesisStatus.APPROVED, "vgik": ThesisStatus.APPROVED})


def test_both_degrees_met_completes_the_dual_degree() -> None:
    audits = audit(both_degrees_met(), program(), CATALOGS, TABLES)
    assert [(a.institution_id, a.met, a.earned_credits) for a in audits] == [("knua", True, D(48)), ("vgik", True, D(120))]
    assert audits[1].earned_at == {"knua": D(60), "vgik": D(60)} and audits[1].gpa == D("4.96")
    assert dual_degree_complete(audits)

    one_short = both_degrees_met()
    one_short.thesis["vgik"] = ThesisStatus.IN_PROGRESS
    audits = audit(one_short, program(), CATALOGS, TABLES)
    assert [a.met for a in audits] == [True, False]
    assert not dual_degree_complete(audits)
    assert [DegreeAudit.model_validate_json(a.model_dump_json()) for a in audits] == audits
    assert audits[1].missing == ["Thesis in progress; it must be approved."]
