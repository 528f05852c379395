"""Shared fixtures: database engines, and a cheap password hasher.

`engine` runs each test twice: on a fresh SQLite file (the embedded default) and on PostgreSQL
in a schema of its own (created for the test, dropped after), so tests never see each other's
rows and never touch tables outside their schema. Point `HELIX_TEST_POSTGRES_URL` at another
server if needed; when PostgreSQL cannot be reached those cases are skipped with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from store.db import dispose_engine, init_db, make_engine

POSTGRES_URL = os.environ.get("HELIX_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@cache
def _postgres_admin() -> Engine | str:
    """An engine on the test server, or the reason it cannot be used (checked once per run)."""
    admin = create_engine(POSTGRES_URL, pool_pre_ping=True)
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except (OperationalError, OSError) as e:
        admin.dispose()
        reason = f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string()} is unreachable: {e.__class__.__name__}: {e}"
        print(reason)
        return reason
    return admin


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'helix.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections see only a fresh schema (`search_path`), dropped afterwards."""
    admin = _postgres_admin()
    if isinstance(admin, str):
        if os.environ.get("CI"):  # CI must test both databases: an unreachable server is a failure there
            pytest.fail(admin)
        pytest.skip(admin)
    schema = f"helix_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A read-model engine with every table created, on SQLite and on PostgreSQL."""
    url = request.getfixturevalue(f"{request.param}_url")
    eng = make_engine(url)
    init_db(eng)
    yield eng
    dispose_engine(eng)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> Iterator[None]:
    """Argon2id with minimal cost for tests: the production parameters take ~0.5 s a hash here, and
    loading the demo directory hashes twenty passwords. Tests of hashing itself pass their own."""
    from argon2 import PasswordHasher

    from store import accounts

    original = accounts._default_hasher
    accounts._default_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    accounts._default_hasher = original
