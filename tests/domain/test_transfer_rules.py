"""Worked examples of who may act on Kim Minji's 2026-fall credit transfer, and when."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.agreement_rules import Rejected
from domain.agreements import Phase
from domain.credit_transfer import CourseDecision, precheck
from domain.learning_agreements import ChangeKind, ChangeReason, apply_change
from domain.terms import term_start
from domain.transfer_decisions import TransferStage
from domain.transfer_rules import (
    TransferRole,
    check_approve_change,
    check_authorize,
    check_confirm_grades,
    check_decide,
    check_home_approve,
    check_propose_change,
    check_provide_information,
    check_return,
    check_transfers_open,
    roles_of,
    roster_problems,
)
from domain.transfer_state import (
    ApproveChangeAction,
    ChangeProposal,
    CreditTransferState,
    DecideCourseAction,
    InfoRequest,
    InstitutionStaff,
    ProgramRoster,
    ProposalStatus,
    ProposeChangeAction,
    ProvideInformationAction,
    ReturnAction,
    StageAction,
    learning_agreement_from,
)
from tests.domain.program_examples import CATALOGS, COORDINATOR, KNUA_TABLE, program, student
from tests.domain.transfer_examples import ROSTER, ministry_program, request

NOW = datetime(2027, 2, 10, tzinfo=UTC)


def state(stage: TransferStage = TransferStage.DEPARTMENT, **kw: object) -> CreditTransferState:
    prog = kw.pop("program", None) or program()
    r = request()
    s = CreditTransferState(program=prog, catalogs=CATALOGS, equivalencies=KNUA_TABLE, record=student(), request=r, roster=ROSTER,
                            learning_agreement=learning_agreement_from(r), stage=stage,
                            lines=precheck(r, prog, CATALOGS, KNUA_TABLE, term_start(r.term)))  # fmt: skip
    return s.model_copy(update=kw)


def decide(
    code: str, decision: CourseDecision = CourseDecision.APPROVE, actor: str = "knua-dept", **kw: object
) -> DecideCourseAction:
    return DecideCourseAction.model_validate({"actor_id": actor, "course_code": code, "decision": decision, **kw})


def test_roles_follow_the_direction_of_the_transfer():
    s = state()
    assert roles_of(s, "knua-dept") == {TransferRole.DEPARTMENT}
    assert roles_of(s, "vgik-registrar") == {TransferRole.PARTNER_REGISTRAR}
    assert roles_of(s, "kim-minji") == {TransferRole.STUDENT}
    assert roles_of(s, "vgik-dept") == set()  # decides only on credits transferred to VGIK
    assert roles_of(s, "moe-officer") == set()  # this program needs no ministry
    assert roles_of(state(program=ministry_program()), "moe-officer") == {TransferRole.MINISTRY}


def test_only_the_department_decides_and_only_while_it_reviews():
    person, line = check_decide(state(), decide("DIR-620"))
    assert person.id == "knua-dept" and line.decision is CourseDecision.APPROVE
    with pytest.raises(Rejected, match=r"^Knua Registrar cannot decide on courses: only the home department's reviewers can\.$"):
        check_decide(state(), decide("DIR-620", actor="knua-registrar"))
    with pytest.raises(Rejected, match=r"^stranger takes no part in credit transfer req-kim-2026-fall\.$"):
        check_decide(state(), decide("DIR-620", actor="stranger"))
    with pytest.raises(Rejected, match="stage of the home registrar's approval, not of the home department's decisions"):
        check_decide(state(TransferStage.HOME_REGISTRAR), decide("DIR-620"))


def test_decisions_are_checked_against_the_request_and_the_catalog():
    with pytest.raises(Rejected, match=r"^Rejecting SCR-540 needs a reason code\.$"):
        check_decide(state(), decide("SCR-540", CourseDecision.REJECT))
    with pytest.raises(Rejected, match="needs the home course it counts as; no equivalency is known"):
        check_decide(state(), decide("SCR-540"))
    with pytest.raises(Rejected, match="FP-999 is not a course of knua's catalog"):
        check_decide(state(), decide("SCR-540", home_course_code="FP-999"))
    _, line = check_decide(state(), decide("SCR-540", home_course_code="fp-540"))
    assert line.home_course_code == "fp-540"


def test_a_stale_page_is_refused():
    s = state(revision=4)
    check_decide(s, decide("DIR-620", expected_revision=4))
    with pytest.raises(
        Rejected, match=r"^Conflict: you acted on revision 3 of credit transfer req-kim-2026-fall, but it is now at revision 4"
    ):
        check_decide(s, decide("DIR-620", expected_revision=3))


def test_only_the_student_side_answers_an_open_question():
    asked = state(decisions=[decide("SCR-540", CourseDecision.ASK_FOR_INFORMATION, note="Syllabus?").line()],
                  info=[InfoRequest(course_code="SCR-540", question="Syllabus?", asked_by="knua-dept", asked_at=NOW, seq=3)])  # fmt: skip
    for actor in ["kim-minji", COORDINATOR.id]:
        person, q = check_provide_information(
            asked, ProvideInformationAction(actor_id=actor, course_code="scr-540", text="72 hours")
        )
        assert q.question == "Syllabus?" and person.id == actor
    with pytest.raises(Rejected, match="only the student or the program's coordinators can"):
        check_provide_information(asked, ProvideInformationAction(actor_id="knua-dept", course_code="SCR-540", text="x"))
    with pytest.raises(Rejected, match=r"^No question on DIR-620 is waiting for an answer\.$"):
        check_provide_information(asked, ProvideInformationAction(actor_id="kim-minji", course_code="DIR-620", text="x"))
    with pytest.raises(Rejected, match="already waiting for the student's answer"):
        check_decide(asked, decide("SCR-540", CourseDecision.ASK_FOR_INFORMATION, note="Again?"))
    assert asked.awaiting_department() == ["DIR-620", "VFX-630"]
    answered = asked.model_copy(update={"info": [asked.info[0].model_copy(update={"answer": "72 hours"})]})
    assert answered.awaiting_department() == ["DIR-620", "VFX-630", "SCR-540"] and answered.awaiting_information() == []


def test_each_registrar_acts_at_its_own_stage():
    at_home = state(TransferStage.HOME_REGISTRAR)
    assert check_home_approve(at_home, StageAction(actor_id="knua-registrar")).id == "knua-registrar"
    with pytest.raises(Rejected, match="only the home registrar can"):
        check_home_approve(at_home, StageAction(actor_id="vgik-registrar"))
    _, codes = check_return(at_home, ReturnAction(actor_id="knua-registrar", reason="Check levels", course_codes=["dir-620"]))
    assert codes == ["DIR-620"]
    _, codes = check_return(at_home, ReturnAction(actor_id="knua-registrar", reason="Redo all"))
    assert codes == ["DIR-620", "VFX-630", "SCR-540"]
    with pytest.raises(Rejected, match="only the partner's registrar can"):
        check_confirm_grades(state(TransferStage.PARTNER_REGISTRAR), StageAction(actor_id="knua-registrar"))
    with pytest.raises(Rejected, match="not of the partner registrar's confirmation"):
        check_confirm_grades(at_home, StageAction(actor_id="vgik-registrar"))
    with pytest.raises(Rejected, match="needs no ministry authorization"):
        check_authorize(state(TransferStage.MINISTRY), StageAction(actor_id="moe-officer"))
    ministry = state(TransferStage.MINISTRY, program=ministry_program())
    assert check_authorize(ministry, StageAction(actor_id="moe-officer")).id == "moe-officer"


def test_learning_agreement_changes_and_the_stale_approval():
    s = state()
    add = ProposeChangeAction(actor_id="kim-minji", proposal_id="p1", kind=ChangeKind.ADD, course_code="HIST-301",
                              title="History of Russian Cinema", reason=ChangeReason.TIMETABLE_CLASH, base_revision=0)  # fmt: skip
    _, change = check_propose_change(s, add)
    assert change.proposed_by == "kim-minji"
    with pytest.raises(Rejected, match="only the student or the program's coordinators can"):
        check_propose_change(s, add.model_copy(update={"actor_id": "knua-dept"}))
    with pytest.raises(Rejected, match="needs a comment"):
        check_propose_change(s, add.model_copy(update={"reason": ChangeReason.OTHER}))
    drop = ProposeChangeAction(actor_id="kim-minji", proposal_id="p2", kind=ChangeKind.DROP, course_code="SCR-540",
                               reason=ChangeReason.COURSE_CANCELLED, base_revision=0).change()  # fmt: skip
    both = s.model_copy(
        update={"proposals": [ChangeProposal(change=change, proposed_at=NOW), ChangeProposal(change=drop, proposed_at=NOW)]}
    )
    check_approve_change(both, ApproveChangeAction(actor_id="knua-dept", proposal_id="p2"))
    with pytest.raises(Rejected, match="only the home department's reviewers can"):
        check_approve_change(both, ApproveChangeAction(actor_id="kim-minji", proposal_id="p2"))
    after_p1 = both.model_copy(deep=True)
    after_p1.learning_agreement = apply_change(after_p1.learning_agreement, change)
    after_p1.proposals[0].status = ProposalStatus.APPROVED
    with pytest.raises(Rejected, match=r"^Conflict: you tried to approve “drop SCR-540 \(course cancelled\)”, proposed against revision 0"
                       r".* current revision is 1 \(the latest change: add HIST-301"):  # fmt: skip
        check_approve_change(after_p1, ApproveChangeAction(actor_id="knua-dept", proposal_id="p2"))
    with pytest.raises(Rejected, match=r"^No pending learning-agreement proposal p1\.$"):
        check_approve_change(after_p1, ApproveChangeAction(actor_id="knua-dept", proposal_id="p1"))


def test_every_stage_needs_someone_and_requests_need_an_active_mou():
    assert roster_problems(program(), ROSTER, request()) == []
    thin = ProgramRoster(staff={"knua": InstitutionStaff(department_reviewers=ROSTER.staff["knua"].department_reviewers)},
                         coordinators=(COORDINATOR,))  # fmt: skip
    assert roster_problems(ministry_program(), thin, request()) == [
        "No registrar of knua is named to approve the decisions.",
        "No registrar of vgik is named to confirm the grades.",
        "The program requires ministry authorization, but no ministry officer is named.",
    ]
    check_transfers_open(program(), Phase.RENEWAL)
    with pytest.raises(Rejected, match="is terminating, not active"):
        check_transfers_open(program(), Phase.TERMINATING)
