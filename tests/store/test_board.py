"""The board's reads on SQLite and PostgreSQL, with a small network whose history is known to the
minute: figures now and on a past day, scopes, bottlenecks, medians and drill-down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from domain.agreements import Event
from domain.board import Lifecycle, Scope
from domain.human_steps import OpenStep, StepKind
from domain.parties import PersonRef
from domain.readmodel import ItemParty, ItemSnapshot
from store import board
from store.db import backfill_milestones, reading, transaction
from store.models import MilestoneRow
from store.projections import project_item

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = datetime.now(UTC)
EVERYTHING = Scope(label="the whole network", lifecycles=frozenset(Lifecycle), everything=True)
KOREA = Scope(label="Korea", lifecycles=frozenset(Lifecycle), countries=frozenset({"KR"}))
KAFA = Scope(label="KAFA", lifecycles=frozenset({Lifecycle.PROGRAMS}), organisations=frozenset({"kafa"}))
KIM = PersonRef(id="kim-minji", name="Kim Min-ji", email="kim@example.org")
OLGA = PersonRef(id="olga", name="Olga Ivanova", email="olga@example.org")


def ev(seq: int, at: datetime, kind: str) -> Event:
    return Event(seq=seq, at=at, kind=kind, detail=kind)


def step(step_id: str, kind: StepKind, opened: datetime, due_days: float, who: PersonRef, country: str, org: str) -> OpenStep:
    return OpenStep(step_id=step_id, kind=kind, label=f"{kind.value} {step_id}", organisation_id=org, country=country,
                    awaited=[who], opened_at=opened, due_at=opened + timedelta(days=due_days))  # fmt: skip


def snap(item_id: str, item_type: str, phase: str, parties: list[tuple[str, str]], seq: int, **kw: object) -> ItemSnapshot:
    return ItemSnapshot(item_id=item_id, item_type=item_type, title=item_id.replace("-", " ").title(), phase=phase,
                        parties=[ItemParty(organisation_id=o, country=c) for o, c in parties], projected_seq=seq, **kw)  # type: ignore[arg-type]  # fmt: skip


def build(engine: Engine) -> None:
    """Two MOUs (one executed in March, one still in approval since January), a student at KAFA,
    a Russian credit transfer, and a fund with its ledger."""
    kr_kz = [("kofic", "KR"), ("kazakhfilm", "KZ")]
    events = [ev(1, T0, "created"), ev(2, T0 + timedelta(hours=1), "review_opened")]
    approve = step("approve-kofic", StepKind.APPROVE, T0 + timedelta(days=10), 14, KIM, "KR", "kofic")
    project_item(engine, snap("mou-kr-kz", "agreement", "approval", kr_kz, 2), [approve], events, [])
    # the approval took 20 days; signing opened and was done 30 days later; executed in March
    later = [ev(3, T0 + timedelta(days=30), "approvals_complete")]
    sign = step("sign-kofic", StepKind.SIGN, T0 + timedelta(days=30), 14, KIM, "KR", "kofic")
    project_item(engine, snap("mou-kr-kz", "agreement", "signing", kr_kz, 3), [sign], later, [])
    done = [ev(4, T0 + timedelta(days=60), "signatures_complete"), ev(5, T0 + timedelta(days=60, minutes=5), "executed")]
    project_item(engine, snap("mou-kr-kz", "agreement", "active", kr_kz, 5, summary={"executed_at": (T0 + timedelta(days=60)).isoformat()}),
                 [], done, [])  # fmt: skip

    cn_ru = [("cfa", "CN"), ("mosfilm", "RU")]
    stuck = step("approve-mosfilm", StepKind.APPROVE, T0 + timedelta(days=2), 14, OLGA, "RU", "mosfilm")
    project_item(engine, snap("mou-cn-ru", "agreement", "approval", cn_ru, 3),
                 [stuck], [ev(1, T0, "created"), ev(2, T0, "review_opened"), ev(3, T0 + timedelta(days=2), "review_closed")], [])  # fmt: skip

    kafa_vgik = [("kafa", "KR"), ("vgik", "RU")]
    project_item(engine, snap("student-han", "student", "enrolled", kafa_vgik, 1, summary={"program_id": "kafa-vgik"}),
                 [], [ev(1, T0 + timedelta(days=40), "enrolled")], [])  # fmt: skip
    decide = step("decide-vfx", StepKind.DECIDE, NOW - timedelta(days=40), 14, KIM, "KR", "kafa")
    project_item(engine, snap("transfer-han", "credit_transfer", "department", kafa_vgik, 1,
                              summary={"credits_approved": "6.0", "credits_posted": "0"}),
                 [decide], [ev(1, NOW - timedelta(days=40), "requested")], [])  # fmt: skip

    ledger = {"ledger": {"entries": [{"kind": "commit", "committed_change": "100000.00", "released_change": "0", "amount": "100000.00"},
                                     {"kind": "release", "committed_change": "0", "released_change": "40000.00", "amount": "40000.00"}]}}  # fmt: skip
    project_item(engine, snap("fund-2026", "fund", "open", [], 3, detail=ledger,
                              summary={"currency": "USD", "budget": "500000.00", "committed": "100000.00", "released": "40000.00"}),
                 [], [ev(1, T0, "opened"), ev(2, T0 + timedelta(days=20), "commit"), ev(3, T0 + timedelta(days=50), "release")], [])  # fmt: skip


@pytest.fixture
def network(engine: Engine) -> Engine:
    build(engine)
    return engine


def test_the_overview_now(network: Engine) -> None:
    ov = board.overview(network, EVERYTHING)
    assert ov.agreements_by_phase == {"active": 1, "approval": 1}
    assert ov.agreements_signed_this_year == (1 if NOW.year == 2026 else 0)
    assert (ov.programs.students, ov.programs.programs, ov.programs.transfers_open) == (1, 1, 1)
    assert ov.programs.credits_approved == Decimal("6.0")
    [usd] = ov.money
    assert (usd.budget, usd.committed, usd.disbursed, usd.remaining) == (Decimal(500000), Decimal(100000), Decimal(40000), Decimal(400000))
    # open: the stuck CN–RU approval (overdue since January) and the KAFA decision (40 days, overdue)
    assert (ov.open_steps, ov.overdue_steps) == (2, 2)
    agreement = next(f for f in ov.funnels if f.item_type == "agreement")
    assert [s.count for s in agreement.steps] == [2, 2, 1, 1, 1]
    kr = next(r for r in ov.countries if r.country == "KR")
    assert (kr.agreements, kr.agreements_active, kr.students, kr.open_steps) == (1, 1, 1, 1)


def test_the_overview_on_a_past_day_comes_from_the_history(network: Engine) -> None:
    feb = datetime(2026, 2, 10, tzinfo=UTC)  # day 36: KR–KZ in signing since day 30, CN–RU in approval
    ov = board.overview(network, EVERYTHING, as_of=feb)
    assert ov.historical and ov.as_of == feb
    assert ov.agreements_by_phase == {"signing": 1, "approval": 1}
    assert ov.agreements_signed_this_year == 0
    [usd] = ov.money
    assert (usd.committed, usd.disbursed) == (Decimal(100000), Decimal(0))  # the release came on day 50
    # open on 10 February: KR–KZ's signature (opened day 30) and CN–RU's approval; the KAFA step did not exist
    assert ov.open_steps == 2
    assert [s.count for s in next(f for f in ov.funnels if f.item_type == "agreement").steps] == [2, 2, 1, 0, 0]
    assert ov.programs.students == 0
    active = board.items_behind(network, EVERYTHING, feb, item_type="agreement", phase="signing")
    assert [i.item_id for i in active] == ["mou-kr-kz"]


def test_scopes_keep_to_a_country_or_a_university(network: Engine) -> None:
    korea = board.overview(network, KOREA)
    assert korea.agreements_by_phase == {"active": 1}
    assert korea.money == [] or all(m.funds == 0 for m in korea.money)
    assert [r.country for r in korea.countries] == ["KR"]
    kafa = board.overview(network, KAFA)
    assert kafa.agreements_by_phase == {} and kafa.money == [] and kafa.releases.recommended == 0
    assert kafa.programs.students == 1 and kafa.open_steps == 1
    assert [s.item_id for s in board.open_steps(network, KAFA)] == ["transfer-han"]
    assert board.open_steps(network, KOREA, country="RU") == []


def test_open_steps_longest_waiting_first_with_who_is_awaited(network: Engine) -> None:
    steps = board.open_steps(network, EVERYTHING)
    assert [s.step_id for s in steps] == ["approve-mosfilm", "decide-vfx"]
    first = steps[0]
    assert first.awaited_names == ["Olga Ivanova"] and first.country == "RU" and first.organisation_id == "mosfilm"
    assert (first.overdue and first.age_days > 300) or NOW.year == 2026
    assert [s.step_id for s in board.open_steps(network, EVERYTHING, min_age_days=28, max_age_days=91)] == ["decide-vfx"]
    assert [s.step_id for s in board.open_steps(network, EVERYTHING, organisation_id="kafa")] == ["decide-vfx"]


def test_median_step_times_by_country_and_organisation(network: Engine) -> None:
    by_country = board.step_medians(network, EVERYTHING, as_of=datetime(2026, 6, 1, tzinfo=UTC))
    got = {(m.kind, m.key): (m.median_days, m.steps) for m in by_country}
    assert got == {("approve", "KR"): (20.0, 1), ("sign", "KR"): (30.0, 1)}
    assert by_country[0].kind == "sign"  # slowest first
    by_org = board.step_medians(network, EVERYTHING, as_of=datetime(2026, 6, 1, tzinfo=UTC), by="organisation")
    assert {m.key for m in by_org} == {"kofic"}
    with pytest.raises(ValueError):
        board.step_medians(network, EVERYTHING, by="planet")


def test_drill_down_lists_the_items_behind_a_figure(network: Engine) -> None:
    assert {i.item_id for i in board.items_behind(network, EVERYTHING, item_type="agreement", reached="review_opened")} == {
        "mou-kr-kz", "mou-cn-ru"}  # fmt: skip
    assert [i.item_id for i in board.items_behind(network, EVERYTHING, item_type="agreement", reached="executed",
                                                  completed_in="2026-03")] == ["mou-kr-kz"]  # fmt: skip
    assert board.items_behind(network, EVERYTHING, item_type="agreement", reached="executed", completed_in="2026-04") == []
    assert {i.item_id for i in board.items_behind(network, EVERYTHING, country="RU")} == {"mou-cn-ru", "student-han", "transfer-han"}
    assert {i.item_id for i in board.items_behind(network, KAFA, country="RU")} == {"student-han", "transfer-han"}


def test_milestones_keep_the_first_time_and_are_backfilled_for_an_older_read_model(network: Engine) -> None:
    with reading(network) as conn:
        before = conn.execute(select(func.count()).select_from(MilestoneRow.__table__)).scalar()
    with transaction(network) as conn:
        conn.execute(MilestoneRow.__table__.delete())
    assert backfill_milestones(network) == before
    assert backfill_milestones(network) == 0  # already there
    assert board.overview(network, EVERYTHING).funnels[0].steps[0].count == 2


def test_a_country_scope_on_a_past_day_counts_the_payments_issued_by_then(network: Engine) -> None:
    from store.db import transaction
    from store.models import PaymentRow

    kr_in = [("kofic", "KR"), ("mumbai-talkies", "IN")]
    project_item(network, snap("grant-kr-in-doc", "grant", "active", kr_in, 1, summary={"currency": "USD", "amount": "90000.00", "paid": "30000.00"}),
                 [], [ev(1, T0 + timedelta(days=3), "agreement_started")], [])  # fmt: skip
    with transaction(network) as conn:
        conn.execute(PaymentRow.__table__.insert(), [{
            "key": "kr-in-doc/signature", "reference": "PAY-2026-000001", "year": 2026, "seq": 1, "fund_id": "fund-2026",
            "award_id": "kr-in-doc", "tranche_id": "signature", "application_id": "kr-in-doc", "amount": "30000.00",
            "currency": "USD", "status": "issued", "issued_at": T0 + timedelta(days=20)}])  # fmt: skip
    [before] = board.overview(network, KOREA, as_of=T0 + timedelta(days=10)).money
    [after] = board.overview(network, KOREA, as_of=T0 + timedelta(days=30)).money
    assert (before.committed, before.disbursed) == (Decimal(90000), Decimal(0))
    assert (after.committed, after.disbursed) == (Decimal(90000), Decimal(30000))
