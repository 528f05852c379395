"""Projection and mail shared by every lifecycle's workflow.

Kept outside the workflow classes, like `human_step`, so agreements, credit transfers and student
records call the same activities with the same timeouts, retries and idempotency keys. (Agreements
project through their own activity; the others through the generic `project_item`.)
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, NamedTuple

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain import activity_names as act
    from domain.agreements import Event
    from domain.human_steps import OpenStep
    from domain.notifications import Notification
    from domain.parties import PersonRef
    from domain.readmodel import ItemDocument, ItemProjection, ItemSnapshot, ProjectionReply

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


async def project_answered(item: ItemSnapshot, steps: list[OpenStep], new_events: list[Event]) -> ProjectionReply:
    """`project`, with the store's answer: the lists sent as `appends` it could not join."""
    reply = await workflow.execute_activity(
        act.PROJECT_ITEM, ItemProjection(item=item, steps=steps, new_events=new_events),
        result_type=ProjectionReply | None, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY,
    )  # fmt: skip
    return reply or ProjectionReply()  # an older worker's activity answered nothing


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


PATCH_PROJECT_FIRST = "project-before-mail"
"""After a change a workflow projects first and then mails whoever is newly awaited, all at once:
the read model shows an action as soon as one activity has run, not after one mail activity per
step opened before it (bench/engine.py measured seconds at 100 concurrent lifecycles)."""


PATCH_PROJECT_BEHIND = "entity-answers-before-projecting"
"""The entity workflows (a fund's ledger, a film's rights) answer an operation as soon as it is
applied and project behind it, several operations in one projection. Answering only after the
projection made each operation wait for a free activity slot while the asking activities held
them all: at 100 concurrent awards a ledger commit took 15 s (bench/engine.py)."""


PATCH_SHOW_EARLY = "project-decision-before-slow-work"
"""A decision whose consequences take long (the board's last vote: a ledger commitment, a grant
started, a letter rendered; a screening: the panel assigned by reviewer load) is projected as soon
as it is recorded, and again when the rest is done."""


PATCH_DOCUMENTS_QUEUE = "documents-task-queue"
"""Renders go to a task queue of their own (`act.documents_queue_for` the workflow's queue). On the
workflow's queue a render waiting for a render process held an activity slot for seconds, so at
100 concurrent lifecycles every slot was a render and the projections that people's clicks wait
for queued 4.7 s at the 95th percentile (bench/engine.py); and a queue of their own lets renders
be served by workers on machines of their own."""


def documents_queue() -> str | None:
    """Where this workflow's renders go: the documents queue, or (None) the workflow's own queue
    for executions that scheduled renders before PATCH_DOCUMENTS_QUEUE."""
    if workflow.patched(PATCH_DOCUMENTS_QUEUE):
        return act.documents_queue_for(workflow.info().task_queue)
    return None


async def project_behind(entity: Any) -> None:
    """An entity workflow's `run` after its start (PATCH_PROJECT_BEHIND): project whenever
    operations were answered (`entity.dirty`), several at once, until Temporal suggests renewing
    the history. `entity` has `s` (with `events` and `projected_seq`), `dirty` and `_project()`."""
    if entity.s.events and entity.s.events[-1].seq > entity.s.projected_seq:
        entity.dirty = True  # continued as new with operations still to project
    while True:
        await workflow.wait_condition(lambda: entity.dirty or workflow.info().is_continue_as_new_suggested())
        if not entity.dirty:
            return
        entity.dirty = False
        await entity._project()


class Mail(NamedTuple):
    key: str
    to: list[PersonRef]
    subject: str
    body: str


def newly_awaited(before: dict[str, set[str]], steps: list[OpenStep], title: str) -> list[Mail]:
    """The mails a change owes: each step opened since `before` (step id → awaited person ids) to
    everyone it awaits, and each person newly awaited on a step that stayed open (a delegate)."""
    out: list[Mail] = []
    for st in steps:
        subject = f"Action needed: {st.label} — {title}"
        body = f"{st.label} is awaited from you by {st.due_at:%Y-%m-%d} (UTC)."
        if st.step_id not in before:
            out.append(Mail(f"{step_key(st)}/opened", st.awaited, subject, body))
        else:
            out.extend(Mail(f"{step_key(st)}/assigned/{p.id}", [p], subject, body) for p in st.awaited if p.id not in before[st.step_id])
    return out


async def send_all(mails: list[Mail]) -> None:
    """Every mail at once (each is its own idempotent activity)."""
    await asyncio.gather(*(notify(*m) for m in mails))


PATCH_MAIL_BEHIND = "mail-behind-the-answer"
"""The mails a change owes go out behind the answer: the person who acted is answered once the read
model shows the change, and the workflow's lock is free for the next action, while the mail
activities run. Before, each answer — and each action right after a lifecycle's start, waiting for
the lock — also waited for the mails' round trips: seconds at 100 concurrent lifecycles
(bench/engine.py: an agreement's close of review 7.6 s, a screening 4.4 s at p95)."""


class MailBehind:
    """The mails a workflow is still sending behind its answers. The workflow waits for `sent()`
    before it completes or continues as new, so no mail is left behind."""

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[None]] = []

    async def send(self, mails: list[Mail]) -> None:
        """Send `mails`: in the background for executions past PATCH_MAIL_BEHIND, else waited for."""
        if not workflow.patched(PATCH_MAIL_BEHIND):
            await send_all(mails)
            return
        self.tasks = [t for t in self.tasks if not t.done()]
        if mails:
            task = asyncio.create_task(send_all(mails))
            task.add_done_callback(_log_failure)
            self.tasks.append(task)

    def sent(self) -> bool:
        return all(t.done() for t in self.tasks)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:  # notify retries until it succeeds: only a refused mail
        workflow.logger.error("a mail could not be sent: %s", task.exception())


def step_key(step: OpenStep) -> str:
    """A step as mail keys name it: a step reopened later (same id) is a new step for its mail."""
    return f"{step.step_id}#{step.opened_seq}"
