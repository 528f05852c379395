"""A film's rights as an entity workflow: one per film, the single authority over its licences.

Licences for different countries are agreed in parallel, by different liaisons; this workflow
takes each reservation in turn (updates, checked again under a lock) so two exclusive deals can
never overlap, and a refusal names the deal in the way. A deal that falls through frees its rights.
"""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.agreement_rules import Rejected
    from domain.agreements import Event
    from domain.readmodel import ItemSnapshot
    from domain.releases.festival import Film
    from domain.releases.process import RightsReply, RightsRequest
    from domain.releases.rights import RightsLedger
    from workflows.item_activities import PATCH_PROJECT_BEHIND, new_event, project, project_behind


class FilmRightsState(BaseModel):
    film: Film
    ledger: RightsLedger
    events: list[Event] = Field(default_factory=list)
    event_count: int = 0
    projected_seq: int = 0


class FilmRightsInput(BaseModel):
    film: Film
    resumed: FilmRightsState | None = None


def rights_workflow_id(film_id: str) -> str:
    return f"rights-{film_id}"


def apply(ledger: RightsLedger, r: RightsRequest) -> RightsLedger:
    if r.grant is not None:
        return ledger.reserve(r.grant)
    if r.release_deal_id:
        return ledger.release(r.release_deal_id)
    raise Rejected("A rights request reserves a licence or frees a deal.")


@workflow.defn(name="FilmRights")
class FilmRightsWorkflow:
    @workflow.init
    def __init__(self, inp: FilmRightsInput) -> None:
        self.s = inp.resumed or FilmRightsState(film=inp.film, ledger=RightsLedger(film_id=inp.film.id))
        self.lock = asyncio.Lock()
        self.dirty = False  # operations applied and answered, not yet projected

    @workflow.run
    async def run(self, inp: FilmRightsInput) -> None:
        if inp.resumed is None:
            async with self.lock:
                await self._project()
        await project_behind(self)  # answers first, projections behind them, until the history is renewed
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self.lock.locked())
        workflow.continue_as_new(FilmRightsInput(film=self.s.film, resumed=self.s))

    @workflow.query
    def ledger(self) -> RightsLedger:
        return self.s.ledger

    @workflow.update
    async def apply(self, r: RightsRequest) -> RightsReply:
        async with self.lock:
            try:
                after = apply(self.s.ledger, r)
            except Rejected as e:
                raise ApplicationError(str(e), type="Rejected", non_retryable=True) from None
            if after == self.s.ledger:
                return RightsReply(applied=True, message="Already recorded.")
            self.s.ledger = after
            if r.grant is not None:
                g = r.grant
                detail = (f"{g.deal_id}: {g.licensee_name}, {', '.join(g.territories)}, {', '.join(m.value for m in g.media)},"
                          f" {g.starts_on} to {g.ends_on}{', exclusive' if g.exclusive else ''}")  # fmt: skip
                self._event("reserved", detail)
            else:
                self._event("freed", f"{r.release_deal_id}: the deal fell through; its rights are free again")
            if workflow.patched(PATCH_PROJECT_BEHIND):
                self.dirty = True  # `run` projects it, with any operations that follow at once
            else:  # executions that answered after projecting before the patch
                await self._project()
            return RightsReply(applied=True, message=self.s.events[-1].detail)

    @apply.validator
    def _v_apply(self, r: RightsRequest) -> None:
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
        item = ItemSnapshot(
            item_id=workflow.info().workflow_id, item_type="film_rights", kind=s.film.id, title=s.film.english_title[:300],
            phase="open", summary={"deals": len(s.ledger.grants)},
            detail={"film": s.film.model_dump(mode="json"), "ledger": s.ledger.model_dump(mode="json")},
            projected_seq=s.projected_seq,
        )  # fmt: skip
        await project(item, [], new)
        del s.events[: max(0, len(s.events) - 200)]
