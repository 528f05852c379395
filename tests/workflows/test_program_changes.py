"""Joint-program behaviour added after records were running: terms abroad, withdrawn and declined
learning-agreement changes, the shared equivalency table, completion documents and MOU phases."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from domain.agreements import AgreementKind, Phase, SignAction
from domain.credit_transfer import CourseDecision
from domain.learning_agreements import ChangeKind, ChangeReason
from domain.student_record import AddTermAction, RecordPhase, ThesisAction, TransferStatus
from domain.students import ThesisStatus
from domain.transfer_decisions import TransferStage
from domain.transfer_state import (
    ApproveChangeAction,
    CloseChangeAction,
    DecideCourseAction,
    ProposalStatus,
    ProposeChangeAction,
    StageAction,
)
from tests.domain.program_examples import student
from tests.domain.transfer_examples import almost_done
from tests.workflows.conftest import spec
from tests.workflows.joint_program import rejected, start_transfer, until
from tests.workflows.test_agreement import start as start_agreement
from tests.workflows.test_agreement import to_signing, wait_phase
from tests.workflows.test_student_record import ask, ready, start
from workflows.agreement import AgreementWorkflow
from workflows.credit_transfer import CreditTransferWorkflow as T
from workflows.student_record import StudentRecordWorkflow as W

UNIVERSITY_VARIABLES = {
    "program_name": "Dual Master in Film and AI",
    "disciplines": ["film production"],
    "students_per_year": 10,
    "terms_abroad": 2,
}


async def test_a_coordinator_adds_a_term_abroad(env, worker):
    _, fakes, queue = worker
    h = await start(env, queue)
    st = await ready(h)
    before = list(st.record.terms_abroad)
    msg = await rejected(
        h.execute_update(W.add_term_abroad, AddTermAction(actor_id="kim-minji", institution_id="vgik", term="2028-spring"))
    )
    assert msg == "kim-minji cannot plan terms abroad: only the program's coordinators can."
    msg = await rejected(
        h.execute_update(W.add_term_abroad, AddTermAction(actor_id="park-coordinator", institution_id="knua", term="2028-spring"))
    )
    assert "is Kim Minji's home institution; a term abroad is at a partner" in msg
    msg = await rejected(
        h.execute_update(W.add_term_abroad, AddTermAction(actor_id="park-coordinator", institution_id="vgik", term="2020-fall"))
    )
    assert msg.startswith("2020-fall is before Kim Minji enrolled")
    r = await h.execute_update(
        W.add_term_abroad, AddTermAction(actor_id="park-coordinator", institution_id="vgik", term="2028-Spring")
    )
    assert r.message == "2028-spring abroad at Gerasimov Institute of Cinematography (VGIK) added."
    st = await h.query(W.state)
    assert [t.term for t in st.record.terms_abroad] == sorted(
        [*(t.term for t in before), "2028-spring"], key=lambda t: (t[:4], t[5:] == "fall")
    )
    msg = await rejected(
        h.execute_update(W.add_term_abroad, AddTermAction(actor_id="park-coordinator", institution_id="vgik", term="2028-spring"))
    )
    assert msg.startswith("Kim Minji is already abroad in 2028-spring")
    assert fakes.events[h.id][-1].kind == "term_abroad_added"


async def test_outdated_proposals_are_withdrawn_or_declined(env, worker):
    _, fakes, queue = worker
    h = await start_transfer(env, queue)
    await until(h, T.state, lambda s: s.stage is TransferStage.DEPARTMENT, "department")
    add = ProposeChangeAction(actor_id="kim-minji", proposal_id="p1", kind=ChangeKind.ADD, course_code="HIST-301",
                              title="History of Russian Cinema", reason=ChangeReason.TIMETABLE_CLASH, base_revision=0)  # fmt: skip
    drop = ProposeChangeAction(actor_id="kim-minji", proposal_id="p2", kind=ChangeKind.DROP, course_code="SCR-540",
                               reason=ChangeReason.COURSE_CANCELLED, base_revision=0)  # fmt: skip
    late = drop.model_copy(update={"proposal_id": "p3"})
    for p in (add, drop, late):
        await h.execute_update(T.propose_change, p)
    await h.execute_update(T.approve_change, ApproveChangeAction(actor_id="knua-dept", proposal_id="p1"))
    # p2 is now outdated: the department declines it, with a reason the student reads
    msg = await rejected(
        h.execute_update(T.close_change, CloseChangeAction(actor_id="knua-dept", proposal_id="p2", decline=True))
    )
    assert msg == "Say why “drop SCR-540 (course cancelled)” is declined: the student reads the reason."
    msg = await rejected(
        h.execute_update(T.close_change, CloseChangeAction(actor_id="vgik-registrar", proposal_id="p2", decline=True, reason="x"))
    )
    assert "only the home department's reviewers can" in msg
    r = await h.execute_update(
        T.close_change,
        CloseChangeAction(actor_id="knua-dept", proposal_id="p2", decline=True, reason="Based on revision 0; propose it again."),
    )
    assert r.message == "drop SCR-540 (course cancelled): declined."
    r = await h.execute_update(T.close_change, CloseChangeAction(actor_id="kim-minji", proposal_id="p3"))
    assert r.message == "drop SCR-540 (course cancelled): withdrawn."
    msg = await rejected(h.execute_update(T.close_change, CloseChangeAction(actor_id="kim-minji", proposal_id="p3")))
    assert msg == "No pending learning-agreement proposal p3."
    st = await h.query(T.state)
    assert [p.status for p in st.proposals] == [ProposalStatus.APPROVED, ProposalStatus.DECLINED, ProposalStatus.WITHDRAWN]
    assert st.proposals[1].close_reason == "Based on revision 0; propose it again." and st.pending_proposals() == []
    assert any(k.endswith("/la-change-p2/declined") for k in fakes.keys(h.id))


async def _post_with_saved_decision(h, env) -> None:
    child = env.client.get_workflow_handle((await h.query(W.state)).transfers[-1].workflow_id)
    await until(child, T.state, lambda s: s.stage is TransferStage.DEPARTMENT, "department")
    await child.execute_update(
        T.decide_course, DecideCourseAction(actor_id="knua-dept", course_code="DIR-620", decision=CourseDecision.APPROVE)
    )
    await child.execute_update(
        T.decide_course,
        DecideCourseAction(actor_id="knua-dept", course_code="VFX-630", decision=CourseDecision.APPROVE_AS_ELECTIVE),
    )
    await child.execute_update(T.decide_course, DecideCourseAction(actor_id="knua-dept", course_code="SCR-540", decision=CourseDecision.APPROVE,
                                                                   home_course_code="FP-540", save_as_equivalency=True))  # fmt: skip
    await child.execute_update(T.approve, StageAction(actor_id="knua-registrar"))
    await child.execute_update(T.confirm_grades, StageAction(actor_id="vgik-registrar"))


async def test_a_saved_decision_reaches_the_shared_table_and_the_next_student(env, worker):
    _, fakes, queue = worker
    first = await start(env, queue)
    await ready(first)
    await first.execute_update(W.start_credit_transfer, ask())
    await _post_with_saved_decision(first, env)
    st = await until(first, W.state, lambda s: s.transfers[0].status is TransferStatus.POSTED, "posted")
    # every course taken at VGIK is on VGIK's books too, and counts toward the VGIK degree
    assert [(p.course_code, p.credits, p.grade) for p in st.record.posted_at("vgik")] == [
        ("DIR-620", 6, "5"), ("VFX-630", 5, "4"), ("SCR-540", Decimal("4.5"), "4")]  # fmt: skip
    vgik = next(a for a in st.audits if a.institution_id == "vgik")
    assert vgik.earned_credits == Decimal("15.5") and vgik.earned_at["vgik"] == Decimal("15.5")
    assert next(x for x in vgik.requirements if x.course_code == "DIR-620").met
    transfer = env.client.get_workflow_handle(st.transfers[0].workflow_id)
    done = await transfer.query(T.state)
    assert [d.kind for d in done.documents] == ["learning_agreement"]  # the plan as posted, as a PDF
    assert [(s.source, [e.partner_course_code for e in s.entries]) for s in fakes.saved] == [("req-kim-2026-fall", ["SCR-540"])]
    assert fakes.tables["knua"].lookup  # the shared table holds it now
    # another student's request, started later, finds the saved decision in its pre-check
    other = await start(env, queue, record=student(student_id="lee-jiwoo"))
    await ready(other)
    r = await other.execute_update(
        W.start_credit_transfer, ask(actor="park-coordinator", student_id="lee-jiwoo", id="req-lee-2026-fall")
    )
    child = await until(
        env.client.get_workflow_handle(r.workflow_id), T.state, lambda s: s.stage is TransferStage.DEPARTMENT, "department"
    )
    scr = next(ln for ln in child.lines if ln.partner_course.code == "SCR-540")
    assert scr.equivalency is not None and scr.equivalency.home_course_code == "FP-540"
    assert scr.equivalency.source_request_id == "req-kim-2026-fall"


async def test_completion_issues_the_transcript_and_certificate(env, worker):
    _, fakes, queue = worker
    h = await start(env, queue, record=almost_done())
    await ready(h)
    for inst in ("knua", "vgik"):
        await h.execute_update(
            W.set_thesis_status, ThesisAction(actor_id="park-coordinator", institution_id=inst, status=ThesisStatus.APPROVED)
        )
    out = await h.result()
    assert out.phase is RecordPhase.COMPLETE
    assert len(fakes.completions) == 1 and fakes.completions[0].state.completed_at is not None
    assert {d.kind for d in fakes.items[h.id].documents} == {"transcript", "certificate"}
    st = await h.query(W.state)
    assert {d.kind for d in st.documents} == {"transcript", "certificate"}
    assert [e.kind for e in fakes.events[h.id]][-2:] == ["degrees_complete", "documents_issued"]


async def test_an_executed_university_mou_forwards_its_phases(env, worker):
    _, fakes, queue = worker
    s = spec(kind=AgreementKind.UNIVERSITY_PARTNERSHIP, variables=UNIVERSITY_VARIABLES)
    h = await start_agreement(env, queue, s)
    st = await to_signing(h, s)
    assert fakes.forwarded == []  # nothing to tell before it is executed
    for p in s.parties:
        await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id=p.signatories[0].id, version_hash=st.current_hash))
    await wait_phase(h, Phase.ACTIVE)
    for _ in range(100):
        if fakes.forwarded:
            break
        await asyncio.sleep(0.02)
    assert [(f.agreement_workflow_id, f.phase) for f in fakes.forwarded] == [(h.id, Phase.ACTIVE)]
    await env.sleep(timedelta(days=5 * 366))  # the five-year term runs out: renewal window, then expiry
    await wait_phase(h, Phase.EXPIRED)
    assert [f.phase for f in fakes.forwarded] == [Phase.ACTIVE, Phase.RENEWAL, Phase.EXPIRED]


async def test_other_agreements_forward_nothing(env, worker):
    _, fakes, queue = worker
    s = spec()
    h = await start_agreement(env, queue, s)
    st = await to_signing(h, s)
    for p in s.parties:
        await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id=p.signatories[0].id, version_hash=st.current_hash))
    await wait_phase(h, Phase.ACTIVE)
    assert fakes.forwarded == []


async def test_completion_by_a_transfer_with_a_saved_decision_issues_the_documents(env, worker):
    """The last missing course arrives by a transfer whose decision is saved for reuse: the save is
    an activity between the audit and the commit, and the completion must still be noticed."""
    _, fakes, queue = worker
    rec = almost_done()
    rec = rec.model_copy(
        update={"posted": [p for p in rec.posted if not (p.institution_id == "vgik" and p.course_code == "DIR-620")]}
    )
    h = await start(env, queue, record=rec)
    await ready(h)
    for inst in ("knua", "vgik"):
        await h.execute_update(
            W.set_thesis_status, ThesisAction(actor_id="park-coordinator", institution_id=inst, status=ThesisStatus.APPROVED)
        )
    await h.execute_update(W.start_credit_transfer, ask())
    await _post_with_saved_decision(h, env)
    assert (await h.result()).phase is RecordPhase.COMPLETE
    st = await h.query(W.state)
    assert {d.kind for d in st.documents} == {"transcript", "certificate"} and len(fakes.completions) == 1
    assert any(k.endswith("/complete") for k in fakes.keys(h.id))
