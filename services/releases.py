"""Award-to-release from outside Temporal: festival files, parties from the directory, release actions,
the network's target — for the CLI, the dashboard and the demo.

A `FestivalFile` is what the festival office writes (YAML or JSON): the edition, its films with
each film's rights holder by directory organisation id, and the people of the process by directory
id. `build_festival` resolves it against the directory into the start input of the edition's
`Festival` workflow; `open_festival` starts it (an edition already open is left as it is). Nothing
else is stored in SQL: the festival workflow projects itself (item type "festival") and each
country's release projects an item of type "country_release".

Who may be named, and the defaults:

- `festival_admins`: people holding the `admin` role, or people of an organisation of kind
  `festival` (the festival's secretariat), since it is the festival office that records the
  jury's awards.
- `liaisons`: country → person. Every member state and Korea not listed takes the person holding
  the liaison role for that country in the directory (the first by name if there are several);
  a country without one gets no recommendation (the festival's timeline says so).
- `board`: everyone holding a board seat when absent; they hear last about a late step.

Every problem is one `InputError` that names the field.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.agreement_rules import Rejected
from domain.agreements import PartySpec
from domain.grants.applications import CountryCode
from domain.parties import ID_PATTERN, OrganisationKind, Person, PersonRef, Role
from domain.releases.country_rules import RULES
from domain.releases.festival import Edition, EidrId, Film, RightsHolder, SectionKind
from domain.releases.process import (
    AcknowledgeAction,
    ClassifyAction,
    ConfirmReleaseAction,
    DeclineAction,
    LicenceAction,
    QuotaAction,
    RecordAwardAction,
    RegisterFilmAction,
    ReleasePeople,
    ScheduleAction,
    SubsidyAction,
)
from domain.releases.rights import Media
from domain.releases.targets import NETWORK_TARGET, ReleaseRecord, TargetProgress, progress
from services.errors import ActionRejected, InputError, problems
from services.files import read_mapping
from services.updates import Lifecycle
from settings import get_settings
from store import directory, queries
from workflows.country_release import CountryReleaseWorkflow
from workflows.festival import FestivalInput, FestivalWorkflow, festival_workflow_id

MAX_FILE_BYTES = 2_000_000

__all__ = ["ActionRejected", "InputError"]


# ---------------------------------------------------------------- parties


def party_for(engine: Engine, organisation_id: str, field: str = "organisation") -> PartySpec:
    """A directory organisation as a party of a licence: its approvers and signatories.

    The dashboard builds a licence's `licensee` from a chosen distributor with it; `field` names
    the input in the error (`licensee_id: …`).
    """
    org = directory.get_organisation(engine, organisation_id)
    if org is None:
        raise InputError(f"{field}: no organisation '{organisation_id}' in the directory")
    approvers = [PersonRef.of(p) for p in directory.list_people(engine, role=Role.APPROVER, organisation_id=org.id)]
    signatories = [PersonRef.of(p) for p in directory.list_people(engine, role=Role.SIGNATORY, organisation_id=org.id)]
    missing = [w for w, people in (("approver", approvers), ("signatory", signatories)) if not people]
    if missing:
        raise InputError(f"{field}: {org.id} has no {' and no '.join(missing)} in the directory, so it cannot sign a licence;"
                         " add one to the directory first")  # fmt: skip
    return PartySpec(organisation_id=org.id, names=dict(org.names), country=org.country, approvers=approvers,
                     signatories=signatories)  # fmt: skip


# ---------------------------------------------------------------- festival files


class FilmEntry(BaseModel):
    """A film of the edition as the festival office lists it: the rights holder by organisation id."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    section: SectionKind
    original_title: str = Field(min_length=1, max_length=300)
    english_title: str = Field(min_length=1, max_length=300)
    origin_countries: list[CountryCode] = Field(min_length=1, max_length=10)
    rights_holder: str = Field(pattern=ID_PATTERN, description="The organisation id of who licenses the film")
    runtime_minutes: int = Field(gt=0, le=1200)
    languages: list[str] = Field(min_length=1)
    eidr_id: EidrId | None = None
    year: int = Field(ge=1895, le=2100)


class FestivalFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edition: Edition
    films: list[FilmEntry] = Field(min_length=1)
    festival_admins: list[str] = Field(
        min_length=1, description="Who records awards: admins, or people of the festival organisation"
    )
    liaisons: dict[str, str] = Field(
        default_factory=dict, description="country → person; others from the directory's liaison roles"
    )
    board: list[str] | None = Field(default=None, description="Everyone holding a board seat when absent")


