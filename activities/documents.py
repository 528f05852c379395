"""Document activities: compose and render agreement PDFs into the content-addressed store.

Idempotent by construction: every render is keyed by the sha256 of everything that shapes its
output (renderer version, template, canonical text, metadata). A retry, a crashed worker or a
second request for the same content finds the key's alias in the store and returns the PDF
already there — the same content is never rendered twice and never stored twice.

The executed agreement is sealed after rendering: one PAdES signature per signing organisation,
from the local authority's certificates (`documents.signing`). A signature is not byte-reproducible
(pyHanko draws a fresh document id, ECDSA a fresh nonce), so its key's alias is claimed first writer
wins (`BlobStore.claim_alias`): two racing attempts of one request both answer with the first PDF.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import hashlib
import json
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from documents.compose import compose
from documents.library import load_library
from documents.pki import LocalAuthority
from documents.render import RENDERER_VERSION, ExecutionMismatch, VersionMeta, render_executed, render_version
from documents.signing import SignerIdentity, seal_pdf
from domain import activity_names as act
from domain.agreements import ComposedVersion, ComposeRequest, ExecutedDocument, ExecuteRequest, Signature
from domain.texts import CanonicalText, canonical_json, text_sha256
from store.blobs import BlobStore

T = TypeVar("T")
HEARTBEAT_EVERY = 2.0


def _render_threads() -> int:
    try:
        n = int(os.environ.get("HELIX_RENDER_THREADS") or 0)
    except ValueError:
        n = 0
    if n > 0:
        return n
    if os.environ.get("HELIX_WORKER_SERVES", "").strip().lower() == "documents":
        return os.cpu_count() or 1  # a render worker: rendering is all this machine does
    return max(1, (os.cpu_count() or 2) // 2)


RENDER_THREADS = _render_threads()
"""Renders (CPU-bound, holding the GIL most of the time) run on pools of their own, each this size
(`HELIX_RENDER_THREADS`; default half the CPUs, at least one; on a worker that only renders,
`HELIX_WORKER_SERVES=documents`, all of them): one for the documents a person's
action waits on before it is answered (`interactive`: award and rejection letters, learning
agreements, transcripts), one for the rest (drafts, executed agreements, recommendation letters,
payment instructions, digests), so a click never queues behind a backlog of background renders.
On the event loop's default pool (min(32, CPUs + 4) threads) renders took every thread and most
of the GIL, and the projections that every update waits for queued behind them (bench/engine.py)."""
_background_pool = ThreadPoolExecutor(max_workers=RENDER_THREADS, thread_name_prefix="helix-render")
_interactive_pool = ThreadPoolExecutor(max_workers=RENDER_THREADS, thread_name_prefix="helix-render-now")


def _render_processes() -> int:
    raw = os.environ.get("HELIX_RENDER_PROCESSES")
    try:
        n = int(raw) if raw not in (None, "") else -1
    except ValueError:
        n = -1
    return n if n >= 0 else RENDER_THREADS


RENDER_PROCESSES = _render_processes()
"""The renders themselves (weasyprint: pure Python for the most part) run in this many processes
of their own (`HELIX_RENDER_PROCESSES`; default as many as render threads; 0: in the render
threads, as before). In a thread a render holds the GIL for most of a second: the worker's event
loop — its workflow tasks, projections and heartbeats — waited behind it, and one worker process
never used more than one core (bench/engine.py). A render thread now waits on its process with the
GIL released. Processes are started with `spawn` (the worker's Temporal core runs threads, which
`fork` does not copy safely) on the first render and live as long as the worker."""
RENDER_NICENESS = 10
"""Render processes run at a lower CPU priority (`nice` 10): when the machine is saturated, the
worker's event loop — workflow tasks, projections, the answers people wait for — comes first and
documents finish a little later (bench/engine.py: with renders at the same priority the read
model trailed accepted updates by 10 s and more at the 95th percentile)."""

_pools: dict[bool, ProcessPoolExecutor] = {}  # interactive? → its render processes
_pools_lock = threading.Lock()


PARENT_CHECK_SECONDS = 2.0


def _exit_with_parent(parent: int) -> None:
    """A render process ends when its worker is gone. A worker killed outright (`kill -9`, out of
    memory) cannot shut its pool down, and its render processes — about 250 MB each — lived on,
    idle, adopted by init (seen after the crash tests)."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(0)


def _render_process_start(parent: int) -> None:
    threading.Thread(target=_exit_with_parent, args=(parent,), name="helix-parent-watch", daemon=True).start()
    try:
        os.nice(RENDER_NICENESS)
    except OSError:  # pragma: no cover - not permitted here: render at the worker's priority
        pass


def _process_pool(interactive: bool) -> ProcessPoolExecutor | None:
    if RENDER_PROCESSES == 0:
        return None
    with _pools_lock:
        pool = _pools.get(interactive)
        if pool is None:
            pool = _pools[interactive] = ProcessPoolExecutor(
                max_workers=RENDER_PROCESSES, mp_context=multiprocessing.get_context("spawn"), initializer=_render_process_start, initargs=(os.getpid(),)
            )
        return pool


def _importable(fn: Callable[..., object]) -> bool:
    """A process can call `fn` only by its module and name: a replaced or local function (a test's
    stand-in) runs here instead."""
    module = sys.modules.get(getattr(fn, "__module__", "") or "")
    return module is not None and getattr(module, getattr(fn, "__qualname__", ""), None) is fn


