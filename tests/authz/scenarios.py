"""Every lifecycle's items at each of their human steps, and the actions people may send.

A `Scenario` is one item at one step: the workflow's state object as it holds it there (built
directly, the way the workflows build it, from the demo's people and files) and the `facts` the
entitlement table reads. Both come from the same choices made here (which parties approved, who
is on the panel, which stage…); the facts never come from the rules under test.

An `Act` is one kind of human action: the workflow update it is, the pure check that update's
validator runs (`test_matrix` proves the validator runs exactly that), and how to fill in a
valid action for a person in a scenario, so a refusal is about *who* and *when*, not about a
malformed form. Items come in pairs so both cases exist for everyone: a KR–KZ and a CN–RU MOU, a
Korean and a Chinese release, an application whose panel has a reviewer and one whose has not.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import BaseModel

from domain import agreement_rules, transfer_rules
from domain import student_record as record_rules
from domain.agreements import (
    AgreementSpec,
    AgreementState,
    Approval,
    ApproveAction,
    CommentAction,
    DeclineAction,
    DelegateAction,
    Phase,
    PhaseAction,
    RenewAction,
    ReviseAction,
    SignAction,
    Signature,
    SigningMode,
    TerminateAction,
    Version,
    VoidAction,
)
from domain.catalogs import EquivalencyTable
from domain.credit_transfer import CourseDecision, CreditTransferRequest, precheck
from domain.degree_audit import audit
from domain.grants import application_state as app_rules
from domain.grants import grant_state as grant_rules
from domain.grants.application_state import ApplicationState, ReviewAssignment
from domain.grants.board import Vote, VoteChoice, tally
from domain.grants.conflicts import assign_reviewers
from domain.grants.grant_state import Amendment, FinalReport, GrantState
from domain.grants.process import (
    FINAL_REPORT,
    AmendmentVoteAction,
    ApplicationStage,
    CancelGrantAction,
    CloseVoteAction,
    DeclineReviewAction,
    GrantStage,
    ProposeAmendmentAction,
    ReviewReportAction,
    ScoreAction,
    ScreenAction,
    SubmitReportAction,
    VoteAction,
    WithdrawAction,
)
from domain.grants.rubric import Score
from domain.grants.tranches import schedule
from domain.learning_agreements import ChangeKind, ChangeReason, LearningAgreementChange
from domain.parties import Person
from domain.releases import process as release_rules
from domain.releases.festival import JuryAward
from domain.releases.process import (
    AcknowledgeAction,
    ClassificationOutcome,
    ClassifyAction,
    ConfirmReleaseAction,
    FestivalState,
    Licence,
    LicenceAction,
    QuotaAction,
    RecordAwardAction,
    RegisterFilmAction,
    ReleaseStage,
    ReleaseState,
    ScheduleAction,
    SubsidyAction,
    SubsidyOutcome,
)
from domain.releases.process import DeclineAction as ReleaseDeclineAction
from domain.releases.rights import Media, RightsGrant
from domain.student_record import AddTermAction, RecordPhase, StartTransferAction, StudentRecordState, ThesisAction, TransferRef
from domain.students import StudentRecord, ThesisStatus
from domain.terms import term_start
from domain.transfer_decisions import CourseDecisionLine, TransferStage
from domain.transfer_state import (
    ApproveChangeAction,
    ChangeProposal,
    CloseChangeAction,
    CreditTransferState,
    DecideCourseAction,
    InfoRequest,
    ProposeChangeAction,
    ProvideInformationAction,
    ReturnAction,
    Signoff,
    StageAction,
    learning_agreement_from,
)
from tests.authz import entitlements as ent
from tests.authz.world import DEMO, engine, ref
from workflows.festival import check_record_award, check_register_film

NOW = datetime(2026, 9, 15, 9, tzinfo=UTC)
TODAY = NOW.date()


def sha(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


@dataclass(frozen=True)
class Scenario:
    lifecycle: str
    item: str  # e.g. "KR–KZ MOU"
    step: str  # e.g. "approval, KOFIC approved"
    state: Any
    facts: Any

    @property
    def key(self) -> str:
        return f"{self.item} @ {self.step}"


@dataclass(frozen=True)
class Act:
    name: str  # the entitlement table's name for it
    update: str  # the workflow update it is sent as
    check: Callable[[Any, Any], Any]  # what that update's validator runs
    make: Callable[[Scenario, Person], BaseModel]  # a valid action of that person in that scenario


# ================================================================ agreements


def _agreement_specs() -> dict[str, AgreementSpec]:
    from services.agreements import AgreementFile, build_spec, read_agreement_file

    eng = engine()

    def demo(name: str) -> AgreementSpec:
        return build_spec(eng, read_agreement_file(DEMO / "agreements" / name))

    def new(**kw: Any) -> AgreementSpec:
        return build_spec(eng, AgreementFile.model_validate(kw))

    return {
        # Korea and Kazakhstan, signed in parallel; KOFIC's chairperson signs (Kim Min-ji may be delegated to).
        "KR–KZ MOU": demo("4-coproduction-kr-kz.yaml"),
        # China and Russia, initiated by Russia's liaison: nothing Korean, nothing of the festival's.
        "CN–RU MOU": new(id="coproduction-cn-ru", kind="co_production", title="China–Russia Film Co-production MOU",
                         languages=["en", "ru"], initiator="ivanova-anna", signing_mode="sequential",
                         parties=[{"organisation": "cfa"}, {"organisation": "roskino"}]),
        # Sequential: KOFIC signs first, the China Film Administration after.
        "KR–CN MOU": demo("2-coproduction-kr-cn.yaml"),
        # Signing groups; the festival names Chen Jing its only approver and Liu Yang its only signatory.
        "grant agreement": demo("6-grant-signing.yaml"),
        # Two Korean parties: Korea's liaison (KOFIC's approver and signatory) is also the first party's liaison.
        "Hanbit–KOFIC MOU": new(id="codistribution-hanbit-kofic", kind="co_production", title="Hanbit–KOFIC Co-distribution MOU",
                                languages=["en", "ko"], initiator="liu-yang",
                                parties=[{"organisation": "cj-dist"}, {"organisation": "kofic"}]),
    }  # fmt: skip


def _first_turn(spec: AgreementSpec) -> list[str]:
    """The organisations that sign first, in the product's words: the first listed (parallel, sequential)
    or the lowest signing group."""
    if spec.signing_mode is SigningMode.GROUPS:
        low = min(p.signing_group for p in spec.parties)
        return [p.organisation_id for p in spec.parties if p.signing_group == low]
    return [spec.parties[0].organisation_id]


def _agreement(label: str, spec: AgreementSpec, step: str, phase: Phase, *, approved: list[str] | None = None,
               signed: list[str] | None = None, delegated: dict[str, str] | None = None, executed: bool = False,
               term: int = 1) -> Scenario:  # fmt: skip
    if approved is None:  # past the approval phase every party has approved; before it, nobody
        before = phase in {Phase.DRAFT, Phase.REVIEW, Phase.APPROVAL}
        approved = [] if before else [p.organisation_id for p in spec.parties]
    signed = signed or []
    delegated = delegated or {}
    h = sha(spec.id, "v1")
    version = Version(number=1, author_id=spec.initiator.id, author_name=spec.initiator.name, summary="Initial draft",
                      created_at=NOW - timedelta(days=20), text_sha256=h, pdf_sha256=sha(h, "pdf"), pages=4)  # fmt: skip
    approvals = [
        Approval(organisation_id=p.organisation_id, person_id=p.approvers[0].id, person_name=p.approvers[0].name, version_hash=h,
                 at=NOW - timedelta(days=5))
        for p in spec.parties if p.organisation_id in approved
    ]  # fmt: skip
    signatures = []
    if executed:  # every party signed the first term
        signatures += [Signature(organisation_id=p.organisation_id, signer_id=p.designated_signatory.id,
                                 signer_name=p.designated_signatory.name, title="", version_hash=h, at=NOW - timedelta(days=400), term=1)
                       for p in spec.parties]  # fmt: skip
    for p in spec.parties:
        if p.organisation_id in signed:
            signer = delegated.get(p.organisation_id, p.designated_signatory.id)
            signatures.append(Signature(organisation_id=p.organisation_id, signer_id=signer, signer_name=signer, title="",
                                        version_hash=h, at=NOW - timedelta(days=1), term=term))  # fmt: skip
    state = AgreementState(spec=spec, phase=phase, review_round=1 if phase is not Phase.DRAFT else 0, versions=[version],
                           approvals=approvals, signatures=signatures, delegations=delegated, term_number=term)  # fmt: skip
    if executed:
        state.executed_at = NOW - timedelta(days=400)
        state.effective_date = (NOW + timedelta(days=30)).date() if phase is Phase.PENDING else (NOW - timedelta(days=400)).date()
        state.expiry_date = state.effective_date + timedelta(days=5 * 365)
        state.executed_pdf_sha256 = sha(h, "executed")
    if phase is Phase.TERMINATING:
        state.ends_on = TODAY + timedelta(days=60)
    facts = ent.AgreementFacts(
        phase=phase.value, initiator=spec.initiator.id, signing_mode=spec.signing_mode.value, executed=executed,
        parties=tuple(
            ent.PartyFacts(organisation=p.organisation_id, country=p.country, approvers=tuple(x.id for x in p.approvers),
                           signatories=tuple(x.id for x in p.signatories),
                           signer=delegated.get(p.organisation_id, p.designated_signatory.id),
                           liaison=p.liaison.id if p.liaison else None, group=p.signing_group,
                           approved=p.organisation_id in approved, signed=p.organisation_id in signed)
            for p in spec.parties
        ),
    )  # fmt: skip
    return Scenario("agreement", label, step, state, facts)


def agreement_scenarios() -> Iterator[Scenario]:
    for label, spec in AGREEMENT_SPECS().items():
        first = spec.parties[0].organisation_id
        yield _agreement(label, spec, "draft", Phase.DRAFT)
        yield _agreement(label, spec, "review", Phase.REVIEW)
        yield _agreement(label, spec, "approval", Phase.APPROVAL)
        yield _agreement(label, spec, f"approval, {first} approved", Phase.APPROVAL, approved=[first])
        yield _agreement(label, spec, "signing", Phase.SIGNING)
        yield _agreement(label, spec, "signing, first turn signed", Phase.SIGNING, signed=_first_turn(spec))
        two = next((p for p in spec.parties if len(p.signatories) > 1), None)
        if two is not None:  # signing delegated to the party's other signatory
            other = next(s.id for s in two.signatories if s.id != two.designated_signatory.id)
            yield _agreement(label, spec, f"signing, {two.organisation_id} delegated to {other}", Phase.SIGNING,
                             delegated={two.organisation_id: other})  # fmt: skip
        yield _agreement(label, spec, "pending", Phase.PENDING, executed=True)
        yield _agreement(label, spec, "active", Phase.ACTIVE, executed=True)
        yield _agreement(label, spec, "renewal window", Phase.RENEWAL, executed=True)
        yield _agreement(label, spec, "renewal signing (term 2)", Phase.SIGNING, executed=True, term=2)
        yield _agreement(label, spec, "terminating", Phase.TERMINATING, executed=True)
        yield _agreement(label, spec, "voided", Phase.VOIDED)
        yield _agreement(label, spec, "expired", Phase.EXPIRED, executed=True)


def _hash(s: Scenario) -> str:
    return s.state.current_hash


def _delegate_to(s: Scenario, person: Person) -> str:
    """Another signatory of the person's own party (themselves when there is none); else any signatory."""
    for party in s.state.spec.parties:
        ids = [x.id for x in party.signatories]
        if person.id in ids:
            return next((i for i in ids if i != person.id), person.id)
    return s.state.spec.parties[0].signatories[0].id


