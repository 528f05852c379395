"""Edge cases of the agreement engine: bad revisions, reopened steps, delegates, parents, terms."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from domain.agreements import (
    ApproveAction,
    CommentAction,
    DeclineAction,
    DelegateAction,
    Phase,
    PhaseAction,
    RenewAction,
    ReviseAction,
    SignAction,
    TermSpec,
    VoidAction,
)
from tests.workflows.conftest import spec
from tests.workflows.test_agreement import rejected, start, state, to_signing, wait_phase
from workflows.agreement import AgreementInput, AgreementWorkflow


def plain(keys: list[str]) -> list[str]:
    return [re.sub(r"#\d+", "", k.split("/", 1)[1]) for k in keys]


async def sign_all(h, s, version_hash: str) -> None:  # type: ignore[no-untyped-def]
    for p in s.parties:
        await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id=p.signatories[0].id, version_hash=version_hash))


async def test_invalid_revision_variables_are_rejected_and_the_workflow_keeps_answering(env, worker) -> None:  # type: ignore[no-untyped-def]
    _, _, queue = worker
    s = spec()
    h = await start(env, queue, s)
    st = await wait_phase(h, Phase.REVIEW)
    msg = await rejected(h.execute_update(AgreementWorkflow.revise, ReviseAction(
        actor_id="initiator", summary="Raise the share", base_version_hash=st.current_hash,
        variables={"min_financial_share_percent": 99})))
    assert "variables are not valid" in msg and "min_financial_share_percent" in msg
    msg = await rejected(h.execute_update(AgreementWorkflow.revise, ReviseAction(
        actor_id="initiator", summary="Add French", base_version_hash=st.current_hash,
        clause_overrides={"scope": {"fr": "Films."}})))
    assert "not fr" in msg
    r = await h.execute_update(AgreementWorkflow.comment, CommentAction(actor_id="org0-approver", text="Still here?"))
    assert r.message == "Comment recorded."


async def test_valid_variable_revision_makes_a_new_version(env, worker) -> None:  # type: ignore[no-untyped-def]
    _, _, queue = worker
    s = spec()
    h = await start(env, queue, s)
    st = await wait_phase(h, Phase.REVIEW)
    await h.execute_update(AgreementWorkflow.revise, ReviseAction(
        actor_id="initiator", summary="Raise the share", base_version_hash=st.current_hash,
        variables={"min_financial_share_percent": 30}))
    st = await state(h)
    assert st.current.number == 2 and st.spec.variables["min_financial_share_percent"] == 30


async def test_a_declined_round_reopens_steps_with_fresh_mail(env, worker) -> None:  # type: ignore[no-untyped-def]
    _, fakes, queue = worker
    s = spec()
    h = await start(env, queue, s)
    st = await to_signing(h, s)
    await h.execute_update(AgreementWorkflow.decline, DeclineAction(actor_id="org0-signer", version_hash=st.current_hash, reason="Not yet"))
    await h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id="initiator"))
    for _ in range(300):  # the mails go behind the answer
        opened = [k for k in plain(fakes.keys(h.id)) if k == "approve-org0-v1/opened"]
        if len(opened) == 2:
            break
        await asyncio.sleep(0.05)
    assert len(opened) == 2  # round one and round two each told the approver


async def test_a_delegate_is_told_to_sign(env, worker) -> None:  # type: ignore[no-untyped-def]
    _, fakes, queue = worker
    s = spec()
    h = await start(env, queue, s)
    await to_signing(h, s)
    await h.execute_update(AgreementWorkflow.delegate, DelegateAction(actor_id="org0-signer", to_person_id="org0-deputy", reason="travel"))
    assigned = await fakes.mailed(lambda k: "/assigned/org0-deputy" in k)
    assert len(assigned) == 1 and [p.id for p in assigned[0].to] == ["org0-deputy"]


async def test_a_missing_parent_does_not_take_the_agreement_down(env, worker) -> None:  # type: ignore[no-untyped-def]
    _, _, queue = worker
    s = spec(parent_workflow_id="grant-that-does-not-exist")
    h = await start(env, queue, s)
    st = await to_signing(h, s)
    await sign_all(h, s, st.current_hash)
    await wait_phase(h, Phase.ACTIVE)
    for _ in range(100):  # the failed signal is recorded a moment after the phase changes
        st = await state(h)
        if any(e.kind == "parent_not_notified" for e in st.events):
            break
        await asyncio.sleep(0.02)
    assert any(e.kind == "parent_not_notified" for e in st.events)
    assert st.phase is Phase.ACTIVE


async def test_future_effective_date_waits_in_pending(env, worker) -> None:  # type: ignore[no-untyped-def]
    _, _, queue = worker
    now = (await env.get_current_time()).date()
    s = spec(term=TermSpec(effective_date=now + timedelta(days=40), term_months=12, renewal_window_days=30))
    h = await start(env, queue, s)
    st = await to_signing(h, s)
    await sign_all(h, s, st.current_hash)
    st = await wait_phase(h, Phase.PENDING)
    assert st.effective_date == now + timedelta(days=40)
    msg = await rejected(h.execute_update(AgreementWorkflow.void, VoidAction(actor_id="initiator", reason="Changed our minds")))
    assert "cannot be voided" in msg
    await env.sleep(timedelta(days=41))
    await wait_phase(h, Phase.ACTIVE)


async def test_an_unsigned_renewal_lapses_at_expiry_and_a_declined_one_returns_to_the_window(env, worker) -> None:  # type: ignore[no-untyped-def]
    _, _, queue = worker
    s = spec(term=TermSpec(term_months=12, renewal_window_days=60, renewal_reminder_every_days=20))
    h = await start(env, queue, s)
    st = await to_signing(h, s)
    await sign_all(h, s, st.current_hash)
    first = await wait_phase(h, Phase.ACTIVE)
    await env.sleep(timedelta(days=320))
    await wait_phase(h, Phase.RENEWAL)
    await h.execute_update(AgreementWorkflow.renew, RenewAction(actor_id="initiator"))
    await h.execute_update(AgreementWorkflow.decline, DeclineAction(actor_id="org1-signer", version_hash=st.current_hash, reason="Budget"))
    st = await state(h)
    assert st.phase is Phase.RENEWAL and st.term_number == 1 and st.expiry_date == first.expiry_date
    await h.execute_update(AgreementWorkflow.renew, RenewAction(actor_id="initiator"))
    await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id="org0-signer", version_hash=st.current_hash))
    await env.sleep(timedelta(days=60))  # past expiry, the renewal still unsigned by two parties
    out = await h.result()
    assert out.phase is Phase.EXPIRED
    st = await state(h)
    assert st.term_number == 1 and any(e.kind == "renewal_lapsed" for e in st.events)


async def test_a_resumed_run_sends_only_the_nudges_not_yet_sent(env: WorkflowEnvironment, worker) -> None:  # type: ignore[no-untyped-def]
    """What continue-as-new hands on: the state with its open steps and what they already sent."""
    _, fakes, queue = worker
    s = spec()
    h = await start(env, queue, s)
    v1 = (await wait_phase(h, Phase.REVIEW)).current_hash
    await h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id="initiator"))
    for p in s.parties[1:]:
        await h.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id=p.approvers[0].id, version_hash=v1))
    await env.sleep(timedelta(days=9, hours=12))  # reminders 1-3 (days 5, 7, 9) sent
    st = await state(h)
    assert st.steps[0].reminders_sent == 3
    await h.terminate()
    resumed = await env.client.start_workflow(
        AgreementWorkflow.run, AgreementInput(spec=st.spec, resumed=st), id=f"{h.id}-resumed", task_queue=queue)
    await env.sleep(timedelta(days=15))
    after = await resumed.query(AgreementWorkflow.state)
    assert after.steps[0].reminders_sent == 5 and after.steps[0].escalation == 2
    sent = [k for k in plain(fakes.keys(f"{h.id}-resumed"))]
    assert sorted(sent) == ["approve-org0-v1/escalate_board/1", "approve-org0-v1/escalate_liaison/1",
                            "approve-org0-v1/reminder/4", "approve-org0-v1/reminder/5"]
    await resumed.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id="org0-approver", version_hash=v1))
    assert (await resumed.query(AgreementWorkflow.state)).phase is Phase.SIGNING


def test_renewal_window_must_fit_in_the_term() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="renewal window"):
        TermSpec(term_months=2, renewal_window_days=90)
    assert TermSpec(term_months=12, renewal_window_days=90).term_months == 12
