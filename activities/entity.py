"""Sending a request to an entity workflow (a fund's ledger, a film's rights) from an activity.

Workflows cannot send updates to each other, so an activity does it, with the request's key as
the update id: a retried activity counts once. The entity's own refusal (an `ApplicationError`
of type Rejected) comes back as a reply the calling workflow decides on; anything else raises, so
Temporal retries instead of acting on a failure that is not a decision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

R = TypeVar("R", bound=BaseModel)


async def apply_to_entity(
    client: Client | None, workflow_id: str, request: BaseModel, key: str, reply_type: type[R], refused: Callable[[str], R]
) -> R:
    if client is None:  # a worker set up without a client: retrying on a fixed worker helps
        raise RuntimeError(f"reaching {workflow_id} needs a Temporal client")
    try:
        return await client.get_workflow_handle(workflow_id).execute_update("apply", request, id=key, result_type=reply_type)
    except WorkflowUpdateFailedError as e:
        cause = e.cause
        if not (isinstance(cause, ApplicationError) and cause.type == "Rejected"):
            raise  # not the entity's refusal (a bug, an update cut off): retry rather than act on it
        return refused(cause.message)
