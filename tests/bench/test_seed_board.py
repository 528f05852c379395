"""The board benchmark's seeding (bench/seed_board.py): a read model the board reads as the seeder
wrote it. The overview's figures agree with the rows counted directly, every item's phase agrees
with its milestones, milestones are exactly the first event of each kind (as the projections write
them), and an existing read model is never seeded over."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from sqlalchemy import Engine, func, select, text

from bench.seed_board import NotEmpty, seed
from domain.board import FUNNELS, Lifecycle, Scope, milestone_kinds, stage_key
from store import board
from store.db import dispose_engine, init_db, make_engine, reading
from store.models import EventRow, ItemRow, MilestoneRow, PaymentRow, StepRow

NETWORK = Scope(label="the whole network", lifecycles=frozenset(Lifecycle), everything=True)
NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
ITEM, EVENT, MILESTONE, STEP, PAYMENT = (t.__table__ for t in (ItemRow, EventRow, MilestoneRow, StepRow, PaymentRow))
# A phase an item can only be in once it has reached the milestone (of its own timeline).
PHASE_NEEDS = {
    ("agreement", "review"): "review_opened",
    ("agreement", "signing"): "approvals_complete",
    ("agreement", "active"): "executed",
    ("agreement", "terminated"): "executed",
    ("student", "complete"): "degrees_complete",
    ("credit_transfer", "home_registrar"): "department_decided",
    ("credit_transfer", "partner_registrar"): "registrar_approved",
    ("credit_transfer", "posted"): "credits_posted",
    ("grant_application", "review"): "panel_assigned",
    ("grant_application", "board"): "reviewed",
    ("grant_application", "awarded"): "awarded",
    ("grant", "active"): "agreement_executed",
    ("grant", "closed"): "closed",
    ("country_release", "classification"): "acknowledged",
    ("country_release", "licence"): "classified",
    ("country_release", "releasing"): "scheduled",
    ("country_release", "released"): "released",
}
# A milestone an item in the phase cannot have reached yet.
PHASE_EXCLUDES = {
    ("agreement", "draft"): "review_opened",
    ("agreement", "review"): "approvals_complete",
    ("agreement", "signing"): "signatures_complete",
    ("student", "enrolled"): "degrees_complete",
    ("credit_transfer", "department"): "department_decided",
    ("grant_application", "screening"): "panel_assigned",
    ("country_release", "acknowledge"): "acknowledged",
    ("country_release", "licence"): "licence_signed",
}


def _engine(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    init_db(engine)
    yield engine
    dispose_engine(engine)


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    yield from _engine(sqlite_url)


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    yield from _engine(postgres_url)


def check_seeded(engine: Engine, items: int) -> None:
    """Everything the board shows agrees with the seeded rows, counted here without store.board."""
    with reading(engine) as conn:
        types = dict(conn.execute(select(ITEM.c.item_type, func.count()).group_by(ITEM.c.item_type)).all())
        phases = Counter({(t, p): n for t, p, n in conn.execute(select(ITEM.c.item_type, ITEM.c.phase, func.count())
                                                                   .group_by(ITEM.c.item_type, ITEM.c.phase))})  # fmt: skip
        events = conn.execute(select(EVENT.c.item_id, EVENT.c.seq, EVENT.c.at, EVENT.c.kind).order_by(EVENT.c.item_id, EVENT.c.seq)).all()
        milestones = {(i, k): (t, at) for i, k, t, at in conn.execute(select(MILESTONE))}
        item_types = dict(conn.execute(select(ITEM.c.item_id, ITEM.c.item_type)).all())
        item_phase = dict(conn.execute(select(ITEM.c.item_id, ITEM.c.phase)).all())
        closed = dict(conn.execute(select(ITEM.c.item_id, ITEM.c.closed_at)).all())
        open_steps = conn.execute(select(STEP.c.item_id).where(STEP.c.closed_at.is_(None))).scalars().all()
        steps = conn.execute(select(STEP.c.opened_at, STEP.c.closed_at, STEP.c.due_at)).all()
        payments = conn.execute(select(PAYMENT.c.award_id, PAYMENT.c.amount, PAYMENT.c.reference)).all()
        funds = conn.execute(select(ITEM.c.summary).where(ITEM.c.item_type == "fund")).scalars().all()
        grants = conn.execute(select(ITEM.c.summary).where(ITEM.c.item_type == "grant")).scalars().all()

    # the proportions: 15 % agreements, 45 % programs, 15 % the fund, 25 % releases
    assert sum(types.values()) == items
    assert types["agreement"] == int(items * 0.15)
    assert types["student"] + types["credit_transfer"] == int(items * 0.45)
    assert types["grant_application"] + types["grant"] + types["fund"] == int(items * 0.15)
    assert types["fund"] == 4 and types["festival"] >= 1 and types["film_rights"] >= 1 and types["grant"] >= 1

    # timelines: seq 1, 2, 3 … in time order, never in the future; milestones are each kind's first event
    first: dict[tuple[str, str], datetime] = {}
    by_item: dict[str, list[tuple[int, datetime, str]]] = defaultdict(list)
    for item_id, seq, at, kind in events:
        by_item[item_id].append((seq, at, kind))
        if kind in milestone_kinds():
            first.setdefault((item_id, kind), at)
    assert set(by_item) == set(item_types)
    for timeline in by_item.values():
        assert [s for s, _, _ in timeline] == list(range(1, len(timeline) + 1))
        assert all(a[1] <= b[1] for a, b in pairwise(timeline))
        assert timeline[-1][1] <= datetime.now(UTC)
    assert milestones == {key: (item_types[key[0]], at) for key, at in first.items()}

    # every phase agrees with the milestones; closed items have no open step, open ones at most two
    reached = {key for key in milestones}
    for item_id, phase in item_phase.items():
        needs = PHASE_NEEDS.get((item_types[item_id], phase))
        assert needs is None or (item_id, needs) in reached, (item_id, phase, needs)
        excludes = PHASE_EXCLUDES.get((item_types[item_id], phase))
        assert excludes is None or (item_id, excludes) not in reached, (item_id, phase, excludes)
    per_item = Counter(open_steps)
    assert all(closed[i] is None for i in per_item) and max(per_item.values()) <= 2
    assert all(o <= (c or o) and o < d for o, c, d in steps)

    # money: one payment per paid tranche, the funds' ledgers add up to the grants
    paid = sum((Decimal(g["paid"]) for g in grants), Decimal(0))
    assert sum((Decimal(a) for _, a, _ in payments), Decimal(0)) == paid
    assert len({r for _, _, r in payments}) == len(payments)
    assert sum((Decimal(f["released"]) for f in funds), Decimal(0)) == paid
    assert sum((Decimal(f["committed"]) for f in funds), Decimal(0)) == sum((Decimal(g["amount"]) for g in grants), Decimal(0))

    # the overview reads the same figures
    ov = board.overview(engine, NETWORK)
    counts = Counter(item_types[i] + "|" + k for i, k in milestones)
    for funnel in ov.funnels:
        for stage, step in zip(FUNNELS[funnel.item_type], funnel.steps, strict=True):
            assert step.count == counts[f"{funnel.item_type}|{stage_key(stage)}"], (funnel.item_type, step.label)
    assert ov.agreements_by_phase == {p: n for (t, p), n in phases.items() if t == "agreement"}
    assert ov.open_steps == len(open_steps) == sum(b.count for b in ov.ageing) > 0
    assert 0 < ov.overdue_steps < ov.open_steps
    assert ov.applications == types["grant_application"] and ov.grants == types["grant"]
    assert ov.programs.students == types["student"] and ov.programs.students_complete == phases[("student", "complete")]
    assert ov.programs.transfers_open == types["credit_transfer"] - phases[("credit_transfer", "posted")]
    assert ov.releases.recommended == counts["country_release|recommended"]
    assert ov.releases.released == counts["country_release|released"] == phases[("country_release", "released")]
    assert sum(m.disbursed for m in ov.money) == paid and {m.currency for m in ov.money} == {"USD", "KRW", "CNY"}
    assert sum(c.open_steps for c in ov.countries) == len(open_steps) - _steps_without_country(engine)
    assert len(board.open_steps(engine, NETWORK, limit=5000)) == len(open_steps)


def _steps_without_country(engine: Engine) -> int:
    with reading(engine) as conn:
        return conn.execute(text("SELECT count(*) FROM step WHERE closed_at IS NULL AND country IS NULL")).scalar_one()


def test_the_overview_agrees_with_2000_seeded_items(sqlite_engine: Engine) -> None:
    counts = seed(sqlite_engine, items=2_000, seed=11, now=NOW)
    assert counts["item"] == 2_000
    assert counts["event"] > 5 * 2_000 and counts["item_milestone"] > 2 * 2_000 and counts["step"] > 2_000
    assert counts["step_await"] >= counts["step"] and counts["document"] > 0 and counts["payment"] > 0 and counts["fund"] == 4
    check_seeded(sqlite_engine, 2_000)


def test_seeding_refuses_a_read_model_that_has_items_unless_appending(sqlite_engine: Engine) -> None:
    seed(sqlite_engine, items=120, seed=3, now=NOW)
    with pytest.raises(NotEmpty, match="already has 120 items"):
        seed(sqlite_engine, items=50, seed=4, now=NOW)
    counts = seed(sqlite_engine, items=200, seed=3, now=NOW, append=True)  # the same seed again: new ids
    assert counts["item"] == 200
    with reading(sqlite_engine) as conn:
        assert conn.execute(select(func.count()).select_from(ITEM)).scalar_one() == 320
        assert conn.execute(select(func.count(func.distinct(PAYMENT.c.reference)))).scalar_one() == conn.execute(
            select(func.count()).select_from(PAYMENT)
        ).scalar_one()


def test_the_same_seed_writes_the_same_read_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = []
    for name in ("a", "b"):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        init_db(engine)
        seed(engine, items=300, seed=5, now=NOW)
        with reading(engine) as conn:
            rows.append(conn.execute(select(ITEM.c.item_id, ITEM.c.phase, ITEM.c.summary, ITEM.c.updated_at).order_by(ITEM.c.item_id)).all())
        dispose_engine(engine)
    assert rows[0] == rows[1] and len(rows[0]) == 300


@pytest.mark.postgres
def test_the_overview_agrees_with_seeded_items_on_postgresql(postgres_engine: Engine) -> None:
    seed(postgres_engine, items=400, seed=11, now=NOW)
    check_seeded(postgres_engine, 400)
