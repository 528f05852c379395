"""Names of the joint-program document activities (see `activities/program_documents.py`)."""

RENDER_COMPLETION_DOCUMENTS = "render_completion_documents"
RENDER_LEARNING_AGREEMENT = "render_learning_agreement"
