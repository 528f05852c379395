"""Temporal Schedules of the system: the weekly board digest, and the board views' refresh every minute.

`ensure_board_digest_schedule` runs at every worker start (and before the demo's first digest):
it creates the `board-digest-weekly` schedule, or brings an existing one's timing, action and
overlap policy in line with this code while keeping what operators set on it (paused, a note).
Several workers starting at once all call it: one creates, the others find it already there.

`trigger_board_digest` is the "produce it now" of the dashboard and the CLI: it runs the
schedule's action at once, under the same SKIP policy, so a digest already being made is not
made twice; `produce_board_digest` also waits for that run's result. A digest is per ISO week
(`domain.board_digest`): producing it again in a week that has one returns the same PDF.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionExecutionStartWorkflow,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from domain.board_digest import DigestResult
from settings import Settings, get_settings
from workflows.board_digest import WORKFLOW_ID, BoardDigestWorkflow
from workflows.board_snapshots import WORKFLOW_ID as SNAPSHOTS_WORKFLOW_ID
from workflows.board_snapshots import BoardSnapshotsWorkflow

log = logging.getLogger("helix.schedules")

BOARD_DIGEST_SCHEDULE_ID = "board-digest-weekly"
# Mondays 06:00 UTC ("0 6 * * 1"), as a calendar so the server describes it back the way it was given.
EVERY_MONDAY_0600_UTC = ScheduleCalendarSpec(
    day_of_week=(ScheduleRange(1),), hour=(ScheduleRange(6),), minute=(ScheduleRange(0),), second=(ScheduleRange(0),),
    comment="Mondays 06:00 UTC: the board's weekly digest",
)  # fmt: skip
# A run caught up after an outage of up to a day still makes Monday's digest; a longer outage
# skips the missed weeks instead of producing them all at once when the server comes back.
CATCHUP_WINDOW = timedelta(days=1)
RUN_TIMEOUT = timedelta(hours=6)  # a stuck run ends well before next week's would be skipped
BOARD_SNAPSHOTS_SCHEDULE_ID = "board-snapshots"
SNAPSHOTS_EVERY = timedelta(minutes=1)
SNAPSHOTS_RUN_TIMEOUT = timedelta(minutes=20)


def board_digest_schedule(settings: Settings) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            BoardDigestWorkflow.run, id=WORKFLOW_ID, task_queue=settings.task_queue, execution_timeout=RUN_TIMEOUT
        ),
        spec=ScheduleSpec(calendars=[EVERY_MONDAY_0600_UTC]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=CATCHUP_WINDOW),
    )


def _definition(s: Schedule) -> tuple[object, ...]:
    """What this code decides about the schedule (not its state: paused, notes, remaining runs)."""
    a = s.action
    action = (a.workflow, a.id, a.task_queue, a.execution_timeout) if isinstance(a, ScheduleActionStartWorkflow) else (a,)
    spec = (tuple(s.spec.calendars), tuple(s.spec.cron_expressions), tuple(s.spec.intervals), s.spec.time_zone_name)
    return (*action, spec, s.policy.overlap, s.policy.catchup_window)


def board_snapshots_schedule(settings: Settings) -> Schedule:
    """Every minute, the board's kept views are brought up to date (workflows/board_snapshots.py).
    No catch-up: after an outage one run does it all."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            BoardSnapshotsWorkflow.run, id=SNAPSHOTS_WORKFLOW_ID, task_queue=settings.task_queue,
            execution_timeout=SNAPSHOTS_RUN_TIMEOUT,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=SNAPSHOTS_EVERY)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=SNAPSHOTS_EVERY),
    )


async def ensure_board_digest_schedule(client: Client, settings: Settings) -> None:
    """Create the weekly digest's schedule, or update an existing one to this definition. Idempotent."""
    await _ensure(client, BOARD_DIGEST_SCHEDULE_ID, board_digest_schedule(settings))


