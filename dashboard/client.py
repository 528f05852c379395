"""The dashboard's only way to change anything: one workflow update per action.

Streamlit runs each script run in its own thread without an event loop, so every action opens a
fresh loop with `asyncio.run`, connects, sends the update and closes. An action is rare enough
that the connection cost does not matter, and nothing async outlives the click.

Tests replace `send_action` (the one function that talks to Temporal); pages call `perform`,
which turns every failure into a sentence for the person who clicked.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from services import actions
from services import agreements as svc
from services.errors import EngineBusy
from settings import connect_temporal
from store import audit
from store.audit import AuditEntry
from store.models import utcnow

log = logging.getLogger("helix.dashboard")

ACTION_TIMEOUT_SECONDS = 30.0

ActionResult = svc.ActionResult


class EngineUnavailable(Exception):
    """Temporal could not be reached or did not answer; `message` is meant for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Outcome:
    """What the page shows after an action: a success message or the reason it did not happen."""

    ok: bool
    message: str
    result: Any = None  # the workflow's answer when accepted (e.g. the festival's `started` releases)


async def _send(workflow_id: str, action: str, parsed: Any, update_id: str) -> Any:
    client = await connect_temporal()
    return await actions.act(client, workflow_id, action, parsed, update_id=update_id)


def send_action(workflow_id: str, action: str, data: dict[str, Any], update_id: str) -> Any:
    """Validate and send one action as a workflow update, waiting for the workflow's answer.

    Raises `svc.InputError` (bad input), `svc.ActionRejected` (the workflow's validator said no,
    with its sentence) or `EngineUnavailable` (no server, or no answer in time). The update id
    makes a repeated click or a retry after a timeout count once.
    """
    from dashboard.common import engine  # a licence names its distributor by id: the directory resolves it

    parsed = actions.parse_action(workflow_id, action, data, engine=engine())
    try:
        return asyncio.run(asyncio.wait_for(_send(workflow_id, action, parsed, update_id), ACTION_TIMEOUT_SECONDS))
    except svc.ActionRejected as e:
        _audit_refusal(engine(), workflow_id, action, data, e.message)
        raise
    except svc.InputError:
        raise
    except EngineBusy as e:
        log.warning("sending %s to %s: %s", action, workflow_id, e.message)
        raise EngineUnavailable(e.message) from None
    except TimeoutError:
        raise EngineUnavailable(
            f"The workflow engine did not answer within {ACTION_TIMEOUT_SECONDS:.0f} seconds, so the action may not "
            "have been recorded yet. Reload the page in a moment; repeating the action is safe."
        ) from None
    except Exception as e:  # any transport failure: the person needs a sentence, the log the details
        if isinstance(e, RuntimeError) and str(e).startswith("Failed client connect"):
            log.warning("Temporal unreachable while sending %s to %s: %s", action, workflow_id, e)
        else:
            log.exception("sending %s to %s failed", action, workflow_id)
        raise EngineUnavailable(
            "The workflow engine cannot be reached right now, so nothing was changed. "
            "Please try again in a few minutes; if it persists, tell an administrator."
        ) from None


def _audit_refusal(engine: Any, workflow_id: str, action: str, data: dict[str, Any], message: str) -> None:
    """A refused action is kept in the audit log: who tried what on which item, and why it was refused."""
    try:
        audit.append(engine, [AuditEntry(at=utcnow(), category="refused", kind=action, item_id=workflow_id,
                                         actor_id=str(data.get("actor_id") or "") or None, detail=message)])  # fmt: skip
    except Exception:  # the person still gets the refusal; the log gets why it was not audited
        log.exception("a refused %s on %s could not be written to the audit log", action, workflow_id)


def perform(workflow_id: str, action: str, data: dict[str, Any], update_id: str) -> Outcome:
    """`send_action`, with every failure turned into the message the person should read."""
    try:
        result = send_action(workflow_id, action, data, update_id)
    except svc.ActionRejected as e:
        return Outcome(False, e.message)
    except svc.InputError as e:
        return Outcome(False, f"Please check your input: {e}")
    except EngineUnavailable as e:
        return Outcome(False, e.message)
    return Outcome(True, result.message or "Done.", result)
