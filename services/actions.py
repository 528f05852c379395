"""One entry point for every human action, whatever the lifecycle: the workflow id says which.

The dashboard and the CLI send `(workflow id, action name, fields)`; this module picks the
lifecycle's table of actions, validates the fields into its action model and sends the update.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine
from temporalio.client import Client

from services import agreements, grants, programs, releases


def _is_agreement(wid: str) -> bool:
    return wid.startswith("agreement-")


def parse_action(wid: str, name: str, data: dict[str, Any], engine: Engine | None = None) -> BaseModel:
    """The fields as the action's model, or `InputError` naming what is wrong.

    `engine` (the directory) lets a release action name a party by organisation id
    (`licensee_id` of `propose_licence`); the other lifecycles do not need it.
    """
    if _is_agreement(wid):
        return agreements.parse_action(name, data)
    if grants.handles(wid):
        return grants.parse_action(wid, name, data)
    if releases.handles(wid):
        return releases.parse_action(wid, name, data, engine=engine)
    return programs.parse_action(wid, name, data)


async def act(client: Client, wid: str, name: str, action: BaseModel, update_id: str | None = None) -> Any:
    """Send the update; the result has a `message`. Raises `ActionRejected` with the validator's sentence."""
    if _is_agreement(wid):
        return await agreements.act(client, wid, name, action, update_id=update_id)
    if grants.handles(wid):
        return await grants.act(client, wid, name, action, update_id=update_id)
    if releases.handles(wid):
        return await releases.act(client, wid, name, action, update_id=update_id)
    return await programs.act(client, wid, name, action, update_id=update_id)
