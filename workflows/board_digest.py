"""The weekly board digest: one short workflow per run of the `board-digest-weekly` Schedule.

The workflow only fixes *when* the digest is of and *which week* it is; the activity reads the
figures, renders and records. The moment is the schedule's nominal time when a schedule started
the run (so a run the schedule caught up on after an outage is still Monday 06:00's digest), else
the workflow's own start; both come from the history, so replay sees the same moment.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from domain.board_digest import RENDER_BOARD_DIGEST, DigestRequest, DigestResult, digest_id_for

WORKFLOW_ID = "board-digest"  # the schedule appends each run's nominal time
RENDER_TIMEOUT = timedelta(minutes=10)
HEARTBEAT = timedelta(seconds=30)
# A bounded retry: a digest that cannot be made in an hour or so is a fault for a person to look
# at, and a run that is still retrying would make the schedule skip the next week's (overlap SKIP).
RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), backoff_coefficient=2.0,
                    maximum_interval=timedelta(minutes=10), maximum_attempts=10)  # fmt: skip

# Set by the Temporal server on every workflow a schedule starts.
SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")


def digest_moment(info: workflow.Info) -> datetime:
    """The schedule's nominal start time, or the workflow's start when started by hand."""
    return info.typed_search_attributes.get(SCHEDULED_START) or info.workflow_start_time


@workflow.defn(name="BoardDigest")
class BoardDigestWorkflow:
    @workflow.run
    async def run(self) -> DigestResult:
        moment = digest_moment(workflow.info())
        req = DigestRequest(digest_id=digest_id_for(moment), as_of=moment)
        return await workflow.execute_activity(
            RENDER_BOARD_DIGEST, req, result_type=DigestResult,
            start_to_close_timeout=RENDER_TIMEOUT, heartbeat_timeout=HEARTBEAT, retry_policy=RETRY,
        )  # fmt: skip
