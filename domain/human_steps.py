"""The human step: something a person must do by a due date, with reminders and escalation.

Every lifecycle waits on people the same way. The schedule of nudges is a pure function of when
the step opened and the policy, so it is tested with worked examples here and the workflow helper
(`workflows.human_step`) only sleeps until each nudge.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.parties import PersonRef


class ReminderPolicy(BaseModel):
    """When to nudge: e.g. due in 14 days, remind after 5 days then every 2 (at most 5),
    escalate to the party's liaison when overdue and to the board 7 days after that."""

    model_config = ConfigDict(frozen=True)

    due_days: float = Field(default=14, gt=0, le=3650)
    first_reminder_days: float = Field(default=5, ge=0, le=3650)
    reminder_every_days: float = Field(default=2, gt=0, le=3650)
    max_reminders: int = Field(default=5, ge=0, le=50)
    escalate_to_liaison: bool = True
    escalate_board_after_days: float | None = Field(default=7, ge=0, le=3650)

    @model_validator(mode="after")
    def _order(self) -> ReminderPolicy:
        if self.first_reminder_days > self.due_days:
            raise ValueError("the first reminder must come before the due date")
        return self


class NudgeKind(StrEnum):
    REMINDER = "reminder"
    ESCALATE_LIAISON = "escalate_liaison"
    ESCALATE_BOARD = "escalate_board"


class Nudge(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime
    kind: NudgeKind
    number: int  # 1-based count within its kind


def nudge_schedule(opened_at: datetime, policy: ReminderPolicy) -> list[Nudge]:
    """Every reminder and escalation of a step, in time order.

    Reminders fall strictly before the due date; escalation to the liaison is at the due date,
    to the board `escalate_board_after_days` later.
    """
    due = opened_at + timedelta(days=policy.due_days)
    out: list[Nudge] = []
    at = opened_at + timedelta(days=policy.first_reminder_days)
    n = 0
    while n < policy.max_reminders and at < due:
        n += 1
        out.append(Nudge(at=at, kind=NudgeKind.REMINDER, number=n))
        at += timedelta(days=policy.reminder_every_days)
    if policy.escalate_to_liaison:
        out.append(Nudge(at=due, kind=NudgeKind.ESCALATE_LIAISON, number=1))
    if policy.escalate_board_after_days is not None:
        out.append(
            Nudge(at=due + timedelta(days=policy.escalate_board_after_days), kind=NudgeKind.ESCALATE_BOARD, number=1)
        )
    return out


class StepKind(StrEnum):
    REVIEW = "review"
    APPROVE = "approve"
    SIGN = "sign"
    RENEW = "renew"
    DECIDE = "decide"  # a department decides on courses
    ANSWER = "answer"  # a student or coordinator answers a question
    CONFIRM = "confirm"  # a registrar confirms grades
    AUTHORIZE = "authorize"  # a ministry authorizes
    SCREEN = "screen"  # a fund manager screens an application
    SCORE = "score"  # a panel reviewer scores an application
    VOTE = "vote"  # a board member votes on an award or an amendment
    REPORT = "report"  # a producer submits a report, or a fund manager reviews one
    RELEASE = "release"  # a country's liaison moves an awarded film toward its release


class OpenStep(BaseModel):
    """A step some person is awaited on, as the read model and the inbox show it."""

    step_id: str
    kind: StepKind
    label: str
    organisation_id: str | None = None
    country: str | None = None
    awaited: list[PersonRef]
    opened_at: datetime
    opened_seq: int = 0  # the item's event count when the step opened: tells reopenings apart
    due_at: datetime
    reminders_sent: int = 0
    escalation: int = 0  # 0 none, 1 liaison, 2 board
    version_hash: str | None = None