_interactive_call = threading.local()  # set while a render thread of the interactive pool runs a call


def rendered(fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    """`fn(*args, **kwargs)` in a render process, waited for in the calling (render) thread. `fn`
    is a module-level renderer taking and returning plain data (pydantic models, bytes, paths).
    Renders a person waits on (`heartbeating(..., interactive=True)`) have processes of their own,
    as they have threads. A render process that died (killed, out of memory) is replaced and the
    render tried once more here; anything else the renderer raises comes back as it was raised."""
    interactive = bool(getattr(_interactive_call, "on", False))
    pool = _process_pool(interactive)
    if pool is None or not _importable(fn):
        return fn(*args, **kwargs)
    try:
        return pool.submit(fn, *args, **kwargs).result()
    except BrokenProcessPool:
        with _pools_lock:
            if _pools.get(interactive) is pool:
                del _pools[interactive]
        pool.shutdown(wait=False, cancel_futures=True)
        fresh = _process_pool(interactive)
        assert fresh is not None
        return fresh.submit(fn, *args, **kwargs).result()


def _interactively(fn: Callable[..., T], *args: object) -> T:
    _interactive_call.on = True
    try:
        return fn(*args)
    finally:
        _interactive_call.on = False


async def heartbeating(fn: Callable[..., T], *args: object, interactive: bool = False) -> T:
    """Run blocking render work on a render pool, heartbeating meanwhile: if the worker dies,
    Temporal learns within the heartbeat timeout and retries elsewhere, instead of waiting out
    start-to-close. (A render waiting for a render thread heartbeats too.) `interactive`: a
    person's action waits on this render before it is answered."""
    pool = _interactive_pool if interactive else _background_pool
    if interactive:
        fn, args = _interactively, (fn, *args)
    call = functools.partial(contextvars.copy_context().run, fn, *args)  # as asyncio.to_thread does
    task = asyncio.ensure_future(asyncio.get_running_loop().run_in_executor(pool, call))
    while True:
        done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_EVERY)
        if done:
            return task.result()
        activity.heartbeat()


def render_key(kind: str, *parts: object) -> str:
    payload = json.dumps([kind, RENDERER_VERSION, *parts], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def signing_organisations(req: ExecuteRequest) -> list[SignerIdentity]:
    """One signer per party that signed this term, in the order they signed (the signature page's
    latest signature of a party, as `render_executed` prints it)."""
    latest: dict[str, Signature] = {}
    for s in req.signatures:
        if s.organisation_id not in latest or s.at > latest[s.organisation_id].at:
            latest[s.organisation_id] = s
    parties = {p.organisation_id: p for p in req.parties}
    ordered = sorted((s for s in latest.values() if s.organisation_id in parties), key=lambda s: (s.at, s.organisation_id))
    return [SignerIdentity(organisation_id=s.organisation_id, organisation_name=parties[s.organisation_id].name("en"),
                           country=parties[s.organisation_id].country, person_name=s.signer_name) for s in ordered]  # fmt: skip


class DocumentActivities:
    """Bound to a blob store and the clause library (and, to execute agreements, the signing
    authority); rendering runs off the event loop."""

    def __init__(
        self,
        blobs: BlobStore,
        clause_dir: Path | None = None,
        font_cache: Path | None = None,
        authority: LocalAuthority | None = None,
    ) -> None:
        self.blobs = blobs
        self.clause_dir = clause_dir
        self.font_cache = font_cache
        self.authority = authority

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
        winner = self.blobs.claim_alias(key, meta)
        if winner == meta:
            return sha
        # Another attempt stored this key first (a worker presumed dead finishing beside its
        # retry): its PDF is the one. Ours differs only if the render is not byte-reproducible (a
        # sealed PDF's signatures are not), and then nothing else refers to it: it goes.
        first = json.loads(self.blobs.get(winner))["pdf"]
        if first != sha:
            self.blobs.discard(sha)
            self.blobs.discard(meta)
        return first

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
            pdf, pages = rendered(render_version, text, meta, font_cache_dir=self.font_cache)
            hit = (self._store(key, pdf, pages), pages)
        return ComposedVersion(text_sha256=sha, pdf_sha256=hit[0], pages=hit[1])

    def _execute_sync(self, req: ExecuteRequest) -> ExecutedDocument:
        text = self.text(req.version.text_sha256)
        key = render_key("executed", req.model_dump(mode="json"))
        hit = self._cached(key)
        if hit is None:
            if self.authority is None:
                raise ApplicationError("this worker has no signing authority to seal executed agreements",
                                       type="NoSigningAuthority", non_retryable=True)  # fmt: skip
            try:
                pdf, pages = rendered(render_executed, text, req, font_cache_dir=self.font_cache)
            except ExecutionMismatch as e:  # signatures on another text: retrying cannot fix that
                raise ApplicationError(str(e), type="ExecutionMismatch", non_retryable=True) from None
            # The signing time is the execution time from the request, never the clock of the attempt.
            pdf = seal_pdf(pdf, signing_organisations(req), self.authority, req.executed_at)
            # A retry after a crash finds the first attempt's alias above; two attempts racing past
            # that check both get the first stored PDF from `_store`: one executed PDF per request.
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