AGREEMENT_ACTS = [
    Act("comment", "comment", agreement_rules.check_comment, lambda s, p: CommentAction(actor_id=p.id, text="Article 4 reads well.")),
    Act("revise", "revise", agreement_rules.check_revise,
        lambda s, p: ReviseAction(actor_id=p.id, summary="Clarify the purpose", base_version_hash=_hash(s),
                                  clause_overrides={"purpose": {s.state.spec.languages[0]: "The parties cooperate on films."}})),
    Act("open_review", "open_review", agreement_rules.check_open_review, lambda s, p: PhaseAction(actor_id=p.id)),
    Act("close_review", "close_review", agreement_rules.check_close_review, lambda s, p: PhaseAction(actor_id=p.id)),
    Act("approve", "approve", agreement_rules.check_approve, lambda s, p: ApproveAction(actor_id=p.id, version_hash=_hash(s))),
    Act("sign", "sign", agreement_rules.check_sign, lambda s, p: SignAction(actor_id=p.id, version_hash=_hash(s))),
    Act("decline", "decline", agreement_rules.check_decline,
        lambda s, p: DeclineAction(actor_id=p.id, version_hash=_hash(s), reason="Not this version, please.")),
    Act("delegate", "delegate", agreement_rules.check_delegate,
        lambda s, p: DelegateAction(actor_id=p.id, to_person_id=_delegate_to(s, p), reason="Travelling that week.")),
    Act("void", "void", agreement_rules.check_void, lambda s, p: VoidAction(actor_id=p.id, reason="No longer needed.")),
    Act("renew", "renew", agreement_rules.check_renew, lambda s, p: RenewAction(actor_id=p.id)),
    Act("terminate", "terminate", agreement_rules.check_terminate,
        lambda s, p: TerminateAction(actor_id=p.id, reason="The cooperation ends.")),
]  # fmt: skip

