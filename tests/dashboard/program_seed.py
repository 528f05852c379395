"""The joint-program part of the seeded read model: the KNUA–VGIK dual MFA, three students, two transfers.

Built from the domain's worked examples (`tests/domain/program_examples.py`, `transfer_examples.py`)
with real `StudentRecordState` / `CreditTransferState` objects, projected the way the workflows do:

- Kim Minji (KNUA, abroad at VGIK in 2026-fall): her 2026-fall transfer is with the KNUA department,
  12 days old: DIR-620 approved, a question on SCR-540 awaiting her answer, VFX-630 undecided, and a
  pending learning-agreement change (add CAM-610).
- Lee Dohyun (KNUA): his 2026-fall transfer waits for the KNUA registrar's approval, 30 days old.
- Park Seoyeon (KNUA): both degrees complete; final transcript and certificate issued.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from domain.agreements import Event, Phase
from domain.credit_transfer import CourseDecision, CreditTransferRequest, RejectReason, precheck
from domain.degree_audit import audit
from domain.human_steps import OpenStep, StepKind
from domain.learning_agreements import ChangeKind, ChangeReason, LearningAgreementChange
from domain.parties import Organisation, OrganisationKind, Person, PersonRef, Role, RoleGrant
from domain.readmodel import ItemDocument, ItemParty, ItemSnapshot
from domain.student_record import RecordPhase, StudentRecordState, TransferRef
from domain.students import StudentRecord, ThesisStatus
from domain.terms import term_start
from domain.transfer_decisions import CourseDecisionLine, TransferStage
from domain.transfer_state import (
    ChangeProposal,
    CreditTransferState,
    InfoRequest,
    InstitutionStaff,
    ProgramRoster,
    learning_agreement_from,
)
from store import accounts, directory
from store.blobs import BlobStore
from store.programs import ProgramDefinition, save_equivalencies, save_program
from store.projections import project_item
from tests.domain.program_examples import CATALOGS, KNUA_TABLE, first_term_at_knua, native, program, student
from tests.domain.transfer_examples import ROSTER, almost_done, request

NOW = datetime.now(UTC).replace(microsecond=0)
PROGRAM_ID = "knua-vgik-film-ai"
PASSWORD = "helix-demo"

MINJI = "student-kim-minji"
DOHYUN = "student-lee-dohyun"
SEOYEON = "student-park-seoyeon"
MINJI_FALL = "credit-transfer-kim-minji-2026-fall"
DOHYUN_FALL = "credit-transfer-lee-dohyun-2026-fall"

KNUA = Organisation(
    id="knua",
    names={"en": "Korea National University of Arts", "ko": "한국예술종합학교"},
    kind=OrganisationKind.UNIVERSITY,
    country="KR",
)

# (id, name, organisation, roles, username); ids are those of the examples' roster.
PEOPLE: list[tuple[str, str, str, list[RoleGrant], str | None]] = [
    (
        "park-coordinator",
        "Park Jiwon",
        "knua",
        [RoleGrant(role=Role.PROGRAM_COORDINATOR, organisation_id="knua")],
        "t.coordinator.knua",
    ),
    ("knua-dept", "Choi Eunji", "knua", [RoleGrant(role=Role.DEPARTMENT_REVIEWER, organisation_id="knua")], "t.dept.knua"),
    ("knua-registrar", "Yoon Hana", "knua", [RoleGrant(role=Role.REGISTRAR, organisation_id="knua")], "t.registrar.knua"),
    ("vgik-dept", "Olga Smirnova", "vgik", [RoleGrant(role=Role.DEPARTMENT_REVIEWER, organisation_id="vgik")], None),
    ("vgik-registrar", "Dmitry Orlov", "vgik", [RoleGrant(role=Role.REGISTRAR, organisation_id="vgik")], "t.registrar.vgik"),
    ("kim-minji-knua", "Kim Minji", "knua", [RoleGrant(role=Role.STUDENT, organisation_id="knua")], "t.student.minji"),
    ("lee-dohyun", "Lee Dohyun", "knua", [RoleGrant(role=Role.STUDENT, organisation_id="knua")], "t.student.dohyun"),
    ("park-seoyeon", "Park Seoyeon", "knua", [RoleGrant(role=Role.STUDENT, organisation_id="knua")], None),
]


def _people(engine: Engine) -> dict[str, PersonRef]:
    directory.upsert_organisation(engine, KNUA)
    refs: dict[str, PersonRef] = {}
    for pid, name, org, roles, username in PEOPLE:
        person = Person(id=pid, name=name, email=f"{pid}@demo.helix.example", organisation_id=org, roles=tuple(roles))
        directory.upsert_person(engine, person)
        if username:
            accounts.create_account(engine, username, pid, PASSWORD)
        refs[pid] = PersonRef.of(person)
    return refs


def _roster(refs: dict[str, PersonRef], engine: Engine) -> ProgramRoster:
    """The examples' roster, with the directory's people (and the demo board) behind the same ids."""
    board = directory.get_person(engine, "board-ahmed")
    liaisons = {i: directory.get_person(engine, p) for i, p in (("knua", "kim-minji"), ("vgik", "ivanova-anna"))}
    staff = {
        inst: InstitutionStaff(
            department_reviewers=tuple(refs[p.id] for p in s.department_reviewers),
            registrars=tuple(refs[p.id] for p in s.registrars),
            liaison=PersonRef.of(liaisons[inst]) if liaisons[inst] else None,
        )
        for inst, s in ROSTER.staff.items()
    }
    return ProgramRoster(
        staff=staff,
        coordinators=tuple(refs[p.id] for p in ROSTER.coordinators),
        board=(PersonRef.of(board),) if board else (),
    )


def _event(seq: int, days_ago: float, kind: str, actor: PersonRef | None, detail: str) -> Event:
    return Event(
        seq=seq,
        at=NOW - timedelta(days=days_ago),
        kind=kind,
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else None,
        detail=detail,
    )


def _parties(state: StudentRecordState | CreditTransferState, home: str) -> list[ItemParty]:
    prog = state.program
    ids = prog.institution_ids if isinstance(state, StudentRecordState) else [state.home_id, state.partner_id]
    return [
        ItemParty(
            organisation_id=i,
            country=prog.institution(i).country,
            role="home" if i == home else "partner",
            name=prog.institution(i).name(),
        )
        for i in ids
    ]


def _project_record(engine: Engine, state: StudentRecordState, events: list[Event], docs: list[ItemDocument] = ()) -> None:  # type: ignore[assignment]
    state.projected_seq = state.event_count = len(events)
    item = ItemSnapshot(
        item_id=f"student-{state.record.student_id}",
        item_type="student",
        kind=state.program.id,
        title=f"{state.record.person.name} — {state.program.name()}",
        phase=state.phase.value,
        parties=_parties(state, state.record.home_institution_id),
        summary=state.summary(),
        detail=state.model_dump(mode="json", exclude={"events"}),
        projected_seq=state.projected_seq,
        created_at=state.enrolled_at,
        closed_at=state.completed_at,
    )
    project_item(engine, item, [], events, list(docs))


def project_transfer(engine: Engine, wid: str, state: CreditTransferState, events: list[Event]) -> None:
    state.projected_seq = max(e.seq for e in events)
    state.events = events
    partner = state.program.institution(state.partner_id).name()
    item = ItemSnapshot(
        item_id=wid,
        item_type="credit_transfer",
        kind=state.request.term,
        title=f"Credit transfer {state.request.term}: {state.student.name}, {partner}",
        phase=state.stage.value,
        parties=_parties(state, state.home_id),
        summary=state.summary(),
        detail=state.model_dump(mode="json", exclude={"events"}),
        projected_seq=state.projected_seq,
        created_at=state.created_at,
    )
    project_item(engine, item, state.steps, events)


def _step(step_id: str, kind: StepKind, label: str, org: str, awaited: list[PersonRef], opened_days_ago: float) -> OpenStep:
    opened = NOW - timedelta(days=opened_days_ago)
    return OpenStep(
        step_id=step_id,
        kind=kind,
        label=label,
        organisation_id=org,
        country={"knua": "KR", "vgik": "RU"}[org],
        awaited=awaited,
        opened_at=opened,
        due_at=opened + timedelta(days=14),
    )


def _record_state(
    record: StudentRecord, roster: ProgramRoster, phase: RecordPhase, enrolled_days_ago: float
) -> StudentRecordState:
    prog = program()
    tables = {"knua": KNUA_TABLE}
    return StudentRecordState(
        program=prog,
        catalogs=CATALOGS,
        equivalencies=tables,
        roster=roster,
        record=record,
        mou_phase=Phase.ACTIVE,
        phase=phase,
        audits=audit(record, prog, CATALOGS, tables),
        enrolled_at=NOW - timedelta(days=enrolled_days_ago),
    )


def _transfer_state(
    record: StudentRecord, req: CreditTransferRequest, roster: ProgramRoster, stage: TransferStage, created_days_ago: float
) -> CreditTransferState:
    prog = program()
    return CreditTransferState(
        program=prog,
        catalogs=CATALOGS,
        equivalencies=KNUA_TABLE,
        record=record,
        request=req,
        roster=roster,
        learning_agreement=learning_agreement_from(req),
        stage=stage,
        lines=precheck(req, prog, CATALOGS, KNUA_TABLE, term_start(req.term), posted=record.posted),
        created_at=NOW - timedelta(days=created_days_ago),
    )


def minji(engine: Engine, refs: dict[str, PersonRef], roster: ProgramRoster) -> None:
    me, dept, coord = refs["kim-minji-knua"], refs["knua-dept"], refs["park-coordinator"]
    vgik_fall = [
        native("vgik", "DIR-620", "Directing the Fiction Film", "6", "5", "2026-fall"),
        native("vgik", "VFX-630", "Neural Rendering and Visual Effects", "5", "4", "2026-fall"),
    ]
    record = student(posted=first_term_at_knua() + vgik_fall, person=me)
    req = request(student_id="kim-minji")
    t = _transfer_state(record, req, roster, TransferStage.DEPARTMENT, 12)
    asked_at = NOW - timedelta(days=3)
    t.decisions = [
        CourseDecisionLine(course_code="DIR-620", decision=CourseDecision.APPROVE),
        CourseDecisionLine(
            course_code="SCR-540",
            decision=CourseDecision.ASK_FOR_INFORMATION,
            comment="How many contact hours did SCR-540 have?",
        ),
    ]
    t.decided_by = {"dir-620": dept.id, "scr-540": dept.id}
    t.info = [
        InfoRequest(
            course_code="SCR-540",
            question="How many contact hours did SCR-540 have?",
            asked_by=dept.id,
            asked_at=asked_at,
            seq=4,
        )
    ]
    change = LearningAgreementChange(
        proposal_id="add-cam-610",
        kind=ChangeKind.ADD,
        course_code="CAM-610",
        title="Light and Colour in Cinematography",
        reason=ChangeReason.TIMETABLE_CLASH,
        base_revision=0,
        proposed_by=me.id,
    )
    t.proposals = [ChangeProposal(change=change, proposed_at=NOW - timedelta(days=2))]
    t.revision = 5
    t.steps = [
        _step("department-r1", StepKind.DECIDE, "Decide on VFX-630", "knua", [dept], 12),
        _step("info-scr-540-4", StepKind.ANSWER, "Answer the department's question on SCR-540", "knua", [me, coord], 3),
        _step("la-change-add-cam-610", StepKind.APPROVE, "Approve learning-agreement change: add CAM-610 (timetable clash)",
              "knua", [dept], 2),
    ]  # fmt: skip
    events = [
        _event(1, 12, "requested", me, "3 courses taken at VGIK in 2026-fall"),
        _event(2, 12, "prechecked", None, "2 of 3 courses have an equivalency in force."),
        _event(3, 4, "course_decided", dept, "DIR-620: approve"),
        _event(4, 3, "information_requested", dept, "SCR-540: How many contact hours did SCR-540 have?"),
        _event(5, 2, "change_proposed", me, "add CAM-610 (timetable clash)"),
    ]
    project_transfer(engine, MINJI_FALL, t, events)

    state = _record_state(record, roster, RecordPhase.ABROAD, 280)
    state.transfers = [
        TransferRef(term="2026-fall", request_id=req.id, workflow_id=MINJI_FALL, requested_at=NOW - timedelta(days=12))
    ]
    _project_record(
        engine,
        state,
        [
            _event(1, 280, "enrolled", coord, "Enrolled in 2026-spring at KNUA"),
            _event(2, 12, "transfer_requested", me, f"{req.id}: 3 courses of 2026-fall at VGIK"),
        ],
    )


def dohyun(engine: Engine, refs: dict[str, PersonRef], roster: ProgramRoster) -> None:
    me, dept, registrar = refs["lee-dohyun"], refs["knua-dept"], refs["knua-registrar"]
    record = student(student_id="lee-dohyun", person=me)
    req = request(student_id="lee-dohyun", id="req-lee-2026-fall")
    t = _transfer_state(record, req, roster, TransferStage.HOME_REGISTRAR, 30)
    t.decisions = [
        CourseDecisionLine(course_code="DIR-620", decision=CourseDecision.APPROVE),
        CourseDecisionLine(course_code="VFX-630", decision=CourseDecision.APPROVE_AS_ELECTIVE),
        CourseDecisionLine(course_code="SCR-540", decision=CourseDecision.REJECT, reason=RejectReason.CONTENT_MISMATCH),
    ]
    t.decided_by = {"dir-620": dept.id, "vfx-630": dept.id, "scr-540": dept.id}
    t.revision = 4
    t.steps = [_step("home-registrar-r1", StepKind.APPROVE, "Approve the department's decisions", "knua", [registrar], 5)]
    events = [
        _event(1, 30, "requested", me, "3 courses taken at VGIK in 2026-fall"),
        _event(2, 30, "prechecked", None, "2 of 3 courses have an equivalency in force."),
        _event(3, 5, "department_decided", dept, "DIR-620 approved; VFX-630 approved as elective; SCR-540 rejected"),
    ]
    project_transfer(engine, DOHYUN_FALL, t, events)
    state = _record_state(record, roster, RecordPhase.ENROLLED, 280)
    state.transfers = [
        TransferRef(term="2026-fall", request_id=req.id, workflow_id=DOHYUN_FALL, requested_at=NOW - timedelta(days=30))
    ]
    _project_record(engine, state, [_event(1, 280, "enrolled", refs["park-coordinator"], "Enrolled in 2026-spring at KNUA")])


def seoyeon(engine: Engine, refs: dict[str, PersonRef], roster: ProgramRoster, blobs: BlobStore) -> None:
    me = refs["park-seoyeon"]
    done = almost_done()
    record = done.model_copy(
        update={
            "student_id": "park-seoyeon",
            "person": me,
            "thesis": {"knua": ThesisStatus.APPROVED, "vgik": ThesisStatus.APPROVED},
        }
    )
    state = _record_state(record, roster, RecordPhase.COMPLETE, 600)
    state.completed_at = NOW - timedelta(days=1)
    docs = [
        ItemDocument(
            sha256=blobs.put(b"%PDF-1.7 fake final transcript"),
            kind="transcript",
            label="Joint transcript",
            pages=2,
            created_at=state.completed_at,
        ),
        ItemDocument(
            sha256=blobs.put(b"%PDF-1.7 fake certificate"),
            kind="certificate",
            label="Dual-degree certificate",
            pages=1,
            created_at=state.completed_at,
        ),
    ]
    state.documents = docs
    _project_record(
        engine,
        state,
        [
            _event(1, 600, "enrolled", refs["park-coordinator"], "Enrolled in 2026-spring at KNUA"),
            _event(2, 1, "degrees_complete", None, "Every degree's requirements are met"),
            _event(3, 1, "documents_issued", None, "Joint transcript and dual-degree certificate issued"),
        ],
        docs,
    )


def seed_programs(engine: Engine, blobs: BlobStore) -> None:
    refs = _people(engine)
    roster = _roster(refs, engine)
    prog = program()
    save_program(engine, ProgramDefinition(program=prog, catalogs=CATALOGS, roster=roster))
    save_equivalencies(engine, KNUA_TABLE.entries, source="program file")
    minji(engine, refs, roster)
    dohyun(engine, refs, roster)
    seoyeon(engine, refs, roster, blobs)
