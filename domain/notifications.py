"""A message to people, sent at most once per idempotency key."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.parties import PersonRef


class Notification(BaseModel):
    key: str = Field(min_length=1, max_length=300, description="Idempotency key: one message per key, ever")
    item_id: str
    to: list[PersonRef]
    subject: str = Field(max_length=300)
    body: str = Field(max_length=20_000)
