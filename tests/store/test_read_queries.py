"""The reads pages make: filters, detail, timeline, inbox order and overdue flags, counts, mailbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from domain.agreements import Phase
from domain.readmodel import ItemParty, ItemSnapshot
from store.models import ItemDetail, ItemPublic
from store.outbox import enqueue
from store.projections import project_agreement, project_item
from store.queries import (
    counts_by_phase,
    events_for,
    get_item,
    list_items,
    open_steps,
    outbox,
)
from tests.store.agreement_builders import T0, event, make_agreement, person, step


def seed(engine: Engine) -> None:
    project_agreement(engine, make_agreement(3, agreement_id="mou-kr-kz", phase=Phase.REVIEW))
    project_agreement(
        engine, make_agreement(5, agreement_id="mou-kr-kz-2", title="Соглашение о совместном производстве", phase=Phase.SIGNING)
    )
    project_agreement(engine, make_agreement(2, agreement_id="mou-old", title="Old accord", phase=Phase.EXPIRED, steps=[]))
    grant = ItemSnapshot(
        item_id="grant-1",
        item_type="grant",
        kind="production",
        title="Steppe Stories 100%_done",
        phase="assessment",
        parties=[ItemParty(organisation_id="uzbekkino", country="UZ", role="applicant", name="Uzbekkino")],
        projected_seq=1,
    )
    project_item(engine, grant, [step("assess", "uzbekkino", "UZ", opened_h=-5)], [event(1)])


def test_list_items_filters(engine: Engine) -> None:
    seed(engine)
    ids = lambda **kw: [i.item_id for i in list_items(engine, **kw)]
    assert ids() == ["mou-kr-kz-2", "mou-kr-kz", "mou-old", "grant-1"]  # most recently changed first
    assert ids(item_type="agreement", phase="review") == ["mou-kr-kz"]
    assert ids(phase=["review", "signing"]) == ["mou-kr-kz-2", "mou-kr-kz"]
    assert ids(kind="production") == ["grant-1"]
    assert ids(country="uz") == ["grant-1"]
    assert ids(country="KZ", item_type="agreement") == ["mou-kr-kz-2", "mou-kr-kz", "mou-old"]
    assert ids(organisation_id="uzbekkino") == ["grant-1"]
    assert ids(text="СОВМЕСТНОМ") == ["mou-kr-kz-2"]  # case folding beyond ASCII
    assert ids(text="kazakhfilm", phase="expired") == ["mou-old"]  # party names are searchable
    assert ids(text="100%_") == ["grant-1"]  # LIKE wildcards are taken literally
    assert ids(text="100%x") == []
    assert ids(limit=2, offset=1) == ["mou-kr-kz", "mou-old"]
    assert all(type(i) is ItemPublic for i in list_items(engine))


def test_get_item_and_timeline(engine: Engine) -> None:
    seed(engine)
    item = get_item(engine, "mou-kr-kz")
    assert isinstance(item, ItemDetail)
    assert item.detail["phase"] == "review" and item.summary["parties_total"] == 2
    assert item.created_at.tzinfo is not None and item.updated_at == T0 + timedelta(hours=3)
    assert get_item(engine, "nope") is None
    timeline = events_for(engine, "mou-kr-kz")
    assert [e.seq for e in timeline] == [1, 2, 3] and timeline[0].at == T0 + timedelta(hours=1)
    assert events_for(engine, "nope") == []


def test_inbox_oldest_first_with_overdue(engine: Engine) -> None:
    seed(engine)
    now = T0 + timedelta(days=8)
    kofic = open_steps(engine, person_id="kofic-approver", now=now)
    assert [(s.item_id, s.step_id) for s in kofic] == [("mou-kr-kz", "review-1/kofic"), ("mou-kr-kz-2", "review-1/kofic")]
    assert kofic[0].item_title == "Co-production MOU Korea–Kazakhstan"
    assert not kofic[0].overdue and kofic[0].due_in_days == 2.0
    late = open_steps(engine, person_id="kofic-approver", now=T0 + timedelta(days=11))
    assert all(s.overdue for s in late) and late[0].due_in_days == -1.0

    everyone = open_steps(engine, now=now)
    assert everyone[0].step_id == "assess"  # opened five hours before the others
    assert len(everyone) == 5  # the expired agreement has none
    assert [s.item_id for s in open_steps(engine, country="uz", now=now)] == ["grant-1"]
    assert {s.item_id for s in open_steps(engine, organisation_id="kazakhfilm", now=now)} == {"mou-kr-kz", "mou-kr-kz-2"}
    assert open_steps(engine, person_id="nobody") == []


def test_inbox_for_several_awaited_people(engine: Engine) -> None:
    both = step("sign/kofic", awaited=[person("kofic-signer", "kofic"), person("kofic-deputy", "kofic")])
    project_agreement(engine, make_agreement(2, steps=[both]))
    for pid in ("kofic-signer", "kofic-deputy"):
        [s] = open_steps(engine, person_id=pid)
        assert s.awaited_ids == ["kofic-signer", "kofic-deputy"]
        assert s.awaited_names == ["Kofic Signer", "Kofic Deputy"]


def test_counts_by_phase(engine: Engine) -> None:
    seed(engine)
    assert counts_by_phase(engine, "agreement") == {"expired": 1, "review": 1, "signing": 1}
    assert counts_by_phase(engine, "grant") == {"assessment": 1}
    assert counts_by_phase(engine, "release") == {}


def test_outbox_listing(engine: Engine) -> None:
    assert outbox(engine) == []
    enqueue(engine, "k1", "mou-kr-kz", ["a@example.org"], "Review open", "Please review.")
    enqueue(engine, "k2", None, ["b@example.org", "c@example.org"], "Welcome", "Hello.")
    listed = outbox(engine)
    assert {m.key for m in listed} == {"k1", "k2"} and all(m.status == "pending" for m in listed)
    assert [m.key for m in outbox(engine, item_id="mou-kr-kz")] == ["k1"]
    assert outbox(engine, status="sent") == []
    assert len(outbox(engine, limit=1)) == 1
