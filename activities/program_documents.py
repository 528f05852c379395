"""Joint-program document activities: the completion documents and the learning agreement, stored once.

Same contract as `activities.documents`: each render is keyed (`render_key`) by everything that
shapes its PDF — renderer version, document kind, the state it is rendered from and the issue
time — and the key's alias in the blob store points at the stored PDF. A retried activity, a
crashed worker or a repeated request finds the alias and returns the same document: nothing is
rendered twice and nothing is stored twice. Renders run in a thread while heartbeating, so a dead
worker is noticed within the heartbeat timeout instead of the start-to-close timeout.

The workflows' event lists and projection counters are left out of the keys: they change with
every step but never change what the documents print.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.documents import DocumentActivities, heartbeating, render_key, rendered
from documents.programs import render_certificate, render_learning_agreement, render_transcript
from domain import program_activity_names as act
from domain.program_documents import CompletionDocumentsRequest, LearningAgreementDocumentRequest
from domain.readmodel import ItemDocument
from store.blobs import BlobStore

_VOLATILE = {"events", "event_count", "projected_seq", "steps", "documents"}


class ProgramDocumentActivities(DocumentActivities):
    """Bound to the blob store (and the font cache); shares the agreement documents' render cache format."""

    def __init__(self, blobs: BlobStore, font_cache: Path | None = None) -> None:
        super().__init__(blobs, None, font_cache)

    def _document(
        self, kind: str, label: str, key: str, issued_at: datetime, render: Callable[[], tuple[bytes, int]]
    ) -> ItemDocument:
        hit = self._cached(key)
        if hit is None:
            pdf, pages = render()
            hit = (self._store(key, pdf, pages), pages)
        sha, pages = hit
        return ItemDocument(sha256=sha, kind=kind, label=label, pages=pages, size=self.blobs.path(sha).stat().st_size,
                            created_at=issued_at)  # fmt: skip

    def _completion_sync(self, req: CompletionDocumentsRequest) -> list[ItemDocument]:
        state, issued = req.state, req.issued_at
        data = state.model_dump(mode="json", exclude=_VOLATILE)
        name = state.record.person.name
        try:
            certificate_key = render_key("program_certificate", data, issued)
            certificate = self._document(
                "certificate", f"Dual-degree certificate — {name}", certificate_key, issued,
                lambda: rendered(render_certificate, state, issued_at=issued, font_cache_dir=self.font_cache),
            )  # fmt: skip
        except ValueError as e:  # a degree not met: retrying cannot change that
            raise ApplicationError(str(e), type="DegreesNotComplete", non_retryable=True) from None
        transcript = self._document(
            "transcript", f"Official joint transcript — {name}", render_key("program_transcript", data, issued, True), issued,
            lambda: rendered(render_transcript, state, issued_at=issued, final=True, font_cache_dir=self.font_cache),
        )  # fmt: skip
        return [transcript, certificate]

    def _learning_agreement_sync(self, req: LearningAgreementDocumentRequest) -> ItemDocument:
        state, issued = req.state, req.issued_at
        key = render_key("program_learning_agreement", state.model_dump(mode="json", exclude=_VOLATILE), issued)
        return self._document(
            "learning_agreement", f"Learning agreement r{state.learning_agreement.revision}", key, issued,
            lambda: rendered(render_learning_agreement, state, issued_at=issued, font_cache_dir=self.font_cache),
        )  # fmt: skip

    @activity.defn(name=act.RENDER_COMPLETION_DOCUMENTS)
    async def render_completion_documents(self, req: CompletionDocumentsRequest) -> list[ItemDocument]:
        """The official joint transcript and the dual-degree certificate, in that order."""
        return await heartbeating(self._completion_sync, req, interactive=True)  # the last thesis update waits on it

    @activity.defn(name=act.RENDER_LEARNING_AGREEMENT)
    async def render_learning_agreement_doc(self, req: LearningAgreementDocumentRequest) -> ItemDocument:
        return await heartbeating(self._learning_agreement_sync, req, interactive=True)  # the last approval waits on it
