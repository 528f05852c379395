"""Benchmark: the real engine end to end — N concurrent lifecycles of each type through their human steps.

    python -m bench.engine --n 100 [--n 1000] [--server memory|sqlite] [--workers 1|2 | --split] [--no-bare]

Starts the Temporal dev server (`temporal server start-dev` on free ports; `memory`: no database
file, `sqlite`: `--db-filename <tmp>/temporal.db`), a fresh read model (SQLite in a temporary
folder) with the demo directory, and 1 or 2 `python worker.py` processes with `HELIX_DATA_DIR`,
`DATABASE_URL` and `TEMPORAL_ADDRESS` set, as in production. Set-up (not timed): the KAFA–VGIK MOU
signed and in force, the program loaded, the fund opened (budget and reviewer pool scaled to N),
the festival opened with N/10 synthetic films, the font cache warm. Then, all at once, N of each:

* agreement — the two-party Korea–Kazakhstan MOU (English and Russian): close review → approve ×2
  → sign ×2 → executed PDF sealed → active;
* credit_transfer — enrol a student, request a transfer of three courses → department decides
  each → home registrar approves → partner registrar confirms → ministry authorizes → posted;
* grant_application — submit → eligible → screen → panel of three assigned → score ×3 → vote ×3
  (the third decides: ledger commit, grant started, award letter) → awarded;
* country_release — the festival office records an award (one per film, fanning out to ten
  countries) → recommendation letter → acknowledge → classify → import quota where the country
  needs one (CN, IR) → subsidy skipped → propose a licence (rights reserved in the film's rights
  ledger; a licence agreement child starts) → the licence agreement closed, approved ×2, signed ×2,
  executed → schedule → confirm → released. The full path: it runs every activity type of the
  release and of its licence (no shorter path reaches `rights_operation`).

Every human step is a workflow update (`start_update(wait_for_stage=ACCEPTED)`, then its result);
after each one the driver polls the read model (`item.projected_seq`, every `--poll-ms`) until it
moves past what it was before the update was sent. Measured: lifecycles per second per type and
overall (first start to last completion), per step p50/p95 of "sent → accepted", "sent → done" and
"accepted → the read model shows it", the waits between steps (first version composed, executed
PDF, recommendation letter, …), per activity type from the workflows' histories (queue time and run
time), and the workers' peak RSS (VmHWM) and CPU seconds.

Then the same run on a BARE workflow (`bench/bare.py`) on its own worker processes (as many): per
lifecycle type, the same number of updates, and per step the same number of activities as that
lifecycle's workflows ran (counted from their histories; no-ops, the last of each step upserting a
one-table SQLite read model), driven and measured the same way. The ratio Helix / bare of the wall
time is printed beside the goal of ≤ 1.3×, and the p95 of "accepted → read model" beside ≤ 300 ms at
100 concurrent. JSON goes to `bench/results/engine-<server>-n<N>-w<W>.json`; a table is printed.
The machine's load average is recorded before and after: figures on a busy machine are slower.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from sqlalchemy import Engine, bindparam, create_engine, text  # noqa: E402
from temporalio.api.enums.v1 import EventType  # noqa: E402
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, GetSystemInfoRequest  # noqa: E402
from temporalio.client import (  # noqa: E402
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowUpdateFailedError,
    WorkflowUpdateStage,
)
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter  # noqa: E402
from temporalio.service import RPCError, RPCStatusCode  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DEMO = ROOT / "demo"
GOAL_RATIO = 1.3
GOAL_VISIBLE_P95_MS = 300.0
TYPES = ("agreement", "credit_transfer", "grant_application", "country_release")
END_PHASE = {"agreement": "active", "credit_transfer": "posted", "grant_application": "awarded", "country_release": "released"}
AWARD = "80000"
ADMIN = "liu-yang"
BOARD = ("board-ahmed", "board-sato", "board-mirzaeva")
DISTRIBUTORS = {"RU": "neva-distribution", "UZ": "silk-screen", "IN": "lotus-screens", "CN": "haiyan-pictures", "KR": "cj-dist"}
BENCH_COUNTRIES = ("KG", "TJ", "PK", "IR", "BY")  # release countries without a distributor in the demo directory
TASK_QUEUE = "helix"
FONT_CACHE = Path(tempfile.gettempdir()) / "helix-bench-fonts-cache"  # derived once per machine, copied into each run


# ---------------------------------------------------------------- small helpers


def now() -> float:
    return time.time()


def pct(values: Iterable[float], p: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    v = sorted(values)
    if not v:
        return None
    return v[max(0, math.ceil(p / 100 * len(v)) - 1)]


def ms(x: float | None) -> float | None:
    return None if x is None else round(x * 1000, 1)


def dist(values: list[float]) -> dict[str, Any]:
    """count, p50, p95, max and mean of durations in seconds, as milliseconds."""
    return {"n": len(values), "p50_ms": ms(pct(values, 50)), "p95_ms": ms(pct(values, 95)),
            "max_ms": ms(max(values) if values else None), "mean_ms": ms(statistics.fmean(values) if values else None)}  # fmt: skip


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()]
    except (OSError, ValueError):
        return []


def _one(pid: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmHWM:", "VmRSS:")):
                out[line.split(":")[0]] = round(int(line.split()[1]) / 1024, 1)
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        out["cpu_s"] = round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1)
    except (OSError, IndexError, ValueError):
        pass
    return out


def proc_status(pid: int) -> dict[str, Any]:
    """Peak RSS (VmHWM, MiB) and CPU seconds (user + system) of a live process, with its child
    processes (a worker's render processes) added in: `children` counts them."""
    out: dict[str, Any] = {"pid": pid, **_one(pid)}
    kids = [_one(c) for c in _children(pid)]
    if kids:
        out["children"] = len(kids)
        out["render_cpu_s"] = round(sum(c.get("cpu_s", 0) for c in kids), 1)  # the render processes alone
        for k in ("VmHWM", "VmRSS", "cpu_s"):
            out[k] = round(out.get(k, 0) + sum(c.get(k, 0) for c in kids), 1)
    return out


def stop_if_cancelled() -> None:
    """Temporal's client reports a call cut short by the task's cancellation as the same
    `RPCTimeoutOrCancelledError` as a timed-out long poll: a driver told to stop (the time limit, a
    stall) must not take it for a timeout and retry."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def quiet_runtime() -> Runtime:
    return Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"))))


def transient(e: BaseException) -> bool:
    if isinstance(e, RPCTimeoutOrCancelledError):
        stop_if_cancelled()
        return True
    if isinstance(e, RPCError):
        if e.status is RPCStatusCode.FAILED_PRECONDITION:
            return "workflow task in failed state" in str(e).lower()
        return e.status in {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.RESOURCE_EXHAUSTED,
                            RPCStatusCode.ABORTED, RPCStatusCode.CANCELLED, RPCStatusCode.INTERNAL}  # fmt: skip
    return isinstance(e, ConnectionError)


def worker_config() -> dict[str, Any]:
    """The limits each worker process runs under, read from the settings the workers get (their
    environment is this process's, with the run's folder, database and server)."""
    from activities.documents import _render_threads
    from settings import get_settings

    s = get_settings()
    return {"workflow_tasks": s.worker_workflow_tasks, "activities": s.worker_activities, "render_threads": _render_threads(),
            "payloads_encrypted": s.encrypts_payloads, "payloads_compressed_from_bytes": s.payload_compress_bytes or None,
            "set_by": {k: os.environ[k] for k in ("HELIX_WORKER_WORKFLOW_TASKS", "HELIX_WORKER_ACTIVITIES", "HELIX_RENDER_THREADS",
                                                  "HELIX_PAYLOAD_COMPRESS_BYTES")
                       if os.environ.get(k)} or "defaults"}  # fmt: skip


def git_revision() -> str | None:
    """The commit measured, with `+changes` when the working tree differs from it (None outside git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def configure_settings(data_dir: Path, database_url: str, address: str, task_queue: str = "helix") -> None:
    """Point this process's settings (which the services read) at the run's data folder and servers."""
    from settings import get_settings

    os.environ.update({"HELIX_DATA_DIR": str(data_dir), "DATABASE_URL": database_url, "TEMPORAL_ADDRESS": address,
                       "HELIX_TASK_QUEUE": task_queue})  # fmt: skip
    get_settings.cache_clear()


# ---------------------------------------------------------------- the processes


class Cluster:
    """The dev server and worker processes, each in its own process group, on 127.0.0.1 only."""

    def __init__(self, tmp: Path, server: str, log: Callable[[str], None] = print) -> None:
        self.tmp, self.server_kind, self.log = tmp, server, log
        self.port, self.http_port, self.metrics_port = free_port(), free_port(), free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.server: subprocess.Popen[bytes] | None = None
        self.workers: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start_server(self) -> None:
        from settings import installed_binary

        binary = installed_binary("temporal")
        if not binary:
            raise SystemExit("error: 'temporal' is not installed; run scripts/install.sh")
        cmd = [binary, "server", "start-dev", "--ip", "127.0.0.1", "--port", str(self.port), "--headless",
               "--http-port", str(self.http_port), "--metrics-port", str(self.metrics_port), "--log-level", "warn",
               "--dynamic-config-value", "history.maxInFlightUpdates=100"]  # fmt: skip
        if self.server_kind == "sqlite":
            cmd += ["--db-filename", str(self.tmp / "temporal.db")]
        out = open(self.tmp / "temporal.log", "ab")
        self.server = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()

    async def connect(self, data_converter: Any = None, seconds: float = 60) -> Client:
        deadline = time.monotonic() + seconds
        while True:
            assert self.server is not None
            if self.server.poll() is not None:
                raise RuntimeError(f"the Temporal dev server exited with status {self.server.returncode}; see {self.tmp}/temporal.log")
            try:
                kw: dict[str, Any] = {"runtime": quiet_runtime()}
                if data_converter is not None:
                    kw["data_converter"] = data_converter
                client = await Client.connect(self.address, **kw)
                await client.workflow_service.get_system_info(GetSystemInfoRequest(), timeout=timedelta(seconds=3))
                await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace="default"),
                                                                  timeout=timedelta(seconds=3))  # fmt: skip
                return client
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.3)

    def start_worker(self, cmd: list[str], env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
        logf = self.tmp / f"{name}.log"
        out = open(logf, "ab")
        p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        self.workers.append((p, logf))
        return p

    def helix_workers(self, n: int, data_dir: Path, database_url: str, task_queue: str = "helix",
                      serves: list[str] | None = None) -> list[subprocess.Popen[bytes]]:
        """`serves`: each worker's HELIX_WORKER_SERVES (default: all of them `all`)."""
        # the caller's HELIX_ settings (worker caps, render threads, payload key: the driver's converter
        # uses the same) reach the workers; the data folder, database and server are the run's own
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
        env |= {"HELIX_DATA_DIR": str(data_dir), "DATABASE_URL": database_url, "TEMPORAL_ADDRESS": self.address,
                "HELIX_TASK_QUEUE": task_queue, "PYTHONUNBUFFERED": "1"}  # fmt: skip
        serves = serves or ["all"] * n
        return [self.start_worker([sys.executable, str(ROOT / "worker.py")], env | {"HELIX_WORKER_SERVES": serves[i]}, f"worker-{i + 1}")
                for i in range(n)]  # fmt: skip

    def bare_workers(self, n: int, db: Path, caps: dict[str, int] | None = None) -> list[subprocess.Popen[bytes]]:
        """`caps`: the Helix workers' concurrency limits, so both runs are held to the same."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        cmd = [sys.executable, "-m", "bench.bare", "--address", self.address, "--db", str(db)]
        if caps:
            cmd += ["--max-workflow-tasks", str(caps["workflow_tasks"]), "--max-activities", str(caps["activities"])]
        return [self.start_worker(cmd, env, f"bare-worker-{i + 1}") for i in range(n)]

    async def ready(self, procs: list[subprocess.Popen[bytes]], seconds: float = 180) -> None:
        """Until every one of `procs` logs that it polls its task queue."""
        logs = {p.pid: f for p, f in self.workers}
        deadline = time.monotonic() + seconds
        while True:
            waiting = []
            for p in procs:
                if p.poll() is not None:
                    raise RuntimeError(f"worker {p.pid} exited with status {p.returncode}; see {logs[p.pid]}")
                if b"polling task queue" not in logs[p.pid].read_bytes():
                    waiting.append(p)
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(waiting)} workers not polling within {seconds:.0f} s; see {self.tmp}")
            await asyncio.sleep(0.3)

    def stop_workers(self, procs: list[subprocess.Popen[bytes]]) -> None:
        for p in procs:
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=40)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def stop(self) -> None:
        self.stop_workers([p for p, _ in self.workers])
        if self.server is not None and self.server.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()


# ---------------------------------------------------------------- what is recorded


@dataclass
class UpdateRecord:
    kind: str
    lid: str
    wid: str
    step: str
    t_send: float
    t_acc: float
    t_done: float
    t_vis: float
    attempts: int = 1


@dataclass
class WaitRecord:
    kind: str
    lid: str
    step: str
    seconds: float


@dataclass
class Life:
    kind: str
    lid: str
    t_start: float
    wids: list[str] = field(default_factory=list)  # the workflows whose work the lifecycle waits on, in order
    t_end: float | None = None
    error: str | None = None


class Recorder:
    def __init__(self) -> None:
        self.updates: list[UpdateRecord] = []
        self.waits: list[WaitRecord] = []
        self.lives: dict[str, Life] = {}

    def life(self, kind: str, lid: str, t_start: float) -> Life:
        life = Life(kind, lid, t_start)
        self.lives[lid] = life
        return life


# ---------------------------------------------------------------- the read model, watched


class Watcher:
    """One poller of the read model for every waiting driver: every `poll` seconds, while anyone waits,
    one query reads (phase, projected_seq) of the items waited on; each waiter whose condition holds
    is woken with the time of that read (resolution: the poll interval plus the query)."""

    def __init__(self, engine: Engine, table: str = "item", poll: float = 0.01) -> None:
        self.engine, self.poll = engine, poll
        self.query = text(f"SELECT item_id, phase, projected_seq FROM {table} WHERE item_id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        self.one = text(f"SELECT phase, projected_seq FROM {table} WHERE item_id = :id")
        self.waiters: dict[str, list[tuple[Callable[[str | None, int], bool], asyncio.Future[tuple[str | None, int, float]]]]] = defaultdict(list)
        self.task: asyncio.Task[None] | None = None
        self.polls = 0

    def start(self) -> None:
        self.task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    def _read(self, ids: list[str]) -> dict[str, tuple[str, int]]:
        out: dict[str, tuple[str, int]] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                for r in conn.execute(self.query, {"ids": ids[i : i + 500]}):
                    out[r[0]] = (r[1], int(r[2]))
        return out

    def current(self, item_id: str) -> tuple[str | None, int]:
        with self.engine.connect() as conn:
            r = conn.execute(self.one, {"id": item_id}).first()
        return (None, -1) if r is None else (r[0], int(r[1]))

    async def _loop(self) -> None:
        while True:
            if self.waiters:
                ids = list(self.waiters)
                try:
                    rows = await asyncio.to_thread(self._read, ids)
                except Exception:  # noqa: BLE001 - a busy database: read again next time
                    rows = {}
                t = now()
                self.polls += 1
                for item_id in ids:
                    phase, seq = rows.get(item_id, (None, -1))
                    keep = []
                    for pred, fut in self.waiters.get(item_id, []):
                        if fut.done():
                            continue
                        if pred(phase, seq):
                            fut.set_result((phase, seq, t))
                        else:
                            keep.append((pred, fut))
                    if keep:
                        self.waiters[item_id] = keep
                    else:
                        self.waiters.pop(item_id, None)
            await asyncio.sleep(self.poll)

    async def wait(self, item_id: str, pred: Callable[[str | None, int], bool], timeout: float = 900) -> tuple[str | None, int, float]:
        fut: asyncio.Future[tuple[str | None, int, float]] = asyncio.get_running_loop().create_future()
        self.waiters[item_id].append((pred, fut))
        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            phase, seq = await asyncio.to_thread(self.current, item_id)
            raise TimeoutError(f"{item_id}: the read model did not reach the expected state in {timeout:.0f} s (now {phase}, seq {seq})") from None


# ---------------------------------------------------------------- sending updates


class Sender:
    """Human actions as workflow updates, timed at each stage, and waits on the read model."""

    def __init__(self, client: Client, engine: Engine, watcher: Watcher, rec: Recorder) -> None:
        self.client, self.engine, self.watcher, self.rec = client, engine, watcher, rec

    async def update(self, kind: str, lid: str, wid: str, step: str, method: Any, arg: Any, update_id: str,
                     watch: str | None = None, seconds: float = 900) -> Any:  # fmt: skip
        """Send `arg` to `method` on `wid`; wait for its acceptance, its result, and the read model row
        `watch` (default `wid`) showing a projection after it. Refusals "still being prepared" are
        retried, as a person would click again."""
        watch = watch or wid
        _, seq0 = await asyncio.to_thread(self.watcher.current, watch)
        handle = self.client.get_workflow_handle(wid)
        deadline = time.monotonic() + seconds
        attempts = 0
        t_send: float | None = None
        while True:
            attempts += 1
            t_send = t_send or now()
            try:
                uh = await handle.start_update(method, arg, id=update_id, wait_for_stage=WorkflowUpdateStage.ACCEPTED)
            except WorkflowUpdateFailedError as e:
                msg = getattr(e.cause, "message", None) or str(e.cause)
                if "still being prepared" in msg and time.monotonic() < deadline:
                    t_send = None  # refused: the next attempt is a new click
                    await asyncio.sleep(0.5)
                    continue
                raise RuntimeError(f"{wid}: {step} refused: {msg}") from None
            except (RPCError, RPCTimeoutOrCancelledError) as e:
                # the same update id again: the server answers a repeat with the first one's handle
                if transient(e) and time.monotonic() < deadline:
                    await asyncio.sleep(0.5)
                    continue
                raise
            t_acc = now()
            visible = asyncio.create_task(self.watcher.wait(watch, lambda _p, s: s > seq0, seconds))
            try:
                while True:
                    try:
                        result = await uh.result()
                        break
                    except RPCTimeoutOrCancelledError:  # a long poll for the outcome gave up: poll again
                        stop_if_cancelled()
                        if time.monotonic() > deadline:
                            raise
            except BaseException:
                visible.cancel()
                raise
            t_done = now()
            _, _, t_vis = await visible
            self.rec.updates.append(UpdateRecord(kind, lid, wid, step, t_send, t_acc, t_done, t_vis, attempts))
            return result

    async def act(self, kind: str, lid: str, wid: str, actor: str, name: str, fields: dict[str, Any], key: str,
                  step: str | None = None, watch: str | None = None) -> Any:  # fmt: skip
        """One person's action by name, through the services' own parsing and action tables."""
        from services import actions

        data = {"actor_id": actor, **fields}
        if name == "propose_licence":  # reads the directory: off the event loop
            action = await asyncio.to_thread(actions.parse_action, wid, name, data, self.engine)
        else:
            action = actions.parse_action(wid, name, data, engine=self.engine)
        return await self.update(kind, lid, wid, step or name, update_method(wid, name), action, f"bench-{wid}-{key}", watch)

    async def wait(self, kind: str, lid: str, step: str, wid: str, pred: Callable[[str | None, int], bool], seconds: float = 900) -> tuple[str | None, int, float]:
        t0 = now()
        got = await self.watcher.wait(wid, pred, seconds)
        self.rec.waits.append(WaitRecord(kind, lid, step, got[2] - t0))
        return got

    async def wait_item(self, kind: str, lid: str, step: str, wid: str, ok: Callable[[Any], bool], seconds: float = 900) -> Any:
        """Until the item's whole row satisfies `ok` (read again each time its sequence moves)."""
        from store import queries

        t0 = now()
        deadline = time.monotonic() + seconds
        before = -2
        while True:
            # the row is read again when its sequence moves, and every 2 s in any case
            with contextlib.suppress(TimeoutError):
                await self.watcher.wait(wid, lambda _p, s, b=before: s > b, min(2.0, max(0.1, deadline - time.monotonic())))
            item = await asyncio.to_thread(queries.get_item, self.engine, wid)
            if item is not None and ok(item):
                self.rec.waits.append(WaitRecord(kind, lid, step, now() - t0))
                return item
            if time.monotonic() > deadline:
                raise TimeoutError(f"{wid}: the read model did not show {step} within {seconds:.0f} s (now {item.phase if item else 'absent'})")
            before = item.projected_seq if item is not None else -1


def update_method(wid: str, name: str) -> Any:
    from services import agreements, grants, programs, releases

    if wid.startswith("agreement-"):
        return agreements.ACTIONS[name][0]
    for svc in (grants, releases, programs):
        if svc.LIFECYCLE.handles(wid):
            return svc.LIFECYCLE.table(wid)[0][name][0]
    raise KeyError(wid)


# ---------------------------------------------------------------- the set-up


def bench_directory(n: int) -> dict[str, Any]:
    """A distributor (approver and signatory) in each release country the demo directory lacks one
    for, and reviewers enough for 3 × n open reviews at 100 each."""
    orgs: list[dict[str, Any]] = [{"id": "bench-review-pool", "names": {"en": "Bench Review Pool"}, "kind": "film_body", "country": "MN"}]
    people: list[dict[str, Any]] = []
    for c in BENCH_COUNTRIES:
        org = f"bench-dist-{c.lower()}"
        orgs.append({"id": org, "names": {"en": f"Bench Distribution {c}"}, "kind": "distributor", "country": c})
        people.append({"id": f"{org}-md", "name": f"Managing Director {c}", "email": f"md@{org}.bench.example", "title": "Managing Director",
                       "organisation_id": org, "roles": [{"role": "approver", "organisation_id": org},
                                                         {"role": "signatory", "organisation_id": org}]})  # fmt: skip
    for i in range(math.ceil(3 * n / 100) + 1):
        people.append({"id": f"bench-reviewer-{i:03d}", "name": f"Bench Reviewer {i}", "email": f"r{i}@review.bench.example",
                       "title": "Reviewer", "organisation_id": "bench-review-pool", "roles": [{"role": "reviewer"}]})  # fmt: skip
    return {"organisations": orgs, "people": people}


def distributor(country: str) -> str:
    return DISTRIBUTORS.get(country) or f"bench-dist-{country.lower()}"


def warm_fonts(cache: Path) -> float:
    """Derive every small face the renderer may use into `cache` (once per machine); seconds taken."""
    from documents.fonts import fontset

    t0 = time.perf_counter()
    for face in fontset(cache).by_name().values():
        face.ready()
    return round(time.perf_counter() - t0, 1)


@dataclass
class Inputs:
    agreements: list[Any]
    students: list[tuple[str, Any]]  # (workflow id, StudentRecordInput)
    applications: list[tuple[str, Any]]  # (workflow id, GrantApplicationInput)
    films: list[str]
    edition_id: str
    closes_on: date


class EngineRun:
    """One run of the Helix lifecycles (and, after them, of the bare workflow) against one cluster."""

    def __init__(self, tmp: Path, n: int, server: str = "memory", workers: int = 1, database_url: str | None = None,
                 poll_ms: float = 10, window: int = 0, stall_seconds: float = 300,
                 log: Callable[[str], None] | None = None, split: bool = False) -> None:  # fmt: skip
        self.tmp, self.n, self.workers, self.poll = tmp, n, workers, poll_ms / 1000
        # split: the first worker serves the workflows and their projections, the second only renders
        self.serves = ["engine", "documents"] if split else ["all"] * workers
        self.window, self.stall_seconds = window, stall_seconds
        # per type, at most `window` lifecycles between their start and their first projection (0: no limit)
        self.admission = {k: asyncio.Semaphore(window) for k in TYPES} if window > 0 else None
        self.stalled: str | None = None
        self.unfinished: list[dict[str, Any]] = []
        self.time_limit: float | None = None
        self.data_dir = tmp / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.database_url = database_url or f"sqlite:///{self.data_dir / 'helix.db'}"
        self.t0 = time.monotonic()
        self.log = log or (lambda m: print(f"[{time.monotonic() - self.t0:7.1f}s] {m}", flush=True))
        self.cluster = Cluster(tmp, server, self.log)
        self.rec = Recorder()
        self.client: Client | None = None
        self.engine: Engine | None = None
        self.worker_procs: list[subprocess.Popen[bytes]] = []
        self.today = date.today()
        self.worker_config: dict[str, Any] = {}
        self.fund_id = ""
        self.festival_wid = ""

    # ---- start and stop

    async def start(self, warm_font_cache: bool = True) -> None:
        from settings import get_settings
        from store import accounts
        from store.db import init_db, make_engine
        from store.directory import load_directory

        configure_settings(self.data_dir, self.database_url, self.cluster.address, TASK_QUEUE)
        self.worker_config = worker_config()
        self.cluster.start_server()
        self.engine = make_engine(self.database_url)
        init_db(self.engine)
        from argon2 import PasswordHasher

        accounts._default_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # the accounts are never used here
        load_directory(self.engine, DEMO / "directory.yaml")
        extra = self.tmp / "bench-directory.yaml"
        extra.write_text(yaml.safe_dump(bench_directory(self.n), allow_unicode=True))
        load_directory(self.engine, extra)
        if warm_font_cache:
            took = await asyncio.to_thread(warm_fonts, FONT_CACHE)
            if took > 5:
                self.log(f"font cache derived in {took} s (once per machine, {FONT_CACHE})")
            shutil.copytree(FONT_CACHE, self.data_dir / "fonts-cache", dirs_exist_ok=True)
        self.client = await self.cluster.connect(get_settings().data_converter())
        self.worker_procs = self.cluster.helix_workers(self.workers, self.data_dir, self.database_url, serves=self.serves)
        await self.cluster.ready(self.worker_procs)
        self.log(f"Temporal dev server ({self.cluster.server_kind}) on {self.cluster.address}, {self.workers} worker(s) polling")

    def stop(self) -> None:
        self.cluster.stop()
        if self.engine is not None:
            from store.db import dispose_engine

            dispose_engine(self.engine)

    def other_cpu(self) -> dict[str, Any]:
        """CPU seconds so far of the dev server and of this process (the drivers and the read-model poller)."""
        import resource

        ru = resource.getrusage(resource.RUSAGE_SELF)
        server = proc_status(self.cluster.server.pid) if self.cluster.server is not None else {}
        return {"temporal_server": server.get("cpu_s"), "bench_driver": round(ru.ru_utime + ru.ru_stime, 1)}

    def worker_figures(self, procs: list[subprocess.Popen[bytes]]) -> dict[str, Any]:
        each = [proc_status(p.pid) for p in procs]
        return {"workers": each, "peak_rss_mb_sum": round(sum(w.get("VmHWM", 0) for w in each), 1),
                "cpu_s_sum": round(sum(w.get("cpu_s", 0) for w in each), 1),
                "render_cpu_s_sum": round(sum(w.get("render_cpu_s", 0) for w in each), 1)}  # fmt: skip

    # ---- the set-up (not timed)

    async def setup(self) -> Inputs:
        from demo import grants as demo_grants
        from demo import programs as demo_programs
        from services import agreements as asvc
        from services import grants as gsvc
        from services import programs as psvc
        from services import releases as rsvc
        from workflows.grant_application import application_workflow_id
        from workflows.student_record import record_workflow_id

        assert self.client is not None and self.engine is not None
        watcher = Watcher(self.engine, poll=self.poll)
        watcher.start()
        sender = Sender(self.client, self.engine, watcher, Recorder())  # set-up steps are not counted
        # the MOU the joint program rests on, in force
        mou = asvc.read_agreement_file(DEMO / "agreements" / "7-dual-degree-kafa-vgik.yaml")
        wid = await asvc.start_agreement(self.client, asvc.build_spec(self.engine, mou))
        await self.drive_agreement(sender, "setup", "setup-mou", wid)
        await asyncio.to_thread(psvc.load_program, self.engine, demo_programs.PROGRAM_FILE)
        # the fund: a budget for every award, and a reviewer pool for every panel at once
        f = demo_grants.open_around_today(gsvc.read_fund_file(demo_grants.FUND_FILE), self.today)
        budget = Decimal(AWARD) * self.n + Decimal(1_000_000)
        sponsors = (f.fund.sponsors[0].model_copy(update={"contribution": budget - Decimal(400_000)}),
                    f.fund.sponsors[1].model_copy(update={"contribution": Decimal(400_000)}))  # fmt: skip
        reviewers = [r.model_copy(update={"max_load": 100}) for r in f.reviewers]
        reviewers += [gsvc.ReviewerEntry(person=p["id"], expertise=["drama", "feature", "documentary"], languages=["en"], max_load=100)
                      for p in bench_directory(self.n)["people"] if p["id"].startswith("bench-reviewer-")]  # fmt: skip
        f = f.model_copy(update={"fund": f.fund.model_copy(update={"budget": budget, "sponsors": sponsors}), "reviewers": reviewers})
        d = await gsvc.open_fund_file(self.client, self.engine, f)
        self.fund_id = d.fund.id
        # the festival, with a film for every ten releases
        ff = rsvc.read_festival_file(DEMO / "releases" / "festival-2026.yaml")
        template = next(x for x in ff.films if x.id == "steppe-wind")
        films = [template.model_copy(update={"id": f"bench-film-{i:04d}", "english_title": f"The Steppe Wind {i}", "eidr_id": None})
                 for i in range(math.ceil(self.n / 10))]  # fmt: skip
        ff = ff.model_copy(update={"films": [*ff.films, *films]})
        self.festival_wid = await rsvc.open_festival_file(self.client, self.engine, ff)
        await watcher.wait(self.festival_wid, lambda p, s: p is not None, 300)
        # the start inputs, checked and built as the services do (client-side work, not timed)
        spec = asvc.build_spec(self.engine, asvc.read_agreement_file(DEMO / "agreements" / "4-coproduction-kr-kz.yaml"))
        specs = [spec.model_copy(update={"id": f"bench-mou-{i:04d}", "title": f"Korea–Kazakhstan Film Co-production MOU No. {i}"})
                 for i in range(self.n)]  # fmt: skip
        people = [s[0] for s in demo_programs.STUDENTS]
        students = []
        for i in range(self.n):
            sid = f"bench-{i:04d}-{people[i % len(people)]}"
            sf = psvc.StudentFile(student_id=sid, person=people[i % len(people)], program_id=demo_programs.PROGRAM_ID,
                                  home_institution_id="kafa", enrolled_term="2026-spring",
                                  terms_abroad=[{"institution_id": "vgik", "term": "2026-fall"}],
                                  posted=demo_programs.first_term("2026-spring"))  # fmt: skip
            students.append((record_workflow_id(sid), await asyncio.to_thread(psvc.build_enrolment, self.engine, sf)))
        app_file = gsvc.read_application_file(DEMO / "grants" / "applications" / "1-in-kz-drama.yaml")
        applications = []
        for i in range(self.n):
            app = dict(app_file.application)
            app["id"] = f"bench-app-{i:04d}"
            app["project"] = {**app["project"], "title": f"The Long Steppe, part {i}"}
            inp = await asyncio.to_thread(gsvc.build_submission, self.engine, app_file.model_copy(update={"application": app}))
            applications.append((application_workflow_id(app["id"]), inp))
        await watcher.stop()
        return Inputs(specs, students, applications, [x.id for x in films], ff.edition.id, ff.edition.closes_on)

    # ---- the drivers

    async def drive_agreement(self, s: Sender, kind: str, lid: str, wid: str, prefix: str = "") -> None:
        """Close the review, approve for every party, sign for every party; until in force."""
        item = await s.wait_item(kind, lid, f"{prefix}first version composed", wid, lambda i: bool(i.detail.get("versions")))
        spec, vh = item.detail["spec"], item.summary["version_hash"]
        if item.phase == "review":
            await s.act(kind, lid, wid, spec["initiator"]["id"], "close_review", {}, "close-review", f"{prefix}close_review")
        for p in spec["parties"]:
            for a in p["approvers"][: p["approvals_required"]]:
                await s.act(kind, lid, wid, a["id"], "approve", {"version_hash": vh}, f"approve-{p['organisation_id']}-{a['id']}", f"{prefix}approve")
        for p in sorted(spec["parties"], key=lambda p: p["signing_group"]):
            signer = p.get("signatory_id") or p["signatories"][0]["id"]
            await s.act(kind, lid, wid, signer, "sign", {"version_hash": vh}, f"sign-{p['organisation_id']}", f"{prefix}sign")
        await s.wait(kind, lid, f"{prefix}executed PDF, in force (after the last signature)", wid, lambda ph, _s: ph == "active")

    @contextlib.asynccontextmanager
    async def admitted(self, kind: str):  # type: ignore[no-untyped-def]
        """A place in the type's admission window (see `window`), held until the lifecycle's first projection."""
        if self.admission is None:
            yield
            return
        async with self.admission[kind]:
            yield

    async def agreement(self, s: Sender, spec: Any) -> None:
        from workflows.agreement import AgreementInput, AgreementWorkflow

        assert self.client is not None
        wid = f"agreement-{spec.id}"
        async with self.admitted("agreement"):
            life = self.rec.life("agreement", wid, now())
            life.wids = [wid]
            await self.client.start_workflow(AgreementWorkflow.run, AgreementInput(spec=spec), id=wid, task_queue=TASK_QUEUE)
            await s.wait("agreement", wid, "started (first projection)", wid, lambda ph, _s: ph is not None)
        await self.drive_agreement(s, "agreement", wid, wid)
        life.t_end = now()

    async def transfer(self, s: Sender, rwid: str, inp: Any) -> None:
        from demo import programs as demo_programs
        from workflows.student_record import StudentRecordWorkflow

        assert self.client is not None
        kind, sid = "credit_transfer", inp.record.student_id
        async with self.admitted(kind):
            life = self.rec.life(kind, rwid, now())
            await self.client.start_workflow(StudentRecordWorkflow.run, inp, id=rwid, task_queue=TASK_QUEUE)
            await s.wait(kind, rwid, "student record projected", rwid, lambda ph, _s: ph is not None)
        request = {"id": f"req-{sid}", "program_id": demo_programs.PROGRAM_ID, "student_id": sid, "term": "2026-fall",
                   "taken_at": "vgik", "credited_at": "kafa", "courses": demo_programs.FALL_COURSES}  # fmt: skip
        r = await s.act(kind, rwid, rwid, demo_programs.COORDINATOR, "start_credit_transfer", {"request": request}, "start")
        twid = r.workflow_id
        life.wids = [rwid, twid]
        await s.wait(kind, rwid, "transfer opened at the department", twid, lambda ph, _s: ph == "department")
        for j, (name, fields) in enumerate(demo_programs.DECISIONS):
            await s.act(kind, rwid, twid, demo_programs.DEPARTMENT, name, fields, f"decide-{j}")
        await s.act(kind, rwid, twid, demo_programs.REGISTRAR, "approve", {"comment": "Checked."}, "home-registrar")
        await s.act(kind, rwid, twid, demo_programs.PARTNER_REGISTRAR, "confirm_grades", {"comment": "As on the transcript."}, "partner")
        await s.act(kind, rwid, twid, demo_programs.MINISTRY, "authorize", {}, "ministry")
        await s.wait(kind, rwid, "posted", twid, lambda ph, _s: ph == "posted")
        life.t_end = now()

    async def application(self, s: Sender, wid: str, inp: Any) -> None:
        from demo import grants as demo_grants
        from workflows.grant_application import GrantApplicationWorkflow

        assert self.client is not None
        kind = "grant_application"
        async with self.admitted(kind):
            life = self.rec.life(kind, wid, now())
            life.wids = [wid]
            await self.client.start_workflow(GrantApplicationWorkflow.run, inp, id=wid, task_queue=TASK_QUEUE)
            phase, _, _ = await s.wait(kind, wid, "eligibility checked", wid, lambda ph, _s: ph not in (None, "submitted"))
        if phase != "screening":
            raise RuntimeError(f"{wid} is {phase}, not screening")
        await s.act(kind, wid, wid, demo_grants.MANAGER, "screen", {"passed": True, "reason": "Complete."}, "screen")
        item = await s.wait_item(kind, wid, "panel assigned", wid, lambda i: i.phase != "screening")
        for r in item.detail["reviews"]:
            if r.get("left_reason") is None and r.get("score") is None:
                await s.act(kind, wid, wid, r["reviewer"]["id"], "score", {"values": demo_grants.marks(8, 7, 9, 6), "comment": "Scored."},
                            f"score-{r['reviewer']['id']}")  # fmt: skip
        for member in BOARD:
            await s.act(kind, wid, wid, member, "vote", {"choice": "approve", "amount": AWARD, "reason": ""}, f"vote-{member}")
        phase, _, _ = await s.wait(kind, wid, "decided", wid, lambda ph, _s: ph in ("awarded", "waitlisted", "rejected"))
        if phase != "awarded":
            raise RuntimeError(f"{wid} is {phase}, not awarded")
        life.t_end = now()

    async def releases(self, s: Sender, inputs: Inputs) -> list[asyncio.Task[None]]:
        """Record one award per film (one after another: they queue on the festival's workflow) and
        start a driver for each country release it opens, up to N."""
        tasks: list[asyncio.Task[None]] = []
        helpers: list[asyncio.Task[None]] = []
        window = self.admission["country_release"] if self.admission is not None else None
        for k, film in enumerate(inputs.films):
            opens = min(10, self.n - len(tasks))  # the releases this award opens that are driven
            held = 0
            if window is not None:  # a place for each, freed as each has its letter (only this loop takes them)
                for _ in range(min(opens, self.window)):
                    await window.acquire()
                    held += 1
            t = now()
            award = {"id": f"bench-aw-{k:04d}", "edition_id": inputs.edition_id, "film_id": film, "category_id": "jury_prize",
                     "jury_note": "For the bench.", "awarded_on": inputs.closes_on.isoformat()}  # fmt: skip
            try:
                r = await s.act("festival", self.festival_wid, self.festival_wid, ADMIN, "record_award", {"award": award}, award["id"])
            except BaseException:
                for _ in range(held):
                    window.release()  # type: ignore[union-attr]
                raise
            letters = []
            for wid in r.started:
                if len(tasks) < self.n:
                    life = self.rec.life("country_release", wid, t)
                    letter = asyncio.Event()
                    letters.append(letter)
                    tasks.append(asyncio.create_task(self.guard(life, self.release(s, life, len(tasks), letter))))
            if window is not None:
                helpers.append(asyncio.create_task(self._free_when(letters, window, held)))
        return tasks + helpers

    async def _free_when(self, events: list[asyncio.Event], window: asyncio.Semaphore, held: int) -> None:
        """Give back the award's places one by one as its releases get their letters."""
        for i, e in enumerate(events):
            await e.wait()
            if i < held:
                window.release()
        for _ in range(len(events), held):
            window.release()

    async def release(self, s: Sender, life: Life, k: int, letter: asyncio.Event) -> None:
        kind, wid = "country_release", life.lid
        life.wids = [wid]
        try:
            item = await s.wait_item(kind, wid, "recommendation letter", wid, lambda i: i.phase == "acknowledge")
        finally:
            letter.set()
        liaison, country = item.detail["liaison"]["id"], item.detail["country"]
        rating = (item.detail["rules"].get("ratings") or ["approved"])[-1]
        await s.act(kind, wid, wid, liaison, "acknowledge", {"note": "Received."}, "acknowledge")
        r = await s.act(kind, wid, wid, liaison, "classify", {"outcome": "approved", "rating": rating}, "classify")
        if r.stage == "quota":
            await s.act(kind, wid, wid, liaison, "decide_quota", {"granted": True, "reference": f"{country}-IMP-{k:04d}"}, "quota")
        await s.act(kind, wid, wid, liaison, "record_subsidy", {"outcome": "skipped", "reason": "The distributor subtitles it."}, "subsidy")
        today = self.today
        await s.act(kind, wid, wid, liaison, "propose_licence", {
            "deal_id": f"d{k:04d}", "licensee_id": distributor(country), "media": ["theatrical"],
            "starts_on": (today - timedelta(days=30)).isoformat(), "ends_on": (today + timedelta(days=730)).isoformat(),
            "exclusive": False, "fee": "10000", "currency": "USD"}, "licence")  # fmt: skip
        item = await s.wait_item(kind, wid, "licence agreement started", wid, lambda i: bool((i.detail.get("licence") or {}).get("agreement_workflow_id")))
        awid = item.detail["licence"]["agreement_workflow_id"]
        life.wids.append(awid)
        await self.drive_agreement(s, kind, wid, awid, prefix="licence: ")
        await s.wait(kind, wid, "release told the licence is signed (scheduling)", wid, lambda ph, _s: ph == "scheduling")
        await s.act(kind, wid, wid, liaison, "schedule_release", {"release_on": today.isoformat(), "platform": "Cinemas"}, "schedule")
        await s.act(kind, wid, wid, liaison, "confirm_release", {"released_on": today.isoformat(), "platform": "Cinemas"}, "confirm")
        await s.wait(kind, wid, "released", wid, lambda ph, _s: ph == "released")
        life.t_end = now()

    async def guard(self, life: Life, coro: Awaitable[None]) -> None:
        try:
            await coro
        except Exception as e:  # noqa: BLE001 - every failure is counted and reported
            life.error = f"{type(e).__name__}: {e}"
            self.log(f"FAILED {life.lid}: {life.error}")

    async def progress(self, done: asyncio.Event, every: float = 15) -> None:
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout=every)
            by = Counter(lf.kind for lf in self.rec.lives.values() if lf.t_end is not None)
            failed = sum(1 for lf in self.rec.lives.values() if lf.error)
            self.log("progress: " + ", ".join(f"{k} {by.get(k, 0)}/{self.n}" for k in TYPES)
                     + f"; {len(self.rec.updates)} updates" + (f"; {failed} failed" if failed else "") + f"; load {load_average()}")  # fmt: skip

    async def run_helix(self, inputs: Inputs) -> None:
        """Every lifecycle at once; returns when each has completed or failed."""
        assert self.client is not None and self.engine is not None
        watcher = Watcher(self.engine, poll=self.poll)
        watcher.start()
        s = Sender(self.client, self.engine, watcher, self.rec)
        done = asyncio.Event()
        prog = asyncio.create_task(self.progress(done))
        jobs: list[Awaitable[None]] = []
        for spec, (rwid, student), (awid, app) in zip(inputs.agreements, inputs.students, inputs.applications, strict=True):
            # one of each type in turn, so the admission window (first come, first served) takes them in turn
            jobs.append(self._guarded("agreement", f"agreement-{spec.id}", self.agreement(s, spec)))
            jobs.append(self._guarded("credit_transfer", rwid, self.transfer(s, rwid, student)))
            jobs.append(self._guarded("grant_application", awid, self.application(s, awid, app)))

        async def releases() -> None:
            try:
                tasks = await self.releases(s, inputs)
            except Exception as e:  # noqa: BLE001 - the awards could not all be recorded: count it, go on with the rest
                self.rec.life("country_release", "record-awards", now()).error = f"{type(e).__name__}: {e}"
                self.log(f"FAILED recording the awards: {e}")
                tasks = []
            await asyncio.gather(*tasks)

        try:
            work = asyncio.ensure_future(asyncio.gather(*jobs, releases()))
            await self.until_done_or_stalled(work)
        finally:
            done.set()
            await prog
            self.polls = watcher.polls
            await watcher.stop()

    async def until_done_or_stalled(self, work: asyncio.Future[Any]) -> None:
        """Until every driver returns, or nothing moved (no update accepted, no lifecycle completed)
        for `stall_seconds`, or `time_limit` seconds passed: then the drivers are stopped, the
        unfinished lifecycles' workflows described (`unfinished`), and the run reported as stalled."""
        last, moved, began = (-1, -1), time.monotonic(), time.monotonic()
        while not work.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(work), timeout=5)
            mark = (len(self.rec.updates), sum(1 for lf in self.rec.lives.values() if lf.t_end is not None))
            if mark != last:
                last, moved = mark, time.monotonic()
            why = None
            if mark == last and time.monotonic() - moved > self.stall_seconds:
                why = f"nothing moved for {self.stall_seconds:.0f} s"
            elif self.time_limit and time.monotonic() - began > self.time_limit:
                why = f"stopped at the time limit of {self.time_limit:.0f} s"
            if why is not None and not work.done():
                self.stalled = f"{why}: {mark[0]} updates accepted, {mark[1]} lifecycles completed"
                self.log(f"STALLED: {self.stalled}; stopping the drivers")
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await work
                for lf in self.rec.lives.values():
                    if lf.t_end is None and lf.error is None:
                        lf.error = "stalled"
                self.unfinished = await self.describe_unfinished()
                return
        work.result()

    async def describe_unfinished(self, limit: int = 20) -> list[dict[str, Any]]:
        """What the server says of the workflows of up to `limit` unfinished lifecycles: status,
        history length and pending activities (a stuck lifecycle: waiting on what?)."""
        assert self.client is not None
        out: list[dict[str, Any]] = []
        for lf in [x for x in self.rec.lives.values() if x.error == "stalled"][:limit]:
            row: dict[str, Any] = {"kind": lf.kind, "lifecycle": lf.lid, "workflows": []}
            for wid in lf.wids or [lf.lid]:
                try:
                    d = await self.client.get_workflow_handle(wid).describe()
                    pending = [{"activity": a.activity_type.name, "attempt": a.attempt, "state": int(a.state),
                                "last_failure": a.last_failure.message[:300] if a.HasField("last_failure") else None}
                               for a in d.raw_description.pending_activities]  # fmt: skip
                    row["workflows"].append({"id": wid, "status": d.status.name if d.status else None, "history_length": d.history_length,
                                             "pending_activities": pending, "pending_children": len(d.raw_description.pending_children)})  # fmt: skip
                except Exception as e:  # noqa: BLE001 - a description is a best effort
                    row["workflows"].append({"id": wid, "error": str(e)[:300]})
            out.append(row)
            self.log(f"unfinished: {json.dumps(row, default=str)[:1000]}")
        return out

    def task_overruns(self) -> dict[str, int]:
        """From the worker logs: workflow tasks that ran over 5 s (the SDK's warning), and completions
        the server no longer knew because the task had timed out (10 s) and was given out again."""
        out = {"over_5s": 0, "timed_out_before_completion": 0}
        for p, f in self.cluster.workers:
            if p in self.worker_procs and f.exists():
                data = f.read_bytes()
                out["over_5s"] += data.count(b"Workflow task duration exceeded")
                out["timed_out_before_completion"] += data.count(b"Task not found when completing")
        return out

    async def _guarded(self, kind: str, lid: str, coro: Awaitable[None]) -> None:
        try:
            await coro
        except Exception as e:  # noqa: BLE001
            life = self.rec.lives.get(lid) or self.rec.life(kind, lid, now())
            life.error = f"{type(e).__name__}: {e}"
            self.log(f"FAILED {lid}: {life.error}")

    # ---- histories

    async def histories(self, wids: list[str], concurrency: int = 8) -> dict[str, list[Any]]:
        assert self.client is not None
        sem = asyncio.Semaphore(concurrency)
        out: dict[str, list[Any]] = {}

        async def one(wid: str) -> None:
            async with sem:
                with contextlib.suppress(RPCError):
                    out[wid] = list((await self.client.get_workflow_handle(wid).fetch_history()).events)  # type: ignore[union-attr]

        await asyncio.gather(*(one(w) for w in dict.fromkeys(wids)))
        return out


