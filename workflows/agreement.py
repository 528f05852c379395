"""The agreement engine: one workflow per agreement, from first draft to expiry.

MOUs, grant agreements and licence deals all run here; only the template kind and the parties
differ. The workflow holds the truth (the `AgreementState`); every change is projected to the read
model by an idempotent activity before the update that caused it returns, so a page that reloads
after an action shows it.

Human actions arrive as updates. Each validator runs the pure check in `domain.agreement_rules`,
so an unauthorized, stale or invalid action is rejected with a readable message and leaves no
trace; the handler then changes the state, reconciles the open steps and projects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import activity_names as act
    from domain import agreement_rules as rules
    from domain.agreements import (
        MAX_COMMENTS_KEPT,
        TERMINAL_PHASES,
        AgreementKind,
        AgreementProjection,
        AgreementSpec,
        AgreementState,
        Approval,
        ApproveAction,
        Comment,
        CommentAction,
        ComposedVersion,
        ComposeRequest,
        DeclineAction,
        DelegateAction,
        Event,
        ExecutedDocument,
        ExecuteRequest,
        Phase,
        PhaseAction,
        RenewAction,
        ReviseAction,
        SignAction,
        Signature,
        TerminateAction,
        Version,
        VoidAction,
    )
    from domain.dates import add_months, start_of_day
    from domain.human_steps import Nudge, NudgeKind, OpenStep, ReminderPolicy, StepKind
    from domain.parties import PersonRef
    from domain.program_records import AgreementPhaseChanged
    from workflows.human_step import StepWatchers
    from workflows.item_activities import (
        ACTIVITY_TIMEOUT,
        PATCH_PROJECT_FIRST,
        RETRY,
        MailBehind,
        documents_queue,
        newly_awaited,
        notify,
        step_key,
    )

A = TypeVar("A", bound=BaseModel)

# Renders take seconds and heartbeat, so a dead worker is noticed within HEARTBEAT; records and
# mail are short, so their start-to-close timeout is what notices one.
RENDER_TIMEOUT = timedelta(minutes=10)
HEARTBEAT = timedelta(seconds=10)
# Changes made while agreements were running (see docs/evolving-workflows.md).
PATCH_FORWARD_PHASE = "forward-phase-to-programs"


class AgreementInput(BaseModel):
    spec: AgreementSpec
    resumed: AgreementState | None = None  # set when continuing as new


class ActionResult(BaseModel):
    phase: Phase
    version: int | None
    version_hash: str | None
    message: str


class AgreementOutcome(BaseModel):
    """What a parent workflow (grant, release) hears when its agreement changes for good."""

    agreement_id: str
    phase: Phase
    executed_pdf_sha256: str | None = None
    reason: str | None = None


@workflow.defn(name="Agreement")
class AgreementWorkflow:
    @workflow.init
    def __init__(self, inp: AgreementInput) -> None:
        self.s = inp.resumed or AgreementState(spec=inp.spec)
        self.lock = asyncio.Lock()
        self.watchers = StepWatchers(self._on_nudge)
        self.policies: dict[str, ReminderPolicy] = {}
        self.mail = MailBehind()

    # ------------------------------------------------------------------ main loop

    @workflow.run
    async def run(self, inp: AgreementInput) -> AgreementOutcome:
        if inp.resumed is None:
            self._event("created", self.s.spec.initiator, f"{self.s.spec.kind.value}: {self.s.spec.title}")
            async with self.lock:
                try:
                    await self._compose(self.s.spec.initiator, "Initial draft", {}, None)
                except ActivityError as e:  # e.g. a clause the library cannot fill: nothing to negotiate
                    self.s.phase = Phase.VOIDED
                    self.s.outcome_reason = f"The first version could not be prepared: {_cause(e)}"
                    self._event("voided", None, self.s.outcome_reason)
                else:
                    if self.s.spec.start_in_review:
                        self._open_review(self.s.spec.initiator)
                await self._commit()
        else:
            self._sync_steps()

        while self.s.phase not in TERMINAL_PHASES:
            if self._continue_as_new_suggested():
                # Only between handlers and nudges: the whole state, open steps included, moves on.
                await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self.lock.locked() and self.mail.sent())
                workflow.continue_as_new(AgreementInput(spec=self.s.spec, resumed=self.s))
            await self._step_phase()

        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and self.mail.sent())
        return self._outcome()

    @staticmethod
    def _continue_as_new_suggested() -> bool:
        return workflow.info().is_continue_as_new_suggested()

    async def _step_phase(self) -> None:
        """Wait in the current phase until a person moves it, its deadline comes, or history is long."""
        phase = self.s.phase
        if phase is Phase.EXECUTING:
            async with self.lock:
                await self._execute()
            return
        deadline = self._deadline()
        moved = lambda: self.s.phase is not phase or self._continue_as_new_suggested()
        if deadline is None:  # only people move these phases on
            await workflow.wait_condition(moved)
            return
        at, transition = deadline
        if await self._until(moved, at):
            async with self.lock:
                if self.s.phase is phase:
                    transition()
                    await self._commit()

    def _deadline(self) -> tuple[datetime, Callable[[], None]] | None:
        """When the current phase ends by itself, and what happens then."""
        s = self.s
        if s.phase is Phase.REVIEW and s.review_closes_at:
            return s.review_closes_at, self._review_window_ended
        if s.phase is Phase.PENDING and s.effective_date:
            return start_of_day(s.effective_date), self._enter_into_force
        if s.phase is Phase.ACTIVE and s.expiry_date:
            return start_of_day(s.expiry_date) - timedelta(days=s.spec.term.renewal_window_days), self._open_renewal
        if s.phase is Phase.RENEWAL and s.expiry_date:
            return start_of_day(s.expiry_date), self._expire
        if s.phase is Phase.SIGNING and self._renewing and s.expiry_date:
            return start_of_day(s.expiry_date), self._expire
        if s.phase is Phase.TERMINATING and s.ends_on:
            return start_of_day(s.ends_on), self._terminate_now
        return None

    @property
    def _renewing(self) -> bool:
        """Signing for a further term of an agreement already executed."""
        return self.s.executed_at is not None and self.s.phase is Phase.SIGNING

    def _review_window_ended(self) -> None:
        self._event("review_closed", None, f"Review round {self.s.review_round} window ended")
        self.s.phase = Phase.APPROVAL

    def _enter_into_force(self) -> None:
        self.s.phase = Phase.ACTIVE
        self._event("in_force", None, f"In force from {self.s.effective_date} to {self.s.expiry_date}")

    def _open_renewal(self) -> None:
        self.s.phase = Phase.RENEWAL
        self._event("renewal_window_opened", None, f"Term {self.s.term_number} expires {self.s.expiry_date}")

    def _expire(self) -> None:
        if self._renewing:  # the further term was not signed in time: the current one ends
            self.s.signatures = [x for x in self.s.signatures if x.term != self.s.term_number]
            self.s.term_number -= 1
            self.s.delegations = {}
            self._event("renewal_lapsed", None, "The renewal was not signed by every party before expiry")
        self.s.phase = Phase.EXPIRED
        self._event("expired", None, f"Term {self.s.term_number} ended {self.s.expiry_date} without renewal")

    def _terminate_now(self) -> None:
        self.s.phase = Phase.TERMINATED
        self._event("terminated", None, f"Termination took effect on {self.s.ends_on}")

    async def _until(self, changed: Callable[[], bool], at: datetime) -> bool:
        """Sleep until `at` unless `changed()` first; True when the time came."""
        delay = (at - workflow.now()).total_seconds()
        if delay > 0:
            try:
                await workflow.wait_condition(changed, timeout=timedelta(seconds=delay))
                return False
            except TimeoutError:
                pass
        return not changed()

    # ------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> AgreementState:
        return self.s

    # ------------------------------------------------------------------ updates

    def _validate(self, check: Callable[[AgreementState, A], Any], action: A) -> None:
        if not self.s.versions:
            raise ApplicationError("The first version is still being prepared; try again in a moment.", type="Rejected", non_retryable=True)
        try:
            check(self.s, action)
        except rules.Rejected as e:
            raise ApplicationError(str(e), type="Rejected", non_retryable=True) from None

    def _recheck(self, check: Callable[[AgreementState, A], Any], action: A) -> Any:
        """Re-run a check after waiting for the lock: another action may have moved on meanwhile."""
        try:
            return check(self.s, action)
        except rules.Rejected as e:
            raise ApplicationError(str(e), type="Rejected", non_retryable=True) from None

    @workflow.update
    async def comment(self, a: CommentAction) -> ActionResult:
        async with self.lock:
            person = self._recheck(rules.check_comment, a)
            party = next((p for p in self.s.spec.parties if person.id in {x.id for x in [*p.approvers, *p.signatories]}), None)
            self.s.comments.append(
                Comment(author_id=person.id, author_name=person.name, organisation_id=party.organisation_id if party else None,
                        version=self.s.current.number, clause_id=a.clause_id, text=a.text, at=workflow.now())  # type: ignore[union-attr]
            )
            del self.s.comments[:-MAX_COMMENTS_KEPT]  # older ones stay in the event history
            self._event("commented", person, (f"[{a.clause_id}] " if a.clause_id else "") + a.text[:500])
            return await self._commit("Comment recorded.")

    @comment.validator
    def _v_comment(self, a: CommentAction) -> None:
        self._validate(rules.check_comment, a)

    @workflow.update
    async def revise(self, a: ReviseAction) -> ActionResult:
        async with self.lock:
            person = self._recheck(rules.check_revise, a)
            overrides = {**self.s.clause_overrides, **a.clause_overrides}
            try:
                await self._compose(person, a.summary, overrides, a.variables)
            except ActivityError as e:
                raise ApplicationError(f"The revision could not be prepared: {_cause(e)}", type="Rejected", non_retryable=True) from None
            return await self._commit(f"Version {self.s.current.number} created; earlier approvals are void.")  # type: ignore[union-attr]

    @revise.validator
    def _v_revise(self, a: ReviseAction) -> None:
        self._validate(rules.check_revise, a)

    @workflow.update
    async def open_review(self, a: PhaseAction) -> ActionResult:
        async with self.lock:
            person = self._recheck(rules.check_open_review, a)
            self._open_review(person)
            return await self._commit(f"Review round {self.s.review_round} is open until {self.s.review_closes_at:%Y-%m-%d %H:%M} UTC.")

    @open_review.validator
    def _v_open_review(self, a: PhaseAction) -> None:
        self._validate(rules.check_open_review, a)

    @workflow.update
    async def close_review(self, a: PhaseAction) -> ActionResult:
        async with self.lock:
            person = self._recheck(rules.check_close_review, a)
            self._event("review_closed", person, f"Review round {self.s.review_round} closed early by the initiator")
            self.s.phase = Phase.APPROVAL
            return await self._commit("Review closed; internal approvals are now open.")

    @close_review.validator
    def _v_close_review(self, a: PhaseAction) -> None:
        self._validate(rules.check_close_review, a)

    @workflow.update
    async def approve(self, a: ApproveAction) -> ActionResult:
        async with self.lock:
            person, party = self._recheck(rules.check_approve, a)
            self.s.approvals.append(
                Approval(organisation_id=party.organisation_id, person_id=person.id, person_name=person.name,
                         version_hash=a.version_hash, at=workflow.now())
            )
            self._event("approved", person, f"{party.name()} approved version {self.s.current.number}", a.version_hash)  # type: ignore[union-attr]
            if all(rules.party_approved(self.s, p) for p in self.s.spec.parties):
                self.s.phase = Phase.SIGNING
                self._event("approvals_complete", None, "Every party approved; signing is open", a.version_hash)
            return await self._commit(f"Approval of version {self.s.current.number} recorded.")  # type: ignore[union-attr]

    @approve.validator
    def _v_approve(self, a: ApproveAction) -> None:
        self._validate(rules.check_approve, a)

    @workflow.update
    async def sign(self, a: SignAction) -> ActionResult:
        async with self.lock:
            person, party = self._recheck(rules.check_sign, a)
            self.s.signatures.append(
                Signature(organisation_id=party.organisation_id, signer_id=person.id, signer_name=person.name,
                          title=person.title, version_hash=a.version_hash, at=workflow.now(), term=self.s.term_number)
            )
            self._event("signed", person, f"Signed for {party.name()}" + (f" as {person.title}" if person.title else ""), a.version_hash)
            if not rules.open_signing_parties(self.s):
                self.s.phase = Phase.EXECUTING
                self._event("signatures_complete", None, "Every party has signed", a.version_hash)
            return await self._commit("Signature recorded.")

    @sign.validator
    def _v_sign(self, a: SignAction) -> None:
        self._validate(rules.check_sign, a)

    @workflow.update
    async def decline(self, a: DeclineAction) -> ActionResult:
        async with self.lock:
            person, party = self._recheck(rules.check_decline, a)
            self._event("declined", person, f"{party.name()} declined to sign: {a.reason}", a.version_hash)
            self.s.signatures = [s for s in self.s.signatures if s.term != self.s.term_number]
            self.s.delegations = {}
            if self._renewing:  # the renewal is off; the current term runs on to its expiry
                self.s.term_number -= 1
                self.s.phase = Phase.RENEWAL
                return await self._commit("Declined; the renewal is cancelled and the current term runs to its expiry.")
            self.s.approvals = []
            self._open_review(person)
            return await self._commit("Declined; the agreement is back in review.")

    @decline.validator
    def _v_decline(self, a: DeclineAction) -> None:
        self._validate(rules.check_decline, a)

    @workflow.update
    async def delegate(self, a: DelegateAction) -> ActionResult:
        async with self.lock:
            person, party, target = self._recheck(rules.check_delegate, a)
            self.s.delegations[party.organisation_id] = target.id
            self._event("delegated", person, f"Signing for {party.name()} delegated to {target.name}: {a.reason}")
            return await self._commit(f"{target.name} now signs for {party.name()}.")

    @delegate.validator
    def _v_delegate(self, a: DelegateAction) -> None:
        self._validate(rules.check_delegate, a)

    @workflow.update
    async def void(self, a: VoidAction) -> ActionResult:
        async with self.lock:
            person = self._recheck(rules.check_void, a)
            self.s.phase = Phase.VOIDED
            self.s.outcome_reason = a.reason
            self._event("voided", person, a.reason)
            return await self._commit("The agreement is void.")

    @void.validator
    def _v_void(self, a: VoidAction) -> None:
        self._validate(rules.check_void, a)

    @workflow.update
    async def renew(self, a: RenewAction) -> ActionResult:
        async with self.lock:
            person = self._recheck(rules.check_renew, a)
            self.s.term_number += 1
            self.s.renewal_term_months = a.term_months
            self.s.phase = Phase.SIGNING
            self._event("renewal_started", person, f"Renewal for term {self.s.term_number}; every party signs again")
            return await self._commit("Renewal started: signatures are requested for the new term.")

    @renew.validator
    def _v_renew(self, a: RenewAction) -> None:
        self._validate(rules.check_renew, a)

    @workflow.update
    async def terminate(self, a: TerminateAction) -> ActionResult:
        async with self.lock:
            person = self._recheck(rules.check_terminate, a)
            notice = self.s.spec.term.termination_notice_days
            ends = workflow.now().date() + timedelta(days=notice)
            if self.s.expiry_date and self.s.expiry_date < ends:
                ends = self.s.expiry_date  # the term ends first; notice cannot extend it
            self.s.ends_on = ends
            self.s.outcome_reason = a.reason
            self.s.phase = Phase.TERMINATING if ends > workflow.now().date() else Phase.TERMINATED
            self._event("termination_notice", person, f"Notice given ({a.reason}); effective {self.s.ends_on}")
            return await self._commit(f"Notice recorded; the agreement ends on {self.s.ends_on}.")

    @terminate.validator
    def _v_terminate(self, a: TerminateAction) -> None:
        self._validate(rules.check_terminate, a)

    # ------------------------------------------------------------------ transitions and effects

    def _open_review(self, by: PersonRef) -> None:
        self.s.review_round += 1
        self.s.review_closes_at = workflow.now() + timedelta(days=self.s.spec.review_days)
        self.s.phase = Phase.REVIEW
        self._event("review_opened", by, f"Review round {self.s.review_round} until {self.s.review_closes_at:%Y-%m-%d %H:%M} UTC")

    async def _compose(self, author: PersonRef, summary: str, overrides: dict[str, dict[str, str]], variables: dict[str, Any] | None) -> None:
        spec = self.s.spec
        if variables is not None:
            spec = spec.model_copy(update={"variables": {**spec.variables, **variables}})
            spec = AgreementSpec.model_validate(spec.model_dump())  # revalidates the kind's variables
        number = len(self.s.versions) + 1
        now = workflow.now()
        composed = await workflow.execute_activity(
            act.COMPOSE_AGREEMENT_VERSION,
            ComposeRequest(agreement_id=spec.id, kind=spec.kind, title=spec.title, languages=spec.languages,
                           variables=spec.variables, parties=spec.parties, clause_overrides=overrides, version=number,
                           author_name=author.name, summary=summary, created_at=now),
            result_type=ComposedVersion, start_to_close_timeout=RENDER_TIMEOUT, heartbeat_timeout=HEARTBEAT, task_queue=documents_queue(), retry_policy=RETRY,
        )
        previous = self.s.current_hash
        if composed.text_sha256 == previous:
            raise ApplicationError("The revision leaves the text exactly as it is; nothing was changed.",
                                   type="Rejected", non_retryable=True)
        self.s.spec = spec
        self.s.clause_overrides = overrides
        self.s.versions.append(
            Version(number=number, author_id=author.id, author_name=author.name, summary=summary, created_at=now,
                    text_sha256=composed.text_sha256, pdf_sha256=composed.pdf_sha256, pages=composed.pages)
        )
        detail = f"Version {number}: {summary}"
        if self.s.approvals:  # approvals name the text they approved; a new text needs new ones
            detail += " (earlier approvals void)"
            self.s.approvals = []
        self._event("version_created", author, detail, composed.text_sha256, composed.pdf_sha256)

    async def _execute(self) -> None:
        s = self.s
        now = workflow.now()
        if s.executed_at is None:
            effective = s.spec.term.effective_date or now.date()
            months = s.spec.term.term_months
        else:
            effective = s.expiry_date or now.date()
            months = s.renewal_term_months or s.spec.term.term_months
        expiry = add_months(effective, months)
        doc = await workflow.execute_activity(
            act.RENDER_EXECUTED_AGREEMENT,
            ExecuteRequest(agreement_id=s.spec.id, title=s.spec.title, kind=s.spec.kind, languages=s.spec.languages,
                           parties=s.spec.parties, version=s.current, signatures=[x for x in s.signatures if x.term == s.term_number],  # type: ignore[arg-type]
                           approvals=[x for x in s.approvals if x.version_hash == s.current_hash], events=s.events,
                           executed_at=now, effective_date=effective, expiry_date=expiry, term=s.term_number),
            result_type=ExecutedDocument, start_to_close_timeout=RENDER_TIMEOUT, heartbeat_timeout=HEARTBEAT, task_queue=documents_queue(), retry_policy=RETRY,
        )
        s.executed_at, s.effective_date, s.expiry_date = now, effective, expiry
        s.executed_pdf_sha256 = doc.pdf_sha256
        # A first term that starts later waits in PENDING; a renewed term follows on from the current one.
        s.phase = Phase.PENDING if s.term_number == 1 and effective > now.date() else Phase.ACTIVE
        self._event("executed", None, f"Term {s.term_number} from {effective} to {expiry}", s.current_hash, doc.pdf_sha256)
        everyone = {p.id: p for party in s.spec.parties for p in [*party.signatories, *party.approvers]}
        await self._notify(f"executed-t{s.term_number}", list(everyone.values()), f"Executed: {s.spec.title}",
                           f"“{s.spec.title}” has been signed by every party and is in force from {effective} to {expiry}.")
        await self._tell_parent()
        await self._commit()

    # ------------------------------------------------------------------ open steps and nudges

    def _desired_steps(self) -> list[tuple[str, StepKind, str, Any, list[PersonRef], ReminderPolicy, Any]]:
        """(id, kind, label, party, awaited, policy, due override) of every step open in this state."""
        s, policy = self.s, self.s.spec.reminders
        cur = s.current
        out: list[tuple[str, StepKind, str, Any, list[PersonRef], ReminderPolicy, Any]] = []
        if s.phase is Phase.REVIEW and cur:
            days = s.spec.review_days
            review_policy = ReminderPolicy(due_days=days, first_reminder_days=max(days / 2, days - 2), reminder_every_days=days,
                                           max_reminders=1, escalate_to_liaison=False, escalate_board_after_days=None)
            awaited = list({p.id: p for party in s.spec.parties for p in party.approvers}.values())
            out.append((f"review-r{s.review_round}", StepKind.REVIEW, f"Review version {cur.number}", None, awaited, review_policy, s.review_closes_at))
        elif s.phase is Phase.APPROVAL and cur:
            for party in s.spec.parties:
                if not rules.party_approved(s, party):
                    done = set(rules.approvals_of(s, party))
                    awaited = [p for p in party.approvers if p.id not in done]
                    out.append((f"approve-{party.organisation_id}-v{cur.number}", StepKind.APPROVE,
                                f"Approve version {cur.number} for {party.name()}", party, awaited, policy, None))
        elif s.phase is Phase.SIGNING and cur:
            for party in rules.open_signing_parties(s):
                out.append((f"sign-{party.organisation_id}-t{s.term_number}-v{cur.number}", StepKind.SIGN,
                            f"Sign version {cur.number} for {party.name()}", party, [rules.signer_for(s, party)], policy, None))
        elif s.phase is Phase.RENEWAL and s.expiry_date:
            window = s.spec.term.renewal_window_days
            every = s.spec.term.renewal_reminder_every_days
            renew_policy = ReminderPolicy(due_days=window, first_reminder_days=every if every < window else window / 2,
                                          reminder_every_days=every,
                                          max_reminders=50, escalate_to_liaison=False, escalate_board_after_days=None)
            out.append((f"renew-t{s.term_number}", StepKind.RENEW, f"Renew or let expire on {s.expiry_date}", None,
                        [s.spec.initiator], renew_policy, start_of_day(s.expiry_date)))
        return out

    def _sync_steps(self) -> None:
        """Make `state.steps` match the phase: close what is done, open what is now awaited."""
        now = workflow.now()
        existing = {st.step_id: st for st in self.s.steps}
        steps: list[OpenStep] = []
        for step_id, kind, label, party, awaited, policy, due in self._desired_steps():
            st = existing.get(step_id)
            if st is None:
                st = OpenStep(step_id=step_id, kind=kind, label=label, organisation_id=party.organisation_id if party else None,
                              country=party.country if party else None, awaited=awaited, opened_at=now,
                              opened_seq=len(self.s.events),
                              due_at=due or now + timedelta(days=policy.due_days), version_hash=self.s.current_hash)
            else:
                st.awaited, st.label = awaited, label
            self.policies[step_id] = policy
            steps.append(st)
        self.s.steps = steps
        self.watchers.sync(steps, self.policies)

    async def _on_nudge(self, step: OpenStep, nudge: Nudge) -> None:
        async with self.lock:
            if not self.watchers.is_open(step.step_id):
                return
            party = self.s.spec.party(step.organisation_id) if step.organisation_id else None
            title = self.s.spec.title
            if nudge.kind is NudgeKind.REMINDER:
                step.reminders_sent = nudge.number
                to, subject = step.awaited, f"Reminder {nudge.number}: {step.label} — {title}"
                body = f"{step.label} is awaited from you by {step.due_at:%Y-%m-%d} (UTC)."
            elif nudge.kind is NudgeKind.ESCALATE_LIAISON:
                step.escalation = 1
                to = [party.liaison] if party and party.liaison else list(self.s.spec.board)
                subject = f"Overdue: {step.label} — {title}"
                body = f"{step.label} was due {step.due_at:%Y-%m-%d}; awaited from {', '.join(p.name for p in step.awaited)}."
            else:
                step.escalation = 2
                to, subject = list(self.s.spec.board), f"Escalated to the board: {step.label} — {title}"
                body = f"{step.label} is overdue since {step.due_at:%Y-%m-%d}; awaited from {', '.join(p.name for p in step.awaited)}."
            self._event(nudge.kind.value, None, f"{step.label}: {subject}")
            await self._notify(f"{step_key(step)}/{nudge.kind.value}/{nudge.number}", to, subject, body)
            await self._project()

    # ------------------------------------------------------------------ plumbing

    def _event(self, kind: str, actor: PersonRef | None, detail: str, version_hash: str | None = None, document: str | None = None) -> None:
        self.s.events.append(
            Event(seq=len(self.s.events) + 1, at=workflow.now(), kind=kind,
                  actor_id=actor.id if actor else None, actor_name=actor.name if actor else None,
                  detail=detail, version_hash=version_hash, document_sha256=document)
        )

    async def _commit(self, message: str = "") -> ActionResult:
        """After a change: reconcile steps, tell whoever is newly awaited, project."""
        before = {st.step_id: {p.id for p in st.awaited} for st in self.s.steps}
        self._sync_steps()
        mails = newly_awaited(before, self.s.steps, self.s.spec.title)  # a delegate: someone new on an open step
        if workflow.patched(PATCH_PROJECT_FIRST):
            await self._project()
            await self.mail.send(mails)
            if self.s.phase in TERMINAL_PHASES:
                await self._tell_parent()
        else:  # executions that committed before the patch: mail one by one, tell the parent, then project
            for m in mails:
                await self._notify(*m)
            if self.s.phase in TERMINAL_PHASES:
                await self._tell_parent()
            await self._project()
        await self._forward_phase()  # after the projection: a record enrolled meanwhile reads the new phase
        cur = self.s.current
        return ActionResult(phase=self.s.phase, version=cur.number if cur else None, version_hash=self.s.current_hash, message=message)

    async def _forward_phase(self) -> None:
        """Once a university partnership is executed, every change of its phase goes to the joint
        programs resting on it: their student records enrol and take requests only while it is active."""
        s = self.s
        if s.spec.kind is not AgreementKind.UNIVERSITY_PARTNERSHIP or s.executed_at is None or s.forwarded_phase is s.phase:
            return
        if not workflow.patched(PATCH_FORWARD_PHASE):
            return
        phase = s.phase
        await workflow.execute_activity(
            act.FORWARD_AGREEMENT_PHASE, AgreementPhaseChanged(agreement_workflow_id=workflow.info().workflow_id, phase=phase),
            start_to_close_timeout=ACTIVITY_TIMEOUT, heartbeat_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY,
        )  # fmt: skip
        s.forwarded_phase = phase

    async def _project(self) -> None:
        new = [e for e in self.s.events if e.seq > self.s.projected_seq]
        if new:
            self.s.projected_seq = new[-1].seq
        snapshot = self.s.model_copy(update={"events": []})
        await workflow.execute_activity(
            act.PROJECT_AGREEMENT,
            AgreementProjection(workflow_id=workflow.info().workflow_id, state=snapshot, new_events=new),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY,
        )

    async def _notify(self, key: str, to: list[PersonRef], subject: str, body: str) -> None:
        await notify(key, to, subject, body)

    def _outcome(self) -> AgreementOutcome:
        return AgreementOutcome(agreement_id=self.s.spec.id, phase=self.s.phase,
                                executed_pdf_sha256=self.s.executed_pdf_sha256, reason=self.s.outcome_reason)

    async def _tell_parent(self) -> None:
        """Signal the grant or release that started this agreement. A parent that has gone away
        must not take the agreement down with it: the failure is recorded and life goes on."""
        if not self.s.spec.parent_workflow_id:
            return
        handle = workflow.get_external_workflow_handle(self.s.spec.parent_workflow_id)
        try:
            await handle.signal("agreement_changed", self._outcome())
        except Exception as e:  # noqa: BLE001 - any signal failure is recorded, never raised
            self._event("parent_not_notified", None, f"{self.s.spec.parent_workflow_id}: {e}")


def _cause(e: BaseException) -> str:
    """The innermost failure's message, for a person to read."""
    while e.__cause__ is not None:
        e = e.__cause__
    return getattr(e, "message", None) or str(e)
