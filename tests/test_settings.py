"""Settings come from the environment; Temporal's connection from temporalio.envconfig."""

from __future__ import annotations

import pytest

from settings import Settings, temporal_connect_config


def test_embedded_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for var in ("DATABASE_URL", "HELIX_DATA_DIR", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    s = Settings()
    assert s.resolved_database_url.startswith("sqlite:///") and s.resolved_database_url.endswith("data/helix.db")
    assert s.smtp_host is None and s.task_queue == "helix"
    assert temporal_connect_config()["target_host"] == "127.0.0.1:7233"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://helix@db.internal/helix")
    monkeypatch.setenv("HELIX_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("HELIX_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("TEMPORAL_ADDRESS", "helix.a1b2c.tmprl.cloud:7233")
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "helix.a1b2c")
    monkeypatch.setenv("TEMPORAL_API_KEY", "key-123")
    s = Settings()
    assert s.resolved_database_url == "postgresql+psycopg://helix@db.internal/helix"
    assert s.smtp_host == "smtp.example.org" and "s3cret" not in repr(s)
    config = temporal_connect_config()
    assert config["target_host"] == "helix.a1b2c.tmprl.cloud:7233"
    assert config["namespace"] == "helix.a1b2c" and config["api_key"] == "key-123"