# ---------------------------------------------------------------- what the histories say


def _t(e: Any) -> float:
    return e.event_time.ToDatetime(tzinfo=UTC).timestamp()


def activity_stats(histories: dict[str, list[Any]]) -> tuple[dict[str, Any], dict[str, Any], Counter[str]]:
    """Per activity type: count, queue time on the server (scheduled → started; about 0 for activities
    the SDK starts eagerly on the worker that scheduled them, which then wait in that worker, inside
    the run time) and run time (started → closed);
    workflow tasks likewise; and activity and workflow tasks started per worker identity."""
    queue: dict[str, list[float]] = defaultdict(list)
    run: dict[str, list[float]] = defaultdict(list)
    wft_queue: list[float] = []
    wft_run: list[float] = []
    wft_timeouts = 0
    identities: Counter[str] = Counter()
    for events in histories.values():
        scheduled: dict[int, tuple[str, float]] = {}
        started: dict[int, float] = {}
        wft_sched: dict[int, float] = {}
        wft_start: dict[int, float] = {}
        for e in events:
            et = e.event_type
            if et == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                scheduled[e.event_id] = (e.activity_task_scheduled_event_attributes.activity_type.name, _t(e))
            elif et == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                a = e.activity_task_started_event_attributes
                started[a.scheduled_event_id] = _t(e)
                identities[f"activity {a.identity}"] += 1
                if a.scheduled_event_id in scheduled:
                    name, t = scheduled[a.scheduled_event_id]
                    queue[name].append(_t(e) - t)
            elif et in (EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
                        EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT):  # fmt: skip
                attrs = (e.activity_task_completed_event_attributes if et == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
                         else e.activity_task_failed_event_attributes if et == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED
                         else e.activity_task_timed_out_event_attributes)  # fmt: skip
                sid = attrs.scheduled_event_id
                if sid in scheduled and sid in started:
                    run[scheduled[sid][0]].append(_t(e) - started[sid])
            elif et == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
                wft_sched[e.event_id] = _t(e)
            elif et == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
                a = e.workflow_task_started_event_attributes
                wft_start[e.event_id] = _t(e)
                identities[f"workflow {a.identity}"] += 1
                if a.scheduled_event_id in wft_sched:
                    wft_queue.append(_t(e) - wft_sched[a.scheduled_event_id])
            elif et == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
                wft_timeouts += 1
            elif et == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                a = e.workflow_task_completed_event_attributes
                if a.started_event_id in wft_start:
                    wft_run.append(_t(e) - wft_start[a.started_event_id])
    acts = {}
    for name in sorted(queue.keys() | run.keys()):
        r = run.get(name, [])
        acts[name] = {"count": len(queue.get(name, [])), "queue": dist(queue.get(name, [])), "run": dist(r),
                      "run_total_s": round(sum(r), 2)}  # fmt: skip
    return acts, {"queue": dist(wft_queue), "run": dist(wft_run), "timed_out": wft_timeouts}, identities


