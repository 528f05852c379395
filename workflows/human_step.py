"""Waiting on a person: durable reminders and escalation for an open step.

Each lifecycle keeps its open steps in its own state and calls `StepWatchers.sync()` after every
change. A watcher is a workflow task that sleeps (a durable timer, never polling) until the next
nudge of the step's schedule, then hands the nudge to the lifecycle, which decides whom to tell.
Watchers survive continue-as-new: the schedule is a pure function of when the step opened, and a
nudge already counted on the step (`reminders_sent`, `escalation`) is not sent again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio import workflow

from domain.human_steps import Nudge, NudgeKind, OpenStep, ReminderPolicy, nudge_schedule

NudgeHandler = Callable[[OpenStep, Nudge], Awaitable[None]]


def already_sent(step: OpenStep, nudge: Nudge) -> bool:
    if nudge.kind is NudgeKind.REMINDER:
        return nudge.number <= step.reminders_sent
    level = 1 if nudge.kind is NudgeKind.ESCALATE_LIAISON else 2
    return level <= step.escalation


class StepWatchers:
    """One durable timer loop per open step, started and stopped as steps open and close."""

    def __init__(self, on_nudge: NudgeHandler) -> None:
        self._on_nudge = on_nudge
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._open: dict[str, OpenStep] = {}

    def sync(self, steps: list[OpenStep], policies: dict[str, ReminderPolicy]) -> None:
        """Watch exactly `steps`: start watchers for new ones, let closed ones finish."""
        self._open = {s.step_id: s for s in steps}
        for step in steps:
            task = self._tasks.get(step.step_id)
            if task is None or task.done():
                self._tasks[step.step_id] = asyncio.create_task(self._watch(step.step_id, policies[step.step_id]))
        for step_id in [k for k in self._tasks if k not in self._open]:
            del self._tasks[step_id]  # its loop sees the step closed and returns at its next wake-up

    def is_open(self, step_id: str) -> bool:
        return step_id in self._open

    async def _watch(self, step_id: str, policy: ReminderPolicy) -> None:
        opened = self._open[step_id]
        for nudge in nudge_schedule(opened.opened_at, policy):
            delay = (nudge.at - workflow.now()).total_seconds()
            if delay > 0:
                try:
                    await workflow.wait_condition(lambda: not self.is_open(step_id), timeout=timedelta(seconds=delay))
                except TimeoutError:
                    pass
            step = self._open.get(step_id)
            if step is None or step.opened_at != opened.opened_at:
                return
            if not already_sent(step, nudge):
                await self._on_nudge(step, nudge)
