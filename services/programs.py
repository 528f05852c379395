"""Joint programs from outside Temporal: program files, enrolment, and the actions on records
and credit transfers, for the CLI, the dashboard and the demo.

A `ProgramFile` is what coordinators write (YAML or JSON): the program, its catalogs, its
equivalency table and its people by directory id. `build_definition` resolves and checks those
ids (each person must hold the role for the institution they act for) into the snapshot the
workflows keep. Every problem is one `InputError` that names the field; nothing is half-stored.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.agreement_rules import Rejected
from domain.agreements import Phase
from domain.catalogs import CATEGORY_PATTERN, Catalog, CourseCode, Equivalency, EquivalencyTable
from domain.degree_audit import audit
from domain.parties import ID_PATTERN, Person, PersonRef, Role
from domain.programs import JointProgram, check_enrolment
from domain.student_record import AddTermAction, StartTransferAction, ThesisAction
from domain.students import PostedCredit, StudentRecord, TermAbroad, ThesisStatus
from domain.terms import Term, term_index
from domain.transfer_state import (
    ApproveChangeAction,
    CloseChangeAction,
    DecideCourseAction,
    InstitutionStaff,
    ProgramRoster,
    ProposeChangeAction,
    ProvideInformationAction,
    ReturnAction,
    StageAction,
)
from services.errors import ActionRejected, InputError, problems
from services.files import read_mapping
from services.updates import Lifecycle
from settings import get_settings
from store import directory, programs, queries
from store.programs import ProgramDefinition
from workflows.credit_transfer import CreditTransferWorkflow
from workflows.student_record import StudentRecordInput, StudentRecordWorkflow, record_workflow_id

MAX_FILE_BYTES = 2_000_000

__all__ = ["ActionRejected", "InputError"]


# ---------------------------------------------------------------- program files


class StaffEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department_reviewers: list[str] = Field(default_factory=list)
    registrars: list[str] = Field(default_factory=list)
    liaison: str | None = None


class RosterEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    coordinators: list[str] = Field(min_length=1)
    staff: dict[str, StaffEntry]
    ministry_officers: list[str] = Field(default_factory=list)
    board: list[str] | None = Field(default=None, description="Everyone holding a board seat when absent")


class EquivalencyEntry(BaseModel):
    """An equivalency as a coordinator writes it: the deciding person by directory id."""

    model_config = ConfigDict(extra="forbid")

    partner_institution_id: str = Field(pattern=ID_PATTERN)
    partner_course_code: CourseCode
    home_course_code: CourseCode | None = None
    elective_category: str | None = Field(default=None, pattern=CATEGORY_PATTERN)
    effective_from: date
    effective_to: date | None = None
    decided_by: str
    note: str = Field(default="", max_length=2000)


class ProgramFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    program: JointProgram
    catalogs: dict[str, Catalog]
    equivalencies: dict[str, list[EquivalencyEntry]] = Field(default_factory=dict, description="home institution → entries")
    roster: RosterEntry


def _read(path: Path, what: str) -> dict[str, Any]:
    return read_mapping(path, what, MAX_FILE_BYTES)


def read_program_file(path: Path) -> ProgramFile:
    data = _read(path, "program")
    try:
        return ProgramFile.model_validate(data)
    except ValidationError as e:
        raise InputError(f"{path}: {problems(e)}") from None


class _People:
    """Directory lookups that name the field when an id is unknown or lacks the role."""

    def __init__(self, engine: Engine) -> None:
        self.people = {p.id: p for p in directory.list_people(engine)}

    def get(self, pid: str, field: str) -> Person:
        if pid not in self.people:
            raise InputError(f"{field}: no person '{pid}' in the directory")
        return self.people[pid]

    def holding(self, pid: str, field: str, roles: set[Role], organisation_id: str | None = None) -> PersonRef:
        p = self.get(pid, field)
        if not any(p.holds(r, organisation_id=organisation_id) for r in roles):
            names = " or ".join(sorted(r.value.replace("_", " ") for r in roles))
            where = f" for {organisation_id}" if organisation_id else ""
            raise InputError(f"{field}: {pid} is not a {names}{where} in the directory")
        return PersonRef.of(p)


def build_definition(engine: Engine, f: ProgramFile) -> tuple[ProgramDefinition, list[Equivalency]]:
    """Resolve the file's people; check catalogs and staff cover the program's institutions."""
    prog, ids = f.program, set(f.program.institution_ids)
    people = _People(engine)
    for inst in ids:
        if directory.get_organisation(engine, inst) is None:
            raise InputError(f"program.institutions: no organisation '{inst}' in the directory")
        if inst not in f.catalogs:
            raise InputError(f"catalogs: no catalog for {inst}; every institution of the program needs one")
    for key, cat in f.catalogs.items():
        if key not in ids:
            raise InputError(f"catalogs.{key}: {key} is not an institution of the program")
        if cat.institution_id != key:
            raise InputError(f"catalogs.{key}.institution_id: the catalog is filed under {key} but names {cat.institution_id}")
    r = f.roster
    coordinators = tuple(
        people.holding(pid, f"roster.coordinators.{i}", {Role.PROGRAM_COORDINATOR}) for i, pid in enumerate(r.coordinators)
    )
    staff: dict[str, InstitutionStaff] = {}
    for inst, s in r.staff.items():
        if inst not in ids:
            raise InputError(f"roster.staff.{inst}: {inst} is not an institution of the program")
        staff[inst] = InstitutionStaff(
            department_reviewers=tuple(people.holding(pid, f"roster.staff.{inst}.department_reviewers.{i}", {Role.DEPARTMENT_REVIEWER}, inst)
                                       for i, pid in enumerate(s.department_reviewers)),
            registrars=tuple(people.holding(pid, f"roster.staff.{inst}.registrars.{i}", {Role.REGISTRAR}, inst)
                             for i, pid in enumerate(s.registrars)),
            liaison=PersonRef.of(people.get(s.liaison, f"roster.staff.{inst}.liaison")) if s.liaison else None,
        )  # fmt: skip
    ministry = tuple(
        people.holding(pid, f"roster.ministry_officers.{i}", {Role.MINISTRY_OFFICER}, prog.ministry_organisation_id)
        for i, pid in enumerate(r.ministry_officers)
    )
    if prog.requires_ministry_authorization and not ministry:
        raise InputError("roster.ministry_officers: the program requires ministry authorization; name at least one officer")
    if r.board is None:
        board = tuple(PersonRef.of(p) for p in people.people.values() if p.holds(Role.BOARD_MEMBER))
    else:
        board = tuple(people.holding(pid, f"roster.board.{i}", {Role.BOARD_MEMBER}) for i, pid in enumerate(r.board))
    for inst in prog.institution_ids:
        if inst not in staff or not staff[inst].registrars:
            raise InputError(f"roster.staff.{inst}.registrars: name at least one registrar of {inst}; credit transfers need one")
    roster = ProgramRoster(staff=staff, coordinators=coordinators, ministry_officers=ministry, board=board)
    entries: list[Equivalency] = []
    for home, rows in f.equivalencies.items():
        if home not in ids:
            raise InputError(f"equivalencies.{home}: {home} is not an institution of the program")
        for i, e in enumerate(rows):
            field = f"equivalencies.{home}.{i}"
            if e.partner_institution_id not in ids:
                raise InputError(f"{field}.partner_institution_id: {e.partner_institution_id} is not an institution of the program")
            if f.catalogs[e.partner_institution_id].find(e.partner_course_code) is None:
                raise InputError(f"{field}.partner_course_code: {e.partner_course_code} is not in {e.partner_institution_id}'s catalog")
            if e.home_course_code is not None and f.catalogs[home].find(e.home_course_code) is None:
                raise InputError(f"{field}.home_course_code: {e.home_course_code} is not in {home}'s catalog")
            try:
                entries.append(Equivalency(home_institution_id=home, **e.model_dump(exclude={"decided_by"}),
                                           decided_by=PersonRef.of(people.get(e.decided_by, f"{field}.decided_by"))))  # fmt: skip
            except ValidationError as err:
                raise InputError(problems(err, f"{field}.")) from None
    return ProgramDefinition(program=prog, catalogs=f.catalogs, roster=roster), entries


def load_program(engine: Engine, path: Path) -> ProgramDefinition:
    """Read, check and store a program file with its equivalencies, in one transaction. An existing
    program is updated, and so are the entries its file gave before (a corrected target or an end
    date); decisions departments saved for reuse are left as they are."""
    definition, entries = build_definition(engine, read_program_file(path))
    programs.save_program(engine, definition, entries)
    return definition


# ---------------------------------------------------------------- enrolment


class StudentFile(BaseModel):
    """A student to enrol: the person by directory id, with credits already on the books (earned
    before the record existed) and the terms abroad planned so far."""

    model_config = ConfigDict(extra="forbid")

    student_id: str = Field(pattern=ID_PATTERN)
    person: str
    program_id: str = Field(pattern=ID_PATTERN)
    home_institution_id: str = Field(pattern=ID_PATTERN)
    enrolled_term: Term
    terms_abroad: list[TermAbroad] = Field(default_factory=list, max_length=24)
    posted: list[PostedCredit] = Field(default_factory=list, max_length=400)
    thesis: dict[str, ThesisStatus] = Field(default_factory=dict)


def read_student_file(path: Path) -> StudentFile:
    try:
        return StudentFile.model_validate(_read(path, "student"))
    except ValidationError as e:
        raise InputError(f"{path}: {problems(e)}") from None


def mou_phase(engine: Engine, program: JointProgram) -> Phase | None:
    """The MOU's phase as the read model shows it; None when it is not known there."""
    item = queries.get_item(engine, program.agreement_id)
    if item is None:
        return None
    try:
        return Phase(item.phase)
    except ValueError:
        return None


