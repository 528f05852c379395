"""Requests for the joint-program documents: what the activities render, as workflows send it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.student_record import StudentRecordState
from domain.transfer_state import CreditTransferState


class CompletionDocumentsRequest(BaseModel):
    """The final joint transcript and the dual-degree certificate of a student who completed."""

    state: StudentRecordState
    issued_at: datetime


class LearningAgreementDocumentRequest(BaseModel):
    """A credit transfer's learning agreement at its current revision."""

    state: CreditTransferState
    issued_at: datetime
