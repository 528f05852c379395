"""Projection and mail shared by every lifecycle's workflow.

Kept outside the workflow classes, like `human_step`, so agreements, credit transfers and student
records call the same activities with the same timeouts, retries and idempotency keys. (Agreements
project through their own activity; the others through the generic `project_item`.)
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain import activity_names as act
    from domain.agreements import Event
    from domain.human_steps import OpenStep
    from domain.notifications import Notification
    from domain.parties import PersonRef
    from domain.readmodel import ItemDocument, ItemProjection, ItemSnapshot

ACTIVITY_TIMEOUT = timedelta(seconds=30)
NOTIFY_TIMEOUT = timedelta(minutes=2)  # above the SMTP client's own timeouts
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))


def new_event(seq: int, kind: str, actor: PersonRef | None, detail: str) -> Event:
    return Event(seq=seq, at=workflow.now(), kind=kind, actor_id=actor.id if actor else None,
                 actor_name=actor.name if actor else None, detail=detail[:2000])  # fmt: skip


async def project(
    item: ItemSnapshot, steps: list[OpenStep], new_events: list[Event], documents: list[ItemDocument] | None = None
) -> None:
    await workflow.execute_activity(
        act.PROJECT_ITEM, ItemProjection(item=item, steps=steps, new_events=new_events, documents=documents or []),
        start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY,
    )  # fmt: skip


async def notify(key: str, to: list[PersonRef], subject: str, body: str) -> None:
    """Mail once per key; the key is scoped to this workflow so a retried activity sends nothing twice."""
    recipients = list({p.id: p for p in to}.values())
    if not recipients:
        return
    wid = workflow.info().workflow_id
    await workflow.execute_activity(
        act.NOTIFY,
        Notification(key=f"{wid}/{key}"[:300], item_id=wid, to=recipients, subject=subject[:300], body=body),
        start_to_close_timeout=NOTIFY_TIMEOUT, retry_policy=RETRY,
    )  # fmt: skip


def step_key(step: OpenStep) -> str:
    """A step as mail keys name it: a step reopened later (same id) is a new step for its mail."""
    return f"{step.step_id}#{step.opened_seq}"
