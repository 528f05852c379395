"""Starting and acting on agreements from outside Temporal: the CLI, the dashboard, demo data.

An `AgreementFile` is what a person writes (YAML or JSON): parties and people by their directory
ids. `build_spec` resolves those ids against the directory into the snapshot the workflow keeps,
so the workflow's validators can authorize without any I/O. Every problem is reported as one
`InputError` that names the field, and nothing is started.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine
from temporalio.client import Client

from domain.agreements import (
    AgreementKind,
    AgreementSpec,
    ApproveAction,
    CommentAction,
    ComposeRequest,
    DeclineAction,
    DelegateAction,
    PhaseAction,
    RenewAction,
    ReviseAction,
    SignAction,
    SigningMode,
    TerminateAction,
    TermSpec,
    VoidAction,
)
from domain.human_steps import ReminderPolicy
from domain.parties import ID_PATTERN, Person, PersonRef, Role
from services.errors import ActionRejected, InputError
from services.errors import problems as _problems
from services.files import read_mapping
from services.updates import send_update
from settings import get_settings
from store import directory
from workflows.agreement import ActionResult, AgreementInput, AgreementWorkflow

MAX_FILE_BYTES = 1_000_000

__all__ = ["ActionRejected", "ActionResult", "InputError"]  # raised and returned to callers of this module


class PartyEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: str = Field(pattern=ID_PATTERN)
    approvers: list[str] | None = None
    signatories: list[str] | None = None
    signatory: str | None = None
    approvals_required: int = Field(default=1, ge=1)
    signing_group: int = Field(default=0, ge=0)


class AgreementFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    kind: AgreementKind
    title: str = Field(min_length=3, max_length=300)
    languages: list[str] = ["en"]
    variables: dict[str, Any] = Field(default_factory=dict)
    initiator: str
    parties: list[PartyEntry] = Field(min_length=2)
    signing_mode: SigningMode = SigningMode.PARALLEL
    review_days: float = 10
    reminders: ReminderPolicy = ReminderPolicy()
    term: TermSpec = TermSpec()
    start_in_review: bool = True


def read_agreement_file(path: Path) -> AgreementFile:
    """Parse a YAML or JSON agreement file, or raise InputError naming the file and field."""
    data = read_mapping(path, "agreement", MAX_FILE_BYTES)
    try:
        return AgreementFile.model_validate(data)
    except ValidationError as e:
        raise InputError(f"{path}: {_problems(e)}") from None


def _ref(p: Person) -> PersonRef:
    return PersonRef.of(p)


def build_spec(engine: Engine, f: AgreementFile) -> AgreementSpec:
    """Resolve the file's ids against the directory into a workflow start input."""
    people = {p.id: p for p in directory.list_people(engine)}

    def person(pid: str, field: str) -> Person:
        if pid not in people:
            raise InputError(f"{field}: no person '{pid}' in the directory")
        return people[pid]

    parties: list[dict[str, Any]] = []
    for i, entry in enumerate(f.parties):
        org = directory.get_organisation(engine, entry.organisation)
        if org is None:
            raise InputError(f"parties.{i}.organisation: no organisation '{entry.organisation}' in the directory")

        def holders(role: Role, org_id: str = org.id) -> list[str]:
            return [p.id for p in people.values() if p.holds(role, organisation_id=org_id)]

        approvers = entry.approvers if entry.approvers is not None else holders(Role.APPROVER)
        signatories = entry.signatories if entry.signatories is not None else holders(Role.SIGNATORY)
        for field, ids, role in [("approvers", approvers, Role.APPROVER), ("signatories", signatories, Role.SIGNATORY)]:
            for pid in ids:
                if not person(pid, f"parties.{i}.{field}").holds(role, organisation_id=org.id):
                    raise InputError(f"parties.{i}.{field}: {pid} is not {'an' if role is Role.APPROVER else 'a'} "
                                     f"{role.value} of {org.id} in the directory")
        if not approvers:
            raise InputError(f"parties.{i}.approvers: {org.id} has no approver in the directory; name one")
        if not signatories:
            raise InputError(f"parties.{i}.signatories: {org.id} has no signatory in the directory; name one")
        liaison = next((p for p in people.values() if p.holds(Role.LIAISON, country=org.country)), None)
        parties.append(
            dict(
                organisation_id=org.id, names=dict(org.names), country=org.country,
                approvers=[_ref(person(a, f"parties.{i}.approvers")) for a in approvers],
                signatories=[_ref(person(s, f"parties.{i}.signatories")) for s in signatories],
                signatory_id=entry.signatory, approvals_required=entry.approvals_required,
                signing_group=entry.signing_group, liaison=_ref(liaison) if liaison else None,
            )
        )
    board = [_ref(p) for p in people.values() if p.holds(Role.BOARD_MEMBER)]
    data = f.model_dump(exclude={"parties", "initiator"}) | {
        "parties": parties,
        "initiator": _ref(person(f.initiator, "initiator")),
        "board": board,
    }
    try:
        spec = AgreementSpec.model_validate(data)
    except ValidationError as e:
        raise InputError(_problems(e)) from None
    check_composes(spec)
    return spec


