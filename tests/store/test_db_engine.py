"""Engines: cached per URL, SQLite tuned for concurrent writers, timestamps always UTC-aware."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from store.db import dispose_engine, init_db, make_engine, reading, session, transaction
from store.models import OrganisationRow, OutboxRow


def test_engine_is_cached_per_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'helix.db'}"
    engine = make_engine(url)
    assert make_engine(url) is engine
    assert (tmp_path / "nested").is_dir()  # the data folder is created on first use
    dispose_engine(engine)
    assert make_engine(url) is not engine
    dispose_engine(make_engine(url))


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'helix.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    dispose_engine(engine)


def test_in_memory_sqlite_is_one_database() -> None:
    engine = make_engine("sqlite://")
    init_db(engine)
    with session(engine, write=True) as s:
        s.add(OrganisationRow(id="kofic", names={"en": "KOFIC"}, kind="film_body", country="KR"))
    with reading(engine) as conn:
        assert conn.execute(select(OrganisationRow.__table__.c.id)).scalars().all() == ["kofic"]
    dispose_engine(engine)


def test_unsupported_database() -> None:
    with pytest.raises(ValueError, match="unsupported database 'mysql'"):
        make_engine("mysql://localhost/helix")


def test_init_db_twice_and_orm_session(engine: Engine) -> None:
    init_db(engine)
    with session(engine, write=True) as s:
        s.add(OrganisationRow(id="kofic", names={"en": "KOFIC", "ko": "영화진흥위원회"}, kind="film_body", country="KR"))
    with session(engine) as s:
        org = s.get(OrganisationRow, "kofic")
    assert org is not None and org.names["ko"] == "영화진흥위원회"  # readable after the session closed


def test_failed_transaction_rolls_back(engine: Engine) -> None:
    with pytest.raises(RuntimeError), transaction(engine) as conn:
        conn.execute(OrganisationRow.__table__.insert().values(id="x1", names={}, kind="k", country="KR"))
        raise RuntimeError("boom")
    with reading(engine) as conn:
        assert conn.execute(text("select count(*) from organisation")).scalar() == 0


def test_timestamps_come_back_utc_aware(engine: Engine) -> None:
    seoul = timezone(timedelta(hours=9))
    at = datetime(2025, 3, 1, 18, 0, tzinfo=seoul)
    naive = datetime(2025, 3, 1, 9, 0)  # taken as UTC
    table = OutboxRow.__table__
    with transaction(engine) as conn:
        for key, when in (("aware", at), ("naive", naive)):
            conn.execute(table.insert().values(key=key, to=["a@b.c"], subject="s", body="b", status="pending", created_at=when))
    with reading(engine) as conn:
        rows = dict(conn.execute(select(table.c.key, table.c.created_at)).all())
        assert rows["aware"] == at and rows["aware"].utcoffset() == timedelta(0)
        assert rows["naive"] == at
        # comparisons happen in SQL too, so they must agree across time zones
        later = datetime(2025, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))  # 09:00 UTC
        assert sorted(conn.execute(select(table.c.key).where(table.c.created_at >= later)).scalars()) == [
            "aware",
            "naive",
        ]
        assert conn.execute(select(table.c.key).where(table.c.created_at > later)).scalars().all() == []