def history_sizes(histories: dict[str, list[Any]]) -> dict[str, Any]:
    """How big the histories and their payloads are: per workflow type, events and KiB (p50, max);
    per activity type and per update name, the largest input and result (KiB). Temporal warns at
    512 KiB for one payload and refuses 2 MiB; a history is cut off at 50 MiB or 51,200 events."""

    def kib(payloads: Any) -> float:
        return round(sum(p.ByteSize() for p in payloads.payloads) / 1024, 1)

    per_wf: dict[str, list[tuple[int, int]]] = defaultdict(list)
    largest: dict[str, dict[str, float]] = defaultdict(lambda: {"input_kib": 0.0, "result_kib": 0.0})
    for events in histories.values():
        if not events:
            continue
        first = events[0]
        wf = first.workflow_execution_started_event_attributes.workflow_type.name or "?"
        per_wf[wf].append((len(events), sum(e.ByteSize() for e in events)))
        w = largest[f"workflow {wf}"]
        w["input_kib"] = max(w["input_kib"], kib(first.workflow_execution_started_event_attributes.input))
        names: dict[int, str] = {}
        updates: dict[str, str] = {}
        for e in events:
            et = e.event_type
            if et == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                a = e.activity_task_scheduled_event_attributes
                names[e.event_id] = f"activity {a.activity_type.name}"
                row = largest[names[e.event_id]]
                row["input_kib"] = max(row["input_kib"], kib(a.input))
            elif et == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
                a = e.activity_task_completed_event_attributes
                if a.scheduled_event_id in names:
                    row = largest[names[a.scheduled_event_id]]
                    row["result_kib"] = max(row["result_kib"], kib(a.result))
            elif et == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
                a = e.workflow_execution_update_accepted_event_attributes
                name = f"update {a.accepted_request.input.name}"
                updates[a.accepted_request.meta.update_id] = name
                row = largest[name]
                row["input_kib"] = max(row["input_kib"], kib(a.accepted_request.input.args))
            elif et == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
                a = e.workflow_execution_update_completed_event_attributes
                name = updates.get(a.meta.update_id) or "update ?"
                row = largest[name]
                row["result_kib"] = max(row["result_kib"], kib(a.outcome.success))
    workflows = {wf: {"n": len(v), "events_p50": pct([x[0] for x in v], 50), "events_max": max(x[0] for x in v),
                      "kib_p50": round((pct([x[1] for x in v], 50) or 0) / 1024, 1), "kib_max": round(max(x[1] for x in v) / 1024, 1)}
                 for wf, v in sorted(per_wf.items())}  # fmt: skip
    top = sorted(largest.items(), key=lambda kv: -max(kv[1].values()))[:8]
    return {"workflows": workflows, "largest_payloads": dict(top)}


