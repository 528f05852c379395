"""Sending one human action to a running workflow as an update, for every lifecycle.

The update id makes a repeated click or a retry count once. A validator's refusal comes back as
`ActionRejected` with its sentence; a workflow that has finished is a sentence too, never a trace.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from services.errors import ActionRejected


async def send_update(client: Client, wid: str, update: Any, action: BaseModel, update_id: str | None, *, what: str) -> Any:
    handle = client.get_workflow_handle(wid)
    try:
        return await handle.execute_update(update, action, id=update_id)
    except WorkflowUpdateFailedError as e:
        cause = e.cause
        raise ActionRejected(getattr(cause, "message", None) or str(cause)) from None
    except RPCError as e:
        if "not found" in str(e).lower() or "already completed" in str(e).lower():
            raise ActionRejected(f"This {what} is no longer running; nothing was changed.") from None
        raise
