"""In-memory stand-ins for the activities, registered under the real names.

They let the workflow tests check orchestration alone: what was composed, projected and sent, and
that a retried activity (same idempotency key) counts once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.worker import Worker

from domain import activity_names as act
from domain import program_activity_names as doc_act
from domain.agreements import AgreementProjection, ComposedVersion, ComposeRequest, ExecutedDocument, ExecuteRequest
from domain.catalogs import EquivalencyTable
from domain.grants import activity_names as gact
from domain.grants.process import (
    LedgerReply,
    LedgerRequest,
    LetterRequest,
    PaymentRecord,
    PaymentRequest,
    ReviewerLoadRequest,
    VoidAgreementRequest,
)
from domain.notifications import Notification
from domain.program_documents import CompletionDocumentsRequest, LearningAgreementDocumentRequest
from domain.program_records import AgreementPhaseChanged, SaveEquivalencies
from domain.readmodel import ItemDocument, ItemProjection
from domain.releases import activity_names as ract
from domain.releases.process import RecommendationLetterRequest, RightsReply, RightsRequest
from workflows.registry import ALL_WORKFLOWS


def _sha(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class FakeActivities:
    projections: dict[str, AgreementProjection] = field(default_factory=dict)
    events: dict[str, list] = field(default_factory=dict)
    items: dict[str, ItemProjection] = field(default_factory=dict)
    notifications: dict[str, Notification] = field(default_factory=dict)
    mail_gate: asyncio.Event | None = None  # set: every mail waits for it (a slow mail server)
    tables_gate: asyncio.Event | None = None  # set: loading an equivalency table waits for it (a slow database)
    executed: list[ExecuteRequest] = field(default_factory=list)
    tables: dict[str, EquivalencyTable] = field(default_factory=dict)
    saved: list[SaveEquivalencies] = field(default_factory=list)
    forwarded: list[AgreementPhaseChanged] = field(default_factory=list)
    completions: list[CompletionDocumentsRequest] = field(default_factory=list)
    client: Any = None  # set by the fixture: the ledger activity sends updates to the FundLedger workflow
    payments: dict[str, PaymentRecord] = field(default_factory=dict)
    payment_calls: int = 0
    letters: list[LetterRequest] = field(default_factory=list)
    reviewer_loads: dict[str, int] = field(default_factory=dict)
    letters_sent: list[tuple[str, str]] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # "project <item> <seq>" and "mail <key>", as the activities ran

    @activity.defn(name=act.COMPOSE_AGREEMENT_VERSION)
    async def compose(self, req: ComposeRequest) -> ComposedVersion:
        text = _sha([req.title, req.variables, req.clause_overrides, [p.organisation_id for p in req.parties]])
        return ComposedVersion(text_sha256=text, pdf_sha256=_sha([text, req.version]), pages=3)

    @activity.defn(name=act.RENDER_EXECUTED_AGREEMENT)
    async def execute(self, req: ExecuteRequest) -> ExecutedDocument:
        self.executed.append(req)
        return ExecutedDocument(pdf_sha256=_sha([req.version.text_sha256, req.term, "executed"]), pages=5)

    @activity.defn(name=act.PROJECT_AGREEMENT)
    async def project(self, p: AgreementProjection) -> None:
        self.order.append(f"project {p.workflow_id} {p.state.projected_seq}")
        self.projections[p.workflow_id] = p
        seen = self.events.setdefault(p.workflow_id, [])
        known = {e.seq for e in seen}
        seen.extend(e for e in p.new_events if e.seq not in known)

    @activity.defn(name=act.PROJECT_ITEM)
    async def project_item(self, p: ItemProjection) -> None:
        item_id = p.item.item_id
        self.order.append(f"project {item_id} {p.item.projected_seq}")
        if item_id not in self.items or self.items[item_id].item.projected_seq <= p.item.projected_seq:
            self.items[item_id] = p
        seen = self.events.setdefault(item_id, [])
        known = {e.seq for e in seen}
        seen.extend(e for e in p.new_events if e.seq not in known)

    @activity.defn(name=act.NOTIFY)
    async def notify(self, n: Notification) -> None:
        if self.mail_gate is not None:
            await self.mail_gate.wait()
        self.order.append(f"mail {n.key}")
        self.notifications.setdefault(n.key, n)

    @activity.defn(name=act.LOAD_EQUIVALENCIES)
    async def load_equivalencies(self, institution_id: str) -> EquivalencyTable:
        if self.tables_gate is not None:
            await self.tables_gate.wait()
        return self.tables.get(institution_id) or EquivalencyTable(institution_id=institution_id)

    @activity.defn(name=act.SAVE_EQUIVALENCIES)
    async def save_equivalencies(self, req: SaveEquivalencies) -> int:
        self.saved.append(req)
        for e in req.entries:
            table = self.tables.get(e.home_institution_id) or EquivalencyTable(institution_id=e.home_institution_id)
            if e not in table.entries:
                self.tables[e.home_institution_id] = table.add(e)
        return len(req.entries)

    @activity.defn(name=act.FORWARD_AGREEMENT_PHASE)
    async def forward_agreement_phase(self, change: AgreementPhaseChanged) -> int:
        self.forwarded.append(change)
        return 0

    @activity.defn(name=doc_act.RENDER_COMPLETION_DOCUMENTS)
    async def render_completion_documents(self, req: CompletionDocumentsRequest) -> list[ItemDocument]:
        self.completions.append(req)
        sid = req.state.record.student_id
        return [ItemDocument(sha256=_sha([sid, kind]), kind=kind, label=f"{kind} of {sid}", pages=2, created_at=req.issued_at)
                for kind in ("transcript", "certificate")]  # fmt: skip

    @activity.defn(name=doc_act.RENDER_LEARNING_AGREEMENT)
    async def render_learning_agreement(self, req: LearningAgreementDocumentRequest) -> ItemDocument:
        s = req.state
        return ItemDocument(sha256=_sha([s.request.id, s.learning_agreement.revision]), kind="learning_agreement",
                            label=f"Learning agreement r{s.learning_agreement.revision}", pages=1, created_at=req.issued_at)  # fmt: skip

    @activity.defn(name=gact.LEDGER_OPERATION)
    async def ledger_operation(self, req: LedgerRequest) -> LedgerReply:
        from temporalio.client import WorkflowUpdateFailedError

        try:
            return await self.client.get_workflow_handle(f"fund-{req.fund_id}").execute_update(
                "apply", req, id=req.request_key, result_type=LedgerReply
            )
        except WorkflowUpdateFailedError as e:
            return LedgerReply(applied=False, message=getattr(e.cause, "message", str(e.cause)))

    @activity.defn(name=gact.VOID_AGREEMENT)
    async def void_agreement(self, req: VoidAgreementRequest) -> bool:
        from temporalio.client import WorkflowUpdateFailedError

        from domain.agreements import VoidAction

        try:
            await self.client.get_workflow_handle(req.workflow_id).execute_update(
                "void", VoidAction(actor_id=req.actor_id, reason=req.reason), id=f"void/{req.workflow_id}"
            )
        except WorkflowUpdateFailedError:
            return False
        return True

    @activity.defn(name=gact.ISSUE_PAYMENT)
    async def issue_payment(self, req: PaymentRequest) -> PaymentRecord:
        self.payment_calls += 1
        if req.key not in self.payments:
            self.payments[req.key] = PaymentRecord(
                key=req.key, reference=f"PAY-2026-{len(self.payments) + 1:06d}", amount=req.tranche.amount,
                currency=req.fund.currency, pdf_sha256=_sha([req.key, "payment"]), issued_at=req.issued_at,
            )  # fmt: skip
        return self.payments[req.key]

    @activity.defn(name=gact.RENDER_LETTER)
    async def render_letter(self, req: LetterRequest) -> ItemDocument:
        self.letters.append(req)
        return ItemDocument(sha256=_sha([req.application.id, req.kind.value]), kind=req.kind.value,
                            label=f"{req.kind.value} {req.application.id}", pages=1, created_at=req.issued_at)  # fmt: skip

    @activity.defn(name=gact.REVIEWER_LOAD)
    async def reviewer_load(self, req: ReviewerLoadRequest) -> dict[str, int]:
        return {r: self.reviewer_loads.get(r, 0) for r in req.reviewer_ids}

    @activity.defn(name=ract.RIGHTS_OPERATION)
    async def rights_operation(self, req: RightsRequest) -> RightsReply:
        from temporalio.client import WorkflowUpdateFailedError

        try:
            return await self.client.get_workflow_handle(f"rights-{req.film_id}").execute_update(
                "apply", req, id=req.request_key, result_type=RightsReply
            )
        except WorkflowUpdateFailedError as e:
            return RightsReply(applied=False, message=getattr(e.cause, "message", str(e.cause)))

    @activity.defn(name=ract.RENDER_RECOMMENDATION)
    async def render_recommendation(self, req: RecommendationLetterRequest) -> ItemDocument:
        self.letters_sent.append((req.film.id, req.country))
        return ItemDocument(sha256=_sha([req.film.id, req.country, "letter"]), kind="recommendation_letter",
                            label=f"Recommendation letter — {req.film.english_title} ({req.country})", pages=1, created_at=req.issued_at)  # fmt: skip

    def all(self) -> list:
        return [self.compose, self.execute, self.project, self.project_item, self.notify, self.load_equivalencies,
                self.save_equivalencies, self.forward_agreement_phase, self.render_completion_documents,
                self.render_learning_agreement, self.ledger_operation, self.issue_payment, self.render_letter,
                self.reviewer_load, self.void_agreement, self.rights_operation, self.render_recommendation]

    def keys(self, workflow_id: str) -> list[str]:
        return sorted(k for k in self.notifications if k.startswith(workflow_id + "/"))

    async def mailed(self, ok: Any, seconds: float = 15) -> list[Notification]:
        """The mails `ok(key)` accepts, once there are any: mail goes behind the answer
        (PATCH_MAIL_BEHIND), a moment after the update that owes it returns."""
        for _ in range(int(seconds / 0.05)):
            found = [n for k, n in self.notifications.items() if ok(k)]
            if found:
                return found
            await asyncio.sleep(0.05)
        return []


@asynccontextmanager
async def serving(client: Client, queue: str, activities: list[Any], **options: Any) -> AsyncIterator[Worker]:
    """Workflows and `activities` on `queue`, and the document activities among them on its
    documents queue, as `worker.py` serves them (the patch `documents-task-queue`)."""
    docs = [a for a in activities if activity._Definition.must_from_callable(a).name in act.DOCUMENT_ACTIVITIES]
    async with (
        Worker(client, task_queue=queue, workflows=ALL_WORKFLOWS, activities=activities, **options) as w,
        Worker(client, task_queue=act.documents_queue_for(queue), activities=docs, **options),
    ):
        yield w
