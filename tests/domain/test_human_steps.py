"""Worked examples of the nudge schedule every human step follows."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from domain.human_steps import NudgeKind, ReminderPolicy, nudge_schedule

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def days(n):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    return T0 + timedelta(days=n)


def test_default_policy_after_5_days_then_every_2_at_most_5() -> None:
    plan = nudge_schedule(T0, ReminderPolicy())
    assert [(n.at, n.kind, n.number) for n in plan] == [
        (days(5), NudgeKind.REMINDER, 1),
        (days(7), NudgeKind.REMINDER, 2),
        (days(9), NudgeKind.REMINDER, 3),
        (days(11), NudgeKind.REMINDER, 4),
        (days(13), NudgeKind.REMINDER, 5),
        (days(14), NudgeKind.ESCALATE_LIAISON, 1),
        (days(21), NudgeKind.ESCALATE_BOARD, 1),
    ]


def test_reminders_stop_at_the_due_date_before_the_maximum() -> None:
    plan = nudge_schedule(T0, ReminderPolicy(due_days=10, first_reminder_days=3, reminder_every_days=3, max_reminders=5))
    assert [n.at for n in plan if n.kind is NudgeKind.REMINDER] == [days(3), days(6), days(9)]


def test_no_escalation_when_turned_off() -> None:
    plan = nudge_schedule(T0, ReminderPolicy(escalate_to_liaison=False, escalate_board_after_days=None, max_reminders=1))
    assert [n.kind for n in plan] == [NudgeKind.REMINDER]


def test_first_reminder_after_due_date_is_refused() -> None:
    with pytest.raises(ValidationError, match="before the due date"):
        ReminderPolicy(due_days=3, first_reminder_days=5)
