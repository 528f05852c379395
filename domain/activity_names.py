"""Names of the activities workflows call.

Workflows refer to activities by these names only, never by importing `activities/`, which keeps
the workflow sandbox free of I/O modules and the replay deterministic.
"""

COMPOSE_AGREEMENT_VERSION = "compose_agreement_version"
RENDER_EXECUTED_AGREEMENT = "render_executed_agreement"
PROJECT_AGREEMENT = "project_agreement"
PROJECT_ITEM = "project_item"  # every lifecycle but the agreement: an `ItemProjection`
NOTIFY = "notify"
