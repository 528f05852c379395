"""Kim Minji's records for the document and export tests: mid-way, complete, and her 2026-fall learning agreement.

Built with the domain's own functions (pre-check, decisions, posting, audit), so the documents are
checked against the numbers the workflows would hold: DIR-620 (6 ZET, grade 5) posts at KNUA as
3 KR credits A+ counting as FP-501, VFX-630 (5 ZET, 4) as 2.5 KR credits B+ major elective.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.agreements import Phase
from domain.credit_transfer import CourseDecision, precheck
from domain.degree_audit import audit
from domain.learning_agreements import ChangeKind, ChangeReason, LearningAgreementChange, apply_change
from domain.student_record import RecordPhase, StudentRecordState, TransferRef, TransferStatus
from domain.students import PostedCredit, StudentRecord, ThesisStatus
from domain.terms import term_start
from domain.transfer_decisions import CourseDecisionLine, TransferStage, post_credits
from domain.transfer_state import ChangeProposal, CreditTransferState, ProposalStatus, Signoff, learning_agreement_from
from tests.domain.program_examples import CATALOGS, KNUA_TABLE, first_term_at_knua, native, program, student
from tests.domain.transfer_examples import ROSTER, almost_done, request

ISSUED = datetime(2027, 2, 15, 9, 0, tzinfo=UTC)
HOSTILE_TITLE = "<script>alert(1)</script> {{ 7*7 }}"


def decisions() -> list[CourseDecisionLine]:
    return [
        CourseDecisionLine(course_code="DIR-620", decision=CourseDecision.APPROVE),
        CourseDecisionLine(course_code="VFX-630", decision=CourseDecision.APPROVE_AS_ELECTIVE),
        CourseDecisionLine(course_code="SCR-540", decision=CourseDecision.REJECT, reason="content_mismatch",
                           comment="Series writing is not part of the KNUA curriculum"),
    ]  # fmt: skip


def fall_transferred() -> list[PostedCredit]:
    r, prog = request(), program()
    lines = precheck(r, prog, CATALOGS, KNUA_TABLE, term_start(r.term))
    return post_credits(r, lines, decisions())


def fall_at_vgik() -> list[PostedCredit]:
    return [
        native("vgik", "DIR-620", "Directing the Fiction Film", "6", "5", "2026-fall"),
        native("vgik", "VFX-630", "Neural Rendering and Visual Effects", "5", "4", "2026-fall"),
        native("vgik", "SCR-540", "Screenwriting for Series", "4.5", "4", "2026-fall"),
    ]


def record_state(record: StudentRecord, **kw: object) -> StudentRecordState:
    prog = program()
    s = StudentRecordState(program=prog, catalogs=CATALOGS, equivalencies={"knua": KNUA_TABLE}, roster=ROSTER, record=record,
                           mou_phase=Phase.ACTIVE, audits=audit(record, prog, CATALOGS, {"knua": KNUA_TABLE}))  # fmt: skip
    return s.model_copy(update=kw)


def midway(posted: list[PostedCredit] | None = None) -> StudentRecordState:
    """After her term at VGIK: 2026-spring at KNUA, 2026-fall at VGIK and transferred to KNUA; nothing complete."""
    record = student(posted=first_term_at_knua() + fall_at_vgik() + fall_transferred() if posted is None else posted)
    transfer = TransferRef(term="2026-fall", request_id="req-kim-2026-fall", workflow_id="transfer-req-kim-2026-fall",
                           status=TransferStatus.POSTED, requested_at=ISSUED - timedelta(days=30))  # fmt: skip
    return record_state(record, phase=RecordPhase.ENROLLED, transfers=[transfer])


def complete() -> StudentRecordState:
    """Every requirement of both degrees met, theses approved."""
    record = almost_done().model_copy(update={"thesis": {"knua": ThesisStatus.APPROVED, "vgik": ThesisStatus.APPROVED}})
    return record_state(record, phase=RecordPhase.COMPLETE, completed_at=ISSUED)


def transfer_state(stage: TransferStage = TransferStage.PARTNER_REGISTRAR) -> CreditTransferState:
    """The 2026-fall transfer with one approved change (CAM-610 added), one pending (drop SCR-540) and a sign-off."""
    r, prog = request(), program()
    la = learning_agreement_from(r)
    added = LearningAgreementChange(proposal_id="add-cam-610", kind=ChangeKind.ADD, course_code="CAM-610",
                                    title="Light and Colour in Cinematography", reason=ChangeReason.TIMETABLE_CLASH,
                                    base_revision=0, proposed_by="kim-minji")  # fmt: skip
    dropped = LearningAgreementChange(proposal_id="drop-scr-540", kind=ChangeKind.DROP, course_code="SCR-540",
                                      reason=ChangeReason.OTHER, comment="Clashes with the thesis shoot", base_revision=1,
                                      proposed_by="kim-minji")  # fmt: skip
    la = apply_change(la, added)
    at = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)
    return CreditTransferState(
        program=prog, catalogs=CATALOGS, equivalencies=KNUA_TABLE, record=student(), request=r, roster=ROSTER,
        learning_agreement=la, stage=stage, revision=7, lines=precheck(r, prog, CATALOGS, KNUA_TABLE, term_start(r.term)),
        decisions=decisions(), decided_by={"dir-620": "knua-dept", "vfx-630": "knua-dept", "scr-540": "knua-dept"},
        proposals=[
            ChangeProposal(change=added, status=ProposalStatus.APPROVED, proposed_at=at, approved_by="knua-dept"),
            ChangeProposal(change=dropped, proposed_at=at + timedelta(days=10)),
        ],
        signoffs=[Signoff(stage=TransferStage.HOME_REGISTRAR, person_id="knua-registrar", person_name="Knua Registrar",
                          at=datetime(2027, 2, 1, 8, 30, tzinfo=UTC), comment="Decisions checked")],
        created_at=datetime(2026, 9, 1, 12, 0, tzinfo=UTC),
    )  # fmt: skip
