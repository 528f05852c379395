"""Who may act on a credit transfer, at which stage: the checks behind every update validator.

The roles of the chain and the stage each may act in are declared as data (`STAGE_ROLES`), next
to each other, so the page that offers a button and the workflow that accepts the click read the
same table. Each `check_*` reads the state, never changes it, and returns what the handler needs
or raises `Rejected` with a sentence the person can act on.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import ValidationError

from domain.agreement_rules import Rejected
from domain.agreements import Phase
from domain.catalogs import code_key
from domain.credit_transfer import CourseDecision, CreditTransferRequest
from domain.learning_agreements import LearningAgreementChange, check_change, check_change_approval
from domain.parties import PersonRef
from domain.programs import ENROLLING_PHASES, JointProgram
from domain.transfer_decisions import CourseDecisionLine, TransferStage, check_decisions
from domain.transfer_state import (
    ApproveChangeAction,
    ChangeProposal,
    CloseChangeAction,
    CreditTransferState,
    DecideCourseAction,
    InfoRequest,
    ProgramRoster,
    ProposeChangeAction,
    ProvideInformationAction,
    ReturnAction,
    StageAction,
)


class TransferRole(StrEnum):
    STUDENT = "student"
    COORDINATOR = "coordinator"
    DEPARTMENT = "department"  # the home department's reviewers
    HOME_REGISTRAR = "home_registrar"
    PARTNER_REGISTRAR = "partner_registrar"
    MINISTRY = "ministry"


ROLE_NAMES = {
    TransferRole.STUDENT: "the student",
    TransferRole.COORDINATOR: "the program's coordinators",
    TransferRole.DEPARTMENT: "the home department's reviewers",
    TransferRole.HOME_REGISTRAR: "the home registrar",
    TransferRole.PARTNER_REGISTRAR: "the partner's registrar",
    TransferRole.MINISTRY: "the ministry's officers",
}

# Who moves each stage on. The department alone decides courses, the home registrar alone approves
# or returns them, and so on: nobody acts for another stage, whatever else they may hold.
STAGE_ROLES = {
    TransferStage.DEPARTMENT: TransferRole.DEPARTMENT,
    TransferStage.HOME_REGISTRAR: TransferRole.HOME_REGISTRAR,
    TransferStage.PARTNER_REGISTRAR: TransferRole.PARTNER_REGISTRAR,
    TransferStage.MINISTRY: TransferRole.MINISTRY,
}

STAGE_NAMES = {
    TransferStage.PRECHECK: "automatic pre-check",
    TransferStage.DEPARTMENT: "home department's decisions",
    TransferStage.HOME_REGISTRAR: "home registrar's approval",
    TransferStage.PARTNER_REGISTRAR: "partner registrar's confirmation of the grades",
    TransferStage.MINISTRY: "ministry's authorization",
    TransferStage.POSTED: "posted credits",
}

# Who may propose learning-agreement changes and answer the department's questions.
STUDENT_SIDE = {TransferRole.STUDENT, TransferRole.COORDINATOR}


def people(state: CreditTransferState, role: TransferRole) -> tuple[PersonRef, ...]:
    r = state.roster
    return {
        TransferRole.STUDENT: (state.student,),
        TransferRole.COORDINATOR: r.coordinators,
        TransferRole.DEPARTMENT: r.at(state.home_id).department_reviewers,
        TransferRole.HOME_REGISTRAR: r.at(state.home_id).registrars,
        TransferRole.PARTNER_REGISTRAR: r.at(state.partner_id).registrars,
        TransferRole.MINISTRY: r.ministry_officers if state.program.requires_ministry_authorization else (),
    }[role]


def roles_of(state: CreditTransferState, actor_id: str) -> set[TransferRole]:
    return {role for role in TransferRole if any(p.id == actor_id for p in people(state, role))}


def person(state: CreditTransferState, actor_id: str) -> PersonRef:
    for role in TransferRole:
        found = next((p for p in people(state, role) if p.id == actor_id), None)
        if found is not None:
            return found
    raise Rejected(f"{actor_id} takes no part in credit transfer {state.request.id}.")


def _require(state: CreditTransferState, actor_id: str, allowed: set[TransferRole], what: str) -> PersonRef:
    p = person(state, actor_id)
    if not roles_of(state, actor_id) & allowed:
        who = " or ".join(ROLE_NAMES[r] for r in TransferRole if r in allowed)
        raise Rejected(f"{p.name} cannot {what}: only {who} can.")
    return p


def _at_stage(state: CreditTransferState, stage: TransferStage, what: str) -> None:
    if state.stage is not stage:
        raise Rejected(
            f"You cannot {what} now: the request is at the stage of the {STAGE_NAMES[state.stage]},"
            f" not of the {STAGE_NAMES[stage]}."
        )


def check_revision(state: CreditTransferState, expected: int | None) -> None:
    """Refuse an action taken on a page that no longer shows the request as it is."""
    if expected is not None and expected != state.revision:
        raise Rejected(
            f"Conflict: you acted on revision {expected} of credit transfer {state.request.id}, but it is now at"
            f" revision {state.revision}. Please reload it and look again."
        )


def readable(e: ValidationError) -> str:
    """pydantic's errors as one sentence a person reads (without its 'Value error, ' prefixes)."""
    msgs = [str(err["msg"]).removeprefix("Value error, ") for err in e.errors()]
    text = "; ".join(dict.fromkeys(msgs))
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# ---------------------------------------------------------------- the chain


