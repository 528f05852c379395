"""Secrets never reach a log: in the message, its arguments, a traceback or a stack, each is `***`."""

from __future__ import annotations

import functools
import io
import logging
import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from activities.records import OutboxRelay
from services import logsafe
from services.codec import new_key
from settings import Settings
from store import outbox
from store.db import dispose_engine, init_db, make_engine
from store.outbox import SmtpConfig
from tests.store.test_outbox_delivery import FakeSMTP

SMTP_PASSWORD = "Tr0ub4dor&3-smtp"
DB_PASSWORD = "p@ss/w0rd-db"  # percent-encoded in the URL: p%40ss%2Fw0rd-db
DB_URL = "postgresql+psycopg://helix:p%40ss%2Fw0rd-db@db.internal:5432/helix"
API_KEY = "tmprl-api-key-0123456789"


@pytest.fixture
def handler() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose only handler writes to a string through the filter (and nowhere else)."""
    out = io.StringIO()
    h = logging.StreamHandler(out)
    h.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    h.addFilter(logsafe.RedactingFilter(logsafe.Redactor([SMTP_PASSWORD, "hunter2"])))
    logger = logging.getLogger("helix.test.logsafe")
    logger.addHandler(h)
    logger.propagate, logger.level = False, logging.DEBUG
    yield logger, out
    logger.removeHandler(h)
    logger.propagate = True


@pytest.fixture
def installed() -> Iterator[None]:
    yield
    logsafe.uninstall()


def test_secret_in_the_message(handler) -> None:  # type: ignore[no-untyped-def]
    logger, out = handler
    logger.warning(f"login failed with {SMTP_PASSWORD} for helix")
    assert out.getvalue() == "WARNING login failed with *** for helix\n"


def test_secret_in_the_arguments(handler) -> None:  # type: ignore[no-untyped-def]
    logger, out = handler
    logger.info("connecting to %s as %s with %r", "mail.example.org", "helix", {"password": "hunter2"})
    logger.info("%(who)s used %(pw)s", {"who": "helix", "pw": "hunter2"})
    assert out.getvalue() == (
        "INFO connecting to mail.example.org as helix with {'password': '***'}\nINFO helix used ***\n"
    )


def test_secret_in_a_traceback(handler) -> None:  # type: ignore[no-untyped-def]
    logger, out = handler
    try:
        try:
            raise smtplib.SMTPAuthenticationError(535, f"5.7.8 bad credentials helix:{SMTP_PASSWORD}".encode())
        except smtplib.SMTPException as e:
            raise RuntimeError(f"mail server refused password {SMTP_PASSWORD}") from e
    except RuntimeError:
        logger.exception("sending failed")
    text = out.getvalue()
    assert SMTP_PASSWORD not in text
    assert "sending failed" in text and "Traceback" in text and "RuntimeError: mail server refused password ***" in text
    assert "helix:***" in text  # the chained cause too


def test_secret_in_a_stack(handler) -> None:  # type: ignore[no-untyped-def]
    logger, out = handler
    logger.info("here", stack_info=True, extra={"note": "hunter2"})  # the stack quotes this source line
    assert "hunter2" not in out.getvalue()
    assert "Stack (most recent call last)" in out.getvalue() and 'extra={"note": "***"}' in out.getvalue()


def test_records_without_secrets_are_untouched() -> None:
    redact = logsafe.Redactor(["hunter2"])
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sent %d mails to %s", (3, "kim"), None)
    logsafe.redact_record(record, redact)
    assert record.msg == "sent %d mails to %s" and record.args == (3, "kim")
    try:
        raise ValueError("harmless")
    except ValueError as e:
        exc = (type(e), e, e.__traceback__)
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), exc)
    logsafe.redact_record(record, redact)
    assert record.exc_info == exc and record.exc_text is None


def test_longest_secret_first_and_empty_ignored() -> None:
    redact = logsafe.Redactor(["abc", "abcdef", "", "  "])
    assert redact.secrets == ("abcdef", "abc") and redact("xabcdefx abc") == "x***x ***"


def test_configured_secrets_from_settings_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    key, old = new_key(), new_key()
    monkeypatch.setenv("TEMPORAL_API_KEY", API_KEY)
    s = Settings(smtp_password=SMTP_PASSWORD, database_url=DB_URL, payload_key=key, payload_key_id="k2",
                 payload_old_keys=f"k1:{old}")  # fmt: skip
    secrets = logsafe.configured_secrets(s)
    for secret in (SMTP_PASSWORD, DB_PASSWORD, "p%40ss%2Fw0rd-db", API_KEY, key, old):
        assert secret in secrets
    assert "helix" not in secrets and "db.internal" not in secrets


def test_settings_never_print_the_database_password() -> None:
    s = Settings(smtp_password=SMTP_PASSWORD, database_url=DB_URL)
    for text in (repr(s), str(s), f"{s}"):
        assert "p%40ss" not in text and SMTP_PASSWORD not in text
    assert "postgresql+psycopg://helix:***@db.internal:5432/helix" in repr(s)
    assert s.resolved_database_url == DB_URL  # the engine still gets the real one


def test_a_worker_with_secrets_logs_none_of_them(
    installed, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The worker's set-up with an SMTP password and a database password: the settings logged whole,
    the mail relay's failure path with a server that echoes the login, and a database error quoting
    its URL. None of the secrets reaches the captured log."""
    monkeypatch.setenv("TEMPORAL_API_KEY", API_KEY)
    s = Settings(data_dir=tmp_path, smtp_host="mail.example.org", smtp_user="helix", smtp_password=SMTP_PASSWORD,
                 database_url=DB_URL)  # fmt: skip
    logsafe.install(logsafe.configured_secrets(s))
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("helix.worker")
    log.info("starting with %s", s)
    log.info("settings %r; temporal key %s", s, API_KEY)

    engine = make_engine(f"sqlite:///{tmp_path / 'helix.db'}")
    init_db(engine)
    try:
        outbox.enqueue(engine, "m1", None, ["kim@example.org"], "Subject", "Body")
        echo = smtplib.SMTPAuthenticationError(535, f"5.7.8 AUTH helix {SMTP_PASSWORD} rejected".encode())
        monkeypatch.setattr(outbox, "deliver", functools.partial(outbox.deliver, smtp_factory=FakeSMTP(fail={"login": echo})))
        assert OutboxRelay(engine, SmtpConfig.from_settings(s)).run_once() == 0
        assert outbox.pending_keys(engine) == ["m1"]
    finally:
        dispose_engine(engine)

    try:
        raise OperationalError("SELECT 1", {}, Exception(f"could not connect to {DB_URL} (password {DB_PASSWORD})"))
    except OperationalError:
        logging.getLogger("helix.dashboard").exception("read model unavailable")

    text = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "still pending" in text and "read model unavailable" in text and "Traceback" in text
    for secret in (SMTP_PASSWORD, DB_PASSWORD, "p%40ss%2Fw0rd-db", API_KEY):
        assert secret not in text, secret
    assert "***" in text


