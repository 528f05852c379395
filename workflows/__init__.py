"""Workflow definitions, one module each; `workflows.registry.ALL_WORKFLOWS` is what a worker
registers. Keep this file free of imports: the sandbox runs it for every execution it starts."""
