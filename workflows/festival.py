"""A festival edition as an entity workflow: it records the jury's awards and fans each awarded
film out to every member country.

Recording an award (an update, validated against the edition's films and categories) starts, for
a film's first award, its `FilmRights` workflow and one `CountryRelease` child per member
country, each with its recommendation letter. A second award for the same film is recorded and
added to the recommendation, but starts nothing twice.
"""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from domain.agreement_rules import Rejected
    from domain.agreements import PartySpec
    from domain.human_steps import ReminderPolicy
    from domain.readmodel import ItemSnapshot
    from domain.releases.country_rules import CountryRules
    from domain.releases.festival import Edition, Film, JuryAward, check_award, member_countries_for
    from domain.releases.process import (
        FestivalResult,
        FestivalState,
        RecordAwardAction,
        RegisterFilmAction,
        ReleasePeople,
    )
    from workflows.country_release import CountryReleaseInput, CountryReleaseWorkflow, release_workflow_id
    from workflows.film_rights import FilmRightsInput, FilmRightsWorkflow, rights_workflow_id
    from workflows.human_workflow import HumanWorkflow, StepSpec


class FestivalInput(BaseModel):
    edition: Edition
    films: list[Film]
    licensors: dict[str, PartySpec]
    people: ReleasePeople
    rules: dict[str, CountryRules]
    resumed: FestivalState | None = None


def festival_workflow_id(edition_id: str) -> str:
    return f"festival-{edition_id}"


def _admin(state: FestivalState, actor_id: str, what: str):  # type: ignore[no-untyped-def]
    p = next((x for x in state.people.festival_admins if x.id == actor_id), None)
    if p is None:
        raise Rejected(f"{actor_id} cannot {what}: only the festival's administrators can.")
    return p


def check_record_award(state: FestivalState, a: RecordAwardAction):  # type: ignore[no-untyped-def]
    p = _admin(state, a.actor_id, "record awards")
    if any(x.id == a.award.id for x in state.awards):
        raise Rejected(f"Award {a.award.id} is already recorded.")
    check_award(state.edition, state.films, a.award, awarded=state.awards)
    film = state.film(a.award.film_id)
    if film is not None and film.id not in state.licensors:
        raise Rejected(f"The rights holder of “{film.english_title}” is not known as a party; register the film with its rights holder first.")
    return p


def check_register_film(state: FestivalState, a: RegisterFilmAction):  # type: ignore[no-untyped-def]
    p = _admin(state, a.actor_id, "register films")
    if a.licensor.organisation_id != a.film.rights_holder.organisation_id:
        raise Rejected(f"The licensor must be the film's rights holder, {a.film.rights_holder.name}.")
    if state.film(a.film.id) is not None:
        raise Rejected(f"A film {a.film.id} is already registered for {state.edition.id}.")
    return p


