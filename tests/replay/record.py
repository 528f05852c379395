"""Record workflow histories for the replay tests.

    .venv/bin/python -m tests.replay.record

Run it when a workflow type or a patched change is added, and commit the JSON: it writes only the
histories not yet stored. Old histories are never re-recorded after a change, since replaying
them against new code is the point. Each scenario
drives a real workflow on the time-skipping test server with in-memory activities.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from domain.agreements import (
    AgreementKind,
    ApproveAction,
    CommentAction,
    DeclineAction,
    DelegateAction,
    Phase,
    PhaseAction,
    RenewAction,
    ReviseAction,
    SignAction,
    SigningMode,
    TermSpec,
    VoidAction,
)
from domain.board import REFRESH_BOARD_SNAPSHOTS, RefreshReport
from domain.board_digest import RENDER_BOARD_DIGEST, DigestRequest, DigestResult, digest_title
from domain.credit_transfer import CourseDecision
from domain.grants.board import VoteChoice
from domain.grants.process import (
    CloseVoteAction,
    DeclineReviewAction,
    ReviewReportAction,
    ScoreAction,
    ScreenAction,
    SubmitReportAction,
    VoteAction,
)
from domain.learning_agreements import ChangeKind, ChangeReason
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
from tests.domain.program_examples import CATALOGS, KNUA_TABLE, program
from tests.domain.transfer_examples import ROSTER, almost_done, ministry_program, request
from tests.workflows.conftest import spec, test_server_path
from tests.workflows.fakes import FakeActivities, serving
from tests.workflows.joint_program import transfer_input, until
from workflows.agreement import AgreementInput, AgreementWorkflow
from workflows.board_digest import BoardDigestWorkflow
from workflows.board_snapshots import BoardSnapshotsWorkflow
from workflows.credit_transfer import CreditTransferWorkflow
from workflows.grant import GrantWorkflow
from workflows.grant_application import GrantApplicationWorkflow
from workflows.student_record import StudentRecordInput, StudentRecordWorkflow

OUT = Path(__file__).parent / "histories"


async def current(h: WorkflowHandle) -> str:
    for _ in range(100):
        st = await h.query(AgreementWorkflow.state)
        if st.versions:
            return st.current_hash
        await asyncio.sleep(0.05)
    raise TimeoutError


async def full_lifecycle(client: Client, env: WorkflowEnvironment, queue: str) -> WorkflowHandle:
    s = spec(SigningMode.GROUPS, parties=4, term=TermSpec(term_months=12, renewal_window_days=60))
    h = await client.start_workflow(AgreementWorkflow.run, AgreementInput(spec=s), id=f"agreement-{s.id}", task_queue=queue)
    v1 = await current(h)
    await h.execute_update(AgreementWorkflow.comment, CommentAction(actor_id="org0-approver", text="Fine"))
    await h.execute_update(AgreementWorkflow.revise, ReviseAction(actor_id="initiator", summary="Tighten scope", base_version_hash=v1,
                                                                  clause_overrides={"scope": {"en": "Feature films."}}))
    await env.sleep(timedelta(days=11))
    v2 = await current(h)
    for p in s.parties:
        await h.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id=p.approvers[0].id, version_hash=v2))
    await h.execute_update(AgreementWorkflow.delegate, DelegateAction(actor_id="org0-signer", to_person_id="org0-deputy", reason="travel"))
    await env.sleep(timedelta(days=16))  # reminders and an escalation while signing waits
    for signer in ["org0-deputy", "org1-signer", "org2-signer", "org3-signer"]:
        await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id=signer, version_hash=v2))
    await env.sleep(timedelta(days=330))
    await h.execute_update(AgreementWorkflow.renew, RenewAction(actor_id="initiator"))
    for signer in ["org0-deputy", "org1-signer", "org2-signer", "org3-signer"]:
        await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id=signer, version_hash=v2))
    await env.sleep(timedelta(days=800))
    await h.result()
    return h


async def declined_then_voided(client: Client, env: WorkflowEnvironment, queue: str) -> WorkflowHandle:
    s = spec(SigningMode.SEQUENTIAL)
    h = await client.start_workflow(AgreementWorkflow.run, AgreementInput(spec=s), id=f"agreement-{s.id}", task_queue=queue)
    v1 = await current(h)
    await h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id="initiator"))
    for p in s.parties:
        await h.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id=p.approvers[0].id, version_hash=v1))
    await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id="org0-signer", version_hash=v1))
    await h.execute_update(AgreementWorkflow.decline, DeclineAction(actor_id="org1-signer", version_hash=v1, reason="Wording"))
    await h.execute_update(AgreementWorkflow.void, VoidAction(actor_id="initiator", reason="Superseded"))
    await h.result()
    return h


async def credit_transfer_full_chain(client: Client, env: WorkflowEnvironment, queue: str) -> WorkflowHandle:
    """Questions, a learning-agreement change, a return, reminders and escalation, the ministry."""
    T = CreditTransferWorkflow
    h = await client.start_workflow(T.run, transfer_input(ministry_program()), id="credit-transfer-replay", task_queue=queue)
    await until(h, T.state, lambda s: s.stage is TransferStage.DEPARTMENT)
    await h.execute_update(T.propose_change, ProposeChangeAction(actor_id="kim-minji", proposal_id="p1", kind=ChangeKind.ADD,
                           course_code="HIST-301", title="History of Russian Cinema", reason=ChangeReason.TIMETABLE_CLASH, base_revision=0))
    await h.execute_update(T.approve_change, ApproveChangeAction(actor_id="knua-dept", proposal_id="p1"))
    await h.execute_update(T.decide_course, DecideCourseAction(actor_id="knua-dept", course_code="SCR-540",
                           decision=CourseDecision.ASK_FOR_INFORMATION, note="Please send the syllabus."))
    await env.sleep(timedelta(days=6))  # a reminder to the student
    await h.execute_update(T.provide_information, ProvideInformationAction(actor_id="kim-minji", course_code="SCR-540", text="72 hours"))
    for code, decision in [("DIR-620", "approve"), ("VFX-630", "approve_as_elective")]:
        await h.execute_update(T.decide_course, DecideCourseAction(actor_id="knua-dept", course_code=code, decision=decision))
    await h.execute_update(T.decide_course, DecideCourseAction(actor_id="knua-dept", course_code="SCR-540", decision="approve",
                           home_course_code="FP-540", save_as_equivalency=True))
    await h.execute_update(T.return_to_department, ReturnAction(actor_id="knua-registrar", reason="Check", course_codes=["SCR-540"]))
    await h.execute_update(T.decide_course, DecideCourseAction(actor_id="knua-dept", course_code="SCR-540",
                           decision="reject", reason_code="duplicate_credit"))
    await h.execute_update(T.approve, StageAction(actor_id="knua-registrar"))
    await env.sleep(timedelta(days=22))  # the partner's registrar is reminded, then escalated
    await h.execute_update(T.confirm_grades, StageAction(actor_id="vgik-registrar"))
    await h.execute_update(T.authorize, StageAction(actor_id="moe-officer"))
    await h.result()
    return h


async def student_record_to_completion(client: Client, env: WorkflowEnvironment, queue: str) -> WorkflowHandle:
    """Enrolment, a transfer as a child that posts back, both theses approved: complete."""
    R, T = StudentRecordWorkflow, CreditTransferWorkflow
    inp = StudentRecordInput(program=program(), catalogs=CATALOGS, equivalencies={"knua": KNUA_TABLE}, roster=ROSTER,
                             record=almost_done(), mou_phase=Phase.ACTIVE)
    h = await client.start_workflow(R.run, inp, id="student-kim-minji", task_queue=queue)
    await until(h, R.state, lambda s: s.audits)
    r = await h.execute_update(R.start_credit_transfer, StartTransferAction(actor_id="kim-minji", request=request(term="2027-spring")))
    child = client.get_workflow_handle(r.workflow_id)
    await until(child, T.state, lambda s: s.stage is TransferStage.DEPARTMENT)
    for code in ["DIR-620", "VFX-630", "SCR-540"]:
        await child.execute_update(T.decide_course, DecideCourseAction(actor_id="knua-dept", course_code=code,
                                   decision="approve_as_elective", elective_category="major_elective"))
    await child.execute_update(T.approve, StageAction(actor_id="knua-registrar"))
    await child.execute_update(T.confirm_grades, StageAction(actor_id="vgik-registrar"))
    await until(h, R.state, lambda s: s.transfers[0].status == "posted")
    await env.sleep(timedelta(days=200))  # a term boundary passes
    for inst in ["knua", "vgik"]:
        await h.execute_update(R.set_thesis_status, ThesisAction(actor_id="park-coordinator", institution_id=inst, status=ThesisStatus.APPROVED))
    await h.result()
    return h


async def university_mou_forwarding(client: Client, env: WorkflowEnvironment, queue: str) -> WorkflowHandle:
    """A dual-degree MOU executed, active, in its renewal window, expired: each phase forwarded."""
    s = spec(kind=AgreementKind.UNIVERSITY_PARTNERSHIP, variables={"program_name": "Dual MFA"},
             term=TermSpec(term_months=12, renewal_window_days=60))
    h = await client.start_workflow(AgreementWorkflow.run, AgreementInput(spec=s), id=f"agreement-{s.id}", task_queue=queue)
    v1 = await current(h)
    await h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id="initiator"))
    for p in s.parties:
        await h.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id=p.approvers[0].id, version_hash=v1))
    for p in s.parties:
        await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id=p.signatories[0].id, version_hash=v1))
    await env.sleep(timedelta(days=400))
    await h.result()
    return h


async def credit_transfer_with_documents(client: Client, env: WorkflowEnvironment, queue: str) -> WorkflowHandle:
    """Proposals withdrawn and declined, a decision saved for reuse, the learning agreement rendered on posting."""
    T = CreditTransferWorkflow
    h = await client.start_workflow(T.run, transfer_input(), id="credit-transfer-replay-v2", task_queue=queue)
    await until(h, T.state, lambda s: s.stage is TransferStage.DEPARTMENT)
    for pid in ("p1", "p2"):
        await h.execute_update(T.propose_change, ProposeChangeAction(actor_id="kim-minji", proposal_id=pid, kind=ChangeKind.DROP,
                               course_code="SCR-540", reason=ChangeReason.COURSE_CANCELLED, base_revision=0))
    await h.execute_update(T.close_change, CloseChangeAction(actor_id="kim-minji", proposal_id="p1"))
    await h.execute_update(T.close_change, CloseChangeAction(actor_id="knua-dept", proposal_id="p2", decline=True, reason="Keep the course"))
    for code, decision in [("DIR-620", "approve"), ("VFX-630", "approve_as_elective")]:
        await h.execute_update(T.decide_course, DecideCourseAction(actor_id="knua-dept", course_code=code, decision=decision))
    await h.execute_update(T.decide_course, DecideCourseAction(actor_id="knua-dept", course_code="SCR-540", decision="approve",
                           home_course_code="FP-540", save_as_equivalency=True))
    await h.execute_update(T.approve, StageAction(actor_id="knua-registrar"))
    await h.execute_update(T.confirm_grades, StageAction(actor_id="vgik-registrar"))
    await h.result()
    return h


async def student_record_with_shared_tables(client: Client, env: WorkflowEnvironment, queue: str) -> WorkflowHandle:
    """A term abroad added, the shared table read and written, completion documents issued."""
    R, T = StudentRecordWorkflow, CreditTransferWorkflow
    inp = StudentRecordInput(program=program(), catalogs=CATALOGS, equivalencies={"knua": KNUA_TABLE}, roster=ROSTER,
                             record=almost_done(), mou_phase=Phase.ACTIVE)
    h = await client.start_workflow(R.run, inp, id="student-kim-minji-v2", task_queue=queue)
    await until(h, R.state, lambda s: s.audits)
    await h.execute_update(R.add_term_abroad, AddTermAction(actor_id="park-coordinator", institution_id="vgik", term="2027-spring"))
    r = await h.execute_update(R.start_credit_transfer, StartTransferAction(actor_id="kim-minji", request=request(term="2027-spring")))
    child = client.get_workflow_handle(r.workflow_id)
    await until(child, T.state, lambda s: s.stage is TransferStage.DEPARTMENT)
    for code in ["DIR-620", "VFX-630"]:
        await child.execute_update(T.decide_course, DecideCourseAction(actor_id="knua-dept", course_code=code,
                                   decision="approve_as_elective", elective_category="major_elective"))
    await child.execute_update(T.decide_course, DecideCourseAction(actor_id="knua-dept", course_code="SCR-540", decision="approve",
                               home_course_code="FP-540", save_as_equivalency=True))
    await child.execute_update(T.approve, StageAction(actor_id="knua-registrar"))
    await child.execute_update(T.confirm_grades, StageAction(actor_id="vgik-registrar"))
    await until(h, R.state, lambda s: s.transfers[0].status == "posted")
    for inst in ["knua", "vgik"]:
        await h.execute_update(R.set_thesis_status, ThesisAction(actor_id="park-coordinator", institution_id=inst, status=ThesisStatus.APPROVED))
    await h.result()
    return h


async def grant_round(client: Client, env: WorkflowEnvironment, queue: str) -> dict[str, WorkflowHandle]:
    """An application screened, reviewed (one reviewer replaced), awarded by the board; the grant
    agreement signed; three tranches paid after reports (one returned); closeout. Plus the ledger."""
    from tests.workflows.grant_round import MANAGER, start_fund, submit
    from tests.workflows.test_grants import MARKS, sign_agreement

    A, G = GrantApplicationWorkflow, GrantWorkflow
    fund = await start_fund(env, queue)
    h = await submit(env, queue)
    await until(h, A.state, lambda s: s.stage == "screening")
    await h.execute_update(A.screen, ScreenAction(actor_id=MANAGER.id, passed=True))
    st = await h.query(A.state)
    first = st.active_reviews[0].reviewer.id
    await h.execute_update(A.decline_review, DeclineReviewAction(actor_id=first, reason="Travelling all month"))
    await env.sleep(timedelta(days=9))  # reminders to the panel
    st = await h.query(A.state)
    for r in st.active_reviews:
        await h.execute_update(A.score, ScoreAction(actor_id=r.reviewer.id, values=MARKS))
    for member in ["board-chen", "board-ivanova", "board-lee", "board-nurlanova"]:
        await h.execute_update(A.vote, VoteAction(actor_id=member, choice=VoteChoice.APPROVE, amount=Decimal("115000")))
    await h.execute_update(A.close_vote, CloseVoteAction(actor_id=MANAGER.id))
    await h.result()
    grant = client.get_workflow_handle("grant-in-kz-drama")
    await sign_agreement(env, grant)
    await until(grant, G.state, lambda s: s.payments)
    for tid in ["milestone", "delivery"]:
        await grant.execute_update(G.submit_report, SubmitReportAction(actor_id="priya-nair", tranche_id=tid, reference=f"sha-{tid}"))
        if tid == "milestone":
            await grant.execute_update(G.review_report, ReviewReportAction(actor_id=MANAGER.id, tranche_id=tid, approve=False, reason="Add the schedule"))
            await grant.execute_update(G.submit_report, SubmitReportAction(actor_id="priya-nair", tranche_id=tid, reference="sha-2"))
        await grant.execute_update(G.review_report, ReviewReportAction(actor_id=MANAGER.id, tranche_id=tid, approve=True))
    await until(grant, G.state, lambda s: s.stage == "closeout")
    await grant.execute_update(G.submit_report, SubmitReportAction(actor_id="priya-nair", tranche_id="final", reference="sha-final"))
    await grant.execute_update(G.review_report, ReviewReportAction(actor_id=MANAGER.id, tranche_id="final", approve=True))
    await grant.result()
    return {"grant-application-awarded": h, "grant-to-closeout": grant, "fund-ledger-round": fund}


async def release_round(client: Client, env: WorkflowEnvironment, queue: str) -> dict[str, WorkflowHandle]:
    """An award fanned out to every member country; Korea takes the film through classification with
    cuts, a subsidy, a signed licence and a confirmed release; a silent country is reminded."""
    from datetime import date
    from datetime import timedelta as td

    from domain.releases.process import (
        AcknowledgeAction,
        ClassifyAction,
        ConfirmReleaseAction,
        RecordAwardAction,
        ScheduleAction,
        SubsidyAction,
    )
    from tests.domain.releases.examples import AWARDS, STEPPE_WIND
    from tests.workflows.release_round import ADMIN, start_festival
    from tests.workflows.test_releases import licence, sign
    from workflows.country_release import CountryReleaseWorkflow as R
    from workflows.country_release import release_workflow_id
    from workflows.festival import FestivalWorkflow as F

    fest = await start_festival(env, queue)
    await fest.execute_update(F.record_award, RecordAwardAction(actor_id=ADMIN.id, award=AWARDS[0]))
    kr = client.get_workflow_handle(release_workflow_id(STEPPE_WIND.id, "KR"))
    await until(kr, R.state, lambda s: s.documents)
    await kr.execute_update(R.acknowledge, AcknowledgeAction(actor_id="liaison-kr"))
    await kr.execute_update(R.classify, ClassifyAction(actor_id="liaison-kr", outcome="approved_with_cuts", rating="15", cuts="Scene 14"))
    await kr.execute_update(R.record_subsidy, SubsidyAction(actor_id="liaison-kr", outcome="skipped"))
    await kr.execute_update(R.propose_licence, licence("KR", "lic-steppe-kr"))
    st = await kr.query(R.state)
    await sign(env, st.licence.agreement_workflow_id)
    await until(kr, R.state, lambda s: s.stage == "scheduling")
    day = date.today() + td(days=30)
    await kr.execute_update(R.schedule_release, ScheduleAction(actor_id="liaison-kr", release_on=day, platform="CGV"))
    await env.sleep(timedelta(days=8))  # the other countries' liaisons are reminded meanwhile
    await kr.execute_update(R.confirm_release, ConfirmReleaseAction(actor_id="liaison-kr", released_on=day, platform="CGV"))
    await kr.result()
    return {"festival-award-fanout": fest, "country-release-to-released": kr,
            "film-rights-reserved": client.get_workflow_handle(f"rights-{STEPPE_WIND.id}")}


@activity.defn(name=RENDER_BOARD_DIGEST)
async def fake_board_digest(req: DigestRequest) -> DigestResult:
    """The digest activity's stand-in: a result shaped like the real one, nothing rendered."""
    sha = hashlib.sha256(f"{req.digest_id}@{req.as_of.isoformat()}".encode()).hexdigest()
    return DigestResult(digest_id=req.digest_id, sha256=sha, pages=3, label=digest_title(req.digest_id), as_of=req.as_of)


