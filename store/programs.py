"""Joint programs and equivalency tables: the reference data credit transfers are decided against.

A program's definition (program, catalogs, roster) is what coordinators maintain; each student
record receives a snapshot of it at enrolment, so a later edit never changes a decision already
taken. Equivalency tables are shared by every student of an institution: entries coordinators add
and decisions a department saved for reuse. Writes are upserts by a natural key, so the activity
that saves a decision can be retried freely.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, select

from domain.catalogs import Catalog, Equivalency, EquivalencyTable, code_key
from domain.programs import JointProgram
from domain.transfer_state import ProgramRoster
from store.db import dialect_insert, reading, transaction
from store.models import EquivalencyRow, ProgramRow, utcnow

PROGRAM = ProgramRow.__table__
EQUIVALENCY = EquivalencyRow.__table__


class ProgramDefinition(BaseModel):
    """A program as stored: what a student record needs besides the student."""

    program: JointProgram
    catalogs: dict[str, Catalog]
    roster: ProgramRoster


PROGRAM_FILE = "program file"  # the source of entries a program file gives


def save_program(engine: Engine, d: ProgramDefinition, entries: Iterable[Equivalency] = ()) -> None:
    """Store a program and the equivalencies its file gives, in one transaction. Entries the file
    gave before are updated (a corrected target or an end date); saved decisions are not touched."""
    values: dict[str, Any] = {
        "id": d.program.id,
        "agreement_id": d.program.agreement_id,
        "title": d.program.name()[:300],
        "definition": d.model_dump(mode="json"),
        "updated_at": utcnow(),
    }
    with transaction(engine) as conn:
        stmt = dialect_insert(conn, PROGRAM).values(values)
        conn.execute(stmt.on_conflict_do_update(index_elements=[PROGRAM.c.id], set_={k: stmt.excluded[k] for k in values if k != "id"}))
        for e in entries:
            row = {"key": equivalency_key(e), "institution_id": e.home_institution_id, "entry": e.model_dump(mode="json"),
                   "source": PROGRAM_FILE, "saved_at": utcnow()}  # fmt: skip
            ins = dialect_insert(conn, EQUIVALENCY).values(row)
            conn.execute(ins.on_conflict_do_update(index_elements=[EQUIVALENCY.c.key], set_={"entry": ins.excluded.entry},
                                                   where=EQUIVALENCY.c.source == PROGRAM_FILE))  # fmt: skip


def get_program(engine: Engine, program_id: str) -> ProgramDefinition | None:
    with reading(engine) as conn:
        row = conn.execute(select(PROGRAM.c.definition).where(PROGRAM.c.id == program_id)).first()
    return None if row is None else ProgramDefinition.model_validate(row.definition)


def list_programs(engine: Engine) -> list[ProgramDefinition]:
    with reading(engine) as conn:
        rows = conn.execute(select(PROGRAM.c.definition).order_by(PROGRAM.c.id)).all()
    return [ProgramDefinition.model_validate(r.definition) for r in rows]


def programs_on_agreement(engine: Engine, agreement_workflow_id: str) -> list[str]:
    """Ids of the programs resting on an MOU (by the MOU's workflow id)."""
    with reading(engine) as conn:
        rows = conn.execute(select(PROGRAM.c.id).where(PROGRAM.c.agreement_id == agreement_workflow_id)).all()
    return [r.id for r in rows]


def equivalency_key(e: Equivalency) -> str:
    """Which entry this is: the same partner course taking effect the same day at the same home is one entry."""
    raw = "|".join([e.home_institution_id, e.partner_institution_id, code_key(e.partner_course_code), e.effective_from.isoformat()])
    return hashlib.sha256(raw.encode()).hexdigest()


def save_equivalencies(engine: Engine, entries: Iterable[Equivalency], source: str) -> int:
    """Add entries to their institutions' tables; an entry already there (same key) is left as it
    was, so a retry or a second save of the same decision changes nothing. Returns how many were new."""
    added = 0
    with transaction(engine) as conn:
        for e in entries:
            values = {"key": equivalency_key(e), "institution_id": e.home_institution_id,
                      "entry": e.model_dump(mode="json"), "source": source[:200], "saved_at": utcnow()}  # fmt: skip
            stmt = dialect_insert(conn, EQUIVALENCY).values(values).on_conflict_do_nothing(index_elements=[EQUIVALENCY.c.key])
            added += len(conn.execute(stmt.returning(EQUIVALENCY.c.key)).all())
    return added


def equivalency_table(engine: Engine, institution_id: str) -> EquivalencyTable:
    """The institution's table as it stands, oldest entry first (a later entry wins a tie in lookups)."""
    with reading(engine) as conn:
        rows = conn.execute(
            select(EQUIVALENCY.c.entry).where(EQUIVALENCY.c.institution_id == institution_id).order_by(EQUIVALENCY.c.saved_at, EQUIVALENCY.c.key)
        ).all()
    return EquivalencyTable(institution_id=institution_id, entries=tuple(Equivalency.model_validate(r.entry) for r in rows))


def equivalency_rows(engine: Engine, institution_id: str | None = None) -> list[tuple[Equivalency, str]]:
    """Entries with where they came from, for the coordinators' page."""
    q = select(EQUIVALENCY.c.entry, EQUIVALENCY.c.source).order_by(EQUIVALENCY.c.institution_id, EQUIVALENCY.c.saved_at)
    if institution_id is not None:
        q = q.where(EQUIVALENCY.c.institution_id == institution_id)
    with reading(engine) as conn:
        rows = conn.execute(q).all()
    return [(Equivalency.model_validate(r.entry), r.source) for r in rows]
