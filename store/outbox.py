"""Outgoing mail: queued idempotently, then delivered at most once.

A notify activity may run twice, so `enqueue` is keyed by the workflow's own message key and a
second call does nothing. `deliver` claims a message by moving it from 'pending' to 'sending' in
one UPDATE, so two deliverers can never both send it. After a crash mid-send a message stays in
'sending' for a person to check: a reminder missed is better than the same reminder sent twice.
Without SMTP settings nothing leaves the machine and the outbox is the dashboard's mailbox.
"""

from __future__ import annotations

import contextlib
import hashlib
import smtplib
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from pydantic import BaseModel, SecretStr
from sqlalchemy import Engine, select, update

from store.db import dialect_insert, reading, transaction
from store.models import OutboxMessage, OutboxRow, OutboxStatus, utcnow

OUTBOX = OutboxRow.__table__
SMTP_TIMEOUT_SECONDS = 30

SmtpFactory = Callable[..., Any]
"""Anything called like `smtplib.SMTP(host, port, timeout=…)`; tests inject a fake."""


class SmtpConfig(BaseModel):
    host: str
    port: int = 587
    user: str | None = None
    password: SecretStr | None = None
    sender: str = "helix@localhost"
    starttls: bool = True

    @classmethod
    def from_settings(cls, settings: Any) -> SmtpConfig | None:
        """SMTP settings from `settings.Settings`, or None when no host is configured."""
        if not settings.smtp_host:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            user=settings.smtp_user,
            password=settings.smtp_password,
            sender=settings.smtp_from,
            starttls=settings.smtp_starttls,
        )


class TransientMailError(Exception):
    """The message was certainly not handed over and is pending again: retrying is safe."""


def enqueue(
    engine: Engine, key: str, item_id: str | None, to: list[str], subject: str, body: str, *, recorded_at: datetime | None = None
) -> bool:
    """Queue a message once per key; True when this call queued it, False when it already was.

    With `recorded_at` (no mail server configured) the message goes in as 'recorded' at once: one
    write instead of the three of queue, claim and finish, which every worker thread otherwise
    takes the read model's one SQLite writer lock for. A message already queued keeps its status
    (`deliver` settles it)."""
    if not to:
        raise ValueError(f"outbox message '{key}' has no recipient")
    message = OutboxMessage.model_validate(
        {"key": key, "item_id": item_id, "to": list(to), "subject": subject, "body": body}
    )
    values = {**message.model_dump(), "status": OutboxStatus.PENDING, "created_at": recorded_at or utcnow()}
    if recorded_at is not None:  # queued and recorded in the same instant
        values.update(status=OutboxStatus.RECORDED, sent_at=recorded_at)
    with transaction(engine) as conn:
        stmt = dialect_insert(conn, OUTBOX).values(values).on_conflict_do_nothing(index_elements=[OUTBOX.c.key])
        return conn.execute(stmt.returning(OUTBOX.c.key)).first() is not None


def _claim(engine: Engine, key: str) -> dict[str, Any] | None:
    with transaction(engine) as conn:
        claimed = conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.key == key, OUTBOX.c.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SENDING)
        ).rowcount
        if claimed != 1:
            return None
        return dict(conn.execute(select(OUTBOX).where(OUTBOX.c.key == key)).mappings().one())


def _finish(engine: Engine, key: str, status: str, error: str | None = None, sent_at: datetime | None = None) -> None:
    with transaction(engine) as conn:
        conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.key == key, OUTBOX.c.status == OutboxStatus.SENDING)
            .values(status=status, error=error, sent_at=sent_at)
        )


def _status(engine: Engine, key: str) -> str | None:
    with reading(engine) as conn:
        return conn.execute(select(OUTBOX.c.status).where(OUTBOX.c.key == key)).scalar_one_or_none()


