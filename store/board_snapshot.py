"""The board's views kept per scope, so a page at 100,000 items reads one row.

The overview and the step medians aggregate the whole read model (`store.board`): at 100,000
items that is about a second of SQL per view and scope (bench/board.py), too slow for a page that
refreshes itself every 30 seconds. Each view a person opens is computed once for their scope and
kept in `board_snapshot` with the audit log's head at the time (`version`: every projected event
appends to the audit log in the same transaction) and how long it took (`compute_ms`).

Reading a view (`overview`, `step_medians`):

- a kept view whose version is the audit log's head, and younger than `STALE_AFTER` (open steps
  age and fall overdue with the clock alone), is served as it is;
- otherwise, when the last computation took under `LIVE_UNDER_MS` — a network of a few thousand
  items — it is computed again at once, so small networks are always live;
- otherwise the kept view is served, marked with its time, and the `board-snapshots` Schedule
  (every minute, `refresh`) recomputes it in the background: on a large network the figures are
  at most a minute or two behind;
- a view never computed before is computed at once.

A past day's view (`as_of`) is kept the same way. `refresh` skips views nobody opened for
`KEEP_VIEWED` and deletes them; the whole network's overview is always kept ready.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import Connection, Engine, delete, func, select, update

from domain.board import Lifecycle, Overview, RefreshReport, Scope, StepMedian
from store import board
from store.db import dialect_insert, reading, transaction
from store.models import AuditRow, BoardSnapshotRow, utcnow

SNAPSHOT = BoardSnapshotRow.__table__
AUDIT = AuditRow.__table__

STALE_AFTER = timedelta(minutes=5)
LIVE_UNDER_MS = 250.0
KEEP_VIEWED = timedelta(days=14)
TOUCH_EVERY = timedelta(hours=1)  # `viewed_at` is written at most this often per view, not on every read
PAST_DAYS_REFRESHED_FOR = timedelta(hours=1)  # a past day's view is refreshed in the background while looked at

OVERVIEW = "overview"
MEDIANS = ("medians:country", "medians:organisation")
WHOLE_NETWORK = Scope(label="the whole network", lifecycles=frozenset(Lifecycle), everything=True)

T = TypeVar("T")
_MEDIANS = TypeAdapter(list[StepMedian])


@dataclass(frozen=True)
class Kept(Generic[T]):
    """A view as served: its figures, when they were read, and whether they are the latest."""

    value: T
    computed_at: datetime
    current: bool  # False: served while the background refresh catches up


def scope_json(scope: Scope) -> str:
    """The scope as canonical JSON (sets sorted: a frozenset's order differs between processes)."""
    return json.dumps(
        {"label": scope.label, "lifecycles": sorted(scope.lifecycles), "everything": scope.everything,
         "countries": sorted(scope.countries), "organisations": sorted(scope.organisations)},
        sort_keys=True, ensure_ascii=False,
    )  # fmt: skip


def view_key(scope: Scope, view: str, as_of: datetime | None) -> str:
    moment = "now" if as_of is None else as_of.isoformat()
    return hashlib.sha256(f"{view}|{moment}|{scope_json(scope)}".encode()).hexdigest()


def version(conn: Connection) -> int:
    """The audit log's head: it moves with every projected event (a primary-key lookup)."""
    return int(conn.execute(select(func.coalesce(func.max(AUDIT.c.seq), 0))).scalar() or 0)


def _compute(engine: Engine, scope: Scope, view: str, as_of: datetime | None) -> str:
    if view == OVERVIEW:
        return board.overview(engine, scope, as_of).model_dump_json()
    if view in MEDIANS:
        by = view.split(":", 1)[1]
        return _MEDIANS.dump_json(board.step_medians(engine, scope, as_of, by=by)).decode()
    raise ValueError(f"no board view {view!r}")


def _store(engine: Engine, scope: Scope, view: str, as_of: datetime | None, *, viewed: bool) -> tuple[str, datetime]:
    """Compute a view now and keep it; returns its body and the moment it was read."""
    with reading(engine) as conn:
        seen = version(conn)  # read before the figures: events landing meanwhile make it stale again
    started = time.perf_counter()
    body = _compute(engine, scope, view, as_of)
    took = round((time.perf_counter() - started) * 1000, 1)
    now = utcnow()
    values = {"key": view_key(scope, view, as_of), "view": view, "scope": scope_json(scope), "as_of": as_of,
              "version": seen, "computed_at": now, "compute_ms": took, "viewed_at": now, "body": body}  # fmt: skip
    changed = {k: values[k] for k in ("version", "computed_at", "compute_ms", "body")}
    if viewed:
        changed["viewed_at"] = now
    with transaction(engine) as conn:
        stmt = dialect_insert(conn, SNAPSHOT).values(**values)
        conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_=changed))
    return body, now


