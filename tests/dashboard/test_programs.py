"""The joint-program pages end to end in AppTest: programs, students, credit requests, a credit
transfer with its action widgets, a student's own view, tasks — on the seeded KNUA–VGIK program.

Temporal is the fake `send_action`; the read model is the seeded SQLite copy of each test.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import record_actions, transfer_actions
from domain.agreements import Event
from domain.human_steps import OpenStep, StepKind
from domain.readmodel import ItemSnapshot
from domain.student_record import StudentRecordState
from domain.transfer_decisions import TransferStage
from domain.transfer_state import CreditTransferState, Signoff
from services.errors import ActionRejected
from settings import get_settings
from store import queries
from store.db import make_engine
from store.projections import project_item
from tests.dashboard.conftest import FakeTemporal
from tests.dashboard.program_seed import DOHYUN, DOHYUN_FALL, MINJI, MINJI_FALL, SEOYEON, project_transfer
from tests.dashboard.test_app import no_failure, sign_in, texts

COORDINATOR, DEPARTMENT, REGISTRAR = "t.coordinator.knua", "t.dept.knua", "t.registrar.knua"
STUDENT_MINJI, STUDENT_DOHYUN = "t.student.minji", "t.student.dohyun"
DECIDE_VFX = "FormSubmitter:decide-vfx-630-form-Record decision"
DECIDE_SCR = "FormSubmitter:decide-scr-540-form-Record decision"


def open_item(at: AppTest, page: str, item_id: str) -> AppTest:
    at.query_params["id"] = item_id
    return at.switch_page(f"views/{page}.py").run()


def engine():  # type: ignore[no-untyped-def]
    return make_engine(get_settings().resolved_database_url)


# ---------------------------------------------------------------- programs and students


def test_programs_page_shows_the_program_its_mou_equivalencies_and_exports(app: AppTest) -> None:
    project_item(  # the MOU the program rests on, now active
        engine(),
        ItemSnapshot(
            item_id="agreement-knua-vgik-2026",
            item_type="agreement",
            title="KNUA–VGIK Dual Degree MOU",
            phase="active",
            projected_seq=1,
            updated_at=datetime.now(UTC),
        ),
    )
    sign_in(app, COORDINATOR)
    app.switch_page("views/programs.py").run()
    no_failure(app)
    page = texts(app)
    assert "Film Production and AI Technology" in page and "agreement-knua-vgik-2026" in page
    assert "Active" in page and "No ministry authorization is required" in page
    institutions, knua_table = app.dataframe[0].value, app.dataframe[1].value
    assert list(institutions["Institution"]) == [
        "Korea National University of Arts",
        "Gerasimov Institute of Cinematography (VGIK)",
    ]
    assert list(institutions["Country"]) == ["Republic of Korea (KR)", "Russia (RU)"]
    assert list(institutions["Credits required"]) == ["48 KR credits", "120 ZET"]
    assert "FP-501 Directing Workshop" in set(knua_table["Counts as"])
    assert "Elective credit (major elective)" in set(knua_table["Counts as"])
    assert set(knua_table["Source"]) == {"program file"}
    assert [m.value for m in app.metric[:4]] == ["3", "1", "1", "1"]  # students, enrolled, abroad, complete
    if importlib.util.find_spec("exports.program_csv"):
        assert {b.label for b in app.get("download_button")} >= {"Students (CSV)", "Credits (CSV)"}


def test_coordinator_sees_progress_for_both_degrees(app: AppTest) -> None:
    sign_in(app, COORDINATOR)
    app.switch_page("views/students.py").run()
    no_failure(app)
    [table] = app.dataframe
    frame = table.value.set_index("Student")
    assert set(frame.index) == {"Kim Minji", "Lee Dohyun", "Park Seoyeon"}
    assert (frame.loc["Kim Minji", "KNUA progress"], frame.loc["Kim Minji", "VGIK progress"]) == (25.0, 9.1)
    assert frame.loc["Kim Minji", "KNUA credits"] == "12 / 48 KR credits"
    assert frame.loc["Park Seoyeon", "KNUA met"] and frame.loc["Park Seoyeon", "VGIK met"]
    config = json.loads(table.proto.columns)
    assert config["KNUA progress"]["type_config"]["type"] == "progress"
    assert config["VGIK progress"]["type_config"]["type"] == "progress"

    app.text_input(key="stu-name").input("dohyun").run()
    assert list(app.dataframe[0].value["Student"]) == ["Lee Dohyun"]
    app.selectbox(key="stu-pick").select(DOHYUN)
    app.button(key="stu-go").click().run()
    no_failure(app)
    assert "Lee Dohyun" in texts(app)

    open_item(app, "student", MINJI)
    no_failure(app)
    bars = [(p.proto.value, p.proto.text) for p in app.get("progress")]
    assert bars == [(25, "25.0% · 12 of 48 KR credits"), (9, "9.1% · 11 of 120 ZET")]
    knua_audit = app.dataframe[0].value
    assert list(knua_audit["Met"]) == [False, False, False, False, True, True, False]  # AI-510 and the GPA are met
    assert knua_audit["Missing"][3].startswith(
        "Required course FP-501 Directing Workshop is missing; it can also be met by DIR-620"
    )
    assert {b.label for b in app.button} >= {"Add term", "Record thesis status", "Request credit transfer"}


def test_final_documents_are_offered_once_issued(app: AppTest) -> None:
    sign_in(app, COORDINATOR)
    open_item(app, "student", SEOYEON)
    no_failure(app)
    assert {b.label for b in app.get("download_button")} == {"Final transcript (PDF)", "Certificate (PDF)"}
    assert "Request credit transfer" not in {b.label for b in app.button}  # a complete record takes no changes


@pytest.mark.skipif(importlib.util.find_spec("documents.programs") is None, reason="documents.programs not present")
def test_interim_transcript_button_produces_a_pdf(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dashboard.program_common.font_cache_kwargs", lambda fn: {})  # the bundled fonts: no cache to derive
    sign_in(app, COORDINATOR)
    open_item(app, "student", MINJI)
    assert not app.get("download_button")  # nothing is rendered until asked
    app.button(key="interim-kim-minji-make").click().run()
    no_failure(app)
    pdf, pages = app.session_state["ondemand-interim-kim-minji"]
    assert pdf.startswith(b"%PDF") and pages >= 1
    [download] = app.get("download_button")
    assert download.proto.label.startswith("Download kim-minji-interim-transcript.pdf")


def test_a_failed_rendering_is_a_sentence(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> tuple[bytes, int]:
        raise RuntimeError("weasyprint exploded")

    monkeypatch.setattr("dashboard.program_common.optional_module", lambda name: SimpleNamespace(render_transcript=broken))
    sign_in(app, COORDINATOR)
    open_item(app, "student", MINJI)
    app.button(key="interim-kim-minji-make").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "“Interim transcript (PDF)” could not be produced right now. Please try again; if it persists, tell an administrator."
    ]
    assert "exploded" not in texts(app)


@pytest.mark.skipif(
    importlib.util.find_spec("documents.programs") is None or importlib.util.find_spec("exports.ewp_ola") is None,
    reason="documents.programs or exports.ewp_ola not present",
)
def test_learning_agreement_pdf_and_ewp_xml_on_demand(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dashboard.program_common.font_cache_kwargs", lambda fn: {})
    sign_in(app, STUDENT_MINJI)
    open_item(app, "credit_transfer", MINJI_FALL)
    app.button(key="la-req-kim-2026-fall-make").click().run()
    no_failure(app)
    pdf, _ = app.session_state["ondemand-la-req-kim-2026-fall"]
    assert pdf.startswith(b"%PDF")
    ola = app.button(key="ola-req-kim-2026-fall-make")  # VGIK is in Russia, which EWP counts as European
    assert ola.disabled and "home registrar has approved" in ola.help  # nothing signed to send yet


@pytest.mark.skipif(importlib.util.find_spec("exports.ewp_ola") is None, reason="exports.ewp_ola not present")
def test_partner_registrar_confirms_and_the_ola_is_exported(app: AppTest, temporal: FakeTemporal) -> None:
    registrar_approved(engine())
    sign_in(app, "t.registrar.vgik")
    open_item(app, "credit_transfer", DOHYUN_FALL)
    no_failure(app)
    stages = app.dataframe[1].value  # the chain, with the home registrar's sign-off
    assert list(stages["Status"]) == ["done", "done", "done", "now", "to come"]
    assert stages["Signed off by"][2] == "Yoon Hana" and stages["Comment"][2] == "Decisions checked."
    app.button(key="FormSubmitter:stage-confirm_grades-Confirm the grades as taken").click().run()
    assert temporal.calls[-1][:3] == (
        DOHYUN_FALL,
        "confirm_grades",
        {"actor_id": "vgik-registrar", "comment": "", "expected_revision": 5},
    )
    app.button(key="ola-req-lee-2026-fall-make").click().run()
    no_failure(app)
    xml, _ = app.session_state["ondemand-ola-req-lee-2026-fall"]
    assert b"omobility-las-get-response" in xml and b"<omobility-id>req-lee-2026-fall</omobility-id>" in xml
    [download] = [d for d in app.get("download_button") if "ola.xml" in d.proto.label]
    assert download.proto.label.startswith("Download req-lee-2026-fall-r0-ola.xml")


def registrar_approved(eng) -> None:  # type: ignore[no-untyped-def]
    """Lee Dohyun's transfer after Yoon Hana approved: on to VGIK's registrar."""
    item = queries.get_item(eng, DOHYUN_FALL)
    assert item is not None
    state = CreditTransferState.model_validate(item.detail)
    at = datetime.now(UTC)
    state.signoffs.append(
        Signoff(stage=TransferStage.HOME_REGISTRAR, person_id="knua-registrar", person_name="Yoon Hana", at=at,
                comment="Decisions checked.")
    )  # fmt: skip
    state.stage, state.revision = TransferStage.PARTNER_REGISTRAR, 5
    vgik = state.roster.at("vgik").registrars[0]
    state.steps = [
        OpenStep(step_id="partner-registrar", kind=StepKind.CONFIRM, label="Confirm the grades taken at VGIK",
                 organisation_id="vgik", country="RU", awaited=[vgik], opened_at=at, due_at=at + timedelta(days=14))
    ]  # fmt: skip
    events = [Event(seq=e.seq, at=e.at, kind=e.kind, detail=e.detail) for e in queries.events_for(eng, DOHYUN_FALL)]
    events.append(Event(seq=4, at=at, kind="approved", actor_id="knua-registrar", actor_name="Yoon Hana"))
    project_transfer(eng, DOHYUN_FALL, state, events)


def test_a_coordinator_adds_a_term_abroad(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, COORDINATOR)
    open_item(app, "student", MINJI)
    app.text_input(key="term-kim-minji-term").input("2027-Spring")
    app.button(key="FormSubmitter:term-kim-minji-Add term").click().run()
    no_failure(app)
    [(wid, action, data, uid)] = temporal.calls
    assert (wid, action, data) == (
        MINJI,
        "add_term_abroad",
        {"actor_id": "park-coordinator", "institution_id": "vgik", "term": "2027-Spring"},
    )
    assert uid.startswith(f"{MINJI}:add_term_abroad:park-coordinator:r2:")
    assert "Add term abroad recorded." in texts(app)


def test_a_request_without_courses_is_not_sent(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, STUDENT_MINJI)  # the student may request too
    open_item(app, "student", MINJI)
    assert app.text_input(key="start-kim-minji-term").value == "2026-fall"  # every term abroad has a request: this term
    app.button(key="FormSubmitter:start-kim-minji-Request credit transfer").click().run()
    assert not app.exception and temporal.calls == []
    assert [e.value for e in app.error] == [
        "Please check the request: Please list at least one course taken, with its code, title, credits and grade."
    ]


# ---------------------------------------------------------------- credit requests


def test_credit_requests_list_shows_age_oldest_first(app: AppTest) -> None:
    sign_in(app, DEPARTMENT)
    app.switch_page("views/credit_requests.py").run()
    no_failure(app)
    frame = app.dataframe[0].value
    assert list(frame["Student"]) == ["Lee Dohyun", "Kim Minji"]
    assert list(frame["Age (days)"]) == [30, 12]
    assert list(frame["Stage"]) == ["Home registrar", "Department"]
    assert list(frame["Pending"]) == [0, 2] and list(frame["Rejected"]) == [1, 0]
    assert frame["Awaiting"].iloc[0] == "Yoon Hana"
    assert "Choi Eunji" in frame["Awaiting"].iloc[1] and "Kim Minji" in frame["Awaiting"].iloc[1]
    assert app.metric[1].value == "1"  # older than 30 days

    app.multiselect(key="req-stage").select("department").run()
    assert list(app.dataframe[0].value["Student"]) == ["Kim Minji"]
    app.selectbox(key="req-pick").select(MINJI_FALL)
    app.button(key="req-go").click().run()
    no_failure(app)
    assert "Credit transfer 2026-fall: Kim Minji" in texts(app)


# ---------------------------------------------------------------- the department decides


def test_department_decides_a_course_with_the_right_fields(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, DEPARTMENT)
    open_item(app, "credit_transfer", MINJI_FALL)
    no_failure(app)
    courses = app.dataframe[0].value.set_index("Decision")
    assert "VFX-630 Neural Rendering and Visual Effects" in set(app.dataframe[0].value["Course"])
    assert courses.loc["approve", "Counts as"] == "FP-501"
    assert app.selectbox(key="decide-vfx-630-decision").value == "approve_as_elective"  # the pre-check's suggestion
    assert app.text_input(key="decide-vfx-630-category").value == "major_elective"  # from the equivalency
    app.checkbox(key="decide-vfx-630-save").check()
    app.button(key=DECIDE_VFX).click().run()
    no_failure(app)
    [(wid, action, data, uid)] = temporal.calls
    assert (wid, action) == (MINJI_FALL, "decide_course")
    assert data == {
        "actor_id": "knua-dept",
        "course_code": "VFX-630",
        "decision": "approve_as_elective",
        "expected_revision": 5,
        "elective_category": "major_elective",
        "save_as_equivalency": True,
    }
    assert uid.startswith(f"{MINJI_FALL}:decide_course:knua-dept:r5:")
    assert [s.value for s in app.success] == ["Decide course recorded."]

    app.selectbox(key="decide-scr-540-decision").select("reject")
    app.selectbox(key="decide-scr-540-reason").select("insufficient_hours")
    app.text_area(key="decide-scr-540-note").input("32 contact hours; KNUA requires 45.")
    app.button(key=DECIDE_SCR).click().run()
    assert temporal.calls[-1][2] == {
        "actor_id": "knua-dept",
        "course_code": "SCR-540",
        "decision": "reject",
        "expected_revision": 5,
        "reason_code": "insufficient_hours",
        "note": "32 contact hours; KNUA requires 45.",
    }


def test_asking_without_a_question_is_not_sent(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, DEPARTMENT)
    open_item(app, "credit_transfer", MINJI_FALL)
    app.selectbox(key="decide-vfx-630-decision").select("ask_for_information")
    app.button(key=DECIDE_VFX).click().run()
    assert temporal.calls == []
    assert [e.value for e in app.error] == ["Please write the question about VFX-630 for the student in the note."]


def test_a_rejected_decision_shows_the_workflows_message(app: AppTest, temporal: FakeTemporal) -> None:
    message = (
        "Conflict: you acted on revision 5 of credit transfer req-kim-2026-fall, but it is now at revision 6."
        " Please reload it and look again."
    )
    temporal.error = ActionRejected(message)
    sign_in(app, DEPARTMENT)
    open_item(app, "credit_transfer", MINJI_FALL)
    app.button(key=DECIDE_VFX).click().run()
    assert [e.value for e in app.error] == [message]
    assert not app.exception


def test_department_approves_a_learning_agreement_change(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, DEPARTMENT)
    open_item(app, "credit_transfer", MINJI_FALL)
    app.button(key="approve-change-add-cam-610").click().run()
    assert temporal.calls[-1][1:3] == ("approve_change", {"actor_id": "knua-dept", "proposal_id": "add-cam-610"})


def test_registrar_approves_with_the_revision_on_screen(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, REGISTRAR)
    open_item(app, "credit_transfer", DOHYUN_FALL)
    no_failure(app)
    assert not [b for b in app.button if b.label == "Record decision"]  # the department's forms are not theirs
    app.button(key="FormSubmitter:stage-approve-Approve the department's decisions").click().run()
    assert temporal.calls[-1][:3] == (
        DOHYUN_FALL,
        "approve",
        {"actor_id": "knua-registrar", "comment": "", "expected_revision": 4},
    )
    app.text_area(key="return-reason").input("SCR-540 deserves a second look.")
    app.multiselect(key="return-courses").select("SCR-540")
    app.button(key="FormSubmitter:return-Return").click().run()
    assert temporal.calls[-1][1:3] == (
        "return_to_department",
        {
            "actor_id": "knua-registrar",
            "reason": "SCR-540 deserves a second look.",
            "course_codes": ["SCR-540"],
            "expected_revision": 4,
        },
    )


def test_my_tasks_link_credit_transfer_steps(app: AppTest) -> None:
    sign_in(app, DEPARTMENT)
    no_failure(app)
    page = texts(app)
    assert "Decide on VFX-630" in page and "Approve learning-agreement change: add CAM-610 (timetable clash)" in page
    links = [p.proto for p in app.get("page_link")]
    assert {p.query_string for p in links} == {f"id={MINJI_FALL}"}
    assert {p.page for p in links} == {"credit-transfer"}


# ---------------------------------------------------------------- a student's own view


def test_a_student_sees_only_their_own_record_and_answers_the_question(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, STUDENT_MINJI)
    no_failure(app)
    assert "Answer the department's question on SCR-540" in texts(app)  # My tasks
    app.switch_page("views/my_studies.py").run()
    no_failure(app)
    page = texts(app)
    assert "Film Production and AI Technology" in page and "Lee Dohyun" not in page and "Park Seoyeon" not in page
    assert [p.proto.value for p in app.get("progress")] == [25, 9]
    assert "How many contact hours did SCR-540 have?" in [t.value for t in app.text]
    app.text_area(key="answer-scr-540-4-text").input("48 contact hours, as the syllabus attached says.")
    app.button(key="FormSubmitter:answer-scr-540-4-Send answer").click().run()
    assert temporal.calls[-1][:3] == (
        MINJI_FALL,
        "provide_information",
        {"actor_id": "kim-minji-knua", "course_code": "SCR-540", "text": "48 contact hours, as the syllabus attached says."},
    )

    for page_name, other in (("student", DOHYUN), ("credit_transfer", DOHYUN_FALL), ("student", SEOYEON)):
        open_item(app, page_name, other)
        assert "not visible to you" in texts(app) and "Lee Dohyun" not in texts(app)
    open_item(app, "student", MINJI)
    no_failure(app)
    assert "Kim Minji" in texts(app)
    with pytest.raises(ValueError):  # no programme lists for a student
        app.switch_page("views/students.py")


def test_a_student_proposes_dropping_a_course(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, STUDENT_MINJI)
    open_item(app, "credit_transfer", MINJI_FALL)
    assert "Record decision" not in {b.label for b in app.button}
    app.selectbox(key="propose-kind").select("drop")
    app.selectbox(key="propose-course").select("SCR-540")
    app.selectbox(key="propose-reason").select("course_cancelled")
    app.button(key="FormSubmitter:propose-Propose change").click().run()
    no_failure(app)
    assert temporal.calls[-1][1:3] == (
        "propose_change",
        {
            "actor_id": "kim-minji-knua",
            "proposal_id": "drop-scr-540-2",
            "kind": "drop",
            "course_code": "SCR-540",
            "title": "",
            "reason": "course_cancelled",
            "comment": "",
            "base_revision": 0,
        },
    )
    app.button(key="withdraw-add-cam-610").click().run()
    assert temporal.calls[-1][1:3] == ("close_change", {"actor_id": "kim-minji-knua", "proposal_id": "add-cam-610", "reason": "", "decline": False})


def test_staff_of_another_university_see_no_program(app: AppTest) -> None:
    sign_in(app, "coordinator.kafa")
    app.switch_page("views/programs.py").run()
    no_failure(app)
    assert "No joint program of your organisation is recorded in Helix." in texts(app)
    app.switch_page("views/students.py").run()
    assert "No student of a program you take part in is recorded yet." in texts(app)
    open_item(app, "credit_transfer", MINJI_FALL)
    assert "not visible to you" in texts(app)


def test_another_student_does_not_see_minjis_request(app: AppTest) -> None:
    sign_in(app, STUDENT_DOHYUN)
    app.switch_page("views/my_studies.py").run()
    page = texts(app)
    assert "Kim Minji" not in page and "Lee Dohyun" in page
    open_item(app, "credit_transfer", MINJI_FALL)
    assert "not visible to you" in texts(app)


# ---------------------------------------------------------------- the pure helpers behind the forms


def minji_state() -> StudentRecordState:
    item = queries.get_item(engine(), MINJI)
    assert item is not None
    return StudentRecordState.model_validate(item.detail)


def test_a_transfer_request_is_built_from_the_editor_rows(data_dir) -> None:  # type: ignore[no-untyped-def]
    state = minji_state()
    rows = [
        {"course_code": " DIR-620 ", "title": "Directing the Fiction Film", "credits": 6.0, "grade": "5"},
        {"course_code": None, "title": None, "credits": float("nan"), "grade": None},  # an empty row is skipped
    ]
    request = record_actions.build_request(state, "2027-Spring", "vgik", rows)
    assert not isinstance(request, str)
    assert (request.id, request.term, request.taken_at, request.credited_at) == (
        "req-kim-minji-2027-spring",
        "2027-spring",
        "vgik",
        "knua",
    )
    assert [(c.course_code, str(c.credits), c.grade) for c in request.courses] == [("DIR-620", "6.0", "5")]
    assert record_actions.build_request(state, "2027", "vgik", rows).startswith("'2027' is not a term")
    assert record_actions.build_request(state, "2027-fall", "vgik", rows[1:]).startswith("Please list at least one course")
    twice = record_actions.build_request(state, "2027-fall", "vgik", [rows[0], rows[0]])
    assert isinstance(twice, str) and "DIR-620 listed more than once" in twice


def test_decision_fields_follow_the_decision() -> None:
    d = transfer_actions.decision_data
    assert d("p", "X-1", "approve", revision=3, home_course_code="FP-501", elective_category="ignored") == {
        "actor_id": "p",
        "course_code": "X-1",
        "decision": "approve",
        "expected_revision": 3,
        "home_course_code": "FP-501",
        "save_as_equivalency": False,
    }
    assert d("p", "X-1", "reject", revision=3, reason_code="other") == "Please say in the note why X-1 is rejected."
    assert d("p", "X-1", "ask_for_information", revision=3, note=" How long? ", reason_code="level_too_low") == {
        "actor_id": "p",
        "course_code": "X-1",
        "decision": "ask_for_information",
        "expected_revision": 3,
        "note": "How long?",
    }
    assert transfer_actions.proposal_id(_FakeState(), "add", "CAM 610/A") == "add-cam610-a-3"


class _FakeState:
    def __init__(self) -> None:
        self.proposals = [object(), object()]