# ================================================================ joint programs


@cache
def program_definition() -> tuple[Any, dict[str, EquivalencyTable]]:
    from demo.programs import PROGRAM_FILE
    from services.programs import build_definition, read_program_file

    definition, entries = build_definition(engine(), read_program_file(PROGRAM_FILE))
    tables = {i: EquivalencyTable(institution_id=i, entries=tuple(e for e in entries if e.home_institution_id == i))
              for i in definition.program.institution_ids}  # fmt: skip
    return definition, tables


def demo_record(student_id: str) -> StudentRecord:
    from demo.programs import PROGRAM_ID, STUDENTS

    sid, enrolled, abroad, posted, _, _ = next(x for x in STUDENTS if x[0] == student_id)
    return StudentRecord(student_id=sid, person=ref(sid), program_id=PROGRAM_ID, home_institution_id="kafa",
                         enrolled_term=enrolled, terms_abroad=abroad, posted=posted)  # fmt: skip


def _record_facts(state: StudentRecordState) -> ent.RecordFacts:
    definition, _ = program_definition()
    return ent.RecordFacts(student=state.record.person.id, coordinators=tuple(c.id for c in definition.roster.coordinators),
                           institutions=tuple(definition.program.institution_ids), mou_active=state.mou_phase is Phase.ACTIVE,
                           complete=state.phase is RecordPhase.COMPLETE)  # fmt: skip


def _record(item: str, step: str, student_id: str, *, mou: Phase = Phase.ACTIVE, transfers: list[str] = (),  # type: ignore[assignment]
            complete: bool = False) -> Scenario:  # fmt: skip
    definition, tables = program_definition()
    record = demo_record(student_id)
    if complete:
        record.thesis = {"kafa": ThesisStatus.APPROVED, "vgik": ThesisStatus.APPROVED}
    state = StudentRecordState(program=definition.program, catalogs=definition.catalogs, equivalencies=tables,
                               roster=definition.roster, record=record, mou_phase=mou,
                               phase=RecordPhase.COMPLETE if complete else RecordPhase.ENROLLED,
                               audits=audit(record, definition.program, definition.catalogs, tables), enrolled_at=NOW - timedelta(days=200),
                               transfers=[TransferRef(term=t, request_id=f"req-{student_id}-{t}", workflow_id=f"credit-transfer-{student_id}-{t}",
                                                      requested_at=NOW - timedelta(days=30)) for t in transfers])  # fmt: skip
    return Scenario("student_record", item, step, state, _record_facts(state))


