"""The board's reads: the network at a glance, its bottlenecks, and the items behind any figure.

Every function takes a `domain.board.Scope` (whose items) and an optional `as_of` (the end of a
past day; None for now). Counts are aggregates in SQL, so a page at 100,000 items fetches tens of
rows, not thousands: funnels, completions and past days count `item_milestone` rows (the first
event of each kind an item had), open steps on a past day are the steps opened before it and not
yet closed by then, and medians use window functions that both SQLite and PostgreSQL have.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Engine,
    Float,
    Numeric,
    Select,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    true,
)

from domain.board import (
    AGE_BUCKETS,
    COMPLETION_EVENTS,
    COMPLETION_ITEM_TYPES,
    FUNNELS,
    PHASE_EVENTS,
    SIGNED_EVENT,
    AgeBucket,
    Completion,
    CountryRow,
    Funnel,
    Lifecycle,
    MoneyFigures,
    OpenStep,
    Overview,
    ProgramFigures,
    ReleaseFigures,
    Scope,
    StepMedian,
    build_funnel,
    stage_key,
    year_start,
)
from domain.releases.targets import NETWORK_TARGET
from store.db import reading
from store.models import EventRow, ItemPartyRow, ItemPublic, ItemRow, MilestoneRow, PaymentRow, StepRow, utcnow

ITEM = ItemRow.__table__
PARTY = ItemPartyRow.__table__
STEP = StepRow.__table__
EVENT = EventRow.__table__
MILESTONE = MilestoneRow.__table__
PAYMENT = PaymentRow.__table__

_LIST_COLUMNS = [ITEM.c[name] for name in ItemPublic.model_fields]
MEDIAN_WINDOW_DAYS = 365
DRILL_LIMIT = 500


# ---------------------------------------------------------------- scope


def _item_in_scope(scope: Scope, item_id: ColumnElement[Any], item_type: ColumnElement[Any]) -> ColumnElement[bool]:
    """A condition on an item (by id and type columns of any table) that keeps it in scope."""
    cond = item_type.in_(scope.item_types())
    if scope.everything:
        return cond
    # The scope's items as one uncorrelated set (a semi-join), read once per query: a correlated
    # EXISTS per row made SQLite scan every party of the country for each row (seconds at 100,000).
    p = PARTY.alias("scope_party")  # its own alias: a query may join the party table too
    party = select(p.c.item_id)
    if scope.countries:
        party = party.where(p.c.country.in_(sorted(scope.countries)))
    if scope.organisations:
        party = party.where(p.c.organisation_id.in_(sorted(scope.organisations)))
    return and_(cond, item_id.in_(party))


def _items(scope: Scope, *item_types: str) -> ColumnElement[bool]:
    cond = _item_in_scope(scope, ITEM.c.item_id, ITEM.c.item_type)
    return and_(cond, ITEM.c.item_type.in_(item_types)) if item_types else cond


def _unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """The column's value (`column || ''`: NULL stays NULL) as an expression, which SQLite will not
    use an index for — its unary-plus idiom, portable — where the column's index is the wrong way in
    (SQLite plans without statistics; PostgreSQL is not affected)."""
    return column.concat("")


def _num(column: ColumnElement[Any], key: str) -> ColumnElement[Any]:
    """A decimal kept as text in an item's summary JSON, summable on both databases."""
    return func.coalesce(cast(column[key].as_string(), Numeric(18, 2)), 0)


