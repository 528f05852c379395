"""Builders for the grant workflow tests: the 2026 round, with a call open today and its people."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.agreements import PartySpec
from domain.grants.process import AgreementParties, GrantPeople
from domain.parties import PersonRef
from tests.domain.grants.examples import BOARD, FUND, POOL, application, main_call
from workflows.fund_ledger import FundLedgerInput, FundLedgerWorkflow
from workflows.grant_application import GrantApplicationInput, GrantApplicationWorkflow


def person(pid: str, org: str | None = None) -> PersonRef:
    return PersonRef(id=pid, name=pid.replace("-", " ").title(), email=f"{pid}@example.org", organisation_id=org)


MANAGER = person("fund-manager", "sco-festival")
BOARD_PEOPLE = tuple(person(b) for b in BOARD)
PEOPLE = GrantPeople(fund_managers=(MANAGER,), board=BOARD_PEOPLE, reviewers=POOL)


def call_open_today(**changes: Any) -> Any:
    today = date.today()
    return main_call(opens_on=today - timedelta(days=30), closes_on=today + timedelta(days=60), **changes)


def parties(app_key: str = "in-kz-drama") -> AgreementParties:
    app = application(app_key)
    lead = app.lead
    fund_party = PartySpec(organisation_id="sco-festival", names={"en": "SCO Film Festival"}, country="CN",
                           approvers=[MANAGER], signatories=[person("secretary-general", "sco-festival")])  # fmt: skip
    grantee = PartySpec(organisation_id=lead.organisation_id, names={"en": lead.name}, country=lead.country,
                        approvers=[app.contact], signatories=[app.contact])  # fmt: skip
    return AgreementParties(fund_party=fund_party, grantee_party=grantee, initiator=MANAGER)


async def start_fund(env: WorkflowEnvironment, queue: str, fund=FUND) -> WorkflowHandle:  # type: ignore[no-untyped-def]
    return await env.client.start_workflow(FundLedgerWorkflow.run, FundLedgerInput(fund=fund), id=f"fund-{fund.id}", task_queue=queue)


async def submit(env: WorkflowEnvironment, queue: str, key: str = "in-kz-drama", call=None, fund=FUND, **changes: Any) -> WorkflowHandle:  # type: ignore[no-untyped-def]
    inp = GrantApplicationInput(fund=fund, call=call or call_open_today(), application=application(key, **changes), people=PEOPLE,
                                parties=parties(key))  # fmt: skip
    return await env.client.start_workflow(
        GrantApplicationWorkflow.run, inp, id=f"application-{key}-{uuid.uuid4().hex[:6]}", task_queue=queue
    )
