"""Names of the activities workflows call.

Workflows refer to activities by these names only, never by importing `activities/`, which keeps
the workflow sandbox free of I/O modules and the replay deterministic.
"""

COMPOSE_AGREEMENT_VERSION = "compose_agreement_version"
RENDER_EXECUTED_AGREEMENT = "render_executed_agreement"
PROJECT_AGREEMENT = "project_agreement"
PROJECT_ITEM = "project_item"  # every lifecycle but the agreement: an `ItemProjection`
NOTIFY = "notify"
LOAD_EQUIVALENCIES = "load_equivalencies"  # an institution's shared equivalency table, as it stands
SAVE_EQUIVALENCIES = "save_equivalencies"  # decisions saved for reuse, added to the shared table
FORWARD_AGREEMENT_PHASE = "forward_agreement_phase"  # an MOU's new phase, to the programs resting on it

DOCUMENTS_QUEUE_SUFFIX = "-documents"


def documents_queue_for(task_queue: str) -> str:
    """The task queue of the renders of workflows on `task_queue` (drafts, executed agreements,
    letters, learning agreements, completion documents, payment instructions). Renders are CPU work
    of a second or so each; on a queue of their own they never hold the activity slots that
    projections and mail need, and they can be served by workers on machines of their own
    (`HELIX_WORKER_SERVES=documents`; docs/operations.md)."""
    return f"{task_queue}{DOCUMENTS_QUEUE_SUFFIX}"


DOCUMENT_ACTIVITIES = (
    COMPOSE_AGREEMENT_VERSION,
    RENDER_EXECUTED_AGREEMENT,
    "render_learning_agreement",
    "render_completion_documents",
    "grant_render_letter",
    "grant_issue_payment",
    "release_render_recommendation",
)
"""Activities that workflows send to `documents_queue_for` their own queue (behind the patch
`documents-task-queue`): what a documents-only worker registers."""
