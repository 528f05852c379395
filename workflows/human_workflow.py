"""Plumbing every lifecycle with people in it shares: events, open steps, nudges, mail, projection.

A lifecycle workflow keeps a state with `events`, `steps`, `projected_seq` and `revision`
(`HumanState`), says which steps its state awaits (`desired_steps`) and how its item looks on the
dashboard (`snapshot`); this base reconciles the open steps after every change, mails whoever is
newly awaited, runs the reminder and escalation timers (`StepWatchers`) and projects to the read
model. Kept outside the workflow classes so the grant workflows read the same way as the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.agreement_rules import Rejected
    from domain.human_steps import Nudge, NudgeKind, OpenStep, ReminderPolicy, StepKind
    from domain.parties import PersonRef
    from domain.readmodel import HumanState, ItemDocument, ItemSnapshot
    from workflows.human_step import StepWatchers
    from workflows.item_activities import (
        PATCH_PROJECT_FIRST,
        PATCH_SHOW_EARLY,
        MailBehind,
        new_event,
        newly_awaited,
        notify,
        project,
        step_key,
    )

__all__ = ["HumanState", "HumanWorkflow", "StepSpec"]

A = TypeVar("A", bound=BaseModel)
S = TypeVar("S")


class StepSpec(NamedTuple):
    """A step the state awaits: who, for what, and by when (`due_at` None: the policy's due days)."""

    step_id: str
    kind: StepKind
    label: str
    awaited: list[PersonRef]
    organisation_id: str | None = None
    country: str | None = None
    due_at: datetime | None = None


MAX_EVENTS_KEPT = 200  # older ones live in the read model and the history


class HumanWorkflow:
    """Mixin for lifecycle workflows; call `_init_human(state)` from `__init__`."""

    s: Any

    def _init_human(self) -> None:
        self.lock = asyncio.Lock()
        self.watchers = StepWatchers(self._on_nudge)
        self.policies: dict[str, ReminderPolicy] = {}
        self.mail = MailBehind()

    # ---- what a lifecycle provides

    def desired_steps(self) -> list[StepSpec]:
        raise NotImplementedError

    def reminder_policy(self) -> ReminderPolicy:
        return ReminderPolicy()

    def title(self) -> str:
        raise NotImplementedError

    def snapshot(self) -> ItemSnapshot:
        raise NotImplementedError

    def escalation(self, step: OpenStep) -> tuple[list[PersonRef], list[PersonRef]]:
        """Whom to tell when a step is overdue: first (a liaison), then (the board)."""
        return [], []

    # ---- checks

    def check(self, rule: Callable[[S, A], Any], action: A) -> Any:
        """Run a pure check; handlers run it again under the lock, since another action may have moved on."""
        try:
            return rule(self.s, action)
        except Rejected as e:
            raise ApplicationError(str(e), type="Rejected", non_retryable=True) from None

    # ---- events, steps, mail, projection

    def event(self, kind: str, actor: PersonRef | None, detail: str) -> None:
        self.s.event_count = max(self.s.event_count, len(self.s.events)) + 1
        self.s.events.append(new_event(self.s.event_count, kind, actor, detail))

    def sync_steps(self) -> None:
        now, policy = workflow.now(), self.reminder_policy()
        existing = {st.step_id: st for st in self.s.steps}
        steps: list[OpenStep] = []
        for spec in self.desired_steps():
            st = existing.get(spec.step_id)
            if st is None:
                st = OpenStep(step_id=spec.step_id, kind=spec.kind, label=spec.label, organisation_id=spec.organisation_id,
                              country=spec.country, awaited=spec.awaited, opened_at=now, opened_seq=self.s.event_count,
                              due_at=spec.due_at or now + timedelta(days=policy.due_days))  # fmt: skip
            else:
                st.awaited, st.label = spec.awaited, spec.label
            self.policies[spec.step_id] = policy
            steps.append(st)
        self.s.steps = steps
        self.watchers.sync(steps, self.policies)

    async def commit(self, message: str = "", documents: list[ItemDocument] | None = None) -> str:
        """After a change: reconcile steps, tell whoever is newly awaited, project."""
        self.s.revision += 1
        before = {st.step_id: {p.id for p in st.awaited} for st in self.s.steps}
        self.sync_steps()
        mails = newly_awaited(before, self.s.steps, self.title())
        if workflow.patched(PATCH_PROJECT_FIRST):
            await self.project(documents)
            await self.mail.send(mails)
        else:  # executions that committed before the patch: mail one by one, then project
            for m in mails:
                await notify(*m)
            await self.project(documents)
        return message

    async def _on_nudge(self, step: OpenStep, nudge: Nudge) -> None:
        async with self.lock:
            if not self.watchers.is_open(step.step_id):
                return
            waiting_on = ", ".join(p.name for p in step.awaited)
            first, last = self.escalation(step)
            if nudge.kind is NudgeKind.REMINDER:
                step.reminders_sent = nudge.number
                to, subject = step.awaited, f"Reminder {nudge.number}: {step.label} — {self.title()}"
                body = f"{step.label} is awaited from you by {step.due_at:%Y-%m-%d} (UTC)."
            elif nudge.kind is NudgeKind.ESCALATE_LIAISON:
                step.escalation = 1
                to, subject = first or last, f"Overdue: {step.label} — {self.title()}"
                body = f"{step.label} was due {step.due_at:%Y-%m-%d}; awaited from {waiting_on}."
            else:
                step.escalation = 2
                to, subject = last, f"Escalated to the board: {step.label} — {self.title()}"
                body = f"{step.label} is overdue since {step.due_at:%Y-%m-%d}; awaited from {waiting_on}."
            self.event(nudge.kind.value, None, f"{step.label}: {subject}")
            await notify(f"{step_key(step)}/{nudge.kind.value}/{nudge.number}", to, subject, body)
            await self.project()

    async def project(self, documents: list[ItemDocument] | None = None) -> None:
        s = self.s
        new = [e for e in s.events if e.seq > s.projected_seq]
        if new:
            s.projected_seq = new[-1].seq
        await project(self.snapshot(), s.steps, new, documents)
        del s.events[: max(0, len(s.events) - MAX_EVENTS_KEPT)]

    async def show_now(self) -> None:
        """Project what is recorded so far before slow work that follows (a ledger commitment, a
        letter to render), so the read model shows the decision while the rest is done. Only for
        executions past PATCH_SHOW_EARLY: older ones did not project here."""
        if workflow.patched(PATCH_SHOW_EARLY):
            await self.project()

    async def until_handlers_finished(self) -> None:
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self.lock.locked() and self.mail.sent())