def record_scenarios() -> Iterator[Scenario]:
    yield _record("Han Ji-woo's record", "enrolled, a transfer under way", "han-jiwoo", transfers=["2026-fall"])
    yield _record("Seo Yu-na's record", "enrolled", "seo-yuna")
    yield _record("Han Ji-woo's record", "the MOU terminated", "han-jiwoo", mou=Phase.TERMINATED, transfers=["2026-fall"])
    yield _record("Nam Gyu-ri's record", "both degrees complete", "nam-gyuri", complete=True)


def _courses() -> list[dict[str, str]]:
    from demo.programs import FALL_COURSES

    return FALL_COURSES


def _request(student_id: str, term: str) -> CreditTransferRequest:
    from demo.programs import PROGRAM_ID

    return CreditTransferRequest.model_validate({"id": f"req-{student_id}-{term}", "program_id": PROGRAM_ID, "student_id": student_id,
                                                 "term": term, "taken_at": "vgik", "credited_at": "kafa", "courses": _courses()})  # fmt: skip


RECORD_ACTS = [
    Act("start_credit_transfer", "start_credit_transfer", record_rules.check_start_transfer,
        lambda s, p: StartTransferAction(actor_id=p.id, request=_request(s.state.record.student_id, "2027-spring"))),
    Act("set_thesis_status", "set_thesis_status", record_rules.check_thesis,
        lambda s, p: ThesisAction(actor_id=p.id, institution_id="kafa", status=ThesisStatus.IN_PROGRESS)),
    Act("add_term_abroad", "add_term_abroad", record_rules.check_add_term,
        lambda s, p: AddTermAction(actor_id=p.id, institution_id="vgik", term="2028-spring")),
]  # fmt: skip

PROPOSAL = "add-cam-610-1"


def _decision(code: str, decision: CourseDecision, **kw: Any) -> CourseDecisionLine:
    return CourseDecisionLine(course_code=code, decision=decision, **kw)


ALL_DECIDED = [
    _decision("DIR-620", CourseDecision.APPROVE),
    _decision("VFX-630", CourseDecision.APPROVE_AS_ELECTIVE, elective_category="major_elective"),
    _decision("SCR-540", CourseDecision.APPROVE, home_course_code="FP-540"),
]


def _transfer(step: str, stage: TransferStage, student_id: str = "han-jiwoo", *, pending: bool = False) -> Scenario:
    definition, tables = program_definition()
    record = demo_record(student_id)
    req = _request(student_id, "2026-fall")
    prog = definition.program
    state = CreditTransferState(program=prog, catalogs=definition.catalogs, equivalencies=tables["kafa"], record=record, request=req,
                                roster=definition.roster, learning_agreement=learning_agreement_from(req), stage=stage, revision=3,
                                lines=precheck(req, prog, definition.catalogs, tables["kafa"], term_start(req.term), posted=record.posted),
                                created_at=NOW - timedelta(days=12))  # fmt: skip
    undecided: set[str] = set()
    questions: set[str] = set()
    if stage is TransferStage.DEPARTMENT:  # DIR-620 decided, a question on SCR-540 for the student, VFX-630 to decide
        dept = definition.roster.at("kafa").department_reviewers[0]
        state.decisions = [ALL_DECIDED[0], _decision("SCR-540", CourseDecision.ASK_FOR_INFORMATION, comment="Please upload the syllabus.")]
        state.info = [InfoRequest(course_code="SCR-540", question="Please upload the syllabus.", asked_by=dept.id,
                                  asked_at=NOW - timedelta(days=2), seq=4)]  # fmt: skip
        undecided, questions = {"VFX-630"}, {"SCR-540"}
    else:
        state.decisions = list(ALL_DECIDED)
        order = [TransferStage.HOME_REGISTRAR, TransferStage.PARTNER_REGISTRAR, TransferStage.MINISTRY]
        for done in order[: order.index(stage) if stage in order else len(order)]:
            state.signoffs.append(Signoff(stage=done, person_id="x", person_name="x", at=NOW - timedelta(days=1)))
    if pending:
        change = LearningAgreementChange(proposal_id=PROPOSAL, kind=ChangeKind.ADD, course_code="CAM-610", title="Cinematography",
                                         reason=ChangeReason.TIMETABLE_CLASH, base_revision=0, proposed_by=student_id)  # fmt: skip
        state.proposals = [ChangeProposal(change=change, proposed_at=NOW - timedelta(days=3))]
    roster = definition.roster
    facts = ent.TransferFacts(
        stage=stage.value, student=record.person.id, home="kafa", partner="vgik",
        coordinators=tuple(c.id for c in roster.coordinators), institutions=tuple(prog.institution_ids),
        departments={i: tuple(x.id for x in roster.at(i).department_reviewers) for i in prog.institution_ids},
        registrars={i: tuple(x.id for x in roster.at(i).registrars) for i in prog.institution_ids},
        ministry=prog.ministry_organisation_id if prog.requires_ministry_authorization else None,
        ministry_officers=tuple(x.id for x in roster.ministry_officers),
        undecided=frozenset(undecided), questions=frozenset(questions), pending_proposals=frozenset({PROPOSAL} if pending else ()),
    )  # fmt: skip
    return Scenario("credit_transfer", f"KAFA–VGIK transfer of {record.person.name}", step, state, facts)


