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
