"""Joint-program activities: the shared equivalency tables, and MOU phase changes passed on.

`load_equivalencies` reads an institution's table as it stands when a credit transfer starts;
`save_equivalencies` adds the decisions a department saved for reuse (an upsert by natural key, so
a retry adds nothing). `forward_agreement_phase` tells every running student record of a program
resting on an MOU that the MOU moved on; the record ignores a phase it already knows, so a retried
activity or a repeated signal changes nothing.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Engine, select
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError

from domain import activity_names as act
from domain.catalogs import EquivalencyTable
from domain.program_records import AgreementPhaseChanged, SaveEquivalencies
from domain.student_record import MouChange
from store import programs
from store.db import reading
from store.models import ItemRow

log = logging.getLogger("helix.activities")
ITEM = ItemRow.__table__


def running_records(engine: Engine, program_ids: list[str]) -> list[str]:
    """Workflow ids of the student records of these programs that have not completed."""
    if not program_ids:
        return []
    q = select(ITEM.c.item_id).where(ITEM.c.item_type == "student", ITEM.c.kind.in_(program_ids), ITEM.c.closed_at.is_(None))
    with reading(engine) as conn:
        return [r.item_id for r in conn.execute(q.order_by(ITEM.c.item_id))]


class ProgramActivities:
    def __init__(self, engine: Engine, client: Client | None = None) -> None:
        self.engine = engine
        self.client = client

    @activity.defn(name=act.LOAD_EQUIVALENCIES)
    async def load_equivalencies(self, institution_id: str) -> EquivalencyTable:
        return await asyncio.to_thread(programs.equivalency_table, self.engine, institution_id)

    @activity.defn(name=act.SAVE_EQUIVALENCIES)
    async def save_equivalencies(self, req: SaveEquivalencies) -> int:
        return await asyncio.to_thread(programs.save_equivalencies, self.engine, req.entries, req.source)

    @activity.defn(name=act.FORWARD_AGREEMENT_PHASE)
    async def forward_agreement_phase(self, change: AgreementPhaseChanged) -> int:
        """Signal each running record; one that finished meanwhile is skipped. Returns how many heard it."""
        if self.client is None:
            raise RuntimeError("forward_agreement_phase needs a Temporal client")
        ids = await asyncio.to_thread(programs.programs_on_agreement, self.engine, change.agreement_workflow_id)
        told = 0
        for wid in await asyncio.to_thread(running_records, self.engine, ids):
            try:
                await self.client.get_workflow_handle(wid).signal("mou_changed", MouChange(phase=change.phase))
                told += 1
            except RPCError as e:
                if "not found" in str(e).lower() or "completed" in str(e).lower():
                    log.info("student record %s has finished; not told of %s", wid, change.phase)
                    continue
                raise
            activity.heartbeat(wid)
        return told
