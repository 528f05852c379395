"""A list in an item's detail sent as its new items only (a fund's journal): joined to the stored
list, safe to repeat, never rolled back by a late projection, and whole again after a loss."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from domain.readmodel import DetailAppend, ItemSnapshot
from store.projections import forget_item, project_item
from store.queries import get_item

PATH = ["ledger", "entries"]


def entry(seq: int) -> dict[str, Any]:
    return {"seq": seq, "amount": f"{seq}000.00"}


def snapshot(seq: int, start: int, items: range) -> ItemSnapshot:
    return ItemSnapshot(item_id="fund-f1", item_type="fund", title="Fund", phase="open", projected_seq=seq,
                        summary={"n": seq}, detail={"fund": {"id": "f1"}, "ledger": {"budget": "1.00", "entries": []}},
                        appends=[DetailAppend(path=PATH, start=start, items=[entry(i) for i in items])])  # fmt: skip


def journal(engine: Engine) -> list[int]:
    item = get_item(engine, "fund-f1")
    assert item is not None
    assert item.detail["fund"] == {"id": "f1"} and item.detail["ledger"]["budget"] == "1.00"
    return [e["seq"] for e in item.detail["ledger"]["entries"]]


def test_new_items_follow_the_stored_ones(engine: Engine) -> None:
    assert project_item(engine, snapshot(1, 0, range(1, 3)))
    assert project_item(engine, snapshot(2, 2, range(3, 4)))
    assert project_item(engine, snapshot(3, 3, range(4, 6)))
    assert journal(engine) == [1, 2, 3, 4, 5]


def test_a_repeat_or_a_late_projection_changes_nothing(engine: Engine) -> None:
    project_item(engine, snapshot(1, 0, range(1, 3)))
    project_item(engine, snapshot(2, 2, range(3, 5)))
    assert project_item(engine, snapshot(2, 2, range(3, 5)))  # a retry: the same picture
    assert journal(engine) == [1, 2, 3, 4]
    assert not project_item(engine, snapshot(1, 0, range(1, 3)))  # a late attempt of the first
    item = get_item(engine, "fund-f1")
    assert item is not None and item.summary == {"n": 2} and journal(engine) == [1, 2, 3, 4]


def test_a_lost_copy_keeps_the_older_picture_and_asks_for_the_list_whole(engine: Engine) -> None:
    project_item(engine, snapshot(1, 0, range(1, 3)))
    forget_item(engine, "fund-f1")  # the read model lost the item
    incomplete: list[list[str]] = []
    assert not project_item(engine, snapshot(2, 2, range(3, 4)), incomplete=incomplete)  # entries 1–2 are missing
    assert incomplete == [PATH] and get_item(engine, "fund-f1") is None  # nothing half-written, and the store says why
    incomplete.clear()
    assert project_item(engine, snapshot(2, 0, range(1, 4)), incomplete=incomplete)  # the workflow sends it whole
    assert incomplete == [] and journal(engine) == [1, 2, 3]


def test_a_list_cut_short_keeps_the_row_as_it_was(engine: Engine) -> None:
    """A stored list shorter than the start (say, written by a worker that ignored `appends`)."""
    project_item(engine, snapshot(1, 0, range(1, 4)))
    project_item(engine, snapshot(2, 0, range(0)))  # the journal emptied
    incomplete: list[list[str]] = []
    assert not project_item(engine, snapshot(3, 3, range(4, 5)), incomplete=incomplete)
    item = get_item(engine, "fund-f1")
    assert incomplete == [PATH] and item is not None and item.summary == {"n": 2}


def test_a_stored_list_longer_than_the_start_is_cut_to_it(engine: Engine) -> None:
    """The workflow's count is the truth: what the store holds beyond `start` is replaced."""
    project_item(engine, snapshot(1, 0, range(1, 5)))
    project_item(engine, snapshot(2, 2, range(7, 8)))
    assert journal(engine) == [1, 2, 7]
