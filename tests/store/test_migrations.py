"""Schema migrations on SQLite and PostgreSQL: the migrations build exactly the models' schema, a
database from before migrations is stamped and upgraded with its rows kept and its derived tables
filled, and processes starting together migrate once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select, text
from sqlmodel import SQLModel

from store import audit
from store.db import (
    BASELINE_REVISION,
    alembic_config,
    dispose_engine,
    head_revision,
    init_db,
    make_engine,
    reading,
    schema_revision,
    transaction,
)
from store.models import EventRow, ItemRow, MilestoneRow

T0 = datetime(2026, 5, 1, tzinfo=UTC)


def migrate(engine: Engine, target: str) -> None:
    with transaction(engine) as conn:
        command.upgrade(alembic_config(conn), target)


@pytest.fixture
def blank(engine: Engine) -> Iterator[Engine]:
    """An empty database of the same kind as `engine` (a second SQLite file, or a second schema)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        yield make_engine(f"sqlite:///{Path(url.database or '').with_name('migrated.db')}")
        return
    schema = f"{_schema(engine)}_m"
    with transaction(engine) as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    other = make_engine(url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False))
    yield other
    dispose_engine(other)
    with transaction(engine) as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def test_migrations_build_exactly_the_models_schema(engine: Engine, blank: Engine) -> None:
    """`engine` is initialised by create_all; a second database built by migrations alone must match."""
    fresh = blank
    migrate(fresh, "head")
    with reading(fresh) as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == []
    assert schema_revision(fresh) == head_revision() == schema_revision(engine)
    with reading(fresh) as conn:  # the audit log is append-only in both
        names = _trigger_names(conn)
    assert names


def test_a_database_from_before_migrations_is_stamped_upgraded_and_backfilled(blank: Engine) -> None:
    old = blank
    migrate(old, BASELINE_REVISION)
    with transaction(old) as conn:
        conn.execute(text("DROP TABLE alembic_version"))  # created by create_all, as releases before migrations did
        conn.execute(ItemRow.__table__.insert(), [{"item_id": "mou-1", "item_type": "agreement", "kind": "co_production",
            "title": "MOU", "phase": "active", "countries": ["KR"], "organisation_ids": ["kofic"], "summary": {}, "detail": {},
            "projected_seq": 2, "created_at": T0, "updated_at": T0, "search_text": "mou"}])  # fmt: skip
        conn.execute(EventRow.__table__.insert(), [
            {"item_id": "mou-1", "seq": 1, "at": T0, "kind": "created", "detail": "created"},
            {"item_id": "mou-1", "seq": 2, "at": T0 + timedelta(days=9), "kind": "executed", "detail": "executed"},
        ])  # fmt: skip
    assert schema_revision(old) is None and inspect(old).has_table("item") and not inspect(old).has_table("audit_log")
    init_db(old)
    assert schema_revision(old) == head_revision()
    with reading(old) as conn:
        assert conn.execute(select(func.count()).select_from(ItemRow.__table__)).scalar() == 1
        kinds = set(conn.execute(select(MilestoneRow.__table__.c.kind)).scalars())
    assert kinds == {"created", "executed"}
    report = audit.verify(old)
    assert report.ok and report.rows == 2
    init_db(old)  # again: nothing to do
    assert audit.verify(old).rows == 2


def test_processes_starting_together_migrate_once(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'together.db'}")
    errors: list[BaseException] = []

    def start() -> None:
        try:
            init_db(engine)
        except BaseException as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert schema_revision(engine) == head_revision()


def _schema(engine: Engine) -> str:
    with reading(engine) as conn:
        return str(conn.execute(text("SELECT current_schema()")).scalar())


def _trigger_names(conn) -> set[str]:  # type: ignore[no-untyped-def]
    if conn.dialect.name == "postgresql":
        return set(
            conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'audit_log%'")).scalars()
        )
    return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