def read_festival_file(path: Path) -> FestivalFile:
    try:
        return FestivalFile.model_validate(read_mapping(path, "festival", MAX_FILE_BYTES))
    except ValidationError as e:
        raise InputError(f"{path}: {problems(e)}") from None


def _person(people: dict[str, Person], pid: str, field: str) -> Person:
    p = people.get(pid)
    if p is None:
        raise InputError(f"{field}: no person '{pid}' in the directory")
    return p


def build_festival(engine: Engine, f: FestivalFile) -> FestivalInput:
    people = {p.id: p for p in directory.list_people(engine)}
    festival_orgs = {o.id for o in directory.list_organisations(engine, kind=OrganisationKind.FESTIVAL.value)}
    admins: list[PersonRef] = []
    for i, pid in enumerate(f.festival_admins):
        p = _person(people, pid, f"festival_admins.{i}")
        if not (p.holds(Role.ADMIN) or p.organisation_id in festival_orgs):
            raise InputError(
                f"festival_admins.{i}: {pid} is neither an admin nor of the festival's organisation in the directory"
            )
        admins.append(PersonRef.of(p))
    liaisons: dict[str, PersonRef] = {}
    for p in people.values():  # sorted by name: the first liaison of a country by name
        for g in p.roles:
            if g.role is Role.LIAISON and g.country in RULES and g.country not in liaisons:
                liaisons[g.country] = PersonRef.of(p)
    for country, pid in f.liaisons.items():
        code = country.upper()
        if code not in RULES:
            raise InputError(f"liaisons.{country}: release recommendations go to {', '.join(sorted(RULES))}, not '{country}'")
        p = _person(people, pid, f"liaisons.{country}")
        if not p.holds(Role.LIAISON, country=code):
            raise InputError(f"liaisons.{country}: {pid} is not a liaison for {code} in the directory")
        liaisons[code] = PersonRef.of(p)
    board: list[PersonRef] = []
    if f.board is None:
        board = [PersonRef.of(p) for p in people.values() if p.holds(Role.BOARD_MEMBER)]
    for i, pid in enumerate(f.board or ()):
        p = _person(people, pid, f"board.{i}")
        if not p.holds(Role.BOARD_MEMBER):
            raise InputError(f"board.{i}: {pid} is not a board member in the directory")
        board.append(PersonRef.of(p))
    films: list[Film] = []
    licensors: dict[str, PartySpec] = {}
    for i, entry in enumerate(f.films):
        if entry.id in licensors:
            raise InputError(f"films.{i}.id: the film {entry.id} is listed twice")
        org = directory.get_organisation(engine, entry.rights_holder)
        if org is None:
            raise InputError(f"films.{i}.rights_holder: no organisation '{entry.rights_holder}' in the directory")
        holder = RightsHolder(organisation_id=org.id, name=org.name(), country=org.country)
        try:
            film = Film.model_validate(
                {**entry.model_dump(exclude={"rights_holder"}), "edition_id": f.edition.id, "rights_holder": holder}
            )
        except ValidationError as e:
            raise InputError("; ".join(f"films.{i}{''.join('.' + str(x) for x in err['loc'])}: {str(err['msg']).removeprefix('Value error, ')}"
                                       for err in e.errors())) from None  # fmt: skip
        if film.year > f.edition.year:
            raise InputError(f"films.{i}.year: completed in {film.year}, after the {f.edition.year} edition")
        if film.section not in f.edition.sections:
            raise InputError(f"films.{i}.section: the edition has no {film.section.value} section; its sections are "
                             + ", ".join(s.value for s in f.edition.sections))  # fmt: skip
        licensors[film.id] = party_for(engine, org.id, f"films.{i}.rights_holder")
        films.append(film)
    try:
        rp = ReleasePeople(festival_admins=tuple(admins), liaisons=liaisons, board=tuple(board))
    except ValidationError as e:
        raise InputError(problems(e)) from None
    return FestivalInput(edition=f.edition, films=films, licensors=licensors, people=rp, rules=dict(RULES))


async def open_festival(client: Client, engine: Engine, path: Path) -> str:
    """Check the festival file and start the edition's workflow; an edition already open is fine."""
    return await open_festival_file(client, engine, read_festival_file(path))


