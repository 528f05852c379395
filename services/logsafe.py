"""Secrets never reach a log: every configured secret is replaced by `***` in each log record.

The secrets are the values configured for this process — the SMTP password, the payload keys,
the password in `DATABASE_URL`, Temporal's API key — collected by `configured_secrets`. They end
up in log lines by accident: an exception that quotes a connection string, a mail server that
echoes a login, a settings object logged whole. `redact_record` rewrites a record whose message,
arguments, traceback or stack mention one: the message is formatted once and its arguments
dropped; a traceback is rendered to text, redacted, and the exception object detached so no
formatter can render it again. Records that mention no secret are left exactly as they were.

`install()` applies it to every record this process creates (through the log record factory,
so handlers added later — pytest's, Streamlit's, `basicConfig` after the fact — are covered too),
and adds `RedactingFilter` to the handlers already in place for records made elsewhere. Output
that bypasses Python's logging (the Temporal server's own log, the Rust core's stderr) is outside
its reach; neither sees these values.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

MASK = "***"
SECRET_ENV = ("TEMPORAL_API_KEY", "HELIX_SMTP_PASSWORD", "HELIX_PAYLOAD_KEY", "HELIX_PAYLOAD_OLD_KEYS")


class Redactor:
    """Replaces each of a set of secret strings with `***`, longest first (so a secret that
    contains another is masked whole)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: tuple[str, ...] = ()
        self.update(secrets)

    def update(self, secrets: Iterable[str]) -> None:
        self.secrets = tuple(sorted({s for s in secrets if s and s.strip()}, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def leaks(self, text: str) -> bool:
        return any(secret in text for secret in self.secrets)


_formatter = logging.Formatter()


def redact_record(record: logging.LogRecord, redact: Redactor) -> logging.LogRecord:
    """Mask every secret in the record's message, its arguments, traceback and stack, in place."""
    if not redact.secrets:
        return record
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - arguments that do not fit the format: logging reports that itself
        message = None
    if message is not None and redact.leaks(message):
        record.msg, record.args = redact(message), None
    traceback = record.exc_text or (_formatter.formatException(record.exc_info) if record.exc_info else None)
    if traceback and redact.leaks(traceback):
        record.exc_text = redact(traceback)
        record.exc_info = None  # formatters use exc_text; the exception itself would render the secret again
    if record.stack_info and redact.leaks(record.stack_info):
        record.stack_info = redact(record.stack_info)
    return record


class RedactingFilter(logging.Filter):
    """A filter for handlers: lets every record through with its secrets masked."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record, self.redact)
        return True


def url_password(url: str | None) -> list[str]:
    """The password part of a URL, as written (percent-encoded) and decoded."""
    if not url:
        return []
    try:
        password = urlsplit(url).password
    except ValueError:
        return []
    return [password, unquote(password)] if password else []


def configured_secrets(settings: Any | None = None) -> list[str]:
    """Every secret this process is configured with: from `settings` (the process's own when
    None, if they load) and from the environment directly (so a process whose settings are invalid
    still masks them)."""
    from services.codec import all_secrets

    found: list[str] = []
    if settings is None:
        from pydantic import ValidationError

        from settings import get_settings

        try:
            settings = get_settings()
        except ValidationError:
            settings = None
    if settings is not None:
        for secret in (settings.smtp_password, settings.payload_key, settings.payload_old_keys):
            if secret is not None:
                found.append(secret.get_secret_value())
        found += all_secrets(
            settings.payload_key.get_secret_value() if settings.payload_key else None,
            settings.payload_old_keys.get_secret_value() if settings.payload_old_keys else None,
        )
        found += url_password(settings.database_url)
    for name in SECRET_ENV:
        found.append(os.environ.get(name, ""))
    found += all_secrets(os.environ.get("HELIX_PAYLOAD_KEY"), os.environ.get("HELIX_PAYLOAD_OLD_KEYS"))
    found += url_password(os.environ.get("DATABASE_URL"))
    found += _envconfig_api_key()
    return [s.strip() for s in found if s and s.strip()]


def _envconfig_api_key() -> list[str]:
    """Temporal's API key as `temporalio.envconfig` reads it (environment or TOML profile)."""
    try:
        from settings import temporal_connect_config

        key = temporal_connect_config().get("api_key")
    except Exception:  # noqa: BLE001 - a broken profile is reported when connecting, not here
        return []
    return [key] if isinstance(key, str) else []


_lock = threading.Lock()
_redactor = Redactor()
_filter = RedactingFilter(_redactor)
_previous_factory: Callable[..., logging.LogRecord] | None = None


def install(secrets: Iterable[str] | None = None) -> Redactor:
    """Mask `secrets` (default: `configured_secrets()`) in every log record of this process from
    now on. Calling it again replaces the secrets; the factory is wrapped once."""
    global _previous_factory
    with _lock:
        _redactor.update(configured_secrets() if secrets is None else secrets)
        if _previous_factory is None:
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                return redact_record(previous(*args, **kwargs), _redactor)

            _previous_factory = previous
            logging.setLogRecordFactory(factory)
        for handler in [*logging.getLogger().handlers, logging.lastResort]:
            if handler is not None and _filter not in handler.filters:
                handler.addFilter(_filter)
    return _redactor


def uninstall() -> None:
    """Undo `install` (for tests)."""
    global _previous_factory
    with _lock:
        if _previous_factory is not None:
            logging.setLogRecordFactory(_previous_factory)
            _previous_factory = None
        for handler in [*logging.getLogger().handlers, logging.lastResort]:
            if handler is not None:
                handler.removeFilter(_filter)
        _redactor.update(())


def ensure_installed() -> None:
    """`install()` unless already installed: for code that runs on every request (the dashboard)."""
    if _previous_factory is None:
        install()