def step_plan(life: Life, histories: dict[str, list[Any]]) -> tuple[int, list[int]] | None:
    """(activities before the first update, activities after each update) over the lifecycle's
    workflows, in time order, up to its end: what the bare workflow repeats."""
    marks: list[tuple[float, int, int, str]] = []
    for i, wid in enumerate(life.wids):
        for e in histories.get(wid, []):
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
                marks.append((_t(e), i, e.event_id, "update"))
            elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                marks.append((_t(e), i, e.event_id, "activity"))
    if not marks or life.t_end is None:
        return None
    start, updates = 0, []
    for t, _, _, what in sorted(marks):
        if t > life.t_end + 0.05:
            break
        if what == "update":
            updates.append(0)
        elif updates:
            updates[-1] += 1
        else:
            start += 1
    return max(start, 1), [max(n, 1) for n in updates]


# ---------------------------------------------------------------- the bare run


async def run_bare(run: EngineRun, plans: dict[str, tuple[int, list[int]]]) -> dict[str, Any]:
    """The same shape of work on `BenchBare` workflows, on their own worker processes (as many)."""
    from bench import bare

    assert run.client is not None
    db = run.tmp / "bare.db"
    bare.create_schema(str(db))
    caps = {"workflow_tasks": run.worker_config.get("workflow_tasks", 100), "activities": run.worker_config.get("activities", 100)}
    procs = run.cluster.bare_workers(run.workers, db, caps)
    await run.cluster.ready(procs)
    client = await run.cluster.connect()  # the default converter, as the bare worker's
    engine = create_engine(f"sqlite:///{db}", connect_args={"check_same_thread": False})
    watcher = Watcher(engine, table="bare_item", poll=run.poll)
    watcher.start()
    rec = Recorder()
    s = Sender(client, engine, watcher, rec)
    n = run.n
    windows = {k: asyncio.Semaphore(run.window) for k in plans} if run.window > 0 else None  # admitted as the Helix run

    async def one(kind: str, i: int) -> None:
        start, updates = plans[kind]
        wid = f"bare-{kind}-{i:04d}"
        life = rec.life(kind, wid, now())
        try:
            async with windows[kind] if windows else contextlib.nullcontext():  # type: ignore[attr-defined]
                life.t_start = now()
                await client.start_workflow(bare.BareWorkflow.run, bare.BarePlan(start=start, updates=updates), id=wid,
                                            task_queue=bare.TASK_QUEUE)  # fmt: skip
                await s.wait(kind, wid, "start projected", wid, lambda ph, _s: ph is not None)
            for k in range(len(updates)):
                await s.update(kind, wid, wid, f"update {k + 1}", bare.BareWorkflow.act, k, f"bare-{wid}-{k}")
            life.t_end = now()
        except Exception as e:  # noqa: BLE001
            life.error = f"{type(e).__name__}: {e}"
            run.log(f"FAILED {wid}: {life.error}")

    load_before = load_average()
    run.log(f"bare run: {n} of each type, plans {plans}")
    await asyncio.gather(*(one(kind, i) for i in range(n) for kind in plans))
    await watcher.stop()
    workers = run.worker_figures(procs)
    other = run.other_cpu()
    run.cluster.stop_workers(procs)
    engine.dispose()
    out = summarise(rec, n)
    out.update(workers=workers, worker_caps=caps, other_cpu_s_cumulative=other, plans={k: {"start": v[0], "updates": v[1], "activities": v[0] + sum(v[1])} for k, v in plans.items()},
               load_before=load_before, load_after=load_average())  # fmt: skip
    return out


