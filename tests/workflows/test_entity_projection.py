"""A fund's ledger answers an operation as soon as it is applied and projects behind the answer
(PATCH_PROJECT_BEHIND): an award never waits for a free activity slot to learn it is committed,
and operations that arrive together are projected together."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

from sqlalchemy import Engine
from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain import activity_names as act
from domain.grants.ledger import Ledger
from domain.grants.process import LedgerOp, LedgerRequest
from domain.readmodel import ItemProjection
from store.projections import project_item
from store.queries import get_item
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


async def test_the_journal_is_projected_as_its_new_entries(env: WorkflowEnvironment, engine: Engine) -> None:
    """Each projection carries the ledger entries since the last one (the first of a run: all of
    them), and the read model joins them into the whole journal the workflow holds."""
    projected: list[ItemProjection] = []

    @activity.defn(name=act.PROJECT_ITEM)
    async def projection(p: ItemProjection) -> None:
        projected.append(p)
        project_item(engine, p.item, p.steps, p.new_events, p.documents)

    def request(i: int, op: LedgerOp = LedgerOp.COMMIT, **more: object) -> LedgerRequest:
        return LedgerRequest(fund_id=FUND.id, op=op, award_id=f"award-{i}", amount=Decimal("10000"), request_key=f"{op.value}-{i}", **more)  # type: ignore[arg-type]

    queue = f"q-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=queue, workflows=ALL_WORKFLOWS, activities=[projection]):
        with env.auto_time_skipping_disabled():
            fund = await start_fund(env, queue)
            for r in [request(1), request(2), request(1, LedgerOp.RELEASE, tranche_id="t1"), request(3), request(1)]:  # the last: told twice
                await fund.execute_update(FundLedgerWorkflow.apply, r)
                for _ in range(500):  # one operation per projection: the projection follows each answer
                    ledger = await fund.query(FundLedgerWorkflow.ledger)
                    if sum(len(a.items) for p in projected for a in p.item.appends) == len(ledger.entries):
                        break
                    await asyncio.sleep(0.01)
            ledger = await fund.query(FundLedgerWorkflow.ledger)
    assert len(ledger.entries) == 4
    sent = [(a.path, a.start, len(a.items)) for p in projected for a in p.item.appends]
    assert sent == [(["ledger", "entries"], 0, 0), (["ledger", "entries"], 0, 1), (["ledger", "entries"], 1, 1),
                    (["ledger", "entries"], 2, 1), (["ledger", "entries"], 3, 1)]  # fmt: skip
    assert all(p.item.detail["ledger"]["entries"] == [] for p in projected)  # never the whole journal again
    item = get_item(engine, f"fund-{FUND.id}")
    assert item is not None and Ledger.model_validate(item.detail["ledger"]) == ledger
    assert item.summary["committed"] == "30000.00" and item.summary["released"] == "10000.00"
