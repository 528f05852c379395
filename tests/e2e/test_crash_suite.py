"""The crash suite: well over a hundred processes of all four lifecycles in flight on the real system
while its processes are killed, and nothing lost, doubled or out of step afterwards.

The Temporal dev server (state in a SQLite file) and the Helix worker run as subprocesses
(tests/e2e/crash_driver.py). The drivers load the demo directory and push, all at once, MOUs from
draft to in force; student records through credit transfers (and to completion); applications to
one fund through screening, the panel and the board (the ledger refuses what the budget cannot
pay), their grant agreements and tranche payments; and a festival's awards through every member
country's release. Once more than a hundred are in flight at once, the worker is SIGKILLed at seeded
random moments and restarted, the server is SIGKILLed once and restarted on the same port and file,
and a failpoint ends a worker exactly after the first payment instruction is rendered and before it
is marked issued. Every update carries a stable id and is retried through the outages; people act
at most sixteen at a time.

Then, with everything up: every process at its end state; exactly one of each document (in the
read model and in the blob store), one message per notification, one payment per tranche, the
ledger's released total equal to the payments; and the read model equal to each workflow's own
state. One summary line is printed and written to artifacts/crash-suite.json.

A failure names its seed; `HELIX_CRASH_SEED=<seed>` replays the same chaos plan (the kills come at
the same offsets after each worker starts polling). `HELIX_CRASH_COUNTS='{"agreements": 5}'` overrides
`Counts` for a quick local look (below 100 processes the test fails, by design). The data folder
(server database, read model, documents, worker.log, temporal.log, crash-suite.log) stays in pytest's
tmp_path for a post-mortem.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import random
import resource
import shutil
import time
from pathlib import Path

import pytest

from settings import Settings
from store.db import init_db, make_engine
from store.directory import load_directory
from tests.e2e.crash_driver import DEMO, ROOT, Cluster, Counts, Figures, Log, Ops, Suite

pytestmark = pytest.mark.e2e

TASK_QUEUE = "helix-crash"
WORKER_KILLS = 3
CHAOS_GAP = (5.0, 15.0)  # a kill comes this many seconds (seeded) after the worker of the moment polls
DRIVE_SECONDS = 400.0  # the drivers' bound; with the checks' bounded waits the test stays under ~8 minutes
# Ends one worker once, on the money path: the first payment instruction is rendered and stored, the
# payment not yet marked issued; the next worker must finish that instruction, not issue a second.
# (payment-reserved, the exit before the render, is tests/e2e/test_system.py's; both in one run cost
# a minute more than the bound allows.)
FAILPOINTS = "payment-rendered"


def warm_font_cache(request: pytest.FixtureRequest, data_dir: Path) -> None:
    """The derived fonts from the machine's test cache (the same as tests/documents'), derived there
    first if this machine has none yet, so no worker spends half a minute on them mid-run."""
    from documents.font_cache import derived_fontset

    cache = Path(request.config.cache.mkdir("helix-font-cache"))
    for face in derived_fontset(cache).faces:
        if face.make is not None:
            face.ready()
    shutil.copytree(cache, data_dir / "fonts-cache", dirs_exist_ok=True)


async def test_crash_suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
                           capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    seed = int(os.environ.get("HELIX_CRASH_SEED") or random.SystemRandom().randrange(2**31))
    started = time.monotonic()
    data = tmp_path / "data"
    data.mkdir()
    log = Log(data / "crash-suite.log")
    log(f"crash suite: seed={seed} (HELIX_CRASH_SEED={seed} replays this chaos plan), data in {data}")
    s = Settings(data_dir=data, database_url=f"sqlite:///{data / 'helix.db'}", task_queue=TASK_QUEUE)
    for module in ("services.agreements", "services.programs", "services.grants", "services.releases"):
        monkeypatch.setattr(f"{module}.get_settings", lambda: s)
    warm_font_cache(request, data)
    engine = make_engine(s.resolved_database_url)
    init_db(engine)
    load_directory(engine, DEMO / "directory.yaml")

    cluster = Cluster(s, log, failpoints=FAILPOINTS)
    fig = Figures(seed=seed)
    try:
        cluster.start_server()
        client = await cluster.wait_server()
        cluster.start_worker()
        cluster.watch()
        log(f"server on {cluster.address}, worker started; driving")
        ops = Ops(client, engine, log)
        watcher = ops.watch()
        suite = Suite(cluster, ops, random.Random(seed), Counts(**json.loads(os.environ.get("HELIX_CRASH_COUNTS", "{}"))), log)
        chaos = asyncio.create_task(suite.chaos(WORKER_KILLS, CHAOS_GAP))
        progress = asyncio.create_task(suite.progress())
        try:
            await asyncio.wait_for(suite.drive(), timeout=DRIVE_SECONDS)
        except TimeoutError:
            suite.failures.append(f"the drivers did not finish within {DRIVE_SECONDS:.0f} s")
        await chaos
        await progress
        watcher.cancel()
        log(f"drivers done in {time.monotonic() - started:.0f} s; checking")
        await suite.verify(s, fig)
        st = ops.stats
        fig.peak_in_flight, fig.updates, fig.retries = st.peak_in_flight, st.updates, st.retries
        me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        fig.load_average = round(os.getloadavg()[0], 1)
        fig.cpu_seconds = round(me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime, 1)
        log(
            f"cpu: this process {me.ru_utime + me.ru_stime:.0f} s, servers and workers ended so far "
            f"{children.ru_utime + children.ru_stime:.0f} s; load average {fig.load_average}"
        )
    finally:
        cluster.stop()
        fig.worker_kills, fig.server_kills, fig.worker_exits = (
            cluster.worker_kills,
            cluster.server_kills,
            len(cluster.worker_exits),
        )
        fig.seconds = round(time.monotonic() - started, 1)
        log.close()

    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "crash-suite.json").write_text(json.dumps(dataclasses.asdict(fig), indent=2) + "\n")
    with capsys.disabled():  # shown whether or not pytest captures output
        print(f"\n{fig.line()} seconds={fig.seconds} peak_in_flight={fig.peak_in_flight} worker_exits={fig.worker_exits}")
        for p in fig.problems[:40]:
            print(f"  problem: {p}")

    assert fig.processes >= 100 and fig.peak_in_flight >= 100, "fewer than 100 processes in flight at once"
    assert fig.worker_kills >= 3 and fig.server_kills == 1, "the chaos did not happen while the drivers ran"
    assert not fig.problems, "\n".join(fig.problems[:40])
    assert (fig.completed, fig.duplicates, fig.missing, fig.mismatches) == (fig.processes, 0, 0, 0)
