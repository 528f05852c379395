"""Workflow definitions. `ALL_WORKFLOWS` is what a worker registers."""

from workflows.agreement import AgreementWorkflow

ALL_WORKFLOWS = [AgreementWorkflow]
