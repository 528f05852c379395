"""The student record on the time-skipping test server: enrolment, transfers as children, audit, completion."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
from temporalio.client import WorkflowFailureError, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.agreements import Phase
from domain.credit_transfer import CourseDecision
from domain.student_record import MouChange, RecordPhase, StartTransferAction, StudentRecordState, ThesisAction, TransferStatus
from domain.students import StudentRecord, ThesisStatus
from domain.transfer_decisions import TransferStage
from domain.transfer_state import CreditsPosted, DecideCourseAction, StageAction
from tests.domain.program_examples import CATALOGS, KNUA_TABLE, native, program, student
from tests.domain.transfer_examples import almost_done
from tests.workflows.joint_program import ROSTER, rejected, request, taken, until
from workflows.credit_transfer import CreditTransferWorkflow
from workflows.student_record import StudentRecordInput, StudentRecordWorkflow

W = StudentRecordWorkflow


async def start(
    env: WorkflowEnvironment, queue: str, mou: Phase = Phase.ACTIVE, record: StudentRecord | None = None
) -> WorkflowHandle:
    inp = StudentRecordInput(program=program(), catalogs=CATALOGS, equivalencies={"knua": KNUA_TABLE}, roster=ROSTER,
                             record=record or student(), mou_phase=mou)  # fmt: skip
    return await env.client.start_workflow(W.run, inp, id=f"student-{uuid.uuid4().hex[:8]}", task_queue=queue)


async def ready(h: WorkflowHandle) -> StudentRecordState:
    return await until(h, W.state, lambda s: s.audits, "enrolled")


def ask(term: str = "2026-fall", actor: str = "kim-minji", **kw: object) -> StartTransferAction:
    return StartTransferAction(actor_id=actor, request=request(term=term, **kw))


async def test_enrolment_blocked_while_the_mou_is_not_active(env, worker):
    _, fakes, queue = worker
    h = await start(env, queue, mou=Phase.SIGNING)
    with pytest.raises(WorkflowFailureError) as e:
        await h.result()
    assert e.value.cause.message == (
        "“Film Production and AI Technology” cannot enrol students now: its agreement agreement-knua-vgik-2026 is still in"
        " signing and not yet signed. Students can be enrolled while the agreement is active."
    )
    assert h.id not in fakes.items  # nothing recorded


async def test_transfer_child_posts_credits_and_the_audit_follows(env, worker):
    _, fakes, queue = worker
    h = await start(env, queue)
    st = await ready(h)
    knua_before = st.audits[0]
    assert knua_before.institution_id == "knua" and knua_before.earned_credits == Decimal(12)
    assert st.phase in (RecordPhase.ENROLLED, RecordPhase.ABROAD)
    r = await h.execute_update(W.start_credit_transfer, ask())
    assert r.workflow_id == "credit-transfer-kim-minji-2026-fall"
    msg = await rejected(h.execute_update(W.start_credit_transfer, ask(id="req-kim-again")))
    assert msg == "A credit transfer for 2026-fall was already requested (req-kim-2026-fall); there is one per term."
    child = env.client.get_workflow_handle(r.workflow_id)
    desc = await child.describe()
    assert desc.parent_id == h.id
    await until(child, CreditTransferWorkflow.state, lambda s: s.stage is TransferStage.DEPARTMENT, "department")
    for code, decision in [("DIR-620", "approve"), ("VFX-630", "approve_as_elective")]:
        await child.execute_update(
            CreditTransferWorkflow.decide_course, DecideCourseAction(actor_id="knua-dept", course_code=code, decision=decision)
        )
    await child.execute_update(CreditTransferWorkflow.decide_course,
                               DecideCourseAction(actor_id="knua-dept", course_code="SCR-540", decision=CourseDecision.REJECT,
                                                  reason_code="content_mismatch"))  # fmt: skip
    await child.execute_update(CreditTransferWorkflow.approve, StageAction(actor_id="knua-registrar"))
    await child.execute_update(CreditTransferWorkflow.confirm_grades, StageAction(actor_id="vgik-registrar"))
    st = await until(h, W.state, lambda s: s.transfers[0].status is TransferStatus.POSTED, "posted")
    knua = st.audits[0]
    assert knua.earned_credits == Decimal("17.5")  # 12 at home + 3 (DIR-620) + 2.5 (VFX-630); SCR-540 rejected
    assert knua.earned_at["vgik"] == Decimal("5.5")
    fp501 = next(x for x in knua.requirements if x.course_code == "FP-501")
    assert fp501.met and "DIR-620" in fp501.satisfied_by
    assert [p.course_code for p in st.record.posted_at("knua") if p.transferred] == ["DIR-620", "VFX-630"]
    item = fakes.items[h.id].item
    assert (item.item_type, item.phase) == ("student", st.phase.value)
    assert item.summary["degrees"]["knua"]["percent"] == str(knua.percent_complete)
    assert item.summary["degrees"]["knua"]["projected_completion_term"] == knua.projected_completion_term
    assert [e.kind for e in fakes.events[h.id]][-1] == "credits_posted"
    await h.signal(W.credits_posted, _repost(child.id))
    await rejected(h.execute_update(W.start_credit_transfer, ask()))  # runs after the signal
    again = await h.query(W.state)
    assert len(again.record.posted) == len(st.record.posted)  # a repeated signal counts once


def _repost(workflow_id: str) -> CreditsPosted:
    """The same request's posting delivered again (say, by a retried signal)."""
    return CreditsPosted(request_id="req-kim-2026-fall", term="2026-fall", workflow_id=workflow_id, credited_at="knua",
                         credits=[native("knua", "X-1", "Duplicate", "3", "A+", "2026-fall")])  # fmt: skip