async def board_digest_weekly(client: Client, env: WorkflowEnvironment, queue: str) -> WorkflowHandle:
    """A run as the weekly schedule starts it. (The test server has no schedules, nor the search
    attribute with their nominal time: the run takes its own start, the same single activity.)"""
    h = await client.start_workflow(BoardDigestWorkflow.run, id="board-digest-replay", task_queue=queue)
    await h.result()
    return h


@activity.defn(name=REFRESH_BOARD_SNAPSHOTS)
async def fake_refresh_board_snapshots() -> RefreshReport:
    """The refresh activity's stand-in: a report shaped like the real one, nothing read."""
    return RefreshReport(refreshed=2, unchanged=1, removed=0, seconds=0.4)


async def board_snapshots(client: Client, env: WorkflowEnvironment, queue: str) -> WorkflowHandle:
    """A run as the every-minute schedule starts it: one activity."""
    h = await client.start_workflow(BoardSnapshotsWorkflow.run, id="board-snapshots-replay", task_queue=queue)
    await h.result()
    return h


async def grant_round_compressed(client: Client, env: WorkflowEnvironment, queue: str) -> dict[str, WorkflowHandle]:
    """The grant round again, recorded with the production converter and a low threshold: the
    payloads are stored compressed (`binary/zlib`), as a real server stores the large ones; the
    fund ledger's too, though a demo round's journal is small."""
    handles = await grant_round(client, env, queue)
    return {f"{name}-compressed": h for name, h in handles.items()}


