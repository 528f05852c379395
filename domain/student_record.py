"""A student record as its workflow holds it for years, the actions it takes, and who may send them.

The record workflow owns one student's `StudentRecord`: it starts a credit transfer per term abroad,
adds what each posts, and recomputes the degree audit (`domain.degree_audit.audit`) every time, so
the page, the transcript and the completion check always read the same audit.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.agreement_rules import Rejected
from domain.agreements import Event, Phase
from domain.catalogs import Catalog, EquivalencyTable
from domain.credit_transfer import CreditTransferRequest, precheck
from domain.degree_audit import DegreeAudit
from domain.parties import PersonRef
from domain.programs import JointProgram
from domain.readmodel import ItemDocument
from domain.students import StudentRecord, TermAbroad, ThesisStatus
from domain.terms import normalize_term, term_index, term_start
from domain.transfer_rules import check_transfers_open, roster_problems
from domain.transfer_state import ProgramRoster

MAX_EVENTS_KEPT = 100  # older ones are in the read model and the workflow history


class RecordPhase(StrEnum):
    ENROLLED = "enrolled"
    ABROAD = "abroad"  # the current term is one of the student's terms abroad
    COMPLETE = "complete"  # every degree of the program is met


class TransferStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    POSTED = "posted"


class TransferRef(BaseModel):
    term: str
    request_id: str
    workflow_id: str
    status: TransferStatus = TransferStatus.IN_PROGRESS
    requested_at: datetime
    posted_at: datetime | None = None


class StartTransferAction(BaseModel):
    actor_id: str = Field(min_length=1, max_length=64)
    request: CreditTransferRequest


class ThesisAction(BaseModel):
    actor_id: str = Field(min_length=1, max_length=64)
    institution_id: str = Field(min_length=1, max_length=64)
    status: ThesisStatus


class AddTermAction(BaseModel):
    """A coordinator plans a term abroad at a partner after enrolment."""

    actor_id: str = Field(min_length=1, max_length=64)
    institution_id: str = Field(min_length=1, max_length=64)
    term: str = Field(min_length=1, max_length=20)


class MouChange(BaseModel):
    """The program's MOU moved to another phase (sent by whoever watches the agreement)."""

    phase: Phase


class RecordResult(BaseModel):
    phase: RecordPhase
    message: str
    workflow_id: str | None = None


class StudentRecordState(BaseModel):
    program: JointProgram
    catalogs: dict[str, Catalog]
    equivalencies: dict[str, EquivalencyTable] = Field(default_factory=dict, description="institution id → its table")
    roster: ProgramRoster
    record: StudentRecord
    mou_phase: Phase
    phase: RecordPhase = RecordPhase.ENROLLED
    transfers: list[TransferRef] = Field(default_factory=list)
    audits: list[DegreeAudit] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list, description=f"The last {MAX_EVENTS_KEPT}")
    event_count: int = 0
    projected_seq: int = 0
    enrolled_at: datetime | None = None
    completed_at: datetime | None = None
    documents: list[ItemDocument] = Field(default_factory=list, description="Transcript and certificate, once issued")

    def transfer(self, term: str) -> TransferRef | None:
        return next((t for t in self.transfers if t.term == term), None)

    def summary(self) -> dict[str, object]:
        """The list columns: per degree its percent and projected completion term."""
        return {
            "student_id": self.record.student_id,
            "student_name": self.record.person.name,
            "program_id": self.program.id,
            "home_institution_id": self.record.home_institution_id,
            "degrees": {
                a.institution_id: {"percent": str(a.percent_complete), "projected_completion_term": a.projected_completion_term,
                                   "met": a.met}
                for a in self.audits
            },
            "transfers_in_progress": sum(1 for t in self.transfers if t.status is TransferStatus.IN_PROGRESS),
        }  # fmt: skip


def _actor(state: StudentRecordState, actor_id: str) -> PersonRef | None:
    everyone = [state.record.person, *state.roster.coordinators]
    return next((p for p in everyone if p.id == actor_id), None)


def check_not_complete(state: StudentRecordState) -> None:
    if state.phase is RecordPhase.COMPLETE:
        raise Rejected(f"{state.record.person.name} has completed both degrees; the record takes no more changes.")


def check_start_transfer(state: StudentRecordState, a: StartTransferAction) -> PersonRef:
    """The student or a coordinator asks for a term's credits; refused when the MOU has lapsed, the term
    already has a request, or the request itself cannot be checked (unknown course, grade off the scale)."""
    person = _actor(state, a.actor_id)
    if person is None:
        raise Rejected(
            f"{a.actor_id} cannot request a credit transfer for {state.record.person.name}: only the student or a coordinator can."
        )
    check_not_complete(state)
    check_transfers_open(state.program, state.mou_phase)
    r, record = a.request, state.record
    if r.student_id != record.student_id:
        raise Rejected(f"Request {r.id} is for student {r.student_id}, not {record.student_id}.")
    if r.credited_at != record.home_institution_id:
        raise Rejected(
            f"Credits are transferred to {record.student_id}'s home institution {record.home_institution_id}, not to {r.credited_at}."
        )
    term = normalize_term(r.term)
    existing = state.transfer(term)
    if existing is not None:
        raise Rejected(f"A credit transfer for {term} was already requested ({existing.request_id}); there is one per term.")
    problems = roster_problems(state.program, state.roster, r)
    if problems:
        raise Rejected(" ".join(problems))
    precheck(r, state.program, state.catalogs, state.equivalencies.get(r.credited_at), term_start(term), posted=record.posted)
    return person


def check_thesis(state: StudentRecordState, a: ThesisAction) -> PersonRef:
    person = next((p for p in state.roster.coordinators if p.id == a.actor_id), None)
    if person is None:
        raise Rejected(f"{a.actor_id} cannot record thesis progress: only the program's coordinators can.")
    check_not_complete(state)
    state.program.institution(a.institution_id)
    if state.record.thesis_status(a.institution_id) is a.status:
        raise Rejected(f"The thesis at {a.institution_id} is already {a.status.value.replace('_', ' ')}.")
    return person


def check_add_term(state: StudentRecordState, a: AddTermAction) -> tuple[PersonRef, TermAbroad]:
    """A coordinator adds a term abroad: at a partner (not home), not before enrolment, one place per term."""
    person = next((p for p in state.roster.coordinators if p.id == a.actor_id), None)
    if person is None:
        raise Rejected(f"{a.actor_id} cannot plan terms abroad: only the program's coordinators can.")
    check_not_complete(state)
    inst = state.program.institution(a.institution_id)
    record = state.record
    if a.institution_id == record.home_institution_id:
        raise Rejected(f"{inst.name()} is {record.person.name}'s home institution; a term abroad is at a partner.")
    try:
        term = normalize_term(a.term)
    except ValueError as e:
        raise Rejected(str(e)) from None
    if term_index(term) < term_index(record.enrolled_term):
        raise Rejected(f"{term} is before {record.person.name} enrolled ({record.enrolled_term}).")
    taken = next((t for t in record.terms_abroad if t.term == term), None)
    if taken is not None:
        raise Rejected(f"{record.person.name} is already abroad in {term}, at {state.program.institution(taken.institution_id).name()}.")
    if len(record.terms_abroad) >= 24:
        raise Rejected("A record holds at most 24 terms abroad.")
    return person, TermAbroad(institution_id=a.institution_id, term=term)