async def test_a_request_shows_before_its_transfer_starts(env, worker):
    """The coordinator's request is recorded and projected first (PATCH_REQUEST_FIRST); loading the
    institution's equivalency table and starting the transfer follow. With the table's database
    stalled, the read model already lists the request, and a second request for the term is refused."""
    _, fakes, queue = worker
    h = await start(env, queue)
    await ready(h)
    fakes.tables_gate = asyncio.Event()
    update = asyncio.ensure_future(h.execute_update(W.start_credit_transfer, ask()))
    try:
        for _ in range(300):
            if any(e.kind == "transfer_requested" for e in fakes.events.get(h.id, [])):
                break
            await asyncio.sleep(0.05)
        assert any(e.kind == "transfer_requested" for e in fakes.events.get(h.id, []))
        assert [t["term"] for t in fakes.items[h.id].item.detail["transfers"]] == ["2026-fall"]
        assert not update.done()
        msg = await rejected(h.execute_update(W.start_credit_transfer, ask(id="req-kim-again")))
        assert "already requested" in msg
    finally:
        fakes.tables_gate.set()
    r = await update
    assert r.workflow_id == "credit-transfer-kim-minji-2026-fall"
    assert (await env.client.get_workflow_handle(r.workflow_id).describe()).parent_id == h.id


async def test_a_lapsed_mou_blocks_new_requests(env, worker):
    _, _, queue = worker
    h = await start(env, queue)
    await ready(h)
    await h.signal(W.mou_changed, MouChange(phase=Phase.EXPIRED))
    await until(h, W.state, lambda s: s.mou_phase is Phase.EXPIRED, "expired")
    msg = await rejected(h.execute_update(W.start_credit_transfer, ask()))
    assert msg == ("New credit transfer requests for “Film Production and AI Technology” are not accepted: its agreement"
                   " agreement-knua-vgik-2026 is expired, not active.")  # fmt: skip


