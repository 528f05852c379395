"""The agreement engine on the time-skipping test server, with in-memory activities."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.agreements import (
    AgreementSpec,
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
    SigningMode,
    TermSpec,
    VoidAction,
)
from domain.human_steps import ReminderPolicy
from tests.workflows.conftest import spec
from workflows.agreement import AgreementInput, AgreementOutcome, AgreementWorkflow


async def start(env: WorkflowEnvironment, queue: str, s: AgreementSpec) -> WorkflowHandle:
    return await env.client.start_workflow(
        AgreementWorkflow.run, AgreementInput(spec=s), id=f"agreement-{s.id}", task_queue=queue
    )


async def state(h: WorkflowHandle) -> AgreementState:
    return await h.query(AgreementWorkflow.state)


async def wait_phase(h: WorkflowHandle, phase: Phase) -> AgreementState:
    for _ in range(200):
        st = await state(h)
        if st.phase is phase and st.versions:
            return st
        await asyncio.sleep(0.05)
    raise AssertionError(f"never reached {phase}; at {st.phase}")


async def rejected(coro) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await coro
    return e.value.cause.message


async def to_signing(h: WorkflowHandle, s: AgreementSpec) -> AgreementState:
    st = await wait_phase(h, Phase.REVIEW)
    await h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id=s.initiator.id))
    for p in s.parties:
        await h.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id=p.approvers[0].id, version_hash=st.current_hash))
    return await state(h)


async def test_happy_path_three_parties(env, worker):
    _, fakes, queue = worker
    s = spec()
    h = await start(env, queue, s)
    st = await wait_phase(h, Phase.REVIEW)
    assert len(st.versions) == 1 and st.versions[0].text_sha256
    await h.execute_update(AgreementWorkflow.comment, CommentAction(actor_id="org1-approver", text="Clause 3 reads well."))
    st = await to_signing(h, s)
    assert st.phase is Phase.SIGNING
    assert {x.organisation_id for x in st.steps if x.kind == "sign"} == {"org0", "org1", "org2"}
    for p in s.parties:
        r = await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id=p.signatories[0].id, version_hash=st.current_hash))
    st = await wait_phase(h, Phase.ACTIVE)
    assert st.executed_pdf_sha256 and len(fakes.executed) == 1
    sigs = st.signatures
    assert [x.title for x in sigs] == ["Director"] * 3 and all(x.version_hash == st.current_hash for x in sigs)
    assert st.expiry_date and st.effective_date and st.steps == []
    for _ in range(100):  # the query can show ACTIVE a moment before its projection lands
        if fakes.projections[h.id].state.phase is Phase.ACTIVE:
            break
        await asyncio.sleep(0.02)
    assert fakes.projections[h.id].state.phase is Phase.ACTIVE
    kinds = [e.kind for e in fakes.events[h.id]]
    assert kinds[:3] == ["created", "version_created", "review_opened"] and "executed" in kinds
    assert [e.seq for e in fakes.events[h.id]] == list(range(1, len(kinds) + 1))
    assert r.phase in (Phase.EXECUTING, Phase.ACTIVE)


async def test_sequential_signing_enforces_order(env, worker):
    _, _, queue = worker
    s = spec(SigningMode.SEQUENTIAL)
    h = await start(env, queue, s)
    st = await to_signing(h, s)
    msg = await rejected(h.execute_update(AgreementWorkflow.sign, SignAction(actor_id="org2-signer", version_hash=st.current_hash)))
    assert "not yet" in msg and "ORG0" in msg
    for i in range(3):
        st = await state(h)
        assert [x.organisation_id for x in st.steps] == [f"org{i}"]
        await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id=f"org{i}-signer", version_hash=st.current_hash))
    await wait_phase(h, Phase.ACTIVE)


async def test_ordered_groups_and_parallel(env, worker):
    _, _, queue = worker
    s = spec(SigningMode.GROUPS, parties=4)  # groups: {org0, org1}, {org2, org3}
    h = await start(env, queue, s)
    st = await to_signing(h, s)
    assert {x.organisation_id for x in st.steps} == {"org0", "org1"}
    await rejected(h.execute_update(AgreementWorkflow.sign, SignAction(actor_id="org3-signer", version_hash=st.current_hash)))
    await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id="org1-signer", version_hash=st.current_hash))
    await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id="org0-signer", version_hash=st.current_hash))
    st = await state(h)
    assert {x.organisation_id for x in st.steps} == {"org2", "org3"}


async def test_decline_returns_to_review_and_void_ends(env, worker):
    _, fakes, queue = worker
    s = spec()
    h = await start(env, queue, s)
    st = await to_signing(h, s)
    await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id="org0-signer", version_hash=st.current_hash))
    await h.execute_update(
        AgreementWorkflow.decline, DeclineAction(actor_id="org1-signer", version_hash=st.current_hash, reason="Article 5 needs our ministry's wording")
    )
    st = await state(h)
    assert st.phase is Phase.REVIEW and st.review_round == 2 and st.signatures == [] and st.approvals == []
    msg = await rejected(h.execute_update(AgreementWorkflow.void, VoidAction(actor_id="org0-approver", reason="not ours")))
    assert "Only the initiator" in msg
    await h.execute_update(AgreementWorkflow.void, VoidAction(actor_id=s.initiator.id, reason="Superseded by the 2027 MOU"))
    out: AgreementOutcome = await h.result()
    assert out.phase is Phase.VOIDED and out.reason == "Superseded by the 2027 MOU"
    assert fakes.projections[h.id].state.phase is Phase.VOIDED


async def test_stale_approval_is_rejected_and_leaves_no_trace(env, worker):
    _, _, queue = worker
    s = spec()
    h = await start(env, queue, s)
    v1 = (await wait_phase(h, Phase.REVIEW)).current_hash
    await h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id=s.initiator.id))
    await h.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id="org0-approver", version_hash=v1))
    await h.execute_update(
        AgreementWorkflow.revise,
        ReviseAction(actor_id="org1-approver", summary="Clarify the joint committee", base_version_hash=v1,
                     clause_overrides={"joint_committee": {"en": "A joint committee meets twice a year."}}),
    )
    before = await state(h)
    assert before.current.number == 2 and before.current_hash != v1
    assert any("approvals void" in e.detail for e in before.events)
    msg = await rejected(h.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id="org2-approver", version_hash=v1)))
    assert msg.startswith("Conflict") and "version 1" in msg and "current version is 2" in msg
    after = await state(h)
    assert after.events == before.events and after.approvals == before.approvals
    # org0's approval of v1 no longer counts: its approval step is open again for version 2
    assert {x.organisation_id for x in after.steps} == {"org0", "org1", "org2"}


async def test_actor_without_role_is_rejected(env, worker):
    _, _, queue = worker
    s = spec()
    h = await start(env, queue, s)
    st = await wait_phase(h, Phase.REVIEW)
    await h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id=s.initiator.id))
    msg = await rejected(h.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id="stranger", version_hash=st.current_hash)))
    assert "not a party" in msg
    msg = await rejected(h.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id="org0-signer", version_hash=st.current_hash)))
    assert "not an approver" in msg
    msg = await rejected(h.execute_update(AgreementWorkflow.sign, SignAction(actor_id="org0-signer", version_hash=st.current_hash)))
    assert "cannot sign now" in msg
    msg = await rejected(h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id="org0-approver")))
    assert "Only the initiator" in msg


async def test_delegation_within_organisation(env, worker):
    _, _, queue = worker
    s = spec()
    h = await start(env, queue, s)
    st = await to_signing(h, s)
    msg = await rejected(h.execute_update(AgreementWorkflow.delegate, DelegateAction(actor_id="org0-signer", to_person_id="org1-deputy", reason="travel")))
    assert "same organisation" in msg
    await h.execute_update(AgreementWorkflow.delegate, DelegateAction(actor_id="org0-signer", to_person_id="org0-deputy", reason="Minister travelling"))
    await rejected(h.execute_update(AgreementWorkflow.sign, SignAction(actor_id="org0-signer", version_hash=st.current_hash)))
    await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id="org0-deputy", version_hash=st.current_hash))
    st = await state(h)
    assert st.signatures[0].signer_id == "org0-deputy" and st.signatures[0].title == "Deputy Director"


async def test_double_click_counts_once(env, worker):
    _, _, queue = worker
    s = spec()
    h = await start(env, queue, s)
    st = await wait_phase(h, Phase.REVIEW)
    a = CommentAction(actor_id="org0-approver", text="Looks good")
    await h.execute_update(AgreementWorkflow.comment, a, id="click-1")
    await h.execute_update(AgreementWorkflow.comment, a, id="click-1")
    st = await state(h)
    assert len(st.comments) == 1


async def test_reminders_and_escalation_across_days(env, worker):
    _, fakes, queue = worker
    s = spec(reminders=ReminderPolicy(due_days=14, first_reminder_days=5, reminder_every_days=2, max_reminders=5, escalate_board_after_days=7))
    h = await start(env, queue, s)
    await wait_phase(h, Phase.REVIEW)
    await h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id=s.initiator.id))
    await env.sleep(timedelta(days=22))
    st = await state(h)
    step = next(x for x in st.steps if x.organisation_id == "org0")
    assert step.reminders_sent == 5 and step.escalation == 2
    keys = {re.sub(r"#\d+", "", k): k for k in fakes.keys(h.id)}  # mail keys carry the step's opening
    org0 = sorted(k.split("/", 1)[1] for k in keys if "/approve-org0-" in k)
    assert org0 == sorted(
        ["approve-org0-v1/opened"] + [f"approve-org0-v1/reminder/{i}" for i in range(1, 6)]
        + ["approve-org0-v1/escalate_liaison/1", "approve-org0-v1/escalate_board/1"]
    )
    liaison = fakes.notifications[keys[f"{h.id}/approve-org0-v1/escalate_liaison/1"]]
    assert [p.id for p in liaison.to] == ["kr-liaison"]
    board = fakes.notifications[keys[f"{h.id}/approve-org0-v1/escalate_board/1"]]
    assert [p.id for p in board.to] == ["board-chair"]
    assert fakes.projections[h.id].state.steps[0].escalation == 2


async def test_renewal_and_expiry_across_years(env, worker):
    _, fakes, queue = worker
    s = spec(term=TermSpec(term_months=24, renewal_window_days=90, renewal_reminder_every_days=30))
    h = await start(env, queue, s)
    st = await to_signing(h, s)
    for p in s.parties:
        await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id=p.signatories[0].id, version_hash=st.current_hash))
    first = await wait_phase(h, Phase.ACTIVE)
    await env.sleep(timedelta(days=2 * 365 - 60))
    st = await wait_phase(h, Phase.RENEWAL)
    assert st.steps[0].kind == "renew"
    await h.execute_update(AgreementWorkflow.renew, RenewAction(actor_id=s.initiator.id, term_months=12))
    st = await state(h)
    assert st.phase is Phase.SIGNING and st.term_number == 2
    for p in s.parties:
        await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id=p.signatories[0].id, version_hash=st.current_hash))
    st = await wait_phase(h, Phase.ACTIVE)
    assert st.effective_date == first.expiry_date and st.term_number == 2
    assert (st.expiry_date - st.effective_date).days in (365, 366)
    assert len(fakes.executed) == 2
    await env.sleep(timedelta(days=400))
    out = await h.result()
    assert out.phase is Phase.EXPIRED
    renew_keys = [k for k in fakes.keys(h.id) if re.search(r"/renew-t2#\d+/reminder/", k)]
    assert len(renew_keys) == 2  # window of 90 days (opening mail at day 0), a reminder every 30: days 30 and 60


async def test_the_read_model_shows_a_change_before_its_mails_go(env, worker):
    """A change is projected first and then mailed (PATCH_PROJECT_FIRST), and the mails go behind
    the answer (PATCH_MAIL_BEHIND): with the mail server stalled, closing the review is answered
    and the next approval goes through; the three mails of the approval steps follow, after the
    projection that shows them."""
    _, fakes, queue = worker
    s = spec()
    h = await start(env, queue, s)
    await wait_phase(h, Phase.REVIEW)
    fakes.order.clear()
    fakes.mail_gate = asyncio.Event()
    try:
        r = await asyncio.wait_for(h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id=s.initiator.id)), 30)
        assert r.phase is Phase.APPROVAL
        party = s.parties[0]
        r = await asyncio.wait_for(h.execute_update(AgreementWorkflow.approve, ApproveAction(
            actor_id=party.approvers[0].id, version_hash=(await state(h)).current_hash)), 30)  # fmt: skip
        assert not [line for line in fakes.order if line.startswith("mail ")], fakes.order
    finally:
        fakes.mail_gate.set()

    def mails() -> list[int]:
        return [i for i, line in enumerate(fakes.order) if line.startswith("mail ") and "/opened" in line]

    for _ in range(300):
        if len(mails()) == 3:
            break
        await asyncio.sleep(0.05)
    projections = [i for i, line in enumerate(fakes.order) if line.startswith(f"project {h.id}")]
    assert len(mails()) == 3 and projections, fakes.order
    assert projections[0] < min(mails()), fakes.order
