"""Projections are idempotent and order-safe: retries, late attempts and rebuilds change nothing."""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select

from domain.agreements import Phase
from domain.human_steps import StepKind
from domain.readmodel import ItemDocument, ItemParty, ItemSnapshot
from store.db import reading
from store.models import (
    DocumentRow,
    EventRow,
    ItemPartyRow,
    ItemRow,
    StepAwaitRow,
    StepRow,
)
from store.projections import (
    agreement_snapshot,
    forget_item,
    project_agreement,
    project_item,
)
from store.queries import documents_for, events_for, get_item, open_steps
from tests.store.agreement_builders import SHA, T0, event, make_agreement, person, step

TABLES = [ItemRow, ItemPartyRow, StepRow, StepAwaitRow, EventRow, DocumentRow]


def dump(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every projected table, in a stable order."""
    out = {}
    with reading(engine) as conn:
        for model in TABLES:
            table = model.__table__
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            out[table.name] = [dict(r) for r in rows]
    return out


def test_snapshot_of_an_agreement() -> None:
    proj = make_agreement(4, versions=2, executed=True, phase=Phase.ACTIVE)
    item, steps, events, documents = agreement_snapshot(proj)
    assert item.item_id == "mou-kr-kz" and item.item_type == "agreement" and item.kind == "co_production"
    assert "events" not in item.detail and item.detail["spec"]["id"] == "mou-kr-kz"
    assert item.summary["version"] == 2 and item.summary["version_hash"] == SHA[2]
    assert item.summary["party_names"] == ["Korean Film Council", "Kazakhfilm"]
    assert item.summary["executed_pdf_sha256"] == SHA[39]
    assert item.countries == ["KR", "KZ"] and item.projected_seq == 4
    assert item.created_at == T0 + timedelta(hours=1) and item.updated_at == T0 + timedelta(hours=4)
    assert [e.seq for e in events] == [1, 2, 3, 4] and len(steps) == 2
    assert [(d.kind, d.version) for d in documents] == [("version", 1), ("version", 2), ("executed", 2)]


def test_projecting_twice_writes_identical_rows(engine: Engine) -> None:
    proj = make_agreement(3, versions=2, executed=True)
    project_agreement(engine, proj)
    first = dump(engine)
    project_agreement(engine, proj)
    assert dump(engine) == first
    assert len(first["event"]) == 3 and len(first["step"]) == 2 and len(first["document"]) == 3
    assert len(first["item_party"]) == 2 and len(first["step_await"]) == 2


def test_older_projection_after_newer_is_ignored(engine: Engine) -> None:
    signing = [step("sign/kofic", kind=StepKind.SIGN, opened_h=5)]
    project_agreement(engine, make_agreement(5, phase=Phase.SIGNING, steps=signing, versions=2))
    before = dump(engine)
    late = make_agreement(3, phase=Phase.REVIEW, versions=1)
    item, steps, events, docs = agreement_snapshot(late)
    assert project_item(engine, item, steps, events, docs) is False
    assert dump(engine) == before
    stored = get_item(engine, "mou-kr-kz")
    assert stored is not None and stored.phase == "signing" and stored.projected_seq == 5
    assert [s.step_id for s in open_steps(engine, item_id="mou-kr-kz")] == ["sign/kofic"]


def test_same_seq_again_is_accepted(engine: Engine) -> None:
    """A retried activity sends the same seq: it must still count as current (>=, not >)."""
    item, steps, events, docs = agreement_snapshot(make_agreement(2))
    assert project_item(engine, item, steps, events, docs) is True
    assert project_item(engine, item, steps, events, docs) is True


def test_steps_that_leave_are_closed_and_may_reopen(engine: Engine) -> None:
    a, b = step("review-1/kofic"), step("review-1/kazakhfilm", "kazakhfilm", "KZ")
    project_agreement(engine, make_agreement(2, steps=[a, b]))
    project_agreement(engine, make_agreement(3, steps=[b]))
    with reading(engine) as conn:
        rows = {r.step_id: r for r in conn.execute(select(StepRow.__table__))}
    assert rows["review-1/kofic"].closed_at is not None
    assert rows["review-1/kofic"].closed_at.replace(tzinfo=T0.tzinfo) == T0 + timedelta(hours=3)
    assert rows["review-1/kazakhfilm"].closed_at is None
    assert [s.step_id for s in open_steps(engine, item_id="mou-kr-kz")] == ["review-1/kazakhfilm"]

    project_agreement(engine, make_agreement(4, steps=[]))
    assert open_steps(engine, item_id="mou-kr-kz") == []
    project_agreement(engine, make_agreement(5, steps=[a]))
    assert [s.step_id for s in open_steps(engine, item_id="mou-kr-kz")] == ["review-1/kofic"]
    with reading(engine) as conn:
        assert len(conn.execute(select(StepRow.__table__)).all()) == 2  # nothing deleted


def test_what_the_workflow_sends(engine: Engine) -> None:
    """The workflow strips the history from its state and sends only new events; a projection
    with no new event (a step changed, nothing recorded) must keep the item's times."""
    for seq in (1, 2, 3):
        project_agreement(engine, make_agreement(seq, keep_events=False))
    assert [e.seq for e in events_for(engine, "mou-kr-kz")] == [1, 2, 3]
    item = get_item(engine, "mou-kr-kz")
    assert item is not None and item.created_at == T0 + timedelta(hours=1)
    assert item.updated_at == T0 + timedelta(hours=3)

    quiet = make_agreement(3, keep_events=False, new_from=4, steps=[step("review-1/kofic")])
    assert quiet.new_events == []
    project_agreement(engine, quiet)
    once = dump(engine)
    project_agreement(engine, quiet)
    assert dump(engine) == once
    assert get_item(engine, "mou-kr-kz").updated_at == T0 + timedelta(hours=3)  # type: ignore[union-attr]
    closed = [s for s in once["step"] if s["closed_at"] is not None]
    assert [(s["step_id"], s["closed_at"]) for s in closed] == [("review-1/kazakhfilm", T0 + timedelta(hours=3))]


def test_delegation_changes_who_is_awaited(engine: Engine) -> None:
    project_agreement(engine, make_agreement(2, steps=[step("sign/kofic")]))
    delegated = step("sign/kofic", awaited=[person("kofic-deputy", "kofic")])
    project_agreement(engine, make_agreement(3, steps=[delegated]))
    assert open_steps(engine, person_id="kofic-approver") == []
    assert [s.awaited_names for s in open_steps(engine, person_id="kofic-deputy")] == [["Kofic Deputy"]]


def test_events_are_rebuilt_from_state_and_gaps_filled(engine: Engine) -> None:
    project_agreement(engine, make_agreement(4, new_from=4))  # an empty read model: state backfills 1..3
    assert [e.seq for e in events_for(engine, "mou-kr-kz")] == [1, 2, 3, 4]

    item = ItemSnapshot(item_id="grant-7", item_type="grant", title="Grant 7", phase="open", projected_seq=6)
    project_item(engine, item, events=[event(5), event(6)])
    project_item(engine, item.model_copy(update={"projected_seq": 4}), events=[event(3), event(4)])
    assert [e.seq for e in events_for(engine, "grant-7")] == [3, 4, 5, 6]


def test_documents_and_closing(engine: Engine) -> None:
    project_agreement(engine, make_agreement(3, versions=2, phase=Phase.SIGNING))
    project_agreement(engine, make_agreement(6, versions=2, executed=True, phase=Phase.ACTIVE, steps=[]))
    docs = documents_for(engine, "mou-kr-kz")
    assert [(d.kind, d.version, d.sha256) for d in docs] == [
        ("version", 1, SHA[21]),
        ("version", 2, SHA[22]),
        ("executed", 2, SHA[39]),
    ]
    assert get_item(engine, "mou-kr-kz").closed_at is None  # type: ignore[union-attr]
    project_agreement(engine, make_agreement(7, versions=2, executed=True, phase=Phase.TERMINATED, steps=[]))
    closed = get_item(engine, "mou-kr-kz")
    assert closed is not None and closed.closed_at == T0 + timedelta(hours=7)
    assert closed.summary["executed_pdf_sha256"] == SHA[39]


def test_generic_items_project_through_the_same_function(engine: Engine) -> None:
    item = ItemSnapshot(
        item_id="grant-2025-01",
        item_type="grant",
        kind="production",
        title="Steppe Stories",
        phase="assessment",
        parties=[ItemParty(organisation_id="kazakhfilm", country="KZ", role="applicant", name="Kazakhfilm")],
        summary={"amount": "50000.00"},
        projected_seq=2,
    )
    doc = ItemDocument(sha256=SHA[5], kind="application", label="Application", created_at=T0)
    assert project_item(engine, item, [step("assess/1", "kazakhfilm", "KZ")], [event(1), event(2)], [doc])
    stored = get_item(engine, "grant-2025-01")
    assert stored is not None and stored.summary == {"amount": "50000.00"} and stored.countries == ["KZ"]
    assert open_steps(engine, person_id="kazakhfilm-approver")[0].item_type == "grant"


def test_forget_then_rebuild(engine: Engine) -> None:
    proj = make_agreement(4, versions=2)
    project_agreement(engine, proj)
    before = dump(engine)
    forget_item(engine, "mou-kr-kz")
    assert all(rows == [] for rows in dump(engine).values())
    project_agreement(engine, proj)
    assert dump(engine) == before


def test_concurrent_projections(engine: Engine) -> None:
    """Threads project different items at once, and each item's snapshots arrive shuffled twice."""
    ids = [f"mou-{n:02d}" for n in range(8)]
    errors: list[BaseException] = []

    def work(agreement_id: str, seed: int) -> None:
        seqs = list(range(1, 9)) * 2
        random.Random(seed).shuffle(seqs)
        try:
            for seq in seqs:
                steps = [step(f"review-{seq}/kofic")]
                project_agreement(engine, make_agreement(seq, agreement_id=agreement_id, steps=steps))
        except Exception as e:  # noqa: BLE001 - a thread's failure is asserted on below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i, n)) for n, i in enumerate(ids * 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for agreement_id in ids:
        item = get_item(engine, agreement_id)
        assert item is not None and item.projected_seq == 8
        assert [e.seq for e in events_for(engine, agreement_id)] == list(range(1, 9))
        assert [s.step_id for s in open_steps(engine, item_id=agreement_id)] == ["review-8/kofic"]