def test_the_outbox_error_column_never_holds_the_smtp_password(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'helix.db'}")
    init_db(engine)
    try:
        outbox.enqueue(engine, "m1", None, ["kim@example.org"], "Subject", "Body")
        smtp = SmtpConfig(host="mail.example.org", user="helix", password=SMTP_PASSWORD)
        echo = smtplib.SMTPAuthenticationError(535, f"bad login helix:{SMTP_PASSWORD}".encode())
        with pytest.raises(outbox.TransientMailError) as e:
            outbox.deliver(engine, "m1", smtp, smtp_factory=FakeSMTP(fail={"login": echo}))
        assert SMTP_PASSWORD not in str(e.value)
        with engine.connect() as conn:
            errors = [r.error for r in conn.execute(select(outbox.OUTBOX))]
        assert errors and all(SMTP_PASSWORD not in (err or "") for err in errors) and "helix:***" in errors[0]
    finally:
        dispose_engine(engine)


def test_install_is_idempotent_and_reaches_handlers_added_later(installed, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    factory = logging.getLogRecordFactory()
    logsafe.install(["first-secret"])
    wrapped = logging.getLogRecordFactory()
    logsafe.install(["second-secret"])
    assert logging.getLogRecordFactory() is wrapped and wrapped is not factory
    caplog.set_level(logging.INFO)  # caplog's handler comes after install
    logging.getLogger("helix.test").info("first-secret and second-secret")
    assert caplog.messages == ["first-secret and ***"]
    logsafe.uninstall()
    assert logging.getLogRecordFactory() is factory
