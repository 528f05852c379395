"""A dashboard pointed at a seeded SQLite read model of its own, and a fake Temporal."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from settings import get_settings
from store.db import dispose_engine, init_db, make_engine
from tests.dashboard.seed import ROOT, seed

APP = ROOT / "dashboard" / "app.py"


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded data folder, built once: hashing the demo passwords is the slow part."""
    data = tmp_path_factory.mktemp("dashboard-template")
    engine = make_engine(f"sqlite:///{data / 'helix.db'}")
    init_db(engine)
    seed(engine, data)
    dispose_engine(engine)
    return data


@pytest.fixture
def data_dir(template_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the seeded data folder, with settings pointing at it."""
    data = tmp_path / "data"
    shutil.copytree(template_dir, data)
    monkeypatch.setenv("HELIX_DATA_DIR", str(data))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{data / 'helix.db'}")
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    yield data
    st.cache_resource.clear()
    dispose_engine(make_engine(f"sqlite:///{data / 'helix.db'}"))
    get_settings.cache_clear()


@dataclass
class FakeTemporal:
    """Stands in for `dashboard.client.send_action`: records calls, answers or raises."""

    calls: list[tuple[str, str, dict[str, Any], str]] = field(default_factory=list)
    error: Exception | None = None
    message: str | None = None  # what a non-agreement action answers; "<action> recorded." when unset

    def __call__(self, workflow_id: str, action: str, data: dict[str, Any], update_id: str) -> Any:
        from services.agreements import ActionResult

        self.calls.append((workflow_id, action, data, update_id))
        if self.error is not None:
            raise self.error
        if not workflow_id.startswith("agreement-"):  # student records and credit transfers: any result with a message
            return SimpleNamespace(message=self.message or f"{action.replace('_', ' ').capitalize()} recorded.")
        return ActionResult(
            phase="approval", version=2, version_hash=data.get("version_hash"), message="Approval of version 2 recorded."
        )


@pytest.fixture
def temporal(monkeypatch: pytest.MonkeyPatch) -> FakeTemporal:
    fake = FakeTemporal()
    monkeypatch.setattr("dashboard.client.send_action", fake)
    return fake


@pytest.fixture
def app(data_dir: Path) -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=30)
