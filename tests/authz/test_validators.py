"""The validators really enforce the table: real updates on the time-skipping server.

One execution per workflow type with human steps, started from the demo's people and files and
walked through its steps by the people entitled to each (fake activities, as in tests/workflows).
At every step a sample of people who are not entitled — another country's liaison, another
organisation's approver, a board member, a student acting for another student, a producer of
another project… — send the real update first: each is refused with `WorkflowUpdateFailedError`,
a `Rejected` sentence that is the pure check's own, and leaves no trace: the workflow's state
(its events, revision, steps and all) is exactly as before, and its history holds nothing of the
update (no update, activity, timer or signal event: only the empty workflow task the test server
schedules to run a validator, which a real server drops as well).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain import agreement_rules, transfer_rules
from domain import student_record as record_rules
from domain.agreement_rules import Rejected
from domain.agreements import (
    AgreementState,
    ApproveAction,
    CommentAction,
    DeclineAction,
    DelegateAction,
    Phase,
    PhaseAction,
    RenewAction,
    ReviseAction,
    SignAction,
    TerminateAction,
    VoidAction,
)
from domain.credit_transfer import CourseDecision
from domain.grants import application_state as app_rules
from domain.grants import grant_state as grant_rules
from domain.grants.board import VoteChoice
from domain.grants.process import (
    AmendmentVoteAction,
    ApplicationStage,
    CancelGrantAction,
    CloseVoteAction,
    DeclineReviewAction,
    GrantStage,
    ProposeAmendmentAction,
    ReviewReportAction,
    ScoreAction,
    ScreenAction,
    SubmitReportAction,
    VoteAction,
    WithdrawAction,
)
from domain.learning_agreements import ChangeKind, ChangeReason
from domain.releases import process as release_rules
from domain.releases.festival import JuryAward
from domain.releases.process import (
    AcknowledgeAction,
    ClassificationOutcome,
    ClassifyAction,
    ConfirmReleaseAction,
    QuotaAction,
    RecordAwardAction,
    RegisterFilmAction,
    ReleaseStage,
    ScheduleAction,
    SubsidyAction,
    SubsidyOutcome,
)
from domain.releases.process import DeclineAction as DeclineRelease
from domain.student_record import AddTermAction, StartTransferAction, ThesisAction
from domain.students import ThesisStatus
from domain.transfer_decisions import TransferStage
from domain.transfer_state import (
    ApproveChangeAction,
    CloseChangeAction,
    DecideCourseAction,
    ProposeChangeAction,
    ProvideInformationAction,
    ReturnAction,
    StageAction,
)
from tests.authz import conftest
from tests.authz import scenarios as sc
from tests.authz.world import people
from workflows.agreement import AgreementInput, AgreementWorkflow
from workflows.country_release import CountryReleaseWorkflow, release_workflow_id
from workflows.credit_transfer import CreditTransferWorkflow, transfer_workflow_id
from workflows.festival import FestivalWorkflow, check_record_award, check_register_film
from workflows.fund_ledger import FundLedgerInput, FundLedgerWorkflow, fund_workflow_id
from workflows.grant import GrantWorkflow, grant_workflow_id
from workflows.grant_application import GrantApplicationWorkflow, application_workflow_id
from workflows.student_record import StudentRecordInput, StudentRecordWorkflow

TALLY = conftest.VALIDATORS
RUN_ONLY = {EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
            EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED}  # fmt: skip


class Item:
    """A running workflow: its handle, its state query, and the pure checks its validators run."""

    def __init__(self, h: WorkflowHandle, query: Any) -> None:
        self.h, self.query = h, query

    async def state(self) -> Any:
        return await self.h.query(self.query)

    async def until(self, ok: Callable[[Any], bool], what: str) -> Any:
        st = None
        for _ in range(600):
            try:
                st = await self.state()
            except Exception:  # noqa: BLE001 - not started yet
                st = None
            if st is not None and ok(st):
                return st
            await asyncio.sleep(0.05)
        raise AssertionError(f"{self.h.id} never reached {what}; state: {st}")

    async def settled(self) -> int:
        """Wait until nothing is in flight (no activity, no workflow task); the history's length then."""
        last = -1
        for _ in range(600):
            d = (await self.h.describe()).raw_description
            n = d.workflow_execution_info.history_length
            if not d.pending_activities and not d.HasField("pending_workflow_task") and n == last:
                return n
            last = n
            await asyncio.sleep(0.05)
        raise AssertionError(f"{self.h.id} never settled")

    async def refuse(self, update: Any, action: BaseModel, check: Callable[[Any, Any], Any]) -> str:
        """Send an update that must be refused; prove it left no trace and said what the pure check says."""
        length = await self.settled()
        before = await self.state()
        with pytest.raises(Rejected) as expected:
            check(before, action)
        with pytest.raises(WorkflowUpdateFailedError) as e:
            await self.h.execute_update(update, action, id=f"authz-{uuid.uuid4().hex}")
        cause = e.value.cause
        assert isinstance(cause, ApplicationError) and cause.type == "Rejected", cause
        assert cause.message == str(expected.value)
        after = await self.state()
        assert after.model_dump(mode="json") == before.model_dump(mode="json"), f"{action} changed the state"
        await self.settled()
        history = (await self.h.fetch_history()).events
        added = {EventType.Name(x.event_type) for x in history[length:] if x.event_type not in RUN_ONLY}
        assert not added, f"{action} left {added} in the history"
        TALLY["refused"] += 1
        return cause.message

    async def accept(self, update: Any, action: BaseModel) -> Any:
        await self.settled()
        result = await self.h.execute_update(update, action, id=f"authz-{uuid.uuid4().hex}")
        TALLY["accepted"] += 1
        return result


