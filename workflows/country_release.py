"""One awarded film in one member country, from the recommendation to the confirmed release.

The country's liaison acknowledges → classification (approved, with cuts, or refused, with the
rating) → an import-quota exception where the country's rules need one → an optional dubbing or
subtitling subsidy → a licence: the rights are reserved in the film's `FilmRights` workflow
(refused if they overlap an exclusive deal) and the licence is signed through the agreement
engine as a child workflow → the release date → the confirmed release. Each step has the
country's expedited due date, with reminders and escalation; the country may decline.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from domain.agreements import TERMINAL_PHASES, PartySpec, Phase
    from domain.grants import activity_names as gact
    from domain.grants.process import VoidAgreementRequest
    from domain.human_steps import OpenStep, ReminderPolicy, StepKind
    from domain.parties import PersonRef
    from domain.readmodel import ItemDocument, ItemParty, ItemSnapshot
    from domain.releases import activity_names as ract
    from domain.releases import process as rules
    from domain.releases.country_rules import CountryRules, Step
    from domain.releases.festival import Edition, Film, JuryAward
    from domain.releases.process import (
        RELEASE_CLOSED,
        AcknowledgeAction,
        Classification,
        ClassificationOutcome,
        ClassifyAction,
        ConfirmReleaseAction,
        DeclineAction,
        Licence,
        LicenceAction,
        Quota,
        QuotaAction,
        RecommendationLetterRequest,
        ReleasePeople,
        ReleaseResult,
        ReleaseStage,
        ReleaseState,
        RightsReply,
        RightsRequest,
        ScheduleAction,
        Subsidy,
        SubsidyAction,
    )
    from workflows.agreement import AgreementInput, AgreementOutcome, AgreementWorkflow
    from workflows.human_workflow import HumanWorkflow, StepSpec
    from workflows.item_activities import ACTIVITY_TIMEOUT, RETRY, documents_queue, notify

RENDER_TIMEOUT = timedelta(minutes=5)
STEP_OF = {stage: Step(stage.value) for stage in ReleaseStage if stage.value in {s.value for s in Step}} | {
    ReleaseStage.RELEASING: Step.RELEASE
}

STEP_LABELS = {
    ReleaseStage.ACKNOWLEDGE: "Acknowledge the release recommendation",
    ReleaseStage.CLASSIFICATION: "Record the classification decision",
    ReleaseStage.QUOTA: "Record the import-quota exception",
    ReleaseStage.SUBSIDY: "Record the dubbing or subtitling subsidy (or skip it)",
    ReleaseStage.LICENCE: "Agree a licence with a distributor",
    ReleaseStage.SCHEDULING: "Schedule the release",
    ReleaseStage.RELEASING: "Confirm the release",
}


class CountryReleaseInput(BaseModel):
    edition: Edition
    film: Film
    awards: list[JuryAward]
    country: str
    rules: CountryRules
    liaison: PersonRef
    people: ReleasePeople
    licensor: PartySpec
    resumed: ReleaseState | None = None


def release_workflow_id(film_id: str, country: str) -> str:
    return f"release-{film_id}-{country.lower()}"


@workflow.defn(name="CountryRelease")
class CountryReleaseWorkflow(HumanWorkflow):
    @workflow.init
    def __init__(self, inp: CountryReleaseInput) -> None:
        self.s: ReleaseState = inp.resumed or ReleaseState(
            film=inp.film, awards=inp.awards, edition=inp.edition, country=inp.country, rules=inp.rules,
            liaison=inp.liaison, people=inp.people, licensor=inp.licensor,
        )  # fmt: skip
        self._init_human()

    @workflow.run
    async def run(self, inp: CountryReleaseInput) -> ReleaseStage:
        if inp.resumed is None:
            async with self.lock:
                await self._recommend()
        else:
            self.sync_steps()
        while self.s.stage not in RELEASE_CLOSED:
            if workflow.info().is_continue_as_new_suggested():
                await self.until_handlers_finished()
                s = self.s
                workflow.continue_as_new(CountryReleaseInput(edition=s.edition, film=s.film, awards=s.awards, country=s.country,
                                                             rules=s.rules, liaison=s.liaison, people=s.people,
                                                             licensor=s.licensor, resumed=s))  # fmt: skip
            await workflow.wait_condition(lambda: self.s.stage in RELEASE_CLOSED or workflow.info().is_continue_as_new_suggested())
        await self.until_handlers_finished()
        return self.s.stage

    @workflow.query
    def state(self) -> ReleaseState:
        return self.s

    async def _recommend(self) -> None:
        s = self.s
        s.created_at = workflow.now()
        doc = await workflow.execute_activity(
            ract.RENDER_RECOMMENDATION,
            RecommendationLetterRequest(edition=s.edition, film=s.film, awards=s.awards, country=s.country, rules=s.rules,
                                        liaison=s.liaison, issued_at=workflow.now()),
            result_type=ItemDocument, start_to_close_timeout=RENDER_TIMEOUT, heartbeat_timeout=timedelta(seconds=30),
            task_queue=documents_queue(), retry_policy=RETRY,
        )  # fmt: skip
        s.documents.append(doc)
        awards = ", ".join(a.category_id.replace("_", " ") for a in s.awards)
        self.event("recommended", None, f"“{s.film.english_title}” ({awards}) is recommended for release in {s.country}")
        await notify("recommended", [s.liaison], f"Release recommendation — {s.film.english_title}",
                     f"The SCO Film Festival {s.edition.year} recommends “{s.film.english_title}” for release in {s.country}"
                     f" with expedited licensing. The recommendation letter is attached to the item on the dashboard.")  # fmt: skip
        await self.commit(documents=[doc])

    # ------------------------------------------------------------------ updates

    def _advance(self, after: ReleaseStage) -> None:
        self.s.stage = rules.next_stage(self.s, after)

    def _result(self, message: str) -> ReleaseResult:
        return ReleaseResult(stage=self.s.stage.value, revision=self.s.revision, message=message)

    @workflow.update
    async def acknowledge(self, a: AcknowledgeAction) -> ReleaseResult:
        async with self.lock:
            person = self.check(rules.check_acknowledge, a)
            self.s.acknowledged_on = workflow.now().date()
            self.event("acknowledged", person, a.note or "Recommendation acknowledged")
            self._advance(ReleaseStage.ACKNOWLEDGE)
            return self._result(await self.commit("Acknowledged; classification review is next."))

    @acknowledge.validator
    def _v_acknowledge(self, a: AcknowledgeAction) -> None:
        self.check(rules.check_acknowledge, a)

    @workflow.update
    async def classify(self, a: ClassifyAction) -> ReleaseResult:
        async with self.lock:
            person = self.check(rules.check_classify, a)
            s = self.s
            s.classification = Classification(outcome=a.outcome, rating=a.rating, cuts=a.cuts, reason=a.reason, by=person.id,
                                              on=workflow.now().date())  # fmt: skip
            if a.outcome is ClassificationOutcome.REFUSED:
                s.stage, s.closed_at = ReleaseStage.REFUSED, workflow.now()
                self.event("classification_refused", person, a.reason)
                await notify("refused", [*s.people.festival_admins], f"Classification refused in {s.country} — {s.film.english_title}", a.reason)
                return self._result(await self.commit("Recorded: classification refused; the release in this country ends here."))
            cuts = f" with cuts: {a.cuts}" if a.outcome is ClassificationOutcome.APPROVED_WITH_CUTS else ""
            what = f"rated {a.rating}" if a.rating else "approved"
            self.event("classified", person, f"{what.capitalize()}{cuts}")
            self._advance(ReleaseStage.CLASSIFICATION)
            return self._result(await self.commit(f"Classification recorded: {what}{cuts}."))

    @classify.validator
    def _v_classify(self, a: ClassifyAction) -> None:
        self.check(rules.check_classify, a)

    @workflow.update
    async def decide_quota(self, a: QuotaAction) -> ReleaseResult:
        async with self.lock:
            person = self.check(rules.check_quota, a)
            s = self.s
            s.quota = Quota(granted=a.granted, reference=a.reference, reason=a.reason, by=person.id, on=workflow.now().date())
            if not a.granted:
                s.stage, s.closed_at = ReleaseStage.REFUSED, workflow.now()
                self.event("quota_refused", person, a.reason)
                return self._result(await self.commit("Recorded: the import-quota exception was refused."))
            self.event("quota_granted", person, f"Import-quota exception {a.reference}".strip())
            self._advance(ReleaseStage.QUOTA)
            return self._result(await self.commit("Quota exception recorded."))

    @decide_quota.validator
    def _v_decide_quota(self, a: QuotaAction) -> None:
        self.check(rules.check_quota, a)

    @workflow.update
    async def record_subsidy(self, a: SubsidyAction) -> ReleaseResult:
        async with self.lock:
            person = self.check(rules.check_subsidy, a)
            s = self.s
            s.subsidy = Subsidy(outcome=a.outcome, kind=a.kind, amount=a.amount, currency=a.currency, reason=a.reason, by=person.id,
                                on=workflow.now().date())  # fmt: skip
            what = a.outcome.value + (f" ({a.kind.value})" if a.kind else "") + (f": {a.amount} {a.currency}" if a.amount else "")
            self.event("subsidy", person, what)
            self._advance(ReleaseStage.SUBSIDY)
            return self._result(await self.commit(f"Subsidy recorded: {what}."))

    @record_subsidy.validator
    def _v_record_subsidy(self, a: SubsidyAction) -> None:
        self.check(rules.check_subsidy, a)

    @workflow.update
    async def propose_licence(self, a: LicenceAction) -> ReleaseResult:
        async with self.lock:
            person, grant = self.check(rules.check_licence_action, a)
            s = self.s
            spec = rules.licence_agreement(s, a, person, workflow.info().workflow_id)  # checked by the validator
            attempt = len(s.past_licences)  # a new key for each attempt: a deal that fell through is not the same request
            reply = await self._rights(RightsRequest(film_id=s.film.id, grant=grant,
                                                     request_key=f"{workflow.info().workflow_id}/reserve/{grant.deal_id}/{attempt}"))  # fmt: skip
            if not reply.applied:  # another deal holds these rights: nothing changes here
                raise ApplicationError(reply.message, type="Rejected", non_retryable=True)
            wid = f"agreement-{spec.id}"
            try:
                await workflow.start_child_workflow(AgreementWorkflow.run, AgreementInput(spec=spec), id=wid,
                                                    parent_close_policy=ParentClosePolicy.ABANDON)  # fmt: skip
            except WorkflowAlreadyStartedError:  # the rights go back: nothing of this proposal remains
                await self._rights(RightsRequest(film_id=s.film.id, release_deal_id=grant.deal_id,
                                                 request_key=f"{workflow.info().workflow_id}/free/{grant.deal_id}/{attempt}"))  # fmt: skip
                raise ApplicationError(f"An agreement {spec.id} exists already; give the licence another deal id.",
                                       type="Rejected", non_retryable=True) from None  # fmt: skip
            s.licence = Licence(grant=grant, agreement_workflow_id=wid)
            self.event("licence_proposed", person, f"{grant.deal_id} with {grant.licensee_name}: {', '.join(m.value for m in grant.media)},"
                       f" {grant.starts_on} to {grant.ends_on}{', exclusive' if grant.exclusive else ''}, {grant.fee} {grant.currency}")  # fmt: skip
            return self._result(await self.commit(f"Rights reserved; licence {grant.deal_id} goes to the parties for signature."))

    @propose_licence.validator
    def _v_propose_licence(self, a: LicenceAction) -> None:
        self.check(rules.check_licence_action, a)

    async def _rights(self, r: RightsRequest) -> RightsReply:
        return await workflow.execute_activity(ract.RIGHTS_OPERATION, r, result_type=RightsReply,
                                               start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY)  # fmt: skip

    @workflow.signal
    async def agreement_changed(self, outcome: AgreementOutcome) -> None:
        """From the licence agreement: executed (the release can be scheduled) or ended (rights freed)."""
        async with self.lock:
            s = self.s
            lic = s.licence
            if lic is None or lic.agreement_phase is outcome.phase or lic.agreement_workflow_id != f"agreement-{outcome.agreement_id}":
                return  # not the licence in force (a late word from one that fell through)
            lic.agreement_phase = outcome.phase
            if outcome.phase in (Phase.ACTIVE, Phase.PENDING) and s.stage is ReleaseStage.LICENCE:
                lic.signed_on = workflow.now().date()
                self.event("licence_signed", None, f"Licence {lic.grant.deal_id} executed")
                self._advance(ReleaseStage.LICENCE)
                await self.commit()
            elif outcome.phase in TERMINAL_PHASES and lic.signed_on is None:
                await self._rights(RightsRequest(film_id=s.film.id, release_deal_id=lic.grant.deal_id,
                                                 request_key=f"{workflow.info().workflow_id}/free/{lic.grant.deal_id}/{len(s.past_licences)}"))  # fmt: skip
                s.past_licences.append(lic)
                s.licence = None
                self.event("licence_failed", None, f"Licence {lic.grant.deal_id} was {outcome.phase.value}"
                           + (f": {outcome.reason}" if outcome.reason else "") + "; its rights are free again")  # fmt: skip
                await self.commit()

    @workflow.update
    async def schedule_release(self, a: ScheduleAction) -> ReleaseResult:
        async with self.lock:
            person = self.check(rules.check_schedule, a)
            s = self.s
            s.release_on, s.platform = a.release_on, a.platform
            self.event("scheduled", person, f"Release on {a.release_on} on {a.platform}")
            self._advance(ReleaseStage.SCHEDULING)
            return self._result(await self.commit(f"Release scheduled for {a.release_on}."))

    @schedule_release.validator
    def _v_schedule_release(self, a: ScheduleAction) -> None:
        self.check(rules.check_schedule, a)

    @workflow.update
    async def confirm_release(self, a: ConfirmReleaseAction) -> ReleaseResult:
        async with self.lock:
            person = self.check(rules.check_confirm, a)
            s = self.s
            s.released_on, s.platform = a.released_on, a.platform
            s.stage, s.closed_at = ReleaseStage.RELEASED, workflow.now()
            self.event("released", person, f"Released on {a.released_on} on {a.platform}")
            await notify("released", [*s.people.festival_admins, s.liaison], f"Released in {s.country} — {s.film.english_title}",
                         f"“{s.film.english_title}” was released in {s.country} on {a.released_on} ({a.platform}).")  # fmt: skip
            return self._result(await self.commit("Release confirmed."))

    @confirm_release.validator
    def _v_confirm_release(self, a: ConfirmReleaseAction) -> None:
        self.check(rules.check_confirm, a)

    @workflow.update
    async def decline(self, a: DeclineAction) -> ReleaseResult:
        async with self.lock:
            person = self.check(rules.check_decline, a)
            s = self.s
            if s.licence is not None:  # an unsigned licence: voided, and its reserved rights go back
                lic = s.licence
                await workflow.execute_activity(
                    gact.VOID_AGREEMENT, VoidAgreementRequest(workflow_id=lic.agreement_workflow_id, actor_id=person.id,
                                                              reason=f"The release in {s.country} was declined: {a.reason}"[:2000]),
                    start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY,
                )  # fmt: skip
                await self._rights(RightsRequest(film_id=s.film.id, release_deal_id=lic.grant.deal_id,
                                                 request_key=f"{workflow.info().workflow_id}/free/{lic.grant.deal_id}/{len(s.past_licences)}"))  # fmt: skip
                s.past_licences.append(lic)
                s.licence = None
            s.decline_reason, s.stage, s.closed_at = a.reason, ReleaseStage.DECLINED, workflow.now()
            self.event("declined", person, a.reason)
            await notify("declined", list(s.people.festival_admins), f"Recommendation declined by {s.country} — {s.film.english_title}", a.reason)
            return self._result(await self.commit("The recommendation is declined."))

    @decline.validator
    def _v_decline(self, a: DeclineAction) -> None:
        self.check(rules.check_decline, a)

    # ------------------------------------------------------------------ the shared plumbing

    def title(self) -> str:
        return f"{self.s.film.english_title} in {self.s.country}"[:300]

    def reminder_policy(self) -> ReminderPolicy:
        step = STEP_OF.get(self.s.stage)
        days = self.s.rules.due_days.get(step, 20) if step is not None else 20
        return ReminderPolicy(due_days=days, first_reminder_days=max(1, days // 2), reminder_every_days=max(1, days // 4),
                              max_reminders=3, escalate_board_after_days=max(2, days // 2))  # fmt: skip

    def desired_steps(self) -> list[StepSpec]:
        s = self.s
        if s.stage in RELEASE_CLOSED:
            return []
        if s.stage is ReleaseStage.LICENCE and s.licence is not None:
            return []  # the licence agreement's own steps await its parties
        label = STEP_LABELS[s.stage]
        return [StepSpec(s.stage.value, StepKind.RELEASE, label, [s.liaison], None, s.country)]

    def escalation(self, step: OpenStep) -> tuple[list[PersonRef], list[PersonRef]]:
        return list(self.s.people.festival_admins), list(self.s.people.board) or list(self.s.people.festival_admins)

    def snapshot(self) -> ItemSnapshot:
        s = self.s
        parties = [ItemParty(organisation_id=s.licensor.organisation_id, country=s.licensor.country, role="rights_holder",
                             name=next(iter(s.licensor.names.values()))),
                   ItemParty(organisation_id=s.liaison.organisation_id or "sco-festival", country=s.country, role="release_country",
                             name=s.country)]  # fmt: skip
        if s.licence is not None:
            parties.append(ItemParty(organisation_id=s.licence.grant.licensee_id, country=s.country, role="licensee",
                                     name=s.licence.grant.licensee_name))  # fmt: skip
        return ItemSnapshot(
            item_id=workflow.info().workflow_id, item_type="country_release", kind=s.country, title=self.title(), phase=s.stage.value,
            parties=parties, summary=s.summary(), detail=s.model_dump(mode="json", exclude={"events"}), projected_seq=s.projected_seq,
            created_at=s.created_at, closed_at=s.closed_at,
        )  # fmt: skip
