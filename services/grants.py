"""The co-production fund from outside Temporal: fund files, submissions and actions, for the CLI,
the dashboard and the demo.

A `FundFile` is what the fund's managers write (YAML or JSON): the fund, its calls, and the people
of its process by directory id. `open_fund` checks it, stores it as reference data and starts the
fund's `FundLedger` workflow. An `ApplicationFile` is a submission, with its contact person by
directory id; `submit` resolves it against the stored fund into the start input of a
`GrantApplication` workflow. Every problem is one `InputError` that names the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine, select
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.agreement_rules import Rejected
from domain.agreements import PartySpec
from domain.grants.applications import Application
from domain.grants.conflicts import Reviewer
from domain.grants.funds import Fund, GrantCall, check_call
from domain.grants.process import (
    AgreementParties,
    AmendmentVoteAction,
    CancelGrantAction,
    CloseVoteAction,
    DeclineReviewAction,
    GrantPeople,
    ProposeAmendmentAction,
    ReviewReportAction,
    ScoreAction,
    ScreenAction,
    SubmitReportAction,
    VoteAction,
    WithdrawAction,
)
from domain.parties import ID_PATTERN, Person, PersonRef, Role
from services.errors import ActionRejected, InputError, problems
from services.files import read_mapping
from services.updates import Lifecycle
from settings import get_settings
from store import directory
from store.db import dialect_insert, reading, transaction
from store.models import FundRow, utcnow
from workflows.fund_ledger import FundLedgerInput, FundLedgerWorkflow, fund_workflow_id
from workflows.grant import GrantWorkflow
from workflows.grant_application import GrantApplicationInput, GrantApplicationWorkflow, application_workflow_id

MAX_FILE_BYTES = 2_000_000
FUND = FundRow.__table__

__all__ = ["ActionRejected", "InputError"]


# ---------------------------------------------------------------- fund files


class ReviewerEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person: str
    country: str | None = Field(default=None, description="Defaults to the person's organisation's country")
    expertise: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=lambda: ["en"])
    max_load: int = Field(default=8, ge=0, le=100)


class FundFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fund: Fund
    calls: list[GrantCall] = Field(min_length=1)
    organisation: str = Field(pattern=ID_PATTERN, description="The organisation that signs grant agreements for the fund")
    fund_managers: list[str] = Field(min_length=1)
    signatories: list[str] = Field(min_length=1, description="Who signs grant agreements for the fund")
    board: list[str] | None = Field(default=None, description="Everyone holding a board seat when absent")
    reviewers: list[ReviewerEntry] = Field(default_factory=list)


class FundDefinition(BaseModel):
    """A fund as stored: what each application of it needs besides the application."""

    fund: Fund
    calls: list[GrantCall]
    people: GrantPeople
    fund_party: PartySpec

    def call(self, call_id: str) -> GrantCall | None:
        return next((c for c in self.calls if c.id == call_id), None)


def _read(path: Path, what: str) -> dict[str, Any]:
    return read_mapping(path, what, MAX_FILE_BYTES)


def read_fund_file(path: Path) -> FundFile:
    try:
        return FundFile.model_validate(_read(path, "fund"))
    except ValidationError as e:
        raise InputError(f"{path}: {problems(e)}") from None


def _people(engine: Engine) -> dict[str, Person]:
    return {p.id: p for p in directory.list_people(engine)}


def _holding(people: dict[str, Person], pid: str, field: str, role: Role, organisation_id: str | None = None) -> PersonRef:
    p = people.get(pid)
    if p is None:
        raise InputError(f"{field}: no person '{pid}' in the directory")
    if not p.holds(role, organisation_id=organisation_id):
        where = f" for {organisation_id}" if organisation_id else ""
        raise InputError(f"{field}: {pid} is not a {role.value.replace('_', ' ')}{where} in the directory")
    return PersonRef.of(p)


def build_fund(engine: Engine, f: FundFile) -> FundDefinition:
    people = _people(engine)
    org = directory.get_organisation(engine, f.organisation)
    if org is None:
        raise InputError(f"organisation: no organisation '{f.organisation}' in the directory")
    for i, call in enumerate(f.calls):
        if call.fund_id != f.fund.id:
            raise InputError(f"calls.{i}.fund_id: the call names fund {call.fund_id}, not {f.fund.id}")
        try:
            check_call(f.fund, call)
        except Rejected as e:
            raise InputError(f"calls.{i}: {e}") from None
    managers = tuple(_holding(people, p, f"fund_managers.{i}", Role.FUND_MANAGER) for i, p in enumerate(f.fund_managers))
    signatories = [_holding(people, p, f"signatories.{i}", Role.SIGNATORY, f.organisation) for i, p in enumerate(f.signatories)]
    if f.board is None:
        board = tuple(PersonRef.of(p) for p in people.values() if p.holds(Role.BOARD_MEMBER))
    else:
        board = tuple(_holding(people, p, f"board.{i}", Role.BOARD_MEMBER) for i, p in enumerate(f.board))
    if not board:
        raise InputError("board: nobody holds a board seat in the directory")
    for i, call in enumerate(f.calls):
        if call.board.quorum > len(board):
            raise InputError(f"calls.{i}.board.quorum: {call.board.quorum} can never be reached by a board of {len(board)}")
    reviewers: list[Reviewer] = []
    for i, r in enumerate(f.reviewers):
        ref = _holding(people, r.person, f"reviewers.{i}.person", Role.REVIEWER)
        country = r.country
        if country is None:
            home = directory.get_organisation(engine, ref.organisation_id) if ref.organisation_id else None
            if home is None:
                raise InputError(f"reviewers.{i}.country: say where {r.person} is based (they have no organisation)")
            country = home.country
        try:
            reviewers.append(Reviewer(person=ref, country=country, expertise=tuple(r.expertise), languages=tuple(r.languages),
                                      max_load=r.max_load))  # fmt: skip
        except ValidationError as e:
            raise InputError(problems(e, f"reviewers.{i}.")) from None
    liaisons = {g.country: PersonRef.of(p) for p in people.values() for g in p.roles if g.role is Role.LIAISON and g.country}
    fund_party = PartySpec(organisation_id=org.id, names=dict(org.names), country=org.country, approvers=list(managers),
                           signatories=signatories)  # fmt: skip
    try:
        gp = GrantPeople(fund_managers=managers, board=board, reviewers=tuple(reviewers), liaisons=liaisons)
    except ValidationError as e:
        raise InputError(problems(e)) from None
    return FundDefinition(fund=f.fund, calls=f.calls, people=gp, fund_party=fund_party)


def save_fund(engine: Engine, d: FundDefinition) -> None:
    values = {"id": d.fund.id, "title": d.fund.name()[:300], "definition": d.model_dump(mode="json"), "updated_at": utcnow()}
    with transaction(engine) as conn:
        stmt = dialect_insert(conn, FUND).values(values)
        conn.execute(stmt.on_conflict_do_update(index_elements=[FUND.c.id], set_={k: stmt.excluded[k] for k in values if k != "id"}))


def get_fund(engine: Engine, fund_id: str) -> FundDefinition | None:
    with reading(engine) as conn:
        row = conn.execute(select(FUND.c.definition).where(FUND.c.id == fund_id)).first()
    return None if row is None else FundDefinition.model_validate(row.definition)


def list_funds(engine: Engine) -> list[FundDefinition]:
    with reading(engine) as conn:
        rows = conn.execute(select(FUND.c.definition).order_by(FUND.c.id)).all()
    return [FundDefinition.model_validate(r.definition) for r in rows]


async def open_fund(client: Client, engine: Engine, path: Path) -> FundDefinition:
    """Check and store the fund, and start its ledger (an existing ledger is left as it is)."""
    return await open_fund_file(client, engine, read_fund_file(path))


async def open_fund_file(client: Client, engine: Engine, f: FundFile) -> FundDefinition:
    d = build_fund(engine, f)
    before = get_fund(engine, d.fund.id)
    if before is not None and (before.fund.currency, before.fund.budget) != (d.fund.currency, d.fund.budget):
        raise InputError(
            f"fund.budget: {d.fund.id}'s books are open at {before.fund.budget} {before.fund.currency}; a running fund's"
            " budget and currency change only through its ledger, not by editing its file"
        )
    save_fund(engine, d)
    try:
        await client.start_workflow(FundLedgerWorkflow.run, FundLedgerInput(fund=d.fund), id=fund_workflow_id(d.fund.id),
                                    task_queue=get_settings().task_queue)  # fmt: skip
    except WorkflowAlreadyStartedError:
        pass
    return d


# ---------------------------------------------------------------- submissions


class ApplicationFile(BaseModel):
    """A submission: the application with its contact person by directory id."""

    model_config = ConfigDict(extra="forbid")

    fund_id: str = Field(pattern=ID_PATTERN)
    contact: str
    application: dict[str, Any]


def read_application_file(path: Path) -> ApplicationFile:
    try:
        return ApplicationFile.model_validate(_read(path, "application"))
    except ValidationError as e:
        raise InputError(f"{path}: {problems(e)}") from None


def _grantee_party(engine: Engine, people: dict[str, Person], app: Application) -> PartySpec:
    """The lead producer as a party of the grant agreement: its approvers and signatories from the
    directory, or the contact person alone when the company has none there."""
    lead = app.lead
    org = directory.get_organisation(engine, lead.organisation_id)
    holders = [p for p in people.values() if p.organisation_id == lead.organisation_id]
    approvers = [PersonRef.of(p) for p in holders if p.holds(Role.APPROVER, organisation_id=lead.organisation_id)] or [app.contact]
    signatories = [PersonRef.of(p) for p in holders if p.holds(Role.SIGNATORY, organisation_id=lead.organisation_id)] or [app.contact]
    names = dict(org.names) if org else {"en": lead.name}
    return PartySpec(organisation_id=lead.organisation_id, names=names, country=lead.country, approvers=approvers,
                     signatories=signatories)  # fmt: skip


def build_submission(engine: Engine, f: ApplicationFile) -> GrantApplicationInput:
    d = get_fund(engine, f.fund_id)
    if d is None:
        raise InputError(f"fund_id: no fund '{f.fund_id}'; open it from its fund file first")
    people = _people(engine)
    contact = people.get(f.contact)
    if contact is None:
        raise InputError(f"contact: no person '{f.contact}' in the directory")
    try:
        app = Application.model_validate({**f.application, "contact": PersonRef.of(contact).model_dump()})
    except ValidationError as e:
        raise InputError(problems(e, "application.")) from None
    call = d.call(app.call_id)
    if call is None:
        raise InputError(f"application.call_id: fund {f.fund_id} has no call '{app.call_id}'; its calls are "
                         + ", ".join(c.id for c in d.calls))  # fmt: skip
    parties = AgreementParties(fund_party=d.fund_party, grantee_party=_grantee_party(engine, people, app),
                               initiator=d.people.fund_managers[0])  # fmt: skip
    return GrantApplicationInput(fund=d.fund, call=call, application=app, people=d.people, parties=parties)


async def submit(client: Client, engine: Engine, f: ApplicationFile) -> str:
    inp = build_submission(engine, f)
    wid = application_workflow_id(inp.application.id)
    try:
        await client.start_workflow(GrantApplicationWorkflow.run, inp, id=wid, task_queue=get_settings().task_queue,
                                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)  # fmt: skip
    except WorkflowAlreadyStartedError:
        raise InputError(f"application.id: an application '{inp.application.id}' was already submitted") from None
    return wid


# ---------------------------------------------------------------- actions

APPLICATION_ACTIONS: dict[str, tuple[Any, type[BaseModel]]] = {
    "screen": (GrantApplicationWorkflow.screen, ScreenAction),
    "score": (GrantApplicationWorkflow.score, ScoreAction),
    "decline_review": (GrantApplicationWorkflow.decline_review, DeclineReviewAction),
    "vote": (GrantApplicationWorkflow.vote, VoteAction),
    "close_vote": (GrantApplicationWorkflow.close_vote, CloseVoteAction),
    "withdraw": (GrantApplicationWorkflow.withdraw, WithdrawAction),
}

GRANT_ACTIONS: dict[str, tuple[Any, type[BaseModel]]] = {
    "submit_report": (GrantWorkflow.submit_report, SubmitReportAction),
    "review_report": (GrantWorkflow.review_report, ReviewReportAction),
    "propose_amendment": (GrantWorkflow.propose_amendment, ProposeAmendmentAction),
    "vote_amendment": (GrantWorkflow.vote_amendment, AmendmentVoteAction),
    "close_amendment_vote": (GrantWorkflow.close_amendment_vote, CloseVoteAction),
    "cancel": (GrantWorkflow.cancel, CancelGrantAction),
}


LIFECYCLE = Lifecycle(("application-", APPLICATION_ACTIONS, "grant application"), ("grant-", GRANT_ACTIONS, "grant"))
handles = LIFECYCLE.handles


def parse_action(wid: str, name: str, data: dict[str, Any]) -> BaseModel:
    return LIFECYCLE.parse(wid, name, data)


async def act(client: Client, wid: str, name: str, action: BaseModel, update_id: str | None = None) -> Any:
    return await LIFECYCLE.act(client, wid, name, action, update_id)
