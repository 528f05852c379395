"""Renders go to a task queue of their own (patch `documents-task-queue`), and `worker.py` serves
it: all in one process by default, or split between engine and documents workers."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain import activity_names as act
from domain.agreements import ApproveAction, Phase, PhaseAction, SignAction
from settings import Settings
from tests.workflows.conftest import spec
from tests.workflows.fakes import FakeActivities
from tests.workflows.test_agreement import start, state, wait_phase
from worker import build_workers
from workflows.agreement import AgreementWorkflow
from workflows.registry import ALL_WORKFLOWS


def name(fn: object) -> str:
    return activity._Definition.must_from_callable(fn).name  # type: ignore[arg-type]


async def test_an_agreement_renders_on_the_documents_queue_and_waits_for_it(env: WorkflowEnvironment) -> None:
    fakes = FakeActivities(client=env.client)
    queue = f"q-{uuid.uuid4()}"
    docs = [a for a in fakes.all() if name(a) in act.DOCUMENT_ACTIVITIES]
    engine_only = [a for a in fakes.all() if name(a) not in act.DOCUMENT_ACTIVITIES]
    assert {name(a) for a in docs} >= {act.COMPOSE_AGREEMENT_VERSION, act.RENDER_EXECUTED_AGREEMENT}
    s = spec(parties=2)
    async with Worker(env.client, task_queue=queue, workflows=ALL_WORKFLOWS, activities=engine_only):
        h = await start(env, queue, s)
        with env.auto_time_skipping_disabled():
            await asyncio.sleep(1.5)  # no documents worker yet: the first version waits for one, nothing fails
        assert (await state(h)).versions == []
        async with Worker(env.client, task_queue=act.documents_queue_for(queue), activities=docs):
            st = await wait_phase(h, Phase.REVIEW)
            await h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id=s.initiator.id))
            for p in s.parties:
                await h.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id=p.approvers[0].id, version_hash=st.current_hash))
            for p in s.parties:
                await h.execute_update(AgreementWorkflow.sign, SignAction(actor_id=p.signatories[0].id, version_hash=st.current_hash))
            st = await wait_phase(h, Phase.ACTIVE)
    assert st.executed_pdf_sha256 and len(fakes.executed) == 1
    history = await h.fetch_history()
    scheduled = {
        e.activity_task_scheduled_event_attributes.activity_type.name: e.activity_task_scheduled_event_attributes.task_queue.name
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    }
    assert scheduled[act.COMPOSE_AGREEMENT_VERSION] == scheduled[act.RENDER_EXECUTED_AGREEMENT] == f"{queue}-documents"
    assert scheduled[act.PROJECT_AGREEMENT] == queue


@pytest.mark.parametrize(
    ("serves", "queues"),
    [("all", ["helix-t", "helix-t-documents"]), ("engine", ["helix-t"]), ("documents", ["helix-t-documents"])],
)
async def test_a_worker_process_serves_what_it_is_told(env: WorkflowEnvironment, tmp_path: Path, serves: str, queues: list[str]) -> None:
    s = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'helix.db'}", task_queue="helix-t", worker_serves=serves)  # type: ignore[arg-type]
    workers = build_workers(env.client, s)
    assert [w.task_queue for w in workers] == queues
    docs_workers = [w for w in workers if w.task_queue.endswith("-documents")]
    for w in docs_workers:  # renders only, and every one of them
        assert set(w._activity_worker._activities) == set(act.DOCUMENT_ACTIVITIES)  # type: ignore[union-attr]


def test_a_render_worker_renders_on_every_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that only renders uses every CPU for renders; one that also runs the workflows half
    of them; an explicit HELIX_RENDER_THREADS wins over both."""
    from activities.documents import _render_threads

    monkeypatch.setattr("os.cpu_count", lambda: 8)
    monkeypatch.delenv("HELIX_RENDER_THREADS", raising=False)
    monkeypatch.setenv("HELIX_WORKER_SERVES", "documents")
    assert _render_threads() == 8
    monkeypatch.setenv("HELIX_WORKER_SERVES", "all")
    assert _render_threads() == 4
    monkeypatch.delenv("HELIX_WORKER_SERVES")
    assert _render_threads() == 4
    monkeypatch.setenv("HELIX_WORKER_SERVES", "documents")
    monkeypatch.setenv("HELIX_RENDER_THREADS", "3")
    assert _render_threads() == 3