async def start(env: WorkflowEnvironment, queue: str, run: Any, inp: Any, wid: str, query: Any) -> Item:
    h = await env.client.start_workflow(run, inp, id=wid, task_queue=queue)
    return Item(h, query)


def child(env: WorkflowEnvironment, wid: str, query: Any) -> Item:
    return Item(env.client.get_workflow_handle(wid), query)


# ---------------------------------------------------------------- an agreement: the KR–KZ MOU


async def test_agreement_validators(env, worker) -> None:  # type: ignore[no-untyped-def]
    _, _, queue = worker
    A, r = AgreementWorkflow, agreement_rules
    spec = sc.AGREEMENT_SPECS()["KR–KZ MOU"]
    mou = await start(env, queue, A.run, AgreementInput(spec=spec), f"agreement-{spec.id}", A.state)
    st: AgreementState = await mou.until(lambda s: s.phase is Phase.REVIEW and s.versions, "review")
    h = st.current_hash
    assert h is not None
    await mou.refuse(A.close_review, PhaseAction(actor_id="wang-lei"), r.check_close_review)  # another country's liaison
    await mou.refuse(A.close_review, PhaseAction(actor_id="board-ahmed"), r.check_close_review)  # the board
    for who in ("han-jiwoo", "board-ahmed", "wang-lei"):  # a student, the board, a liaison of a country not party to it
        await mou.refuse(A.comment, CommentAction(actor_id=who, text="Looks good"), r.check_comment)
    await mou.refuse(A.approve, ApproveAction(actor_id="kim-minji", version_hash=h), r.check_approve)  # not yet
    revise = ReviseAction(actor_id="ivanova-anna", summary="Russia's wording", base_version_hash=h, clause_overrides={"purpose": {"en": "x"}})
    await mou.refuse(A.revise, revise, r.check_revise)
    await mou.refuse(A.revise, revise.model_copy(update={"actor_id": "park-jihoon"}), r.check_revise)  # a signatory, not an approver
    await mou.accept(A.comment, CommentAction(actor_id="aigerim-nurlanova", text="Kazakhfilm agrees."))
    await mou.accept(A.revise, revise.model_copy(update={"actor_id": "kim-minji", "summary": "KOFIC's wording"}))
    h = (await mou.state()).current_hash
    await mou.accept(A.close_review, PhaseAction(actor_id="liu-yang"))

    for who in ("wang-lei", "park-jihoon", "board-sato", "chen-jing"):  # another org's approver, a signatory, the board, a stranger
        await mou.refuse(A.approve, ApproveAction(actor_id=who, version_hash=h), r.check_approve)
    await mou.accept(A.approve, ApproveAction(actor_id="kim-minji", version_hash=h))
    await mou.refuse(A.approve, ApproveAction(actor_id="kim-minji", version_hash=h), r.check_approve)  # KOFIC has approved
    await mou.accept(A.approve, ApproveAction(actor_id="aigerim-nurlanova", version_hash=h))

    await mou.until(lambda s: s.phase is Phase.SIGNING, "signing")
    for who in ("kim-minji", "wang-lei", "liu-yang"):  # KOFIC's other signatory, another country's, the initiator
        await mou.refuse(A.sign, SignAction(actor_id=who, version_hash=h), r.check_sign)
    decline = DeclineAction(actor_id="han-jiyoung", version_hash=h, reason="Article 4 needs another look.")
    for who in ("han-jiyoung", "wang-lei"):  # a Korean distributor, no party; another country's liaison
        await mou.refuse(A.decline, decline.model_copy(update={"actor_id": who}), r.check_decline)
    await mou.accept(A.decline, decline.model_copy(update={"actor_id": "aigerim-nurlanova"}))  # back to review
    await mou.accept(A.close_review, PhaseAction(actor_id="liu-yang"))
    for who in ("kim-minji", "aigerim-nurlanova"):
        await mou.accept(A.approve, ApproveAction(actor_id=who, version_hash=h))
    await mou.until(lambda s: s.phase is Phase.SIGNING, "signing again")
    await mou.refuse(A.delegate, DelegateAction(actor_id="aigerim-nurlanova", to_person_id="park-jihoon", reason="away"), r.check_delegate)
    await mou.refuse(A.delegate, DelegateAction(actor_id="kim-minji", to_person_id="park-jihoon", reason="away"), r.check_delegate)
    await mou.accept(A.delegate, DelegateAction(actor_id="park-jihoon", to_person_id="kim-minji", reason="Travelling."))
    await mou.refuse(A.sign, SignAction(actor_id="park-jihoon", version_hash=h), r.check_sign)  # delegated away
    await mou.accept(A.sign, SignAction(actor_id="kim-minji", version_hash=h))
    await mou.accept(A.sign, SignAction(actor_id="aigerim-nurlanova", version_hash=h))

    st = await mou.until(lambda s: s.phase is Phase.ACTIVE, "active")
    await mou.refuse(A.void, VoidAction(actor_id="liu-yang", reason="Changed our minds"), r.check_void)  # executed
    await mou.refuse(A.renew, RenewAction(actor_id="liu-yang"), r.check_renew)  # not in the renewal window
    await env.sleep(st.expiry_date - st.effective_date - timedelta(days=st.spec.term.renewal_window_days - 5))
    await mou.until(lambda s: s.phase is Phase.RENEWAL, "the renewal window")
    for who in ("park-jihoon", "wang-lei"):  # a party's signatory, another country's liaison
        await mou.refuse(A.renew, RenewAction(actor_id=who), r.check_renew)
    await mou.accept(A.renew, RenewAction(actor_id="liu-yang"))
    await mou.until(lambda s: s.phase is Phase.SIGNING, "signing the renewal")
    await mou.refuse(A.void, VoidAction(actor_id="liu-yang", reason="Not renewing after all"), r.check_void)  # executed: decline instead
    await mou.accept(A.decline, DeclineAction(actor_id="aigerim-nurlanova", version_hash=h, reason="Not for another term."))
    await mou.until(lambda s: s.phase is Phase.RENEWAL, "back in the renewal window")
    await mou.refuse(A.terminate, TerminateAction(actor_id="wang-lei", reason="China ends it"), r.check_terminate)
    await mou.refuse(A.terminate, TerminateAction(actor_id="board-mirzaeva", reason="The board ends it"), r.check_terminate)
    await mou.accept(A.terminate, TerminateAction(actor_id="park-jihoon", reason="KOFIC ends the cooperation."))
    assert (await mou.state()).phase in {Phase.TERMINATING, Phase.TERMINATED}

    draft = sc.AGREEMENT_SPECS()["CN–RU MOU"].model_copy(update={"start_in_review": False})
    cn_ru = await start(env, queue, A.run, AgreementInput(spec=draft), f"agreement-{draft.id}", A.state)
    await cn_ru.until(lambda s: s.phase is Phase.DRAFT and s.versions, "the draft")
    for who in ("wang-lei", "liu-yang"):  # a party's liaison, the network's administrator: neither initiated it
        await cn_ru.refuse(A.open_review, PhaseAction(actor_id=who), r.check_open_review)
        await cn_ru.refuse(A.void, VoidAction(actor_id=who, reason="Not needed"), r.check_void)
    await cn_ru.accept(A.open_review, PhaseAction(actor_id="ivanova-anna"))
    await cn_ru.accept(A.void, VoidAction(actor_id="ivanova-anna", reason="Superseded by a trilateral MOU."))


