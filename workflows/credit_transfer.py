"""Credit transfer: one workflow per student per term, from the partner's transcript to posted credits.

pre-check (pure, here) → the home department decides each course (asking the student where it
must) → the home registrar approves or returns → the partner's registrar confirms the grades → the
ministry authorizes where the program requires it → credits posted, and the student record that
started this workflow hears `credits_posted`.

Human actions arrive as updates. Each validator runs the pure check in `domain.transfer_rules`, so
an action by the wrong person, at the wrong stage or on a stale page is refused with a readable
message and leaves no trace; the handler changes the state, reconciles the open steps (each with
reminders and escalation) and projects before it returns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import program_activity_names as doc_act
    from domain import transfer_rules as rules
    from domain.agreement_rules import Rejected
    from domain.catalogs import Catalog, EquivalencyTable, code_key
    from domain.credit_transfer import CourseDecision, CreditTransferRequest, precheck
    from domain.credits import format_credits
    from domain.human_steps import Nudge, NudgeKind, OpenStep, ReminderPolicy, StepKind
    from domain.learning_agreements import LearningAgreement, apply_change
    from domain.parties import PersonRef
    from domain.program_documents import LearningAgreementDocumentRequest
    from domain.programs import JointProgram
    from domain.readmodel import ItemDocument, ItemParty, ItemSnapshot
    from domain.students import StudentRecord
    from domain.terms import term_start
    from domain.transfer_decisions import TransferStage, equivalency_from_decision, partner_postings, post_credits
    from domain.transfer_state import (
        ApproveChangeAction,
        ChangeProposal,
        CloseChangeAction,
        CreditsPosted,
        CreditTransferOutcome,
        CreditTransferState,
        DecideCourseAction,
        InfoRequest,
        ProgramRoster,
        ProposalStatus,
        ProposeChangeAction,
        ProvideInformationAction,
        ReturnAction,
        Signoff,
        StageAction,
        TransferResult,
        learning_agreement_from,
    )
    from workflows.human_step import StepWatchers
    from workflows.item_activities import (
        PATCH_PROJECT_FIRST,
        RETRY,
        MailBehind,
        documents_queue,
        new_event,
        newly_awaited,
        notify,
        project,
        step_key,
    )

A = TypeVar("A", bound=BaseModel)

# Changes made while transfers were running (see docs/evolving-workflows.md).
PATCH_LEARNING_AGREEMENT_PDF = "learning-agreement-pdf-on-posting"
RENDER_TIMEOUT = timedelta(minutes=5)


class CreditTransferInput(BaseModel):
    program: JointProgram
    catalogs: dict[str, Catalog]  # at least the home and the partner institution's
    equivalencies: EquivalencyTable | None = None  # the home institution's
    record: StudentRecord
    request: CreditTransferRequest
    roster: ProgramRoster
    learning_agreement: LearningAgreement | None = None  # the request's courses at revision 0 when absent
    resumed: CreditTransferState | None = None  # set when continuing as new


def transfer_workflow_id(student_id: str, term: str) -> str:
    return f"credit-transfer-{student_id}-{term}"


@workflow.defn(name="CreditTransfer")
class CreditTransferWorkflow:
    @workflow.init
    def __init__(self, inp: CreditTransferInput) -> None:
        self.s = inp.resumed or CreditTransferState(
            program=inp.program, catalogs=inp.catalogs, equivalencies=inp.equivalencies, record=inp.record,
            request=inp.request, roster=inp.roster,
            learning_agreement=inp.learning_agreement or learning_agreement_from(inp.request),
        )  # fmt: skip
        self.lock = asyncio.Lock()
        self.watchers = StepWatchers(self._on_nudge)
        self.policies: dict[str, ReminderPolicy] = {}
        self.mail = MailBehind()

    # ------------------------------------------------------------------ main loop

    @workflow.run
    async def run(self, inp: CreditTransferInput) -> CreditTransferOutcome:
        if inp.resumed is None:
            async with self.lock:
                self._precheck()
                await self._commit()
        else:
            self._sync_steps()
        while self.s.stage is not TransferStage.POSTED:
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self.lock.locked() and self.mail.sent())
                workflow.continue_as_new(CreditTransferInput(
                    program=self.s.program, catalogs=self.s.catalogs, record=self.s.record, request=self.s.request,
                    roster=self.s.roster, resumed=self.s,
                ))  # fmt: skip
            await workflow.wait_condition(
                lambda: self.s.stage is TransferStage.POSTED or workflow.info().is_continue_as_new_suggested()
            )
        async with self.lock:
            await self._tell_parent()
            await self._commit()
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and self.mail.sent())
        return CreditTransferOutcome(request_id=self.s.request.id, stage=self.s.stage, posted=self.s.posted,
                                     equivalencies=self.s.saved_equivalencies)  # fmt: skip

    def _precheck(self) -> None:
        """Refuse the whole request (the workflow fails with the reason) when it cannot be checked."""
        s = self.s
        s.created_at = workflow.now()
        try:
            problems = rules.roster_problems(s.program, s.roster, s.request)
            if problems:
                raise Rejected(" ".join(problems))
            s.lines = precheck(s.request, s.program, s.catalogs, s.equivalencies, term_start(s.request.term),
                               posted=s.record.posted)  # fmt: skip
        except Rejected as e:
            raise ApplicationError(str(e), type="Rejected", non_retryable=True) from None
        partner = s.program.institution(s.partner_id)
        self._event("requested", s.student, f"{len(s.request.courses)} courses taken at {partner.name()} in {s.request.term}")
        known = sum(1 for ln in s.lines if ln.equivalency is not None)
        flagged = [f"{ln.partner_course.code}: {'; '.join(ln.notes)}" for ln in s.lines if ln.notes]
        self._event("prechecked", None, f"{known} of {len(s.lines)} courses have an equivalency in force."
                    + (" " + " ".join(flagged) if flagged else ""))  # fmt: skip
        s.stage = TransferStage.DEPARTMENT

    # ------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> CreditTransferState:
        return self.s

    # ------------------------------------------------------------------ updates

    def _check(self, check: Callable[[CreditTransferState, A], Any], action: A) -> Any:
        """Run a pure check; in a handler, again after the lock, since another action may have moved on."""
        try:
            return check(self.s, action)
        except Rejected as e:
            raise ApplicationError(str(e), type="Rejected", non_retryable=True) from None

    @workflow.update
    async def decide_course(self, a: DecideCourseAction) -> TransferResult:
        async with self.lock:
            person, line = self._check(rules.check_decide, a)
            s = self.s
            key = code_key(line.course_code)
            s.decisions = [d for d in s.decisions if code_key(d.course_code) != key] + [line]
            s.decided_by[key] = person.id
            what = line.decision.value.replace("_", " ")
            if line.decision is CourseDecision.ASK_FOR_INFORMATION:
                seq = len(s.events) + 1
                s.info.append(InfoRequest(course_code=line.course_code, question=line.comment, asked_by=person.id,
                                          asked_at=workflow.now(), seq=seq))  # fmt: skip
                self._event("information_requested", person, f"{line.course_code}: {line.comment}")
            else:
                reason = f" ({line.reason.value.replace('_', ' ')})" if line.reason else ""
                self._event(
                    "course_decided",
                    person,
                    f"{line.course_code}: {what}{reason}" + (f" — {line.comment}" if line.comment else ""),
                )
            if not s.awaiting_department() and not s.awaiting_information():
                s.stage = TransferStage.HOME_REGISTRAR
                c = s.summary()
                self._event(
                    "department_decided", None, f"Every course decided: {c['approved']} approved, {c['rejected']} rejected"
                )
            return await self._commit(f"{line.course_code}: {what} recorded.")

    @decide_course.validator
    def _v_decide_course(self, a: DecideCourseAction) -> None:
        self._check(rules.check_decide, a)

    @workflow.update
    async def provide_information(self, a: ProvideInformationAction) -> TransferResult:
        async with self.lock:
            person, question = self._check(rules.check_provide_information, a)
            question.answer, question.answered_by, question.answered_at = a.text, person.id, workflow.now()
            self._event("information_provided", person, f"{question.course_code}: {a.text}")
            return await self._commit(f"Your answer on {question.course_code} went back to the department.")

    @provide_information.validator
    def _v_provide_information(self, a: ProvideInformationAction) -> None:
        self._check(rules.check_provide_information, a)

    @workflow.update
    async def approve(self, a: StageAction) -> TransferResult:
        async with self.lock:
            person = self._check(rules.check_home_approve, a)
            self._signoff(person, a.comment)
            self._event("registrar_approved", person, "The home registrar approved the department's decisions"
                        + (f": {a.comment}" if a.comment else ""))  # fmt: skip
            self.s.stage = TransferStage.PARTNER_REGISTRAR
            return await self._commit("Approved; the partner's registrar is asked to confirm the grades.")

    @approve.validator
    def _v_approve(self, a: StageAction) -> None:
        self._check(rules.check_home_approve, a)

    @workflow.update
    async def return_to_department(self, a: ReturnAction) -> TransferResult:
        async with self.lock:
            person, codes = self._check(rules.check_return, a)
            s = self.s
            keys = {code_key(c) for c in codes}
            s.decisions = [d for d in s.decisions if code_key(d.course_code) not in keys]
            s.department_round += 1
            s.stage = TransferStage.DEPARTMENT
            self._event("returned", person, f"{', '.join(codes)} returned to the department: {a.reason}")
            return await self._commit(f"{', '.join(codes)} returned to the department.")

    @return_to_department.validator
    def _v_return_to_department(self, a: ReturnAction) -> None:
        self._check(rules.check_return, a)

    @workflow.update
    async def confirm_grades(self, a: StageAction) -> TransferResult:
        async with self.lock:
            person = self._check(rules.check_confirm_grades, a)
            self._signoff(person, a.comment)
            self._event(
                "grades_confirmed",
                person,
                "The partner's registrar confirmed the grades" + (f": {a.comment}" if a.comment else ""),
            )
            if self.s.program.requires_ministry_authorization:
                self.s.stage = TransferStage.MINISTRY
                return await self._commit("Grades confirmed; the ministry is asked to authorize.")
            self._post()
            return await self._commit("Grades confirmed; the credits are posted.")

    @confirm_grades.validator
    def _v_confirm_grades(self, a: StageAction) -> None:
        self._check(rules.check_confirm_grades, a)

    @workflow.update
    async def authorize(self, a: StageAction) -> TransferResult:
        async with self.lock:
            person = self._check(rules.check_authorize, a)
            self._signoff(person, a.comment)
            self._event("authorized", person, "The ministry authorized the transfer" + (f": {a.comment}" if a.comment else ""))
            self._post()
            return await self._commit("Authorized; the credits are posted.")

    @authorize.validator
    def _v_authorize(self, a: StageAction) -> None:
        self._check(rules.check_authorize, a)

    @workflow.update
    async def propose_change(self, a: ProposeChangeAction) -> TransferResult:
        async with self.lock:
            person, change = self._check(rules.check_propose_change, a)
            self.s.proposals.append(ChangeProposal(change=change, proposed_at=workflow.now()))
            self._event("change_proposed", person, f"Learning agreement r{change.base_revision}: {change.summary}")
            return await self._commit(f"Proposed: {change.summary}.")

    @propose_change.validator
    def _v_propose_change(self, a: ProposeChangeAction) -> None:
        self._check(rules.check_propose_change, a)

    @workflow.update
    async def approve_change(self, a: ApproveChangeAction) -> TransferResult:
        async with self.lock:
            strict = workflow.patched("no-change-approval-after-posting")
            person, proposal = self._check(partial(rules.check_approve_change, strict=strict), a)
            self.s.learning_agreement = apply_change(self.s.learning_agreement, proposal.change)
            proposal.status, proposal.approved_by = ProposalStatus.APPROVED, person.id
            self._event(
                "change_approved",
                person,
                f"{proposal.change.summary}; learning agreement now at revision {self.s.learning_agreement.revision}",
            )
            return await self._commit(f"Approved: {proposal.change.summary}.")

    @approve_change.validator
    def _v_approve_change(self, a: ApproveChangeAction) -> None:
        self._check(rules.check_approve_change, a)

    @workflow.update
    async def close_change(self, a: CloseChangeAction) -> TransferResult:
        async with self.lock:
            person, proposal, withdrawing = self._check(rules.check_close_change, a)
            proposal.status = ProposalStatus.WITHDRAWN if withdrawing else ProposalStatus.DECLINED
            proposal.closed_by, proposal.close_reason = person.id, a.reason
            what = "withdrawn" if withdrawing else "declined"
            self._event(f"change_{what}", person, f"{proposal.change.summary}" + (f": {a.reason}" if a.reason else ""))
            if not withdrawing:
                await notify(f"la-change-{proposal.change.proposal_id}/declined", [self.s.student, *self.s.roster.coordinators],
                             f"Learning-agreement change declined — {self._title()}",
                             f"“{proposal.change.summary}” was declined by {person.name}: {a.reason}")  # fmt: skip
            return await self._commit(f"{proposal.change.summary}: {what}.")

    @close_change.validator
    def _v_close_change(self, a: CloseChangeAction) -> None:
        self._check(rules.check_close_change, a)

    # ------------------------------------------------------------------ transitions

    def _signoff(self, person: PersonRef, comment: str) -> None:
        self.s.signoffs.append(
            Signoff(stage=self.s.stage, person_id=person.id, person_name=person.name, at=workflow.now(), comment=comment)
        )

    def _post(self) -> None:
        """Every stage passed: the approved courses become credits at home, saved decisions table entries."""
        s = self.s
        s.posted = post_credits(s.request, s.lines, s.decisions)
        s.posted_at_partner = partner_postings(s.request, s.lines, s.record.posted)
        people = {p.id: p for role in rules.TransferRole for p in rules.people(s, role)}
        for d in s.decisions:
            if d.save_as_equivalency:
                line = next(ln for ln in s.lines if code_key(ln.partner_course.code) == code_key(d.course_code))
                decided_by = people.get(s.decided_by.get(code_key(d.course_code), "")) or s.roster.coordinators[0]
                s.saved_equivalencies.append(
                    equivalency_from_decision(s.request, d, line, decided_by=decided_by, effective_from=term_start(s.request.term))
                )
        s.stage, s.posted_at = TransferStage.POSTED, workflow.now()
        home = s.program.institution(s.home_id)
        total = sum((p.credits for p in s.posted), Decimal(0))
        self._event(
            "credits_posted",
            None,
            f"{len(s.posted)} courses, {format_credits(total, home.credit_system)} posted at {home.name()}",
        )

    async def _tell_parent(self) -> None:
        """Signal the student record that started this transfer. A parent that has gone away must not
        take the transfer down with it: the failure is recorded."""
        parent = workflow.info().parent
        if parent is None:
            return
        s = self.s
        posted = CreditsPosted(request_id=s.request.id, term=s.request.term, workflow_id=workflow.info().workflow_id,
                               credited_at=s.home_id, credits=[*s.posted, *s.posted_at_partner],
                               equivalencies=s.saved_equivalencies)  # fmt: skip
        try:
            await workflow.get_external_workflow_handle(parent.workflow_id).signal("credits_posted", posted)
        except Exception as e:  # noqa: BLE001 - any signal failure is recorded, never raised
            self._event("parent_not_notified", None, f"{parent.workflow_id}: {e}")

    # ------------------------------------------------------------------ open steps and nudges

    def _desired_steps(self) -> list[tuple[str, StepKind, str, str | None, list[PersonRef]]]:
        """(id, kind, label, organisation, awaited) of every step open in this state."""
        s = self.s
        home, partner = s.home_id, s.partner_id
        student_side = [s.student, *s.roster.coordinators]
        out: list[tuple[str, StepKind, str, str | None, list[PersonRef]]] = []
        if s.stage is TransferStage.DEPARTMENT:
            courses = s.awaiting_department()
            if courses:
                out.append((f"department-r{s.department_round}", StepKind.DECIDE, f"Decide on {', '.join(courses)}", home,
                            list(s.roster.at(home).department_reviewers)))  # fmt: skip
            for q in s.awaiting_information():
                out.append((f"info-{code_key(q.course_code)}-{q.seq}", StepKind.ANSWER,
                            f"Answer the department's question on {q.course_code}", home, student_side))  # fmt: skip
        elif s.stage is TransferStage.HOME_REGISTRAR:
            out.append((f"home-registrar-r{s.department_round}", StepKind.APPROVE, "Approve the department's decisions", home,
                        list(s.roster.at(home).registrars)))  # fmt: skip
        elif s.stage is TransferStage.PARTNER_REGISTRAR:
            out.append(("partner-registrar", StepKind.CONFIRM, f"Confirm the grades taken at {s.program.institution(partner).name()}",
                        partner, list(s.roster.at(partner).registrars)))  # fmt: skip
        elif s.stage is TransferStage.MINISTRY:
            out.append(("ministry", StepKind.AUTHORIZE, "Authorize the credit transfer", s.program.ministry_organisation_id,
                        list(s.roster.ministry_officers)))  # fmt: skip
        if s.stage is not TransferStage.POSTED:
            for p in s.pending_proposals():
                if p.change.base_revision == s.learning_agreement.revision:  # an outdated one awaits nobody
                    out.append((f"la-change-{p.change.proposal_id}", StepKind.APPROVE, f"Approve learning-agreement change: {p.change.summary}",
                                home, list(s.roster.at(home).department_reviewers)))  # fmt: skip
        return out

    def _country(self, organisation_id: str | None) -> str | None:
        if organisation_id in self.s.program.institution_ids:
            return self.s.program.institution(organisation_id).country  # type: ignore[arg-type]
        return self.s.program.ministry_country if organisation_id == self.s.program.ministry_organisation_id else None

    def _sync_steps(self) -> None:
        """Make `state.steps` match the stage: close what is done, open what is now awaited."""
        now, policy = workflow.now(), self.s.program.reminders
        existing = {st.step_id: st for st in self.s.steps}
        steps: list[OpenStep] = []
        for step_id, kind, label, org, awaited in self._desired_steps():
            st = existing.get(step_id)
            if st is None:
                st = OpenStep(step_id=step_id, kind=kind, label=label, organisation_id=org, country=self._country(org),
                              awaited=awaited, opened_at=now, opened_seq=len(self.s.events),
                              due_at=now + timedelta(days=policy.due_days))  # fmt: skip
            else:
                st.awaited, st.label = awaited, label
            self.policies[step_id] = policy
            steps.append(st)
        self.s.steps = steps
        self.watchers.sync(steps, self.policies)

    async def _on_nudge(self, step: OpenStep, nudge: Nudge) -> None:
        async with self.lock:
            if not self.watchers.is_open(step.step_id):
                return
            s = self.s
            title = self._title()
            waiting_on = ", ".join(p.name for p in step.awaited)
            if nudge.kind is NudgeKind.REMINDER:
                step.reminders_sent = nudge.number
                to, subject = step.awaited, f"Reminder {nudge.number}: {step.label} — {title}"
                body = f"{step.label} is awaited from you by {step.due_at:%Y-%m-%d} (UTC)."
            elif nudge.kind is NudgeKind.ESCALATE_LIAISON:
                step.escalation = 1
                liaison = s.roster.at(step.organisation_id).liaison
                to = [liaison] if liaison else list(s.roster.board)
                subject = f"Overdue: {step.label} — {title}"
                body = f"{step.label} was due {step.due_at:%Y-%m-%d}; awaited from {waiting_on}."
            else:
                step.escalation = 2
                to, subject = list(s.roster.board), f"Escalated to the board: {step.label} — {title}"
                body = f"{step.label} is overdue since {step.due_at:%Y-%m-%d}; awaited from {waiting_on}."
            self._event(nudge.kind.value, None, f"{step.label}: {subject}")
            await notify(f"{step_key(step)}/{nudge.kind.value}/{nudge.number}", to, subject, body)
            await self._project()

    # ------------------------------------------------------------------ plumbing

    def _title(self) -> str:
        s = self.s
        return f"Credit transfer {s.request.term}: {s.student.name}, {s.program.institution(s.partner_id).name()}"[:300]

    def _event(self, kind: str, actor: PersonRef | None, detail: str) -> None:
        self.s.events.append(new_event(len(self.s.events) + 1, kind, actor, detail))

    async def _commit(self, message: str = "") -> TransferResult:
        """After a change: reconcile steps, tell whoever is newly awaited, project."""
        self.s.revision += 1
        before = {st.step_id: {p.id for p in st.awaited} for st in self.s.steps}
        self._sync_steps()
        mails = newly_awaited(before, self.s.steps, self._title())
        posting = self.s.stage is TransferStage.POSTED and self.s.posted_at == workflow.now()  # before any await moves the clock
        project_first = workflow.patched(PATCH_PROJECT_FIRST)
        if project_first:
            await self._project()
            await self.mail.send(mails)
        else:  # executions that committed before the patch: mail one by one, then project
            for m in mails:
                await notify(*m)
            posting = self.s.stage is TransferStage.POSTED and self.s.posted_at == workflow.now()  # read here, as it was
        if project_first and not posting:
            return TransferResult(stage=self.s.stage, revision=self.s.revision, message=message)
        documents: list[ItemDocument] = []
        if posting:
            if workflow.patched(PATCH_LEARNING_AGREEMENT_PDF):
                doc = await workflow.execute_activity(
                    doc_act.RENDER_LEARNING_AGREEMENT,
                    LearningAgreementDocumentRequest(state=self.s.model_copy(update={"events": []}), issued_at=workflow.now()),
                    result_type=ItemDocument, start_to_close_timeout=RENDER_TIMEOUT, heartbeat_timeout=timedelta(seconds=30),
                    task_queue=documents_queue(), retry_policy=RETRY,
                )  # fmt: skip
                self.s.documents.append(doc)
                documents.append(doc)
            summary = ", ".join(
                f"{p.course_code} → {p.home_course_code or p.elective_category} ({p.credits}, {p.grade})" for p in self.s.posted
            )
            await notify("posted", [self.s.student, *self.s.roster.coordinators], f"Credits posted — {self._title()}",
                         f"Posted at {self.s.program.institution(self.s.home_id).name()}: {summary or 'no course was approved'}.")  # fmt: skip
        await self._project(documents)
        return TransferResult(stage=self.s.stage, revision=self.s.revision, message=message)

    async def _project(self, documents: list[ItemDocument] | None = None) -> None:
        s = self.s
        new = [e for e in s.events if e.seq > s.projected_seq]
        if new:
            s.projected_seq = new[-1].seq
        parties = [
            ItemParty(organisation_id=i.organisation_id, country=i.country, role=role, name=i.name())
            for i, role in ((s.program.institution(s.home_id), "home"), (s.program.institution(s.partner_id), "partner"))
        ]
        item = ItemSnapshot(
            item_id=workflow.info().workflow_id, item_type="credit_transfer", kind=s.request.term, title=self._title(),
            phase=s.stage.value, parties=parties, summary=s.summary(), detail=s.model_dump(mode="json", exclude={"events"}),
            projected_seq=s.projected_seq, created_at=s.created_at, closed_at=s.posted_at,
        )  # fmt: skip
        await project(item, s.steps, new, documents)
