"""Agreements: what starts one, what it holds while it runs, and what people may send it.

One engine signs every kind of agreement — MOUs, grant agreements, licence deals — so these
models know nothing of the kind beyond its name and its typed variables (`domain.agreement_kinds`).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator, model_validator

from domain.human_steps import OpenStep, ReminderPolicy
from domain.parties import ID_PATTERN, PersonRef
from domain.reference import COUNTRIES, LANGUAGES

MAX_PARTIES = 60
# Bounds that keep a workflow's payloads far below Temporal's 2 MB limit (texts are UTF-8: up to
# 3 bytes a character); the full texts live in the document store, addressed by hash.
MAX_OVERRIDE_CHARS = 100_000
MAX_COMMENTS_KEPT = 300
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class AgreementKind(StrEnum):
    UNIVERSITY_PARTNERSHIP = "university_partnership"
    CO_PRODUCTION = "co_production"
    DISTRIBUTION_ACCESSION = "distribution_accession"
    GRANT = "grant"
    LICENCE = "licence"


class SigningMode(StrEnum):
    PARALLEL = "parallel"  # every party signs at once
    SEQUENTIAL = "sequential"  # one party after another, in the order listed
    GROUPS = "groups"  # groups in order of `signing_group`; parties within a group in parallel


class Phase(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    APPROVAL = "approval"
    SIGNING = "signing"
    EXECUTING = "executing"  # signatures complete, executed PDF being produced
    PENDING = "pending"  # executed, in force from a later effective date
    ACTIVE = "active"
    RENEWAL = "renewal"  # renewal window open
    TERMINATING = "terminating"  # notice given, not yet effective
    EXPIRED = "expired"
    TERMINATED = "terminated"
    VOIDED = "voided"


TERMINAL_PHASES = {Phase.EXPIRED, Phase.TERMINATED, Phase.VOIDED}
NEGOTIATION_PHASES = {Phase.DRAFT, Phase.REVIEW, Phase.APPROVAL, Phase.SIGNING}


class PartySpec(BaseModel):
    organisation_id: str = Field(pattern=ID_PATTERN)
    names: dict[str, Annotated[str, Field(max_length=300)]] = Field(min_length=1)
    country: str
    approvers: list[PersonRef] = Field(min_length=1, max_length=50)
    approvals_required: int = Field(default=1, ge=1, le=50)
    signatories: list[PersonRef] = Field(min_length=1, max_length=50)
    signatory_id: str | None = Field(default=None, description="Who signs; the first signatory if unset")
    signing_group: int = Field(default=0, ge=0, le=100)
    liaison: PersonRef | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        if v.upper() not in COUNTRIES:
            raise ValueError(f"'{v}' is not an ISO 3166 code of a network country")
        return v.upper()

    @model_validator(mode="after")
    def _people(self) -> PartySpec:
        if self.approvals_required > len(self.approvers):
            raise ValueError(
                f"{self.organisation_id} needs {self.approvals_required} approvals but lists "
                f"{len(self.approvers)} approver(s)"
            )
        ids = {s.id for s in self.signatories}
        if self.signatory_id is not None and self.signatory_id not in ids:
            raise ValueError(f"signatory_id '{self.signatory_id}' is not among {self.organisation_id}'s signatories")
        return self

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names.get("en") or next(iter(self.names.values()))

    @property
    def designated_signatory(self) -> PersonRef:
        if self.signatory_id:
            return next(s for s in self.signatories if s.id == self.signatory_id)
        return self.signatories[0]


class TermSpec(BaseModel):
    effective_date: date | None = Field(default=None, description="When unset: the day of execution")
    term_months: int = Field(default=60, ge=1, le=600)
    renewal_window_days: int = Field(default=90, ge=1, le=730)
    renewal_reminder_every_days: int = Field(default=30, ge=1, le=365)
    termination_notice_days: int = Field(default=90, ge=0, le=730)

    @model_validator(mode="after")
    def _window_inside_term(self) -> TermSpec:
        if self.renewal_window_days >= self.term_months * 28:
            raise ValueError(
                f"the renewal window ({self.renewal_window_days} days) must be shorter than the term ({self.term_months} months)"
            )
        return self


class AgreementSpec(BaseModel):
    """Everything needed to start an agreement. Validated at every edge (CLI, dashboard, parent)."""

    id: str = Field(pattern=ID_PATTERN)
    kind: AgreementKind
    title: str = Field(min_length=3, max_length=300)
    languages: list[str] = Field(default=["en"], min_length=1, max_length=2)
    variables: dict[str, Any] = Field(default_factory=dict)
    parties: list[PartySpec] = Field(min_length=2, max_length=MAX_PARTIES)
    initiator: PersonRef
    signing_mode: SigningMode = SigningMode.PARALLEL
    review_days: float = Field(default=10, gt=0, le=365)
    reminders: ReminderPolicy = ReminderPolicy()
    term: TermSpec = TermSpec()
    board: list[PersonRef] = Field(default_factory=list, max_length=50)
    parent_workflow_id: str | None = None
    start_in_review: bool = Field(default=True, description="Open the first review round at once")

    @field_validator("languages")
    @classmethod
    def _langs(cls, v: list[str]) -> list[str]:
        for lang in v:
            if lang not in LANGUAGES:
                raise ValueError(f"language '{lang}' is not supported; choose from {', '.join(LANGUAGES)}")
        if len(set(v)) != len(v):
            raise ValueError("the two languages must differ")
        return v

    @model_validator(mode="after")
    def _parties_unique(self) -> AgreementSpec:
        seen: set[str] = set()
        for p in self.parties:
            if p.organisation_id in seen:
                raise ValueError(f"party '{p.organisation_id}' is listed twice")
            seen.add(p.organisation_id)
        self.variables = agreement_kinds.validate_variables(self.kind, self.variables)
        return self

    def party(self, organisation_id: str) -> PartySpec | None:
        return next((p for p in self.parties if p.organisation_id == organisation_id), None)


# ---------------------------------------------------------------- state held by the workflow


class Version(BaseModel):
    number: int
    author_id: str
    author_name: str
    summary: str
    created_at: datetime
    text_sha256: str
    pdf_sha256: str
    pages: int = 0


class Approval(BaseModel):
    organisation_id: str
    person_id: str
    person_name: str
    version_hash: str
    at: datetime


class Signature(BaseModel):
    organisation_id: str
    signer_id: str
    signer_name: str
    title: str
    version_hash: str
    at: datetime
    term: int = 1


class Comment(BaseModel):
    author_id: str
    author_name: str
    organisation_id: str | None
    version: int
    clause_id: str | None = None
    text: str
    at: datetime


class Event(BaseModel):
    seq: int
    at: datetime
    kind: str
    actor_id: str | None = None
    actor_name: str | None = None
    detail: str = ""
    version_hash: str | None = None
    document_sha256: str | None = None


class AgreementState(BaseModel):
    spec: AgreementSpec
    phase: Phase = Phase.DRAFT
    review_round: int = 0
    review_closes_at: datetime | None = None
    versions: list[Version] = Field(default_factory=list)
    clause_overrides: dict[str, dict[str, str]] = Field(default_factory=dict)
    approvals: list[Approval] = Field(default_factory=list)
    signatures: list[Signature] = Field(default_factory=list)
    delegations: dict[str, str] = Field(default_factory=dict, description="organisation id → signer id")
    comments: list[Comment] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    steps: list[OpenStep] = Field(default_factory=list)
    term_number: int = 1
    renewal_term_months: int | None = None
    executed_at: datetime | None = None
    effective_date: date | None = None
    expiry_date: date | None = None
    executed_pdf_sha256: str | None = None
    ends_on: date | None = None  # termination effective date once notice is given
    outcome_reason: str | None = None
    projected_seq: int = 0
    forwarded_phase: Phase | None = None  # the last phase told to the joint programs resting on it

    @property
    def current(self) -> Version | None:
        return self.versions[-1] if self.versions else None

    @property
    def current_hash(self) -> str | None:
        return self.versions[-1].text_sha256 if self.versions else None


# ---------------------------------------------------------------- what people send (updates)


class Action(BaseModel):
    """Every human action names its actor; the dashboard/CLI authenticates, the workflow authorizes."""

    actor_id: str = Field(min_length=1, max_length=64)


class CommentAction(Action):
    text: str = Field(min_length=1, max_length=5000)
    clause_id: str | None = Field(default=None, max_length=64)


class ReviseAction(Action):
    summary: str = Field(min_length=3, max_length=500)
    base_version_hash: str = Field(pattern=SHA256_PATTERN, description="The version this revision edits")
    clause_overrides: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="clause id → language → new text"
    )
    variables: dict[str, Any] | None = None

    @field_validator("clause_overrides")
    @classmethod
    def _sizes(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        if len(v) > 50:
            raise ValueError("at most 50 clauses can change in one revision")
        total = 0
        for clause_id, texts in v.items():
            if len(clause_id) > 64 or any(len(lang) > 10 for lang in texts):
                raise ValueError("a clause id is at most 64 characters, and a language code at most 10")
            for text in texts.values():
                if len(text) > 20_000:
                    raise ValueError("a clause may be at most 20,000 characters")
                total += len(text)
        if total > MAX_OVERRIDE_CHARS:
            raise ValueError(f"a revision may change at most {MAX_OVERRIDE_CHARS:,} characters of text")
        return v


class ApproveAction(Action):
    version_hash: str = Field(pattern=SHA256_PATTERN)


class SignAction(Action):
    version_hash: str = Field(pattern=SHA256_PATTERN)


class DeclineAction(Action):
    version_hash: str = Field(pattern=SHA256_PATTERN)
    reason: str = Field(min_length=3, max_length=2000)


class VoidAction(Action):
    reason: str = Field(min_length=3, max_length=2000)


class DelegateAction(Action):
    to_person_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=3, max_length=2000)


class PhaseAction(Action):
    """Open or close a review round (initiator only)."""


class RenewAction(Action):
    term_months: int | None = Field(default=None, ge=1, le=600)


class TerminateAction(Action):
    reason: str = Field(min_length=3, max_length=2000)


# ---------------------------------------------------------------- activity contracts


class ComposeRequest(BaseModel):
    """Compose a version's canonical text from the clause library and render its PDF."""

    agreement_id: str
    kind: AgreementKind
    title: str
    languages: list[str]
    variables: dict[str, Any]
    parties: list[PartySpec]
    clause_overrides: dict[str, dict[str, str]] = Field(default_factory=dict)
    version: int
    author_name: str
    summary: str
    created_at: datetime


class ComposedVersion(BaseModel):
    text_sha256: str
    pdf_sha256: str
    pages: int


class ExecuteRequest(BaseModel):
    """Render the executed agreement: final text, signature page, certificate of completion."""

    agreement_id: str
    title: str
    kind: AgreementKind
    languages: list[str]
    parties: list[PartySpec]
    version: Version
    signatures: list[Signature]
    approvals: list[Approval]
    events: list[Event]
    executed_at: datetime
    effective_date: date
    expiry_date: date
    term: int


class ExecutedDocument(BaseModel):
    pdf_sha256: str
    pages: int


class AgreementProjection(BaseModel):
    """What the read model needs after a change: the current picture plus events not yet sent."""

    workflow_id: str
    state: AgreementState
    new_events: list[Event]


# Imported last: the kinds module needs AgreementKind from this one.
from domain import agreement_kinds  # noqa: E402