async def test_bad_requests_are_refused_with_clear_errors(env, worker):
    _, _, queue = worker
    h = await start(env, queue)
    await ready(h)
    msg = await rejected(h.execute_update(W.start_credit_transfer, ask(courses=[taken("NOPE-101", "Unknown", "3", "5")])))
    assert msg == ("Gerasimov Institute of Cinematography (VGIK) has no course 'NOPE-101' (Unknown) in its catalog;"
                   " check the code on the transcript.")  # fmt: skip
    msg = await rejected(h.execute_update(W.start_credit_transfer, ask(courses=[taken("DIR-620", "Directing", "6", "7")])))
    assert msg.startswith("DIR-620: Grade '7' is not on the Russian five-point scale; valid grades: 5 (отлично)")
    with pytest.raises(ValueError, match="Credits of DIR-620 must be more than zero; got -6"):
        taken("DIR-620", "Directing", "-6", "5")
    raw = {"actor_id": "kim-minji", "request": {**request().model_dump(mode="json"),
                                                "courses": [{"course_code": "DIR-620", "title": "Directing", "credits": "-6", "grade": "5"}]}}  # fmt: skip
    with pytest.raises(WorkflowUpdateFailedError) as e:  # a client that skips the model is refused too
        await h.execute_update("start_credit_transfer", raw)
    assert e.value.cause.message == "Failed decoding arguments"
    assert "Credits of DIR-620 must be more than zero" in e.value.cause.cause.message
    assert "only the student or a coordinator" in await rejected(
        h.execute_update(W.start_credit_transfer, ask(actor="knua-dept"))
    )
    assert (await h.query(W.state)).transfers == []


async def test_thesis_approvals_complete_the_record(env, worker):
    _, fakes, queue = worker
    h = await start(env, queue, record=almost_done())
    st = await ready(h)
    assert [a.missing for a in st.audits] == [["Thesis not started; it must be approved."]] * 2
    msg = await rejected(
        h.execute_update(
            W.set_thesis_status, ThesisAction(actor_id="kim-minji", institution_id="knua", status=ThesisStatus.APPROVED)
        )
    )
    assert "only the program's coordinators" in msg
    await h.execute_update(
        W.set_thesis_status, ThesisAction(actor_id="park-coordinator", institution_id="knua", status=ThesisStatus.APPROVED)
    )
    st = await h.query(W.state)
    assert st.audits[0].met and not st.audits[1].met and st.phase is not RecordPhase.COMPLETE
    r = await h.execute_update(
        W.set_thesis_status, ThesisAction(actor_id="park-coordinator", institution_id="vgik", status=ThesisStatus.APPROVED)
    )
    assert r.phase is RecordPhase.COMPLETE
    out = await h.result()
    assert out.phase is RecordPhase.COMPLETE and all(a.met and a.percent_complete == 100 for a in out.audits)
    assert fakes.items[h.id].item.phase == "complete" and fakes.items[h.id].item.closed_at is not None
    assert f"{h.id}/complete" in fakes.notifications


async def test_a_resumed_record_carries_its_transfers_and_audit(env, worker):
    """What continue-as-new hands on: the whole state, transfers in progress included."""
    _, fakes, queue = worker
    h = await start(env, queue)
    await ready(h)
    await h.execute_update(W.start_credit_transfer, ask())
    st = await h.query(W.state)
    await h.terminate()
    inp = StudentRecordInput(
        program=st.program, catalogs=st.catalogs, roster=st.roster, record=st.record, mou_phase=st.mou_phase, resumed=st
    )
    resumed = await env.client.start_workflow(W.run, inp, id=f"{h.id}-resumed", task_queue=queue)
    msg = await rejected(resumed.execute_update(W.start_credit_transfer, ask(id="req-kim-again")))
    assert "already requested" in msg
    posted = _repost("credit-transfer-kim-minji-2026-fall")
    await resumed.signal(W.credits_posted, posted)
    after = await until(resumed, W.state, lambda s: s.transfers[0].status is TransferStatus.POSTED, "posted")
    assert after.audits[0].earned_credits == Decimal(15) and after.event_count == st.event_count + 1
    assert [e.seq for e in fakes.events[f"{h.id}-resumed"]] == [st.event_count + 1]  # numbering goes on