def _dec(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


# ---------------------------------------------------------------- overview pieces


def agreements_by_phase(conn: Connection, scope: Scope, as_of: datetime | None) -> dict[str, int]:
    """Agreements per phase: their own phase now, or on a past day the phase their last
    phase-changing event before it left them in."""
    if Lifecycle.AGREEMENTS not in scope.lifecycles:
        return {}
    if as_of is None:
        query = select(ITEM.c.phase, func.count()).where(_items(scope, "agreement")).group_by(ITEM.c.phase)
        return {phase: n for phase, n in conn.execute(query)}
    mapping = PHASE_EVENTS["agreement"]
    last = _last_phase_event(scope, "agreement", as_of)
    counts: dict[str, int] = defaultdict(int)
    for kind, n in conn.execute(select(last.c.kind, func.count()).where(last.c.kind.is_not(None)).group_by(last.c.kind)):
        counts[mapping[kind]] += n
    return dict(counts)


def _last_phase_event(scope: Scope, item_type: str, as_of: datetime) -> Any:
    """Each item of the type in scope with the kind of its last phase-changing event before `as_of`
    (by seq; None when it had none). One look back along each item's (item_id, seq) key instead
    of numbering every event of every item: the items are few next to their events."""
    mapping = PHASE_EVENTS[item_type]
    last_kind = (
        select(EVENT.c.kind)
        .where(EVENT.c.item_id == ITEM.c.item_id, EVENT.c.kind.in_(sorted(mapping)), EVENT.c.at < as_of)
        .order_by(EVENT.c.seq.desc())
        .limit(1)
        .scalar_subquery()
    )
    # OFFSET 0 keeps the subquery whole (SQLite would otherwise copy the lookup into each place the
    # outer query uses `kind` and run it two or three times per item).
    return select(ITEM.c.item_id, last_kind.label("kind")).where(_items(scope, item_type)).offset(0).subquery()


def milestone_counts(conn: Connection, scope: Scope, as_of: datetime | None, since: datetime | None = None) -> dict[tuple[str, str], int]:
    """(item type, event kind) → items that reached it (before `as_of`, after `since`)."""
    query = select(MILESTONE.c.item_type, MILESTONE.c.kind, func.count()).where(
        _item_in_scope(scope, MILESTONE.c.item_id, MILESTONE.c.item_type)
    )
    if as_of is not None:
        query = query.where(MILESTONE.c.at < as_of)
    if since is not None:
        query = query.where(MILESTONE.c.at >= since)
    query = query.group_by(MILESTONE.c.item_type, MILESTONE.c.kind)
    return {(t, k): n for t, k, n in conn.execute(query)}


def _signed_since(conn: Connection, scope: Scope, as_of: datetime | None, since: datetime) -> dict[tuple[str, str], int]:
    """`milestone_counts(…, since=…)` for the one figure the overview takes from it (agreements
    signed this year): a range of the milestone index instead of every kind of every type."""
    if "agreement" not in scope.item_types():
        return {}
    query = select(func.count()).where(
        _item_in_scope(scope, MILESTONE.c.item_id, MILESTONE.c.item_type),
        MILESTONE.c.item_type == "agreement",
        MILESTONE.c.kind == SIGNED_EVENT,
        MILESTONE.c.at >= since,
    )
    if as_of is not None:
        query = query.where(MILESTONE.c.at < as_of)
    n = conn.execute(query).scalar() or 0
    return {("agreement", SIGNED_EVENT): n} if n else {}


def funnels(reached: dict[tuple[str, str], int], scope: Scope) -> list[Funnel]:
    types = set(scope.item_types())
    out = []
    for item_type, stages in FUNNELS.items():
        if item_type in types:
            out.append(build_funnel(item_type, {stage_key(s): reached.get((item_type, stage_key(s)), 0) for s in stages}))
    return out


def program_figures(conn: Connection, scope: Scope, as_of: datetime | None, reached: dict[tuple[str, str], int]) -> ProgramFigures:
    if Lifecycle.PROGRAMS not in scope.lifecycles:
        return ProgramFigures()
    students = select(
        func.count(),
        func.count(distinct(ITEM.c.summary["program_id"].as_string())),
        func.sum(case((ITEM.c.phase == "complete", 1), else_=0)),
    ).where(_items(scope, "student"))
    transfers = select(
        func.sum(case((ITEM.c.phase != "posted", 1), else_=0)),
        func.sum(_num(ITEM.c.summary, "credits_approved")),
        func.sum(_num(ITEM.c.summary, "credits_posted")),
    ).where(_items(scope, "credit_transfer"))
    if as_of is not None:
        born = ITEM.c.created_at < as_of
        students = students.where(born)
        transfers = transfers.where(born)
    n_students, n_programs, complete = conn.execute(students).one()
    open_, approved, posted = conn.execute(transfers).one()
    if as_of is not None:  # the item's figures are today's; on a past day, count what had happened by then
        complete = reached.get(("student", "degrees_complete"), 0)
        requested = reached.get(("credit_transfer", "requested"), 0)
        open_ = max(requested - reached.get(("credit_transfer", "credits_posted"), 0), 0)
        approved = posted = _posted_credits_before(conn, scope, as_of)
    return ProgramFigures(
        programs=n_programs or 0,
        students=n_students or 0,
        students_complete=complete or 0,
        transfers_open=open_ or 0,
        credits_approved=_dec(approved),
        credits_posted=_dec(posted),
    )


def _posted_credits_before(conn: Connection, scope: Scope, as_of: datetime) -> Decimal:
    posted = (
        select(func.sum(_num(ITEM.c.summary, "credits_posted")))
        .join(MILESTONE, and_(MILESTONE.c.item_id == ITEM.c.item_id, MILESTONE.c.kind == "credits_posted"))
        .where(_items(scope, "credit_transfer"), MILESTONE.c.at < as_of)
    )
    return _dec(conn.execute(posted).scalar())


def money(conn: Connection, scope: Scope, as_of: datetime | None) -> list[MoneyFigures]:
    """Budget, committed, disbursed and clawed back per currency. The whole network's come from the
    fund ledgers; on a past day, the journal entries made before it (each ledger operation is one
    event of the fund's timeline, in order). A narrower scope sums its grants."""
    if Lifecycle.GRANTS not in scope.lifecycles:
        return []
    if scope.everything:
        return _fund_money(conn, as_of)
    grants = select(ITEM.c.summary).where(_items(scope, "grant"))
    if as_of is not None:
        grants = grants.join(MILESTONE, and_(MILESTONE.c.item_id == ITEM.c.item_id, MILESTONE.c.kind == "agreement_started")).where(
            MILESTONE.c.at < as_of
        )
    totals: dict[str, MoneyFigures] = {}
    for (summary,) in conn.execute(grants):
        cur = str(summary.get("currency") or "")
        m = totals.setdefault(cur, MoneyFigures(currency=cur))
        m.committed += _dec(summary.get("amount"))
        m.clawed_back += _dec(summary.get("clawed_back"))
        m.disbursed += _dec(summary.get("paid")) if as_of is None else Decimal(0)
    if as_of is not None and totals:
        paid = (
            select(PAYMENT.c.currency, PAYMENT.c.amount)
            # a payment names its award by the application's id; the grant's item is `grant-<application id>`
            .join(ITEM, ITEM.c.item_id == literal("grant-") + PAYMENT.c.award_id)
            .where(_items(scope, "grant"), PAYMENT.c.issued_at < as_of, PAYMENT.c.status == "issued")
        )
        for cur, amount in conn.execute(paid):
            if cur in totals:
                totals[cur].disbursed += _dec(amount)
    return [totals[c] for c in sorted(totals)]


def _fund_money(conn: Connection, as_of: datetime | None) -> list[MoneyFigures]:
    # A fund's detail holds its whole ledger: read (and parsed) only for a past day.
    detail = ITEM.c.detail if as_of is not None else literal(None, JSON).label("detail")
    funds = select(ITEM.c.item_id, ITEM.c.summary, detail).where(ITEM.c.item_type == "fund")
    if as_of is not None:
        funds = funds.where(ITEM.c.created_at < as_of)
    rows = conn.execute(funds).all()
    when: dict[str, list[datetime]] = {}
    if as_of is not None and rows:
        ops = (
            select(EVENT.c.item_id, EVENT.c.at)
            .where(EVENT.c.item_id.in_([r.item_id for r in rows]), EVENT.c.kind != "opened")
            .order_by(EVENT.c.item_id, EVENT.c.seq)
        )
        for item_id, at in conn.execute(ops):
            when.setdefault(item_id, []).append(at)
    totals: dict[str, MoneyFigures] = {}
    for item_id, summary, detail in rows:
        cur = str(summary.get("currency") or "")
        m = totals.setdefault(cur, MoneyFigures(currency=cur))
        m.funds += 1
        m.budget += _dec(summary.get("budget"))
        if as_of is None:
            m.committed += _dec(summary.get("committed"))
            m.disbursed += _dec(summary.get("released"))
            m.clawed_back += _dec(summary.get("clawed_back"))
            continue
        entries = ((detail or {}).get("ledger") or {}).get("entries") or []
        times = when.get(item_id, [])
        for entry, at in zip(entries, times, strict=False):  # entry k is the k-th ledger event
            if at >= as_of:
                break
            m.committed += _dec(entry.get("committed_change"))
            m.disbursed += _dec(entry.get("released_change"))
            if entry.get("kind") == "clawback":
                m.clawed_back += _dec(entry.get("amount"))
    return [totals[c] for c in sorted(totals)]


def release_figures(conn: Connection, scope: Scope, as_of: datetime | None, reached: dict[tuple[str, str], int]) -> ReleaseFigures:
    if Lifecycle.RELEASES not in scope.lifecycles:
        return ReleaseFigures()
    moment = as_of or utcnow()
    year = (moment - timedelta(microseconds=1)).year if as_of else moment.year
    declined = select(func.count()).where(_items(scope, "country_release"), ITEM.c.phase.in_(["declined", "refused"]))
    if as_of is not None:
        declined = declined.where(ITEM.c.closed_at < as_of)
    film = ITEM.c.summary["film_id"].as_string()
    # The releases of the year, from the milestone index; then only their items are read.
    released = select(MILESTONE.c.item_id).where(
        MILESTONE.c.item_type == "country_release",
        MILESTONE.c.kind == "released",
        MILESTONE.c.at >= datetime(year, 1, 1, tzinfo=moment.tzinfo),
    )
    if as_of is not None:
        released = released.where(MILESTONE.c.at < as_of)
    item_type = _unindexed(ITEM.c.item_type)  # look items up by id, not scan every release for the type
    abroad = select(func.count(distinct(film))).where(
        _item_in_scope(scope, ITEM.c.item_id, item_type), item_type == "country_release", ITEM.c.item_id.in_(released)
    )
    return ReleaseFigures(
        recommended=reached.get(("country_release", "recommended"), 0),
        licensed=reached.get(("country_release", "licence_signed"), 0),
        released=reached.get(("country_release", "released"), 0),
        declined=conn.execute(declined).scalar() or 0,
        films_abroad=conn.execute(abroad).scalar() or 0,
        target=NETWORK_TARGET,
        year=year,
    )


def _steps_at(scope: Scope, as_of: datetime | None) -> ColumnElement[bool]:
    """Steps open at the moment: open now, or on a past day opened before it and closed after."""
    cond = _item_in_scope(scope, STEP.c.item_id, STEP.c.item_type)
    if as_of is None:
        return and_(cond, STEP.c.closed_at.is_(None))
    return and_(cond, STEP.c.opened_at < as_of, or_(STEP.c.closed_at.is_(None), STEP.c.closed_at >= as_of))


def step_ageing(conn: Connection, scope: Scope, as_of: datetime | None) -> tuple[int, int, list[AgeBucket]]:
    """Open steps, overdue steps, and the ageing distribution, counted in one pass."""
    now = as_of or utcnow()
    overdue = STEP.c.due_at < now
    columns: list[Any] = [func.count(), func.coalesce(func.sum(case((overdue, 1), else_=0)), 0)]
    for _, low, high in AGE_BUCKETS:
        inside = STEP.c.opened_at <= now - timedelta(days=low)
        if high is not None:
            inside = and_(inside, STEP.c.opened_at > now - timedelta(days=high))
        columns.append(func.coalesce(func.sum(case((inside, 1), else_=0)), 0))
        columns.append(func.coalesce(func.sum(case((and_(inside, overdue), 1), else_=0)), 0))
    row = conn.execute(select(*columns).where(_steps_at(scope, as_of))).one()
    buckets = [
        AgeBucket(label=label, min_days=low, max_days=high, count=row[2 + 2 * i], overdue=row[3 + 2 * i])
        for i, (label, low, high) in enumerate(AGE_BUCKETS)
    ]
    return row[0], row[1], buckets


def completions(conn: Connection, scope: Scope, as_of: datetime | None, months: int = 12) -> list[Completion]:
    """Items that finished their main path, month by month, over the last `months` months."""
    end = as_of or utcnow()
    start = (end.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    wanted = [(k, t) for k, t in COMPLETION_ITEM_TYPES.items() if t in scope.item_types()]
    if not wanted:
        return []
    month = _month(conn, MILESTONE.c.at)
    query = (
        select(MILESTONE.c.kind, month.label("month"), func.count())
        .where(
            _item_in_scope(scope, MILESTONE.c.item_id, MILESTONE.c.item_type),
            or_(*[and_(MILESTONE.c.kind == k, MILESTONE.c.item_type == t) for k, t in wanted]),
            MILESTONE.c.at >= start,
            MILESTONE.c.at < end,
        )
        .group_by(MILESTONE.c.kind, month)
        .order_by(month)
    )
    out = []
    for kind, m, n in conn.execute(query):
        lifecycle, what = COMPLETION_EVENTS[kind]
        out.append(Completion(month=str(m), lifecycle=lifecycle, what=what, count=n))
    return out


def _month(conn: Connection, column: ColumnElement[Any]) -> ColumnElement[Any]:
    if conn.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def country_table(conn: Connection, scope: Scope, as_of: datetime | None) -> list[CountryRow]:
    """Per country of any party: its agreements, students, applications, grants, releases and the
    steps that wait on it (open and overdue)."""
    rows: dict[str, CountryRow] = {}

    def row(code: str) -> CountryRow:
        return rows.setdefault(code, CountryRow(country=code))

    field = {"agreement": "agreements", "student": "students", "grant_application": "applications", "grant": "grants",
             "country_release": "releases"}  # fmt: skip
    wanted = [t for t in scope.item_types() if t in field]
    active = ITEM.c.phase.in_(["active", "renewal", "terminating", "pending"])
    figures = (
        ITEM.c.item_type,
        func.count(),
        func.coalesce(func.sum(case((active, 1), else_=0)), 0),
        func.coalesce(func.sum(case((ITEM.c.phase == "released", 1), else_=0)), 0),
    )
    # An item's `countries` is the sorted set of its parties' countries, written with the parties
    # (`domain.readmodel.ItemSnapshot.countries`): each (item, country) pair is read off the item
    # itself, once, instead of joining 200,000 parties to their items and removing duplicates
    # (a third of a second on SQLite, which has no hash join; a second on PostgreSQL, spilling).
    elements = func.json_each if conn.dialect.name == "sqlite" else func.jsonb_array_elements_text
    pair = elements(ITEM.c.countries).table_valued("value").alias("party_country")
    query = select(pair.c.value, *figures).select_from(ITEM).join(pair, true()).group_by(pair.c.value, ITEM.c.item_type)
    if scope.countries:
        query = query.where(pair.c.value.in_(sorted(scope.countries)))
    query = query.where(_items(scope, *wanted))
    if as_of is not None:
        query = query.where(ITEM.c.created_at < as_of)
    for code, item_type, n, n_active, n_released in conn.execute(query) if wanted else ():
        r = row(code)
        setattr(r, field[item_type], getattr(r, field[item_type]) + n)
        if item_type == "agreement" and as_of is None:
            r.agreements_active += n_active
        if item_type == "country_release" and as_of is None:
            r.released += n_released
    now = as_of or utcnow()
    # Grouped by `country || ''` (the same value, NULL stays NULL) and steps without a country
    # skipped below, not filtered: either use of the column would steer SQLite to the country index
    # and through every step, instead of the open steps' range of `ix_step_open_cover`.
    step_country = _unindexed(STEP.c.country)
    steps = (
        select(step_country, func.count(), func.coalesce(func.sum(case((STEP.c.due_at < now, 1), else_=0)), 0))
        .where(_steps_at(scope, as_of))
        .group_by(step_country)
    )
    for code, n, late in conn.execute(steps):
        if code is not None and (not scope.countries or code in scope.countries):
            r = row(code)
            r.open_steps, r.overdue_steps = n, late
    return [rows[c] for c in sorted(rows)]


# ---------------------------------------------------------------- bottlenecks


def open_steps(
    engine: Engine,
    scope: Scope,
    as_of: datetime | None = None,
    *,
    item_type: str | None = None,
    kind: str | None = None,
    country: str | None = None,
    organisation_id: str | None = None,
    overdue_only: bool = False,
    min_age_days: float | None = None,
    max_age_days: float | None = None,
    limit: int = DRILL_LIMIT,
) -> list[OpenStep]:
    """Open steps, longest waiting first, with who is awaited and for how long."""
    now = as_of or utcnow()
    query = (
        select(STEP, ITEM.c.title.label("item_title"))
        .join(ITEM, ITEM.c.item_id == STEP.c.item_id)
        .where(_steps_at(scope, as_of))
    )
    if item_type:
        query = query.where(STEP.c.item_type == item_type)
    if kind:
        query = query.where(STEP.c.kind == kind)
    if country:
        query = query.where(STEP.c.country == country)
    if organisation_id:
        query = query.where(STEP.c.organisation_id == organisation_id)
    if overdue_only:
        query = query.where(STEP.c.due_at < now)
    if min_age_days is not None:
        query = query.where(STEP.c.opened_at <= now - timedelta(days=min_age_days))
    if max_age_days is not None:
        query = query.where(STEP.c.opened_at > now - timedelta(days=max_age_days))
    query = query.order_by(STEP.c.opened_at, STEP.c.item_id, STEP.c.step_id).limit(limit)
    with reading(engine) as conn:
        rows = conn.execute(query).mappings().all()
    fields = ("item_id", "item_type", "item_title", "step_id", "kind", "label", "organisation_id", "country", "awaited_names",
              "opened_at", "due_at")  # fmt: skip
    return [
        OpenStep(
            **{k: r[k] for k in fields},
            age_days=round(max((now - r["opened_at"]).total_seconds(), 0) / 86_400, 1),
            overdue=r["due_at"] < now,
        )
        for r in rows
    ]


def _duration_days(conn: Connection) -> ColumnElement[Any]:
    if conn.dialect.name == "postgresql":
        return func.extract("epoch", STEP.c.closed_at - STEP.c.opened_at) / 86_400.0
    return cast(func.julianday(STEP.c.closed_at) - func.julianday(STEP.c.opened_at), Float)


def step_medians(engine: Engine, scope: Scope, as_of: datetime | None = None, by: str = "country") -> list[StepMedian]:
    """Median days a step took, per step type (item type and kind) and country or organisation,
    over the steps closed in the year before the moment. Slowest first."""
    if by not in ("country", "organisation"):
        raise ValueError("by is 'country' or 'organisation'")
    end = as_of or utcnow()
    key = STEP.c.country if by == "country" else STEP.c.organisation_id
    closed_in_year = and_(
        _item_in_scope(scope, STEP.c.item_id, STEP.c.item_type),
        STEP.c.closed_at.is_not(None),
        STEP.c.closed_at >= end - timedelta(days=MEDIAN_WINDOW_DAYS),
        STEP.c.closed_at < end,
        key.is_not(None),
    )
    with reading(engine) as conn:
        days = _duration_days(conn)
        part = [STEP.c.item_type, STEP.c.kind, key]
        if conn.dialect.name == "postgresql":
            # The median as PostgreSQL's ordered-set aggregate: the mean of the middle one or two
            # durations, as below, without numbering and counting 150,000 rows in two windows
            # (a second and more there, sorting on disk).
            rows = conn.execute(
                select(*part, func.percentile_cont(0.5).within_group(days), func.count()).where(closed_in_year).group_by(*part)
            ).all()
            return _medians(rows, by)
        durations = (
            select(
                STEP.c.item_type,
                STEP.c.kind,
                key.label("key"),
                days.label("days"),
                func.row_number().over(partition_by=part, order_by=days).label("rn"),
                func.count().over(partition_by=part).label("n"),
            )
            .where(closed_in_year)
            .subquery()
        )
        # The middle one (n odd) or two (n even) rows. Integer halves: `/` is true division in
        # SQLAlchemy 2, which matched only the upper of the two middle rows when n was even.
        middle = or_(durations.c.rn == (durations.c.n + 1) // 2, durations.c.rn == (durations.c.n + 2) // 2)
        query = (
            select(durations.c.item_type, durations.c.kind, durations.c.key, func.avg(durations.c.days), func.max(durations.c.n))
            .where(middle)
            .group_by(durations.c.item_type, durations.c.kind, durations.c.key)
        )
        rows = conn.execute(query).all()
    return _medians(rows, by)


def _medians(rows: Any, by: str) -> list[StepMedian]:
    out = [
        StepMedian(item_type=t, kind=k, by=by, key=str(g), median_days=round(float(m or 0), 2), steps=int(n))
        for t, k, g, m, n in rows
    ]
    return sorted(out, key=lambda s: (-s.median_days, s.item_type, s.kind, s.key))


# ---------------------------------------------------------------- drill-down


def items_behind(
    engine: Engine,
    scope: Scope,
    as_of: datetime | None = None,
    *,
    item_type: str | None = None,
    phase: str | None = None,
    reached: str | None = None,
    country: str | None = None,
    completed_in: str | None = None,
    limit: int = DRILL_LIMIT,
) -> list[ItemPublic]:
    """The items behind a figure: of a type, in a phase (today) or that reached a milestone (before
    `as_of`), of a country's parties, or completed in a month ('YYYY-MM', with `reached`)."""
    query: Select[Any] = select(*_LIST_COLUMNS).where(_items(scope))
    if item_type:
        query = query.where(ITEM.c.item_type == item_type)
    if phase:
        if as_of is not None and item_type in PHASE_EVENTS:
            return _items_in_phase_on(engine, scope, as_of, item_type, phase, country, limit)
        query = query.where(ITEM.c.phase == phase)
    if reached:
        hit = select(MILESTONE.c.item_id).where(MILESTONE.c.item_id == ITEM.c.item_id, MILESTONE.c.kind == reached)
        if as_of is not None:
            hit = hit.where(MILESTONE.c.at < as_of)
        if completed_in:
            start = datetime.fromisoformat(f"{completed_in}-01T00:00:00+00:00")
            hit = hit.where(MILESTONE.c.at >= start, MILESTONE.c.at < (start + timedelta(days=32)).replace(day=1))
        query = query.where(exists(hit))
    elif as_of is not None:
        query = query.where(ITEM.c.created_at < as_of)
    if country:
        query = query.where(exists(select(PARTY.c.item_id).where(PARTY.c.item_id == ITEM.c.item_id, PARTY.c.country == country)))
    query = query.order_by(ITEM.c.updated_at.desc(), ITEM.c.item_id).limit(limit)
    with reading(engine) as conn:
        return [ItemPublic.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def _items_in_phase_on(
    engine: Engine, scope: Scope, as_of: datetime, item_type: str, phase: str, country: str | None, limit: int
) -> list[ItemPublic]:
    mapping = PHASE_EVENTS[item_type]
    kinds = sorted(k for k, p in mapping.items() if p == phase)
    if not kinds:
        return []
    last = _last_phase_event(scope, item_type, as_of)
    ids = select(last.c.item_id).where(last.c.kind.in_(kinds))
    query = select(*_LIST_COLUMNS).where(ITEM.c.item_id.in_(ids))
    if country:
        query = query.where(exists(select(PARTY.c.item_id).where(PARTY.c.item_id == ITEM.c.item_id, PARTY.c.country == country)))
    query = query.order_by(ITEM.c.updated_at.desc(), ITEM.c.item_id).limit(limit)
    with reading(engine) as conn:
        return [ItemPublic.model_validate(dict(r)) for r in conn.execute(query).mappings()]


# ---------------------------------------------------------------- everything at once


def overview(engine: Engine, scope: Scope, as_of: datetime | None = None) -> Overview:
    """Every figure of the overview page for `scope`, read in one transaction (so the figures agree)."""
    moment = as_of or utcnow()
    with reading(engine) as conn:
        reached = milestone_counts(conn, scope, as_of)
        signed = _signed_since(conn, scope, as_of, year_start(moment - timedelta(microseconds=1)))
        n_open, n_overdue, buckets = step_ageing(conn, scope, as_of)
        apps = select(func.count()).where(_items(scope, "grant_application"))
        grants = select(func.count()).where(_items(scope, "grant"))
        if as_of is not None:
            apps, grants = apps.where(ITEM.c.created_at < as_of), grants.where(ITEM.c.created_at < as_of)
        return Overview(**{
            "as_of": moment,
            "historical": as_of is not None,
            "scope_label": scope.label,
            "lifecycles": [lc for lc in Lifecycle if lc in scope.lifecycles],
            "agreements_by_phase": agreements_by_phase(conn, scope, as_of),
            "agreements_signed_this_year": signed.get(("agreement", SIGNED_EVENT), 0),
            "programs": program_figures(conn, scope, as_of, reached),
            "money": money(conn, scope, as_of),
            "applications": conn.execute(apps).scalar() if Lifecycle.GRANTS in scope.lifecycles else 0,
            "grants": conn.execute(grants).scalar() if Lifecycle.GRANTS in scope.lifecycles else 0,
            "releases": release_figures(conn, scope, as_of, reached),
            "open_steps": n_open,
            "overdue_steps": n_overdue,
            "funnels": funnels(reached, scope),
            "ageing": buckets,
            "completions": completions(conn, scope, as_of),
            "countries": country_table(conn, scope, as_of),
        })

