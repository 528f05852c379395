"""Renders run in processes of their own, so a worker's event loop is never held by one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from activities import documents
from activities.documents import rendered
from tests.documents import render_probe


@pytest.fixture(autouse=True)
def processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "RENDER_PROCESSES", 1)


def test_a_renderer_runs_in_another_process() -> None:
    pid, doubled = rendered(render_probe.whoami, 21)
    assert doubled == 42 and pid != os.getpid()
    assert rendered(render_probe.whoami, 1)[0] == pid  # the same process, kept for the next render


def test_what_the_renderer_raises_comes_back_as_raised() -> None:
    with pytest.raises(ValueError, match="a clause the library cannot fill"):
        rendered(render_probe.refuses, "a clause the library cannot fill")


def test_a_stand_in_that_no_process_can_import_runs_here() -> None:
    def local(x: int) -> tuple[int, int]:
        return os.getpid(), x

    assert rendered(local, 5) == (os.getpid(), 5)


def test_a_render_process_that_dies_is_replaced(tmp_path: Path) -> None:
    before = rendered(render_probe.whoami, 0)[0]
    assert rendered(render_probe.dies_once, str(tmp_path / "marker")) == "rendered after a fresh process"
    assert rendered(render_probe.whoami, 0)[0] != before


def test_no_processes_renders_in_the_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "RENDER_PROCESSES", 0)
    assert rendered(render_probe.whoami, 2) == (os.getpid(), 4)


def test_renders_run_below_the_worker_s_priority_and_a_person_s_own_pool() -> None:
    assert rendered(render_probe.niceness) >= min(os.nice(0) + documents.RENDER_NICENESS, 19)
    background = rendered(render_probe.whoami, 1)[0]
    interactive = documents._interactively(rendered, render_probe.whoami, 1)[0]
    assert interactive not in (background, os.getpid())  # a click's render never queues behind a backlog


def test_render_processes_end_with_a_worker_killed_outright() -> None:
    """A worker killed with SIGKILL cannot shut its render pool down; its render processes notice
    that their parent is gone and end (before: they lived on, idle, adopted by init)."""
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import sys, time\n"
        "from activities.documents import rendered\n"
        "from tests.documents import render_probe\n"
        "print(rendered(render_probe.whoami, 0)[0], flush=True)\n"
        "time.sleep(120)\n"
    )
    root = Path(__file__).resolve().parents[2]
    worker = subprocess.Popen([sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "HELIX_RENDER_PROCESSES": "1"})  # fmt: skip
    try:
        assert worker.stdout is not None
        child = int(worker.stdout.readline())
        os.kill(child, 0)  # alive while its worker is
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                break
            if _zombie(child):
                break
            time.sleep(0.2)
        else:
            os.kill(child, signal.SIGKILL)
            raise AssertionError(f"render process {child} outlived its worker")
    finally:
        if worker.poll() is None:
            worker.kill()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return False
