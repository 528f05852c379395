"""The co-production fund on the time-skipping server: application to closeout, and the ledger's guard."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.agreements import ApproveAction, Phase, PhaseAction, SignAction
from domain.grants.board import VoteChoice
from domain.grants.funds import Fund
from domain.grants.process import (
    FINAL_REPORT,
    AmendmentVoteAction,
    ApplicationStage,
    CancelGrantAction,
    CloseVoteAction,
    DeclineReviewAction,
    GrantStage,
    LedgerOp,
    LedgerRequest,
    ProposeAmendmentAction,
    ReviewReportAction,
    ScoreAction,
    ScreenAction,
    SubmitReportAction,
    VoteAction,
)
from tests.domain.grants.examples import BOARD, FUND
from tests.workflows.grant_round import MANAGER, start_fund, submit
from tests.workflows.joint_program import rejected, until
from tests.workflows.test_agreement import wait_phase
from workflows.agreement import AgreementWorkflow
from workflows.fund_ledger import FundLedgerWorkflow
from workflows.grant import GrantWorkflow as G
from workflows.grant_application import GrantApplicationWorkflow as A

MARKS = {"artistic_merit": Decimal(8), "coproduction": Decimal(7), "feasibility": Decimal(9), "audience_reach": Decimal(6)}


async def to_board(h: WorkflowHandle) -> None:
    await until(h, A.state, lambda s: s.stage is ApplicationStage.SCREENING, "screening")
    await h.execute_update(A.screen, ScreenAction(actor_id=MANAGER.id, passed=True))
    st = await h.query(A.state)
    for r in st.active_reviews:
        await h.execute_update(A.score, ScoreAction(actor_id=r.reviewer.id, values=MARKS))




async def sign_agreement(env, grant: WorkflowHandle) -> None:  # type: ignore[no-untyped-def]
    st = await until(grant, G.state, lambda s: s.agreement_workflow_id is not None, "agreement started")
    ag = env.client.get_workflow_handle(st.agreement_workflow_id)
    a = await wait_phase(ag, Phase.REVIEW)
    await ag.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id=MANAGER.id))
    for p in a.spec.parties:
        await ag.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id=p.approvers[0].id, version_hash=a.current_hash))
    for p in a.spec.parties:
        await ag.execute_update(AgreementWorkflow.sign, SignAction(actor_id=p.signatories[0].id, version_hash=a.current_hash))


async def test_application_to_signed_agreement_to_closeout(env, worker):
    _, fakes, queue = worker
    fund = await start_fund(env, queue)
    h = await submit(env, queue)
    st = await until(h, A.state, lambda s: s.stage is ApplicationStage.SCREENING, "screening")
    assert st.eligibility.eligible
    msg = await rejected(h.execute_update(A.screen, ScreenAction(actor_id="priya-nair", passed=True)))
    assert msg == "priya-nair cannot screen applications: only the fund's managers can."
    msg = await rejected(h.execute_update(A.screen, ScreenAction(actor_id=MANAGER.id, passed=False)))
    assert msg.startswith("Say why the application is screened out")
    await h.execute_update(A.screen, ScreenAction(actor_id=MANAGER.id, passed=True))
    st = await h.query(A.state)
    panel = [r.reviewer.id for r in st.active_reviews]
    assert len(panel) == 3 and not {"aigerim", "arjun"} & set(panel)  # Kazakhfilm's employee, the lead's compatriot
    # a reviewer declares a conflict and is replaced
    leaving = panel[0]
    r = await h.execute_update(A.decline_review, DeclineReviewAction(actor_id=leaving, reason="I advised the producer in 2025.", conflict=True))
    assert "takes your place" in r.message
    st = await h.query(A.state)
    panel = [x.reviewer.id for x in st.active_reviews]
    assert leaving not in panel and len(panel) == 3 and [leaving, "in-kz-drama"] in [list(d) for d in st.declared]
    msg = await rejected(h.execute_update(A.score, ScoreAction(actor_id=panel[0], values={**MARKS, "feasibility": Decimal(11)})))
    assert "feasibility" in msg.lower() and "11" in msg
    for rid in panel:
        await h.execute_update(A.score, ScoreAction(actor_id=rid, values=MARKS))
    st = await h.query(A.state)
    assert st.stage is ApplicationStage.BOARD and st.score == Decimal("72.78")
    msg = await rejected(h.execute_update(A.close_vote, CloseVoteAction(actor_id=MANAGER.id)))
    assert msg == "The vote cannot be closed yet. Only 0 members of 7 voted; the quorum is 4."
    for member, amount in zip(BOARD, ["110000", "115000", "120000", "120000"], strict=False):
        await h.execute_update(A.vote, VoteAction(actor_id=member, choice=VoteChoice.APPROVE, amount=Decimal(amount)))
    r = await h.execute_update(A.close_vote, CloseVoteAction(actor_id=MANAGER.id))
    assert r.message == "Awarded 117,500.00 USD; committed in the fund's ledger."
    assert (await h.result()) == ApplicationStage.AWARDED
    figures = await fund.query(FundLedgerWorkflow.figures)
    assert (figures.committed, figures.released) == (Decimal("117500.00"), Decimal(0))
    assert [x.kind.value for x in fakes.letters] == ["award_letter"]

    grant = env.client.get_workflow_handle("grant-in-kz-drama")
    msg = await rejected(grant.execute_update(G.submit_report, SubmitReportAction(actor_id="priya-nair", tranche_id="milestone", reference="r1")))
    assert "the grant agreement is not executed" in msg
    assert fakes.payments == {}  # no money before the agreement is executed
    await sign_agreement(env, grant)
    st = await until(grant, G.state, lambda s: s.payments, "first tranche paid")
    assert st.stage is GrantStage.ACTIVE and [t.amount for t in st.tranches] == [Decimal("47000.00"), Decimal("47000.00"), Decimal("23500.00")]
    assert [p.amount for p in st.payments] == [Decimal("47000.00")]
    # the milestone report: returned once, then approved, then paid
    await grant.execute_update(G.submit_report, SubmitReportAction(actor_id="priya-nair", tranche_id="milestone", reference="sha-milestone-1"))
    await grant.execute_update(G.review_report, ReviewReportAction(actor_id=MANAGER.id, tranche_id="milestone", approve=False, reason="Add the shooting schedule."))
    await grant.execute_update(G.submit_report, SubmitReportAction(actor_id="priya-nair", tranche_id="milestone", reference="sha-milestone-2"))
    await grant.execute_update(G.review_report, ReviewReportAction(actor_id=MANAGER.id, tranche_id="milestone", approve=True))
    await until(grant, G.state, lambda s: len(s.payments) == 2, "milestone paid")
    await grant.execute_update(G.submit_report, SubmitReportAction(actor_id="priya-nair", tranche_id="delivery", reference="sha-dcp"))
    await grant.execute_update(G.review_report, ReviewReportAction(actor_id=MANAGER.id, tranche_id="delivery", approve=True))
    st = await until(grant, G.state, lambda s: s.stage is GrantStage.CLOSEOUT, "closeout")
    await grant.execute_update(G.submit_report, SubmitReportAction(actor_id="priya-nair", tranche_id=FINAL_REPORT, reference="sha-final"))
    await grant.execute_update(G.review_report, ReviewReportAction(actor_id=MANAGER.id, tranche_id=FINAL_REPORT, approve=True))
    assert (await grant.result()) == GrantStage.CLOSED
    figures = await fund.query(FundLedgerWorkflow.figures)
    assert (figures.committed, figures.released, figures.remaining) == (Decimal("117500.00"), Decimal("117500.00"), Decimal("882500.00"))
    assert len(fakes.payments) == 3 and sum(p.amount for p in fakes.payments.values()) == Decimal("117500.00")


async def test_concurrent_commitments_never_exceed_the_fund(env, worker):
    _, _, queue = worker
    small = FUND.model_copy(update={"id": "small-fund", "budget": Decimal("200000"), "sponsors": ()})
    fund = await start_fund(env, queue, small)
    reqs = [LedgerRequest(fund_id="small-fund", op=LedgerOp.COMMIT, award_id=f"award-{i}", amount=Decimal("120000"), request_key=f"k{i}")
            for i in range(4)]  # fmt: skip
    results = await asyncio.gather(*(fund.execute_update(FundLedgerWorkflow.apply, r, id=r.request_key) for r in reqs), return_exceptions=True)
    ok = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, WorkflowUpdateFailedError)]
    assert len(ok) == 1 and len(refused) == 3
    assert all("would exceed the fund" in e.cause.message for e in refused)
    figures = await fund.query(FundLedgerWorkflow.figures)
    assert (figures.committed, figures.remaining) == (Decimal("120000.00"), Decimal("80000.00"))
    again = await fund.execute_update(FundLedgerWorkflow.apply, reqs[next(i for i, r in enumerate(results) if r in ok)], id="other-id")
    assert again.message == "Already recorded."  # the same commitment told twice counts once


async def test_an_award_the_fund_cannot_pay_is_waitlisted(env, worker):
    _, fakes, queue = worker
    small = FUND.model_copy(update={"id": "tight-fund", "budget": Decimal("150000"), "sponsors": ()})
    fund = await start_fund(env, queue, small)
    await fund.execute_update(FundLedgerWorkflow.apply, LedgerRequest(fund_id="tight-fund", op=LedgerOp.COMMIT, award_id="earlier",
                                                                      amount=Decimal("100000"), request_key="earlier"))  # fmt: skip
    h = await submit(env, queue, fund=small)
    await to_board(h)
    for member in BOARD:
        await h.execute_update(A.vote, VoteAction(actor_id=member, choice=VoteChoice.APPROVE))
    assert (await h.result()) == ApplicationStage.WAITLISTED
    st = await h.query(A.state)
    assert "would exceed the fund" in st.ledger_message and fakes.letters == []


async def test_ineligible_and_refused_applications_get_letters_with_reasons(env, worker):
    _, fakes, queue = worker
    await start_fund(env, queue)
    h = await submit(env, queue, "kr-solo")
    board = await submit(env, queue, "cn-ru-animation")  # before any result is awaited: that lets time skip
    st = await until(h, A.state, lambda s: s.stage is ApplicationStage.REJECTED, "rejected")
    assert "The team spans only one eligible country (KR); the call needs at least two." in st.reasons
    await to_board(board)
    for member in BOARD[:5]:
        await board.execute_update(A.vote, VoteAction(actor_id=member, choice=VoteChoice.REJECT, reason="The budget is not credible."))
    await board.execute_update(A.close_vote, CloseVoteAction(actor_id=MANAGER.id))
    assert (await board.result()) == ApplicationStage.REJECTED
    assert [x.kind.value for x in fakes.letters] == ["rejection_letter", "rejection_letter"]
    assert fakes.letters[1].reasons == ["The budget is not credible."]


async def test_a_reviewer_who_never_scores_is_reminded_then_escalated(env, worker):
    _, fakes, queue = worker
    await start_fund(env, queue)
    h = await submit(env, queue)
    await until(h, A.state, lambda s: s.stage is ApplicationStage.SCREENING, "screening")
    await h.execute_update(A.screen, ScreenAction(actor_id=MANAGER.id, passed=True))
    await env.sleep(timedelta(days=30))
    keys = fakes.keys(h.id)
    assert any("/reminder/1" in k for k in keys) and any("/escalate_liaison/" in k for k in keys)


async def test_cancellation_frees_the_unpaid_award_and_claws_back(env, worker):
    _, _, queue = worker
    fund = await start_fund(env, queue)
    h = await submit(env, queue)
    await to_board(h)
    for member in BOARD:
        await h.execute_update(A.vote, VoteAction(actor_id=member, choice=VoteChoice.APPROVE, amount=Decimal("100000")))
    await h.result()
    grant = env.client.get_workflow_handle("grant-in-kz-drama")
    await sign_agreement(env, grant)
    await until(grant, G.state, lambda s: s.payments, "first tranche paid")
    msg = await rejected(grant.execute_update(G.cancel, CancelGrantAction(actor_id=MANAGER.id, reason="Production abandoned", clawback=Decimal("50000"))))
    assert "Only 40,000.00 USD was paid" in msg
    await grant.execute_update(G.cancel, CancelGrantAction(actor_id=MANAGER.id, reason="Production abandoned", clawback=Decimal("10000")))
    assert (await grant.result()) == GrantStage.CANCELLED
    f = await fund.query(FundLedgerWorkflow.figures)
    assert (f.committed, f.released, f.clawed_back) == (Decimal("30000.00"), Decimal("30000.00"), Decimal("10000.00"))
    assert f.remaining == Decimal("970000.00") and isinstance(FUND, Fund)


async def test_amendments_need_the_board_and_move_the_ledger(env, worker):
    _, _, queue = worker
    fund = await start_fund(env, queue)
    h = await submit(env, queue)
    await to_board(h)
    for member in BOARD:
        await h.execute_update(A.vote, VoteAction(actor_id=member, choice=VoteChoice.APPROVE, amount=Decimal("100000")))
    await h.result()
    grant = env.client.get_workflow_handle("grant-in-kz-drama")
    await sign_agreement(env, grant)
    st = await until(grant, G.state, lambda s: s.payments, "first tranche paid")
    late = st.tranches[2].due_on.replace(year=st.tranches[2].due_on.year + 1)
    msg = await rejected(grant.execute_update(G.propose_amendment, ProposeAmendmentAction(actor_id=BOARD[0], new_amount=Decimal("1"), reason="More")))
    assert msg == "board-chen cannot propose amendments: only the fund's managers can."
    msg = await rejected(grant.execute_update(G.propose_amendment, ProposeAmendmentAction(actor_id=MANAGER.id, new_amount=Decimal("30000"), reason="Less")))
    assert msg == "The award cannot go below the 40,000.00 USD already paid."
    await grant.execute_update(G.propose_amendment, ProposeAmendmentAction(actor_id=MANAGER.id, new_amount=Decimal("110000"),
                                                                           due_dates={"delivery": late}, reason="Extra VFX shots"))  # fmt: skip
    for member in BOARD[:4]:
        await grant.execute_update(G.vote_amendment, AmendmentVoteAction(actor_id=member, choice=VoteChoice.APPROVE))
    r = await grant.execute_update(G.close_amendment_vote, CloseVoteAction(actor_id=MANAGER.id))
    assert r.message == "Amended: the award is now 110,000.00 USD."
    st = await grant.query(G.state)
    assert [t.amount for t in st.tranches] == [Decimal("40000.00"), Decimal("46666.66"), Decimal("23333.34")]
    assert st.tranches[2].due_on == late
    f = await fund.query(FundLedgerWorkflow.figures)
    assert (f.committed, f.released) == (Decimal("110000.00"), Decimal("40000.00"))
    # a second amendment the board refuses changes nothing
    await grant.execute_update(G.propose_amendment, ProposeAmendmentAction(actor_id=MANAGER.id, new_amount=Decimal("140000"), reason="More again"))
    for member in BOARD:
        await grant.execute_update(G.vote_amendment, AmendmentVoteAction(actor_id=member, choice=VoteChoice.REJECT, reason="Not justified"))
    st = await grant.query(G.state)
    assert st.amount == Decimal("110000.00") and st.amendments[-1].decision.outcome == "reject"


async def test_reports_come_in_order_and_a_cancellation_before_signature_voids_the_agreement(env, worker):
    _, _, queue = worker
    fund = await start_fund(env, queue)
    h = await submit(env, queue)
    await to_board(h)
    for member in BOARD:
        await h.execute_update(A.vote, VoteAction(actor_id=member, choice=VoteChoice.APPROVE, amount=Decimal("100000")))
    await h.result()
    grant = env.client.get_workflow_handle("grant-in-kz-drama")
    st = await until(grant, G.state, lambda s: s.agreement_workflow_id is not None, "agreement started")
    await wait_phase(env.client.get_workflow_handle(st.agreement_workflow_id), Phase.REVIEW)
    msg = await rejected(grant.execute_update(G.cancel, CancelGrantAction(actor_id=MANAGER.id, reason="   ")))
    assert msg == "Say why the grant is cancelled: the producer and the board read it."
    await grant.execute_update(G.cancel, CancelGrantAction(actor_id=MANAGER.id, reason="The co-producer withdrew"))
    agreement = await wait_phase(env.client.get_workflow_handle(st.agreement_workflow_id), Phase.VOIDED)
    assert "The grant was cancelled" in agreement.outcome_reason
    f = await fund.query(FundLedgerWorkflow.figures)
    assert (f.committed, f.remaining) == (Decimal(0), Decimal("1000000.00"))


async def test_a_later_report_waits_for_the_earlier_one(env, worker):
    _, _, queue = worker
    await start_fund(env, queue)
    h = await submit(env, queue)
    await to_board(h)
    for member in BOARD:
        await h.execute_update(A.vote, VoteAction(actor_id=member, choice=VoteChoice.APPROVE, amount=Decimal("100000")))
    await h.result()
    grant = env.client.get_workflow_handle("grant-in-kz-drama")
    await sign_agreement(env, grant)
    await until(grant, G.state, lambda s: s.payments, "first tranche paid")
    msg = await rejected(grant.execute_update(G.submit_report, SubmitReportAction(actor_id="priya-nair", tranche_id="delivery", reference="x")))
    assert msg == "Reports come in order: the production milestone report for “Production milestone” is due first."
    msg = await rejected(grant.execute_update(G.submit_report, SubmitReportAction(actor_id="priya-nair", tranche_id=FINAL_REPORT, reference="x")))
    assert msg == "The final report comes after every tranche is settled."
    msg = await rejected(grant.execute_update(G.propose_amendment, ProposeAmendmentAction(actor_id=MANAGER.id, new_amount=Decimal("40000"), reason="Stop")))
    assert msg == "40,000.00 USD is what was already paid: to end the grant there, cancel it instead."
