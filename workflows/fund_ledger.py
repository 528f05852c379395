"""The fund's books as an entity workflow: one per fund, the single authority over its figures.

Every commitment, release, amendment, cancellation and clawback is an update (`apply`), sent by
the application and grant workflows through an activity. Temporal delivers a workflow's updates
one at a time to its handlers, and the handler checks the operation again under a lock before it
changes anything, so two awards decided in the same second cannot both take the fund's last
money: the second is refused with the figures. The update id is the operation's key, and the
ledger itself is idempotent by award and tranche, so a retried request counts once.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.agreement_rules import Rejected
    from domain.agreements import Event
    from domain.grants.funds import Fund
    from domain.grants.ledger import Figures, Ledger
    from domain.grants.money import format_money
    from domain.grants.process import LedgerOp, LedgerReply, LedgerRequest
    from domain.readmodel import DetailAppend, ItemSnapshot
    from workflows.item_activities import PATCH_PROJECT_BEHIND, new_event, project_answered, project_behind

MAX_EVENTS_KEPT = 200


class FundLedgerState(BaseModel):
    fund: Fund
    ledger: Ledger
    events: list[Event] = Field(default_factory=list)
    event_count: int = 0
    projected_seq: int = 0
    projected_entries: int = 0  # journal entries sent to the read model (the next projection sends those after them)


class FundLedgerInput(BaseModel):
    fund: Fund
    resumed: FundLedgerState | None = None


def fund_workflow_id(fund_id: str) -> str:
    return f"fund-{fund_id}"


def apply(ledger: Ledger, r: LedgerRequest) -> Ledger:
    """The ledger after the request, or `Rejected` with the figures (the ledger is unchanged)."""
    if r.fund_id != ledger.fund_id:
        raise Rejected(f"This is the ledger of {ledger.fund_id}, not of {r.fund_id}.")
    if r.op is LedgerOp.COMMIT:
        return ledger.commit(r.award_id, r.amount)
    if r.op is LedgerOp.RELEASE:
        if not r.tranche_id:
            raise Rejected("A release names the tranche it pays.")
        return ledger.release(r.award_id, r.tranche_id, r.amount)
    if r.op is LedgerOp.AMEND:
        return ledger.amend(r.award_id, r.amount)
    if r.op is LedgerOp.CANCEL:
        return ledger.cancel(r.award_id, r.reason)
    return ledger.clawback(r.award_id, r.amount, r.reason, reference=r.reference)


def describe(r: LedgerRequest, currency: str) -> str:
    what = {LedgerOp.COMMIT: "committed to", LedgerOp.RELEASE: f"released (tranche {r.tranche_id}) for",
            LedgerOp.AMEND: "is now the award of", LedgerOp.CANCEL: "cancelled:", LedgerOp.CLAWBACK: "clawed back from"}[r.op]  # fmt: skip
    amount = "" if r.op is LedgerOp.CANCEL else format_money(r.amount, currency) + " "
    return f"{amount}{what} {r.award_id}" + (f" — {r.reason}" if r.reason else "")


@workflow.defn(name="FundLedger")
class FundLedgerWorkflow:
    @workflow.init
    def __init__(self, inp: FundLedgerInput) -> None:
        self.s = inp.resumed or FundLedgerState(fund=inp.fund, ledger=Ledger.open(inp.fund))
        self.lock = asyncio.Lock()
        self.dirty = False  # operations applied and answered, not yet projected

    @workflow.run
    async def run(self, inp: FundLedgerInput) -> Figures:
        if inp.resumed is None:
            async with self.lock:
                self._event("opened", f"Budget {format_money(self.s.fund.budget, self.s.fund.currency)}")
                await self._project()
        # A fund's books stay open for as long as it pays grants; the history is renewed before it grows large.
        await project_behind(self)  # answers first, projections behind them, until the history is renewed
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self.lock.locked())
        workflow.continue_as_new(FundLedgerInput(fund=self.s.fund, resumed=self.s))

    @workflow.query
    def figures(self) -> Figures:
        return self.s.ledger.figures()

    @workflow.query
    def ledger(self) -> Ledger:
        return self.s.ledger

    @workflow.update
    async def apply(self, r: LedgerRequest) -> LedgerReply:
        async with self.lock:
            try:
                after = apply(self.s.ledger, r)  # again under the lock: another request may have taken the money
            except Rejected as e:
                raise ApplicationError(str(e), type="Rejected", non_retryable=True) from None
            if after == self.s.ledger:
                return LedgerReply(applied=True, message="Already recorded.", figures=after.figures())
            self.s.ledger = after
            self._event(r.op.value, describe(r, self.s.fund.currency))
            if workflow.patched(PATCH_PROJECT_BEHIND):
                self.dirty = True  # `run` projects it, with any operations that follow at once
            else:  # executions that answered after projecting before the patch
                await self._project()
            return LedgerReply(applied=True, message=describe(r, self.s.fund.currency), figures=after.figures())

    @apply.validator
    def _v_apply(self, r: LedgerRequest) -> None:
        try:
            apply(self.s.ledger, r)
        except Rejected as e:
            raise ApplicationError(str(e), type="Rejected", non_retryable=True) from None

    def _event(self, kind: str, detail: str) -> None:
        self.s.event_count += 1
        self.s.events.append(new_event(self.s.event_count, kind, None, detail))

    async def _project(self) -> None:
        s = self.s
        new = [e for e in s.events if e.seq > s.projected_seq]
        if new:
            s.projected_seq = new[-1].seq
        f = s.ledger.figures()
        # The journal goes as its new entries: sent whole, every projection (and the history that
        # records it) grew with the fund's years of awards. A read model that lacks the entries
        # before them (its copy lost) says so, and gets the journal whole at once.
        start = s.projected_entries
        entries = s.ledger.entries[start:]
        ledger = s.ledger.model_copy(update={"entries": ()}).model_dump(mode="json")
        item = ItemSnapshot(
            item_id=workflow.info().workflow_id, item_type="fund", kind=s.fund.currency, title=s.fund.name(),
            phase="open", summary={k: str(v) for k, v in f.model_dump().items()},
            detail={"fund": s.fund.model_dump(mode="json"), "ledger": ledger}, projected_seq=s.projected_seq,
            appends=[DetailAppend(path=["ledger", "entries"], start=start, items=[e.model_dump(mode="json") for e in entries])],
        )  # fmt: skip
        s.projected_entries = start + len(entries)  # before the wait: operations go on meanwhile
        reply = await project_answered(item, [], new)
        if reply.incomplete:  # the read model lost its copy: `run` projects again, the journal and the events kept
            s.projected_entries, s.projected_seq, self.dirty = 0, 0, True
        # keep the latest events, never one not yet projected (operations go on during the wait)
        projected = sum(1 for e in s.events if e.seq <= s.projected_seq)
        del s.events[: min(projected, max(0, len(s.events) - MAX_EVENTS_KEPT))]


# the activities' timeout for ledger requests (the ledger answers at once unless it is busy)
LEDGER_TIMEOUT = timedelta(seconds=30)