# ---------------------------------------------------------------- figures


def peak_in_flight(lives: list[Life]) -> int:
    """The most lifecycles started and not yet completed at one moment."""
    marks = sorted([(lf.t_start, 1) for lf in lives] + [(lf.t_end, -1) for lf in lives if lf.t_end is not None])
    peak = cur = 0
    for _, d in marks:
        cur += d
        peak = max(peak, cur)
    return peak


def summarise(rec: Recorder, n: int) -> dict[str, Any]:
    lives = list(rec.lives.values())
    out: dict[str, Any] = {"types": {}}
    for kind in sorted({lf.kind for lf in lives}, key=lambda k: TYPES.index(k) if k in TYPES else 99):
        ls = [lf for lf in lives if lf.kind == kind]
        done = [lf for lf in ls if lf.t_end is not None and lf.error is None]
        ups = [u for u in rec.updates if u.kind == kind]
        t = {"lifecycles": len(ls), "completed": len(done), "failed": [f"{lf.lid}: {lf.error}" for lf in ls if lf.error][:10]}
        t["peak_in_flight"] = peak_in_flight(ls)
        if done:
            wall = max(lf.t_end for lf in done if lf.t_end) - min(lf.t_start for lf in ls)  # type: ignore[type-var]
            t.update(wall_s=round(wall, 2), per_s=round(len(done) / wall, 3) if wall > 0 else None,
                     lifecycle=dist([lf.t_end - lf.t_start for lf in done if lf.t_end]),
                     updates_per_lifecycle=round(len(ups) / len(done), 2))  # fmt: skip
        t["accepted_to_visible"] = dist([u.t_vis - u.t_acc for u in ups])
        t["sent_to_accepted"] = dist([u.t_acc - u.t_send for u in ups])
        t["sent_to_done"] = dist([u.t_done - u.t_send for u in ups])
        t["sent_to_visible"] = dist([u.t_vis - u.t_send for u in ups])
        steps: dict[str, Any] = {}
        for name in dict.fromkeys(u.step for u in ups):
            su = [u for u in ups if u.step == name]
            steps[name] = {"accepted_to_visible": dist([u.t_vis - u.t_acc for u in su]), "sent_to_done": dist([u.t_done - u.t_send for u in su]),
                           "total_s": round(sum(max(u.t_vis, u.t_done) - u.t_send for u in su), 2)}  # fmt: skip
        for name in dict.fromkeys(w.step for w in rec.waits if w.kind == kind):
            sw = [w.seconds for w in rec.waits if w.kind == kind and w.step == name]
            steps[f"(wait) {name}"] = {"wait": dist(sw), "total_s": round(sum(sw), 2)}
        t["steps"] = steps
        out["types"][kind] = t
    main = [lf for lf in lives if lf.kind in TYPES]
    done = [lf for lf in main if lf.t_end is not None and lf.error is None]
    ups = [u for u in rec.updates if u.kind in TYPES]
    if done:
        wall = max(lf.t_end for lf in done if lf.t_end) - min(lf.t_start for lf in main)  # type: ignore[type-var]
        out["overall"] = {"lifecycles": len(main), "completed": len(done), "wall_s": round(wall, 2),
                          "per_s": round(len(done) / wall, 3), "updates": len(ups)}  # fmt: skip
    out["accepted_to_visible"] = dist([u.t_vis - u.t_acc for u in ups])
    out["sent_to_done"] = dist([u.t_done - u.t_send for u in ups])
    out["sent_to_visible"] = dist([u.t_vis - u.t_send for u in ups])
    return out


