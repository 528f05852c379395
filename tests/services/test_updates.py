"""What a person reads when the server cannot answer an action: a sentence for each case, never a trace."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from services.errors import ActionRejected, EngineBusy
from services.updates import send_update


class Nothing(BaseModel):
    pass


class FakeClient:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    def get_workflow_handle(self, wid: str) -> Any:
        error = self.error

        class Handle:
            async def execute_update(self, *args: Any, **kwargs: Any) -> Any:
                raise error

        return Handle()


async def send(error: BaseException) -> Any:
    return await send_update(FakeClient(error), "agreement-1", "approve", Nothing(), "u-1", what="agreement")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "expected", "says"),
    [
        (WorkflowUpdateRPCTimeoutOrCancelledError(), EngineBusy, "may not have been recorded yet"),
        (RPCError("Workflow Task in failed state.", RPCStatusCode.FAILED_PRECONDITION, b""), EngineBusy, "nothing was changed"),
        (RPCError("context deadline exceeded", RPCStatusCode.DEADLINE_EXCEEDED, b""), EngineBusy, "repeating the action is safe"),
        (RPCError("namespace rate limit exceeded", RPCStatusCode.RESOURCE_EXHAUSTED, b""), EngineBusy, "busy"),
        (RPCError("workflow execution already completed", RPCStatusCode.NOT_FOUND, b""), ActionRejected, "no longer running"),
    ],
)
async def test_a_server_that_cannot_answer_is_a_sentence(error: BaseException, expected: type[Exception], says: str) -> None:
    with pytest.raises(expected) as caught:
        await send(error)
    message = caught.value.message  # type: ignore[attr-defined]
    assert says in message and "agreement" in message.lower() and "\n" not in message


async def test_other_transport_failures_are_left_to_the_caller() -> None:
    with pytest.raises(RPCError):
        await send(RPCError("permission denied", RPCStatusCode.PERMISSION_DENIED, b""))
