"""A fund's ledger answers an operation as soon as it is applied and projects behind the answer
(PATCH_PROJECT_BEHIND): an award never waits for a free activity slot to learn it is committed,
and operations that arrive together are projected together."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain import activity_names as act
from domain.grants.process import LedgerOp, LedgerRequest
from domain.readmodel import ItemProjection
from tests.workflows.grant_round import FUND, start_fund
from workflows.fund_ledger import FundLedgerWorkflow
from workflows.registry import ALL_WORKFLOWS


async def test_the_ledger_answers_before_its_projection(env: WorkflowEnvironment) -> None:
    projected: list[ItemProjection] = []
    held = asyncio.Event()  # projections wait here, as behind a queue of busy activity slots

    @activity.defn(name=act.PROJECT_ITEM)
    async def slow_projection(p: ItemProjection) -> None:
        if projected:  # the fund's opening goes through; what follows waits
            await held.wait()
        projected.append(p)

    queue = f"q-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=queue, workflows=ALL_WORKFLOWS, activities=[slow_projection]):
        with env.auto_time_skipping_disabled():
            fund = await start_fund(env, queue)
            for _ in range(200):
                if projected:
                    break
                await asyncio.sleep(0.01)
            replies = await asyncio.wait_for(asyncio.gather(*(
                fund.execute_update(FundLedgerWorkflow.apply, LedgerRequest(fund_id=FUND.id, op=LedgerOp.COMMIT, award_id=f"award-{i}",
                                                                            amount=Decimal("10000"), request_key=f"award-{i}"))
                for i in range(3)
            )), timeout=20)  # fmt: skip
            assert all(r.applied for r in replies) and len(projected) == 1  # answered while the projection waits
            held.set()
            for _ in range(500):
                if projected[-1].item.projected_seq == 4:
                    break
                await asyncio.sleep(0.01)
    assert projected[-1].item.projected_seq == 4  # opened + three commitments
    assert projected[-1].item.summary["committed"] == "30000.00"
    assert len(projected) <= 3  # the three operations in fewer projections than operations
