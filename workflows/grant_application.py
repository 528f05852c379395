"""A grant application, from submission to the board's decision: one workflow per application.

submitted → eligibility (pure, with reasons) → the fund manager screens → a panel is assigned,
avoiding conflicts of interest (a reviewer may decline or declare a conflict and is replaced) →
each reviewer scores per the rubric, with due dates and reminders → the board votes (quorum and
majority) → an award is committed in the fund's ledger (`FundLedger`, which refuses what the fund
cannot pay) and a `Grant` workflow carries on to the agreement and the tranches; a refusal gets a
letter with its reasons.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from domain.grants import activity_names as gact
    from domain.grants import application_state as rules
    from domain.grants.application_state import ApplicationState, ReviewAssignment, Screening
    from domain.grants.applications import Application
    from domain.grants.board import Decision, Outcome
    from domain.grants.conflicts import assign_reviewers, replace_reviewer
    from domain.grants.eligibility import check_eligibility
    from domain.grants.funds import Fund, GrantCall
    from domain.grants.money import format_money
    from domain.grants.process import (
        APPLICATION_CLOSED,
        AgreementParties,
        ApplicationStage,
        CloseVoteAction,
        DeclineReviewAction,
        GrantPeople,
        GrantResult,
        LedgerOp,
        LedgerReply,
        LedgerRequest,
        LetterKind,
        LetterRequest,
        ReviewerLoadRequest,
        ScoreAction,
        ScreenAction,
        VoteAction,
        WithdrawAction,
    )
    from domain.grants.rubric import priority_bonus
    from domain.human_steps import OpenStep, ReminderPolicy, StepKind
    from domain.parties import PersonRef
    from domain.readmodel import ItemDocument, ItemParty, ItemSnapshot
    from workflows.grant import GrantInput, GrantWorkflow, grant_workflow_id
    from workflows.human_workflow import HumanWorkflow, StepSpec
    from workflows.item_activities import ACTIVITY_TIMEOUT, RETRY, documents_queue, notify

RENDER_TIMEOUT = timedelta(minutes=5)


class GrantApplicationInput(BaseModel):
    fund: Fund
    call: GrantCall
    application: Application
    people: GrantPeople
    parties: AgreementParties  # who signs the grant agreement if it is awarded
    resumed: ApplicationState | None = None


def application_workflow_id(application_id: str) -> str:
    return f"application-{application_id}"


@workflow.defn(name="GrantApplication")
class GrantApplicationWorkflow(HumanWorkflow):
    @workflow.init
    def __init__(self, inp: GrantApplicationInput) -> None:
        self.s: ApplicationState = inp.resumed or ApplicationState(
            fund=inp.fund, call=inp.call, application=inp.application, people=inp.people, parties=inp.parties
        )
        self._init_human()

    @workflow.run
    async def run(self, inp: GrantApplicationInput) -> ApplicationStage:
        if inp.resumed is None:
            async with self.lock:
                await self._check_eligibility()
        else:
            self.sync_steps()
        while self.s.stage not in APPLICATION_CLOSED:
            if workflow.info().is_continue_as_new_suggested():
                await self.until_handlers_finished()
                workflow.continue_as_new(GrantApplicationInput(fund=self.s.fund, call=self.s.call, application=self.s.application,
                                                               people=self.s.people, parties=self.s.parties, resumed=self.s))  # fmt: skip
            await workflow.wait_condition(
                lambda: self.s.stage in APPLICATION_CLOSED or workflow.info().is_continue_as_new_suggested()
            )
        await self.until_handlers_finished()
        return self.s.stage

    @workflow.query
    def state(self) -> ApplicationState:
        return self.s

    # ------------------------------------------------------------------ stages

    async def _check_eligibility(self) -> None:
        s = self.s
        s.submitted_at = workflow.now()
        a = s.application
        self.event("submitted", a.contact, f"“{a.project.title}”: {format_money(a.requested_amount, a.currency)} requested,"
                   f" team from {', '.join(a.countries)}")  # fmt: skip
        s.eligibility = check_eligibility(a, s.call, workflow.now().date())
        s.bonus, _ = priority_bonus(list(a.priorities), s.call.bonuses)
        if not s.eligibility.eligible:
            self.event("ineligible", None, " ".join(s.eligibility.reasons))
            await self._reject(s.eligibility.reasons)
            return
        self.event("eligible", None, "Every eligibility rule of the call is met")
        s.stage = ApplicationStage.SCREENING
        await self.commit()

    async def _reviewer_load(self) -> dict[str, int]:
        ids = [r.id for r in self.s.people.reviewers]
        return await workflow.execute_activity(
            gact.REVIEWER_LOAD, ReviewerLoadRequest(reviewer_ids=ids), result_type=dict[str, int],
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY,
        )  # fmt: skip

    async def _assign_panel(self) -> None:
        s = self.s
        load = await self._reviewer_load()
        a = assign_reviewers(s.application, list(s.people.reviewers), count=s.call.reviewers_per_application,
                             current_load=load, exclude=set(s.excluded), declared={tuple(x) for x in s.declared})  # fmt: skip
        now = workflow.now()
        due = now + timedelta(days=s.call.review_due_days)
        s.reviews += [ReviewAssignment(reviewer=p, assigned_at=now, due_at=due) for p in a.assigned]
        s.shortfall = a.shortfall
        self.event("panel_assigned", None, a.message + (" Passed over: " + " ".join(a.skipped.values()) if a.skipped else ""))
        s.stage = ApplicationStage.REVIEW
        if a.shortfall:
            await notify("panel-shortfall", list(s.people.fund_managers), f"Reviewers needed — {self.title()}", a.message)

    def _maybe_reviewed(self) -> None:
        s = self.s
        if s.stage is ApplicationStage.REVIEW and s.active_reviews and not any(r.pending for r in s.active_reviews):
            s.score = rules.panel_result(s)
            self.event("reviewed", None, f"Panel score {s.score} of 100 (+{s.bonus} priority bonus), from {len(s.active_reviews)} reviews")
            s.stage = ApplicationStage.BOARD

    async def _decide(self, d: Decision) -> str:
        """Apply the board's decision: commit the award in the ledger, or refuse with the reasons."""
        s = self.s
        s.decision = d
        self.event("board_decided", None, d.summary)
        await self.show_now()
        if d.outcome is not Outcome.AWARD or d.amount is None:
            await self._reject(d.reasons or ["The board did not approve the application."])
            return "The board's decision is recorded: the application is refused."
        reply = await workflow.execute_activity(
            gact.LEDGER_OPERATION,
            LedgerRequest(fund_id=s.fund.id, op=LedgerOp.COMMIT, award_id=s.application.id, amount=d.amount,
                          reason=s.application.project.title, request_key=f"{workflow.info().workflow_id}/commit"),
            result_type=LedgerReply, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY,
        )  # fmt: skip
        if not reply.applied:  # the fund cannot pay it (another award took the money first)
            s.ledger_message = reply.message
            s.stage, s.closed_at = ApplicationStage.WAITLISTED, workflow.now()
            self.event("waitlisted", None, reply.message)
            await notify("waitlisted", [*s.people.fund_managers, s.application.contact], f"Waiting list — {self.title()}",
                         f"The board approved {format_money(d.amount, s.fund.currency)}, but the fund cannot commit it: {reply.message}")  # fmt: skip
            await self.commit()
            return f"The board approved it, but the fund cannot commit the award: {reply.message}"
        grant_id = grant_workflow_id(s.application.id)
        try:
            await workflow.start_child_workflow(
                GrantWorkflow.run,
                GrantInput(fund=s.fund, call=s.call, application=s.application, people=s.people, parties=s.parties,  # type: ignore[arg-type]
                           amount=d.amount, decision=d),
                id=grant_id, parent_close_policy=ParentClosePolicy.ABANDON,
            )  # fmt: skip
        except WorkflowAlreadyStartedError:
            pass  # started by an earlier attempt of this award (the ledger commit above is idempotent too)
        s.grant_workflow_id, s.award_amount = grant_id, d.amount
        letter = await self._letter(LetterKind.AWARD, amount=d.amount)
        s.stage, s.closed_at = ApplicationStage.AWARDED, workflow.now()
        self.event("awarded", None, rules.award_text(s, d.amount) + (f"; the grant continues in {s.grant_workflow_id}" if s.grant_workflow_id else ""))
        await notify("awarded", [s.application.contact, *s.people.fund_managers], f"Award — {self.title()}",
                     f"The board awarded {format_money(d.amount, s.fund.currency)}. The grant agreement follows for signature;"
                     " no money moves before it is executed.")  # fmt: skip
        await self.commit(documents=[letter])
        return f"Awarded {format_money(d.amount, s.fund.currency)}; committed in the fund's ledger."

    async def _reject(self, reasons: list[str]) -> None:
        s = self.s
        s.reasons = reasons
        s.stage, s.closed_at = ApplicationStage.REJECTED, workflow.now()
        letter = await self._letter(LetterKind.REJECTION)
        await notify("rejected", [s.application.contact], f"Decision on your application — {self.title()}",
                     "We regret that the application cannot be funded: " + " ".join(reasons))  # fmt: skip
        await self.commit(documents=[letter])

    async def _letter(self, kind: LetterKind, amount: Decimal | None = None) -> ItemDocument:
        s = self.s
        doc = await workflow.execute_activity(
            gact.RENDER_LETTER,
            LetterRequest(kind=kind, fund=s.fund, call=s.call, application=s.application, amount=amount, reasons=s.reasons,
                          score=s.score, decision=s.decision, issued_at=workflow.now()),
            result_type=ItemDocument, start_to_close_timeout=RENDER_TIMEOUT, heartbeat_timeout=timedelta(seconds=30),
            task_queue=documents_queue(), retry_policy=RETRY,
        )  # fmt: skip
        s.documents.append(doc)
        self.event(kind.value, None, doc.label)
        return doc

    # ------------------------------------------------------------------ updates

    @workflow.update
    async def screen(self, a: ScreenAction) -> GrantResult:
        async with self.lock:
            person = self.check(rules.check_screen, a)
            s = self.s
            s.screening = Screening(by=person, passed=a.passed, reason=a.reason, at=workflow.now())
            if not a.passed:
                self.event("screened_out", person, a.reason)
                await self.show_now()
                await self._reject([a.reason])
                return self._result("Screened out; the applicant receives a letter with your reason.")
            self.event("screened", person, "Passed to the panel" + (f": {a.reason}" if a.reason else ""))
            await self.show_now()
            await self._assign_panel()
            return self._result(await self.commit("Passed to the panel; reviewers are assigned."))

    @screen.validator
    def _v_screen(self, a: ScreenAction) -> None:
        self.check(rules.check_screen, a)

    @workflow.update
    async def score(self, a: ScoreAction) -> GrantResult:
        async with self.lock:
            person, review, score = self.check(rules.check_score_action, a)
            review.score, review.weighted, review.scored_at = score, rules.panel_score(self.s, score), workflow.now()
            self.event("scored", person, f"Weighted score {review.weighted} of 100")
            self._maybe_reviewed()
            return self._result(await self.commit(f"Score recorded: {review.weighted} of 100."))

    @score.validator
    def _v_score(self, a: ScoreAction) -> None:
        self.check(rules.check_score_action, a)

    @workflow.update
    async def decline_review(self, a: DeclineReviewAction) -> GrantResult:
        async with self.lock:
            person, review = self.check(rules.check_decline_review, a)
            s = self.s
            load = await self._reviewer_load()
            load[person.id] = max(load.get(person.id, 1) - 1, 0)
            r = replace_reviewer(s.application, list(s.people.reviewers), assigned=[x.reviewer.id for x in s.active_reviews],
                                 leaving=person.id, conflict=a.conflict, current_load=load, exclude=set(s.excluded),
                                 declared={tuple(x) for x in s.declared})  # fmt: skip
            review.left_reason, review.conflict = a.reason, a.conflict
            s.excluded, s.declared = list(r.exclude), [tuple(x) for x in r.declared]
            what = "declared a conflict of interest" if a.conflict else "declined"
            self.event("review_declined", person, f"{what}: {a.reason}")
            if r.replacement is not None:
                now = workflow.now()
                s.reviews.append(ReviewAssignment(reviewer=r.replacement, assigned_at=now, due_at=now + timedelta(days=s.call.review_due_days)))
                self.event("reviewer_replaced", None, f"{r.replacement.name} replaces {person.name}")
                message = f"Recorded; {r.replacement.name} takes your place on the panel."
            else:
                s.shortfall += 1
                await notify(f"panel-shortfall/{person.id}", list(s.people.fund_managers), f"Reviewer needed — {self.title()}",
                             f"{person.name} {what} and nobody eligible is left in the pool: add a reviewer.")  # fmt: skip
                message = "Recorded; the fund manager is asked to find another reviewer."
            self._maybe_reviewed()
            return self._result(await self.commit(message))

    @decline_review.validator
    def _v_decline_review(self, a: DeclineReviewAction) -> None:
        self.check(rules.check_decline_review, a)

    @workflow.update
    async def vote(self, a: VoteAction) -> GrantResult:
        async with self.lock:
            person, vote = self.check(rules.check_vote_action, a)
            s = self.s
            s.votes.append(vote)
            self.event("voted", person, vote.choice.value + (f" {format_money(vote.amount, s.fund.currency)}" if vote.amount else ""))
            if len(s.votes) == len(s.people.board):  # everyone has voted: the decision is taken at once
                return self._result(await self._decide(rules.decide(s, s.votes)))
            return self._result(await self.commit(f"Vote recorded ({len(s.votes)} of {len(s.people.board)} members)."))

    @vote.validator
    def _v_vote(self, a: VoteAction) -> None:
        self.check(rules.check_vote_action, a)

    @workflow.update
    async def close_vote(self, a: CloseVoteAction) -> GrantResult:
        async with self.lock:
            _, decision = self.check(rules.check_close_vote, a)
            return self._result(await self._decide(decision))

    @close_vote.validator
    def _v_close_vote(self, a: CloseVoteAction) -> None:
        self.check(rules.check_close_vote, a)

    @workflow.update
    async def withdraw(self, a: WithdrawAction) -> GrantResult:
        async with self.lock:
            person = self.check(rules.check_withdraw, a)
            s = self.s
            s.stage, s.closed_at = ApplicationStage.WITHDRAWN, workflow.now()
            self.event("withdrawn", person, a.reason)
            return self._result(await self.commit("The application is withdrawn."))

    @withdraw.validator
    def _v_withdraw(self, a: WithdrawAction) -> None:
        self.check(rules.check_withdraw, a)

    def _result(self, message: str) -> GrantResult:
        return GrantResult(stage=self.s.stage.value, revision=self.s.revision, message=message)

    # ------------------------------------------------------------------ the shared plumbing

    def title(self) -> str:
        return f"Application {self.s.application.id}: {self.s.application.project.title}"[:300]

    def reminder_policy(self) -> ReminderPolicy:
        return self.s.call.reminders

    def desired_steps(self) -> list[StepSpec]:
        s = self.s
        out: list[StepSpec] = []
        if s.stage is ApplicationStage.SCREENING:
            out.append(StepSpec("screen", StepKind.SCREEN, "Screen the application", list(s.people.fund_managers)))
        elif s.stage is ApplicationStage.REVIEW:
            for r in s.active_reviews:
                if r.pending:
                    out.append(StepSpec(f"score-{r.reviewer.id}", StepKind.SCORE, "Score the application", [r.reviewer],
                                        due_at=r.due_at))  # fmt: skip
        elif s.stage is ApplicationStage.BOARD:
            voted = {v.member_id for v in s.votes}
            waiting = [m for m in s.people.board if m.id not in voted]
            if waiting:
                out.append(StepSpec("board-vote", StepKind.VOTE, "Vote on the award", waiting))
        return out

    def escalation(self, step: OpenStep) -> tuple[list[PersonRef], list[PersonRef]]:
        return list(self.s.people.fund_managers), list(self.s.people.board)

    def snapshot(self) -> ItemSnapshot:
        s = self.s
        parties = [ItemParty(organisation_id=c.organisation_id, country=c.country, role=c.role.value, name=c.name)
                   for c in s.application.team]  # fmt: skip
        return ItemSnapshot(
            item_id=workflow.info().workflow_id, item_type="grant_application", kind=s.call.id, title=self.title(),
            phase=s.stage.value, parties=parties, summary=s.summary(), detail=s.model_dump(mode="json", exclude={"events"}),
            projected_seq=s.projected_seq, created_at=s.submitted_at, closed_at=s.closed_at,
        )  # fmt: skip



