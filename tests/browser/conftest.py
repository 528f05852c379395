"""The whole system started the way a user starts it (`run.py`), and headless Chromium to drive it.

`helix` runs `run.py` as a subprocess on a fresh data folder and free ports, waits until the demo
has loaded and the dashboard answers, and stops it with SIGTERM afterwards (SIGKILL to every
process group it started when it does not stop within a minute), also when a test fails.

Chromium is Debian's `chromium` package (`scripts/install.sh test` installs it as root), driven by
the `playwright` package with `executable_path`: nothing is downloaded at run time (never
`playwright install`). Without either the module is skipped with the reason, except under CI
(`CI` set), where a browser test that cannot run is a failure.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_SECONDS = 600  # the demo loads in about a minute and a half on two idle cores; far longer on busy ones
STOP_SECONDS = 60
READY_LINE = "Helix is up"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):  # CI must run the browser test: a missing browser is a failure there
        pytest.fail(f"{reason} (CI is set, so the browser test must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium binary, once playwright is importable; else skip (or fail under CI)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (scripts/install.sh test installs it)")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"{CHROMIUM} is missing (Debian package chromium; scripts/install.sh test installs it as root)")
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)  # a fresh profile (user data dir) each launch
        try:
            yield b
        finally:
            b.close()


@dataclass(frozen=True)
class Helix:
    url: str
    data_dir: Path
    log: Path

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of the read model (SQLite in the data folder), read-only."""
        conn = sqlite3.connect(f"file:{self.data_dir / 'helix.db'}?mode=ro", uri=True, timeout=10)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def open_steps(self) -> int:
        return self.query("select count(*) from step where closed_at is null")[0][0]

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):  # held open together, so the ports differ
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _children(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc); run.py starts each in a session of its own."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, as Ctrl-C would; after a minute, SIGKILL to its group and its children's groups."""
    if proc.poll() is None:
        children = _children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            for pgid in [*children, proc.pid]:
                try:
                    os.killpg(pgid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            proc.wait(timeout=10)


def _wait_ready(proc: subprocess.Popen[bytes], helix: Helix) -> None:
    deadline = time.monotonic() + START_SECONDS

    def check(what: str) -> None:
        if proc.poll() is not None:
            pytest.fail(f"run.py exited with status {proc.returncode} while {what}:\n{helix.log_tail()}")
        if time.monotonic() > deadline:
            pytest.fail(f"Helix was not ready within {START_SECONDS} s ({what}):\n{helix.log_tail()}")

    while READY_LINE not in helix.log.read_text(errors="replace"):  # logged once the demo is loaded
        check("loading the demo")
        time.sleep(1)
    while True:
        check("waiting for the dashboard")
        try:
            with urllib.request.urlopen(f"{helix.url}_stcore/health", timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        time.sleep(0.5)
    # The workflows settle after the demo script returns: wait until the open steps stop changing.
    seen: list[int] = []
    while len(seen) < 4 or len(set(seen[-4:])) > 1:
        check("waiting for the demo's steps to settle")
        seen.append(helix.open_steps())
        time.sleep(1)


@pytest.fixture(scope="module")
def helix(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Helix]:
    """`run.py` on a fresh data folder and free ports, with the demo loaded; stopped afterwards."""
    data = tmp_path_factory.mktemp("helix-browser")
    temporal, ui, dashboard = free_ports(3)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELIX_", "TEMPORAL_"))}  # no cluster, no .env overrides
    env.update(
        HELIX_DATA_DIR=str(data),
        DATABASE_URL=f"sqlite:///{data / 'helix.db'}",
        HELIX_TEMPORAL_PORT=str(temporal),
        HELIX_TEMPORAL_UI_PORT=str(ui),
        HELIX_DASHBOARD_PORT=str(dashboard),
        HELIX_DEMO="true",
        PYTHONUNBUFFERED="1",
    )
    h = Helix(url=f"http://127.0.0.1:{dashboard}/", data_dir=data, log=data / "run.log")
    with open(h.log, "ab") as log:
        proc = subprocess.Popen([sys.executable, str(ROOT / "run.py")], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        started = time.monotonic()
        _wait_ready(proc, h)
        print(f"Helix ready in {time.monotonic() - started:.0f} s at {h.url} (data {data})")
        yield h
    finally:
        stop(proc)
