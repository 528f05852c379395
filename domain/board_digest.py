"""The weekly board digest: which week a digest is, what the workflow asks for, what comes back.

A Temporal Schedule starts the `BoardDigest` workflow every Monday; the workflow fixes the moment
(the schedule's start time) and names the digest by the ISO week of that moment, so the same
week always gives the same `digest_id` and a rerun or retry finds the digest already made. Pure
data and pure functions: safe to import in the workflow sandbox.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.agreements import SHA256_PATTERN
from domain.board import OpenStep, Overview, StepMedian

RENDER_BOARD_DIGEST = "render_board_digest"  # the activity's name: workflows refer to it by name only

DIGEST_ITEM_ID = "board-digest"  # the one read-model item every digest is a document of
DIGEST_ITEM_TYPE = "board_digest"
DIGEST_ITEM_TITLE = "Board digests"
DIGEST_KIND = "board_digest"  # the documents' kind
PERIOD = timedelta(days=7)
LONGEST_WAITING = 15  # open steps listed, longest waiting first
SLOWEST_STEPS = 10  # step types by median days (per country), slowest first

_DIGEST_ID = re.compile(r"^(\d{4})-W(\d{2})$")


def digest_id_for(moment: datetime) -> str:
    """The ISO year and week of `moment` in UTC, e.g. '2026-W48'. The ISO year, not the calendar's:
    Friday 1 January 2027 is still in '2026-W53'."""
    iso = _utc(moment).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def week_of(digest_id: str) -> tuple[int, int]:
    """(ISO year, week) of a digest id."""
    m = _DIGEST_ID.match(digest_id)
    if not m:
        raise ValueError(f"'{digest_id}' is not a digest id (YYYY-Www)")
    return int(m.group(1)), int(m.group(2))


def digest_title(digest_id: str) -> str:
    """'Board digest — week 48, 2026': the PDF's title and the document's label."""
    year, week = week_of(digest_id)
    return f"Board digest — week {week:02d}, {year}"


def digest_seq(digest_id: str) -> int:
    """202648 for '2026-W48': later weeks are larger, so the read model's item follows the newest digest."""
    year, week = week_of(digest_id)
    return year * 100 + week


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class DigestRequest(BaseModel):
    """What the workflow asks for: the digest of the week `digest_id`, with the figures as they
    stood at `as_of` (fixed by the workflow, so a retry renders the same figures)."""

    model_config = ConfigDict(frozen=True)

    digest_id: str = Field(pattern=_DIGEST_ID.pattern)
    as_of: datetime

    @field_validator("as_of")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        return _utc(v)


class DigestResult(BaseModel):
    """The digest as stored: its PDF's hash in the blob store, its pages and label."""

    digest_id: str
    sha256: str = Field(pattern=SHA256_PATTERN)
    pages: int
    label: str
    as_of: datetime


class DigestContent(BaseModel):
    """Everything the digest PDF prints, read from the board's read model at one moment."""

    digest_id: str = Field(pattern=_DIGEST_ID.pattern)
    as_of: datetime
    overview: Overview
    open_steps: list[OpenStep] = Field(default_factory=list, description="The longest waiting, longest first")
    medians: list[StepMedian] = Field(default_factory=list, description="The slowest step types by country, slowest first")
    audit_head_seq: int = Field(0, description="The audit log's last row when the digest was made")
    audit_head_hash: str = Field("", description="Its hash: printed, it pins the whole audit log before it")

    @property
    def period_start(self) -> datetime:
        return self.as_of - PERIOD


__all__ = [
    "DIGEST_ITEM_ID",
    "DIGEST_ITEM_TITLE",
    "DIGEST_ITEM_TYPE",
    "DIGEST_KIND",
    "LONGEST_WAITING",
    "PERIOD",
    "RENDER_BOARD_DIGEST",
    "SLOWEST_STEPS",
    "DigestContent",
    "DigestRequest",
    "DigestResult",
    "digest_id_for",
    "digest_seq",
    "digest_title",
    "week_of",
]
