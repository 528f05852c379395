"""Sign-in: argon2id hashes, lockout and its end, rehashing, and sessions that expire server-side."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from domain.parties import Organisation, Person
from store.accounts import (
    AccountError,
    AccountExists,
    AccountLocked,
    InvalidCredentials,
    WeakPassword,
    authenticate,
    create_account,
    end_session,
    get_account,
    new_session_token,
    purge_sessions,
    session_person,
    set_password,
    start_session,
)
from store.db import reading
from store.directory import upsert_organisation, upsert_person
from store.models import AccountRow, SessionRow

NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
# Cheap parameters keep the suite fast; the rehash test shows they get upgraded to the defaults.
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery"


@pytest.fixture
def kim(engine: Engine) -> Person:
    upsert_organisation(engine, Organisation(id="kofic", names={"en": "KOFIC"}, kind="film_body", country="KR"))
    person = Person(id="kim", name="Kim Min-ji", email="kim@example.org", organisation_id="kofic")
    upsert_person(engine, person)
    create_account(engine, "Kim", "kim", PASSWORD, hasher=FAST)
    return person


def stored_hash(engine: Engine) -> str:
    with reading(engine) as conn:
        return conn.execute(select(AccountRow.__table__.c.password_hash)).scalar_one()


def test_passwords_are_hashed_with_argon2id(engine: Engine, kim: Person) -> None:
    assert stored_hash(engine).startswith("$argon2id$") and PASSWORD not in stored_hash(engine)
    with pytest.raises(WeakPassword, match="at least 8 characters"):
        create_account(engine, "short", "kim", "1234567")
    with pytest.raises(AccountExists, match="already taken"):
        create_account(engine, " KIM ", "kim", PASSWORD, hasher=FAST)
    with pytest.raises(ValueError, match="person 'ghost' is not in the directory"):
        create_account(engine, "ghost", "ghost", PASSWORD, hasher=FAST)


def test_sign_in(engine: Engine, kim: Person) -> None:
    assert authenticate(engine, "kim", PASSWORD, NOW, hasher=FAST) == kim
    assert authenticate(engine, "  KIM", PASSWORD, NOW, hasher=FAST) == kim  # case and spaces ignored
    assert get_account(engine, "kim").last_login == NOW  # type: ignore[union-attr]
    with pytest.raises(InvalidCredentials, match="username or password is not correct"):
        authenticate(engine, "kim", "wrong password", NOW, hasher=FAST)


def test_unknown_user_still_pays_for_a_hash(engine: Engine, kim: Person) -> None:
    """Same work for unknown and known usernames, so timing does not reveal who has an account."""
    calls: list[str] = []

    class Spy(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            calls.append(str(hash))
            return super().verify(hash, password)

    spy = Spy(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.raises(InvalidCredentials):
        authenticate(engine, "nobody", PASSWORD, NOW, hasher=spy)
    assert len(calls) == 1 and calls[0].startswith("$argon2id$")


def test_lockout_after_five_failures_and_unlock_after_fifteen_minutes(engine: Engine, kim: Person) -> None:
    for attempt in range(1, 5):
        with pytest.raises(InvalidCredentials) as caught:
            authenticate(engine, "kim", "guess", NOW, hasher=FAST)
        assert caught.value.remaining == 5 - attempt
    assert "After 1 more failed attempt(s) the account is locked" in str(caught.value)
    with pytest.raises(AccountLocked) as locked:
        authenticate(engine, "kim", "guess", NOW, hasher=FAST)
    assert locked.value.until == NOW + timedelta(minutes=15)
    assert "Try again after 12:15 UTC" in str(locked.value)

    with pytest.raises(AccountLocked):  # even the right password waits out the lock
        authenticate(engine, "kim", PASSWORD, NOW + timedelta(minutes=14), hasher=FAST)
    assert authenticate(engine, "kim", PASSWORD, NOW + timedelta(minutes=15), hasher=FAST) == kim
    account = get_account(engine, "kim")
    assert account is not None and account.locked_until is None


def test_success_resets_the_failure_count(engine: Engine, kim: Person) -> None:
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            authenticate(engine, "kim", "guess", NOW, hasher=FAST)
    authenticate(engine, "kim", PASSWORD, NOW, hasher=FAST)
    with pytest.raises(InvalidCredentials) as caught:
        authenticate(engine, "kim", "guess", NOW, hasher=FAST)
    assert caught.value.remaining == 4


def test_parallel_guesses_cannot_exceed_the_limit(engine: Engine, kim: Person) -> None:
    outcomes: list[str] = []

    def guess() -> None:
        try:
            authenticate(engine, "kim", "guess", NOW, hasher=FAST)
        except AccountError as e:
            outcomes.append(type(e).__name__)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 12 and "AccountLocked" in outcomes
    with pytest.raises(AccountLocked):
        authenticate(engine, "kim", PASSWORD, NOW, hasher=FAST)


def test_rehash_when_parameters_change(engine: Engine, kim: Person) -> None:
    old = stored_hash(engine)
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    assert stronger.check_needs_rehash(old)
    authenticate(engine, "kim", PASSWORD, NOW, hasher=stronger)
    new = stored_hash(engine)
    assert new != old and not stronger.check_needs_rehash(new) and "m=2048,t=2" in new
    authenticate(engine, "kim", PASSWORD, NOW, hasher=stronger)
    assert stored_hash(engine) == new  # no needless rehash


def test_set_password_lifts_the_lock(engine: Engine, kim: Person) -> None:
    for _ in range(5):
        with pytest.raises((InvalidCredentials, AccountLocked)):
            authenticate(engine, "kim", "guess", NOW, hasher=FAST)
    set_password(engine, "kim", "a brand new secret", hasher=FAST)
    assert authenticate(engine, "kim", "a brand new secret", NOW, hasher=FAST) == kim


def test_sessions_expire_server_side(engine: Engine, kim: Person) -> None:
    assert new_session_token() != new_session_token() and len(new_session_token()) >= 43
    token = start_session(engine, "kim", minutes=60, now=NOW)
    with reading(engine) as conn:
        assert conn.execute(select(SessionRow.__table__.c.token_hash)).scalar_one() != token  # only a hash
    assert session_person(engine, token, NOW + timedelta(minutes=59)) == kim
    assert session_person(engine, token, NOW + timedelta(minutes=60)) is None
    assert session_person(engine, "forged", NOW) is None

    other = start_session(engine, "kim", minutes=60, now=NOW)
    end_session(engine, other)
    assert session_person(engine, other, NOW) is None
    assert purge_sessions(engine, NOW + timedelta(hours=2)) == 1
