"""The board's kept views, refreshed: one short workflow per run of the `board-snapshots` Schedule.

Every minute the activity recomputes the overviews and step medians that people have opened and
that the audit log has moved past (`store.board_snapshot.refresh`), so a board page on a large
network reads one row. A run that cannot finish is not retried for long: the next minute's run
does the same work (overlap SKIP: never two at once).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.board import REFRESH_BOARD_SNAPSHOTS, RefreshReport

WORKFLOW_ID = "board-snapshots"  # the schedule appends each run's nominal time
REFRESH_TIMEOUT = timedelta(minutes=15)
HEARTBEAT = timedelta(seconds=30)
RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(seconds=30), maximum_attempts=3)


@workflow.defn(name="BoardSnapshots")
class BoardSnapshotsWorkflow:
    @workflow.run
    async def run(self) -> RefreshReport:
        return await workflow.execute_activity(
            REFRESH_BOARD_SNAPSHOTS, result_type=RefreshReport,
            start_to_close_timeout=REFRESH_TIMEOUT, heartbeat_timeout=HEARTBEAT, retry_policy=RETRY,
        )  # fmt: skip