def check_decide(state: CreditTransferState, a: DecideCourseAction) -> tuple[PersonRef, CourseDecisionLine]:
    p = _require(state, a.actor_id, {TransferRole.DEPARTMENT}, "decide on courses")
    _at_stage(state, TransferStage.DEPARTMENT, "decide on courses")
    check_revision(state, a.expected_revision)
    try:
        line = a.line()
    except ValidationError as e:
        raise Rejected(readable(e)) from None
    check_decisions(state.request, state.lines, [line], state.catalogs[state.home_id])
    if line.decision is CourseDecision.ASK_FOR_INFORMATION and state.open_question(line.course_code) is not None:
        raise Rejected(f"A question on {line.course_code} is already waiting for the student's answer.")
    return p, line


def check_provide_information(state: CreditTransferState, a: ProvideInformationAction) -> tuple[PersonRef, InfoRequest]:
    p = _require(state, a.actor_id, STUDENT_SIDE, "answer the department's questions")
    _at_stage(state, TransferStage.DEPARTMENT, "answer the department's questions")
    question = state.open_question(a.course_code)
    if question is None:
        raise Rejected(f"No question on {a.course_code} is waiting for an answer.")
    return p, question


def check_home_approve(state: CreditTransferState, a: StageAction) -> PersonRef:
    p = _require(state, a.actor_id, {TransferRole.HOME_REGISTRAR}, "approve the department's decisions")
    _at_stage(state, TransferStage.HOME_REGISTRAR, "approve the department's decisions")
    check_revision(state, a.expected_revision)
    return p


def check_return(state: CreditTransferState, a: ReturnAction) -> tuple[PersonRef, list[str]]:
    """The registrar returns decisions to the department; returns the course codes to decide again."""
    p = _require(state, a.actor_id, {TransferRole.HOME_REGISTRAR}, "return decisions to the department")
    _at_stage(state, TransferStage.HOME_REGISTRAR, "return decisions to the department")
    check_revision(state, a.expected_revision)
    known = {code_key(c.course_code): c.course_code for c in state.request.courses}
    unknown = [c for c in a.course_codes if code_key(c) not in known]
    if unknown:
        raise Rejected(
            f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not among the courses of request {state.request.id}."
        )
    return p, [known[code_key(c)] for c in a.course_codes] or list(known.values())


def check_confirm_grades(state: CreditTransferState, a: StageAction) -> PersonRef:
    p = _require(state, a.actor_id, {TransferRole.PARTNER_REGISTRAR}, "confirm the grades")
    _at_stage(state, TransferStage.PARTNER_REGISTRAR, "confirm the grades")
    check_revision(state, a.expected_revision)
    return p


