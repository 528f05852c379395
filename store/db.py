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


MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE_REVISION = "0001"  # the schema Helix had before migrations; older databases are stamped with it
_PG_INIT_LOCK = 0x48454C4944  # serialises schema changes of processes starting together


def alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at (None: empty, or created before migrations)."""
    from alembic.migration import MigrationContext

    with reading(engine) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def init_db(engine: Engine) -> None:
    """Bring the schema to the current revision, in one transaction under a lock, so processes
    starting together (worker, dashboard, CLI) do it once.

    An empty database gets every table at once (`create_all`) and is stamped at head; one created
    before migrations (tables, no `alembic_version`) is stamped at the baseline and upgraded; any
    other is upgraded. Then the derived tables are filled from the event history where empty.
    """
    from alembic import command
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect, text

    import store.audit  # the audit log's append-only triggers, created with its table
    import store.models  # registers the tables on SQLModel.metadata

    with transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_INIT_LOCK})
        current = MigrationContext.configure(conn).get_current_revision()
        cfg = alembic_config(conn)
        if current is None and not inspect(conn).has_table("item"):
            SQLModel.metadata.create_all(conn)
            command.stamp(cfg, "head")
        else:
            if current is None:
                command.stamp(cfg, BASELINE_REVISION)
            if current != head_revision():
                command.upgrade(cfg, "head")
    backfill_milestones(engine)
    store.audit.backfill_from_events(engine)


def backfill_milestones(engine: Engine) -> int:
    """Fill the milestone table from the event history when it is empty but events exist (a read
    model that predates it). Returns the rows written; safe to run again."""
    from sqlalchemy import exists, func, select

    from domain.board import milestone_kinds
    from store.models import EventRow, ItemRow, MilestoneRow

    event, item, milestone = EventRow.__table__, ItemRow.__table__, MilestoneRow.__table__
    with reading(engine) as conn:
        if conn.execute(select(exists(select(milestone.c.item_id)))).scalar() or not conn.execute(
            select(exists(select(event.c.item_id)))
        ).scalar():
            return 0
    first = (
        select(event.c.item_id, event.c.kind, item.c.item_type, func.min(event.c.at).label("at"))
        .join(item, item.c.item_id == event.c.item_id)
        .where(event.c.kind.in_(sorted(milestone_kinds())))
        .group_by(event.c.item_id, event.c.kind, item.c.item_type)
    )
    with transaction(engine) as conn:
        conn.execute(milestone.insert().from_select(["item_id", "kind", "item_type", "at"], first))
        return conn.execute(select(func.count()).select_from(milestone)).scalar() or 0


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