# ---------------------------------------------------------------- a student record and its credit transfer


async def test_joint_program_validators(env, worker) -> None:  # type: ignore[no-untyped-def]
    _, _, queue = worker
    R, T = StudentRecordWorkflow, CreditTransferWorkflow
    definition, tables = sc.program_definition()
    record = sc.demo_record("han-jiwoo")
    inp = StudentRecordInput(program=definition.program, catalogs=definition.catalogs, equivalencies=tables, roster=definition.roster,
                             record=record, mou_phase=Phase.ACTIVE)  # fmt: skip
    rec = await start(env, queue, R.run, inp, "student-han-jiwoo", R.state)
    await rec.until(lambda s: s.enrolled_at is not None, "enrolled")
    request = sc._request("han-jiwoo", "2026-fall")
    for who in ("seo-yuna", "jung-minho", "board-ahmed"):  # another student, a department reviewer, the board
        await rec.refuse(R.start_credit_transfer, StartTransferAction(actor_id=who, request=request), record_rules.check_start_transfer)
    for who in ("han-jiwoo", "oh-eunji", "board-ahmed"):  # the student, a registrar, the board
        await rec.refuse(R.add_term_abroad, AddTermAction(actor_id=who, institution_id="vgik", term="2028-spring"), record_rules.check_add_term)
    thesis = ThesisAction(actor_id="smirnova-elena", institution_id="kafa", status=ThesisStatus.IN_PROGRESS)
    await rec.refuse(R.set_thesis_status, thesis, record_rules.check_thesis)
    await rec.refuse(R.set_thesis_status, thesis.model_copy(update={"actor_id": "han-jiwoo"}), record_rules.check_thesis)
    await rec.accept(R.add_term_abroad, AddTermAction(actor_id="sokolova-maria", institution_id="vgik", term="2028-spring"))
    await rec.accept(R.set_thesis_status, thesis.model_copy(update={"actor_id": "lee-sooyoung"}))
    await rec.accept(R.start_credit_transfer, StartTransferAction(actor_id="han-jiwoo", request=request))

    r = transfer_rules
    tr = child(env, transfer_workflow_id("han-jiwoo", "2026-fall"), T.state)
    await tr.until(lambda s: s.stage is TransferStage.DEPARTMENT, "the department's stage")
    ask = DecideCourseAction(actor_id="x", course_code="SCR-540", decision=CourseDecision.ASK_FOR_INFORMATION, note="The syllabus, please.")
    for who in ("kuznetsov-ivan", "oh-eunji", "han-jiwoo"):  # VGIK's department, the registrar, the student
        await tr.refuse(T.decide_course, ask.model_copy(update={"actor_id": who}), r.check_decide)
    await tr.accept(T.decide_course, ask.model_copy(update={"actor_id": "jung-minho"}))
    answer = ProvideInformationAction(actor_id="seo-yuna", course_code="SCR-540", text="30 hours of workshops.")
    await tr.refuse(T.provide_information, answer, r.check_provide_information)  # another student
    await tr.refuse(T.provide_information, answer.model_copy(update={"actor_id": "kuznetsov-ivan"}), r.check_provide_information)
    await tr.accept(T.provide_information, answer.model_copy(update={"actor_id": "han-jiwoo"}))
    add = ProposeChangeAction(actor_id="choi-dahye", proposal_id="add-hist-301-1", kind=ChangeKind.ADD, course_code="HIST-301",
                              title="History of Soviet Cinema", reason=ChangeReason.TIMETABLE_CLASH, base_revision=0)  # fmt: skip
    await tr.refuse(T.propose_change, add, r.check_propose_change)  # another student
    await tr.refuse(T.propose_change, add.model_copy(update={"actor_id": "kuznetsov-ivan"}), r.check_propose_change)
    await tr.accept(T.propose_change, add.model_copy(update={"actor_id": "lee-sooyoung"}))
    for who in ("oh-eunji", "han-jiwoo"):
        await tr.refuse(T.approve_change, ApproveChangeAction(actor_id=who, proposal_id="add-hist-301-1"), r.check_approve_change)
    await tr.accept(T.approve_change, ApproveChangeAction(actor_id="jung-minho", proposal_id="add-hist-301-1"))
    drop = add.model_copy(update={"actor_id": "han-jiwoo", "proposal_id": "drop-vfx-630-2", "kind": ChangeKind.DROP,
                                  "course_code": "VFX-630", "title": "", "base_revision": 1})  # fmt: skip
    await tr.accept(T.propose_change, drop)
    decline = CloseChangeAction(actor_id="smirnova-elena", proposal_id="drop-vfx-630-2", decline=True, reason="Keep it.")
    await tr.refuse(T.close_change, decline, r.check_close_change)  # the partner's registrar
    await tr.refuse(T.close_change, CloseChangeAction(actor_id="seo-yuna", proposal_id="drop-vfx-630-2"), r.check_close_change)
    await tr.accept(T.close_change, CloseChangeAction(actor_id="han-jiwoo", proposal_id="drop-vfx-630-2"))
    await tr.refuse(T.approve, StageAction(actor_id="oh-eunji"), r.check_home_approve)  # not yet: the department decides
    for line in sc.ALL_DECIDED:
        await tr.accept(T.decide_course, DecideCourseAction(actor_id="jung-minho", course_code=line.course_code, decision=line.decision,
                                                            home_course_code=line.home_course_code,
                                                            elective_category=line.elective_category))  # fmt: skip

    await tr.until(lambda s: s.stage is TransferStage.HOME_REGISTRAR, "the home registrar")
    for who in ("smirnova-elena", "jung-minho"):  # the partner's registrar, the department
        await tr.refuse(T.approve, StageAction(actor_id=who), r.check_home_approve)
    back = ReturnAction(actor_id="smirnova-elena", reason="VFX-630 again.", course_codes=["VFX-630"])
    await tr.refuse(T.return_to_department, back, r.check_return)
    await tr.refuse(T.return_to_department, back.model_copy(update={"actor_id": "jung-minho"}), r.check_return)
    await tr.accept(T.return_to_department, back.model_copy(update={"actor_id": "oh-eunji"}))
    line = sc.ALL_DECIDED[1]
    await tr.accept(T.decide_course, DecideCourseAction(actor_id="jung-minho", course_code=line.course_code, decision=line.decision,
                                                        elective_category=line.elective_category))  # fmt: skip
    await tr.until(lambda s: s.stage is TransferStage.HOME_REGISTRAR, "the home registrar again")
    await tr.accept(T.approve, StageAction(actor_id="oh-eunji"))

    for who in ("oh-eunji", "kuznetsov-ivan"):  # the home registrar, the partner's department
        await tr.refuse(T.confirm_grades, StageAction(actor_id=who), r.check_confirm_grades)
    await tr.accept(T.confirm_grades, StageAction(actor_id="smirnova-elena"))
    for who in ("kim-minji", "board-sato", "lee-sooyoung"):  # Korea's liaison, the board, a coordinator
        await tr.refuse(T.authorize, StageAction(actor_id=who), r.check_authorize)
    await tr.accept(T.authorize, StageAction(actor_id="yoon-seojin"))
    await tr.until(lambda s: s.stage is TransferStage.POSTED, "posted")


