"""The audit log: append-only and hash-chained, so an edited, removed or reordered row shows.

Every timeline event the workflows record (each accepted human action and each system step), every
sign-in, failed sign-in, lockout and sign-out, and every action a validator refused, becomes one
row. Each row carries the hash of the row before it and its own hash over its content and that
link, like a ledger's pages:

    hash(n) = sha256(canonical JSON of [seq, at, category, item_id, item_seq, actor_id, kind, detail, prev_hash])

Rows are numbered 1, 2, 3, … without gaps. `verify` recomputes the chain and names each row whose
content no longer matches its hash (edited), each gap in the numbering (removed) and each row that
does not follow the one before it (reordered or removed). The database also refuses UPDATE and
DELETE on the table with triggers, so only someone who drops them can change history — and then
`verify` tells. Removing rows from the end cannot be seen from inside the table alone; the chain's
head (`head`) is printed by `helix audit verify`, so a head hash kept elsewhere (the weekly board
digest prints it) pins everything before it.

Appending takes the chain's tail under a lock: SQLite's write transactions are serial already;
PostgreSQL takes a transaction-level advisory lock, so concurrent projections append in turn.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlalchemy import DDL, Connection, Engine, event, select, text

from store.db import reading, transaction
from store.models import AuditRow

AUDIT = AuditRow.__table__
GENESIS = "0" * 64
_PG_LOCK_KEY = 0x48454C4958  # "HELIX": the advisory lock that serialises appends on PostgreSQL
MAX_DETAIL = 2_000


class AuditEntry(BaseModel):
    """What is appended; the store numbers, links and hashes it."""

    at: datetime
    category: str = Field(description="'event', 'sign_in', 'sign_in_failed', 'locked', 'sign_out', 'refused'")
    kind: str
    item_id: str | None = None
    item_seq: int | None = None
    actor_id: str | None = None
    detail: str = ""


class AuditProblem(BaseModel):
    seq: int
    what: str


class AuditReport(BaseModel):
    rows: int
    head_seq: int
    head_hash: str
    problems: list[AuditProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _iso(at: datetime) -> str:
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def row_hash(seq: int, at: datetime, category: str, item_id: str | None, item_seq: int | None, actor_id: str | None,
             kind: str, detail: str, prev_hash: str) -> str:  # fmt: skip
    body = json.dumps([seq, _iso(at), category, item_id, item_seq, actor_id, kind, detail, prev_hash], ensure_ascii=False,
                      separators=(",", ":"))  # fmt: skip
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append_in(conn: Connection, entries: Sequence[AuditEntry]) -> int:
    """Append entries inside the caller's transaction; events already logged (same item and seq,
    e.g. when an item is rebuilt from its workflow) are not logged twice. Returns rows written."""
    if not entries:
        return 0
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    wanted = list(entries)
    logged = {(e.item_id, e.item_seq) for e in wanted if e.item_seq is not None}
    if logged:
        ids = sorted({i for i, _ in logged if i})
        query = select(AUDIT.c.item_id, AUDIT.c.item_seq).where(AUDIT.c.item_id.in_(ids), AUDIT.c.category == "event")
        have = {(i, n) for i, n in conn.execute(query)}
        wanted = [e for e in wanted if e.category != "event" or (e.item_id, e.item_seq) not in have]
    if not wanted:
        return 0
    tail = conn.execute(select(AUDIT.c.seq, AUDIT.c.hash).order_by(AUDIT.c.seq.desc()).limit(1)).first()
    seq, prev = (tail[0], tail[1]) if tail else (0, GENESIS)
    rows = []
    for e in wanted:
        seq += 1
        detail = e.detail[:MAX_DETAIL]
        h = row_hash(seq, e.at, e.category, e.item_id, e.item_seq, e.actor_id, e.kind, detail, prev)
        rows.append({"seq": seq, "at": e.at, "category": e.category, "item_id": e.item_id, "item_seq": e.item_seq,
                     "actor_id": e.actor_id, "kind": e.kind, "detail": detail, "prev_hash": prev, "hash": h})  # fmt: skip
        prev = h
    conn.execute(AUDIT.insert(), rows)
    return len(rows)


def append(engine: Engine, entries: Iterable[AuditEntry]) -> int:
    with transaction(engine) as conn:
        return append_in(conn, list(entries))


def backfill_from_events(engine: Engine) -> int:
    """Start the chain from the timeline when the log is empty but events exist (a read model from
    before the audit log): every stored event in time order. Returns the rows written."""
    from store.models import EventRow

    ev = EventRow.__table__
    with reading(engine) as conn:
        if conn.execute(select(AUDIT.c.seq).limit(1)).first() is not None or conn.execute(select(ev.c.seq).limit(1)).first() is None:
            return 0
        rows = conn.execute(select(ev).order_by(ev.c.at, ev.c.item_id, ev.c.seq)).mappings().all()
    entries = [AuditEntry(at=r["at"], category="event", kind=r["kind"], item_id=r["item_id"], item_seq=r["seq"],
                          actor_id=r["actor_id"], detail=r["detail"] or "") for r in rows]  # fmt: skip
    written = 0
    for start in range(0, len(entries), 5_000):
        written += append(engine, entries[start : start + 5_000])
    return written


def verify(engine: Engine) -> AuditReport:
    """Walk the whole chain; every problem names the row it was found at."""
    problems: list[AuditProblem] = []
    expected_seq, prev_hash, rows = 1, GENESIS, 0
    head_seq, head_hash = 0, GENESIS
    with reading(engine) as conn:
        result = conn.execution_options(yield_per=5_000).execute(select(AUDIT).order_by(AUDIT.c.seq))
        for r in result.mappings():
            rows += 1
            seq = r["seq"]
            if seq != expected_seq:
                missing = f"row {expected_seq}" if seq == expected_seq + 1 else f"rows {expected_seq} to {seq - 1}"
                problems.append(AuditProblem(seq=expected_seq, what=f"{missing} removed: the numbering jumps from {expected_seq - 1} to {seq}"))
            own = row_hash(seq, r["at"], r["category"], r["item_id"], r["item_seq"], r["actor_id"], r["kind"], r["detail"],
                           r["prev_hash"])  # fmt: skip
            if own != r["hash"]:
                problems.append(AuditProblem(seq=seq, what=f"row {seq} was edited or moved: its content does not match its hash"))
            elif r["prev_hash"] != prev_hash and seq == expected_seq:
                problems.append(AuditProblem(seq=seq, what=f"row {seq} does not follow row {seq - 1}: rows were reordered or replaced"))
            expected_seq, prev_hash = seq + 1, r["hash"]
            head_seq, head_hash = seq, r["hash"]
    return AuditReport(rows=rows, head_seq=head_seq, head_hash=head_hash, problems=problems)


def head(engine: Engine) -> tuple[int, str]:
    with reading(engine) as conn:
        tail = conn.execute(select(AUDIT.c.seq, AUDIT.c.hash).order_by(AUDIT.c.seq.desc()).limit(1)).first()
    return (tail[0], tail[1]) if tail else (0, GENESIS)


def tail(engine: Engine, n: int = 50) -> list[dict[str, object]]:
    with reading(engine) as conn:
        rows = conn.execute(select(AUDIT).order_by(AUDIT.c.seq.desc()).limit(n)).mappings().all()
    return [dict(r) for r in reversed(rows)]


# ---------------------------------------------------------------- append-only, enforced by the database

_SQLITE_GUARDS = [
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
]
_PG_GUARDS = [
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
    "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
]


def guard_statements(dialect: str) -> list[str]:
    """The DDL that makes the table append-only on this database (used by create_all and migrations)."""
    return list(_PG_GUARDS if dialect == "postgresql" else _SQLITE_GUARDS)


def _guard(target: object, connection: Connection, **_: object) -> None:
    for statement in guard_statements(connection.dialect.name):
        connection.execute(DDL(statement))


event.listen(AUDIT, "after_create", _guard)
