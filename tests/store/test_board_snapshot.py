"""Kept board views: computed once per scope, served from one row, recomputed when the read model
moves — at once on a small network, in the background (`refresh`) on a large one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select, update

from domain.board import Lifecycle, Scope
from store import board, board_snapshot
from store.board_snapshot import LIVE_UNDER_MS, SNAPSHOT, STALE_AFTER, WHOLE_NETWORK
from store.db import reading, transaction
from store.models import utcnow
from store.projections import project_item
from tests.store.test_board import EVERYTHING, KOREA, build, ev, snap


@pytest.fixture
def network(engine: Engine) -> Engine:
    build(engine)
    return engine


@pytest.fixture
def computations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time a view is computed from the read model (not served from its row)."""
    seen: list[str] = []
    overview, medians = board.overview, board.step_medians

    def counted_overview(engine: Engine, scope: Scope, as_of: object = None) -> object:
        seen.append(f"overview {scope.label}")
        return overview(engine, scope, as_of)  # type: ignore[arg-type]

    def counted_medians(engine: Engine, scope: Scope, as_of: object = None, by: str = "country") -> object:
        seen.append(f"medians {by} {scope.label}")
        return medians(engine, scope, as_of, by=by)  # type: ignore[arg-type]

    monkeypatch.setattr(board, "overview", counted_overview)
    monkeypatch.setattr(board, "step_medians", counted_medians)
    return seen


def rows(engine: Engine) -> int:
    with reading(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(SNAPSHOT)).scalar() or 0)


def a_new_agreement(engine: Engine) -> None:
    project_item(engine, snap("mou-kr-uz", "agreement", "draft", [("kofic", "KR"), ("uzbekkino", "UZ")], 1),
                 [], [ev(1, utcnow(), "created")], [])  # fmt: skip


def as_if_large(engine: Engine) -> None:
    """Make every kept view look as if it took seconds to compute: no more recomputing on a read."""
    with transaction(engine) as conn:
        conn.execute(update(SNAPSHOT).values(compute_ms=LIVE_UNDER_MS * 20))


def test_a_view_is_computed_once_and_then_read_from_its_row(network: Engine, computations: list[str]) -> None:
    first = board_snapshot.overview(network, EVERYTHING)
    again = board_snapshot.overview(network, EVERYTHING)
    assert computations == ["overview the whole network"]
    assert first.current and again.current
    assert again.value == first.value == board.overview(network, EVERYTHING).model_copy(update={"as_of": first.value.as_of})
    assert again.computed_at == first.computed_at
    # each scope and view is kept apart
    board_snapshot.overview(network, KOREA)
    board_snapshot.step_medians(network, EVERYTHING, by="organisation")
    assert computations[2:] == ["overview Korea", "medians organisation the whole network"]  # [1]: the direct call above
    assert rows(network) == 3


def test_the_scope_key_does_not_depend_on_set_order() -> None:
    a = Scope(label="x", lifecycles=frozenset(Lifecycle), countries=frozenset(["KR", "KZ", "CN", "RU"]))
    b = Scope(label="x", lifecycles=frozenset(reversed(list(Lifecycle))), countries=frozenset(["RU", "CN", "KZ", "KR"]))
    assert board_snapshot.view_key(a, "overview", None) == board_snapshot.view_key(b, "overview", None)
    assert board_snapshot.view_key(a, "overview", None) != board_snapshot.view_key(a, "medians:country", None)


def as_if_small(engine: Engine) -> None:
    """Make every kept view look quick to compute, whatever this machine's load made it take."""
    with transaction(engine) as conn:
        conn.execute(update(SNAPSHOT).values(compute_ms=LIVE_UNDER_MS / 10))


def test_a_small_network_is_live_a_new_event_recomputes_at_once(network: Engine, computations: list[str]) -> None:
    before = board_snapshot.overview(network, EVERYTHING).value
    as_if_small(network)  # a loaded CI machine once took 1 s over this tiny network's first view
    a_new_agreement(network)
    after = board_snapshot.overview(network, EVERYTHING)
    assert after.current and len(computations) == 2
    assert sum(after.value.agreements_by_phase.values()) == sum(before.agreements_by_phase.values()) + 1


def test_a_large_network_serves_the_kept_view_until_the_refresh(network: Engine, computations: list[str]) -> None:
    before = board_snapshot.overview(network, EVERYTHING).value
    as_if_large(network)
    a_new_agreement(network)
    stale = board_snapshot.overview(network, EVERYTHING)
    assert not stale.current and stale.value == before and len(computations) == 1

    report = board_snapshot.refresh(network)
    assert (report.refreshed, report.unchanged, report.removed) == (1, 0, 0)
    fresh = board_snapshot.overview(network, EVERYTHING)
    assert fresh.current and fresh.value.agreements_by_phase.get("draft") == 1
    # nothing moved: the next refresh recomputes nothing
    assert board_snapshot.refresh(network).unchanged == 1 and len(computations) == 2


def test_the_clock_alone_makes_a_view_stale(network: Engine, computations: list[str]) -> None:
    board_snapshot.overview(network, EVERYTHING)
    as_if_large(network)
    later = utcnow() + STALE_AFTER + timedelta(seconds=1)
    assert not board_snapshot.overview(network, EVERYTHING, now=later).current  # steps age, fall overdue
    assert board_snapshot.refresh(network, now=later).refreshed == 1


def test_refresh_keeps_the_whole_network_ready_and_drops_what_nobody_opens(network: Engine, computations: list[str]) -> None:
    assert board_snapshot.refresh(network).refreshed == 1  # nobody has opened anything yet
    assert computations == [f"overview {WHOLE_NETWORK.label}"]
    board_snapshot.step_medians(network, KOREA)
    much_later = utcnow() + timedelta(days=15)
    report = board_snapshot.refresh(network, now=much_later)
    assert report.removed == 2 and report.refreshed == 1  # both dropped; the network's overview made again
    assert rows(network) == 1


def test_a_past_day_is_kept_too(network: Engine, computations: list[str]) -> None:
    day = utcnow() - timedelta(days=300)
    first = board_snapshot.overview(network, EVERYTHING, as_of=day)
    assert first.value.historical and board_snapshot.overview(network, EVERYTHING, as_of=day).value == first.value
    assert len(computations) == 1


def test_only_country_or_organisation_medians() -> None:
    with pytest.raises(ValueError, match="country' or 'organisation"):
        board_snapshot.step_medians(None, EVERYTHING, by="person")  # type: ignore[arg-type]