# ---------------------------------------------------------------- the fund: an application, its grant and agreement


async def test_fund_validators(env, worker) -> None:  # type: ignore[no-untyped-def]
    _, fakes, queue = worker
    P, G, A = GrantApplicationWorkflow, GrantWorkflow, AgreementWorkflow
    falconer = sc.fund_inputs()[sc.FALCONER]
    await env.client.start_workflow(FundLedgerWorkflow.run, FundLedgerInput(fund=falconer.fund), id=fund_workflow_id(falconer.fund.id),
                                    task_queue=queue)  # fmt: skip
    app = await start(env, queue, P.run, falconer, application_workflow_id(sc.FALCONER), P.state)
    signals = await start(env, queue, P.run, sc.fund_inputs()[sc.SIGNALS], application_workflow_id(sc.SIGNALS), P.state)
    await app.until(lambda s: s.stage is ApplicationStage.SCREENING, "screening")
    for who in ("olga-petrova", "board-ahmed", "aibek-toktogulov"):  # a reviewer, the board, the applicant
        await app.refuse(P.screen, ScreenAction(actor_id=who, passed=True), app_rules.check_screen)
    await app.accept(P.screen, ScreenAction(actor_id="chen-jing", passed=True))

    st = await app.until(lambda s: s.stage is ApplicationStage.REVIEW and s.active_reviews, "the panel")
    panel = [x.reviewer.id for x in st.active_reviews]
    outsider = next(x.id for x in falconer.people.reviewers if x.id not in panel)  # a reviewer not on this panel
    marks = ScoreAction(actor_id=outsider, values=sc._marks(falconer.call))
    for who in (outsider, "board-sato", "chen-jing"):
        await app.refuse(P.score, marks.model_copy(update={"actor_id": who}), app_rules.check_score_action)
    step_down = DeclineReviewAction(actor_id=outsider, reason="I know the director.", conflict=True)
    await app.refuse(P.decline_review, step_down, app_rules.check_decline_review)
    await app.refuse(P.decline_review, step_down.model_copy(update={"actor_id": "board-sato"}), app_rules.check_decline_review)
    await app.accept(P.decline_review, step_down.model_copy(update={"actor_id": panel[0]}))
    await app.refuse(P.score, marks.model_copy(update={"actor_id": panel[0]}), app_rules.check_score_action)  # stepped down
    st = await app.state()
    for x in st.active_reviews:
        await app.accept(P.score, marks.model_copy(update={"actor_id": x.reviewer.id}))

    await app.until(lambda s: s.stage is ApplicationStage.BOARD, "the board")
    for who in ("chen-jing", "kim-minji", "aibek-toktogulov"):  # the fund manager, a liaison, the applicant
        await app.refuse(P.vote, VoteAction(actor_id=who, choice=VoteChoice.APPROVE), app_rules.check_vote_action)
    await app.refuse(P.close_vote, CloseVoteAction(actor_id="board-ahmed"), app_rules.check_close_vote)
    await app.refuse(P.close_vote, CloseVoteAction(actor_id="chen-jing"), app_rules.check_close_vote)  # no quorum yet
    await app.accept(P.vote, VoteAction(actor_id="board-ahmed", choice=VoteChoice.APPROVE))
    await app.refuse(P.vote, VoteAction(actor_id="board-ahmed", choice=VoteChoice.REJECT, reason="Again"), app_rules.check_vote_action)
    await app.accept(P.vote, VoteAction(actor_id="board-sato", choice=VoteChoice.APPROVE))
    await app.accept(P.close_vote, CloseVoteAction(actor_id="chen-jing"))
    await app.until(lambda s: s.stage is ApplicationStage.AWARDED, "awarded")

    await signals.until(lambda s: s.stage is ApplicationStage.SCREENING, "screening")
    for who in ("aibek-toktogulov", "chen-jing"):  # another project's producer, the fund manager
        await signals.refuse(P.withdraw, WithdrawAction(actor_id=who, reason="Not going ahead"), app_rules.check_withdraw)
    await signals.accept(P.withdraw, WithdrawAction(actor_id="han-yuna", reason="The financing fell through."))

    grant = child(env, grant_workflow_id(sc.FALCONER), G.state)
    g = await grant.until(lambda s: s.agreement_workflow_id is not None, "the grant agreement")
    await grant.refuse(G.submit_report, SubmitReportAction(actor_id="aibek-toktogulov", tranche_id="milestone", reference="r0"),
                       grant_rules.check_submit_report)  # nothing before the agreement is executed
    ag = child(env, g.agreement_workflow_id, A.state)
    a = await ag.until(lambda s: s.phase is Phase.REVIEW and s.versions, "review")
    h, r = a.current_hash, agreement_rules
    await ag.refuse(A.close_review, PhaseAction(actor_id="aibek-toktogulov"), r.check_close_review)
    await ag.accept(A.close_review, PhaseAction(actor_id="chen-jing"))
    for who in ("liu-yang", "zhang-min"):  # the festival's approver whom this agreement does not name; another producer
        await ag.refuse(A.approve, ApproveAction(actor_id=who, version_hash=h), r.check_approve)
    for p in a.spec.parties:
        await ag.accept(A.approve, ApproveAction(actor_id=p.approvers[0].id, version_hash=h))
    await ag.refuse(A.sign, SignAction(actor_id="chen-jing", version_hash=h), r.check_sign)  # approver, not signatory
    for p in a.spec.parties:
        await ag.until(lambda s, p=p: p in agreement_rules.open_signing_parties(s), f"{p.organisation_id}'s turn")
        await ag.accept(A.sign, SignAction(actor_id=p.designated_signatory.id, version_hash=h))

    g = await grant.until(lambda s: s.stage is GrantStage.ACTIVE and s.payments, "the first tranche paid")
    report = SubmitReportAction(actor_id="zhang-min", tranche_id="milestone", reference="doc-milestone")
    for who in ("zhang-min", "chen-jing", "board-ahmed"):  # another project's producer, the fund manager, the board
        await grant.refuse(G.submit_report, report.model_copy(update={"actor_id": who}), grant_rules.check_submit_report)
    await grant.accept(G.submit_report, report.model_copy(update={"actor_id": "aibek-toktogulov"}))
    review = ReviewReportAction(actor_id="aibek-toktogulov", tranche_id="milestone", approve=True)
    for who in ("aibek-toktogulov", "board-sato"):  # the producer approving their own report; the board
        await grant.refuse(G.review_report, review.model_copy(update={"actor_id": who}), grant_rules.check_review_report)
    await grant.accept(G.review_report, review.model_copy(update={"actor_id": "chen-jing"}))
    g = await grant.until(lambda s: len(s.payments) == 2, "the milestone paid")

    amend = ProposeAmendmentAction(actor_id="board-ahmed", new_amount=g.amount - Decimal(1000), reason="A shorter shoot.")
    for who in ("board-ahmed", "aibek-toktogulov"):
        await grant.refuse(G.propose_amendment, amend.model_copy(update={"actor_id": who}), grant_rules.check_propose_amendment)
    await grant.accept(G.propose_amendment, amend.model_copy(update={"actor_id": "chen-jing"}))
    for who in ("chen-jing", "aibek-toktogulov", "kim-minji"):
        await grant.refuse(G.vote_amendment, AmendmentVoteAction(actor_id=who, choice=VoteChoice.APPROVE), grant_rules.check_amendment_vote)
    await grant.accept(G.vote_amendment, AmendmentVoteAction(actor_id="board-sato", choice=VoteChoice.APPROVE))
    await grant.accept(G.vote_amendment, AmendmentVoteAction(actor_id="board-mirzaeva", choice=VoteChoice.APPROVE))
    for who in ("board-sato", "aibek-toktogulov"):
        await grant.refuse(G.close_amendment_vote, CloseVoteAction(actor_id=who), grant_rules.check_close_amendment)
    await grant.accept(G.close_amendment_vote, CloseVoteAction(actor_id="chen-jing"))
    cancel = CancelGrantAction(actor_id="aibek-toktogulov", reason="The production stopped.")
    for who in ("aibek-toktogulov", "board-ahmed", "liu-yang"):  # the producer, the board, the festival's signatory
        await grant.refuse(G.cancel, cancel.model_copy(update={"actor_id": who}), grant_rules.check_cancel)
    await grant.accept(G.cancel, cancel.model_copy(update={"actor_id": "chen-jing"}))
    assert (await grant.state()).stage is GrantStage.CANCELLED
    assert fakes.payments