def slowest(helix: dict[str, Any], activities: dict[str, Any]) -> dict[str, Any]:
    """Per type, the steps taking the largest share of the lifecycles' time; overall, the activity
    types taking the most worker time."""
    out: dict[str, Any] = {}
    for kind, t in helix["types"].items():
        if kind not in TYPES or "lifecycle" not in t:
            continue
        total = (t["lifecycle"]["mean_ms"] or 0) / 1000 * t["completed"]
        ranked = sorted(t["steps"].items(), key=lambda kv: -kv[1]["total_s"])[:4]
        out[kind] = [{"step": k, "share": round(v["total_s"] / total, 3) if total else None,
                      "p50_ms": (v.get("sent_to_done") or v.get("wait") or {}).get("p50_ms")} for k, v in ranked]  # fmt: skip
    out["activities_by_worker_time"] = sorted(((k, v["run_total_s"], v["run"]["p50_ms"], v["queue"]["p50_ms"]) for k, v in activities.items()),
                                              key=lambda x: -x[1])[:6]  # fmt: skip
    return out


def goals(result: dict[str, Any]) -> list[dict[str, Any]]:
    n = result["config"]["n"]
    out = []
    ratio = (result.get("ratio") or {}).get("overall_wall")
    out.append({"figure": "Helix / bare workflow, wall time (all lifecycles)", "measured": ratio, "goal": f"≤ {GOAL_RATIO}",
                "met": None if ratio is None else ratio <= GOAL_RATIO})  # fmt: skip
    p95 = result["helix"]["accepted_to_visible"]["p95_ms"]
    out.append({"figure": f"accepted update → read model shows it, p95 (ms), {n} concurrent per type", "measured": p95,
                "goal": f"≤ {GOAL_VISIBLE_P95_MS:.0f} ms at 100 concurrent", "met": None if p95 is None or n != 100 else p95 <= GOAL_VISIBLE_P95_MS})  # fmt: skip
    return out