def build_message(row: dict[str, Any], sender: str) -> EmailMessage:
    """The email for an outbox row; its Message-ID comes from the key, so mail clients can spot copies."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(row["to"])
    msg["Subject"] = row["subject"]
    domain = sender.rpartition("@")[2] or "helix.local"
    msg["Message-ID"] = f"<{hashlib.sha256(row['key'].encode()).hexdigest()[:32]}@{domain}>"
    # Quoted-printable keeps any script 7-bit clean, for servers without 8BITMIME.
    msg.set_content(row["body"], cte=None if row["body"].isascii() else "quoted-printable")
    return msg


def deliver(
    engine: Engine,
    key: str,
    smtp: SmtpConfig | None,
    *,
    smtp_factory: SmtpFactory = smtplib.SMTP,
    now: datetime | None = None,
) -> str:
    """Deliver one queued message at most once; returns its status afterwards.

    'recorded' without SMTP; 'sent' once the server accepted it; 'failed' when the server refused
    it for good. A connection or login problem, or a temporary (4xx) refusal, puts it back to
    'pending' and raises `TransientMailError`, so the calling activity retries. Anything that
    may have happened after the server started receiving leaves it in 'sending'.
    """
    row = _claim(engine, key)
    if row is None:
        status = _status(engine, key)
        if status is None:
            raise KeyError(f"no outbox message with key '{key}'")
        return status
    if smtp is None:
        _finish(engine, key, OutboxStatus.RECORDED, sent_at=now or utcnow())
        return OutboxStatus.RECORDED
    message = build_message(row, smtp.sender)
    try:
        client = _connect(smtp, smtp_factory)
    except (OSError, smtplib.SMTPException) as e:
        said = _without_password(str(e), smtp)  # some servers echo the login they refused
        _release(engine, key, f"could not reach the mail server: {said}")
        raise TransientMailError(said) from e
    try:
        refused = client.send_message(message)
    except smtplib.SMTPRecipientsRefused as e:
        _finish(engine, key, OutboxStatus.FAILED, f"every recipient was refused: {e.recipients}")
        return OutboxStatus.FAILED
    except smtplib.SMTPResponseException as e:
        if 400 <= e.smtp_code < 500:
            _release(engine, key, f"temporary refusal {e.smtp_code}: {e.smtp_error!r}")
            raise TransientMailError(str(e)) from e
        _finish(engine, key, OutboxStatus.FAILED, f"refused {e.smtp_code}: {e.smtp_error!r}")
        return OutboxStatus.FAILED
    except Exception as e:
        # The server may or may not have the message: never send it again automatically.
        _note(engine, key, f"interrupted while sending, check before resending: {e!r}")
        raise
    finally:
        _quit(client)
    error = f"refused recipients: {refused}" if refused else None
    _finish(engine, key, OutboxStatus.SENT, error=error, sent_at=now or utcnow())
    return OutboxStatus.SENT


def _connect(smtp: SmtpConfig, factory: SmtpFactory) -> Any:
    client = factory(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if smtp.starttls:
            client.starttls()
        if smtp.user:
            client.login(smtp.user, smtp.password.get_secret_value() if smtp.password else "")
    except BaseException:
        _quit(client)
        raise
    return client


def _without_password(text: str, smtp: SmtpConfig) -> str:
    """The outbox's error column is shown on the dashboard: never with the SMTP password in it."""
    password = smtp.password.get_secret_value() if smtp.password else ""
    return text.replace(password, "***") if password else text


def _quit(client: Any) -> None:
    with contextlib.suppress(OSError, smtplib.SMTPException):  # the outcome is decided already
        client.quit()


def _release(engine: Engine, key: str, error: str) -> None:
    with transaction(engine) as conn:
        conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.key == key, OUTBOX.c.status == OutboxStatus.SENDING)
            .values(status=OutboxStatus.PENDING, error=error)
        )


def _note(engine: Engine, key: str, error: str) -> None:
    with transaction(engine) as conn:
        conn.execute(update(OUTBOX).where(OUTBOX.c.key == key).values(error=error))


def requeue(engine: Engine, key: str) -> bool:
    """A person decided a 'failed' or stuck 'sending' message should go (again); True if requeued."""
    with transaction(engine) as conn:
        return (
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.key == key, OUTBOX.c.status.in_([OutboxStatus.FAILED, OutboxStatus.SENDING]))
                .values(status=OutboxStatus.PENDING)
            ).rowcount
            == 1
        )


def pending_keys(engine: Engine, limit: int = 100) -> list[str]:
    """Keys waiting for delivery, oldest first (for a sweeper after an outage)."""
    with reading(engine) as conn:
        return list(
            conn.execute(
                select(OUTBOX.c.key)
                .where(OUTBOX.c.status == OutboxStatus.PENDING)
                .order_by(OUTBOX.c.created_at)
                .limit(limit)
            ).scalars()
        )