def build_enrolment(engine: Engine, f: StudentFile) -> StudentRecordInput:
    definition = programs.get_program(engine, f.program_id)
    if definition is None:
        raise InputError(f"program_id: no program '{f.program_id}'; load its program file first")
    prog = definition.program
    if f.home_institution_id not in prog.institution_ids:
        raise InputError(f"home_institution_id: {f.home_institution_id} is not an institution of “{prog.name()}”")
    person = _People(engine).get(f.person, "person")
    phase = mou_phase(engine, prog)
    if phase is None:
        raise InputError(f"“{prog.name()}” rests on agreement {prog.agreement_id}, which Helix does not know")
    try:
        check_enrolment(prog, phase)
        record = StudentRecord(student_id=f.student_id, person=PersonRef.of(person), program_id=prog.id,
                               home_institution_id=f.home_institution_id, enrolled_term=f.enrolled_term,
                               terms_abroad=f.terms_abroad, posted=f.posted, thesis=f.thesis)  # fmt: skip
    except Rejected as e:
        raise InputError(str(e)) from None
    except ValidationError as e:
        raise InputError(problems(e)) from None
    tables = {i: programs.equivalency_table(engine, i) for i in prog.institution_ids}
    check_record(prog, definition.catalogs, tables, record)
    return StudentRecordInput(program=prog, catalogs=definition.catalogs, equivalencies=tables, roster=definition.roster,
                              record=record, mou_phase=phase)  # fmt: skip


