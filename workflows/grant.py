"""An awarded grant, from the grant agreement to closeout: one workflow per award.

The grant agreement is generated from the award and signed through the agreement engine, as a
child workflow; no money moves before it is executed. Then the tranches follow the call's
schedule: each is released in the fund's ledger (which refuses anything beyond the award) and a
payment instruction is issued once per tranche, whatever the retries or crashes. Reports have
due dates with reminders and escalation; amendments go to the board; a cancellation frees what
was not paid and may claw money back; the grant closes when every tranche is settled and the
final report approved.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from domain.agreement_rules import Rejected
    from domain.agreements import TERMINAL_PHASES, AgreementKind, AgreementSpec, Phase, TermSpec
    from domain.grants import activity_names as gact
    from domain.grants import grant_state as rules
    from domain.grants.applications import Application
    from domain.grants.board import Decision, Outcome
    from domain.grants.funds import Fund, GrantCall
    from domain.grants.grant_state import Amendment, GrantState
    from domain.grants.money import format_money
    from domain.grants.process import (
        GRANT_CLOSED,
        AgreementParties,
        AmendmentVoteAction,
        CancelGrantAction,
        CloseVoteAction,
        GrantPeople,
        GrantResult,
        GrantStage,
        LedgerOp,
        LedgerReply,
        LedgerRequest,
        PaymentRecord,
        PaymentRequest,
        ProposeAmendmentAction,
        ReviewReportAction,
        SubmitReportAction,
        VoidAgreementRequest,
    )
    from domain.grants.tranches import (
        Tranche,
        amend_amount,
        approve_report,
        cancel_open,
        check_payment,
        record_payment,
        reschedule,
        return_report,
        schedule,
        submit_report,
    )
    from domain.human_steps import OpenStep, ReminderPolicy, StepKind
    from domain.parties import PersonRef
    from domain.readmodel import ItemDocument, ItemParty, ItemSnapshot
    from workflows.agreement import AgreementInput, AgreementOutcome, AgreementWorkflow, _cause
    from workflows.human_workflow import HumanWorkflow, StepSpec
    from workflows.item_activities import ACTIVITY_TIMEOUT, RETRY, documents_queue, notify

PAYMENT_TIMEOUT = timedelta(minutes=5)
# A payment that keeps failing for a day is held for a person instead of blocking the grant's other actions.
PAYMENT_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5),
                            maximum_attempts=300)  # fmt: skip


class GrantInput(BaseModel):
    fund: Fund
    call: GrantCall
    application: Application
    people: GrantPeople
    parties: AgreementParties
    amount: Decimal
    decision: Decision
    resumed: GrantState | None = None


def grant_workflow_id(application_id: str) -> str:
    return f"grant-{application_id}"


def agreement_id_for(application_id: str) -> str:
    return f"grant-{application_id}"


def start_of(day: object) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)  # type: ignore[arg-type]


@workflow.defn(name="Grant")
class GrantWorkflow(HumanWorkflow):
    @workflow.init
    def __init__(self, inp: GrantInput) -> None:
        self.s: GrantState = inp.resumed or GrantState(
            fund=inp.fund, call=inp.call, application=inp.application, people=inp.people, parties=inp.parties,
            amount=inp.amount, decision=inp.decision,
        )  # fmt: skip
        self._init_human()
        self.paying = False

    @workflow.run
    async def run(self, inp: GrantInput) -> GrantStage:
        if inp.resumed is None:
            async with self.lock:
                await self._start_agreement()
        else:
            self.sync_steps()
        while self.s.stage not in GRANT_CLOSED:
            if workflow.info().is_continue_as_new_suggested():
                await self.until_handlers_finished()
                workflow.continue_as_new(GrantInput(fund=self.s.fund, call=self.s.call, application=self.s.application,
                                                    people=self.s.people, parties=self.s.parties, amount=self.s.amount,
                                                    decision=self.s.decision, resumed=self.s))  # fmt: skip
            await workflow.wait_condition(
                lambda: bool(self.s.payable()) or self.s.stage in GRANT_CLOSED or workflow.info().is_continue_as_new_suggested()
            )
            if self.s.payable():
                async with self.lock:
                    await self._pay_next()
        await self.until_handlers_finished()
        return self.s.stage

    @workflow.query
    def state(self) -> GrantState:
        return self.s

    # ------------------------------------------------------------------ the agreement

    async def _start_agreement(self) -> None:
        s = self.s
        s.created_at = workflow.now()
        a = s.application
        spec = AgreementSpec(
            id=agreement_id_for(a.id), kind=AgreementKind.GRANT, title=f"Grant agreement — {a.project.title}"[:300],
            languages=["en"], initiator=s.parties.initiator, parties=[s.parties.fund_party, s.parties.grantee_party],
            variables={"project_title": a.project.title[:300], "amount": str(s.amount), "currency": s.fund.currency,
                       "fund_name": s.fund.name()[:200], "grant_ref": a.id[:100],
                       "tranches": [f"{t.percent}% {t.label}" for t in s.call.tranche_schedule]},
            review_days=7, term=TermSpec(term_months=36), board=list(s.people.board),
            parent_workflow_id=workflow.info().workflow_id,
        )  # fmt: skip
        s.agreement_workflow_id = f"agreement-{spec.id}"
        await workflow.start_child_workflow(
            AgreementWorkflow.run, AgreementInput(spec=spec), id=s.agreement_workflow_id,
            parent_close_policy=ParentClosePolicy.ABANDON,
        )  # fmt: skip
        self.event("agreement_started", None, f"Grant agreement {spec.id} sent for review and signature")
        await self.commit()

    @workflow.signal
    async def agreement_changed(self, outcome: AgreementOutcome) -> None:
        """From the grant agreement: executed (tranches begin) or ended (the award is cancelled)."""
        async with self.lock:
            s = self.s
            if s.agreement_phase is outcome.phase:
                return
            s.agreement_phase = outcome.phase
            if outcome.phase in (Phase.ACTIVE, Phase.PENDING) and s.stage is GrantStage.AGREEMENT:
                s.signed_on = workflow.now().date()
                s.executed_pdf_sha256 = outcome.executed_pdf_sha256
                s.tranches = schedule(s.amount, s.call.tranche_schedule, s.signed_on)
                s.stage = GrantStage.ACTIVE
                self.event("agreement_executed", None, f"Grant agreement executed on {s.signed_on}; "
                           + ", ".join(f"{t.label} {format_money(t.amount, s.fund.currency)}" for t in s.tranches))  # fmt: skip
                await self.commit()
            elif outcome.phase in TERMINAL_PHASES and s.stage is GrantStage.AGREEMENT:
                reason = outcome.reason or f"the grant agreement was {outcome.phase.value}"
                await self._cancel(None, f"The grant agreement ended before it was executed: {reason}", Decimal(0))
            else:
                self.event("agreement_phase", None, f"Grant agreement: {outcome.phase.value}")
                await self.commit()

    # ------------------------------------------------------------------ money

    async def _ledger(self, op: LedgerOp, amount: Decimal, key: str, **kw: object) -> LedgerReply:
        s = self.s
        return await workflow.execute_activity(
            gact.LEDGER_OPERATION,
            LedgerRequest(fund_id=s.fund.id, op=op, award_id=s.award_id, amount=amount,
                          request_key=f"{workflow.info().workflow_id}/{key}", **kw),  # type: ignore[arg-type]
            result_type=LedgerReply, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY,
        )  # fmt: skip

    async def _pay_next(self) -> None:
        """Release the next payable tranche in the ledger, then issue its payment instruction (once)."""
        s = self.s
        payable = s.payable()
        if not payable:
            return
        t = payable[0]
        try:
            check_payment(s.tranches, t.id)
        except Rejected as e:  # cannot happen with payable(); held rather than a workflow that fails
            await self._hold(t.id, str(e))
            return
        reply = await self._ledger(LedgerOp.RELEASE, t.amount, f"release/{t.id}", tranche_id=t.id)
        if not reply.applied:  # held until an amendment or a cancellation resolves it
            await self._hold(t.id, f"{t.label}: {reply.message}")
            return
        approver = next((m for m in s.people.fund_managers if m.id == t.report_approved_by), None)
        try:
            record = await self._issue_payment(t, approver)
        except ActivityError as e:  # e.g. the key was used for another payment: a person must look
            await self._hold(t.id, f"{t.label}: released in the ledger, but the payment instruction could not be issued"
                             f" ({_cause(e)}); resolve it with the treasury before paying by hand.")  # fmt: skip
            return
        s.payments.append(record)
        s.tranches = record_payment(s.tranches, t.id, workflow.now().date(), record.reference)
        self.event("tranche_paid", None, f"{t.label}: {format_money(t.amount, s.fund.currency)}, instruction {record.reference}")
        await notify(f"paid/{t.id}", [s.application.contact, *s.people.fund_managers], f"Payment {record.reference} — {self.title()}",
                     f"{t.label}: {format_money(t.amount, s.fund.currency)} is instructed for payment to {s.application.lead.name}.")  # fmt: skip
        self._maybe_closeout()
        doc = ItemDocument(sha256=record.pdf_sha256, kind="payment_instruction", label=f"Payment instruction {record.reference}",
                           pages=record.pages, created_at=record.issued_at)  # fmt: skip
        s.documents.append(doc)
        await self.commit(documents=[doc])

    async def _issue_payment(self, t: Tranche, approver: PersonRef | None) -> PaymentRecord:
        s = self.s
        return await workflow.execute_activity(
            gact.ISSUE_PAYMENT,
            PaymentRequest(key=f"{workflow.info().workflow_id}/{t.id}", fund=s.fund, call_id=s.call.id, application_id=s.application.id,
                           award_id=s.award_id, project_title=s.application.project.title, tranche=t, payee=s.application.lead,
                           approved_by=approver, issued_at=workflow.now()),
            result_type=PaymentRecord, start_to_close_timeout=PAYMENT_TIMEOUT, heartbeat_timeout=timedelta(seconds=30),
            task_queue=documents_queue(), retry_policy=PAYMENT_RETRY,
        )  # fmt: skip

    async def _hold(self, tranche_id: str, why: str) -> None:
        s = self.s
        s.held.append(tranche_id)
        self.event("payment_held", None, why)
        await notify(f"held/{tranche_id}/{s.event_count}", list(s.people.fund_managers), f"Payment held — {self.title()}", why)
        await self.commit()

    def _maybe_closeout(self) -> None:
        s = self.s
        if s.stage is GrantStage.ACTIVE and all(t.settled for t in s.tranches):
            s.stage = GrantStage.CLOSEOUT
            self.event("closeout", None, "Every tranche is settled; the final report closes the grant")
        if s.stage is GrantStage.CLOSEOUT and not rules.closeout_missing(s):
            s.stage, s.closed_at = GrantStage.CLOSED, workflow.now()
            self.event("closed", None, f"Closed: {format_money(s.amount, s.fund.currency)} paid and the final report approved")

    async def _cancel(self, person: PersonRef | None, reason: str, clawback: Decimal) -> str:
        s = self.s
        reply = await self._ledger(LedgerOp.CANCEL, Decimal(0), "cancel", reason=reason)
        if not reply.applied:
            raise ApplicationError(reply.message, type="Rejected", non_retryable=True)
        if clawback > 0:
            back = await self._ledger(LedgerOp.CLAWBACK, clawback, "clawback", reason=reason, reference=f"{s.award_id}/clawback")
            if back.applied:
                s.clawed_back += clawback
            else:
                clawback = Decimal(0)
                self.event("clawback_refused", person, back.message)
        if s.agreement_workflow_id and s.stage is GrantStage.AGREEMENT and s.agreement_phase not in TERMINAL_PHASES:
            await workflow.execute_activity(
                gact.VOID_AGREEMENT, VoidAgreementRequest(workflow_id=s.agreement_workflow_id, actor_id=s.parties.initiator.id,
                                                          reason=f"The grant was cancelled: {reason}"[:2000]),
                start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY,
            )  # fmt: skip
        s.tranches, freed = cancel_open(s.tranches, workflow.now().date())
        s.cancel_reason, s.stage, s.closed_at = reason, GrantStage.CANCELLED, workflow.now()
        self.event("cancelled", person, reason + (f"; {format_money(clawback, s.fund.currency)} clawed back" if clawback else ""))
        await notify("cancelled", [s.application.contact, *s.people.fund_managers, *s.people.board], f"Grant cancelled — {self.title()}",
                     f"The grant is cancelled: {reason}. {format_money(freed, s.fund.currency)} not yet paid returns to the fund.")  # fmt: skip
        await self.commit()
        return "The grant is cancelled; the money not yet paid returns to the fund."

    # ------------------------------------------------------------------ updates

    @workflow.update
    async def submit_report(self, a: SubmitReportAction) -> GrantResult:
        async with self.lock:
            person, tranche = self.check(rules.check_submit_report, a)
            s = self.s
            today = workflow.now().date()
            if tranche is None:
                s.final_report = s.final_report.model_copy(update={"submitted_on": today, "reference": a.reference,
                                                                   "summary": a.summary, "returned_reason": None})  # fmt: skip
                what = "final report"
            else:
                new = submit_report(tranche, tranche.report_kind, today, a.reference)  # type: ignore[arg-type]
                s.tranches = [new if t.id == new.id else t for t in s.tranches]
                what = tranche.report_name
            self.event("report_submitted", person, f"{what}: {a.reference}" + (f" — {a.summary}" if a.summary else ""))
            return self._result(await self.commit(f"The {what} is submitted; the fund manager reviews it."))

    @submit_report.validator
    def _v_submit_report(self, a: SubmitReportAction) -> None:
        self.check(rules.check_submit_report, a)

    @workflow.update
    async def review_report(self, a: ReviewReportAction) -> GrantResult:
        async with self.lock:
            person, tranche = self.check(rules.check_review_report, a)
            s = self.s
            today = workflow.now().date()
            if tranche is None:
                update = {"approved_on": today, "approved_by": person.id} if a.approve else {"returned_reason": a.reason, "submitted_on": None}
                s.final_report = s.final_report.model_copy(update=update)
                what = "final report"
            else:
                new = approve_report(tranche, today, person.id) if a.approve else return_report(tranche, a.reason)
                s.tranches = [new if t.id == new.id else t for t in s.tranches]
                what = tranche.report_name
            verdict = "approved" if a.approve else "returned"
            self.event(f"report_{verdict}", person, what + (f": {a.reason}" if a.reason else ""))
            if not a.approve:
                await notify(f"report-returned/{a.tranche_id}/{s.event_count}", [s.application.contact], f"Report returned — {self.title()}",
                             f"The {what} was returned: {a.reason}")  # fmt: skip
            self._maybe_closeout()
            message = f"The {what} is {verdict}." + (" The tranche is paid next." if a.approve and tranche is not None else "")
            return self._result(await self.commit(message))

    @review_report.validator
    def _v_review_report(self, a: ReviewReportAction) -> None:
        self.check(rules.check_review_report, a)

    @workflow.update
    async def propose_amendment(self, a: ProposeAmendmentAction) -> GrantResult:
        async with self.lock:
            person = self.check(rules.check_propose_amendment, a)
            s = self.s
            new_amount = a.new_amount if a.new_amount is not None else s.amount
            s.amendments.append(Amendment(number=len(s.amendments) + 1, proposed_by=person, new_amount=new_amount,
                                          due_dates=a.due_dates, reason=a.reason, proposed_at=workflow.now()))  # fmt: skip
            dates = "; ".join(f"{tid} due {d}" for tid, d in sorted(a.due_dates.items()))
            self.event("amendment_proposed", person, f"{format_money(s.amount, s.fund.currency)} → {format_money(new_amount, s.fund.currency)}"
                       + (f"; {dates}" if dates else "") + f": {a.reason}")  # fmt: skip
            return self._result(await self.commit("The amendment is before the board."))

    @propose_amendment.validator
    def _v_propose_amendment(self, a: ProposeAmendmentAction) -> None:
        self.check(rules.check_propose_amendment, a)

    @workflow.update
    async def vote_amendment(self, a: AmendmentVoteAction) -> GrantResult:
        async with self.lock:
            strict = workflow.patched("amendments-only-while-active")
            person, amendment, vote = self.check(partial(rules.check_amendment_vote, strict=strict), a)
            amendment.votes.append(vote)
            self.event("amendment_voted", person, vote.choice.value)
            if len(amendment.votes) == len(self.s.people.board):
                return self._result(await self._decide_amendment(amendment, rules.amendment_decision(self.s, amendment)))
            return self._result(await self.commit(f"Vote recorded ({len(amendment.votes)} of {len(self.s.people.board)} members)."))

    @vote_amendment.validator
    def _v_vote_amendment(self, a: AmendmentVoteAction) -> None:
        self.check(rules.check_amendment_vote, a)

    @workflow.update
    async def close_amendment_vote(self, a: CloseVoteAction) -> GrantResult:
        async with self.lock:
            strict = workflow.patched("amendments-only-while-active")
            _, amendment, decision = self.check(partial(rules.check_close_amendment, strict=strict), a)
            return self._result(await self._decide_amendment(amendment, decision))

    @close_amendment_vote.validator
    def _v_close_amendment_vote(self, a: CloseVoteAction) -> None:
        self.check(rules.check_close_amendment, a)

    async def _decide_amendment(self, amendment: Amendment, d: Decision) -> str:
        s = self.s
        amendment.decision = d
        if d.outcome is not Outcome.AWARD:
            self.event("amendment_refused", None, d.summary)
            return await self.commit("The board did not approve the amendment; the award stays as it was.")
        try:  # the new schedule first: nothing moves in the ledger for an amendment that cannot apply
            tranches = s.tranches
            if amendment.new_amount != s.amount and tranches:
                tranches = amend_amount(tranches, amendment.new_amount, d)
            if amendment.due_dates and tranches:
                tranches = reschedule(tranches, amendment.due_dates, d)
        except Rejected as e:
            self.event("amendment_refused", None, str(e))
            return await self.commit(f"The board approved it, but it can no longer apply: {e}")
        if amendment.new_amount != s.amount:
            reply = await self._ledger(LedgerOp.AMEND, amendment.new_amount, f"amend/{amendment.number}")
            if not reply.applied:
                self.event("amendment_refused", None, reply.message)
                return await self.commit(f"The board approved it, but the fund's ledger refused: {reply.message}")
        s.tranches = tranches
        amendment.applied, s.amount, s.held = True, amendment.new_amount, []
        self.event("amended", None, f"The award is now {format_money(s.amount, s.fund.currency)}"
                   + ("; new due dates: " + ", ".join(f"{k} {v}" for k, v in sorted(amendment.due_dates.items())) if amendment.due_dates else ""))  # fmt: skip
        await notify(f"amended/{amendment.number}", [s.application.contact, *s.people.fund_managers], f"Grant amended — {self.title()}",
                     f"The board approved a new award of {format_money(s.amount, s.fund.currency)}: {amendment.reason}")  # fmt: skip
        return await self.commit(f"Amended: the award is now {format_money(s.amount, s.fund.currency)}.")

    @workflow.update
    async def cancel(self, a: CancelGrantAction) -> GrantResult:
        async with self.lock:
            person = self.check(rules.check_cancel, a)
            return self._result(await self._cancel(person, a.reason, a.clawback))

    @cancel.validator
    def _v_cancel(self, a: CancelGrantAction) -> None:
        self.check(rules.check_cancel, a)

    def _result(self, message: str) -> GrantResult:
        return GrantResult(stage=self.s.stage.value, revision=self.s.revision, message=message)

    # ------------------------------------------------------------------ the shared plumbing

    def title(self) -> str:
        return f"Grant {self.s.application.id}: {self.s.application.project.title}"[:300]

    def reminder_policy(self) -> ReminderPolicy:
        return self.s.call.reminders

    def desired_steps(self) -> list[StepSpec]:
        s = self.s
        out: list[StepSpec] = []
        producer = [s.application.contact]
        managers = list(s.people.fund_managers)
        org, country = s.application.lead.organisation_id, s.application.lead_country
        if s.stage is GrantStage.ACTIVE:
            # Reports come in schedule order: only the next tranche's report is awaited.
            t = next((t for t in s.tranches if not t.settled and t.trigger.value != "on_signature" and t.report_approved_on is None), None)
            if t is not None and t.report_submitted_on is None:
                out.append(StepSpec(f"report-{t.id}", StepKind.REPORT, f"Submit the {t.report_name} ({t.label})", producer,
                                    org, country, due_at=start_of(t.due_on)))  # fmt: skip
            elif t is not None:
                out.append(StepSpec(f"review-{t.id}", StepKind.REPORT, f"Review the {t.report_name} ({t.label})", managers))
        if s.stage is GrantStage.CLOSEOUT:
            f = s.final_report
            if f.submitted_on is None:
                out.append(StepSpec("report-final", StepKind.REPORT, "Submit the final report", producer, org, country))
            elif f.approved_on is None:
                out.append(StepSpec("review-final", StepKind.REPORT, "Review the final report", managers))
        amendment = s.open_amendment
        if amendment is not None and s.stage is GrantStage.ACTIVE:
            voted = {v.member_id for v in amendment.votes}
            waiting = [m for m in s.people.board if m.id not in voted]
            if waiting:
                out.append(StepSpec(f"amendment-{amendment.number}", StepKind.VOTE,
                                    f"Vote on amendment {amendment.number}: {format_money(amendment.new_amount, s.fund.currency)}", waiting))  # fmt: skip
        return out

    def escalation(self, step: OpenStep) -> tuple[list[PersonRef], list[PersonRef]]:
        liaison = self.s.people.liaisons.get(step.country or "")
        return ([liaison] if liaison else list(self.s.people.fund_managers)), list(self.s.people.board)

    def snapshot(self) -> ItemSnapshot:
        s = self.s
        parties = [ItemParty(organisation_id=c.organisation_id, country=c.country, role=c.role.value, name=c.name)
                   for c in s.application.team]  # fmt: skip
        return ItemSnapshot(
            item_id=workflow.info().workflow_id, item_type="grant", kind=s.call.id, title=self.title(), phase=s.stage.value,
            parties=parties, summary=s.summary(), detail=s.model_dump(mode="json", exclude={"events"}),
            projected_seq=s.projected_seq, created_at=s.created_at, closed_at=s.closed_at,
        )  # fmt: skip