def print_table(result: dict[str, Any]) -> None:
    c = result["config"]
    h, b = result["helix"], result.get("bare") or {}
    wc = c.get("worker") or {}
    print(f"\nengine: N={c['n']} per type, server={c['server']}, workers={c['workers']} {c.get('serves', '')} (each at most {wc.get('workflow_tasks')} workflow tasks and"
          f" {wc.get('activities')} activities at once; render threads: {wc.get('render_threads')}), poll {c['poll_ms']} ms,"
          f" admission window {c['admission_window_per_type']} per type; "
          f"load average {result['load_before']} → {result['load_after']} on {result['machine']['cpus']} CPUs")  # fmt: skip
    head = f"{'type':<18}{'done':>9}{'wall s':>9}{'per s':>8}{'bare per s':>11}{'ratio':>7}{'acc→vis p50/p95 ms':>21}{'sent→done p50/p95 ms':>23}{'lifecycle p50 s':>16}"
    print(head)
    print("-" * len(head))
    for kind in TYPES:
        t = h["types"].get(kind)
        if not t:
            continue
        bt = (b.get("types") or {}).get(kind, {})
        r = (result.get("ratio") or {}).get(kind)
        lc = t.get("lifecycle", {}).get("p50_ms")
        print(f"{kind:<18}{t['completed']:>5}/{t['lifecycles']:<3}{t.get('wall_s', 0):>9}{t.get('per_s') or 0:>8}{bt.get('per_s') or 0:>11}"
              f"{r or 0:>7}{str(t['accepted_to_visible']['p50_ms']) + ' / ' + str(t['accepted_to_visible']['p95_ms']):>21}"
              f"{str(t['sent_to_done']['p50_ms']) + ' / ' + str(t['sent_to_done']['p95_ms']):>23}{(lc or 0) / 1000:>16.1f}")  # fmt: skip
    o, bo = h.get("overall", {}), b.get("overall", {})
    a = h["accepted_to_visible"]
    print(f"{'all':<18}{o.get('completed', 0):>5}/{o.get('lifecycles', 0):<3}{o.get('wall_s', 0):>9}{o.get('per_s', 0):>8}{bo.get('per_s') or 0:>11}"
          f"{(result.get('ratio') or {}).get('overall_wall') or 0:>7}{str(a['p50_ms']) + ' / ' + str(a['p95_ms']):>21}")  # fmt: skip
    if b:
        ba = b["accepted_to_visible"]
        print(f"bare: accepted → visible p50/p95 {ba['p50_ms']} / {ba['p95_ms']} ms; wall {bo.get('wall_s')} s")
    print(f"worker peak RSS (sum of VmHWM): Helix {h['workers']['peak_rss_mb_sum']} MiB, bare {(b.get('workers') or {}).get('peak_rss_mb_sum')} MiB;"
          f" worker CPU: Helix {h['workers']['cpu_s_sum']} s (renders {h['workers'].get('render_cpu_s_sum')} s),"
          f" bare {(b.get('workers') or {}).get('cpu_s_sum')} s")  # fmt: skip
    wft = h.get("workflow_tasks") or {}
    print(f"workflow tasks: run p50/p95 {(wft.get('run') or {}).get('p50_ms')} / {(wft.get('run') or {}).get('p95_ms')} ms;"
          f" over 5 s / timed out before completion (worker logs): {h['workflow_task_overruns']['over_5s']} /"
          f" {h['workflow_task_overruns']['timed_out_before_completion']}; peak in flight: "
          + ", ".join(f"{k} {t.get('peak_in_flight')}" for k, t in h["types"].items() if k in TYPES))  # fmt: skip
    hs = h.get("history_sizes") or {}
    if hs.get("workflows"):
        print("histories, p50 (max): " + "; ".join(f"{k} {v['events_p50']} events, {v['kib_p50']} KiB ({v['events_max']}, {v['kib_max']} KiB)"
                                                    for k, v in hs["workflows"].items()))  # fmt: skip
        print("largest payloads (KiB in / out): " + "; ".join(f"{k} {v['input_kib']} / {v['result_kib']}" for k, v in hs["largest_payloads"].items()))
    if h.get("stalled"):
        print(f"STALLED: {h['stalled']}")
    print("\nslowest steps (share of the lifecycles' time):")
    for kind, rows in result["slowest"].items():
        if kind == "activities_by_worker_time":
            continue
        print(f"  {kind}: " + "; ".join(f"{r['step']} {r['share']:.0%} (p50 {r['p50_ms']} ms)" for r in rows if r["share"] is not None))
    print("  activities by time run in the worker (type: total s, p50 of one run): "
          + "; ".join(f"{n}: {t} s, {r} ms" for n, t, r, _ in result["slowest"]["activities_by_worker_time"]))  # fmt: skip
    print()
    for g in result["goals"]:
        met = "—" if g["met"] is None else ("met" if g["met"] else "NOT met")
        print(f"goal: {g['figure']}: {g['measured']} (goal {g['goal']}): {met}")


# ---------------------------------------------------------------- main


async def bench(n: int, server: str, workers: int, poll_ms: float, bare: bool, history_sample: int, keep: bool, window: int = 4,
                stall_seconds: float = 300, split: bool = False, time_limit: float | None = None) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="bench"))
    me = asyncio.current_task()
    assert me is not None
    for sig in (signal.SIGINT, signal.SIGTERM):  # stopped: the servers and workers are stopped too
        loop.add_signal_handler(sig, me.cancel)
    tmp = Path(tempfile.mkdtemp(prefix="helix-bench-engine-"))
    run = EngineRun(tmp, n, server, workers, poll_ms=poll_ms, window=window, stall_seconds=stall_seconds, split=split)
    run.time_limit = time_limit
    result: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.engine " + " ".join(sys.argv[1:]),
        "revision": git_revision(),
        "config": {"n": n, "server": server, "workers": workers, "serves": run.serves, "poll_ms": poll_ms, "read_model": "sqlite",
                   "admission_window_per_type": window or "none (all started at once)",
                   "release_path": "acknowledge → classify → quota (CN, IR) → subsidy skipped → licence (agreement child signed) → schedule → confirm"},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }  # fmt: skip
    try:
        await run.start()
        result["config"]["worker"] = run.worker_config
        inputs = await run.setup()
        result["load_before"] = load_average()
        run.log(f"set-up done; load average {result['load_before']}; driving {n} lifecycles of each of {len(TYPES)} types")
        await run.run_helix(inputs)
        helix = summarise(run.rec, n)
        helix["workers"] = run.worker_figures(run.worker_procs)
        helix["other_cpu_s"] = run.other_cpu()
        helix["read_model_polls"] = getattr(run, "polls", None)
        helix["workflow_task_overruns"] = run.task_overruns()
        helix["stalled"] = run.stalled
        helix["unfinished"] = run.unfinished
        result["load_after"] = load_average()
        run.log("helix done: " + ", ".join(f"{k} {v.get('completed')}/{v.get('lifecycles')}" for k, v in helix["types"].items()))
        # histories: activity timings, and the shape each bare lifecycle repeats
        sample: list[Life] = []
        for kind in TYPES:
            ok = [lf for lf in run.rec.lives.values() if lf.kind == kind and lf.t_end is not None and lf.error is None]
            sample += ok[:history_sample]
        hist = await run.histories([w for lf in sample for w in lf.wids])
        acts, wft, identities = activity_stats(hist)
        helix["activities"] = acts
        helix["workflow_tasks"] = wft
        helix["task_identities"] = dict(identities)
        helix["history_sizes"] = history_sizes(hist)
        helix["history_sample"] = {k: sum(1 for lf in sample if lf.kind == k) for k in TYPES}
        plans: dict[str, tuple[int, list[int]]] = {}
        for kind in TYPES:
            shapes = Counter(tuple([p[0], *p[1]]) for lf in sample if lf.kind == kind and (p := step_plan(lf, hist)))
            if shapes:
                shape = shapes.most_common(1)[0][0]
                plans[kind] = (shape[0], list(shape[1:]))
        helix["activities_per_lifecycle"] = {k: v[0] + sum(v[1]) for k, v in plans.items()}
        result["helix"] = helix
        run.cluster.stop_workers(run.worker_procs)
        if bare and plans:
            result["bare"] = await run_bare(run, plans)
            bw = {k: v.get("wall_s") for k, v in result["bare"]["types"].items()}
            hw = {k: v.get("wall_s") for k, v in helix["types"].items()}
            result["ratio"] = {k: round(hw[k] / bw[k], 2) for k in TYPES if hw.get(k) and bw.get(k)}
            if helix.get("overall") and result["bare"].get("overall"):
                result["ratio"]["overall_wall"] = round(helix["overall"]["wall_s"] / result["bare"]["overall"]["wall_s"], 2)
        result["slowest"] = slowest(helix, acts)
        result["goals"] = goals(result)
    finally:
        run.stop()
        if keep:
            run.log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return result


