"""Builders for the store tests: agreements at a chosen point of their life, as a workflow sends them.

A plain module (not a conftest) so tests import it by a name no other test folder uses.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.agreements import (
    AgreementKind,
    AgreementProjection,
    AgreementSpec,
    AgreementState,
    Event,
    PartySpec,
    Phase,
    Version,
)
from domain.human_steps import OpenStep, StepKind
from domain.parties import PersonRef

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
SHA = {n: f"{n:x}".rjust(64, "a") for n in range(1, 40)}


def person(pid: str, org: str) -> PersonRef:
    return PersonRef(id=pid, name=pid.replace("-", " ").title(), email=f"{pid}@example.org", organisation_id=org)


def party(org: str, country: str, name: str) -> PartySpec:
    return PartySpec(
        organisation_id=org,
        names={"en": name},
        country=country,
        approvers=[person(f"{org}-approver", org)],
        signatories=[person(f"{org}-signer", org)],
    )


def spec(agreement_id: str = "mou-kr-kz", title: str = "Co-production MOU Korea–Kazakhstan") -> AgreementSpec:
    return AgreementSpec(
        id=agreement_id,
        kind=AgreementKind.CO_PRODUCTION,
        title=title,
        parties=[party("kofic", "KR", "Korean Film Council"), party("kazakhfilm", "KZ", "Kazakhfilm")],
        initiator=person("kofic-approver", "kofic"),
    )


def event(seq: int, kind: str = "note", **kw: Any) -> Event:
    return Event(seq=seq, at=T0 + timedelta(hours=seq), kind=kind, actor_id="kofic-approver", **kw)


def step(step_id: str, org: str = "kofic", country: str = "KR", opened_h: int = 0, due_days: float = 10, **kw: Any) -> OpenStep:
    opened = T0 + timedelta(hours=opened_h)
    return OpenStep(
        step_id=step_id,
        kind=kw.pop("kind", StepKind.REVIEW),
        label=kw.pop("label", f"Review ({org})"),
        organisation_id=org,
        country=country,
        awaited=kw.pop("awaited", [person(f"{org}-approver", org)]),
        opened_at=opened,
        due_at=opened + timedelta(days=due_days),
        **kw,
    )


def version(n: int) -> Version:
    return Version(
        number=n,
        author_id="kofic-approver",
        author_name="Kofic Approver",
        summary=f"draft {n}",
        created_at=T0 + timedelta(hours=n),
        text_sha256=SHA[n],
        pdf_sha256=SHA[20 + n],
        pages=3,
    )


def make_agreement(
    seq: int,
    *,
    agreement_id: str = "mou-kr-kz",
    title: str = "Co-production MOU Korea–Kazakhstan",
    phase: Phase = Phase.REVIEW,
    steps: list[OpenStep] | None = None,
    versions: int = 1,
    new_from: int | None = None,
    executed: bool = False,
    keep_events: bool = True,
) -> AgreementProjection:
    """A projection at event `seq` (= projected_seq) whose new events run from `new_from` (default:
    only the last). The state keeps events 1..seq unless `keep_events=False`, which is what the
    workflow sends (it strips the history to keep payloads small)."""
    events = [event(i) for i in range(1, seq + 1)]
    state = AgreementState(
        spec=spec(agreement_id, title),
        phase=phase,
        review_round=1,
        versions=[version(n) for n in range(1, versions + 1)],
        events=events if keep_events else [],
        steps=steps if steps is not None else [step("review-1/kofic"), step("review-1/kazakhfilm", "kazakhfilm", "KZ")],
        projected_seq=seq,
        executed_at=T0 + timedelta(days=30) if executed else None,
        executed_pdf_sha256=SHA[39] if executed else None,
    )
    start = new_from if new_from is not None else seq
    return AgreementProjection(
        workflow_id=agreement_id, state=state, new_events=[e for e in events if e.seq >= start]
    )
