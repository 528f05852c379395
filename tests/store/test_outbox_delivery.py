"""Mail is queued once per key and sent at most once, with SMTP injected as a fake client."""

from __future__ import annotations

import smtplib
import threading
import time
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from sqlalchemy import Engine

from settings import Settings
from store.outbox import (
    SmtpConfig,
    TransientMailError,
    deliver,
    enqueue,
    pending_keys,
    requeue,
)
from store.queries import outbox

NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
SMTP = SmtpConfig(host="mail.example.org", port=587, user="helix", password="s3cret", sender="helix@example.org")


class FakeSMTP:
    """Records what a real `smtplib.SMTP` would have been asked to do; `fail` injects errors."""

    sent: list[EmailMessage]

    def __init__(self, fail: dict[str, BaseException] | None = None, delay: float = 0.0) -> None:
        self.sent = []
        self.calls: list[str] = []
        self.fail = fail or {}
        self.delay = delay
        self.lock = threading.Lock()

    def __call__(self, host: str, port: int, timeout: float) -> FakeSMTP:
        self._step(f"connect {host}:{port}")
        return self

    def _step(self, name: str) -> None:
        with self.lock:
            self.calls.append(name)
        key = name.split()[0]
        if key in self.fail:
            raise self.fail[key]

    def starttls(self) -> None:
        self._step("starttls")

    def login(self, user: str, password: str) -> None:
        self._step(f"login {user}:{password}")

    def send_message(self, msg: EmailMessage) -> dict[str, Any]:
        time.sleep(self.delay)
        self._step("send_message")
        with self.lock:
            self.sent.append(msg)
        return {}

    def quit(self) -> None:
        self._step("quit")


def status(engine: Engine, key: str = "k1") -> str:
    return next(m.status for m in outbox(engine) if m.key == key)


def queue(engine: Engine, key: str = "k1") -> bool:
    return enqueue(engine, key, "mou-kr-kz", ["kim@example.org", "aigerim@example.org"], "Please review", "Version 2 is ready.")


def test_enqueue_is_idempotent(engine: Engine) -> None:
    assert queue(engine) is True
    first = outbox(engine)
    assert queue(engine) is False
    assert enqueue(engine, "k1", None, ["other@example.org"], "Changed", "Changed") is False
    assert outbox(engine) == first
    with pytest.raises(ValueError, match="no recipient"):
        enqueue(engine, "k2", None, [], "x", "y")


def test_without_smtp_the_outbox_is_the_mailbox(engine: Engine) -> None:
    queue(engine)
    assert deliver(engine, "k1", None, now=NOW) == "recorded"
    assert deliver(engine, "k1", None, now=NOW) == "recorded"
    [message] = outbox(engine)
    assert message.sent_at == NOW and message.error is None
    with pytest.raises(KeyError):
        deliver(engine, "missing", None)


def test_without_smtp_a_message_is_recorded_in_one_write(engine: Engine) -> None:
    from sqlalchemy import event

    writes: list[object] = []

    def count(conn: object) -> None:
        writes.append(conn)

    event.listen(engine, "begin", count)
    try:
        assert enqueue(engine, "k1", "mou-kr-kz", ["kim@example.org"], "Please review", "v2", recorded_at=NOW) is True
    finally:
        event.remove(engine, "begin", count)
    assert len(writes) == 1  # queue, claim and finish were three
    [message] = outbox(engine)
    assert (message.status, message.sent_at, message.created_at) == ("recorded", NOW, NOW)
    # a message queued before (a retried activity, SMTP turned off since) keeps its status for `deliver`
    queue(engine, "k2")
    assert enqueue(engine, "k2", "mou-kr-kz", ["kim@example.org"], "Please review", "v2", recorded_at=NOW) is False
    assert status(engine, "k2") == "pending"
    assert deliver(engine, "k2", None, now=NOW) == "recorded"


async def test_notify_activity_without_smtp_records_once(engine: Engine) -> None:
    from activities.records import RecordActivities
    from domain.notifications import Notification
    from domain.parties import PersonRef

    records = RecordActivities(engine)
    kim = PersonRef(id="kim-minji", name="Kim Min-ji", email="kim@example.org")
    note = Notification(key="agreement-x/opened", item_id="agreement-x", to=[kim], subject="Action needed", body="Approve v2.")
    await records.notify(note)
    await records.notify(note)  # retried: still one message
    [message] = [m for m in outbox(engine) if m.key == "agreement-x/opened"]
    assert message.status == "recorded" and message.sent_at is not None and message.to == ["Kim Min-ji <kim@example.org>"]


