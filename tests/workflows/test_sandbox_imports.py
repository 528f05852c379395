"""What the sandbox runs for each execution it starts or replays: the workflow's module and what it
imports, from bytecode (bench/engine.py measured half the engine worker's CPU otherwise)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import workflows
from worker import compile_workflows
from workflows.registry import ALL_WORKFLOWS

FOLDER = Path(workflows.__file__).parent


def test_the_package_init_imports_nothing() -> None:
    """The sandbox runs `workflows/__init__.py` before any workflow's module: importing every
    workflow there made each new execution build all eleven modules."""
    tree = ast.parse((FOLDER / "__init__.py").read_text())
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]


def test_the_registry_has_every_workflow_module() -> None:
    defined = {p.stem for p in FOLDER.glob("*.py")} - {"__init__", "registry", "human_step", "human_workflow", "item_activities"}
    registered = {w.__module__.rpartition(".")[2] for w in ALL_WORKFLOWS}
    assert registered == defined


def test_worker_start_writes_the_workflows_bytecode(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Even where the environment says not to write bytecode (PYTHONDONTWRITEBYTECODE, as in many
    container images), the worker writes the workflow modules' `.pyc`."""
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    target = FOLDER / "registry.py"
    cached = Path(importlib.util.cache_from_source(str(target)))
    cached.unlink(missing_ok=True)
    compile_workflows()
    assert cached.is_file()
    for module in FOLDER.glob("*.py"):
        assert Path(importlib.util.cache_from_source(str(module))).is_file(), module.name
