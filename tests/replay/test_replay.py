"""Stored histories of every workflow type replay against the current code.

A change to a workflow that running executions would notice must sit behind `workflow.patched`
(see docs/evolving-workflows.md); this test is what catches one that does not.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from services.codec import COMPRESSED_ENCODING, CompressionCodec
from workflows.registry import ALL_WORKFLOWS

# The production converter's reading side, whatever this machine's settings: payloads stored plain
# and compressed alike (the codec decodes whatever threshold wrote them).
CONVERTER = dataclasses.replace(pydantic_data_converter, payload_codec=CompressionCodec())

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def workflow_type(path: Path) -> str:
    first = json.loads(path.read_text())["events"][0]
    return first["workflowExecutionStartedEventAttributes"]["workflowType"]["name"]


def test_every_workflow_type_has_a_stored_history() -> None:
    recorded = {workflow_type(p) for p in HISTORIES}
    registered = {w.__temporal_workflow_definition.name for w in ALL_WORKFLOWS}  # type: ignore[attr-defined]
    assert registered <= recorded, f"record histories for {registered - recorded} (python -m tests.replay.record)"


def test_histories_recorded_with_compression_hold_compressed_payloads() -> None:
    """The `*-compressed` histories were stored as a production server stores them: their large
    payloads in `binary/zlib`, which the replayer reads through the production converter."""
    marker = base64.b64encode(COMPRESSED_ENCODING).decode()
    compressed = [p for p in HISTORIES if p.stem.endswith("-compressed")]
    assert len(compressed) >= 3
    for p in compressed:
        assert p.read_text().count(marker) >= 5, p.name


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_replay(path: Path) -> None:
    # the production converter: it reads payloads stored plain and compressed alike
    replayer = Replayer(workflows=ALL_WORKFLOWS, data_converter=CONVERTER)
    await replayer.replay_workflow(WorkflowHistory.from_json(path.stem, path.read_text()))
