"""Two worker processes on one task queue, the read model on PostgreSQL, the real dev server.

Three lifecycles of each type (an MOU signed to its executed PDF; a student's credit transfer to
posted; a grant application to its award; a country release through its licence to released) are
driven through their human steps at once by `bench.engine`'s drivers, with two `python worker.py`
processes serving the queue and `DATABASE_URL` on a fresh PostgreSQL schema. Then: every lifecycle
completed; both workers ran activities and workflow tasks (the worker identity, `pid@host`, on each
`ActivityTaskStarted` and `WorkflowTaskStarted` of the histories); every item in the read model
matches its workflow's own state (phase and projected sequence); and no document was made twice
(one row per item, kind and version, one executed PDF per agreement in force, and no PDF in the
store that no document refers to).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowQueryFailedError
from temporalio.service import RPCError

from bench.engine import TYPES, EngineRun, activity_stats
from settings import get_settings
from store.blobs import BlobStore
from store.db import reading
from store.models import DocumentRow, ItemRow

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

N = 3  # of each type: twelve lifecycles, with the set-up's MOU and the children about forty workflows


def by_pid(identities: Counter[str], kind: str) -> Counter[int]:
    """Tasks of `kind` ("activity" or "workflow") started per worker process, from the `pid@host`
    identities (a task started with no identity, as the server records some, is not counted)."""
    out: Counter[int] = Counter()
    for key, n in identities.items():
        what, _, identity = key.partition(" ")
        pid = identity.split("@", 1)[0]
        if what == kind and "@" in identity and pid.isdigit():
            out[int(pid)] += n
    return out


async def workflow_ids(run: EngineRun) -> list[str]:
    assert run.client is not None
    return [w.id async for w in run.client.list_workflows()]


async def state_of(run: EngineRun, wid: str) -> dict[str, Any] | None:
    assert run.client is not None
    try:
        st = await run.client.get_workflow_handle(wid).query("state")
    except (RPCError, WorkflowQueryFailedError):
        return None  # no such workflow, or one without a state query (the ledgers answer other queries)
    return st if isinstance(st, dict) else None


def mismatch(item: Any, st: dict[str, Any] | None) -> str | None:
    if st is None:
        return None
    want = st.get("phase", st.get("stage"))
    if want is not None and item["phase"] != want:
        return f"phase {item['phase']} in SQL, {want} in the workflow"
    if "projected_seq" in st and item["projected_seq"] != st["projected_seq"]:
        return f"projected_seq {item['projected_seq']} in SQL, {st['projected_seq']} in the workflow"
    return None


async def mismatches(run: EngineRun, seconds: float = 30) -> dict[str, str]:
    """Items that differ from their workflow, after a bounded wait for projections still in flight."""
    assert run.engine is not None
    deadline = time.monotonic() + seconds
    while True:
        with reading(run.engine) as conn:
            items = conn.execute(select(ItemRow.__table__.c.item_id, ItemRow.__table__.c.phase,
                                        ItemRow.__table__.c.projected_seq)).mappings().all()  # fmt: skip
        found = {}
        for item in items:
            if (m := mismatch(item, await state_of(run, item["item_id"]))) is not None:
                found[item["item_id"]] = m
        if not found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(1)


async def test_two_workers_on_postgres(tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("HELIX_DATA_DIR", "DATABASE_URL", "TEMPORAL_ADDRESS", "HELIX_TASK_QUEUE"):
        monkeypatch.setenv(key, "")  # the run points them at its own folder and servers; restored afterwards
    run = EngineRun(tmp_path, N, server="memory", workers=2, database_url=postgres_url)
    try:
        await run.start()
        assert len(run.worker_procs) == 2
        inputs = await run.setup()
        await asyncio.wait_for(run.run_helix(inputs), timeout=240)

        lives = list(run.rec.lives.values())
        assert [f"{lf.lid}: {lf.error}" for lf in lives if lf.error] == []
        done = Counter(lf.kind for lf in lives if lf.t_end is not None)
        assert done == dict.fromkeys(TYPES, N)

        # both workers did work: activity and workflow tasks started by each process
        wids = await workflow_ids(run)
        histories = await run.histories(wids)
        _, _, identities = activity_stats(histories)
        pids = {p.pid for p in run.worker_procs}
        activities, tasks = by_pid(identities, "activity"), by_pid(identities, "workflow")
        assert set(activities) == pids, f"activity tasks per worker pid: {dict(activities)}; workers {pids}"
        assert set(tasks) == pids, f"workflow tasks per worker pid: {dict(tasks)}; workers {pids}; identities {dict(identities)}"
        total = sum(activities.values())
        assert min(activities.values()) >= 0.05 * total, f"one worker did almost nothing: {dict(activities)}"

        # the read model on PostgreSQL shows every workflow as it is
        assert await mismatches(run) == {}

        # no document twice
        assert run.engine is not None
        with reading(run.engine) as conn:
            docs = conn.execute(select(DocumentRow.__table__)).mappings().all()
            phases = dict(conn.execute(select(ItemRow.__table__.c.item_id, ItemRow.__table__.c.phase)).all())
        per = Counter((d["item_id"], d["kind"], d["version"]) for d in docs)
        assert {k: n for k, n in per.items() if n > 1} == {}
        executed = Counter(d["item_id"] for d in docs if d["kind"] == "executed")
        in_force = {i for i, ph in phases.items() if i.startswith("agreement-") and ph == "active"}
        assert set(executed) == in_force and set(executed.values()) == {1}
        assert len(in_force) >= 2 * N + 1  # the MOUs, the licences and the set-up's MOU
        store = get_settings().documents_dir
        assert store == run.data_dir / "documents"
        pdfs = {p.name for p in store.glob("??/??/*") if p.is_file() and p.read_bytes()[:5] == b"%PDF-"}
        referenced = {d["sha256"] for d in docs}
        assert pdfs - referenced == set(), "a PDF in the store that no document refers to: a second render"
        blobs = BlobStore(store)
        assert all(blobs.has(sha) for sha in referenced)
    finally:
        run.stop()
        get_settings.cache_clear()
