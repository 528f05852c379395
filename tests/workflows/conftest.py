from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.agreements import AgreementKind, AgreementSpec, PartySpec, SigningMode
from domain.human_steps import ReminderPolicy
from domain.parties import PersonRef
from settings import Settings, installed_binary
from tests.workflows.fakes import FakeActivities, serving


def test_server_path() -> str:
    path = installed_binary("temporal-test-server")
    if not path:
        pytest.fail("temporal-test-server is not installed; run the README's test command")
    return path


# The production converter (payloads of 2 KiB and more compressed, nothing encrypted), whatever
# this machine's settings: the workflows' states, projections and documents' requests travel as
# they do in production.
CONVERTER = Settings(payload_key=None, payload_compress_bytes=2048).data_converter()


@contextlib.asynccontextmanager
async def time_skipping(converter: DataConverter = CONVERTER) -> AsyncIterator[WorkflowEnvironment]:
    """A fresh time-skipping server whose client converts with `converter`."""
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server_path(), data_converter=converter
    ) as e:
        yield e


@pytest_asyncio.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh time-skipping server per test (0.1 s to start): workflows a finished test leaves
    running would otherwise hold pending tasks that stop time from skipping in the next one."""
    async with time_skipping() as e:
        yield e


@pytest_asyncio.fixture
async def worker(env: WorkflowEnvironment) -> AsyncIterator[tuple[Worker, FakeActivities, str]]:
    fakes = FakeActivities(client=env.client)
    queue = f"q-{uuid.uuid4()}"
    async with serving(env.client, queue, fakes.all()) as w:
        yield w, fakes, queue


def person(pid: str, org: str | None = None, title: str = "") -> PersonRef:
    return PersonRef(id=pid, name=pid.replace("-", " ").title(), email=f"{pid}@example.org", title=title, organisation_id=org)


def party(org: str, country: str, group: int = 0, approvals: int = 1) -> PartySpec:
    return PartySpec(
        organisation_id=org,
        names={"en": f"{org.upper()} Film Body", "ko": f"{org} 영화기관"},
        country=country,
        approvers=[person(f"{org}-approver", org), person(f"{org}-approver2", org)],
        approvals_required=approvals,
        signatories=[person(f"{org}-signer", org, "Director"), person(f"{org}-deputy", org, "Deputy Director")],
        signing_group=group,
        liaison=person(f"{country.lower()}-liaison"),
    )


def spec(mode: SigningMode = SigningMode.PARALLEL, parties: int = 3, **kw: object) -> AgreementSpec:
    countries = ["KR", "CN", "RU", "KZ", "UZ", "IN", "PK", "IR", "BY", "KG", "TJ"]
    data = dict(
        id=f"mou-{uuid.uuid4().hex[:8]}",
        kind=AgreementKind.CO_PRODUCTION,
        title="Co-production cooperation MOU",
        languages=["en", "ko"],
        variables={},
        parties=[party(f"org{i}", countries[i % len(countries)], group=i // 2) for i in range(parties)],
        initiator=person("initiator"),
        signing_mode=mode,
        review_days=10,
        reminders=ReminderPolicy(),
        board=[person("board-chair")],
    )
    data.update(kw)
    return AgreementSpec.model_validate(data)