def _kept(engine: Engine, scope: Scope, view: str, as_of: datetime | None, parse: Callable[[str], T], now: datetime | None) -> Kept[T]:
    now = now or utcnow()
    key = view_key(scope, view, as_of)
    with reading(engine) as conn:
        row = conn.execute(select(SNAPSHOT).where(SNAPSHOT.c.key == key)).mappings().first()
        head = version(conn) if row is not None else 0
    if row is not None:
        current = row["version"] >= head and now - row["computed_at"] < STALE_AFTER
        if current or row["compute_ms"] >= LIVE_UNDER_MS:
            if now - row["viewed_at"] >= TOUCH_EVERY:
                with transaction(engine) as conn:
                    conn.execute(update(SNAPSHOT).where(SNAPSHOT.c.key == key).values(viewed_at=now))
            return Kept(parse(row["body"]), row["computed_at"], current)
    body, at = _store(engine, scope, view, as_of, viewed=True)
    return Kept(parse(body), at, True)


def overview(engine: Engine, scope: Scope, as_of: datetime | None = None, *, now: datetime | None = None) -> Kept[Overview]:
    """The overview for `scope` (see the module's docstring for when it is computed)."""
    return _kept(engine, scope, OVERVIEW, as_of, Overview.model_validate_json, now)


def step_medians(
    engine: Engine, scope: Scope, as_of: datetime | None = None, by: str = "country", *, now: datetime | None = None
) -> Kept[list[StepMedian]]:
    """The median time per step type for `scope`, by country or organisation."""
    if by not in ("country", "organisation"):
        raise ValueError("by is 'country' or 'organisation'")
    return _kept(engine, scope, f"medians:{by}", as_of, _MEDIANS.validate_json, now)


def refresh(engine: Engine, *, now: datetime | None = None, beat: Callable[[], None] | None = None) -> RefreshReport:
    """Recompute every kept view that is behind the audit log or older than `STALE_AFTER` and was
    opened within `KEEP_VIEWED` (a past day's view: within `PAST_DAYS_REFRESHED_FOR`); delete the
    views nobody opened for longer; keep the whole network's overview ready. `beat` is called
    between views (the activity heartbeats)."""
    started = time.perf_counter()
    now = now or utcnow()
    report = RefreshReport()
    with transaction(engine) as conn:
        report.removed = conn.execute(delete(SNAPSHOT).where(SNAPSHOT.c.viewed_at < now - KEEP_VIEWED)).rowcount or 0
    with reading(engine) as conn:
        head = version(conn)
        rows = conn.execute(
            select(SNAPSHOT.c.key, SNAPSHOT.c.view, SNAPSHOT.c.scope, SNAPSHOT.c.as_of, SNAPSHOT.c.version,
                   SNAPSHOT.c.computed_at, SNAPSHOT.c.viewed_at).order_by(SNAPSHOT.c.viewed_at.desc())
        ).mappings().all()  # fmt: skip
    if view_key(WHOLE_NETWORK, OVERVIEW, None) not in {r["key"] for r in rows}:
        _store(engine, WHOLE_NETWORK, OVERVIEW, None, viewed=False)
        report.refreshed += 1
    for r in rows:
        if beat is not None:
            beat()
        if r["as_of"] is not None and now - r["viewed_at"] > PAST_DAYS_REFRESHED_FOR:
            continue
        if r["version"] >= head and now - r["computed_at"] < STALE_AFTER:
            report.unchanged += 1
            continue
        d = json.loads(r["scope"])
        scope = Scope(label=d["label"], lifecycles=frozenset(Lifecycle(x) for x in d["lifecycles"]), everything=d["everything"],
                      countries=frozenset(d["countries"]), organisations=frozenset(d["organisations"]))  # fmt: skip
        _store(engine, scope, r["view"], r["as_of"], viewed=False)
        report.refreshed += 1
    report.seconds = round(time.perf_counter() - started, 3)
    return report
