"""Read-model and notification activities: thin, idempotent, off the event loop.

`project_agreement` and `project_item` are upserts ordered by the workflow's event sequence, so a retry or a late
duplicate never regresses the read model. `notify` writes the outbox row under the message's
idempotency key and delivers it at most once.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.engine import Engine
from temporalio import activity

from domain import activity_names as act
from domain.agreements import AgreementProjection
from domain.notifications import Notification
from domain.readmodel import ItemProjection, ProjectionReply
from store import outbox, projections
from store.models import utcnow

log = logging.getLogger("helix.activities")


class RecordActivities:
    def __init__(self, engine: Engine, smtp: outbox.SmtpConfig | None = None) -> None:
        self.engine = engine
        self.smtp = smtp

    @activity.defn(name=act.PROJECT_AGREEMENT)
    async def project_agreement(self, p: AgreementProjection) -> None:
        await asyncio.to_thread(projections.project_agreement, self.engine, p)

    @activity.defn(name=act.PROJECT_ITEM)
    async def project_item(self, p: ItemProjection) -> ProjectionReply:
        incomplete: list[list[str]] = []
        await asyncio.to_thread(projections.project_item, self.engine, p.item, p.steps, p.new_events, p.documents, incomplete)
        return ProjectionReply(incomplete=incomplete)

    @activity.defn(name=act.NOTIFY)
    async def notify(self, n: Notification) -> None:
        """Write the message to the outbox and try to send it once. A mail server that is down
        must not hold up the agreement: the message stays pending for `OutboxRelay`."""

        def send() -> None:
            recorded_at = None if self.smtp else utcnow()  # no mail server: the outbox is the mailbox
            to = [f"{p.name} <{p.email}>" for p in n.to]
            if outbox.enqueue(self.engine, n.key, n.item_id, to, n.subject, n.body, recorded_at=recorded_at) and recorded_at:
                return  # recorded in one write; a message queued before (a retry) is settled below
            try:
                outbox.deliver(self.engine, n.key, self.smtp)
            except outbox.TransientMailError as e:
                log.warning("mail %s left pending: %s", n.key, e)

        await asyncio.to_thread(send)


class OutboxRelay:
    """Retries pending mail in the background of a worker process (the outbox pattern's relay).

    Claims are atomic per message, so any number of workers may run a relay; a message is never
    sent twice. Not a deadline or a business timer — those are durable timers in workflows."""

    def __init__(self, engine: Engine, smtp: outbox.SmtpConfig | None, every_seconds: float = 60) -> None:
        self.engine, self.smtp, self.every = engine, smtp, every_seconds

    def run_once(self) -> int:
        sent = 0
        for key in outbox.pending_keys(self.engine):
            try:
                outbox.deliver(self.engine, key, self.smtp)
                sent += 1
            except outbox.TransientMailError as e:
                log.info("mail %s still pending: %s", key, e)
                break  # the server is still unwell; try again next round
        return sent

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.to_thread(self.run_once)
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.every)
            except TimeoutError:
                pass
