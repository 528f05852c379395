"""Sending one human action to a running workflow as an update, for every lifecycle.

The update id makes a repeated click or a retry count once. A validator's refusal comes back as
`ActionRejected` with its sentence; a workflow that has finished is a sentence too, never a trace.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from services.errors import ActionRejected, InputError, problems


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
