"""`helix audit verify` and `helix audit show`: exit 0 on an intact chain, 1 naming the tampered row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

import cli
from settings import Settings
from store.db import make_engine, transaction
from tests.store.test_audit import chain, drop_guards

runner = CliRunner()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    s = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'helix.db'}")
    monkeypatch.setattr(cli, "get_settings", lambda: s)
    return s


def test_verify_passes_an_intact_chain_and_names_an_edited_row(settings: Settings) -> None:
    engine = cli.engine()
    chain(engine, 4)
    ok = runner.invoke(cli.app, ["audit", "verify"])
    assert ok.exit_code == 0 and "OK: every row is intact and in order" in ok.output and "4 rows" in ok.output
    shown = runner.invoke(cli.app, ["audit", "show", "-n", "2"])
    assert shown.exit_code == 0 and "mou-kr-kz#4" in shown.output and "mou-kr-kz#2" not in shown.output
    drop_guards(engine)
    with transaction(make_engine(settings.resolved_database_url)) as conn:
        conn.execute(text("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 2"))
    bad = runner.invoke(cli.app, ["audit", "verify"])
    assert bad.exit_code == 1
    assert "TAMPERED: row 2 was edited or moved" in bad.output and "Traceback" not in bad.output