COMPRESSED = {"grant-round-compressed": ["grant-application-awarded-compressed", "grant-to-closeout-compressed",
                                         "fund-ledger-round-compressed"]}  # fmt: skip
COMPRESS_BYTES = 256  # the production converter, compressing payloads from 256 bytes


async def main() -> None:
    from settings import Settings

    OUT.mkdir(parents=True, exist_ok=True)
    scenarios = [
        ("agreement-full-lifecycle", full_lifecycle),
        ("agreement-declined-voided", declined_then_voided),
        ("credit-transfer-full-chain", credit_transfer_full_chain),
        ("student-record-to-completion", student_record_to_completion),
        ("agreement-university-forwarding", university_mou_forwarding),
        ("credit-transfer-posting-documents", credit_transfer_with_documents),
        ("student-record-shared-tables", student_record_with_shared_tables),
        ("grant-application-awarded", grant_round),
        ("festival-award-fanout", release_round),
        ("board-digest-weekly", board_digest_weekly),
        ("board-snapshots", board_snapshots),
        ("grant-round-compressed", grant_round_compressed),
    ]
    for name, scenario in scenarios:
        outputs = COMPRESSED.get(name, [name])
        if all((OUT / f"{n}.json").exists() for n in outputs):
            continue  # recorded by an earlier version: never overwritten
        converter = (Settings(payload_key=None, payload_compress_bytes=COMPRESS_BYTES).data_converter() if name in COMPRESSED
                     else pydantic_data_converter)  # fmt: skip
        async with await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=test_server_path(), data_converter=converter
        ) as env:
            fakes = FakeActivities(client=env.client)
            activities = [*fakes.all(), fake_board_digest, fake_refresh_board_snapshots]
            async with serving(env.client, "record", activities):
                result = await scenario(env.client, env, "record")
                handles = result if isinstance(result, dict) else {name: result}
                histories = {n: await h.fetch_history() for n, h in handles.items()}
        for n, history in histories.items():
            path = OUT / f"{n}.json"
            if path.exists():
                continue  # never overwritten
            path.write_text(history.to_json())
            print(f"wrote {path} ({len(history.events)} events)")


if __name__ == "__main__":
    asyncio.run(main())