def check_record(prog: JointProgram, catalogs: dict[str, Catalog], tables: dict[str, EquivalencyTable], record: StudentRecord) -> None:
    """Everything the record workflow will compute from the file, computed here first: a grade off a
    scale or an institution outside the program is the file's problem, reported now."""
    seen: set[str] = set()
    for i, t in enumerate(record.terms_abroad):
        field = f"terms_abroad.{i}"
        if t.institution_id not in prog.institution_ids:
            raise InputError(f"{field}.institution_id: {t.institution_id} is not an institution of “{prog.name()}”")
        if t.institution_id == record.home_institution_id:
            raise InputError(f"{field}.institution_id: {t.institution_id} is the home institution; a term abroad is at a partner")
        if term_index(t.term) < term_index(record.enrolled_term):
            raise InputError(f"{field}.term: {t.term} is before enrolment ({record.enrolled_term})")
        if t.term in seen:
            raise InputError(f"{field}.term: {t.term} is listed twice")
        seen.add(t.term)
    for i, c in enumerate(record.posted):
        field = f"posted.{i}"
        for name, inst in (("institution_id", c.institution_id), ("taken_at", c.taken_at)):
            if inst not in prog.institution_ids:
                raise InputError(f"{field}.{name}: {inst} is not an institution of “{prog.name()}”")
        try:
            prog.institution(c.institution_id).grading_scale.grade_for(c.grade)
        except Rejected as e:
            raise InputError(f"{field}.grade: {e}") from None
    for inst in record.thesis:
        if inst not in prog.institution_ids:
            raise InputError(f"thesis.{inst}: {inst} is not an institution of “{prog.name()}”")
    try:
        audit(record, prog, catalogs, tables)
    except (Rejected, ValueError) as e:
        raise InputError(f"the record cannot be audited: {e}") from None


