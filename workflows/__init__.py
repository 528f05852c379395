"""Workflow definitions. `ALL_WORKFLOWS` is what a worker registers."""

from workflows.agreement import AgreementWorkflow
from workflows.credit_transfer import CreditTransferWorkflow
from workflows.student_record import StudentRecordWorkflow

ALL_WORKFLOWS = [AgreementWorkflow, CreditTransferWorkflow, StudentRecordWorkflow]
