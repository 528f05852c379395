"""Local sign-in: argon2id password hashes, lockout after repeated failures, server-side sessions.

The embedded default has no identity provider, so passwords are kept here, hashed with argon2id
(argon2-cffi's `PasswordHasher` defaults, upgraded on the next sign-in whenever they change).
Failures count per account; five in a row lock it for fifteen minutes, which stops password
guessing without locking anyone out for long. Unknown usernames cost the same time as known ones.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from domain.parties import Person
from store import audit
from store.audit import AuditEntry
from store.db import dialect_insert, reading, transaction
from store.models import (
    AccountCreate,
    AccountPublic,
    AccountRow,
    PersonRow,
    SessionRow,
    utcnow,
)

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8

ACCOUNT = AccountRow.__table__
PERSON = PersonRow.__table__
SESSION = SessionRow.__table__

_default_hasher = PasswordHasher()


class AccountError(Exception):
    """Base of sign-in errors; `str(e)` is meant to be shown to the person signing in."""


class InvalidCredentials(AccountError):
    def __init__(self, remaining: int | None = None) -> None:
        self.remaining = remaining
        hint = ""
        if remaining is not None and 0 < remaining <= 2:
            hint = f" After {remaining} more failed attempt(s) the account is locked for 15 minutes."
        super().__init__("The username or password is not correct." + hint)


class AccountLocked(AccountError):
    def __init__(self, until: datetime) -> None:
        self.until = until
        super().__init__(
            "This account is locked after too many failed sign-in attempts. "
            f"Try again after {until:%H:%M} UTC ({until:%Y-%m-%d}), or ask an administrator."
        )


class WeakPassword(AccountError, ValueError):
    pass


class AccountExists(AccountError, ValueError):
    pass


def normalise_username(username: str) -> str:
    """Usernames ignore case and surrounding spaces: people type them differently each time."""
    return username.strip().casefold()


@lru_cache(maxsize=8)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def create_account(
    engine: Engine, username: str, person_id: str, password: str, *, hasher: PasswordHasher | None = None
) -> AccountPublic:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    AccountCreate(username=normalise_username(username), person_id=person_id, password=password)
    hasher = hasher or _default_hasher
    row = AccountRow(
        username=normalise_username(username), person_id=person_id, password_hash=hasher.hash(password)
    )
    values = row.model_dump()
    try:
        with transaction(engine) as conn:
            stmt = dialect_insert(conn, ACCOUNT).values(values).on_conflict_do_nothing(index_elements=[ACCOUNT.c.username])
            inserted = conn.execute(stmt.returning(ACCOUNT.c.username)).first() is not None
    except IntegrityError:
        raise ValueError(f"person '{person_id}' is not in the directory") from None
    if not inserted:
        raise AccountExists(f"The username '{row.username}' is already taken.")
    return AccountPublic.model_validate(values)


def set_password(engine: Engine, username: str, password: str, *, hasher: PasswordHasher | None = None) -> None:
    """Replace a password (and lift any lock): for the person themselves or an administrator."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    new_hash = (hasher or _default_hasher).hash(password)
    with transaction(engine) as conn:
        conn.execute(
            update(ACCOUNT)
            .where(ACCOUNT.c.username == normalise_username(username))
            .values(password_hash=new_hash, failed_attempts=0, locked_until=None)
        )


