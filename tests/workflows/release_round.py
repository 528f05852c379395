"""Builders for the award-to-release workflow tests: the 2026 festival with a liaison per country."""

from __future__ import annotations

import uuid

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.agreements import PartySpec
from domain.parties import PersonRef
from domain.releases.country_rules import RULES
from domain.releases.process import ReleasePeople
from tests.domain.releases.examples import EDITION, FILMS
from workflows.festival import FestivalInput, FestivalWorkflow


def person(pid: str, org: str | None = None) -> PersonRef:
    return PersonRef(id=pid, name=pid.replace("-", " ").title(), email=f"{pid}@example.org", organisation_id=org)


ADMIN = person("festival-admin", "sco-festival")
LIAISONS = {c: person(f"liaison-{c.lower()}") for c in RULES}
PEOPLE = ReleasePeople(festival_admins=(ADMIN,), liaisons=LIAISONS, board=(person("board-chair"),))


def licensor(film) -> PartySpec:  # type: ignore[no-untyped-def]
    h = film.rights_holder
    rep = person(f"{h.organisation_id}-head", h.organisation_id)
    return PartySpec(organisation_id=h.organisation_id, names={"en": h.name}, country=h.country, approvers=[rep], signatories=[rep])


def distributor(country: str, org: str = "") -> PartySpec:
    org = org or f"dist-{country.lower()}"
    rep = person(f"{org}-head", org)
    return PartySpec(organisation_id=org, names={"en": f"{country} Pictures"}, country=country, approvers=[rep], signatories=[rep])


async def start_festival(env: WorkflowEnvironment, queue: str) -> WorkflowHandle:
    inp = FestivalInput(edition=EDITION, films=list(FILMS), licensors={f.id: licensor(f) for f in FILMS}, people=PEOPLE,
                        rules=dict(RULES))  # fmt: skip
    return await env.client.start_workflow(FestivalWorkflow.run, inp, id=f"festival-sco-2026-{uuid.uuid4().hex[:6]}", task_queue=queue)
