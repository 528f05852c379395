"""The credit transfer chain on the time-skipping test server, with in-memory activities."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from temporalio.client import WorkflowFailureError, WorkflowHandle

from activities.records import RecordActivities
from domain.credit_transfer import CourseDecision, RejectReason
from domain.learning_agreements import ChangeKind, ChangeReason
from domain.transfer_decisions import TransferStage
from domain.transfer_state import (
    ApproveChangeAction,
    CreditTransferState,
    DecideCourseAction,
    ProposeChangeAction,
    ProvideInformationAction,
    ReturnAction,
    StageAction,
)
from store.queries import get_item, open_steps
from tests.workflows.joint_program import (
    ministry_program,
    rejected,
    request,
    start_transfer,
    taken,
    transfer_input,
    until,
)
from workflows.credit_transfer import CreditTransferWorkflow

W = CreditTransferWorkflow


async def at(h: WorkflowHandle, stage: TransferStage) -> CreditTransferState:
    return await until(h, W.state, lambda s: s.stage is stage, stage.value)


def decide(
    code: str, decision: CourseDecision = CourseDecision.APPROVE, actor: str = "knua-dept", **kw: object
) -> DecideCourseAction:
    return DecideCourseAction.model_validate({"actor_id": actor, "course_code": code, "decision": decision, **kw})


async def department_decides_all(h: WorkflowHandle) -> None:
    await h.execute_update(W.decide_course, decide("DIR-620"))
    await h.execute_update(W.decide_course, decide("VFX-630", CourseDecision.APPROVE_AS_ELECTIVE))
    await h.execute_update(W.decide_course, decide("SCR-540", home_course_code="FP-540", save_as_equivalency=True))


def step_ids(st: CreditTransferState) -> list[str]:
    return sorted(s.step_id for s in st.steps)


async def test_whole_chain_posts_converted_credits(env, worker):
    _, fakes, queue = worker
    h = await start_transfer(env, queue)
    st = await at(h, TransferStage.DEPARTMENT)
    by_code = {ln.partner_course.code: ln for ln in st.lines}
    assert by_code["DIR-620"].equivalency.home_course_code == "FP-501" and by_code["DIR-620"].credits == Decimal(3)
    assert by_code["SCR-540"].credits == Decimal("2.5") and by_code["SCR-540"].equivalency is None  # 4.5 ZET × 0.5 = 2.25 → 2.5
    assert step_ids(st) == ["department-r1"] and [p.id for p in st.steps[0].awaited] == ["knua-dept"]
    await department_decides_all(h)
    st = await h.query(W.state)
    assert st.stage is TransferStage.HOME_REGISTRAR and step_ids(st) == ["home-registrar-r1"]
    await h.execute_update(W.approve, StageAction(actor_id="knua-registrar", expected_revision=st.revision))
    st = await h.query(W.state)
    assert st.stage is TransferStage.PARTNER_REGISTRAR
    assert st.steps[0].organisation_id == "vgik" and st.steps[0].country == "RU" and st.steps[0].kind == "confirm"
    msg = await rejected(h.execute_update(W.authorize, StageAction(actor_id="moe-officer")))
    assert msg == "“Film Production and AI Technology” needs no ministry authorization."
    r = await h.execute_update(W.confirm_grades, StageAction(actor_id="vgik-registrar"))
    assert r.stage is TransferStage.POSTED
    out = await h.result()
    posted = {p.course_code: p for p in out.posted}
    assert set(posted) == {"DIR-620", "VFX-630", "SCR-540"}
    assert (posted["DIR-620"].home_course_code, posted["DIR-620"].credits, posted["DIR-620"].grade) == (
        "FP-501",
        Decimal(3),
        "A+",
    )
    assert (posted["VFX-630"].elective_category, posted["VFX-630"].credits, posted["VFX-630"].grade) == (
        "major_elective",
        Decimal("2.5"),
        "B+",
    )
    assert posted["SCR-540"].original_credits == Decimal("4.5") and posted["SCR-540"].original_grade == "4"
    assert [(e.partner_course_code, e.home_course_code) for e in out.equivalencies] == [("SCR-540", "FP-540")]
    assert [e.decided_by.id for e in out.equivalencies] == ["knua-dept"]
    item = fakes.items[h.id].item
    assert (item.item_type, item.kind, item.phase) == ("credit_transfer", "2026-fall", "posted")
    assert {p.organisation_id: p.role for p in item.parties} == {"knua": "home", "vgik": "partner"}
    assert item.summary["approved"] == 3 and item.summary["pending"] == 0
    assert item.summary["credits_requested"] == "15.5" and item.summary["credits_approved"] == "8.0"
    assert item.detail["stage"] == "posted" and fakes.items[h.id].steps == []
    kinds = [e.kind for e in fakes.events[h.id]]
    assert kinds[:2] == ["requested", "prechecked"] and kinds[-1] == "credits_posted" and "department_decided" in kinds
    keys = [re.sub(r"#\d+", "", k.split("/", 1)[1]) for k in fakes.keys(h.id)]
    assert sorted(keys) == ["department-r1/opened", "home-registrar-r1/opened", "partner-registrar/opened", "posted"]


async def test_reject_needs_a_reason_code(env, worker):
    _, _, queue = worker
    h = await start_transfer(env, queue)
    await at(h, TransferStage.DEPARTMENT)
    msg = await rejected(h.execute_update(W.decide_course, decide("SCR-540", CourseDecision.REJECT)))
    assert msg == "Rejecting SCR-540 needs a reason code."
    msg = await rejected(h.execute_update(W.decide_course, decide("SCR-540", CourseDecision.REJECT, reason_code="other")))
    assert "needs a comment" in msg
    await h.execute_update(W.decide_course, decide("SCR-540", CourseDecision.REJECT, reason_code=RejectReason.CONTENT_MISMATCH,
                                                   note="Series writing is not our screenwriting core"))  # fmt: skip
    st = await h.query(W.state)
    assert st.summary()["rejected"] == 1 and st.summary()["pending"] == 2
    assert any(e.kind == "course_decided" and "content mismatch" in e.detail for e in st.events)
    msg = await rejected(h.execute_update(W.decide_course, decide("HIST-301")))
    assert "not among the courses" in msg


async def test_ask_for_information_loop(env, worker):
    _, fakes, queue = worker
    h = await start_transfer(env, queue)
    await at(h, TransferStage.DEPARTMENT)
    msg = await rejected(h.execute_update(W.decide_course, decide("SCR-540", CourseDecision.ASK_FOR_INFORMATION)))
    assert "needs the question" in msg
    await h.execute_update(
        W.decide_course, decide("SCR-540", CourseDecision.ASK_FOR_INFORMATION, note="Please send the syllabus.")
    )
    st = await h.query(W.state)
    info = next(s for s in st.steps if s.kind == "answer")
    assert {p.id for p in info.awaited} == {"kim-minji", "park-coordinator"}
    assert next(s for s in st.steps if s.kind == "decide").label == "Decide on DIR-620, VFX-630"
    msg = await rejected(
        h.execute_update(
            W.provide_information, ProvideInformationAction(actor_id="knua-registrar", course_code="SCR-540", text="x")
        )
    )
    assert "only the student or the program's coordinators" in msg
    msg = await rejected(
        h.execute_update(W.provide_information, ProvideInformationAction(actor_id="kim-minji", course_code="DIR-620", text="x"))
    )
    assert msg == "No question on DIR-620 is waiting for an answer."
    await h.execute_update(W.decide_course, decide("DIR-620"))
    await h.execute_update(W.decide_course, decide("VFX-630", CourseDecision.APPROVE_AS_ELECTIVE))
    st = await h.query(W.state)
    assert st.stage is TransferStage.DEPARTMENT and [s.kind for s in st.steps] == ["answer"]  # nothing for the department now
    await h.execute_update(W.provide_information, ProvideInformationAction(actor_id="kim-minji", course_code="SCR-540",
                                                                           text="Syllabus attached: 72 hours of screenwriting."))  # fmt: skip
    st = await h.query(W.state)
    assert [(s.kind, s.label) for s in st.steps] == [("decide", "Decide on SCR-540")]
    await h.execute_update(
        W.decide_course, decide("SCR-540", CourseDecision.APPROVE_AS_ELECTIVE, elective_category="major_elective")
    )
    st = await h.query(W.state)
    assert st.stage is TransferStage.HOME_REGISTRAR
    assert st.info[0].answer.startswith("Syllabus") and st.info[0].answered_by == "kim-minji"
    opened = [k for k in fakes.keys(h.id) if "/department-r1#" in k and k.endswith("/opened")]
    assert len(opened) == 2  # the department's step reopened when the answer came: a fresh mail


async def test_registrar_returns_courses_to_department(env, worker):
    _, _, queue = worker
    h = await start_transfer(env, queue)
    await at(h, TransferStage.DEPARTMENT)
    await department_decides_all(h)
    msg = await rejected(
        h.execute_update(W.return_to_department, ReturnAction(actor_id="knua-registrar", reason="?", course_codes=["XX-1"]))
    )
    assert "not among the courses" in msg
    await h.execute_update(W.return_to_department, ReturnAction(actor_id="knua-registrar", reason="FP-540 is already passed",
                                                                course_codes=["scr-540"]))  # fmt: skip
    st = await h.query(W.state)
    assert st.stage is TransferStage.DEPARTMENT and st.department_round == 2
    assert [(s.step_id, s.label) for s in st.steps] == [("department-r2", "Decide on SCR-540")]
    await h.execute_update(
        W.decide_course, decide("SCR-540", CourseDecision.APPROVE_AS_ELECTIVE, elective_category="major_elective")
    )
    st = await h.query(W.state)
    assert st.stage is TransferStage.HOME_REGISTRAR and step_ids(st) == ["home-registrar-r2"]


async def test_ministry_step_when_the_program_requires_it(env, worker):
    _, fakes, queue = worker
    h = await start_transfer(env, queue, transfer_input(ministry_program()))
    await at(h, TransferStage.DEPARTMENT)
    await department_decides_all(h)
    await h.execute_update(W.approve, StageAction(actor_id="knua-registrar"))
    await h.execute_update(W.confirm_grades, StageAction(actor_id="vgik-registrar"))
    st = await h.query(W.state)
    assert st.stage is TransferStage.MINISTRY
    assert [(s.kind, s.organisation_id, s.country, [p.id for p in s.awaited]) for s in st.steps] == [
        ("authorize", "kr-moe", "KR", ["moe-officer"])
    ]
    msg = await rejected(h.execute_update(W.authorize, StageAction(actor_id="vgik-registrar")))
    assert "only the ministry's officers" in msg
    await h.execute_update(W.authorize, StageAction(actor_id="moe-officer", comment="Authorized under the 2026 quota"))
    out = await h.result()
    assert out.stage is TransferStage.POSTED and len(out.posted) == 3
    assert [s.stage for s in (await h.query(W.state)).signoffs] == ["home_registrar", "partner_registrar", "ministry"]
    assert fakes.items[h.id].item.phase == "posted"


async def test_partner_registrar_who_never_answers_is_escalated(env, worker):
    _, fakes, queue = worker
    h = await start_transfer(
        env, queue
    )  # the program's policy: due in 14 days, reminders from day 5 every 2 (5), board 7 days later
    await at(h, TransferStage.DEPARTMENT)
    await department_decides_all(h)
    await h.execute_update(W.approve, StageAction(actor_id="knua-registrar"))
    await env.sleep(timedelta(days=22))
    st = await h.query(W.state)
    step = st.steps[0]
    assert step.step_id == "partner-registrar" and step.reminders_sent == 5 and step.escalation == 2
    keys = {re.sub(r"#\d+", "", k): k for k in fakes.keys(h.id)}
    mine = sorted(k.split("/", 1)[1] for k in keys if "/partner-registrar/" in k)
    assert mine == sorted(["partner-registrar/opened"] + [f"partner-registrar/reminder/{i}" for i in range(1, 6)]
                          + ["partner-registrar/escalate_liaison/1", "partner-registrar/escalate_board/1"])  # fmt: skip
    assert [p.id for p in fakes.notifications[keys[f"{h.id}/partner-registrar/reminder/1"]].to] == ["vgik-registrar"]
    assert [p.id for p in fakes.notifications[keys[f"{h.id}/partner-registrar/escalate_liaison/1"]].to] == ["ru-liaison"]
    assert [p.id for p in fakes.notifications[keys[f"{h.id}/partner-registrar/escalate_board/1"]].to] == ["board-chair"]
    assert fakes.items[h.id].steps[0].escalation == 2
    await h.execute_update(W.confirm_grades, StageAction(actor_id="vgik-registrar"))  # late, but still counts
    assert (await h.result()).stage is TransferStage.POSTED


async def test_stale_learning_agreement_approval_is_rejected(env, worker):
    _, _, queue = worker
    h = await start_transfer(env, queue)
    await at(h, TransferStage.DEPARTMENT)
    add = ProposeChangeAction(actor_id="kim-minji", proposal_id="p1", kind=ChangeKind.ADD, course_code="HIST-301",
                              title="History of Russian Cinema", reason=ChangeReason.TIMETABLE_CLASH, base_revision=0)  # fmt: skip
    drop = ProposeChangeAction(actor_id="park-coordinator", proposal_id="p2", kind=ChangeKind.DROP, course_code="SCR-540",
                               reason=ChangeReason.COURSE_CANCELLED, base_revision=0)  # fmt: skip
    await h.execute_update(W.propose_change, add)
    await h.execute_update(W.propose_change, drop)
    msg = await rejected(
        h.execute_update(W.propose_change, add.model_copy(update={"proposal_id": "p3", "course_code": "NOPE-1"}))
    )
    assert "not in vgik's catalog" in msg
    msg = await rejected(h.execute_update(W.approve_change, ApproveChangeAction(actor_id="kim-minji", proposal_id="p1")))
    assert "only the home department's reviewers" in msg
    st = await h.query(W.state)
    assert {s.step_id for s in st.steps} >= {"la-change-p1", "la-change-p2"}
    await h.execute_update(W.approve_change, ApproveChangeAction(actor_id="knua-dept", proposal_id="p1"))
    before = await h.query(W.state)
    assert before.learning_agreement.revision == 1 and before.learning_agreement.has("HIST-301")
    assert "la-change-p2" not in {s.step_id for s in before.steps}  # outdated: it awaits nobody
    msg = await rejected(h.execute_update(W.approve_change, ApproveChangeAction(actor_id="knua-dept", proposal_id="p2")))
    assert msg.startswith("Conflict") and "revision 0" in msg and "current revision is 1" in msg and "add HIST-301" in msg
    after = await h.query(W.state)
    assert after.events == before.events and after.learning_agreement == before.learning_agreement


async def test_actor_without_the_role_is_rejected_at_every_stage(env, worker):
    _, _, queue = worker
    h = await start_transfer(env, queue, transfer_input(ministry_program()))
    await at(h, TransferStage.DEPARTMENT)
    for actor in ["stranger", "vgik-dept"]:  # VGIK's department decides only on credits transferred to VGIK
        assert "takes no part" in await rejected(h.execute_update(W.decide_course, decide("DIR-620", actor=actor)))
    for actor in ["knua-registrar", "vgik-registrar", "kim-minji", "park-coordinator", "moe-officer"]:
        msg = await rejected(h.execute_update(W.decide_course, decide("DIR-620", actor=actor)))
        assert "only the home department's reviewers can" in msg, actor
    assert "not of the home registrar" in await rejected(h.execute_update(W.approve, StageAction(actor_id="knua-registrar")))
    await department_decides_all(h)
    for actor in ["knua-dept", "vgik-registrar", "kim-minji"]:
        assert "only the home registrar can" in await rejected(h.execute_update(W.approve, StageAction(actor_id=actor)))
    assert "stage of the home registrar" in await rejected(h.execute_update(W.decide_course, decide("DIR-620")))
    await h.execute_update(W.approve, StageAction(actor_id="knua-registrar"))
    for actor in ["knua-registrar", "knua-dept", "park-coordinator"]:
        assert "only the partner's registrar can" in await rejected(
            h.execute_update(W.confirm_grades, StageAction(actor_id=actor))
        )
    await h.execute_update(W.confirm_grades, StageAction(actor_id="vgik-registrar"))
    for actor in ["vgik-registrar", "knua-registrar", "park-coordinator"]:
        assert "only the ministry's officers can" in await rejected(h.execute_update(W.authorize, StageAction(actor_id=actor)))
    await h.execute_update(W.authorize, StageAction(actor_id="moe-officer"))
    await h.result()


async def test_stale_page_and_double_click(env, worker):
    _, _, queue = worker
    h = await start_transfer(env, queue)
    st = await at(h, TransferStage.DEPARTMENT)
    a = decide("DIR-620", expected_revision=st.revision)
    await h.execute_update(W.decide_course, a, id="click-1")
    await h.execute_update(W.decide_course, a, id="click-1")  # the same click, delivered twice
    st = await h.query(W.state)
    assert sum(1 for e in st.events if e.kind == "course_decided") == 1
    msg = await rejected(h.execute_update(W.decide_course, a, id="click-2"))  # a second click on the old page
    assert msg.startswith("Conflict") and f"revision {st.revision}" in msg


async def test_request_refused_before_anyone_is_asked(env, worker):
    _, _, queue = worker
    bad = request([taken("NOPE-101", "A course VGIK does not teach", "3", "5"), taken("CAM-610", "Light", "4", "A")])
    h = await start_transfer(env, queue, transfer_input(req=bad))
    with pytest.raises(WorkflowFailureError) as e:
        await h.result()
    msg = e.value.cause.message
    assert msg.startswith("The request has 2 problems")
    assert "no course 'NOPE-101'" in msg and "Grade 'A' is not on the Russian five-point scale" in msg


async def test_projection_is_accepted_by_the_read_model(env, worker, engine):
    _, fakes, queue = worker
    records = RecordActivities(engine)
    h = await start_transfer(env, queue)
    await at(h, TransferStage.DEPARTMENT)
    await department_decides_all(h)
    await h.execute_update(W.approve, StageAction(actor_id="knua-registrar"))
    await records.project_item(fakes.items[h.id])
    [step] = open_steps(engine, person_id="vgik-registrar")
    assert (step.item_id, step.step_id, step.kind, step.country) == (h.id, "partner-registrar", "confirm", "RU")
    await h.execute_update(W.confirm_grades, StageAction(actor_id="vgik-registrar"))
    await h.result()
    await records.project_item(fakes.items[h.id])
    item = get_item(engine, h.id)
    assert (item.item_type, item.phase, item.summary["credits_approved"]) == ("credit_transfer", "posted", "8.0")
    assert item.detail["request"]["term"] == "2026-fall" and open_steps(engine, item_id=h.id) == []