def markdown(result: dict[str, Any]) -> str:
    """The run as markdown: the per-type table, the goals, the slowest steps and activities."""

    def cell(v: Any) -> str:
        return "—" if v is None else str(v)

    c, h, b = result["config"], result["helix"], result.get("bare") or {}
    o, bo = h.get("overall") or {}, b.get("overall") or {}
    split = " (one serves the workflows and projections, the other only renders: HELIX_WORKER_SERVES=engine, documents)" if c.get("serves") == ["engine", "documents"] else ""
    lines = [f"### Engine: N={c['n']} per type, dev server {c['server']}, {c['workers']} worker process{'es' if c['workers'] > 1 else ''}{split}", "",
             f"`{result['command']}` at {result.get('revision') or 'an unknown revision'} — {result['measured_at']}; load average {result.get('load_before')} → {result.get('load_after')}"
             f" (1/5/15 min) on {result['machine']['cpus']} CPUs; admission window {c['admission_window_per_type']} per type;"
             f" read model polled every {c['poll_ms']} ms. Each worker process runs at most"
             f" {(c.get('worker') or {}).get('workflow_tasks')} workflow tasks and {(c.get('worker') or {}).get('activities')} activities at once"
             f" (HELIX_WORKER_WORKFLOW_TASKS, HELIX_WORKER_ACTIVITIES; the bare workers the same); render threads:"
             f" {(c.get('worker') or {}).get('render_threads')}.", "",
             "| type | completed | wall (s) | lifecycles/s | bare lifecycles/s | Helix / bare | accepted → read model p50 / p95 (ms) | sent → answered p50 / p95 (ms) | lifecycle p50 (s) | peak in flight |",
             "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for kind in TYPES:
        t = h["types"].get(kind)
        if not t:
            continue
        bt = (b.get("types") or {}).get(kind, {})
        a, d = t["accepted_to_visible"], t["sent_to_done"]
        lc = (t.get("lifecycle") or {}).get("p50_ms")
        lines.append(f"| {kind} | {t['completed']} / {t['lifecycles']} | {cell(t.get('wall_s'))} | {cell(t.get('per_s'))} | {cell(bt.get('per_s'))}"
                     f" | {cell((result.get('ratio') or {}).get(kind))} | {cell(a['p50_ms'])} / {cell(a['p95_ms'])} | {cell(d['p50_ms'])} / {cell(d['p95_ms'])}"
                     f" | {cell(None if lc is None else round(lc / 1000, 1))} | {cell(t.get('peak_in_flight'))} |")  # fmt: skip
    a = h["accepted_to_visible"]
    lines.append(f"| **all** | {o.get('completed', 0)} / {o.get('lifecycles', 0)} | {cell(o.get('wall_s'))} | {cell(o.get('per_s'))} | {cell(bo.get('per_s'))}"
                 f" | {cell((result.get('ratio') or {}).get('overall_wall'))} | {cell(a['p50_ms'])} / {cell(a['p95_ms'])} | {cell(h['sent_to_done']['p50_ms'])} / {cell(h['sent_to_done']['p95_ms'])} | | |")  # fmt: skip
    w, bw = h["workers"], b.get("workers") or {}
    wft = h.get("workflow_tasks") or {}
    lines += ["", f"Worker peak RSS (sum of VmHWM): Helix {w['peak_rss_mb_sum']} MiB, bare {cell(bw.get('peak_rss_mb_sum'))} MiB."
              f" Worker CPU: Helix {w['cpu_s_sum']} s (render processes {cell(w.get('render_cpu_s_sum'))} s), bare {cell(bw.get('cpu_s_sum'))} s; dev server {(h.get('other_cpu_s') or {}).get('temporal_server')} s,"
              f" this driver {(h.get('other_cpu_s') or {}).get('bench_driver')} s (both so far)."
              f" Workflow tasks: run p50 / p95 {(wft.get('run') or {}).get('p50_ms')} / {(wft.get('run') or {}).get('p95_ms')} ms;"
              f" over 5 s: {h['workflow_task_overruns']['over_5s']}, timed out: {h['workflow_task_overruns']['timed_out_before_completion']}."]  # fmt: skip
    hs = h.get("history_sizes") or {}
    if hs.get("workflows"):
        packed = (c.get("worker") or {}).get("payloads_compressed_from_bytes")
        lines.append(("Histories as the server stores them" + (f" (payloads of {packed} bytes and more compressed)" if packed else "")
                      + ", p50 (max): ") + "; ".join(f"{k} {v['events_p50']} events, {v['kib_p50']} KiB ({v['events_max']}, {v['kib_max']} KiB)"
                                                          for k, v in hs["workflows"].items()) + ".")  # fmt: skip
        lines.append("Largest payloads (KiB in / out): " + "; ".join(f"{k} {v['input_kib']} / {v['result_kib']}" for k, v in hs["largest_payloads"].items()) + ".")
    if h.get("stalled"):
        lines.append(f"**Stalled**: {h['stalled']}.")
    for u in h.get("unfinished") or []:
        lines.append(f"- unfinished {u['kind']} {u['lifecycle']}: " + "; ".join(
            f"{w['id']} {w.get('status') or w.get('error')}, {w.get('history_length')} events, pending activities"
            f" {[a['activity'] + ' attempt ' + str(a['attempt']) for a in w.get('pending_activities', [])]}, pending children {w.get('pending_children')}"
            for w in u["workflows"]))  # fmt: skip
    if b.get("plans"):
        lines.append("Bare workflow per lifecycle, activities: "
                     + "; ".join(f"{k} {v['start']} at the start, then per update {', '.join(map(str, v['updates']))}" for k, v in b["plans"].items()) + ".")  # fmt: skip
    lines += ["", "| goal | measured | goal | met? |", "|---|---|---|---|"]
    for g in result.get("goals", []):
        lines.append(f"| {g['figure']} | {cell(g['measured'])} | {g['goal']} | {'—' if g['met'] is None else ('yes' if g['met'] else '**no**')} |")
    slow = result.get("slowest") or {}
    lines += ["", "Slowest steps, by share of the lifecycles' time (p50 of one):", ""]
    for kind, rows in slow.items():
        if kind != "activities_by_worker_time":
            lines.append(f"- {kind}: " + "; ".join(f"{r['step']} {r['share']:.0%} ({r['p50_ms']} ms)" for r in rows if r["share"] is not None))
    lines.append("- activities by time run in the worker: "
                 + "; ".join(f"{n} {t} s (p50 {p} ms)" for n, t, p, _ in slow.get("activities_by_worker_time", [])))  # fmt: skip
    return "\n".join(lines) + "\n"


def write(result: dict[str, Any], output: Path | None = None) -> Path:
    """The JSON, and the same run as markdown beside it (same name, `.md`)."""
    c = result["config"]
    split = "-split" if c.get("serves") == ["engine", "documents"] else ""
    path = output or RESULTS / f"engine-{c['server']}-n{c['n']}-w{c['workers']}{split}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, action="append", help="lifecycles of each type (repeat for several runs; default 100)")
    parser.add_argument("--server", choices=["memory", "sqlite"], default="memory")
    parser.add_argument("--workers", type=int, choices=[1, 2], default=1)
    parser.add_argument("--poll-ms", type=float, default=10, help="how often the read model is polled while anyone waits (default 10)")
    parser.add_argument("--window", type=int, default=4,
                        help="per type, at most this many lifecycles between their start and their first projection at once"
                             " (0: all started at once; default 4)")
    parser.add_argument("--stall-seconds", type=float, default=300, help="stop if nothing moves this long (default 300)")
    parser.add_argument("--worker-workflow-tasks", type=int, help="HELIX_WORKER_WORKFLOW_TASKS for the workers (default: as set, else the settings' default)")
    parser.add_argument("--worker-activities", type=int, help="HELIX_WORKER_ACTIVITIES for the workers (default: as set, else the settings' default)")
    parser.add_argument("--time-limit", type=float, help="stop driving after this many seconds and report what was measured (as a stall)")
    parser.add_argument("--split", action="store_true",
                        help="two workers: one serves the workflows and projections (HELIX_WORKER_SERVES=engine), the other only renders (documents)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare workflow run")
    parser.add_argument("--history-sample", type=int, default=25, help="lifecycles per type whose histories are analysed (default 25)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, databases)")
    parser.add_argument("--output", type=Path, help="the JSON file (default bench/results/engine-<server>-n<N>-w<W>.json)")
    args = parser.parse_args(argv)
    if args.split:
        if args.workers == 1 and "--workers" in (argv if argv is not None else sys.argv):
            parser.error("--split needs two workers")
        args.workers = 2
    for key, value in (("HELIX_WORKER_WORKFLOW_TASKS", args.worker_workflow_tasks), ("HELIX_WORKER_ACTIVITIES", args.worker_activities)):
        if value is not None:
            if value < 1:
                parser.error(f"{key} must be at least 1")
            os.environ[key] = str(value)
    for n in args.n or [100]:
        if n < 1:
            parser.error("--n must be at least 1")
        result = asyncio.run(bench(n, args.server, args.workers, args.poll_ms, not args.no_bare, args.history_sample, args.keep,
                                   args.window, args.stall_seconds, args.split, args.time_limit))
        path = write(result, args.output if len(args.n or [100]) == 1 else None)
        print_table(result)
        print(f"\nwritten to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
