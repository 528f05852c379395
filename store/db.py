"""Engines, transactions and sessions for the read model, on SQLite (default) or PostgreSQL.

SQLite is the embedded default, so it is tuned for several worker threads writing at once: WAL
lets readers run beside a writer, a busy timeout makes writers queue instead of failing, and
write transactions start with `BEGIN IMMEDIATE` so a transaction that reads before it writes
cannot fail half-way with "database is locked" (a deferred transaction cannot wait to upgrade).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE = "helix_write"

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def make_engine(url: str) -> Engine:
    """The engine for `url`, created once per process: every pool and pragma is set up once."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create(url)
            _engines[url] = engine
        return engine


def dispose_engine(engine: Engine) -> None:
    """Close an engine's connections and forget it (tests, shutdown)."""
    with _engines_lock:
        for url, cached in list(_engines.items()):
            if cached is engine:
                del _engines[url]
    engine.dispose()


def _create(url: str) -> Engine:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise ValueError(f"unsupported database '{backend}': use a sqlite:/// or postgresql+psycopg:// URL")


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        # One shared connection, or every pooled connection would see its own empty database.
        kwargs["poolclass"] = StaticPool
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over BEGIN from the sqlite3 module, so `_on_begin` decides DEFERRED vs IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")

    return engine


def init_db(engine: Engine) -> None:
    """Create missing tables. Migrations will take over once the schema has shipped."""
    import store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

    SQLModel.metadata.create_all(engine)


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction (Core): committed on success, rolled back on any exception."""
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A Core connection for reads; on SQLite it takes no write lock, so readers never queue."""
    with engine.connect() as conn, conn.begin():
        yield conn


@contextmanager
def session(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """An ORM session, committed when the block ends without error.

    Objects stay readable after the block (`expire_on_commit=False`); pass `write=True` when the
    block writes, so SQLite takes the write lock up front.
    """
    with engine.connect() as conn:
        if write:
            conn.execution_options(**{_WRITE: True})
        with Session(bind=conn, expire_on_commit=False) as s:
            yield s
            s.commit()


def dialect_insert(conn: Connection, table: Any) -> Any:
    """`INSERT` with `ON CONFLICT` support for the connection's database."""
    name = conn.dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - make_engine refuses other databases
        raise ValueError(f"unsupported database '{name}'")
    return insert(table)