async def enrol(client: Client, engine: Engine, f: StudentFile) -> str:
    """Start the student's record; a student already enrolled is an InputError, not a crash."""
    inp = build_enrolment(engine, f)
    wid = record_workflow_id(f.student_id)
    try:
        await client.start_workflow(StudentRecordWorkflow.run, inp, id=wid, task_queue=get_settings().task_queue,
                                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)  # fmt: skip
    except WorkflowAlreadyStartedError:
        raise InputError(f"student_id: a student '{f.student_id}' is already enrolled (or has completed)") from None
    return wid


# ---------------------------------------------------------------- actions

TRANSFER_ACTIONS: dict[str, tuple[Any, type[BaseModel]]] = {
    "decide_course": (CreditTransferWorkflow.decide_course, DecideCourseAction),
    "provide_information": (CreditTransferWorkflow.provide_information, ProvideInformationAction),
    "approve": (CreditTransferWorkflow.approve, StageAction),
    "return_to_department": (CreditTransferWorkflow.return_to_department, ReturnAction),
    "confirm_grades": (CreditTransferWorkflow.confirm_grades, StageAction),
    "authorize": (CreditTransferWorkflow.authorize, StageAction),
    "propose_change": (CreditTransferWorkflow.propose_change, ProposeChangeAction),
    "approve_change": (CreditTransferWorkflow.approve_change, ApproveChangeAction),
    "close_change": (CreditTransferWorkflow.close_change, CloseChangeAction),
}

RECORD_ACTIONS: dict[str, tuple[Any, type[BaseModel]]] = {
    "start_credit_transfer": (StudentRecordWorkflow.start_credit_transfer, StartTransferAction),
    "set_thesis_status": (StudentRecordWorkflow.set_thesis_status, ThesisAction),
    "add_term_abroad": (StudentRecordWorkflow.add_term_abroad, AddTermAction),
}


LIFECYCLE = Lifecycle(("credit-transfer-", TRANSFER_ACTIONS, "credit transfer"), ("student-", RECORD_ACTIONS, "student record"))


def parse_action(wid: str, name: str, data: dict[str, Any]) -> BaseModel:
    return LIFECYCLE.parse(wid, name, data)


async def act(client: Client, wid: str, name: str, action: BaseModel, update_id: str | None = None) -> Any:
    """Send one action as a workflow update; returns the workflow's result (with a `message`)."""
    return await LIFECYCLE.act(client, wid, name, action, update_id)