def transfer_scenarios() -> Iterator[Scenario]:
    yield _transfer("department: a course to decide, a question for the student, a change proposed", TransferStage.DEPARTMENT, pending=True)
    yield _transfer("home registrar", TransferStage.HOME_REGISTRAR)
    yield _transfer("home registrar, a change proposed", TransferStage.HOME_REGISTRAR, "choi-dahye", pending=True)
    yield _transfer("partner registrar", TransferStage.PARTNER_REGISTRAR)
    yield _transfer("ministry", TransferStage.MINISTRY)
    yield _transfer("posted", TransferStage.POSTED)
    yield _transfer("posted, a change still pending", TransferStage.POSTED, pending=True)


TRANSFER_ACTS = [
    Act("decide_course", "decide_course", transfer_rules.check_decide,
        lambda s, p: DecideCourseAction(actor_id=p.id, course_code="VFX-630", decision=CourseDecision.APPROVE_AS_ELECTIVE,
                                        elective_category="major_elective")),
    Act("provide_information", "provide_information", transfer_rules.check_provide_information,
        lambda s, p: ProvideInformationAction(actor_id=p.id, course_code="SCR-540", text="The syllabus is attached: 30 hours of workshops.")),
    Act("approve", "approve", transfer_rules.check_home_approve, lambda s, p: StageAction(actor_id=p.id)),
    Act("return_to_department", "return_to_department", transfer_rules.check_return,
        lambda s, p: ReturnAction(actor_id=p.id, reason="Check VFX-630 against the curriculum.", course_codes=["VFX-630"])),
    Act("confirm_grades", "confirm_grades", transfer_rules.check_confirm_grades, lambda s, p: StageAction(actor_id=p.id)),
    Act("authorize", "authorize", transfer_rules.check_authorize, lambda s, p: StageAction(actor_id=p.id)),
    Act("propose_change", "propose_change", transfer_rules.check_propose_change,
        lambda s, p: ProposeChangeAction(actor_id=p.id, proposal_id="add-hist-301-9", kind=ChangeKind.ADD, course_code="HIST-301",
                                         title="History of Soviet Cinema", reason=ChangeReason.TIMETABLE_CLASH,
                                         base_revision=s.state.learning_agreement.revision)),
    Act("approve_change", "approve_change", transfer_rules.check_approve_change,
        lambda s, p: ApproveChangeAction(actor_id=p.id, proposal_id=PROPOSAL)),
    Act("withdraw_change", "close_change", transfer_rules.check_close_change,
        lambda s, p: CloseChangeAction(actor_id=p.id, proposal_id=PROPOSAL)),
    Act("decline_change", "close_change", transfer_rules.check_close_change,
        lambda s, p: CloseChangeAction(actor_id=p.id, proposal_id=PROPOSAL, decline=True, reason="The course clashes with the thesis.")),
]  # fmt: skip

# ================================================================ the fund


@cache
def fund_inputs() -> dict[str, Any]:
    """The demo fund's submissions as `submit` builds them: application id → GrantApplicationInput."""
    from services.grants import build_fund, build_submission, read_application_file, read_fund_file, save_fund

    eng = engine()
    save_fund(eng, build_fund(eng, read_fund_file(DEMO / "grants" / "fund-2026.yaml")))
    out = {}
    for name in ("8-kg-ru-falconer.yaml", "3-kr-uz-youth-ai.yaml", "1-in-kz-drama.yaml"):
        inp = build_submission(eng, read_application_file(DEMO / "grants" / "applications" / name))
        out[inp.application.id] = inp
    return out


def panel(app_id: str) -> list[str]:
    """The reviewers the pure assignment gives the application (never conflicted), in its order."""
    inp = fund_inputs()[app_id]
    return assign_reviewers(inp.application, list(inp.people.reviewers), count=inp.call.reviewers_per_application).reviewer_ids


def _application(item: str, step: str, app_id: str, stage: ApplicationStage, *, scored: int = 0, voters: int = 0) -> Scenario:
    inp = fund_inputs()[app_id]
    state = ApplicationState(fund=inp.fund, call=inp.call, application=inp.application, people=inp.people, parties=inp.parties,
                             stage=stage, submitted_at=NOW - timedelta(days=40), revision=5)  # fmt: skip
    assigned = panel(app_id) if stage not in (ApplicationStage.SUBMITTED, ApplicationStage.SCREENING) else []
    reviewers = {r.id: r.person for r in inp.people.reviewers}
    for i, rid in enumerate(assigned):
        review = ReviewAssignment(reviewer=reviewers[rid], assigned_at=NOW - timedelta(days=10), due_at=NOW + timedelta(days=11))
        if i < scored:
            review.score = Score(reviewer_id=rid, application_id=app_id, values=_marks(inp.call))
        state.reviews.append(review)
    board = [m.id for m in inp.people.board]
    state.votes = [Vote(member_id=m, choice=VoteChoice.APPROVE) for m in board[:voters]]
    if stage in (ApplicationStage.AWARDED, ApplicationStage.REJECTED):
        state.decision = tally(state.votes, board, inp.call.board.quorum, majority=inp.call.board.majority,
                               requested=inp.application.requested_amount, max_amount=inp.call.max_amount, currency=inp.fund.currency)  # fmt: skip
    open_panel = tuple(r.reviewer.id for r in state.reviews if r.active and r.score is None) if stage is ApplicationStage.REVIEW else ()
    facts = ent.ApplicationFacts(stage=stage.value, fund_managers=tuple(m.id for m in inp.people.fund_managers), board=tuple(board),
                                 contact=inp.application.contact.id, panel=open_panel, voted=tuple(board[:voters]),
                                 quorum=inp.call.board.quorum)  # fmt: skip
    return Scenario("application", item, step, state, facts)