def check_composes(spec: AgreementSpec) -> None:
    """Compose the first version here, before starting: a clause the library cannot fill in these
    languages is the file's problem, reported now, not a workflow that fails later."""
    from documents.compose import ComposeError, compose
    from documents.library import LibraryError, load_library

    req = ComposeRequest(agreement_id=spec.id, kind=spec.kind, title=spec.title, languages=spec.languages,
                         variables=spec.variables, parties=spec.parties, version=1, author_name=spec.initiator.name,
                         summary="check", created_at=datetime.now(UTC))
    try:
        compose(req, load_library(get_settings().data_dir / "clauses"))
    except (ComposeError, LibraryError) as e:
        raise InputError(f"the agreement cannot be composed from the clause library: {e}") from None


def workflow_id(agreement_id: str) -> str:
    return f"agreement-{agreement_id}"


async def start_agreement(client: Client, spec: AgreementSpec) -> str:
    """Start the agreement's workflow; an id already in use is an InputError, not a crash."""
    from temporalio.exceptions import WorkflowAlreadyStartedError

    wid = workflow_id(spec.id)
    try:
        await client.start_workflow(
            AgreementWorkflow.run, AgreementInput(spec=spec), id=wid, task_queue=get_settings().task_queue
        )
    except WorkflowAlreadyStartedError:
        raise InputError(f"id: an agreement '{spec.id}' already exists; choose another id") from None
    return wid


ACTIONS: dict[str, tuple[Any, type[BaseModel]]] = {
    "comment": (AgreementWorkflow.comment, CommentAction),
    "revise": (AgreementWorkflow.revise, ReviseAction),
    "open_review": (AgreementWorkflow.open_review, PhaseAction),
    "close_review": (AgreementWorkflow.close_review, PhaseAction),
    "approve": (AgreementWorkflow.approve, ApproveAction),
    "sign": (AgreementWorkflow.sign, SignAction),
    "decline": (AgreementWorkflow.decline, DeclineAction),
    "delegate": (AgreementWorkflow.delegate, DelegateAction),
    "void": (AgreementWorkflow.void, VoidAction),
    "renew": (AgreementWorkflow.renew, RenewAction),
    "terminate": (AgreementWorkflow.terminate, TerminateAction),
}


def parse_action(name: str, data: dict[str, Any]) -> BaseModel:
    if name not in ACTIONS:
        raise InputError(f"action: '{name}' is not one of {', '.join(ACTIONS)}")
    try:
        return ACTIONS[name][1].model_validate(data)
    except ValidationError as e:
        raise InputError(_problems(e)) from None


async def act(client: Client, wid: str, name: str, action: BaseModel, update_id: str | None = None) -> ActionResult:
    """Send one action as a workflow update. `update_id` makes a repeated click count once."""
    return await send_update(client, wid, ACTIONS[name][0], action, update_id, what="agreement")
