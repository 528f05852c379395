"""Sending one human action to a running workflow as an update, for every lifecycle.

The update id makes a repeated click or a retry count once. A validator's refusal comes back as
`ActionRejected` with its sentence; a workflow that has finished is a sentence too, never a trace;
a server too busy to answer in time, or a workflow held up by failing code, is `EngineBusy`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from services.errors import ActionRejected, EngineBusy, InputError, problems

BUSY = ("The {what} could not answer in time (the system is busy), so the action may not have been "
        "recorded yet. Reload in a moment to see; repeating the action is safe, it counts once.")  # fmt: skip
NOT_ANSWERING = ("The {what} cannot take actions right now (it is held up and the administrators are told), "
                 "so nothing was changed. Please try again later.")  # fmt: skip


async def send_update(client: Client, wid: str, update: Any, action: BaseModel, update_id: str | None, *, what: str) -> Any:
    handle = client.get_workflow_handle(wid)
    try:
        return await handle.execute_update(update, action, id=update_id)
    except WorkflowUpdateFailedError as e:
        cause = e.cause
        raise ActionRejected(getattr(cause, "message", None) or str(cause)) from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise EngineBusy(BUSY.format(what=what)) from None
    except RPCError as e:
        text = str(e).lower()
        if "not found" in text or "already completed" in text:
            raise ActionRejected(f"This {what} is no longer running; nothing was changed.") from None
        if "workflow task in failed state" in text:  # its code fails on this history: nothing is accepted
            raise EngineBusy(NOT_ANSWERING.format(what=what)) from None
        if e.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.RESOURCE_EXHAUSTED, RPCStatusCode.CANCELLED):
            raise EngineBusy(BUSY.format(what=what)) from None
        raise


ActionTable = dict[str, tuple[Any, type[BaseModel]]]
"""An action name → (the workflow's update method, the action's model)."""


class Lifecycle:
    """The actions people send to one kind of workflow, found by the workflow id's prefix."""

    def __init__(self, *kinds: tuple[str, ActionTable, str]) -> None:
        self.kinds = kinds  # (id prefix, actions, what a person calls it)

    def handles(self, wid: str) -> bool:
        return any(wid.startswith(prefix) for prefix, _, _ in self.kinds)

    def table(self, wid: str) -> tuple[ActionTable, str]:
        for prefix, table, what in self.kinds:
            if wid.startswith(prefix):
                return table, what
        names = [f"a {what}" for _, _, what in self.kinds]
        if len(names) == 2:
            raise InputError(f"'{wid}' is neither {names[0]} nor {names[1]}")
        raise InputError(f"'{wid}' is not " + " or ".join(names))

    def parse(self, wid: str, name: str, data: dict[str, Any]) -> BaseModel:
        table, what = self.table(wid)
        if name not in table:
            raise InputError(f"action: '{name}' is not an action on a {what}; choose from {', '.join(table)}")
        try:
            return table[name][1].model_validate(data)
        except ValidationError as e:
            raise InputError(problems(e)) from None

    async def act(self, client: Client, wid: str, name: str, action: BaseModel, update_id: str | None = None) -> Any:
        table, what = self.table(wid)
        return await send_update(client, wid, table[name][0], action, update_id, what=what)