# ---------------------------------------------------------------- award to release: the festival and two countries


async def test_release_validators(env, worker) -> None:  # type: ignore[no-untyped-def]
    _, _, queue = worker
    F, C, A = FestivalWorkflow, CountryReleaseWorkflow, AgreementWorkflow
    r = release_rules
    inp = sc.festival_input()
    fest = await start(env, queue, F.run, inp, f"festival-{inp.edition.id}", F.state)
    await fest.until(lambda s: s.event_count > 0, "open")
    award = JuryAward(id="sco-2026-best-film", edition_id=inp.edition.id, film_id=sc.FILM, category_id="best_film",
                      awarded_on=inp.edition.closes_on)  # fmt: skip
    for who in ("kim-minji", "board-ahmed", "aigerim-nurlanova"):  # a liaison, the board, the film's rights holder
        await fest.refuse(F.record_award, RecordAwardAction(actor_id=who, award=award), check_record_award)
    await fest.accept(F.record_award, RecordAwardAction(actor_id="liu-yang", award=award))
    film = next(f for f in inp.films if f.id == sc.FILM).model_copy(update={"id": "steppe-wind-restored"})
    register = RegisterFilmAction(actor_id="kim-minji", film=film, licensor=inp.licensors[sc.FILM])
    await fest.refuse(F.register_film, register, check_register_film)
    await fest.refuse(F.register_film, register.model_copy(update={"actor_id": "board-ahmed"}), check_register_film)
    await fest.accept(F.register_film, register.model_copy(update={"actor_id": "chen-jing"}))

    kr = child(env, release_workflow_id(sc.FILM, "KR"), C.state)
    await kr.until(lambda s: s.stage is ReleaseStage.ACKNOWLEDGE and s.event_count > 0, "the recommendation")
    for who in ("wang-lei", "han-jiyoung", "liu-yang", "aigerim-nurlanova"):  # another country's liaison, the distributor,
        await kr.refuse(C.acknowledge, AcknowledgeAction(actor_id=who), r.check_acknowledge)  # the festival office, the origin's liaison
    await kr.accept(C.acknowledge, AcknowledgeAction(actor_id="kim-minji"))
    classify = ClassifyAction(actor_id="ivanova-anna", outcome=ClassificationOutcome.APPROVED, rating="15")
    await kr.refuse(C.classify, classify, r.check_classify)
    await kr.refuse(C.classify, classify.model_copy(update={"actor_id": "han-jiyoung"}), r.check_classify)
    await kr.accept(C.classify, classify.model_copy(update={"actor_id": "kim-minji"}))
    for who in ("board-mirzaeva", "wang-lei"):
        await kr.refuse(C.record_subsidy, SubsidyAction(actor_id=who, outcome=SubsidyOutcome.SKIPPED), r.check_subsidy)
    await kr.accept(C.record_subsidy, SubsidyAction(actor_id="kim-minji", outcome=SubsidyOutcome.SKIPPED))
    st = await kr.until(lambda s: s.stage is ReleaseStage.LICENCE, "the licence")
    scenario = sc.Scenario("country_release", "", "", st, None)
    for who in ("han-jiyoung", "liu-yang"):  # the distributor, the festival office
        await kr.refuse(C.propose_licence, sc._licence(scenario, people()[who]), r.check_licence_action)
    await kr.accept(C.propose_licence, sc._licence(scenario, people()["kim-minji"]))
    st = await kr.until(lambda s: s.licence is not None, "the licence proposed")
    lic = child(env, st.licence.agreement_workflow_id, A.state)
    a = await lic.until(lambda s: s.phase is Phase.REVIEW and s.versions, "the licence in review")
    h = a.current_hash
    await lic.accept(A.close_review, PhaseAction(actor_id="kim-minji"))
    await lic.refuse(A.approve, ApproveAction(actor_id="nurlan-abenov", version_hash=h), agreement_rules.check_approve)  # another distributor
    for p in a.spec.parties:
        await lic.accept(A.approve, ApproveAction(actor_id=p.approvers[0].id, version_hash=h))
    for p in a.spec.parties:
        await lic.accept(A.sign, SignAction(actor_id=p.designated_signatory.id, version_hash=h))

    st = await kr.until(lambda s: s.stage is ReleaseStage.SCHEDULING, "scheduling")
    on = st.licence.grant.starts_on
    for who in ("wang-lei", "board-ahmed"):
        await kr.refuse(C.schedule_release, ScheduleAction(actor_id=who, release_on=on, platform="CGV"), r.check_schedule)
    await kr.accept(C.schedule_release, ScheduleAction(actor_id="kim-minji", release_on=on, platform="CGV"))
    confirm = ConfirmReleaseAction(actor_id="board-mirzaeva", released_on=on, platform="CGV")
    await kr.refuse(C.confirm_release, confirm, r.check_confirm)
    await kr.refuse(C.confirm_release, confirm.model_copy(update={"actor_id": "wang-lei"}), r.check_confirm)
    await kr.refuse(C.decline, DeclineRelease(actor_id="kim-minji", reason="Too late now"), r.check_decline)  # the licence is signed
    await kr.accept(C.confirm_release, confirm.model_copy(update={"actor_id": "kim-minji"}))

    cn = child(env, release_workflow_id(sc.FILM, "CN"), C.state)
    await cn.until(lambda s: s.stage is ReleaseStage.ACKNOWLEDGE and s.event_count > 0, "the recommendation")
    await cn.refuse(C.decline, DeclineRelease(actor_id="kim-minji", reason="Not for China"), r.check_decline)  # Korea's liaison
    await cn.accept(C.acknowledge, AcknowledgeAction(actor_id="wang-lei"))
    await cn.accept(C.classify, ClassifyAction(actor_id="wang-lei", outcome=ClassificationOutcome.APPROVED))
    await cn.until(lambda s: s.stage is ReleaseStage.QUOTA, "the import quota")
    await cn.refuse(C.decide_quota, QuotaAction(actor_id="kim-minji", granted=True), r.check_quota)
    await cn.refuse(C.decide_quota, QuotaAction(actor_id="zhou-ming", granted=True), r.check_quota)  # China's distributor
    await cn.accept(C.decide_quota, QuotaAction(actor_id="wang-lei", granted=True, reference="Q-17"))
    await cn.accept(C.decline, DeclineRelease(actor_id="wang-lei", reason="No cinema slot this year."))
    assert (await cn.state()).stage is ReleaseStage.DECLINED
