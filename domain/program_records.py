"""What the joint-program workflows ask of the reference data, as activity contracts.

The shared equivalency tables and the programs resting on an MOU live in SQL (`store.programs`);
workflows reach them only through these activities, so their histories record what was read.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.agreements import Phase
from domain.catalogs import Equivalency


class SaveEquivalencies(BaseModel):
    """Decisions a department saved for reuse on `source` (a credit transfer request)."""

    entries: list[Equivalency] = Field(max_length=200)
    source: str = Field(min_length=1, max_length=200)


class AgreementPhaseChanged(BaseModel):
    """An MOU moved to `phase`: every student record of a program resting on it hears of it."""

    agreement_workflow_id: str = Field(min_length=1, max_length=200)
    phase: Phase
