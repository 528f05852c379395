"""Record workflow histories for the replay tests.

    .venv/bin/python -m tests.replay.record

Run it when a workflow type is added, and commit the JSON: old histories must never be
re-recorded after a change, since replaying them against new code is the point. Each scenario
drives a real workflow on the time-skipping test server with in-memory activities.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.agreements import (
    ApproveAction,
    CommentAction,
    DeclineAction,
    DelegateAction,
    PhaseAction,
    RenewAction,
    ReviseAction,
    SignAction,
    SigningMode,
    TermSpec,
    VoidAction,
)
from tests.workflows.conftest import spec, test_server_path
from tests.workflows.fakes import FakeActivities
from workflows import ALL_WORKFLOWS
from workflows.agreement import AgreementInput, AgreementWorkflow

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


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, scenario in [("agreement-full-lifecycle", full_lifecycle), ("agreement-declined-voided", declined_then_voided)]:
        async with await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=test_server_path(), data_converter=pydantic_data_converter
        ) as env:
            fakes = FakeActivities()
            async with Worker(env.client, task_queue="record", workflows=ALL_WORKFLOWS, activities=fakes.all()):
                h = await scenario(env.client, env, "record")
                history = await h.fetch_history()
        path = OUT / f"{name}.json"
        path.write_text(history.to_json())
        print(f"wrote {path} ({len(history.events)} events)")


if __name__ == "__main__":
    asyncio.run(main())
