"""`ledger_operation` against the real `FundLedger` workflow on Temporal's time-skipping test server.

An operation the ledger accepts comes back applied with the figures; one its validator refuses
(over the fund's budget, over the award) comes back `applied=False` with the ledger's sentence —
the calling workflow decides what happens next — and the same request key counts once. Only a
transport problem (here: no such fund) raises, so Temporal retries the activity.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import create_engine
from temporalio import activity
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.grants import GrantActivities
from domain import activity_names as act
from domain.grants.process import LedgerOp, LedgerRequest
from domain.readmodel import ItemProjection
from settings import installed_binary
from store.blobs import BlobStore
from tests.domain.grants.examples import FUND

try:
    from workflows.fund_ledger import FundLedgerInput, FundLedgerWorkflow
except ImportError as e:  # the ledger workflow is written alongside; without it there is nothing to talk to
    pytest.skip(f"workflows.fund_ledger cannot be imported yet: {e}", allow_module_level=True)

D = Decimal


def _test_server() -> str:
    path = installed_binary("temporal-test-server")
    if not path:
        pytest.fail("temporal-test-server is not installed; run the README's test command")
    return path


@activity.defn(name=act.PROJECT_ITEM)
async def project_item(_: ItemProjection) -> None:
    """The ledger projects its figures; the read model is not under test here."""


@pytest_asyncio.fixture
async def acts(tmp_path: Path) -> AsyncIterator[GrantActivities]:
    """Activities whose client reaches a running FundLedger for the 2026 fund."""
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=_test_server(), data_converter=pydantic_data_converter
    ) as env:
        queue = f"q-{uuid.uuid4()}"
        async with Worker(env.client, task_queue=queue, workflows=[FundLedgerWorkflow], activities=[project_item]):
            await env.client.start_workflow(
                FundLedgerWorkflow.run, FundLedgerInput(fund=FUND), id=f"fund-{FUND.id}", task_queue=queue
            )
            yield GrantActivities(create_engine("sqlite://"), BlobStore(tmp_path), client=env.client)


def op(key: str, op: LedgerOp, award: str, amount: str = "0", **kw: object) -> LedgerRequest:
    return LedgerRequest(fund_id=FUND.id, op=op, award_id=award, amount=D(amount), request_key=key, **kw)  # type: ignore[arg-type]


async def test_accepted_refused_and_repeated_operations(acts: GrantActivities) -> None:
    env = ActivityEnvironment()
    commit = op("commit-kr-uz", LedgerOp.COMMIT, "award-kr-uz-youth-ai", "45000")
    reply = await env.run(acts.ledger_operation, commit)
    assert reply.applied and reply.figures is not None
    assert (reply.figures.committed, reply.figures.remaining) == (D("45000"), D("955000"))
    again = await env.run(acts.ledger_operation, commit)  # the activity retried: the update id counts once
    assert again.applied and again.figures is not None and again.figures.committed == D("45000")

    too_much = await env.run(acts.ledger_operation, op("commit-big", LedgerOp.COMMIT, "award-big", "960000"))
    assert not too_much.applied and too_much.figures is None
    assert too_much.message.startswith("Committing 960,000.00 USD to award-big would exceed the fund:")
    assert "955,000.00 remains" in too_much.message

    over_award = await env.run(
        acts.ledger_operation, op("release-x", LedgerOp.RELEASE, "award-kr-uz-youth-ai", "50000", tranche_id="signature")
    )
    assert not over_award.applied and "would exceed award award-kr-uz-youth-ai" in over_award.message

    paid = await env.run(
        acts.ledger_operation, op("release-sig", LedgerOp.RELEASE, "award-kr-uz-youth-ai", "18000", tranche_id="signature")
    )
    assert paid.applied and paid.figures is not None and paid.figures.released == D("18000")


async def test_a_fund_without_a_ledger_is_a_transport_error(acts: GrantActivities) -> None:
    req = LedgerRequest(fund_id="no-such-fund", op=LedgerOp.COMMIT, award_id="a", amount=D(1), request_key="k")
    with pytest.raises(RPCError):
        await ActivityEnvironment().run(acts.ledger_operation, req)


async def test_without_a_client_the_activity_fails_to_be_retried(tmp_path: Path) -> None:
    acts = GrantActivities(create_engine("sqlite://"), BlobStore(tmp_path))
    with pytest.raises(RuntimeError, match="needs a Temporal client"):
        await ActivityEnvironment().run(acts.ledger_operation, op("k", LedgerOp.COMMIT, "a", "1"))
