"""Read-model and notification activities: thin, idempotent, off the event loop.

`project_agreement` is an upsert ordered by the workflow's event sequence, so a retry or a late
duplicate never regresses the read model. `notify` writes the outbox row under the message's
idempotency key and delivers it at most once.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine
from temporalio import activity

from domain import activity_names as act
from domain.agreements import AgreementProjection
from domain.notifications import Notification
from store import outbox, projections


class RecordActivities:
    def __init__(self, engine: Engine, smtp: outbox.SmtpConfig | None = None) -> None:
        self.engine = engine
        self.smtp = smtp

    @activity.defn(name=act.PROJECT_AGREEMENT)
    async def project_agreement(self, p: AgreementProjection) -> None:
        await asyncio.to_thread(projections.project_agreement, self.engine, p)

    @activity.defn(name=act.NOTIFY)
    async def notify(self, n: Notification) -> None:
        def send() -> None:
            outbox.enqueue(self.engine, n.key, n.item_id, [f"{p.name} <{p.email}>" for p in n.to], n.subject, n.body)
            outbox.deliver(self.engine, n.key, self.smtp)

        await asyncio.to_thread(send)
