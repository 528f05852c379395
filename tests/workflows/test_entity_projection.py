"""A fund's ledger answers an operation as soon as it is applied and projects behind the answer
(PATCH_PROJECT_BEHIND): an award never waits for a free activity slot to learn it is committed,
and operations that arrive together are projected together."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain import activity_names as act
from domain.grants.ledger import Ledger
from domain.grants.process import LedgerOp, LedgerRequest
from domain.readmodel import ItemProjection, ProjectionReply
from store.projections import forget_item, project_item
from store.queries import events_for, get_item
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


def request(i: int, op: LedgerOp = LedgerOp.COMMIT, **more: object) -> LedgerRequest:
    return LedgerRequest(fund_id=FUND.id, op=op, award_id=f"award-{i}", amount=Decimal("10000"), request_key=f"{op.value}-{i}", **more)  # type: ignore[arg-type]  # fmt: skip


def store_projection(engine: Engine, projected: list[ItemProjection], held: asyncio.Event | None = None) -> Callable[..., Any]:
    """The projection activity on a real read model, recording what it was sent; `held`, once
    cleared, holds every projection until it is set."""

    @activity.defn(name=act.PROJECT_ITEM)
    async def projection(p: ItemProjection) -> ProjectionReply:
        if held is not None:
            await held.wait()
        projected.append(p)
        incomplete: list[list[str]] = []
        project_item(engine, p.item, p.steps, p.new_events, p.documents, incomplete)
        return ProjectionReply(incomplete=incomplete)

    return projection


async def caught_up(fund: WorkflowHandle, engine: Engine) -> Ledger:
    """The workflow's ledger, once the read model shows the same."""
    for _ in range(500):
        ledger = await fund.query(FundLedgerWorkflow.ledger)
        item = get_item(engine, fund.id)
        if item is not None and Ledger.model_validate(item.detail["ledger"]) == ledger:
            return ledger
        await asyncio.sleep(0.01)
    raise AssertionError("the read model did not catch up with the ledger")


def sent(projected: list[ItemProjection]) -> list[tuple[int, int]]:
    return [(a.start, len(a.items)) for p in projected for a in p.item.appends if a.path == ["ledger", "entries"]]


async def test_the_journal_is_projected_as_its_new_entries(env: WorkflowEnvironment, engine: Engine) -> None:
    """Each projection carries the ledger entries since the last one, and the read model joins
    them into the whole journal the workflow holds."""
    projected: list[ItemProjection] = []
    queue = f"q-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=queue, workflows=ALL_WORKFLOWS, activities=[store_projection(engine, projected)]):
        with env.auto_time_skipping_disabled():
            fund = await start_fund(env, queue)
            for r in [
                request(1),
                request(2),
                request(1, LedgerOp.RELEASE, tranche_id="t1"),
                request(3),
                request(1),
            ]:  # the last: told twice
                await fund.execute_update(FundLedgerWorkflow.apply, r)
                await caught_up(fund, engine)  # one operation per projection
            ledger = await caught_up(fund, engine)
    assert len(ledger.entries) == 4
    assert sent(projected) == [(0, 0), (0, 1), (1, 1), (2, 1), (3, 1)]
    assert all(p.item.detail["ledger"]["entries"] == [] for p in projected)  # never the whole journal again
    item = get_item(engine, f"fund-{FUND.id}")
    assert item is not None and item.summary["committed"] == "30000.00" and item.summary["released"] == "10000.00"


async def test_operations_during_a_projection_follow_in_the_next(env: WorkflowEnvironment, engine: Engine) -> None:
    """Operations answered while a projection waits for its activity are neither lost nor sent twice."""
    projected: list[ItemProjection] = []
    held = asyncio.Event()
    held.set()
    queue = f"q-{uuid.uuid4()}"
    async with Worker(
        env.client, task_queue=queue, workflows=ALL_WORKFLOWS, activities=[store_projection(engine, projected, held)]
    ):
        with env.auto_time_skipping_disabled():
            fund = await start_fund(env, queue)
            await fund.execute_update(FundLedgerWorkflow.apply, request(1))
            await caught_up(fund, engine)
            held.clear()
            await fund.execute_update(FundLedgerWorkflow.apply, request(2))  # its projection now waits
            await asyncio.sleep(0.2)
            await asyncio.gather(*(fund.execute_update(FundLedgerWorkflow.apply, request(i)) for i in range(3, 8)))
            held.set()
            ledger = await caught_up(fund, engine)
    assert len(ledger.entries) == 7
    starts = sent(projected)
    assert sum(n for _, n in starts) == 7 and all(a + n == b for (a, n), (b, _) in itertools.pairwise(starts))
    assert len(projected) < 1 + 7  # the operations that came during the wait went together


async def test_a_read_model_that_lost_the_fund_gets_the_journal_whole(env: WorkflowEnvironment, engine: Engine) -> None:
    projected: list[ItemProjection] = []
    queue = f"q-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=queue, workflows=ALL_WORKFLOWS, activities=[store_projection(engine, projected)]):
        with env.auto_time_skipping_disabled():
            fund = await start_fund(env, queue)
            for i in (1, 2):
                await fund.execute_update(FundLedgerWorkflow.apply, request(i))
                await caught_up(fund, engine)
            forget_item(engine, fund.id)  # the read model lost it (restored from an older backup, rebuilt)
            await fund.execute_update(FundLedgerWorkflow.apply, request(3))
            ledger = await caught_up(fund, engine)  # whole again, without another operation
    assert sent(projected)[-2:] == [(2, 1), (0, 3)]  # refused for the missing entries, then sent whole
    assert len(ledger.entries) == 3
    assert [e.seq for e in projected[-1].new_events] == [1, 2, 3, 4]  # and the events again: the store had lost them too
    assert [e.seq for e in events_for(engine, fund.id)] == [1, 2, 3, 4]
