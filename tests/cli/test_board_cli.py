"""`helix board digest`: produce the week's digest through its schedule, print its label and hash."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
from domain.board_digest import DigestResult
from services import schedules
from settings import Settings
from store.blobs import BlobStore

runner = CliRunner()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    s = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setattr(cli, "get_settings", lambda: s)

    async def connect() -> str:
        return "client"

    monkeypatch.setattr(cli, "connect_temporal", connect)
    return s


def test_the_digest_is_produced_and_its_label_and_hash_printed(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sha = BlobStore(settings.documents_dir).put(b"%PDF-1.7 the digest")
    result = DigestResult(digest_id="2026-W49", sha256=sha, pages=3, label="Board digest — week 49, 2026",
                          as_of=datetime(2026, 11, 30, 6, tzinfo=UTC))  # fmt: skip
    calls: list[object] = []

    async def produce(client: object) -> DigestResult:
        calls.append(client)
        return result

    monkeypatch.setattr(schedules, "produce_board_digest", produce)
    out = tmp_path / "digest.pdf"
    r = runner.invoke(cli.app, ["board", "digest", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert calls == ["client"]
    assert r.output.splitlines() == [
        "Board digest — week 49, 2026 (2026-W49, 3 pages, figures as of 2026-11-30 06:00 UTC)",
        f"sha256 {sha}",
        f"wrote {out}",
    ]
    assert out.read_bytes() == b"%PDF-1.7 the digest"


def test_a_schedule_that_starts_nothing_is_one_line(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    async def produce(client: object) -> DigestResult:
        raise schedules.DigestNotStarted("the schedule board-digest-weekly started no run within 0:00:30")

    monkeypatch.setattr(schedules, "produce_board_digest", produce)
    r = runner.invoke(cli.app, ["board", "digest"])
    assert r.exit_code == 2
    assert "error: the schedule board-digest-weekly started no run within 0:00:30; is the system running?" in r.output
