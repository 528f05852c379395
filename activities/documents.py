"""Document activities: compose and render agreement PDFs into the content-addressed store.

Idempotent by construction: every render is keyed by the sha256 of everything that shapes its
output (renderer version, template, canonical text, metadata). A retry, a crashed worker or a
second request for the same content finds the key's alias in the store and returns the PDF
already there — the same content is never rendered twice and never stored twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from documents.compose import compose
from documents.library import load_library
from documents.render import RENDERER_VERSION, ExecutionMismatch, VersionMeta, render_executed, render_version
from domain import activity_names as act
from domain.agreements import ComposedVersion, ComposeRequest, ExecutedDocument, ExecuteRequest
from domain.texts import CanonicalText, canonical_json, text_sha256
from store.blobs import BlobStore

T = TypeVar("T")
HEARTBEAT_EVERY = 2.0


async def heartbeating(fn: Callable[..., T], *args: object) -> T:
    """Run blocking work in a thread, heartbeating meanwhile: if the worker dies, Temporal learns
    within the heartbeat timeout and retries elsewhere, instead of waiting out start-to-close."""
    task = asyncio.ensure_future(asyncio.to_thread(fn, *args))
    while True:
        done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_EVERY)
        if done:
            return task.result()
        activity.heartbeat()


def render_key(kind: str, *parts: object) -> str:
    payload = json.dumps([kind, RENDERER_VERSION, *parts], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


class DocumentActivities:
    """Bound to a blob store and the clause library; rendering runs off the event loop."""

    def __init__(self, blobs: BlobStore, clause_dir: Path | None = None, font_cache: Path | None = None) -> None:
        self.blobs = blobs
        self.clause_dir = clause_dir
        self.font_cache = font_cache

    def _cached(self, key: str) -> tuple[str, int] | None:
        """The (pdf sha, pages) an earlier render stored under `key`, if its PDF is still there."""
        alias = self.blobs.get_alias(key)
        if alias is None:
            return None
        meta = json.loads(self.blobs.get(alias))
        return (meta["pdf"], meta["pages"]) if self.blobs.has(meta["pdf"]) else None

    def _store(self, key: str, pdf: bytes, pages: int) -> str:
        sha = self.blobs.put(pdf)
        meta = self.blobs.put(json.dumps({"pdf": sha, "pages": pages}).encode())
        self.blobs.set_alias(key, meta)
        return sha

    def _compose_sync(self, req: ComposeRequest) -> ComposedVersion:
        try:
            text = compose(req, load_library(self.clause_dir))
        except ValueError as e:  # a clause the library cannot fill: retrying will not help
            raise ApplicationError(str(e), type="ComposeError", non_retryable=True) from None
        sha = text_sha256(text)
        self.blobs.put(canonical_json(text))
        meta = VersionMeta(version=req.version, author_name=req.author_name, summary=req.summary,
                           created_at=req.created_at, text_sha256=sha)
        key = render_key("version", sha, meta.model_dump(mode="json"))
        hit = self._cached(key)
        if hit is None:
            pdf, pages = render_version(text, meta, font_cache_dir=self.font_cache)
            hit = (self._store(key, pdf, pages), pages)
        return ComposedVersion(text_sha256=sha, pdf_sha256=hit[0], pages=hit[1])

    def _execute_sync(self, req: ExecuteRequest) -> ExecutedDocument:
        text = self.text(req.version.text_sha256)
        key = render_key("executed", req.model_dump(mode="json"))
        hit = self._cached(key)
        if hit is None:
            try:
                pdf, pages = render_executed(text, req, font_cache_dir=self.font_cache)
            except ExecutionMismatch as e:  # signatures on another text: retrying cannot fix that
                raise ApplicationError(str(e), type="ExecutionMismatch", non_retryable=True) from None
            hit = (self._store(key, pdf, pages), pages)
        return ExecutedDocument(pdf_sha256=hit[0], pages=hit[1])

    def text(self, sha: str) -> CanonicalText:
        """A version's canonical text from the store, by the hash the parties approved."""
        return CanonicalText.model_validate_json(self.blobs.get(sha))

    @activity.defn(name=act.COMPOSE_AGREEMENT_VERSION)
    async def compose_agreement_version(self, req: ComposeRequest) -> ComposedVersion:
        return await heartbeating(self._compose_sync, req)

    @activity.defn(name=act.RENDER_EXECUTED_AGREEMENT)
    async def render_executed_agreement(self, req: ExecuteRequest) -> ExecutedDocument:
        return await heartbeating(self._execute_sync, req)
