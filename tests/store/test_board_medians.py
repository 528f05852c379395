"""Median step times on both databases: the middle duration of an odd count, the mean of the two
middle ones of an even count (as `domain.board.median`), whichever way each database computes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from domain.board import Lifecycle, Scope, median
from store import board
from store.db import transaction
from store.models import ItemRow, StepRow

EVERYTHING = Scope(label="the whole network", lifecycles=frozenset(Lifecycle), everything=True)
AS_OF = datetime(2026, 6, 1, tzinfo=UTC)
# days each closed step took, per (kind, country): an even count, an odd count, a single step
TOOK = {("approve", "KR"): [4.0, 1.0, 3.0, 10.0], ("sign", "KR"): [2.0, 7.5, 5.0], ("approve", "CN"): [1.25]}


def _seed(engine: Engine) -> None:
    t0 = AS_OF - timedelta(days=100)
    items, steps = [], []
    for n, ((kind, country), durations) in enumerate(TOOK.items()):
        for i, days in enumerate(durations):
            item_id = f"agreement-{n}-{i}"
            items.append({"item_id": item_id, "item_type": "agreement", "kind": "co_production", "title": item_id, "phase": "active",
                          "countries": [country], "organisation_ids": [], "summary": {}, "detail": {}, "projected_seq": 1,
                          "created_at": t0, "updated_at": t0, "search_text": item_id})  # fmt: skip
            opened = t0 + timedelta(days=i)
            steps.append({"item_id": item_id, "step_id": f"{kind}-1", "item_type": "agreement", "kind": kind, "label": kind,
                          "organisation_id": f"org-{country.lower()}", "country": country, "opened_at": opened,
                          "due_at": opened + timedelta(days=14), "closed_at": opened + timedelta(days=days)})  # fmt: skip
    with transaction(engine) as conn:
        conn.execute(ItemRow.__table__.insert(), items)
        conn.execute(StepRow.__table__.insert(), steps)


def test_medians_are_the_middle_step_or_the_mean_of_the_two_middle_steps(engine: Engine) -> None:
    _seed(engine)
    got = {(m.kind, m.key): (m.median_days, m.steps) for m in board.step_medians(engine, EVERYTHING, AS_OF)}
    assert got == {key: (median(days), len(days)) for key, days in TOOK.items()}
    assert got[("approve", "KR")] == (3.5, 4)  # not 4.0, the upper of the two middle steps
    by_org = board.step_medians(engine, EVERYTHING, AS_OF, by="organisation")
    assert {(m.kind, m.key): m.median_days for m in by_org} == {("approve", "org-kr"): 3.5, ("sign", "org-kr"): 5.0,
                                                                 ("approve", "org-cn"): 1.25}  # fmt: skip
