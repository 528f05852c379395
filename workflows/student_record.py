"""The student record: one workflow per student of a joint program, running for years.

It enrols the student only while the program's MOU is active, starts one credit transfer per
term abroad as a child workflow, adds the credits each posts and recomputes the degree audit, and
completes when every degree of the program is met. A record lives through many terms, so it
continues as new whenever Temporal suggests it, carrying its whole state, once no handler is
running. Transfers are started with ABANDON: they outlive any one run of the record, and find it
again by its workflow id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from domain import activity_names as act
    from domain import program_activity_names as doc_act
    from domain import student_record as rules
    from domain.agreement_rules import Rejected
    from domain.agreements import Phase
    from domain.catalogs import Catalog, Equivalency, EquivalencyTable, code_key
    from domain.credit_transfer import CreditTransferRequest
    from domain.degree_audit import DegreeAudit, audit, dual_degree_complete
    from domain.parties import PersonRef
    from domain.program_documents import CompletionDocumentsRequest
    from domain.program_records import SaveEquivalencies
    from domain.programs import JointProgram, check_enrolment
    from domain.readmodel import ItemDocument, ItemParty, ItemSnapshot
    from domain.student_record import (
        MAX_EVENTS_KEPT,
        AddTermAction,
        MouChange,
        RecordPhase,
        RecordResult,
        StartTransferAction,
        StudentRecordState,
        ThesisAction,
        TransferRef,
        TransferStatus,
    )
    from domain.students import StudentRecord
    from domain.terms import next_term, normalize_term, term_index, term_of, term_start
    from domain.transfer_state import CreditsPosted, ProgramRoster
    from workflows.item_activities import ACTIVITY_TIMEOUT, RETRY, documents_queue, new_event, notify, project

from workflows.credit_transfer import CreditTransferInput, CreditTransferWorkflow, transfer_workflow_id

A = TypeVar("A", bound=BaseModel)

# Changes made while records were running (see docs/evolving-workflows.md).
PATCH_SHARED_EQUIVALENCIES = "shared-equivalency-tables"
PATCH_COMPLETION_DOCUMENTS = "completion-documents"
PATCH_REQUEST_FIRST = "project-transfer-request-first"
"""A credit transfer's request is recorded and projected before the equivalency table is loaded
and the transfer's workflow started: the coordinator's request showed only after both (p50 9.7 s
at 100 concurrent transfers, bench/engine.py)."""
RENDER_TIMEOUT = timedelta(minutes=5)


class StudentRecordInput(BaseModel):
    program: JointProgram
    catalogs: dict[str, Catalog]
    equivalencies: dict[str, EquivalencyTable] = {}
    roster: ProgramRoster
    record: StudentRecord
    mou_phase: Phase  # the program's MOU when the student enrols; later changes come by `mou_changed`
    resumed: StudentRecordState | None = None  # set when continuing as new


class StudentRecordOutcome(BaseModel):
    student_id: str
    phase: RecordPhase
    audits: list[DegreeAudit]


def record_workflow_id(student_id: str) -> str:
    return f"student-{student_id}"


@workflow.defn(name="StudentRecord")
class StudentRecordWorkflow:
    @workflow.init
    def __init__(self, inp: StudentRecordInput) -> None:
        self.s = inp.resumed or StudentRecordState(
            program=inp.program, catalogs=inp.catalogs, equivalencies=inp.equivalencies, roster=inp.roster,
            record=inp.record, mou_phase=inp.mou_phase,
        )  # fmt: skip
        self.lock = asyncio.Lock()
        self.completed_now = False  # set by _recompute when the degrees complete, read once by _commit

    # ------------------------------------------------------------------ main loop

    @workflow.run
    async def run(self, inp: StudentRecordInput) -> StudentRecordOutcome:
        if inp.resumed is None:
            try:
                check_enrolment(self.s.program, self.s.mou_phase)
            except Rejected as e:
                raise ApplicationError(str(e), type="Rejected", non_retryable=True) from None
            async with self.lock:
                self.s.enrolled_at = workflow.now()
                self._event(
                    "enrolled", self.s.record.person, f"Enrolled in “{self.s.program.name()}” from {self.s.record.enrolled_term}"
                )
                self._recompute()
                await self._commit()
        while self.s.phase is not RecordPhase.COMPLETE:
            if workflow.info().is_continue_as_new_suggested():
                # Only between handlers: the whole state moves on, transfers in progress included.
                await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self.lock.locked())
                workflow.continue_as_new(StudentRecordInput(
                    program=self.s.program, catalogs=self.s.catalogs, roster=self.s.roster, record=self.s.record,
                    mou_phase=self.s.mou_phase, resumed=self.s,
                ))  # fmt: skip
            # Wake at the next term's start too (a durable timer), so "abroad" follows the calendar.
            current = term_of(workflow.now().date())
            wait = term_start(next_term(current)) - workflow.now().date()
            try:
                await workflow.wait_condition(
                    lambda: self.s.phase is RecordPhase.COMPLETE or workflow.info().is_continue_as_new_suggested(),
                    timeout=timedelta(days=max(wait.days, 1)),
                )
            except TimeoutError:
                async with self.lock:
                    if self._phase_now() is not self.s.phase and self.s.phase is not RecordPhase.COMPLETE:
                        self._event("term_started", None, f"{term_of(workflow.now().date())}: {self._phase_now().value}")
                        self._recompute()
                        await self._commit()
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self.lock.locked())
        return StudentRecordOutcome(student_id=self.s.record.student_id, phase=self.s.phase, audits=self.s.audits)

    # ------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> StudentRecordState:
        return self.s

    # ------------------------------------------------------------------ updates and signals

    def _check(self, check: Callable[[StudentRecordState, A], Any], action: A) -> Any:
        try:
            return check(self.s, action)
        except Rejected as e:
            raise ApplicationError(str(e), type="Rejected", non_retryable=True) from None

    @workflow.update
    async def start_credit_transfer(self, a: StartTransferAction) -> RecordResult:
        async with self.lock:
            person = self._check(rules.check_start_transfer, a)
            if workflow.patched(PATCH_REQUEST_FIRST):
                return await self._start_transfer(person, a)
            s, r = self.s, a.request
            if workflow.patched(PATCH_SHARED_EQUIVALENCIES):
                await self._load_shared_table(r)
            term = normalize_term(r.term)
            wid = transfer_workflow_id(s.record.student_id, term)
            await self._start_transfer_workflow(r, wid)
            s.transfers.append(TransferRef(term=term, request_id=r.id, workflow_id=wid, requested_at=workflow.now()))
            self._event(
                "transfer_requested", person, f"{len(r.courses)} courses of {term} at {s.program.institution(r.taken_at).name()}"
            )
            await self._commit()
            return RecordResult(phase=s.phase, message=f"Credit transfer for {term} started.", workflow_id=wid)

    async def _start_transfer(self, person: PersonRef, a: StartTransferAction) -> RecordResult:
        """PATCH_REQUEST_FIRST: the request is recorded and shown, then the transfer started."""
        s, r = self.s, a.request
        term = normalize_term(r.term)
        wid = transfer_workflow_id(s.record.student_id, term)
        ref = TransferRef(term=term, request_id=r.id, workflow_id=wid, requested_at=workflow.now())
        s.transfers.append(ref)
        self._event("transfer_requested", person, f"{len(r.courses)} courses of {term} at {s.program.institution(r.taken_at).name()}")
        await self._project()
        await self._load_shared_table(r)
        try:
            await self._start_transfer_workflow(r, wid)
        except WorkflowAlreadyStartedError:  # the validator refuses a term already requested: only by hand
            s.transfers.remove(ref)
            self._event("transfer_not_started", None, f"A credit transfer for {term} already exists ({wid}); this request was not started")
            await self._commit()
            raise ApplicationError(f"A credit transfer for {term} already exists.", type="Rejected", non_retryable=True) from None
        await self._commit()
        return RecordResult(phase=s.phase, message=f"Credit transfer for {term} started.", workflow_id=wid)

    async def _load_shared_table(self, r: CreditTransferRequest) -> None:
        """The institution's shared table as it stands now: decisions saved since enrolment count."""
        shared = await workflow.execute_activity(
            act.LOAD_EQUIVALENCIES, r.credited_at, result_type=EquivalencyTable,
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY,
        )  # fmt: skip
        self.s.equivalencies[r.credited_at] = merge_tables(self.s.equivalencies.get(r.credited_at), shared)

    async def _start_transfer_workflow(self, r: CreditTransferRequest, wid: str) -> None:
        s = self.s
        await workflow.start_child_workflow(
            CreditTransferWorkflow.run,
            CreditTransferInput(program=s.program, catalogs=s.catalogs, equivalencies=s.equivalencies.get(r.credited_at),
                                record=s.record, request=r, roster=s.roster),
            id=wid, parent_close_policy=ParentClosePolicy.ABANDON,
        )  # fmt: skip

    @start_credit_transfer.validator
    def _v_start_credit_transfer(self, a: StartTransferAction) -> None:
        self._check(rules.check_start_transfer, a)

    @workflow.update
    async def set_thesis_status(self, a: ThesisAction) -> RecordResult:
        async with self.lock:
            person = self._check(rules.check_thesis, a)
            self.s.record.thesis[a.institution_id] = a.status
            self._event(
                "thesis",
                person,
                f"Thesis at {self.s.program.institution(a.institution_id).name()}: {a.status.value.replace('_', ' ')}",
            )
            self._recompute()
            await self._commit()
            return RecordResult(phase=self.s.phase, message="Thesis status recorded.")

    @set_thesis_status.validator
    def _v_set_thesis_status(self, a: ThesisAction) -> None:
        self._check(rules.check_thesis, a)

    @workflow.update
    async def add_term_abroad(self, a: AddTermAction) -> RecordResult:
        async with self.lock:
            person, term = self._check(rules.check_add_term, a)
            s = self.s
            s.record = s.record.model_copy(update={"terms_abroad": sorted([*s.record.terms_abroad, term], key=lambda t: term_index(t.term))})
            self._event("term_abroad_added", person, f"{term.term} at {s.program.institution(term.institution_id).name()}")
            self._recompute()
            await self._commit()
            return RecordResult(phase=s.phase, message=f"{term.term} abroad at {s.program.institution(term.institution_id).name()} added.")

    @add_term_abroad.validator
    def _v_add_term_abroad(self, a: AddTermAction) -> None:
        self._check(rules.check_add_term, a)

    @workflow.signal
    async def credits_posted(self, p: CreditsPosted) -> None:
        """From a finished credit transfer. Counted once per request, however often it is delivered."""
        async with self.lock:
            s = self.s
            ref = next((t for t in s.transfers if t.request_id == p.request_id), None)
            if ref is not None and ref.status is TransferStatus.POSTED:
                return
            if ref is None:  # a transfer started outside this record (e.g. by an administrator)
                ref = TransferRef(term=p.term, request_id=p.request_id, workflow_id=p.workflow_id, requested_at=workflow.now())
                s.transfers.append(ref)
            ref.status, ref.posted_at = TransferStatus.POSTED, workflow.now()
            s.record = s.record.with_posted(p.credits)
            table = s.equivalencies.get(p.credited_at) or EquivalencyTable(institution_id=p.credited_at)
            for e in p.equivalencies:
                table = table.add(e)
            if p.equivalencies:
                s.equivalencies[p.credited_at] = table
            self._event("credits_posted", None, f"{len(p.credits)} courses of {p.term} posted ({p.request_id})")
            self._recompute()
            if p.equivalencies and workflow.patched(PATCH_SHARED_EQUIVALENCIES):
                # Decisions saved for reuse join the institution's shared table (an idempotent upsert).
                await workflow.execute_activity(
                    act.SAVE_EQUIVALENCIES, SaveEquivalencies(entries=p.equivalencies, source=p.request_id),
                    start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY,
                )  # fmt: skip
            await self._commit()

    @workflow.signal
    async def mou_changed(self, m: MouChange) -> None:
        async with self.lock:
            if m.phase is self.s.mou_phase:
                return
            self.s.mou_phase = m.phase
            self._event("mou_changed", None, f"The program's agreement {self.s.program.agreement_id} is now {m.phase.value}")
            await self._commit()

    # ------------------------------------------------------------------ audit and phase

    def _phase_now(self) -> RecordPhase:
        if self.s.completed_at is not None:
            return RecordPhase.COMPLETE
        current = term_of(workflow.now().date())
        return RecordPhase.ABROAD if any(t.term == current for t in self.s.record.terms_abroad) else RecordPhase.ENROLLED

    def _recompute(self) -> None:
        """The audit of every degree after a change; completion when both are met."""
        s = self.s
        s.audits = audit(s.record, s.program, s.catalogs, s.equivalencies)
        if s.completed_at is None and dual_degree_complete(s.audits):
            s.completed_at = workflow.now()
            self.completed_now = True
            self._event("degrees_complete", None, "Every degree's requirements are met: "
                        + "; ".join(f"{a.degree_title.get('en', a.institution_id)}" for a in s.audits))  # fmt: skip
        s.phase = self._phase_now()

    # ------------------------------------------------------------------ plumbing

    def _event(self, kind: str, actor: PersonRef | None, detail: str) -> None:
        self.s.event_count += 1
        self.s.events.append(new_event(self.s.event_count, kind, actor, detail))

    async def _commit(self) -> None:
        s = self.s
        documents: list[ItemDocument] = []
        if s.phase is RecordPhase.COMPLETE and self.completed_now:
            self.completed_now = False
            if workflow.patched(PATCH_COMPLETION_DOCUMENTS):
                documents = await workflow.execute_activity(
                    doc_act.RENDER_COMPLETION_DOCUMENTS,
                    CompletionDocumentsRequest(state=s.model_copy(update={"events": []}), issued_at=workflow.now()),
                    result_type=list[ItemDocument], start_to_close_timeout=RENDER_TIMEOUT,
                    heartbeat_timeout=timedelta(seconds=30), task_queue=documents_queue(), retry_policy=RETRY,
                )  # fmt: skip
                s.documents = [*s.documents, *documents]
                self._event("documents_issued", None, "Joint transcript and dual-degree certificate issued")
            await notify("complete", [s.record.person, *s.roster.coordinators], f"Both degrees complete — {s.record.person.name}",
                         f"{s.record.person.name} has met the requirements of every degree of “{s.program.name()}”.")  # fmt: skip
        await self._project(documents)
        # Keep the state small for years of events: what is projected is in the read model.
        del s.events[: max(0, len(s.events) - MAX_EVENTS_KEPT)]

    async def _project(self, documents: list[ItemDocument] | None = None) -> None:
        s = self.s
        new = [e for e in s.events if e.seq > s.projected_seq]
        if new:
            s.projected_seq = new[-1].seq
        parties = [ItemParty(organisation_id=i.organisation_id, country=i.country,
                             role="home" if i.organisation_id == s.record.home_institution_id else "partner", name=i.name())
                   for i in s.program.institutions]  # fmt: skip
        item = ItemSnapshot(
            item_id=workflow.info().workflow_id, item_type="student", kind=s.program.id,
            title=f"{s.record.person.name} — {s.program.name()}"[:300], phase=s.phase.value, parties=parties,
            summary=s.summary(), detail=s.model_dump(mode="json", exclude={"events"}), projected_seq=s.projected_seq,
            created_at=s.enrolled_at, closed_at=s.completed_at,
        )  # fmt: skip
        await project(item, [], new, documents)


def merge_tables(own: EquivalencyTable | None, shared: EquivalencyTable) -> EquivalencyTable:
    """The shared table plus entries only this record knows (saved by its own transfers before the
    shared table existed); an entry is the same when its partner course and start date are."""
    def key(e: Equivalency) -> tuple[str, str, str, str]:
        return (e.home_institution_id, e.partner_institution_id, code_key(e.partner_course_code), e.effective_from.isoformat())

    seen = {key(e) for e in shared.entries}
    extra = [e for e in (own.entries if own else ()) if key(e) not in seen]
    return EquivalencyTable(institution_id=shared.institution_id, entries=(*extra, *shared.entries))