def authenticate(
    engine: Engine, username: str, password: str, now: datetime | None = None, *, hasher: PasswordHasher | None = None
) -> Person:
    """The person signing in, or `InvalidCredentials` / `AccountLocked` with a readable message.

    Hashing happens outside any transaction (it takes tens of milliseconds on purpose); the
    counters are then updated atomically, so parallel guesses cannot slip past the limit.
    """
    now = now or utcnow()
    hasher = hasher or _default_hasher
    name = normalise_username(username)
    with reading(engine) as conn:
        account = conn.execute(select(ACCOUNT).where(ACCOUNT.c.username == name)).mappings().first()
    if account is None:
        _verify(hasher, _dummy_hash(hasher), password)
        audit.append(engine, [AuditEntry(at=now, category="sign_in_failed", kind="unknown_username", detail=name[:64])])
        raise InvalidCredentials()
    if account["locked_until"] is not None and account["locked_until"] > now:
        audit.append(engine, [AuditEntry(at=now, category="sign_in_failed", kind="locked", actor_id=account["person_id"],
                                         detail=f"{name}: the account is locked")])  # fmt: skip
        raise AccountLocked(account["locked_until"])
    if not _verify(hasher, account["password_hash"], password):
        _record_failure(engine, name, now)
    new_hash = hasher.hash(password) if _needs_rehash(hasher, account["password_hash"]) else None
    with transaction(engine) as conn:
        values: dict[str, object] = {"failed_attempts": 0, "locked_until": None, "last_login": now}
        if new_hash:
            values["password_hash"] = new_hash
        not_locked = (ACCOUNT.c.locked_until.is_(None)) | (ACCOUNT.c.locked_until <= now)
        signed_in = conn.execute(
            update(ACCOUNT).where(ACCOUNT.c.username == name, not_locked).values(values)
        ).rowcount
        locked_until = None if signed_in else conn.execute(
            select(ACCOUNT.c.locked_until).where(ACCOUNT.c.username == name)
        ).scalar_one()
        person = conn.execute(select(PERSON).where(PERSON.c.id == account["person_id"])).mappings().first()
    if locked_until is not None:  # a parallel guess locked the account while this one was hashing
        raise AccountLocked(locked_until)
    if person is None:  # pragma: no cover - the foreign key keeps accounts attached to people
        raise InvalidCredentials()
    return Person.model_validate(dict(person))


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _needs_rehash(hasher: PasswordHasher, password_hash: str) -> bool:
    try:
        return hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def _record_failure(engine: Engine, name: str, now: datetime) -> NoReturn:
    """Count a failure; the fifth in a row locks the account and restarts the count. Always raises."""
    with transaction(engine) as conn:
        failures, person_id = conn.execute(
            update(ACCOUNT)
            .where(ACCOUNT.c.username == name)
            .values(failed_attempts=ACCOUNT.c.failed_attempts + 1)
            .returning(ACCOUNT.c.failed_attempts, ACCOUNT.c.person_id)
        ).one()
        entries = [AuditEntry(at=now, category="sign_in_failed", kind="wrong_password", actor_id=person_id,
                              detail=f"{name}: failure {failures} of {MAX_FAILED_ATTEMPTS}")]  # fmt: skip
        if failures >= MAX_FAILED_ATTEMPTS:
            until = now + LOCKOUT
            conn.execute(
                update(ACCOUNT).where(ACCOUNT.c.username == name).values(failed_attempts=0, locked_until=until)
            )
            entries.append(AuditEntry(at=now, category="locked", kind="lockout", actor_id=person_id,
                                      detail=f"{name}: locked until {until:%Y-%m-%d %H:%M} UTC"))  # fmt: skip
        audit.append_in(conn, entries)
    if failures >= MAX_FAILED_ATTEMPTS:
        raise AccountLocked(until)
    raise InvalidCredentials(remaining=MAX_FAILED_ATTEMPTS - failures)


def get_account(engine: Engine, username: str) -> AccountPublic | None:
    with reading(engine) as conn:
        row = conn.execute(select(ACCOUNT).where(ACCOUNT.c.username == normalise_username(username))).mappings().first()
    return AccountPublic.model_validate(dict(row)) if row else None


# ---------------------------------------------------------------- sessions


def new_session_token() -> str:
    """A bearer token for a browser: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(engine: Engine, person_id: str, minutes: int, now: datetime | None = None) -> str:
    """Open a session that ends after `minutes` whatever the browser claims; returns its token."""
    now = now or utcnow()
    token = new_session_token()
    with transaction(engine) as conn:
        conn.execute(
            SESSION.insert().values(
                token_hash=_token_hash(token),
                person_id=person_id,
                created_at=now,
                expires_at=now + timedelta(minutes=minutes),
            )
        )
        audit.append_in(conn, [AuditEntry(at=now, category="sign_in", kind="session_started", actor_id=person_id,
                                          detail=f"for {minutes} minutes")])  # fmt: skip
    return token


def session_person(engine: Engine, token: str, now: datetime | None = None) -> Person | None:
    """The person a token signs in, or None when it is unknown or expired."""
    now = now or utcnow()
    query = (
        select(PERSON)
        .join(SESSION, SESSION.c.person_id == PERSON.c.id)
        .where(SESSION.c.token_hash == _token_hash(token), SESSION.c.expires_at > now)
    )
    with reading(engine) as conn:
        row = conn.execute(query).mappings().first()
    return Person.model_validate(dict(row)) if row else None


def end_session(engine: Engine, token: str) -> None:
    with transaction(engine) as conn:
        person_id = conn.execute(
            delete(SESSION).where(SESSION.c.token_hash == _token_hash(token)).returning(SESSION.c.person_id)
        ).scalar_one_or_none()
        if person_id is not None:
            audit.append_in(conn, [AuditEntry(at=utcnow(), category="sign_out", kind="sign_out", actor_id=person_id)])


def purge_sessions(engine: Engine, now: datetime | None = None) -> int:
    """Delete expired sessions; returns how many. Expiry is enforced on read whether or not this runs."""
    with transaction(engine) as conn:
        return conn.execute(delete(SESSION).where(SESSION.c.expires_at <= (now or utcnow()))).rowcount
