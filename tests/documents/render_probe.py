"""Module-level stand-ins for renderers, importable by a render process (tests/documents/test_render_processes.py)."""

from __future__ import annotations

import os
from pathlib import Path


def whoami(x: int) -> tuple[int, int]:
    return os.getpid(), x * 2


def refuses(reason: str) -> None:
    raise ValueError(reason)


def dies_once(marker: str) -> str:
    """The first call kills its process (as the OOM killer would); the next one answers."""
    path = Path(marker)
    if not path.exists():
        path.write_text("died")
        os._exit(9)
    return "rendered after a fresh process"


def niceness() -> int:
    return os.nice(0)