def check_authorize(state: CreditTransferState, a: StageAction) -> PersonRef:
    if not state.program.requires_ministry_authorization:
        raise Rejected(f"“{state.program.name()}” needs no ministry authorization.")
    p = _require(state, a.actor_id, {TransferRole.MINISTRY}, "authorize the transfer")
    _at_stage(state, TransferStage.MINISTRY, "authorize the transfer")
    check_revision(state, a.expected_revision)
    return p


# ---------------------------------------------------------------- learning-agreement changes


def check_propose_change(state: CreditTransferState, a: ProposeChangeAction) -> tuple[PersonRef, LearningAgreementChange]:
    p = _require(state, a.actor_id, STUDENT_SIDE, "propose learning-agreement changes")
    if state.stage is TransferStage.POSTED:
        raise Rejected("The credits are posted; the learning agreement of this term can no longer change.")
    try:
        change = a.change()
    except ValidationError as e:
        raise Rejected(readable(e)) from None
    if any(x.change.proposal_id == a.proposal_id for x in state.proposals):
        raise Rejected(f"A proposal {a.proposal_id} already exists; give the new one its own id.")
    check_change(state.learning_agreement, change, state.catalogs[state.partner_id])
    return p, change


def check_approve_change(
    state: CreditTransferState, a: ApproveChangeAction, *, strict: bool = True
) -> tuple[PersonRef, ChangeProposal]:
    """`strict`: refuse once the credits are posted (as proposing is); workflows replaying an older
    history pass False in the handler (see `workflows/credit_transfer.py`)."""
    p = _require(state, a.actor_id, {TransferRole.DEPARTMENT}, "approve learning-agreement changes")
    if strict and state.stage is TransferStage.POSTED:
        raise Rejected("The credits are posted; the learning agreement of this term can no longer change.")
    proposal = next((x for x in state.pending_proposals() if x.change.proposal_id == a.proposal_id), None)
    if proposal is None:
        raise Rejected(f"No pending learning-agreement proposal {a.proposal_id}.")
    check_change_approval(state.learning_agreement.revision, proposal.change, last_change=state.last_approved_change())
    check_change(state.learning_agreement, proposal.change, state.catalogs[state.partner_id])
    return p, proposal


def check_close_change(state: CreditTransferState, a: CloseChangeAction) -> tuple[PersonRef, ChangeProposal, bool]:
    """Withdraw (the student, a coordinator, or whoever proposed it) or decline (the department,
    with a reason the student reads) a pending proposal; returns whether it is a withdrawal."""
    if a.decline:
        p = _require(state, a.actor_id, {TransferRole.DEPARTMENT}, "decline learning-agreement changes")
    else:
        p = _require(state, a.actor_id, STUDENT_SIDE, "withdraw learning-agreement changes")
    proposal = next((x for x in state.pending_proposals() if x.change.proposal_id == a.proposal_id), None)
    if proposal is None:
        raise Rejected(f"No pending learning-agreement proposal {a.proposal_id}.")
    if a.decline and not a.reason.strip():
        raise Rejected(f"Say why “{proposal.change.summary}” is declined: the student reads the reason.")
    return p, proposal, not a.decline


# ---------------------------------------------------------------- before a transfer starts


def roster_problems(program: JointProgram, roster: ProgramRoster, request: CreditTransferRequest) -> list[str]:
    """Why nobody could act at some stage of `request`, one line each; empty when every stage has someone."""
    out: list[str] = []
    home, partner = roster.at(request.credited_at), roster.at(request.taken_at)
    if not home.department_reviewers:
        out.append(f"No department reviewer of {request.credited_at} is named to decide the courses.")
    if not home.registrars:
        out.append(f"No registrar of {request.credited_at} is named to approve the decisions.")
    if not partner.registrars:
        out.append(f"No registrar of {request.taken_at} is named to confirm the grades.")
    if program.requires_ministry_authorization and not roster.ministry_officers:
        out.append("The program requires ministry authorization, but no ministry officer is named.")
    return out


def check_transfers_open(program: JointProgram, mou_phase: Phase) -> None:
    """New transfer requests are taken only while the program's MOU is in force."""
    if mou_phase in ENROLLING_PHASES:
        return
    raise Rejected(
        f"New credit transfer requests for “{program.name()}” are not accepted: its agreement {program.agreement_id}"
        f" is {mou_phase.value.replace('_', ' ')}, not active."
    )