async def open_festival_file(client: Client, engine: Engine, f: FestivalFile) -> str:
    inp = build_festival(engine, f)
    wid = festival_workflow_id(inp.edition.id)
    try:
        await client.start_workflow(FestivalWorkflow.run, inp, id=wid, task_queue=get_settings().task_queue)
    except WorkflowAlreadyStartedError:
        pass
    return wid


# ---------------------------------------------------------------- actions

FESTIVAL_ACTIONS: dict[str, tuple[Any, type[BaseModel]]] = {
    "record_award": (FestivalWorkflow.record_award, RecordAwardAction),
    "register_film": (FestivalWorkflow.register_film, RegisterFilmAction),
}

RELEASE_ACTIONS: dict[str, tuple[Any, type[BaseModel]]] = {
    "acknowledge": (CountryReleaseWorkflow.acknowledge, AcknowledgeAction),
    "classify": (CountryReleaseWorkflow.classify, ClassifyAction),
    "decide_quota": (CountryReleaseWorkflow.decide_quota, QuotaAction),
    "record_subsidy": (CountryReleaseWorkflow.record_subsidy, SubsidyAction),
    "propose_licence": (CountryReleaseWorkflow.propose_licence, LicenceAction),
    "schedule_release": (CountryReleaseWorkflow.schedule_release, ScheduleAction),
    "confirm_release": (CountryReleaseWorkflow.confirm_release, ConfirmReleaseAction),
    "decline": (CountryReleaseWorkflow.decline, DeclineAction),
}

# an organisation id in the fields instead of a whole party: (action, id field, party field)
_PARTY_IDS = {"propose_licence": ("licensee_id", "licensee"), "register_film": ("licensor_id", "licensor")}


LIFECYCLE = Lifecycle(("festival-", FESTIVAL_ACTIONS, "festival"), ("release-", RELEASE_ACTIONS, "country release"))
handles = LIFECYCLE.handles


def parse_action(wid: str, name: str, data: dict[str, Any], engine: Engine | None = None) -> BaseModel:
    """The fields as the action's model. `propose_licence` takes `licensee_id` (a directory
    organisation, resolved with `party_for`; needs `engine`) instead of a whole `licensee`, and
    `register_film` likewise `licensor_id`."""
    table, _ = LIFECYCLE.table(wid)
    if name in table and name in _PARTY_IDS and _PARTY_IDS[name][0] in data:
        id_field, party_field = _PARTY_IDS[name]
        data = dict(data)
        org_id = data.pop(id_field)
        if party_field in data:
            raise InputError(f"{id_field}: give either {id_field} or {party_field}, not both")
        if not isinstance(org_id, str) or not org_id:
            raise InputError(f"{id_field}: give the organisation id from the directory")
        if engine is None:
            raise InputError(f"{id_field}: the directory is not at hand here; give the whole {party_field}")
        data[party_field] = party_for(engine, org_id, id_field).model_dump(mode="json")
    return LIFECYCLE.parse(wid, name, data)


async def act(client: Client, wid: str, name: str, action: BaseModel, update_id: str | None = None) -> Any:
    return await LIFECYCLE.act(client, wid, name, action, update_id)


# ---------------------------------------------------------------- the network's target


def release_records(engine: Engine) -> list[ReleaseRecord]:
    """Every confirmed release in the read model, as the target counts them: the medium and deal
    from the release's licence (theatrical when it was released without one)."""
    out: list[ReleaseRecord] = []
    for row in queries.list_items(engine, item_type="country_release", phase="released", limit=100_000):
        s = row.summary or {}
        if not s.get("released_on"):
            continue
        item = queries.get_item(engine, row.item_id)
        grant = ((item.detail if item else {}).get("licence") or {}).get("grant") or {}
        media = grant.get("media") or [Media.THEATRICAL.value]
        out.append(ReleaseRecord(film_id=s["film_id"], country=s["country"], released_on=date.fromisoformat(s["released_on"]),
                                 platform=Media(media[0]), origin_countries=tuple(s.get("origin_countries") or ()),
                                 deal_id=grant.get("deal_id")))  # fmt: skip
    return out


def target_progress(engine: Engine, year: int, target: int = NETWORK_TARGET) -> TargetProgress:
    try:
        return progress(release_records(engine), year, target)
    except Rejected as e:
        raise InputError(str(e)) from None
