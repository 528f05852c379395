"""Builders for the joint-program workflow tests: the KNUA–VGIK example program with its people."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.credit_transfer import CreditTransferRequest
from domain.programs import JointProgram
from tests.domain.program_examples import CATALOGS, KNUA_TABLE, program, student
from tests.domain.transfer_examples import ROSTER, ministry_program, request, taken
from workflows.credit_transfer import CreditTransferInput, CreditTransferWorkflow


def transfer_input(prog: JointProgram | None = None, req: CreditTransferRequest | None = None) -> CreditTransferInput:
    return CreditTransferInput(program=prog or program(), catalogs=CATALOGS, equivalencies=KNUA_TABLE, record=student(),
                               request=req or request(), roster=ROSTER)  # fmt: skip


async def start_transfer(env: WorkflowEnvironment, queue: str, inp: CreditTransferInput | None = None) -> WorkflowHandle:
    inp = inp or transfer_input()
    return await env.client.start_workflow(
        CreditTransferWorkflow.run, inp, id=f"credit-transfer-{uuid.uuid4().hex[:8]}", task_queue=queue
    )


async def until(h: WorkflowHandle, query: Any, ok: Callable[[Any], bool], what: str = "condition") -> Any:
    """Query `h` until `ok(state)`: the first workflow task may still be running when a test asks."""
    st = None
    for _ in range(200):
        try:
            st = await h.query(query)
        except Exception:  # noqa: BLE001 - not started yet
            st = None
        if st is not None and ok(st):
            return st
        await asyncio.sleep(0.05)
    raise AssertionError(f"never reached {what}; state: {st}")


async def rejected(coro: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await coro
    return e.value.cause.message


__all__ = ["ROSTER", "ministry_program", "request", "taken"]
