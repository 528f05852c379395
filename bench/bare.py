"""The bare Temporal workflow `bench/engine.py` measures Helix against.

One `BenchBare` workflow stands for one Helix lifecycle: it runs the same number of activities at
its start and in each of its updates as the lifecycle's workflows did (counted from their
histories), and the same number of updates reach it, one after another, as the driver sent to the
lifecycle. Every activity is a no-op except the last of each step, which upserts the workflow's
step counter into a one-table SQLite "read model" (`bare_item`), so "accepted update → read model
shows it" is measured exactly as for Helix. No validators, locks, timers, PDFs or mail: what is
left is Temporal itself (history, workflow tasks, activity round trips) and a minimal projection.

Run as a worker process by the benchmark:

    python -m bench.bare --address 127.0.0.1:7233 --db /tmp/x/bare.db [--max-workflow-tasks 8 --max-activities 32]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.worker import Worker

TASK_QUEUE = "bench-bare"
TIMEOUT = timedelta(seconds=30)
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
SCHEMA = "CREATE TABLE IF NOT EXISTS bare_item (item_id TEXT PRIMARY KEY, phase TEXT NOT NULL, projected_seq INTEGER NOT NULL)"


@dataclass
class BarePlan:
    """Activities at the start, then per update (each at least one: the projection)."""

    start: int
    updates: list[int] = field(default_factory=list)


@dataclass
class Projection:
    item_id: str
    seq: int
    phase: str


@workflow.defn(name="BenchBare")
class BareWorkflow:
    def __init__(self) -> None:
        self.seq = 0
        self.step = 0
        self.plan: BarePlan | None = None
        self.lock = asyncio.Lock()

    @workflow.run
    async def run(self, plan: BarePlan) -> int:
        self.plan = plan
        async with self.lock:
            await self._activities(plan.start, "open" if plan.updates else "done")
        await workflow.wait_condition(lambda: self.step >= len(plan.updates) and workflow.all_handlers_finished())
        return self.seq

    @workflow.update
    async def act(self, index: int) -> int:
        await workflow.wait_condition(lambda: self.plan is not None)
        assert self.plan is not None
        async with self.lock:
            n = self.plan.updates[index] if index < len(self.plan.updates) else 1
            self.step = index + 1
            await self._activities(n, "done" if self.step >= len(self.plan.updates) else "open")
            return self.seq

    async def _activities(self, n: int, phase: str) -> None:
        for _ in range(max(n, 1) - 1):
            await workflow.execute_activity(noop, start_to_close_timeout=TIMEOUT, retry_policy=RETRY)
        self.seq += 1
        await workflow.execute_activity(project, Projection(workflow.info().workflow_id, self.seq, phase),
                                        start_to_close_timeout=TIMEOUT, retry_policy=RETRY)  # fmt: skip


@activity.defn(name="bench_noop")
async def noop() -> None:
    return None


class _Db:
    path = ""
    local = threading.local()

    @classmethod
    def conn(cls) -> sqlite3.Connection:
        c = getattr(cls.local, "conn", None)
        if c is None:
            c = sqlite3.connect(cls.path, timeout=30, isolation_level=None, check_same_thread=False)
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=NORMAL")
            cls.local.conn = c
        return c


def _upsert(p: Projection) -> None:
    _Db.conn().execute(
        "INSERT INTO bare_item (item_id, phase, projected_seq) VALUES (?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET"
        " phase = excluded.phase, projected_seq = excluded.projected_seq WHERE bare_item.projected_seq <= excluded.projected_seq",
        (p.item_id, p.phase, p.seq),
    )


@activity.defn(name="bench_project")
async def project(p: Projection) -> None:
    """As Helix's projections: an upsert ordered by the sequence, off the event loop."""
    await asyncio.to_thread(_upsert, p)


def create_schema(path: str) -> None:
    with sqlite3.connect(path) as c:
        c.execute("PRAGMA journal_mode=WAL")
        c.execute(SCHEMA)


async def serve(address: str, db: str, task_queue: str, max_workflow_tasks: int | None = None, max_activities: int | None = None) -> None:
    """Serve `task_queue`; the limits, when given, are the Helix workers' (worker.py's build_workers),
    so that the comparison is of the same concurrency (unset: the SDK's defaults)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    _Db.path = db
    create_schema(db)
    client = await Client.connect(address)
    caps: dict[str, int] = {}
    if max_workflow_tasks:
        caps["max_concurrent_workflow_tasks"] = max_workflow_tasks
    if max_activities:
        caps["max_concurrent_activities"] = max_activities
    worker = Worker(client, task_queue=task_queue, workflows=[BareWorkflow], activities=[noop, project], **caps)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        logging.getLogger("bench.bare").info("worker polling task queue %r; limits %s", task_queue, caps or "the SDK's defaults")
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bare")
    parser.add_argument("--address", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--task-queue", default=TASK_QUEUE)
    parser.add_argument("--max-workflow-tasks", type=int, help="max_concurrent_workflow_tasks (default: the SDK's)")
    parser.add_argument("--max-activities", type=int, help="max_concurrent_activities (default: the SDK's)")
    args = parser.parse_args()
    asyncio.run(serve(args.address, args.db, args.task_queue, args.max_workflow_tasks, args.max_activities))


if __name__ == "__main__":
    main()
