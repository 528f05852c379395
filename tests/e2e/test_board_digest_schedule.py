"""The weekly digest's Temporal Schedule on the real dev server (the test server has no schedules).

Creating it is idempotent (workers that start together, and again); an existing schedule is
brought in line with the code while what an operator set (paused, a note) stays; triggering it
runs the real workflow and activity, and a second trigger in the same week returns the same digest.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import Client, Schedule, ScheduleActionStartWorkflow, ScheduleOverlapPolicy, ScheduleUpdate
from temporalio.testing import WorkflowEnvironment

from domain.board_digest import DIGEST_ITEM_ID, DIGEST_KIND, digest_id_for
from services.schedules import (
    BOARD_DIGEST_SCHEDULE_ID,
    BOARD_SNAPSHOTS_SCHEDULE_ID,
    ensure_board_digest_schedule,
    ensure_board_snapshots_schedule,
    produce_board_digest,
    trigger_board_digest,
)
from settings import Settings
from store import board_snapshot, queries
from store.blobs import BlobStore
from store.board_snapshot import WHOLE_NETWORK
from store.db import init_db, make_engine
from worker import serving
from workflows.board_digest import SCHEDULED_START

pytestmark = pytest.mark.e2e


def settings_for(tmp: Path) -> Settings:
    return Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'helix.db'}", task_queue="helix-e2e-digest")


async def schedule_ids(client: Client) -> list[str]:
    return [s.id async for s in await client.list_schedules()]


async def test_ensuring_the_schedule_twice_leaves_one(dev: WorkflowEnvironment, tmp_path: Path) -> None:
    s = settings_for(tmp_path)
    await asyncio.gather(*(ensure_board_digest_schedule(dev.client, s) for _ in range(3)))  # workers starting together
    await ensure_board_digest_schedule(dev.client, s)  # and one restarting later
    for _ in range(100):  # the schedule list is read from visibility, which trails a little
        ids = await schedule_ids(dev.client)
        if ids:
            break
        await asyncio.sleep(0.1)
    assert ids == [BOARD_DIGEST_SCHEDULE_ID]

    desc = await dev.client.get_schedule_handle(BOARD_DIGEST_SCHEDULE_ID).describe()
    action = desc.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert (action.workflow, action.id, action.task_queue) == ("BoardDigest", "board-digest", s.task_queue)
    assert desc.schedule.policy.overlap is ScheduleOverlapPolicy.SKIP
    (monday,) = desc.schedule.spec.calendars
    assert [(r.start, r.end) for r in monday.day_of_week] == [(1, 1)]
    assert [(r.start, r.end) for r in monday.hour] == [(6, 6)] and [(r.start, r.end) for r in monday.minute] == [(0, 0)]
    upcoming = desc.info.next_action_times[0]
    assert (upcoming.weekday(), upcoming.hour, upcoming.minute, upcoming.utcoffset()) == (0, 6, 0, timedelta(0))


async def test_an_existing_schedule_is_brought_in_line_and_keeps_its_pause(dev: WorkflowEnvironment, tmp_path: Path) -> None:
    s = settings_for(tmp_path)
    await ensure_board_digest_schedule(dev.client, s)
    handle = dev.client.get_schedule_handle(BOARD_DIGEST_SCHEDULE_ID)
    await handle.pause(note="paused by the operator for the holidays")

    def elsewhere(inp):  # type: ignore[no-untyped-def]
        sched = inp.description.schedule
        assert isinstance(sched.action, ScheduleActionStartWorkflow)
        sched.action.task_queue = "an-old-queue"
        return ScheduleUpdate(schedule=Schedule(action=sched.action, spec=sched.spec, policy=sched.policy, state=sched.state))

    await handle.update(elsewhere)
    await ensure_board_digest_schedule(dev.client, s)
    desc = await handle.describe()
    assert isinstance(desc.schedule.action, ScheduleActionStartWorkflow)
    assert desc.schedule.action.task_queue == s.task_queue
    assert desc.schedule.state.paused and desc.schedule.state.note == "paused by the operator for the holidays"


async def test_triggering_makes_one_digest_a_week(dev: WorkflowEnvironment, tmp_path: Path) -> None:
    s = settings_for(tmp_path)
    engine = make_engine(s.resolved_database_url)
    init_db(engine)
    async with serving(dev.client, s):
        first = await asyncio.wait_for(produce_board_digest(dev.client, s), 120)  # creates the schedule if missing
        again = await asyncio.wait_for(produce_board_digest(dev.client, s), 120)
        await trigger_board_digest(dev.client, s)  # the dashboard's button: no wait
    assert again == first
    assert BlobStore(s.documents_dir).get(first.sha256).startswith(b"%PDF")
    assert [d.sha256 for d in queries.documents_for(engine, DIGEST_ITEM_ID) if d.kind == DIGEST_KIND] == [first.sha256]

    desc = await dev.client.get_schedule_handle(BOARD_DIGEST_SCHEDULE_ID).describe()
    runs = [r.action.workflow_id for r in desc.info.recent_actions]
    assert len(runs) >= 2 and all(w.startswith("board-digest-") for w in runs)
    nominal = [(await dev.client.get_workflow_handle(w).describe()).typed_search_attributes.get(SCHEDULED_START) for w in runs]
    assert first.as_of in nominal  # the digest is of the schedule's nominal time
    assert {digest_id_for(n) for n in nominal if n is not None} == {first.digest_id}


async def test_the_board_views_refresh_every_minute(dev: WorkflowEnvironment, tmp_path: Path) -> None:
    """The `board-snapshots` schedule: every minute, never two at once; a run keeps the whole
    network's overview ready in the read model."""
    s = settings_for(tmp_path)
    engine = make_engine(s.resolved_database_url)
    init_db(engine)
    await asyncio.gather(*(ensure_board_snapshots_schedule(dev.client, s) for _ in range(2)))
    handle = dev.client.get_schedule_handle(BOARD_SNAPSHOTS_SCHEDULE_ID)
    desc = await handle.describe()
    assert isinstance(desc.schedule.action, ScheduleActionStartWorkflow)
    assert (desc.schedule.action.workflow, desc.schedule.action.task_queue) == ("BoardSnapshots", s.task_queue)
    assert [i.every for i in desc.schedule.spec.intervals] == [timedelta(minutes=1)]
    assert desc.schedule.policy.overlap is ScheduleOverlapPolicy.SKIP

    async with serving(dev.client, s):
        await handle.trigger()
        for _ in range(600):
            desc = await handle.describe()
            if desc.info.recent_actions:
                break
            await asyncio.sleep(0.1)
        run = desc.info.recent_actions[-1].action
        report = await dev.client.get_workflow_handle(run.workflow_id, run_id=run.first_execution_run_id).result()
    assert report["refreshed"] == 1  # the whole network's overview, made ready before anyone asks
    kept = board_snapshot.overview(engine, WHOLE_NETWORK)
    assert kept.current and kept.value.scope_label == "the whole network"