def test_smtp_delivery_sends_once(engine: Engine) -> None:
    queue(engine)
    smtp = FakeSMTP()
    assert deliver(engine, "k1", SMTP, smtp_factory=smtp, now=NOW) == "sent"
    assert smtp.calls == ["connect mail.example.org:587", "starttls", "login helix:s3cret", "send_message", "quit"]
    [msg] = smtp.sent
    assert msg["To"] == "kim@example.org, aigerim@example.org" and msg["From"] == "helix@example.org"
    assert msg["Subject"] == "Please review" and msg.get_content().strip() == "Version 2 is ready."
    assert msg["Message-ID"].endswith("@example.org>")
    assert deliver(engine, "k1", SMTP, smtp_factory=smtp, now=NOW) == "sent"
    assert len(smtp.sent) == 1


def test_claim_once_under_concurrency(engine: Engine) -> None:
    queue(engine)
    smtp = FakeSMTP(delay=0.05)
    results: list[str] = []
    barrier = threading.Barrier(8)

    def run() -> None:
        barrier.wait()
        results.append(deliver(engine, "k1", SMTP, smtp_factory=smtp))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(smtp.sent) == 1
    assert results.count("sent") >= 1 and set(results) <= {"sent", "sending"}
    assert status(engine) == "sent"


def test_unreachable_server_leaves_it_pending_for_a_retry(engine: Engine) -> None:
    queue(engine)
    with pytest.raises(TransientMailError):
        deliver(engine, "k1", SMTP, smtp_factory=FakeSMTP(fail={"connect": ConnectionRefusedError("refused")}))
    assert status(engine) == "pending" and "could not reach" in (outbox(engine)[0].error or "")
    with pytest.raises(TransientMailError):
        deliver(engine, "k1", SMTP, smtp_factory=FakeSMTP(fail={"login": smtplib.SMTPAuthenticationError(535, b"no")}))
    assert pending_keys(engine) == ["k1"]
    assert deliver(engine, "k1", SMTP, smtp_factory=FakeSMTP()) == "sent"


def test_refusals(engine: Engine) -> None:
    queue(engine, "temp")
    temporary = smtplib.SMTPDataError(451, b"try later")
    with pytest.raises(TransientMailError):
        deliver(engine, "temp", SMTP, smtp_factory=FakeSMTP(fail={"send_message": temporary}))
    assert status(engine, "temp") == "pending"

    queue(engine, "perm")
    permanent = smtplib.SMTPDataError(554, b"rejected")
    assert deliver(engine, "perm", SMTP, smtp_factory=FakeSMTP(fail={"send_message": permanent})) == "failed"
    assert "554" in (next(m for m in outbox(engine) if m.key == "perm").error or "")

    queue(engine, "nobody")
    refused = smtplib.SMTPRecipientsRefused({"kim@example.org": (550, b"no such user")})
    assert deliver(engine, "nobody", SMTP, smtp_factory=FakeSMTP(fail={"send_message": refused})) == "failed"
    assert requeue(engine, "nobody") is True and status(engine, "nobody") == "pending"


def test_interrupted_send_is_never_repeated(engine: Engine) -> None:
    queue(engine)
    cut = FakeSMTP(fail={"send_message": smtplib.SMTPServerDisconnected("gone")})
    with pytest.raises(smtplib.SMTPServerDisconnected):
        deliver(engine, "k1", SMTP, smtp_factory=cut)
    assert status(engine) == "sending" and "check before resending" in (outbox(engine)[0].error or "")
    again = FakeSMTP()
    assert deliver(engine, "k1", SMTP, smtp_factory=again) == "sending"
    assert again.calls == []  # not even a connection
    assert requeue(engine, "k1") is True  # a person checked and decided
    assert deliver(engine, "k1", SMTP, smtp_factory=again) == "sent"


def test_config_from_settings() -> None:
    assert SmtpConfig.from_settings(Settings(smtp_host=None)) is None
    config = SmtpConfig.from_settings(Settings(smtp_host="smtp.example.org", smtp_port=25, smtp_from="h@example.org"))
    assert config is not None and config.port == 25 and config.sender == "h@example.org"


def test_names_in_any_script_survive_the_headers(engine: Engine) -> None:
    to = ["김민지 <kim@example.org>", "Айгерим Садыкова <aigerim@example.org>"]
    enqueue(engine, "k1", "mou-kr-kz", to, "검토 요청 — Review", "Версия 2 готова.")
    smtp = FakeSMTP()
    assert deliver(engine, "k1", SMTP, smtp_factory=smtp) == "sent"
    [msg] = smtp.sent
    raw = msg.as_bytes()
    assert raw.isascii()  # encoded for any mail server
    parsed = BytesParser(policy=policy.compat32).parsebytes(raw)
    # RFC 2047 decoding (adjacent encoded words join without a space), as mail clients do it
    assert str(make_header(decode_header(parsed["To"]))) == ", ".join(to)
    assert str(make_header(decode_header(parsed["Subject"]))) == "검토 요청 — Review"
    assert parsed.get_payload(decode=True).decode().strip() == "Версия 2 готова."
