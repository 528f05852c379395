"""The weekly digest workflow with the real activity: a read model with a few items, real PDFs.

Runs on the time-skipping server, which has no schedules: the workflow is started directly, as a
schedule would start it, and the schedule itself is tested on the dev server (tests/e2e).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.board import BoardActivities
from domain.board_digest import (
    DIGEST_ITEM_ID,
    DIGEST_KIND,
    DigestRequest,
    DigestResult,
    digest_id_for,
    digest_seq,
    digest_title,
)
from store import queries
from store.blobs import BlobStore
from tests.store.test_board import build
from workflows.board_digest import BoardDigestWorkflow


@pytest.fixture(scope="session")
def font_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The document tests' font cache (tests/documents/conftest.py): fonts are derived once per machine."""
    cache = getattr(request.config, "cache", None)
    return Path(cache.mkdir("helix-font-cache")) if cache is not None else tmp_path_factory.mktemp("helix-font-cache")


@pytest_asyncio.fixture
async def digest_worker(env: WorkflowEnvironment, engine: Engine, tmp_path: Path, font_cache: Path) -> AsyncIterator[str]:
    build(engine)  # two MOUs, a student, a credit transfer, a fund
    activities = BoardActivities(engine, BlobStore(tmp_path / "documents"), font_cache)
    queue = f"q-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=queue, workflows=[BoardDigestWorkflow], activities=[activities.render_board_digest]):
        yield queue


async def run_digest(env: WorkflowEnvironment, queue: str) -> tuple[DigestResult, str]:
    """One run, as the schedule starts it; its result and the ISO week of its start.

    Without automatic time skipping: with no timer left, the test server may leap years ahead
    while a result is awaited, and the weeks under test must be the ones the test chooses."""
    with env.auto_time_skipping_disabled():
        h = await env.client.start_workflow(BoardDigestWorkflow.run, id=f"board-digest-{uuid.uuid4()}", task_queue=queue)
        result = await h.result()
        started = (await h.describe()).start_time
    return result, digest_id_for(started)


def digests(engine: Engine) -> list[tuple[str, int | None, str]]:
    return [(d.sha256, d.version, d.label) for d in queries.documents_for(engine, DIGEST_ITEM_ID) if d.kind == DIGEST_KIND]


async def test_the_digest_is_named_by_the_week_it_started_in_and_recorded_once(
    env: WorkflowEnvironment, digest_worker: str, engine: Engine, tmp_path: Path
) -> None:
    first, week = await run_digest(env, digest_worker)
    assert first.digest_id == week  # the ISO week of the workflow's start
    assert first.label == digest_title(week) and first.pages >= 1
    pdf = BlobStore(tmp_path / "documents").get(first.sha256)
    assert pdf.startswith(b"%PDF")

    again, week_again = await run_digest(env, digest_worker)  # "produce it now" later the same week
    assert week_again == week
    assert again == first  # the same digest, figures as of the first run: not rendered again
    assert digests(engine) == [(first.sha256, digest_seq(week), digest_title(week))]
    item = queries.get_item(engine, DIGEST_ITEM_ID)
    assert item is not None and (item.item_type, item.phase, item.title) == ("board_digest", "open", "Board digests")
    assert item.summary["latest_digest"] == week


async def test_a_later_week_adds_a_digest_and_the_item_follows_it(env: WorkflowEnvironment, digest_worker: str, engine: Engine) -> None:
    first, _ = await run_digest(env, digest_worker)
    await env.sleep(timedelta(days=7))
    later, week = await run_digest(env, digest_worker)
    assert later.digest_id == week != first.digest_id
    assert later.as_of - first.as_of >= timedelta(days=7)
    assert {v for _, v, _ in digests(engine)} == {digest_seq(first.digest_id), digest_seq(later.digest_id)}
    item = queries.get_item(engine, DIGEST_ITEM_ID)
    assert item is not None and item.summary["latest_digest"] == later.digest_id


def test_overlapping_attempts_for_one_week_record_one_digest(engine: Engine, tmp_path: Path, font_cache: Path) -> None:
    """Attempts that overlap (a retry while a slow attempt still runs, each with its own moment in
    the week) may each render; the record is checked again under the item's lock, so one wins."""
    build(engine)
    activities = BoardActivities(engine, BlobStore(tmp_path / "documents"), font_cache)
    monday = datetime(2026, 11, 30, 6, tzinfo=UTC)
    requests = [DigestRequest(digest_id="2026-W49", as_of=monday + timedelta(hours=h)) for h in range(3)]
    with ThreadPoolExecutor(len(requests)) as pool:
        results = list(pool.map(activities._digest_sync, requests))
    assert len(set(map(DigestResult.model_dump_json, results))) == 1
    assert digests(engine) == [(results[0].sha256, 202649, "Board digest — week 49, 2026")]
    assert activities._digest_sync(requests[0]) == results[0]  # and a later retry returns it too