async def ensure_board_snapshots_schedule(client: Client, settings: Settings) -> None:
    """Create the board views' refresh schedule, or update an existing one to this definition."""
    await _ensure(client, BOARD_SNAPSHOTS_SCHEDULE_ID, board_snapshots_schedule(settings))


async def _ensure(client: Client, schedule_id: str, desired: Schedule) -> None:
    try:
        await client.create_schedule(schedule_id, desired)
        log.info("created schedule %s", schedule_id)
        return
    except ScheduleAlreadyRunningError:
        pass

    def in_line(inp: ScheduleUpdateInput) -> ScheduleUpdate | None:
        current = inp.description.schedule
        if _definition(current) == _definition(desired):
            return None  # nothing to change: the usual case, and no write
        log.info("updating schedule %s to this version's definition", schedule_id)
        return ScheduleUpdate(
            schedule=Schedule(action=desired.action, spec=desired.spec, policy=desired.policy, state=current.state)
        )

    await client.get_schedule_handle(schedule_id).update(in_line)


async def trigger_board_digest(client: Client, settings: Settings | None = None) -> None:
    """Run the weekly digest's action now (skipped if a digest run is under way: that run makes it).
    Creates the schedule first (for `settings`' task queue, this process's by default) if no worker has yet."""
    handle = client.get_schedule_handle(BOARD_DIGEST_SCHEDULE_ID)
    try:
        await handle.trigger()
    except RPCError as e:
        if e.status != RPCStatusCode.NOT_FOUND:
            raise
        await ensure_board_digest_schedule(client, settings or get_settings())
        await handle.trigger()


def _run_key(action: object) -> tuple[str, str]:
    """A run the schedule started: two triggers in the same second share the workflow id, not the run."""
    if isinstance(action, ScheduleActionExecutionStartWorkflow):
        return action.workflow_id, action.first_execution_run_id
    return "", ""


class DigestNotStarted(Exception):
    """The schedule did not start a run in time (is the server's scheduler unwell?)."""


async def produce_board_digest(
    client: Client, settings: Settings | None = None, *, start_within: timedelta = timedelta(seconds=30)
) -> DigestResult:
    """Trigger the digest and wait for its result: the run just started, or the one already under way."""
    handle = client.get_schedule_handle(BOARD_DIGEST_SCHEDULE_ID)
    run: ScheduleActionExecutionStartWorkflow | None = None
    try:
        info = (await handle.describe()).info
    except RPCError as e:
        if e.status != RPCStatusCode.NOT_FOUND:
            raise
        seen: set[tuple[str, str]] = set()
    else:
        running = [a for a in info.running_actions if isinstance(a, ScheduleActionExecutionStartWorkflow)]
        run = running[0] if running else None
        seen = {_run_key(r.action) for r in info.recent_actions}
    if run is None:
        await trigger_board_digest(client, settings)
        deadline = time.monotonic() + start_within.total_seconds()
        while run is None:
            info = (await handle.describe()).info
            fresh = [r.action for r in info.recent_actions
                     if isinstance(r.action, ScheduleActionExecutionStartWorkflow) and _run_key(r.action) not in seen]  # fmt: skip
            if fresh:
                run = fresh[-1]
            elif time.monotonic() > deadline:
                raise DigestNotStarted(f"the schedule {BOARD_DIGEST_SCHEDULE_ID} started no run within {start_within}")
            else:
                await asyncio.sleep(0.25)
    wf = client.get_workflow_handle_for(BoardDigestWorkflow.run, run.workflow_id, run_id=run.first_execution_run_id)
    return await wf.result()


__all__ = [
    "BOARD_DIGEST_SCHEDULE_ID",
    "BOARD_SNAPSHOTS_SCHEDULE_ID",
    "DigestNotStarted",
    "board_digest_schedule",
    "board_snapshots_schedule",
    "ensure_board_digest_schedule",
    "ensure_board_snapshots_schedule",
    "produce_board_digest",
    "trigger_board_digest",
]
