"""`rights_operation` against the real `FilmRights` workflow on Temporal's time-skipping test server.

A licence the ledger accepts comes back applied; one that overlaps an exclusive deal or a holdback
comes back `applied=False` with the ledger's sentence naming the deal in the way — the country's
release workflow decides what happens next — and the same request key counts once. Freeing a deal
that fell through makes its rights available again. Only a transport problem (here: a film
without a rights workflow) raises, so Temporal retries the activity.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import create_engine
from temporalio import activity
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.releases import ReleaseActivities
from domain import activity_names as act
from domain.readmodel import ItemProjection
from domain.releases.process import RightsReply, RightsRequest
from domain.releases.rights import Availability, Media, RightsGrant, RightsLedger
from settings import installed_binary
from store.blobs import BlobStore
from tests.domain.releases.examples import ARMAN, LIC_CA, LIC_KR, LIC_KZ, PAPER_CRANES, licence

try:
    from workflows.film_rights import FilmRightsInput, FilmRightsWorkflow
except ImportError as e:  # the rights workflow is written alongside; without it there is nothing to talk to
    pytest.skip(f"workflows.film_rights cannot be imported yet: {e}", allow_module_level=True)


def _test_server() -> str:
    path = installed_binary("temporal-test-server")
    if not path:
        pytest.fail("temporal-test-server is not installed; run the README's test command")
    return path


@activity.defn(name=act.PROJECT_ITEM)
async def project_item(_: ItemProjection) -> None:
    """The rights workflow projects its ledger; the read model is not under test here."""


@pytest_asyncio.fixture
async def running(tmp_path: Path) -> AsyncIterator[tuple[ReleaseActivities, Client]]:
    """Activities whose client reaches a running FilmRights workflow for Paper Cranes over the Volga."""
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=_test_server(), data_converter=pydantic_data_converter
    ) as env:
        queue = f"q-{uuid.uuid4()}"
        async with Worker(env.client, task_queue=queue, workflows=[FilmRightsWorkflow], activities=[project_item]):
            await env.client.start_workflow(
                FilmRightsWorkflow.run, FilmRightsInput(film=PAPER_CRANES), id=f"rights-{PAPER_CRANES.id}", task_queue=queue
            )
            yield ReleaseActivities(create_engine("sqlite://"), BlobStore(tmp_path), client=env.client), env.client


async def send(acts: ReleaseActivities, key: str, grant: RightsGrant | None = None, free: str | None = None) -> RightsReply:
    """Run the activity as a release workflow would: reserve `grant` or free the deal `free`, under `key`."""
    req = RightsRequest(film_id=grant.film_id if grant else PAPER_CRANES.id, grant=grant, release_deal_id=free, request_key=key)
    return await ActivityEnvironment().run(acts.rights_operation, req)


async def _ledger(client: Client) -> RightsLedger:
    return await client.get_workflow_handle(f"rights-{PAPER_CRANES.id}").query("ledger", result_type=RightsLedger)


async def test_reserved_refused_repeated_and_freed(running: tuple[ReleaseActivities, Client]) -> None:
    acts, client = running
    for g in (LIC_KZ, LIC_KR, LIC_CA):
        reply = await send(acts, f"reserve/{g.deal_id}", g)
        assert reply.applied and reply.message.startswith(f"{g.deal_id}: {g.licensee_name}"), reply
    again = await send(acts, "reserve/lic-kz-001", LIC_KZ)
    assert again.applied  # the activity retried: the update id counts once
    assert [g.deal_id for g in (await _ledger(client)).grants] == ["lic-kz-001", "lic-kr-001", "lic-ca-001"]

    # Arman wants theatrical in KZ in 2027: lic-kz-001 has it exclusively
    arman = licence(deal_id="lic-kz-002", licensee=ARMAN, starts_on=date(2027, 3, 1), ends_on=date(2027, 12, 31), exclusive=False)
    refused = await send(acts, "reserve/lic-kz-002", arman)
    assert not refused.applied
    assert refused.message.startswith("Deal lic-kz-001 already gives Kazakhfilm Distribution exclusive theatrical rights in KZ")
    assert "release lic-kz-001 first if that deal fell through" in refused.message

    # streaming in KR during lic-kr-001's holdback
    kr_stream = licence(deal_id="lic-kr-002", licensee=ARMAN, territories=("KR",), media=(Media.STREAMING,),
                        starts_on=date(2027, 5, 1), ends_on=date(2027, 12, 31), exclusive=False)  # fmt: skip
    held = await send(acts, "reserve/lic-kr-002", kr_stream)
    assert not held.applied and "holds back streaming and TV in KR until 2027-07-31" in held.message

    # lic-kz-001 falls through: its rights are free again, and Arman's licence now fits
    freed = await send(acts, "free/lic-kz-001", free="lic-kz-001")
    assert freed.applied and "lic-kz-001: the deal fell through" in freed.message
    assert (await _ledger(client)).availability("KZ", date(2027, 3, 1))[Media.THEATRICAL] is Availability.FREE
    now = await send(acts, "reserve/lic-kz-002", arman)  # a refused update left no trace: its key is free again
    assert now.applied
    assert (await _ledger(client)).availability("KZ", date(2027, 3, 1))[Media.THEATRICAL] is Availability.NON_EXCLUSIVE


async def test_a_licence_of_another_film_is_refused_not_failed(running: tuple[ReleaseActivities, Client]) -> None:
    acts, _ = running
    other = licence(film_id="steppe-wind")
    req = RightsRequest(film_id=PAPER_CRANES.id, grant=other, request_key="k")
    reply = await ActivityEnvironment().run(acts.rights_operation, req)
    assert not reply.applied and "licenses film steppe-wind, but this is the ledger of paper-cranes" in reply.message


async def test_a_film_without_a_rights_workflow_is_a_transport_error(running: tuple[ReleaseActivities, Client]) -> None:
    acts, _ = running
    req = RightsRequest(film_id="no-such-film", grant=licence(film_id="no-such-film"), request_key="k")
    with pytest.raises(RPCError):
        await ActivityEnvironment().run(acts.rights_operation, req)


async def test_without_a_client_the_activity_fails_to_be_retried(tmp_path: Path) -> None:
    acts = ReleaseActivities(create_engine("sqlite://"), BlobStore(tmp_path))
    with pytest.raises(RuntimeError, match="needs a Temporal client"):
        await ActivityEnvironment().run(acts.rights_operation, RightsRequest(film_id="x", release_deal_id="d", request_key="k"))
