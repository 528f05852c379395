"""The Helix worker: every workflow and activity, on the workflows' task queue and the documents queue.

Run it as `python worker.py` (the `run.py` launcher does this for you). Many worker processes
may serve the same task queue, on one machine or many; each is stateless apart from its
connections, so `kill -9` at any point loses nothing: Temporal re-delivers the work and the
activities are idempotent.
"""

from __future__ import annotations

import asyncio
import compileall
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.worker import Worker

from activities.board import BoardActivities
from activities.documents import DocumentActivities
from activities.grants import GrantActivities
from activities.program_documents import ProgramDocumentActivities
from activities.programs import ProgramActivities
from activities.records import OutboxRelay, RecordActivities
from activities.releases import ReleaseActivities
from documents.pki import LocalAuthority
from domain import activity_names as act
from services import logsafe
from services.schedules import ensure_board_digest_schedule, ensure_board_snapshots_schedule
from settings import Settings, connect_temporal, settings_or_exit
from store.blobs import BlobStore
from store.db import init_db, make_engine
from store.outbox import SmtpConfig
from workflows.registry import ALL_WORKFLOWS

log = logging.getLogger("helix.worker")


def activities_for(s: Settings, client: Client | None = None) -> list[Any]:
    engine = make_engine(s.resolved_database_url)
    init_db(engine)
    blobs, font_cache = BlobStore(s.documents_dir), s.data_dir / "fonts-cache"
    # The embedded default's signing authority: created in the data folder on first start.
    docs = DocumentActivities(blobs, s.data_dir / "clauses", font_cache, LocalAuthority.open_or_create(s.data_dir / "pki"))
    records = RecordActivities(engine, SmtpConfig.from_settings(s))
    program = ProgramActivities(engine, client)
    program_docs = ProgramDocumentActivities(blobs, font_cache)
    grants = GrantActivities(engine, blobs, client, font_cache)
    releases = ReleaseActivities(engine, blobs, client, font_cache)
    board = BoardActivities(engine, blobs, font_cache)
    return [docs.compose_agreement_version, docs.render_executed_agreement, records.project_agreement,
            records.project_item, records.notify, program.load_equivalencies, program.save_equivalencies,
            program.forward_agreement_phase, program_docs.render_completion_documents,
            program_docs.render_learning_agreement_doc, grants.ledger_operation, grants.issue_payment, grants.render_letter,
            grants.reviewer_load, grants.void_agreement,
            releases.rights_operation, releases.render_recommendation, board.render_board_digest,
            board.refresh_board_snapshots]


def activity_name(fn: Any) -> str:
    return activity._Definition.must_from_callable(fn).name


def build_workers(client: Client, s: Settings, **options: Any) -> list[Worker]:
    """The workers this process runs, by `HELIX_WORKER_SERVES`: `all` (the default) polls the
    workflows' task queue and the documents queue; `engine` only the first, `documents` only the
    second, for render workers on machines of their own. Activities are async (blocking work runs
    in threads); on shutdown, in-flight tasks get `graceful_shutdown_timeout` to finish before they
    are cancelled and retried elsewhere."""
    options.setdefault("graceful_shutdown_timeout", timedelta(seconds=30))
    # The SDK's defaults (100 workflow tasks and 100 activities at once) let a restarted worker on a
    # small machine take the whole backlog in one go: every task slowed past its timeout and was
    # retried, and the queue stalled for a minute or two. Bounded, the backlog drains in order.
    options.setdefault("max_concurrent_workflow_tasks", s.worker_workflow_tasks)
    options.setdefault("max_concurrent_activities", s.worker_activities)
    activities = activities_for(s, client)
    documents = [a for a in activities if activity_name(a) in act.DOCUMENT_ACTIVITIES]
    missing = set(act.DOCUMENT_ACTIVITIES) - {activity_name(a) for a in documents}
    if missing:
        raise RuntimeError(f"document activities not registered: {sorted(missing)}")
    workers = []
    if s.worker_serves in ("all", "engine"):
        # Every activity, renders too: executions that scheduled a render before the documents queue
        # existed (the patch `documents-task-queue`) have it on this queue.
        workers.append(Worker(client, task_queue=s.task_queue, workflows=ALL_WORKFLOWS, activities=activities, **options))
    if s.worker_serves in ("all", "documents"):
        docs_options = {k: v for k, v in options.items() if k != "max_concurrent_workflow_tasks"}
        workers.append(Worker(client, task_queue=act.documents_queue_for(s.task_queue), activities=documents, **docs_options))
    return workers


@asynccontextmanager
async def serving(client: Client, s: Settings, **options: Any) -> AsyncIterator[list[Worker]]:
    """Run this process's workers (`build_workers`) until the block ends, then shut them down."""
    async with AsyncExitStack() as stack:
        workers = [await stack.enter_async_context(w) for w in build_workers(client, s, **options)]
        yield workers


async def ensure_schedules(client: Client, s: Settings) -> None:
    """Every worker start makes sure the system's schedules exist (idempotent, so any number of
    workers may start at once). A failure is logged, not fatal: the workflows still need serving."""
    for ensure in (ensure_board_digest_schedule, ensure_board_snapshots_schedule):
        try:
            await ensure(client, s)
        except Exception:  # e.g. a namespace without permission to manage schedules
            log.exception("could not create or update a schedule (%s)", ensure.__name__)


def compile_workflows() -> None:
    """Write the workflow modules' bytecode (`.pyc`) if it is missing or stale. The sandbox imports
    a workflow's module afresh for every execution it starts or replays; without bytecode on disk
    (PYTHONDONTWRITEBYTECODE, common in container images) each import compiled the source again —
    a quarter of the engine worker's CPU (bench/engine.py). A read-only install is left as it is."""
    import workflows

    folder = Path(workflows.__file__).parent
    try:
        if not compileall.compile_dir(folder, quiet=2, maxlevels=0):
            log.warning("could not write bytecode for %s; workflow starts compile their modules each time", folder)
    except OSError as e:
        log.warning("could not write bytecode for %s (%s); workflow starts compile their modules each time", folder, e)


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for noisy in ("weasyprint", "fontTools"):  # per-page progress and subsetting chatter
        logging.getLogger(noisy).setLevel(logging.WARNING)
    s = settings_or_exit()
    logsafe.install()  # every configured secret is *** in this process's log
    s.data_dir.mkdir(parents=True, exist_ok=True)
    compile_workflows()
    client = await connect_temporal()
    await ensure_schedules(client, s)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    relay = OutboxRelay(make_engine(s.resolved_database_url), SmtpConfig.from_settings(s))
    async with serving(client, s) as workers:
        log.info("worker polling task queues %s; payloads %s", ", ".join(repr(w.task_queue) for w in workers),
                 ("encrypted with key " + repr(s.payload_key_id) if s.encrypts_payloads else "not encrypted")
                 + (f", compressed from {s.payload_compress_bytes} bytes" if s.payload_compress_bytes else ", not compressed"))
        relay_task = asyncio.create_task(relay.run(stop))
        await stop.wait()
        log.info("shutting down: finishing in-flight tasks (up to 30 s)")
        await relay_task


if __name__ == "__main__":
    asyncio.run(main())
