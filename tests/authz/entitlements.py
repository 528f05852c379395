"""Who is entitled to each human action of every lifecycle: the authorization table, written from
the product's rules (README, docs/architecture.md, the docstrings of the workflows and of
`domain.access`), not from the checks it tests.

Each rule reads two things only: the person as the directory describes them (`Person`, with the
roles they hold and for which organisation or country), and the *facts* of the item at that step,
in the product's words — who is named on it, which party has approved or signed, which stage it is
at. Facts are filled in by the scenario builders (`tests.authz.scenarios`) from the same choices
that shape the workflow state, never by calling the rules under test.

The rule of thumb throughout: a role held somewhere is never enough. A person must hold the role
*for that item's* organisation or country and be the one the item names for the step — an approver
of THAT party, the liaison of THAT country, a reviewer assigned to THAT application, a member of
THAT fund's board, the student of THAT record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from domain.parties import Person, Role

# ---------------------------------------------------------------- the table's shape


@dataclass(frozen=True)
class Entitlement:
    who: str  # in words, for the docs
    when: str
    rule: Callable[[Person, Any, Any], bool]  # (person, facts, the action sent) → entitled


def named(person: Person, ids: tuple[str, ...] | frozenset[str] | set[str], role: Role, organisation_id: str | None = None,
          country: str | None = None) -> bool:  # fmt: skip
    """Named on the item for the step, and holding the role for that organisation or country."""
    return person.id in ids and person.holds(role, organisation_id=organisation_id, country=country)


# ---------------------------------------------------------------- agreements


@dataclass(frozen=True)
class PartyFacts:
    organisation: str
    country: str
    approvers: tuple[str, ...]  # named on the agreement for the party
    signatories: tuple[str, ...]
    signer: str  # who signs for it now: the designated signatory, or the one signing was delegated to
    liaison: str | None
    group: int = 0
    approved: bool = False  # has given its approval of the current version
    signed: bool = False  # has signed (this term)


@dataclass(frozen=True)
class AgreementFacts:
    phase: str
    initiator: str
    parties: tuple[PartyFacts, ...]
    signing_mode: str = "parallel"
    executed: bool = False

    def taking_part(self) -> set[str]:
        ids = {self.initiator}
        for p in self.parties:
            ids |= {*p.approvers, *p.signatories}
            if p.liaison:
                ids.add(p.liaison)
        return ids

    def turn(self) -> list[PartyFacts]:
        """The parties whose signature is awaited now, by the signing mode."""
        unsigned = [p for p in self.parties if not p.signed]
        if not unsigned:
            return []
        if self.signing_mode == "sequential":
            return unsigned[:1]
        if self.signing_mode == "groups":
            first = min(p.group for p in unsigned)
            return [p for p in unsigned if p.group == first]
        return unsigned


NEGOTIATION = {"draft", "review", "approval", "signing"}
IN_FORCE = {"pending", "active", "renewal"}


def _approver(person: Person, f: AgreementFacts) -> bool:
    return any(named(person, p.approvers, Role.APPROVER, p.organisation) for p in f.parties)


def _signing_for(person: Person, f: AgreementFacts) -> PartyFacts | None:
    """The party the person signs for now, if its turn has come."""
    if f.phase != "signing":
        return None
    return next((p for p in f.turn() if p.signer == person.id and person.holds(Role.SIGNATORY, organisation_id=p.organisation)), None)


def _may_delegate(person: Person, f: AgreementFacts, a: Any) -> bool:
    party = _signing_for(person, f)
    return party is not None and a.to_person_id in party.signatories and a.to_person_id != person.id


AGREEMENT: dict[str, Entitlement] = {
    "comment": Entitlement(
        "anyone taking part: the initiator, each party's named approvers and signatories, each party's country liaison",
        "draft, review or approval",
        lambda p, f, a: f.phase in {"draft", "review", "approval"} and p.id in f.taking_part(),
    ),
    "revise": Entitlement(
        "the initiator; or an approver named for a party (holding the approver role for it)",
        "the initiator in draft, review or approval; an approver in review or approval",
        lambda p, f, a: (p.id == f.initiator and f.phase in {"draft", "review", "approval"})
        or (_approver(p, f) and f.phase in {"review", "approval"}),
    ),
    "open_review": Entitlement("the initiator", "draft", lambda p, f, a: p.id == f.initiator and f.phase == "draft"),
    "close_review": Entitlement("the initiator", "review", lambda p, f, a: p.id == f.initiator and f.phase == "review"),
    "approve": Entitlement(
        "an approver named for THAT party and holding the approver role for its organisation",
        "approval, while the party has not yet approved the current version",
        lambda p, f, a: f.phase == "approval"
        and any(named(p, x.approvers, Role.APPROVER, x.organisation) and not x.approved for x in f.parties),
    ),
    "sign": Entitlement(
        "the party's designated signatory (or whom they delegated signing to), a signatory of THAT organisation",
        "signing, when the party's turn has come (sequential, groups) and it has not yet signed",
        lambda p, f, a: _signing_for(p, f) is not None,
    ),
    "decline": Entitlement(
        "whoever may sign for the party now", "signing, at the party's turn", lambda p, f, a: _signing_for(p, f) is not None
    ),
    "delegate": Entitlement(
        "whoever may sign for the party now, to another signatory of the same organisation (not to themselves)",
        "signing, at the party's turn",
        _may_delegate,
    ),
    "void": Entitlement(
        "the initiator",
        "draft, review, approval or signing, never once executed (a renewal is ended by declining, the agreement by notice)",
        lambda p, f, a: p.id == f.initiator and f.phase in NEGOTIATION and not f.executed,
    ),
    "renew": Entitlement("the initiator", "the renewal window", lambda p, f, a: p.id == f.initiator and f.phase == "renewal"),
    "terminate": Entitlement(
        "the initiator, or a signatory named for any party (holding the signatory role for it)",
        "pending, active or the renewal window",
        lambda p, f, a: f.phase in IN_FORCE
        and (p.id == f.initiator or any(named(p, x.signatories, Role.SIGNATORY, x.organisation) for x in f.parties)),
    ),
}

# ---------------------------------------------------------------- joint programs: the student record


@dataclass(frozen=True)
class RecordFacts:
    student: str  # the student's person id
    coordinators: tuple[str, ...]  # the program's roster
    institutions: tuple[str, ...]
    mou_active: bool
    complete: bool


def _coordinator(person: Person, coordinators: tuple[str, ...], institutions: tuple[str, ...]) -> bool:
    return person.id in coordinators and any(person.holds(Role.PROGRAM_COORDINATOR, organisation_id=i) for i in institutions)


RECORD: dict[str, Entitlement] = {
    "start_credit_transfer": Entitlement(
        "the student of THAT record, or a coordinator of the program (either university)",
        "while the program's MOU is in force and the degrees are not complete",
        lambda p, f, a: f.mou_active and not f.complete
        and (p.id == f.student or _coordinator(p, f.coordinators, f.institutions)),
    ),
    "set_thesis_status": Entitlement(
        "a coordinator of the program", "until the degrees are complete",
        lambda p, f, a: not f.complete and _coordinator(p, f.coordinators, f.institutions),
    ),
    "add_term_abroad": Entitlement(
        "a coordinator of the program", "until the degrees are complete",
        lambda p, f, a: not f.complete and _coordinator(p, f.coordinators, f.institutions),
    ),
}

# ---------------------------------------------------------------- joint programs: the credit transfer


@dataclass(frozen=True)
class TransferFacts:
    stage: str  # department, home_registrar, partner_registrar, ministry, posted
    student: str
    home: str
    partner: str
    coordinators: tuple[str, ...]
    institutions: tuple[str, ...]
    departments: dict[str, tuple[str, ...]]  # institution → its department reviewers on the roster
    registrars: dict[str, tuple[str, ...]]
    ministry: str | None  # the ministry that authorizes, when the program requires it
    ministry_officers: tuple[str, ...] = ()
    undecided: frozenset[str] = frozenset()  # courses the department has still to decide
    questions: frozenset[str] = frozenset()  # courses with a question awaiting the student's answer
    pending_proposals: frozenset[str] = frozenset()


def _department(p: Person, f: TransferFacts) -> bool:
    return named(p, f.departments.get(f.home, ()), Role.DEPARTMENT_REVIEWER, f.home)


def _student_side(p: Person, f: TransferFacts) -> bool:
    return p.id == f.student or _coordinator(p, f.coordinators, f.institutions)


def _home_registrar(p: Person, f: TransferFacts) -> bool:
    return named(p, f.registrars.get(f.home, ()), Role.REGISTRAR, f.home)


TRANSFER: dict[str, Entitlement] = {
    "decide_course": Entitlement(
        "a department reviewer of the HOME university named on the program's roster",
        "the department's stage, for a course still to decide",
        lambda p, f, a: f.stage == "department" and a.course_code in f.undecided and _department(p, f),
    ),
    "provide_information": Entitlement(
        "the student of THAT transfer, or a coordinator of the program",
        "the department's stage, while the department's question on that course awaits an answer",
        lambda p, f, a: f.stage == "department" and a.course_code in f.questions and _student_side(p, f),
    ),
    "approve": Entitlement(
        "a registrar of the HOME university named on the roster", "the home registrar's stage",
        lambda p, f, a: f.stage == "home_registrar" and _home_registrar(p, f),
    ),
    "return_to_department": Entitlement(
        "a registrar of the HOME university named on the roster", "the home registrar's stage",
        lambda p, f, a: f.stage == "home_registrar" and _home_registrar(p, f),
    ),
    "confirm_grades": Entitlement(
        "a registrar of the PARTNER university (where the courses were taken) named on the roster",
        "the partner registrar's stage",
        lambda p, f, a: f.stage == "partner_registrar" and named(p, f.registrars.get(f.partner, ()), Role.REGISTRAR, f.partner),
    ),
    "authorize": Entitlement(
        "an officer of the ministry the program names, holding the ministry-officer role for it",
        "the ministry's stage, in a program that requires ministry authorization",
        lambda p, f, a: f.stage == "ministry" and f.ministry is not None
        and named(p, f.ministry_officers, Role.MINISTRY_OFFICER, f.ministry),
    ),
    "propose_change": Entitlement(
        "the student of THAT transfer, or a coordinator of the program", "until the credits are posted",
        lambda p, f, a: f.stage != "posted" and _student_side(p, f),
    ),
    "approve_change": Entitlement(
        "a department reviewer of the HOME university", "a proposal is pending, until the credits are posted",
        lambda p, f, a: f.stage != "posted" and a.proposal_id in f.pending_proposals and _department(p, f),
    ),
    "withdraw_change": Entitlement(
        "the student of THAT transfer, or a coordinator of the program", "a proposal is pending",
        lambda p, f, a: a.proposal_id in f.pending_proposals and _student_side(p, f),
    ),
    "decline_change": Entitlement(
        "a department reviewer of the HOME university", "a proposal is pending",
        lambda p, f, a: a.proposal_id in f.pending_proposals and _department(p, f),
    ),
}

# ---------------------------------------------------------------- the fund: applications


@dataclass(frozen=True)
class ApplicationFacts:
    stage: str  # screening, review, board, awarded, rejected, withdrawn…
    fund_managers: tuple[str, ...]
    board: tuple[str, ...]
    contact: str
    panel: tuple[str, ...] = ()  # reviewers on THIS application's panel who have not scored or stepped down
    voted: tuple[str, ...] = ()
    quorum: int = 2


DECIDED = {"awarded", "waitlisted", "rejected", "withdrawn"}


def _fund_manager(p: Person, ids: tuple[str, ...]) -> bool:
    return named(p, ids, Role.FUND_MANAGER)


def _board(p: Person, ids: tuple[str, ...]) -> bool:
    return named(p, ids, Role.BOARD_MEMBER)


APPLICATION: dict[str, Entitlement] = {
    "screen": Entitlement(
        "a manager of THAT fund", "screening",
        lambda p, f, a: f.stage == "screening" and _fund_manager(p, f.fund_managers),
    ),
    "score": Entitlement(
        "a reviewer assigned to THAT application's panel who has not scored it or stepped down", "panel review",
        lambda p, f, a: f.stage == "review" and named(p, f.panel, Role.REVIEWER),
    ),
    "decline_review": Entitlement(
        "a reviewer assigned to THAT application who has not scored it (declining, or declaring a conflict of interest)",
        "panel review",
        lambda p, f, a: f.stage == "review" and named(p, f.panel, Role.REVIEWER),
    ),
    "vote": Entitlement(
        "a member of THAT fund's board who has not voted on it yet", "the board's vote",
        lambda p, f, a: f.stage == "board" and _board(p, f.board) and p.id not in f.voted,
    ),
    "close_vote": Entitlement(
        "a manager of THAT fund", "the board's vote, once the quorum has voted",
        lambda p, f, a: f.stage == "board" and len(f.voted) >= f.quorum and _fund_manager(p, f.fund_managers),
    ),
    "withdraw": Entitlement(
        "the application's contact person (the producer who submitted it)", "until it is decided",
        lambda p, f, a: f.stage not in DECIDED and p.id == f.contact,
    ),
}

# ---------------------------------------------------------------- the fund: grants


@dataclass(frozen=True)
class GrantFacts:
    stage: str  # agreement, active, closeout, closed, cancelled
    fund_managers: tuple[str, ...]
    board: tuple[str, ...]
    contact: str
    lead: str  # the lead producer's organisation
    grantee_signatories: tuple[str, ...]
    report_due: frozenset[str] = frozenset()  # tranche ids (or 'final') whose report the producer may submit now
    report_submitted: frozenset[str] = frozenset()  # reports awaiting the fund manager's review
    amendment_open: bool = False
    amendment_votes: tuple[str, ...] = ()
    quorum: int = 2


def _producer(p: Person, f: GrantFacts) -> bool:
    return p.id == f.contact or named(p, f.grantee_signatories, Role.SIGNATORY, f.lead)


LIVE = {"active", "closeout"}

GRANT: dict[str, Entitlement] = {
    "submit_report": Entitlement(
        "the producer: the application's contact or a signatory of the lead company",
        "once the agreement is executed, for the report a tranche (or the closeout) waits for, in order",
        lambda p, f, a: f.stage in LIVE and a.tranche_id in f.report_due and _producer(p, f),
    ),
    "review_report": Entitlement(
        "a manager of THAT fund", "a submitted report awaits review",
        lambda p, f, a: f.stage in LIVE and a.tranche_id in f.report_submitted and _fund_manager(p, f.fund_managers),
    ),
    "propose_amendment": Entitlement(
        "a manager of THAT fund", "an active grant with no amendment before the board",
        lambda p, f, a: f.stage == "active" and not f.amendment_open and _fund_manager(p, f.fund_managers),
    ),
    "vote_amendment": Entitlement(
        "a member of THAT fund's board who has not voted on the amendment",
        "an amendment is before the board, while the grant runs (not once closed or cancelled)",
        lambda p, f, a: f.amendment_open and f.stage not in {"closed", "cancelled"} and _board(p, f.board)
        and p.id not in f.amendment_votes,
    ),
    "close_amendment_vote": Entitlement(
        "a manager of THAT fund", "an amendment is before the board and the quorum has voted, while the grant runs",
        lambda p, f, a: f.amendment_open and f.stage not in {"closed", "cancelled"} and len(f.amendment_votes) >= f.quorum
        and _fund_manager(p, f.fund_managers),
    ),
    "cancel": Entitlement(
        "a manager of THAT fund", "until the grant is closed or cancelled",
        lambda p, f, a: f.stage not in {"closed", "cancelled"} and _fund_manager(p, f.fund_managers),
    ),
}

# ---------------------------------------------------------------- award to release


@dataclass(frozen=True)
class ReleaseFacts:
    country: str
    liaison: str  # the liaison the release names for its country
    stage: str
    licence_proposed: bool = False
    licence_signed: bool = False


CLOSED_RELEASE = {"released", "refused", "declined"}


def _liaison(p: Person, f: ReleaseFacts) -> bool:
    return named(p, (f.liaison,), Role.LIAISON, country=f.country)


def _at(stage: str) -> Callable[[Person, Any, Any], bool]:
    return lambda p, f, a: f.stage == stage and _liaison(p, f)


RELEASE: dict[str, Entitlement] = {
    "acknowledge": Entitlement("the liaison of THAT country", "acknowledgement", _at("acknowledge")),
    "classify": Entitlement("the liaison of THAT country", "classification review", _at("classification")),
    "decide_quota": Entitlement(
        "the liaison of THAT country", "the import-quota exception (countries that need one)", _at("quota")
    ),
    "record_subsidy": Entitlement("the liaison of THAT country", "the dubbing or subtitling subsidy", _at("subsidy")),
    "propose_licence": Entitlement(
        "the liaison of THAT country", "the licence stage, while no licence is being signed",
        lambda p, f, a: f.stage == "licence" and not f.licence_proposed and _liaison(p, f),
    ),
    "schedule_release": Entitlement("the liaison of THAT country", "scheduling", _at("scheduling")),
    "confirm_release": Entitlement("the liaison of THAT country", "the release (scheduled)", _at("releasing")),
    "decline": Entitlement(
        "the liaison of THAT country", "any open stage until a licence is signed",
        lambda p, f, a: f.stage not in CLOSED_RELEASE and not f.licence_signed and _liaison(p, f),
    ),
}


@dataclass(frozen=True)
class FestivalFacts:
    admins: tuple[str, ...]  # the administrators the edition names
    festival_organisations: frozenset[str] = field(default_factory=frozenset)


def _festival_admin(p: Person, f: FestivalFacts) -> bool:
    return p.id in f.admins and (p.holds(Role.ADMIN) or p.organisation_id in f.festival_organisations)


FESTIVAL: dict[str, Entitlement] = {
    "record_award": Entitlement(
        "an administrator the festival edition names (the admin role, or the festival office)", "any time",
        lambda p, f, a: _festival_admin(p, f),
    ),
    "register_film": Entitlement(
        "an administrator the festival edition names", "any time", lambda p, f, a: _festival_admin(p, f)
    ),
}

TABLE: dict[str, dict[str, Entitlement]] = {
    "agreement": AGREEMENT,
    "student_record": RECORD,
    "credit_transfer": TRANSFER,
    "application": APPLICATION,
    "grant": GRANT,
    "country_release": RELEASE,
    "festival": FESTIVAL,
}


def entitled(lifecycle: str, action: str, person: Person, facts: Any, sent: Any) -> bool:
    return TABLE[lifecycle][action].rule(person, facts, sent)
