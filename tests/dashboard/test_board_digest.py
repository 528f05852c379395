"""The digest section the overview page shows: the digests newest first with their PDFs, and
"Produce the digest now" only for people who act (a board seat alone reads and downloads)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from domain.board_digest import DIGEST_KIND, DigestRequest, digest_seq, digest_title
from domain.parties import Person, Role, RoleGrant
from domain.readmodel import ItemDocument
from settings import get_settings
from store.blobs import BlobStore
from store.db import dispose_engine, init_db, make_engine
from store.projections import project_item

BOARD = Person(id="yuki-sato", name="Yuki Sato", email="yuki@example.org", roles=(RoleGrant(role=Role.BOARD_MEMBER),))
ADMIN = Person(id="liu-yang", name="Liu Yang", email="liu@example.org", roles=(RoleGrant(role=Role.ADMIN),))
WEEKS = ["2026-W47", "2026-W48"]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A read model with the digests of two weeks, their PDFs in the blob store."""
    from activities.board import digests_item

    url = f"sqlite:///{tmp_path / 'helix.db'}"
    monkeypatch.setenv("HELIX_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    st.cache_resource.clear()
    engine = make_engine(url)
    init_db(engine)
    blobs = BlobStore(tmp_path / "documents")
    for n, week in enumerate(WEEKS):
        as_of = datetime(2026, 11, 16, 6, tzinfo=UTC) + timedelta(days=7 * n)
        sha = blobs.put(f"%PDF-1.7 digest {week}".encode())
        doc = ItemDocument(sha256=sha, kind=DIGEST_KIND, label=digest_title(week), version=digest_seq(week), pages=3, created_at=as_of)
        project_item(engine, digests_item(DigestRequest(digest_id=week, as_of=as_of), sha), documents=[doc])
    yield tmp_path
    st.cache_resource.clear()
    dispose_engine(engine)
    get_settings.cache_clear()


def section(person: Person) -> AppTest:
    def script(person_json: str) -> None:
        import streamlit as st

        from dashboard.board_digest import digest_section
        from dashboard.common import PERSON_KEY
        from domain.parties import Person

        st.session_state[PERSON_KEY] = Person.model_validate_json(person_json)
        digest_section()

    return AppTest.from_function(script, args=(person.model_dump_json(),), default_timeout=30).run()


def downloads(at: AppTest) -> list[str]:
    return [e.proto.label for e in at.get("download_button")]


def test_board_members_read_and_download_the_digests_newest_first(data_dir: Path) -> None:
    at = section(BOARD)
    assert not at.exception
    assert downloads(at) == ["Board digest — week 48, 2026 (PDF)", "Board digest — week 47, 2026 (PDF)"]
    assert "Produce the digest now" not in [b.label for b in at.button]
    assert "figures as of 2026-11-23 06:00 UTC · 3 pages" in [c.value for c in at.caption]


def test_people_who_act_may_produce_the_digest_now(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[object] = []

    async def trigger(client: object) -> None:
        asked.append(client)

    async def connect() -> object:
        return "client"

    monkeypatch.setattr("dashboard.board_digest.trigger_board_digest", trigger)
    monkeypatch.setattr("dashboard.board_digest.connect_temporal", connect)
    monkeypatch.setattr("dashboard.board_digest.datetime", type("Frozen", (datetime,), {"now": staticmethod(lambda tz=None: datetime(2026, 12, 1, tzinfo=UTC))}))  # fmt: skip
    at = section(ADMIN)
    at.button(key="board-digest-produce").click().run()
    assert not at.exception and asked == ["client"]
    assert [s.value for s in at.success] == ["The digest of 2026-W49 is being produced; reload the page in a few seconds to download it."]


def test_a_week_with_a_digest_is_not_produced_again(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def trigger(client: object) -> None:
        raise AssertionError("the schedule should not be triggered")

    monkeypatch.setattr("dashboard.board_digest.trigger_board_digest", trigger)
    monkeypatch.setattr("dashboard.board_digest.datetime", type("Frozen", (datetime,), {"now": staticmethod(lambda tz=None: datetime(2026, 11, 25, tzinfo=UTC))}))  # fmt: skip
    at = section(ADMIN)
    at.button(key="board-digest-produce").click().run()
    assert [s.value for s in at.success] == ["This week's digest (2026-W48) is already listed below; the next one comes on Monday."]


def test_an_unreachable_engine_is_a_sentence(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def connect() -> object:
        raise RuntimeError("Failed client connect: connection refused")

    monkeypatch.setattr("dashboard.board_digest.connect_temporal", connect)
    monkeypatch.setattr("dashboard.board_digest.datetime", type("Frozen", (datetime,), {"now": staticmethod(lambda tz=None: datetime(2026, 12, 1, tzinfo=UTC))}))  # fmt: skip
    at = section(ADMIN)
    at.button(key="board-digest-produce").click().run()
    assert [e.value for e in at.error] == [
        "The workflow engine cannot be reached right now, so no digest was requested. Please try again later."
    ]
