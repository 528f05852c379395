"""Projection upserts: how a lifecycle's snapshot becomes rows, idempotently and in any order.

Record activities may run twice (retries) or late (a slow attempt finishing after a newer one),
and the whole read model may be rebuilt from workflows. So every write here is an upsert keyed by
what the workflow decided (item id, event seq, step id, document hash), and the item's picture
only moves forward: a snapshot is kept only if its `projected_seq` is at least the stored one.
Each projection is one transaction; on PostgreSQL the item upsert takes the item's row lock, so
two projections of the same item serialise while projections of different items run in parallel.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from domain.agreements import TERMINAL_PHASES, AgreementProjection, Event
from domain.board import milestone_kinds
from domain.human_steps import OpenStep
from domain.readmodel import ItemDocument, ItemParty, ItemSnapshot
from store import audit
from store.audit import AuditEntry
from store.db import dialect_insert, transaction
from store.models import (
    DocumentRow,
    EventRow,
    ItemPartyRow,
    ItemRow,
    MilestoneRow,
    StepAwaitRow,
    StepRow,
    utcnow,
)

log = logging.getLogger(__name__)

ITEM = ItemRow.__table__
PARTY = ItemPartyRow.__table__
STEP = StepRow.__table__
AWAIT = StepAwaitRow.__table__
EVENT = EventRow.__table__
MILESTONE = MilestoneRow.__table__
DOCUMENT = DocumentRow.__table__


def project_item(
    engine: Engine,
    item: ItemSnapshot,
    steps: Sequence[OpenStep] = (),
    events: Sequence[Event] = (),
    documents: Sequence[ItemDocument] = (),
    incomplete: list[list[str]] | None = None,
) -> bool:
    """Write one item's snapshot; True if it is now the current picture, False if a newer one was.

    Events and documents are added whatever the snapshot's age (they never change once written);
    the item row, its parties and its open steps follow only the newest snapshot. A snapshot whose
    `appends` follow items the store lacks is not applied at all, events included (the item may be
    gone); the lists' paths are added to `incomplete`, for the workflow to send them whole.
    """
    with transaction(engine) as conn:
        return project_item_in(conn, item, steps, events, documents, incomplete)


def project_item_in(
    conn: Connection,
    item: ItemSnapshot,
    steps: Sequence[OpenStep],
    events: Sequence[Event],
    documents: Sequence[ItemDocument],
    incomplete: list[list[str]] | None = None,
) -> bool:
    """`project_item` inside a transaction the caller holds (to project several items at once)."""
    short: list[list[str]] = []
    updated_at = _upsert_item(conn, item, events, short)
    if short:  # refused for items it lacks: the workflow sends the lists whole, and its events again
        if incomplete is not None:
            incomplete.extend(short)
        return False
    if updated_at is not None:
        _replace_parties(conn, item.item_id, item.parties)
        _replace_open_steps(conn, item, steps, closed_at=updated_at)
    _insert_events(conn, item.item_id, events, item.item_type)
    _upsert_documents(conn, item.item_id, documents)
    return updated_at is not None


def _search_text(item: ItemSnapshot) -> str:
    words = [item.item_id, item.title, item.kind, *(p.name for p in item.parties), *item.organisation_ids]
    return " ".join(w for w in words if w).casefold()


def _merged_detail(conn: Connection, item: ItemSnapshot, incomplete: list[list[str]]) -> dict[str, Any] | None:
    """The snapshot's `detail` with its `appends` joined to the stored lists; None when the stored
    row is newer (a late projection) or lacks items the appends follow (its copy was lost: the
    older picture stays, and the lists go into `incomplete` to be sent whole)."""
    row = conn.execute(
        select(ITEM.c.detail, ITEM.c.projected_seq).where(ITEM.c.item_id == item.item_id).with_for_update()
    ).one_or_none()
    if row is not None and row.projected_seq > item.projected_seq:
        return None
    stored_detail: dict[str, Any] = row.detail if row is not None and isinstance(row.detail, dict) else {}
    detail = copy.deepcopy(item.detail)
    short = []
    for a in item.appends:
        stored: Any = stored_detail
        for key in a.path:
            stored = stored.get(key) if isinstance(stored, dict) else None
        kept = stored[: a.start] if isinstance(stored, list) else []
        if len(kept) < a.start:
            short.append(a.path)
            continue
        target = detail
        for key in a.path[:-1]:
            target = target.setdefault(key, {})
        target[a.path[-1]] = [*kept, *a.items]
    if short:
        log.warning("%s: the stored %s lack items the projection follows; kept the older picture, asked for them whole",
                    item.item_id, ", ".join(".".join(p) for p in short))  # fmt: skip
        incomplete.extend(short)
        return None
    return detail


def _upsert_item(conn: Connection, item: ItemSnapshot, events: Sequence[Event], incomplete: list[list[str]]) -> datetime | None:
    """Insert or advance the item row; its `updated_at` when the snapshot is current, else None.

    Times come from the snapshot's events, never the wall clock, so a replay writes the same row.
    A snapshot without any (a step changed, nothing recorded) keeps the stored `updated_at` and
    `closed_at`, and steps it closes are closed at that `updated_at`.
    """
    detail = item.detail
    if item.appends:
        merged = _merged_detail(conn, item, incomplete)
        if merged is None:
            return None
        detail = merged
    times = [e.at for e in events] + ([item.updated_at] if item.updated_at else [])
    latest = max(times, default=None)
    first = item.created_at or min(times, default=None) or utcnow()
    values: dict[str, Any] = {
        "item_id": item.item_id,
        "item_type": item.item_type,
        "kind": item.kind,
        "title": item.title,
        "phase": item.phase,
        "countries": item.countries,
        "organisation_ids": item.organisation_ids,
        "summary": item.summary,
        "detail": detail,
        "search_text": _search_text(item),
        "projected_seq": item.projected_seq,
        "created_at": first,
        "updated_at": latest or first,
        "closed_at": item.closed_at,
    }
    stmt = dialect_insert(conn, ITEM).values(values)
    changed: dict[str, Any] = {k: stmt.excluded[k] for k in values if k not in ("item_id", "created_at")}
    if latest is None:
        changed["updated_at"] = ITEM.c.updated_at
        changed["closed_at"] = ITEM.c.closed_at
    stmt = stmt.on_conflict_do_update(
        index_elements=[ITEM.c.item_id],
        set_=changed,
        where=ITEM.c.projected_seq <= stmt.excluded.projected_seq,
    ).returning(ITEM.c.updated_at)
    return conn.execute(stmt).scalar_one_or_none()


def _replace_parties(conn: Connection, item_id: str, parties: Sequence[ItemParty]) -> None:
    conn.execute(delete(PARTY).where(PARTY.c.item_id == item_id))
    rows = {
        (p.organisation_id, p.role): {
            "item_id": item_id,
            "organisation_id": p.organisation_id,
            "role": p.role,
            "country": p.country,
        }
        for p in parties
    }
    if rows:
        conn.execute(PARTY.insert(), list(rows.values()))


def _replace_open_steps(conn: Connection, item: ItemSnapshot, steps: Sequence[OpenStep], closed_at: datetime) -> None:
    """The snapshot's open steps replace the stored ones; steps that left are closed, not deleted.

    Closed steps keep their opening and closing times for the time-to-decision statistics; a step
    id that comes back (a reopened round) simply opens again.
    """
    by_id = {s.step_id: s for s in steps}
    open_ids = set(
        conn.execute(
            select(STEP.c.step_id).where(STEP.c.item_id == item.item_id, STEP.c.closed_at.is_(None))
        ).scalars()
    )
    gone = sorted(open_ids - set(by_id))
    if gone:
        conn.execute(
            update(STEP)
            .where(STEP.c.item_id == item.item_id, STEP.c.step_id.in_(gone), STEP.c.closed_at.is_(None))
            .values(closed_at=closed_at)
        )
    if not by_id:
        return
    rows = [_step_values(item, s) for s in by_id.values()]
    stmt = dialect_insert(conn, STEP)
    stmt = stmt.on_conflict_do_update(
        index_elements=[STEP.c.item_id, STEP.c.step_id],
        set_={k: stmt.excluded[k] for k in rows[0] if k not in ("item_id", "step_id")},
    )
    conn.execute(stmt, rows)
    conn.execute(delete(AWAIT).where(AWAIT.c.item_id == item.item_id, AWAIT.c.step_id.in_(sorted(by_id))))
    awaits = [
        {"item_id": item.item_id, "step_id": s.step_id, "person_id": pid}
        for s in by_id.values()
        for pid in dict.fromkeys(p.id for p in s.awaited)
    ]
    if awaits:
        conn.execute(AWAIT.insert(), awaits)


def _step_values(item: ItemSnapshot, s: OpenStep) -> dict[str, Any]:
    return {
        "item_id": item.item_id,
        "step_id": s.step_id,
        "item_type": item.item_type,
        "kind": str(s.kind),
        "label": s.label,
        "organisation_id": s.organisation_id,
        "country": s.country,
        "awaited_ids": [p.id for p in s.awaited],
        "awaited_names": [p.name for p in s.awaited],
        "opened_at": s.opened_at,
        "due_at": s.due_at,
        "reminders_sent": s.reminders_sent,
        "escalation": s.escalation,
        "version_hash": s.version_hash,
        "closed_at": None,
    }


def _insert_events(conn: Connection, item_id: str, events: Sequence[Event], item_type: str) -> None:
    """Insert the events not yet stored; reading first keeps long histories cheap to re-send."""
    if not events:
        return
    wanted = {e.seq: e for e in events}
    have = set(
        conn.execute(
            select(EVENT.c.seq).where(
                EVENT.c.item_id == item_id, EVENT.c.seq.between(min(wanted), max(wanted))
            )
        ).scalars()
    )
    rows = [
        {"item_id": item_id, **e.model_dump(include=set(EventRow.model_fields) - {"item_id"})}
        for seq, e in sorted(wanted.items())
        if seq not in have
    ]
    if rows:
        stmt = dialect_insert(conn, EVENT).on_conflict_do_nothing(index_elements=[EVENT.c.item_id, EVENT.c.seq])
        conn.execute(stmt, rows)
        _insert_milestones(conn, item_id, item_type, rows)
        audit.append_in(conn, [AuditEntry(at=r["at"], category="event", kind=r["kind"], item_id=item_id, item_seq=r["seq"],
                                          actor_id=r.get("actor_id"), detail=r.get("detail") or "") for r in rows])  # fmt: skip


def _insert_milestones(conn: Connection, item_id: str, item_type: str, events: Sequence[dict[str, Any]]) -> None:
    """The first time the item reached each milestone the board counts (a repeat keeps the first)."""
    kinds = milestone_kinds()
    first: dict[str, datetime] = {}
    for e in events:
        if e["kind"] in kinds and e["kind"] not in first:
            first[e["kind"]] = e["at"]
    if not first:
        return
    stmt = dialect_insert(conn, MILESTONE).on_conflict_do_nothing(index_elements=[MILESTONE.c.item_id, MILESTONE.c.kind])
    conn.execute(stmt, [{"item_id": item_id, "kind": k, "item_type": item_type, "at": at} for k, at in first.items()])


def _upsert_documents(conn: Connection, item_id: str, documents: Sequence[ItemDocument]) -> None:
    rows = {d.sha256: {"item_id": item_id, **d.model_dump()} for d in documents}
    if not rows:
        return
    stmt = dialect_insert(conn, DOCUMENT)
    stmt = stmt.on_conflict_do_update(
        index_elements=[DOCUMENT.c.item_id, DOCUMENT.c.sha256],
        set_={
            "kind": stmt.excluded.kind,
            "label": stmt.excluded.label,
            "version": func.coalesce(stmt.excluded.version, DOCUMENT.c.version),
            "pages": func.coalesce(func.nullif(stmt.excluded.pages, 0), DOCUMENT.c.pages),
            "size": func.coalesce(stmt.excluded.size, DOCUMENT.c.size),
        },
    )
    conn.execute(stmt, list(rows.values()))


# ---------------------------------------------------------------- agreements


def agreement_snapshot(
    proj: AgreementProjection,
) -> tuple[ItemSnapshot, list[OpenStep], list[Event], list[ItemDocument]]:
    """An agreement's projection in the generic item shape (pure; tested without a database)."""
    state = proj.state
    spec = state.spec
    events = list({e.seq: e for e in [*state.events, *proj.new_events]}.values())
    latest = max((e.at for e in events), default=None)
    cur = state.current
    current_signers = {
        s.organisation_id for s in state.signatures if cur and s.version_hash == cur.text_sha256 and s.term == state.term_number
    }
    summary: dict[str, Any] = {
        "version": cur.number if cur else None,
        "version_hash": cur.text_sha256 if cur else None,
        "version_pdf_sha256": cur.pdf_sha256 if cur else None,
        "party_names": [p.name() for p in spec.parties],
        "parties_total": len(spec.parties),
        "parties_signed": len(current_signers),
        "initiator": spec.initiator.name,
        "languages": spec.languages,
        "review_round": state.review_round,
        "term_number": state.term_number,
        "executed_at": state.executed_at.isoformat() if state.executed_at else None,
        "effective_date": state.effective_date.isoformat() if state.effective_date else None,
        "expiry_date": state.expiry_date.isoformat() if state.expiry_date else None,
        "ends_on": state.ends_on.isoformat() if state.ends_on else None,
        "executed_pdf_sha256": state.executed_pdf_sha256,
        "outcome_reason": state.outcome_reason,
    }
    item = ItemSnapshot(
        item_id=proj.workflow_id,
        item_type="agreement",
        kind=str(spec.kind),
        title=spec.title,
        phase=str(state.phase),
        parties=[
            ItemParty(organisation_id=p.organisation_id, country=p.country, name=p.name()) for p in spec.parties
        ],
        summary=summary,
        detail=state.model_dump(mode="json", exclude={"events"}),
        projected_seq=state.projected_seq,
        created_at=min((e.at for e in events), default=None),
        updated_at=latest,
        closed_at=latest if state.phase in TERMINAL_PHASES else None,
    )
    documents = [
        ItemDocument(
            sha256=v.pdf_sha256,
            kind="version",
            label=f"Version {v.number}",
            version=v.number,
            pages=v.pages,
            created_at=v.created_at,
        )
        for v in state.versions
    ]
    if state.executed_pdf_sha256:
        documents.append(
            ItemDocument(
                sha256=state.executed_pdf_sha256,
                kind="executed",
                label=f"Executed agreement (term {state.term_number})",
                version=cur.number if cur else None,
                created_at=state.executed_at or latest or utcnow(),
            )
        )
    return item, list(state.steps), sorted(events, key=lambda e: e.seq), documents


def project_agreement(engine: Engine, proj: AgreementProjection) -> None:
    """Project an agreement workflow's state; safe to repeat and to receive out of order."""
    project_item(engine, *agreement_snapshot(proj))


def forget_item(engine: Engine, item_id: str) -> None:
    """Remove an item and everything hanging off it, before rebuilding it from its workflow."""
    with transaction(engine) as conn:
        conn.execute(delete(AWAIT).where(AWAIT.c.item_id == item_id))
        for table in (STEP, PARTY, EVENT, MILESTONE, DOCUMENT):
            conn.execute(delete(table).where(table.c.item_id == item_id))
        conn.execute(delete(ITEM).where(ITEM.c.item_id == item_id))