def _marks(call: Any) -> dict[str, Decimal]:
    return {c.id: c.scale_min + ((c.scale_max - c.scale_min) // 2 // c.step) * c.step for c in call.rubric.criteria}


FALCONER, SIGNALS, STEPPE = "kg-ru-falconer", "kr-uz-youth-ai", "in-kz-drama"


def application_scenarios() -> Iterator[Scenario]:
    item = "The Falconer's Daughter (KG–RU)"
    yield _application(item, "screening", FALCONER, ApplicationStage.SCREENING)
    yield _application(item, "panel review", FALCONER, ApplicationStage.REVIEW)
    yield _application(item, "panel review, one reviewer scored", FALCONER, ApplicationStage.REVIEW, scored=1)
    yield _application(item, "board vote, nobody voted", FALCONER, ApplicationStage.BOARD)
    yield _application(item, "board vote, quorum voted", FALCONER, ApplicationStage.BOARD, voters=2)
    yield _application(item, "awarded", FALCONER, ApplicationStage.AWARDED, voters=3)
    yield _application(item, "withdrawn", FALCONER, ApplicationStage.WITHDRAWN)
    yield _application("Silk Road Signals (KR–UZ)", "panel review", SIGNALS, ApplicationStage.REVIEW)


APPLICATION_ACTS = [
    Act("screen", "screen", app_rules.check_screen, lambda s, p: ScreenAction(actor_id=p.id, passed=True)),
    Act("score", "score", app_rules.check_score_action,
        lambda s, p: ScoreAction(actor_id=p.id, values=_marks(s.state.call), comment="Strong team, clear plan.")),
    Act("decline_review", "decline_review", app_rules.check_decline_review,
        lambda s, p: DeclineReviewAction(actor_id=p.id, reason="I worked with the lead producer last year.", conflict=True)),
    Act("vote", "vote", app_rules.check_vote_action, lambda s, p: VoteAction(actor_id=p.id, choice=VoteChoice.APPROVE)),
    Act("close_vote", "close_vote", app_rules.check_close_vote, lambda s, p: CloseVoteAction(actor_id=p.id)),
    Act("withdraw", "withdraw", app_rules.check_withdraw,
        lambda s, p: WithdrawAction(actor_id=p.id, reason="The financing fell through.")),
]  # fmt: skip


def _grant(step: str, stage: GrantStage, *, milestone: str = "awaiting", final: str = "none", amendment_votes: int | None = None) -> Scenario:
    """The Long Steppe's grant: `milestone` is awaiting / submitted / paid; `final` none / awaiting / submitted / approved."""
    inp = fund_inputs()[STEPPE]
    board = [m.id for m in inp.people.board]
    votes = [Vote(member_id=m, choice=VoteChoice.APPROVE) for m in board]
    decision = tally(votes, board, inp.call.board.quorum, majority=inp.call.board.majority, requested=inp.application.requested_amount,
                     max_amount=inp.call.max_amount, currency=inp.fund.currency)  # fmt: skip
    state = GrantState(fund=inp.fund, call=inp.call, application=inp.application, people=inp.people, parties=inp.parties,
                       amount=decision.amount, decision=decision, stage=stage, created_at=NOW - timedelta(days=300), revision=7)  # fmt: skip
    due: set[str] = set()
    submitted: set[str] = set()
    if stage is not GrantStage.AGREEMENT:
        signed = (NOW - timedelta(days=200)).date()
        t = schedule(decision.amount, inp.call.tranche_schedule, signed)  # signature, milestone, delivery
        t[0] = t[0].model_copy(update={"paid_on": signed, "payment_reference": "PAY-2026-000001"})
        if milestone == "submitted":
            t[1] = t[1].model_copy(update={"report_submitted_on": TODAY, "report_reference": "doc-milestone"})
            submitted.add("milestone")
        elif milestone == "paid":
            for i in (1, 2):
                t[i] = t[i].model_copy(update={"report_submitted_on": signed, "report_reference": f"doc-{i}", "report_approved_on": signed,
                                               "report_approved_by": "chen-jing", "paid_on": signed, "payment_reference": f"PAY-{i}"})  # fmt: skip
        elif stage is GrantStage.ACTIVE:
            due.add("milestone")
        state.tranches = t
        state.signed_on = signed
    if final in ("submitted", "approved"):
        state.final_report = FinalReport(submitted_on=TODAY, reference="doc-final", approved_on=TODAY if final == "approved" else None)
    if final == "submitted":
        submitted.add(FINAL_REPORT)
    if final == "awaiting" and stage is GrantStage.CLOSEOUT:
        due.add(FINAL_REPORT)
    if amendment_votes is not None:
        state.amendments = [Amendment(number=1, proposed_by=inp.people.fund_managers[0], new_amount=Decimal("130000"),
                                      reason="A further shooting block", proposed_at=NOW - timedelta(days=2),
                                      votes=[Vote(member_id=m, choice=VoteChoice.APPROVE) for m in board[:amendment_votes]])]  # fmt: skip
    grantee = inp.parties.grantee_party
    facts = ent.GrantFacts(stage=stage.value, fund_managers=tuple(m.id for m in inp.people.fund_managers), board=tuple(board),
                           contact=inp.application.contact.id, lead=grantee.organisation_id,
                           grantee_signatories=tuple(x.id for x in grantee.signatories), report_due=frozenset(due),
                           report_submitted=frozenset(submitted), amendment_open=amendment_votes is not None,
                           amendment_votes=tuple(board[: amendment_votes or 0]), quorum=inp.call.board.quorum)  # fmt: skip
    return Scenario("grant", "The Long Steppe's grant (IN–KZ)", step, state, facts)


def grant_scenarios() -> Iterator[Scenario]:
    yield _grant("agreement being signed", GrantStage.AGREEMENT)
    yield _grant("active, milestone report due", GrantStage.ACTIVE)
    yield _grant("active, milestone report submitted", GrantStage.ACTIVE, milestone="submitted")
    yield _grant("active, amendment before the board", GrantStage.ACTIVE, amendment_votes=0)
    yield _grant("active, amendment voted by a quorum", GrantStage.ACTIVE, amendment_votes=2)
    yield _grant("closeout, final report due", GrantStage.CLOSEOUT, milestone="paid", final="awaiting")
    yield _grant("closeout, final report submitted", GrantStage.CLOSEOUT, milestone="paid", final="submitted")
    yield _grant("closed", GrantStage.CLOSED, milestone="paid", final="approved")
    yield _grant("cancelled", GrantStage.CANCELLED)
    yield _grant("cancelled while an amendment was before the board", GrantStage.CANCELLED, amendment_votes=2)


def _report_tranche(s: Scenario) -> str:
    return FINAL_REPORT if s.state.stage is GrantStage.CLOSEOUT else "milestone"


GRANT_ACTS = [
    Act("submit_report", "submit_report", grant_rules.check_submit_report,
        lambda s, p: SubmitReportAction(actor_id=p.id, tranche_id=_report_tranche(s), reference="doc-2026-0042", summary="Shooting done.")),
    Act("review_report", "review_report", grant_rules.check_review_report,
        lambda s, p: ReviewReportAction(actor_id=p.id, tranche_id=_report_tranche(s), approve=True)),
    Act("propose_amendment", "propose_amendment", grant_rules.check_propose_amendment,
        lambda s, p: ProposeAmendmentAction(actor_id=p.id, new_amount=Decimal("130000"), reason="A further shooting block.")),
    Act("vote_amendment", "vote_amendment", grant_rules.check_amendment_vote,
        lambda s, p: AmendmentVoteAction(actor_id=p.id, choice=VoteChoice.APPROVE)),
    Act("close_amendment_vote", "close_amendment_vote", grant_rules.check_close_amendment, lambda s, p: CloseVoteAction(actor_id=p.id)),
    Act("cancel", "cancel", grant_rules.check_cancel, lambda s, p: CancelGrantAction(actor_id=p.id, reason="The production was abandoned.")),
]  # fmt: skip

# ================================================================ award to release


@cache
def festival_input() -> Any:
    from services.releases import build_festival, read_festival_file

    return build_festival(engine(), read_festival_file(DEMO / "releases" / "festival-2026.yaml"))


FILM = "steppe-wind"  # Kazakhstan's; Kazakhfilm holds the rights
DISTRIBUTORS = {"KR": "cj-dist", "CN": "haiyan-pictures"}
LICENCE_STARTS = TODAY + timedelta(days=30)


@cache
def distributor(country: str) -> Any:
    from services.releases import party_for

    return party_for(engine(), DISTRIBUTORS[country])


def _award() -> JuryAward:
    f = festival_input()
    return JuryAward(id="sco-2026-best-film", edition_id=f.edition.id, film_id=FILM, category_id="best_film",
                     awarded_on=f.edition.opens_on + timedelta(days=5))  # fmt: skip


def _release(country: str, step: str, stage: ReleaseStage, *, licence: str | None = None) -> Scenario:
    f = festival_input()
    film = next(x for x in f.films if x.id == FILM)
    liaison = f.people.liaisons[country]
    state = ReleaseState(film=film, awards=[_award()], edition=f.edition, country=country, rules=f.rules[country], liaison=liaison,
                         people=f.people, licensor=f.licensors[FILM], stage=stage, created_at=NOW - timedelta(days=20), revision=4)  # fmt: skip
    if licence is not None:
        d = distributor(country)
        grant = RightsGrant(deal_id=f"lic-{country.lower()}-001", film_id=FILM, licensee_id=d.organisation_id,
                                          licensee_name=d.name(), territories=(country,), media=(Media.THEATRICAL,),
                                          starts_on=LICENCE_STARTS, ends_on=LICENCE_STARTS + timedelta(days=3 * 365), exclusive=False,
                                          fee=Decimal("25000"), currency="USD")  # fmt: skip
        state.licence = Licence(grant=grant, agreement_workflow_id=f"agreement-lic-{FILM}-{country.lower()}",
                                agreement_phase=Phase.SIGNING if licence == "proposed" else Phase.ACTIVE,
                                signed_on=TODAY - timedelta(days=2) if licence == "signed" else None)  # fmt: skip
    facts = ent.ReleaseFacts(country=country, liaison=liaison.id, stage=stage.value, licence_proposed=licence == "proposed",
                             licence_signed=licence == "signed")  # fmt: skip
    return Scenario("country_release", f"The Steppe Wind in {country}", step, state, facts)


def release_scenarios() -> Iterator[Scenario]:
    for country in ("KR", "CN"):
        yield _release(country, "acknowledgement", ReleaseStage.ACKNOWLEDGE)
        yield _release(country, "classification", ReleaseStage.CLASSIFICATION)
        if country == "CN":
            yield _release(country, "import-quota exception", ReleaseStage.QUOTA)
        yield _release(country, "subsidy", ReleaseStage.SUBSIDY)
        yield _release(country, "licence to propose", ReleaseStage.LICENCE)
        yield _release(country, "licence being signed", ReleaseStage.LICENCE, licence="proposed")
        yield _release(country, "scheduling", ReleaseStage.SCHEDULING, licence="signed")
        yield _release(country, "release to confirm", ReleaseStage.RELEASING, licence="signed")
        yield _release(country, "released", ReleaseStage.RELEASED, licence="signed")
        yield _release(country, "declined", ReleaseStage.DECLINED)


def _licence(s: Scenario, p: Person) -> LicenceAction:
    return LicenceAction(actor_id=p.id, deal_id=f"lic-{s.state.country.lower()}-002", licensee=distributor(s.state.country),
                         media=[Media.THEATRICAL], starts_on=LICENCE_STARTS, ends_on=LICENCE_STARTS + timedelta(days=3 * 365),
                         fee=Decimal("25000"), currency="USD")  # fmt: skip


def _rating(s: Scenario) -> str | None:
    return s.state.rules.ratings[1] if s.state.rules.ratings else None


RELEASE_ACTS = [
    Act("acknowledge", "acknowledge", release_rules.check_acknowledge, lambda s, p: AcknowledgeAction(actor_id=p.id, note="Received.")),
    Act("classify", "classify", release_rules.check_classify,
        lambda s, p: ClassifyAction(actor_id=p.id, outcome=ClassificationOutcome.APPROVED, rating=_rating(s))),
    Act("decide_quota", "decide_quota", release_rules.check_quota,
        lambda s, p: QuotaAction(actor_id=p.id, granted=True, reference="Q-2026-17")),
    Act("record_subsidy", "record_subsidy", release_rules.check_subsidy,
        lambda s, p: SubsidyAction(actor_id=p.id, outcome=SubsidyOutcome.SKIPPED)),
    Act("propose_licence", "propose_licence", release_rules.check_licence_action, _licence),
    Act("schedule_release", "schedule_release", release_rules.check_schedule,
        lambda s, p: ScheduleAction(actor_id=p.id, release_on=LICENCE_STARTS + timedelta(days=30), platform="CGV")),
    Act("confirm_release", "confirm_release", release_rules.check_confirm,
        lambda s, p: ConfirmReleaseAction(actor_id=p.id, released_on=LICENCE_STARTS + timedelta(days=30), platform="CGV")),
    Act("decline", "decline", release_rules.check_decline,
        lambda s, p: ReleaseDeclineAction(actor_id=p.id, reason="No distributor is interested.")),
]  # fmt: skip


def festival_scenarios() -> Iterator[Scenario]:
    f = festival_input()
    state = FestivalState(edition=f.edition, films=list(f.films), licensors=dict(f.licensors), people=f.people, rules=dict(f.rules))
    facts = ent.FestivalFacts(admins=tuple(a.id for a in f.people.festival_admins), festival_organisations=frozenset({"sco-festival"}))
    yield Scenario("festival", "SCO Film Festival 2026", "during the edition", state, facts)


def _new_film(s: Scenario) -> Any:
    film = next(x for x in s.state.films if x.id == FILM)
    return film.model_copy(update={"id": "steppe-wind-restored", "english_title": "The Steppe Wind (restored)"})


FESTIVAL_ACTS = [
    Act("record_award", "record_award", check_record_award,
        lambda s, p: RecordAwardAction(actor_id=p.id, award=JuryAward(id="sco-2026-best-director", edition_id=s.state.edition.id,
                                                                      film_id="paper-cranes", category_id="best_director",
                                                                      awarded_on=s.state.edition.closes_on))),
    Act("register_film", "register_film", check_register_film,
        lambda s, p: RegisterFilmAction(actor_id=p.id, film=_new_film(s), licensor=s.state.licensors[FILM])),
]  # fmt: skip

# ================================================================ all of it

ACTS: dict[str, list[Act]] = {
    "agreement": AGREEMENT_ACTS,
    "student_record": RECORD_ACTS,
    "credit_transfer": TRANSFER_ACTS,
    "application": APPLICATION_ACTS,
    "grant": GRANT_ACTS,
    "country_release": RELEASE_ACTS,
    "festival": FESTIVAL_ACTS,
}


@cache
def AGREEMENT_SPECS() -> dict[str, AgreementSpec]:
    return _agreement_specs()


BUILD_SECONDS: list[float] = []


@cache
def scenarios() -> tuple[Scenario, ...]:
    t0 = time.perf_counter()
    out = (*agreement_scenarios(), *record_scenarios(), *transfer_scenarios(), *application_scenarios(), *grant_scenarios(),
           *release_scenarios(), *festival_scenarios())  # fmt: skip
    BUILD_SECONDS.append(round(time.perf_counter() - t0, 2))
    return out
