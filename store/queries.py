"""The reads pages make: item lists with filters, detail, timeline, documents, inbox, counts, mail.

Every function returns plain public models (`store.models.…Public`), never rows bound to a
session, so pages can cache them and nothing lazy-loads behind a page's back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, exists, func, select

from store.db import reading
from store.models import (
    DocumentPublic,
    DocumentRow,
    EventPublic,
    EventRow,
    ItemDetail,
    ItemPartyRow,
    ItemPublic,
    ItemRow,
    OutboxPublic,
    OutboxRow,
    StepAwaitRow,
    StepPublic,
    StepRow,
    utcnow,
)

ITEM = ItemRow.__table__
PARTY = ItemPartyRow.__table__
STEP = StepRow.__table__
AWAIT = StepAwaitRow.__table__
EVENT = EventRow.__table__
DOCUMENT = DocumentRow.__table__
OUTBOX = OutboxRow.__table__

_LIST_COLUMNS = [ITEM.c[name] for name in ItemPublic.model_fields]
_SECONDS_PER_DAY = 86_400


def _like_pattern(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_items(
    engine: Engine,
    item_type: str | None = None,
    phase: str | list[str] | None = None,
    kind: str | None = None,
    country: str | None = None,
    organisation_id: str | None = None,
    text: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[ItemPublic]:
    """Items newest-changed first. `country`/`organisation_id` match any party of the item;
    `text` matches id, title, kind and party names, ignoring case in every script."""
    query = select(*_LIST_COLUMNS)
    if item_type:
        query = query.where(ITEM.c.item_type == item_type)
    if phase:
        phases = [phase] if isinstance(phase, str) else list(phase)
        query = query.where(ITEM.c.phase.in_(phases))
    if kind:
        query = query.where(ITEM.c.kind == kind)
    if country or organisation_id:
        party = select(PARTY.c.item_id).where(PARTY.c.item_id == ITEM.c.item_id)
        if country:
            party = party.where(PARTY.c.country == country.upper())
        if organisation_id:
            party = party.where(PARTY.c.organisation_id == organisation_id)
        query = query.where(exists(party))
    if text and text.strip():
        query = query.where(ITEM.c.search_text.like(_like_pattern(text.strip()), escape="\\"))
    query = query.order_by(ITEM.c.updated_at.desc(), ITEM.c.item_id).limit(limit).offset(offset)
    with reading(engine) as conn:
        return [ItemPublic.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def get_item(engine: Engine, item_id: str) -> ItemDetail | None:
    query = select(*_LIST_COLUMNS, ITEM.c.detail).where(ITEM.c.item_id == item_id)
    with reading(engine) as conn:
        row = conn.execute(query).mappings().first()
    return ItemDetail.model_validate(dict(row)) if row else None


def events_for(engine: Engine, item_id: str) -> list[EventPublic]:
    """The item's timeline in the order the workflow recorded it."""
    query = select(EVENT).where(EVENT.c.item_id == item_id).order_by(EVENT.c.seq)
    with reading(engine) as conn:
        return [EventPublic.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def documents_for(engine: Engine, item_id: str) -> list[DocumentPublic]:
    query = (
        select(DOCUMENT)
        .where(DOCUMENT.c.item_id == item_id)
        .order_by(DOCUMENT.c.created_at, DOCUMENT.c.version, DOCUMENT.c.sha256)
    )
    with reading(engine) as conn:
        return [DocumentPublic.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def open_steps(
    engine: Engine,
    person_id: str | None = None,
    item_id: str | None = None,
    country: str | None = None,
    organisation_id: str | None = None,
    now: datetime | None = None,
    limit: int = 500,
) -> list[StepPublic]:
    """The inbox: open steps (awaiting `person_id` when given), oldest first, with overdue info."""
    now = now or utcnow()
    query = (
        select(STEP, ITEM.c.title.label("item_title"))
        .join(ITEM, ITEM.c.item_id == STEP.c.item_id)
        .where(STEP.c.closed_at.is_(None))
    )
    if person_id:
        awaits = select(AWAIT.c.step_id).where(
            AWAIT.c.item_id == STEP.c.item_id,
            AWAIT.c.step_id == STEP.c.step_id,
            AWAIT.c.person_id == person_id,
        )
        query = query.where(exists(awaits))
    if item_id:
        query = query.where(STEP.c.item_id == item_id)
    if country:
        query = query.where(STEP.c.country == country.upper())
    if organisation_id:
        query = query.where(STEP.c.organisation_id == organisation_id)
    query = query.order_by(STEP.c.opened_at, STEP.c.item_id, STEP.c.step_id).limit(limit)
    with reading(engine) as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    return [_with_due(row, now) for row in rows]


def _with_due(row: dict[str, Any], now: datetime) -> StepPublic:
    seconds = (row["due_at"] - now).total_seconds()
    return StepPublic.model_validate(
        {**row, "overdue": seconds < 0, "due_in_days": round(seconds / _SECONDS_PER_DAY, 2)}
    )


def counts_by_phase(engine: Engine, item_type: str) -> dict[str, int]:
    query = (
        select(ITEM.c.phase, func.count())
        .where(ITEM.c.item_type == item_type)
        .group_by(ITEM.c.phase)
        .order_by(ITEM.c.phase)
    )
    with reading(engine) as conn:
        return {phase: count for phase, count in conn.execute(query)}


def outbox(engine: Engine, limit: int = 100, status: str | None = None, item_id: str | None = None) -> list[OutboxPublic]:
    """Mail newest first: the embedded default's mailbox, and where a person checks stuck sends."""
    query = select(OUTBOX)
    if status:
        query = query.where(OUTBOX.c.status == status)
    if item_id:
        query = query.where(OUTBOX.c.item_id == item_id)
    query = query.order_by(OUTBOX.c.created_at.desc(), OUTBOX.c.key).limit(limit)
    with reading(engine) as conn:
        return [OutboxPublic.model_validate(dict(r)) for r in conn.execute(query).mappings()]