@workflow.defn(name="Festival")
class FestivalWorkflow(HumanWorkflow):
    @workflow.init
    def __init__(self, inp: FestivalInput) -> None:
        self.s: FestivalState = inp.resumed or FestivalState(
            edition=inp.edition, films=inp.films, licensors=inp.licensors, people=inp.people, rules=inp.rules
        )
        self._init_human()

    @workflow.run
    async def run(self, inp: FestivalInput) -> None:
        if inp.resumed is None:
            async with self.lock:
                self.event("opened", None, f"{self.s.edition.id}: {len(self.s.films)} films")
                await self.commit()
        await workflow.wait_condition(lambda: workflow.info().is_continue_as_new_suggested())
        await self.until_handlers_finished()
        s = self.s
        workflow.continue_as_new(FestivalInput(edition=s.edition, films=s.films, licensors=s.licensors, people=s.people,
                                               rules=s.rules, resumed=s))  # fmt: skip

    @workflow.query
    def state(self) -> FestivalState:
        return self.s

    @workflow.update
    async def register_film(self, a: RegisterFilmAction) -> FestivalResult:
        async with self.lock:
            person = self.check(check_register_film, a)
            self.s.films.append(a.film)
            self.s.licensors[a.film.id] = a.licensor
            self.event("film_registered", person, f"“{a.film.english_title}” ({', '.join(a.film.origin_countries)})")
            return FestivalResult(message=await self.commit(f"“{a.film.english_title}” registered."))

    @register_film.validator
    def _v_register_film(self, a: RegisterFilmAction) -> None:
        self.check(check_register_film, a)

    @workflow.update
    async def record_award(self, a: RecordAwardAction) -> FestivalResult:
        async with self.lock:
            person = self.check(check_record_award, a)
            s = self.s
            film = s.film(a.award.film_id)
            assert film is not None  # checked above
            if film.id in s.recommended:
                s.awards.append(a.award)
                self.event("award", person, f"{a.award.category_id.replace('_', ' ')}: “{film.english_title}”")
                return FestivalResult(message=await self.commit(
                    f"Award recorded; “{film.english_title}” was already recommended to every member country."))  # fmt: skip
            started = await self._fan_out(film, a.award)
            s.awards.append(a.award)
            self.event("award", person, f"{a.award.category_id.replace('_', ' ')}: “{film.english_title}”")
            return FestivalResult(
                message=await self.commit(f"Award recorded; “{film.english_title}” is recommended to {len(started)} member countries."),
                started=started,
            )

    @record_award.validator
    def _v_record_award(self, a: RecordAwardAction) -> None:
        self.check(check_record_award, a)

    async def _fan_out(self, film: Film, award: JuryAward) -> list[str]:
        s = self.s
        try:
            await workflow.start_child_workflow(FilmRightsWorkflow.run, FilmRightsInput(film=film), id=rights_workflow_id(film.id),
                                                parent_close_policy=ParentClosePolicy.ABANDON)  # fmt: skip
        except WorkflowAlreadyStartedError:
            pass  # the film's rights were opened by an earlier edition
        awards = [*(x for x in s.awards if x.film_id == film.id), award]
        started: list[str] = []
        for country in member_countries_for(film):
            liaison = s.people.liaisons.get(country)
            rules = s.rules.get(country)
            if liaison is None or rules is None:
                self.event("not_recommended", None, f"{country}: no liaison or no rules configured; recommend it there by hand")
                continue
            wid = release_workflow_id(film.id, country)
            try:
                await workflow.start_child_workflow(
                    CountryReleaseWorkflow.run,
                    CountryReleaseInput(edition=s.edition, film=film, awards=awards, country=country, rules=rules, liaison=liaison,
                                        people=s.people, licensor=s.licensors[film.id]),
                    id=wid, parent_close_policy=ParentClosePolicy.ABANDON,
                )  # fmt: skip
            except WorkflowAlreadyStartedError:
                pass  # recommended there already (an earlier attempt, or an earlier edition): one release per country
            started.append(wid)
        s.recommended[film.id] = started
        self.event("recommended", None, f"“{film.english_title}” recommended to {', '.join(w.rsplit('-', 1)[-1].upper() for w in started)}")
        return started

    # ------------------------------------------------------------------ the shared plumbing

    def title(self) -> str:
        e = self.s.edition
        return f"SCO Film Festival {e.year}, {e.city}"

    def reminder_policy(self) -> ReminderPolicy:
        return ReminderPolicy()

    def desired_steps(self) -> list[StepSpec]:
        return []

    def snapshot(self) -> ItemSnapshot:
        s = self.s
        return ItemSnapshot(
            item_id=workflow.info().workflow_id, item_type="festival", kind=str(s.edition.year), title=self.title(), phase="open",
            summary={"films": len(s.films), "awards": len(s.awards), "recommended": len(s.recommended)},
            detail=s.model_dump(mode="json", exclude={"events"}), projected_seq=s.projected_seq,
        )  # fmt: skip
