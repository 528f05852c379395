"""Co-production fund activities: ledger operations, payment instructions, letters, reviewer load.

The grant workflows decide; these activities do the I/O their decisions need, each safe to retry:

- `ledger_operation` sends the operation to the fund's `FundLedger` workflow as an update whose id
  is the request's key, so a retried activity delivers it once. A refusal by the ledger's
  validator (over budget, over the award) is an answer, not a failure: it comes back as
  `LedgerReply(applied=False, message=…)` and the calling workflow decides what to do (waitlist
  the application, tell the fund manager). Only transport errors raise, and the activity retries.
- `issue_payment` is once-only by the request's key (`store.payments`): reserve the row and its
  number, render the instruction, store the PDF, mark the row issued. A retry after a crash at
  any point finds the row (and, after the render, the render cache's alias) and finishes the same
  instruction: one row, one number, one PDF. Within a worker, concurrent calls for one key also
  wait for each other, so the instruction is rendered once.
- `render_letter` is cached by `render_key` like every document activity (`activities.documents`),
  so a retry never renders or stores the letter twice.
- `reviewer_load` reads the read model: how many open review steps await each reviewer, so the
  assignment (`domain.grants.conflicts`) can respect each reviewer's `max_load` across rounds.

Blocking work (database, rendering) runs in a thread while heartbeating (`heartbeating`).
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from sqlalchemy import Engine, and_, func, select
from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from activities.documents import DocumentActivities, heartbeating, render_key, rendered
from activities.entity import apply_to_entity
from documents import grants as grant_documents
from domain.grants.activity_names import ISSUE_PAYMENT, LEDGER_OPERATION, RENDER_LETTER, REVIEWER_LOAD, VOID_AGREEMENT
from domain.grants.process import (
    LedgerReply,
    LedgerRequest,
    LetterKind,
    LetterRequest,
    PaymentRecord,
    PaymentRequest,
    ReviewerLoadRequest,
    VoidAgreementRequest,
)
from domain.human_steps import StepKind
from domain.readmodel import ItemDocument
from settings import failpoint
from store import payments
from store.blobs import BlobStore
from store.db import reading
from store.models import StepAwaitRow, StepRow

STEP = StepRow.__table__
AWAIT = StepAwaitRow.__table__

LETTER_LABELS = {LetterKind.AWARD: "Award letter", LetterKind.REJECTION: "Rejection letter"}


def fund_workflow_id(fund_id: str) -> str:
    """The id of a fund's `FundLedger` workflow (one per fund)."""
    return f"fund-{fund_id}"


class GrantActivities(DocumentActivities):
    """Bound to the read model, the blob store, a Temporal client (for the ledger) and the font cache."""

    def __init__(self, engine: Engine, blobs: BlobStore, client: Client | None = None, font_cache: Path | None = None) -> None:
        super().__init__(blobs, None, font_cache)
        self.engine = engine
        self.client = client
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def _lock_for(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    # ------------------------------------------------------------ ledger

    @activity.defn(name=LEDGER_OPERATION)
    async def ledger_operation(self, req: LedgerRequest) -> LedgerReply:
        return await apply_to_entity(self.client, fund_workflow_id(req.fund_id), req, req.request_key, LedgerReply,
                                     lambda message: LedgerReply(applied=False, message=message))  # fmt: skip

    @activity.defn(name=VOID_AGREEMENT)
    async def void_agreement(self, req: VoidAgreementRequest) -> bool:
        """Void a grant agreement whose grant was cancelled; one already ended is left as it is."""
        if self.client is None:
            raise RuntimeError("GrantActivities needs a Temporal client to void an agreement")
        from domain.agreements import VoidAction

        handle = self.client.get_workflow_handle(req.workflow_id)
        try:
            await handle.execute_update("void", VoidAction(actor_id=req.actor_id, reason=req.reason), id=f"void/{req.workflow_id}")
        except WorkflowUpdateFailedError as e:  # already executed or ended: nothing to void
            activity.logger.info("agreement %s not voided: %s", req.workflow_id, getattr(e.cause, "message", e.cause))
            return False
        except RPCError as e:
            if "not found" in str(e).lower() or "completed" in str(e).lower():
                return False
            raise
        return True

    # ------------------------------------------------------------ payment instructions

    def _issue_sync(self, req: PaymentRequest) -> PaymentRecord:
        with self._lock_for(req.key):
            try:
                reservation = payments.reserve(self.engine, req)
            except payments.PaymentConflict as e:  # a key reused for another tranche: never pay either twice
                raise ApplicationError(str(e), type="PaymentConflict", non_retryable=True) from None
            if reservation.status != payments.ISSUED:
                failpoint("payment-reserved")  # crash-recovery tests stop the worker here
                key = render_key("grant_payment_instruction", reservation.reference, req.model_dump(mode="json"))
                hit = self._cached(key)
                if hit is None:
                    pdf, pages = rendered(
                        grant_documents.render_payment_instruction, req, reservation.reference, font_cache_dir=self.font_cache
                    )
                    hit = (self._store(key, pdf, pages), pages)
                failpoint("payment-rendered")
                return payments.mark_issued(self.engine, req.key, hit[0], hit[1]).record()
            stored = payments.get(self.engine, req.key)
            assert stored is not None  # reserved above; payments are never deleted
            return stored.record()

    @activity.defn(name=ISSUE_PAYMENT)
    async def issue_payment(self, req: PaymentRequest) -> PaymentRecord:
        return await heartbeating(self._issue_sync, req)

    # ------------------------------------------------------------ letters

    def _letter_sync(self, req: LetterRequest) -> ItemDocument:
        key = render_key(f"grant_{req.kind.value}", req.model_dump(mode="json"))
        hit = self._cached(key)
        if hit is None:
            pdf, pages = rendered(grant_documents.render_letter, req, font_cache_dir=self.font_cache)
            hit = (self._store(key, pdf, pages), pages)
        sha, pages = hit
        label = f"{LETTER_LABELS[req.kind]} — {req.application.project.title}"
        return ItemDocument(sha256=sha, kind=req.kind.value, label=label[:300], pages=pages,
                            size=self.blobs.path(sha).stat().st_size, created_at=req.issued_at)  # fmt: skip

    @activity.defn(name=RENDER_LETTER)
    async def render_letter(self, req: LetterRequest) -> ItemDocument:
        return await heartbeating(self._letter_sync, req, interactive=True)  # the board's deciding vote waits on it

    # ------------------------------------------------------------ reviewer load

    def _load_sync(self, req: ReviewerLoadRequest) -> dict[str, int]:
        ids = list(dict.fromkeys(req.reviewer_ids))
        load = dict.fromkeys(ids, 0)
        if not ids:
            return load
        query = (
            select(AWAIT.c.person_id, func.count())
            .select_from(AWAIT.join(STEP, and_(AWAIT.c.item_id == STEP.c.item_id, AWAIT.c.step_id == STEP.c.step_id)))
            .where(STEP.c.closed_at.is_(None), STEP.c.kind == StepKind.SCORE.value, AWAIT.c.person_id.in_(ids))
            .group_by(AWAIT.c.person_id)
        )
        with reading(self.engine) as conn:
            for person_id, count in conn.execute(query):
                load[person_id] = int(count)
        return load

    @activity.defn(name=REVIEWER_LOAD)
    async def reviewer_load(self, req: ReviewerLoadRequest) -> dict[str, int]:
        """Open review steps per reviewer id (0 for those with none), across every item in the read model."""
        return await asyncio.to_thread(self._load_sync, req)


__all__ = ["GrantActivities", "fund_workflow_id"]
