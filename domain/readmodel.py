"""What every lifecycle hands the read model: one item, its parties, documents and open steps.

Agreements, joint programmes, grants and releases differ in their state, but the pages that list
them, the inbox and the timelines only need the same few facts. Each lifecycle's record activity
builds an `ItemSnapshot` (plus its open `OpenStep`s, new `Event`s and `ItemDocument`s) and the
store projects it through one idempotent function, so a new lifecycle adds no new tables.
Pure data: no I/O, safe to build inside a workflow.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.agreements import SHA256_PATTERN, Event
from domain.human_steps import OpenStep

__all__ = ["DetailAppend", "Event", "ItemDocument", "ItemParty", "ItemProjection", "ItemSnapshot", "OpenStep", "ProjectionReply"]


class ItemParty(BaseModel):
    """An organisation taking part in an item; lists filter by organisation and country with it."""

    model_config = ConfigDict(frozen=True)

    organisation_id: str = Field(min_length=1, max_length=64)
    country: str | None = Field(default=None, max_length=2)
    role: str = Field(default="party", min_length=1, max_length=40)
    name: str = ""


class ItemDocument(BaseModel):
    """A document produced for an item, known by its content hash (the bytes live in the blob store)."""

    model_config = ConfigDict(frozen=True)

    sha256: str = Field(pattern=SHA256_PATTERN)
    kind: str = Field(min_length=1, max_length=40, description="e.g. 'version', 'executed'")
    label: str = Field(default="", max_length=300)
    version: int | None = None
    pages: int = 0
    size: int | None = None
    created_at: datetime


class DetailAppend(BaseModel):
    """New items at the end of a list inside the snapshot's `detail`, sent instead of the whole list.

    A long-running workflow's journal (a fund's ledger) grows for years; sending all of it with
    every projection made each projection, and the history that records it, grow with it. The
    store keeps the stored list's first `start` items and appends `items`; the snapshot's own
    `detail` leaves the list out. A store that holds fewer than `start` items (its copy was lost,
    the item rebuilt) keeps its older picture and says so in its `ProjectionReply`; the workflow
    then sends the list whole.
    """

    path: list[str] = Field(min_length=1, description="Keys from `detail` down to the list, e.g. ['ledger', 'entries']")
    start: int = Field(ge=0, description="How many items of the list come before these")
    items: list[Any] = Field(default_factory=list)


class ProjectionReply(BaseModel):
    """What the store answers a projection with `appends`: the lists it could not join because it
    lacks items before `start` (the snapshot was not applied); send them whole (start 0)."""

    incomplete: list[list[str]] = Field(default_factory=list)


class ItemSnapshot(BaseModel):
    """The current picture of one lifecycle item, as lists and detail pages show it.

    `projected_seq` is the highest event seq the snapshot includes: the store keeps the snapshot
    with the highest one, so a retried or late projection never rolls the page back.
    """

    item_id: str = Field(min_length=1, max_length=200, description="The workflow id")
    item_type: str = Field(min_length=1, max_length=40, description="'agreement', 'program', 'grant', …")
    kind: str = Field(default="", max_length=60)
    title: str = Field(max_length=300)
    phase: str = Field(min_length=1, max_length=40)
    parties: list[ItemParty] = Field(default_factory=list)
    summary: dict[str, Any] = Field(default_factory=dict, description="Lifecycle-specific list columns (JSON)")
    detail: dict[str, Any] = Field(default_factory=dict, description="The full snapshot the detail page renders")
    projected_seq: int = Field(ge=0)
    appends: list[DetailAppend] = Field(default_factory=list, description="Lists in `detail` sent as their new items only")
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def countries(self) -> list[str]:
        return sorted({p.country for p in self.parties if p.country})

    @property
    def organisation_ids(self) -> list[str]:
        return list(dict.fromkeys(p.organisation_id for p in self.parties))


class ItemProjection(BaseModel):
    """What a lifecycle hands the `project_item` activity: the snapshot, its open steps, the events
    recorded since the last projection and any documents (known by hash)."""

    item: ItemSnapshot
    steps: list[OpenStep] = Field(default_factory=list)
    new_events: list[Event] = Field(default_factory=list)
    documents: list[ItemDocument] = Field(default_factory=list)


class HumanState(BaseModel):
    """The fields every lifecycle with people in it keeps for the shared plumbing
    (`workflows.human_workflow`): events, open steps, projection progress, a revision for stale pages."""

    events: list[Event] = Field(default_factory=list)
    event_count: int = 0
    steps: list[OpenStep] = Field(default_factory=list)
    projected_seq: int = 0
    revision: int = Field(default=0, description="Raised by every accepted action: a stale page is refused")
    documents: list[ItemDocument] = Field(default_factory=list)
