"""The coordination board's view of the whole network: pure rules and the shapes the board pages
read, tested with worked examples.

The board oversees four lifecycles at once. What it sees comes from the read model
(`store/board.py`); what a figure *means* is decided here, once:

- **Funnels** count the items that reached each stage, from the timeline's milestone events, so an
  application rejected by the board still counts as reviewed, and a funnel on a past day is the
  same query with a cut-off.
- **Phases on a past day** are read from the last phase-changing event before that day
  (`PHASE_EVENTS`); today's phases are the items' own.
- **Ageing** puts every open step in a bucket by how long it has waited; **medians** of how long
  closed steps took are grouped by step type and by country or organisation.
- **Scopes** say whose items a person's board pages cover: overseers the whole network, a liaison
  their country, university staff their institutions' programs and students, a fund manager the
  fund's grants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.parties import Person, Role

# ---------------------------------------------------------------- lifecycles


class Lifecycle(StrEnum):
    AGREEMENTS = "agreements"
    PROGRAMS = "programs"
    GRANTS = "grants"
    RELEASES = "releases"


LIFECYCLE_LABELS = {
    Lifecycle.AGREEMENTS: "Agreements",
    Lifecycle.PROGRAMS: "Joint programs",
    Lifecycle.GRANTS: "Co-production fund",
    Lifecycle.RELEASES: "Award to release",
}

# The read model's item types, by lifecycle. Funds, festivals and film rights are entities that
# serve the processes; they have no steps of their own for the board to chase.
ITEM_TYPES: dict[Lifecycle, tuple[str, ...]] = {
    Lifecycle.AGREEMENTS: ("agreement",),
    Lifecycle.PROGRAMS: ("student", "credit_transfer"),
    Lifecycle.GRANTS: ("grant_application", "grant", "fund"),
    Lifecycle.RELEASES: ("country_release", "festival", "film_rights"),
}

ITEM_TYPE_LABELS = {
    "agreement": "Agreement",
    "student": "Student record",
    "credit_transfer": "Credit transfer",
    "grant_application": "Grant application",
    "grant": "Grant",
    "fund": "Fund",
    "country_release": "Country release",
    "festival": "Festival",
    "film_rights": "Film rights",
}


def lifecycle_of(item_type: str) -> Lifecycle | None:
    for lifecycle, types in ITEM_TYPES.items():
        if item_type in types:
            return lifecycle
    return None


# ---------------------------------------------------------------- funnels


class FunnelStage(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    event_kinds: tuple[str, ...] = Field(description="An item reached the stage once its timeline has one of these")


def _stages(*pairs: tuple[str, str | tuple[str, ...]]) -> tuple[FunnelStage, ...]:
    return tuple(FunnelStage(label=label, event_kinds=(kinds,) if isinstance(kinds, str) else kinds) for label, kinds in pairs)


FUNNELS: dict[str, tuple[FunnelStage, ...]] = {
    "agreement": _stages(
        ("Drafted", "created"),
        ("Sent for review", "review_opened"),
        ("Approved by every party", "approvals_complete"),
        ("Signed by every party", "signatures_complete"),
        ("Executed", "executed"),
    ),
    "student": _stages(
        ("Enrolled", "enrolled"),
        ("Transfer requested", "transfer_requested"),
        ("Credits posted", "credits_posted"),
        ("Degrees complete", "degrees_complete"),
    ),
    "credit_transfer": _stages(
        ("Requested", "requested"),
        ("Department decided", "department_decided"),
        ("Registrar approved", "registrar_approved"),
        ("Credits posted", "credits_posted"),
    ),
    "grant_application": _stages(
        ("Submitted", "submitted"),
        ("Eligible", "eligible"),
        ("Screened in", "panel_assigned"),
        ("Reviewed", "reviewed"),
        ("Board decided", "board_decided"),
        ("Awarded", "awarded"),
    ),
    "grant": _stages(
        ("Agreement sent", "agreement_started"),
        ("Agreement executed", "agreement_executed"),
        ("First tranche paid", "tranche_paid"),
        ("Closed", "closed"),
    ),
    "country_release": _stages(
        ("Recommended", "recommended"),
        ("Acknowledged", "acknowledged"),
        ("Classified", "classified"),
        ("Licence signed", "licence_signed"),
        ("Scheduled", "scheduled"),
        ("Released", "released"),
    ),
}

FUNNEL_LIFECYCLES: dict[str, Lifecycle] = {t: lc for t in FUNNELS if (lc := lifecycle_of(t)) is not None}


def funnel_event_kinds() -> set[str]:
    return {k for stages in FUNNELS.values() for s in stages for k in s.event_kinds}


class FunnelStep(BaseModel):
    label: str
    count: int
    event_kinds: tuple[str, ...] = ()


class Funnel(BaseModel):
    item_type: str
    lifecycle: Lifecycle
    title: str
    steps: list[FunnelStep]


def build_funnel(item_type: str, reached: dict[str, int]) -> Funnel:
    """A lifecycle's funnel from `reached`: event kind → number of items whose timeline has it.
    A stage with several kinds counts each item once (the store counts them as one group)."""
    stages = FUNNELS[item_type]
    steps = [FunnelStep(label=s.label, count=reached.get(_stage_key(s), 0), event_kinds=s.event_kinds) for s in stages]
    return Funnel(item_type=item_type, lifecycle=FUNNEL_LIFECYCLES[item_type], title=ITEM_TYPE_LABELS[item_type], steps=steps)


def _stage_key(stage: FunnelStage) -> str:
    return "|".join(stage.event_kinds)


def stage_key(stage: FunnelStage) -> str:
    """How the store labels a stage's count: its event kinds joined by '|'."""
    return _stage_key(stage)


# ---------------------------------------------------------------- phases on a past day

# Event kind → the phase an item is in right after it. Only agreements record every phase change
# as its own event, so only their phases can be rebuilt for a past day; the other lifecycles
# show a past day through their funnels.
PHASE_EVENTS: dict[str, dict[str, str]] = {
    "agreement": {
        "created": "draft",
        "review_opened": "review",
        "review_closed": "approval",
        "approvals_complete": "signing",
        "signatures_complete": "executing",
        "executed": "active",
        "in_force": "active",
        "renewal_window_opened": "renewal",
        "renewal_started": "signing",
        "renewal_lapsed": "expired",
        "expired": "expired",
        "termination_notice": "terminating",
        "terminated": "terminated",
        "voided": "voided",
    },
}

# Agreements that count as signed, by the event that says so.
SIGNED_EVENT = "executed"


# ---------------------------------------------------------------- ageing and medians


class AgeBucket(BaseModel):
    label: str
    min_days: float
    max_days: float | None = None
    count: int = 0
    overdue: int = 0


AGE_BUCKETS: tuple[tuple[str, float, float | None], ...] = (
    ("under a week", 0, 7),
    ("1–4 weeks", 7, 28),
    ("1–3 months", 28, 91),
    ("3–6 months", 91, 182),
    ("over 6 months", 182, None),
)


def age_days(opened_at: datetime, now: datetime) -> float:
    return max((now - opened_at).total_seconds() / 86_400, 0.0)


def bucket_of(days: float) -> int:
    """The index in AGE_BUCKETS of a step that has waited `days`."""
    for i, (_, low, high) in enumerate(AGE_BUCKETS):
        if days >= low and (high is None or days < high):
            return i
    return 0


def ageing(ages: Iterable[tuple[float, bool]]) -> list[AgeBucket]:
    """The ageing distribution of open steps from (days waited, overdue) pairs."""
    buckets = [AgeBucket(label=label, min_days=low, max_days=high) for label, low, high in AGE_BUCKETS]
    for days, overdue in ages:
        b = buckets[bucket_of(days)]
        b.count += 1
        b.overdue += int(overdue)
    return buckets


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


# ---------------------------------------------------------------- shapes the pages read


class MoneyFigures(BaseModel):
    """A currency's totals over the funds in scope (funds in different currencies never add up)."""

    currency: str
    funds: int = 0
    budget: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    clawed_back: Decimal = Decimal(0)

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed

    @property
    def outstanding(self) -> Decimal:
        return self.committed - self.disbursed


class ReleaseFigures(BaseModel):
    recommended: int = 0
    licensed: int = 0
    released: int = 0
    declined: int = 0
    films_abroad: int = Field(0, description="Films released outside all their origin countries this year")
    target: int = 0
    year: int = 0


class ProgramFigures(BaseModel):
    programs: int = 0
    students: int = 0
    students_complete: int = 0
    transfers_open: int = 0
    credits_approved: Decimal = Decimal(0)
    credits_posted: Decimal = Decimal(0)


class CountryRow(BaseModel):
    country: str
    agreements: int = 0
    agreements_active: int = 0
    students: int = 0
    applications: int = 0
    grants: int = 0
    releases: int = 0
    released: int = 0
    open_steps: int = 0
    overdue_steps: int = 0


class Completion(BaseModel):
    month: str = Field(description="YYYY-MM")
    lifecycle: Lifecycle
    what: str
    count: int


# What counts as a completion, month by month: the event that finishes an item's main path.
COMPLETION_EVENTS: dict[str, tuple[Lifecycle, str]] = {
    "executed": (Lifecycle.AGREEMENTS, "Agreements executed"),
    "degrees_complete": (Lifecycle.PROGRAMS, "Degrees completed"),
    "awarded": (Lifecycle.GRANTS, "Grants awarded"),
    "released": (Lifecycle.RELEASES, "Films released"),
}
COMPLETION_ITEM_TYPES = {"executed": "agreement", "degrees_complete": "student", "awarded": "grant_application", "released": "country_release"}


class Overview(BaseModel):
    as_of: datetime
    historical: bool = Field(False, description="True when as_of is a past day read from the event history")
    scope_label: str
    lifecycles: list[Lifecycle]
    agreements_by_phase: dict[str, int] = Field(default_factory=dict)
    agreements_signed_this_year: int = 0
    programs: ProgramFigures = Field(default_factory=ProgramFigures)
    money: list[MoneyFigures] = Field(default_factory=list)
    applications: int = 0
    grants: int = 0
    releases: ReleaseFigures = Field(default_factory=ReleaseFigures)
    open_steps: int = 0
    overdue_steps: int = 0
    funnels: list[Funnel] = Field(default_factory=list)
    ageing: list[AgeBucket] = Field(default_factory=list)
    completions: list[Completion] = Field(default_factory=list)
    countries: list[CountryRow] = Field(default_factory=list)


class OpenStep(BaseModel):
    item_id: str
    item_type: str
    item_title: str
    step_id: str
    kind: str
    label: str
    organisation_id: str | None = None
    country: str | None = None
    awaited_names: list[str] = Field(default_factory=list)
    opened_at: datetime
    due_at: datetime
    age_days: float
    overdue: bool


class StepMedian(BaseModel):
    item_type: str
    kind: str
    by: str = Field(description="'country' or 'organisation'")
    key: str
    median_days: float
    steps: int


class RefreshReport(BaseModel):
    """What one background refresh of the kept board views did (store/board_snapshot.py)."""

    refreshed: int = 0
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0


REFRESH_BOARD_SNAPSHOTS = "refresh_board_snapshots"


# ---------------------------------------------------------------- scopes


class Scope(BaseModel):
    """Whose items a person's board pages cover."""

    model_config = ConfigDict(frozen=True)

    label: str
    lifecycles: frozenset[Lifecycle]
    everything: bool = False
    countries: frozenset[str] = frozenset()
    organisations: frozenset[str] = frozenset()

    def item_types(self) -> list[str]:
        return [t for lc in Lifecycle if lc in self.lifecycles for t in ITEM_TYPES[lc]]


PROGRAM_STAFF_ROLES = {Role.PROGRAM_COORDINATOR, Role.REGISTRAR, Role.DEPARTMENT_REVIEWER, Role.MINISTRY_OFFICER}


def scope_for(person: Person, country_names: dict[str, str] | None = None, org_names: dict[str, str] | None = None) -> Scope | None:
    """The board pages' scope for a person, or None when they have no overview at all.

    Board members and administrators see the whole network; a liaison sees every lifecycle with a
    party from their country; university (and ministry) staff see their institutions' programs and
    students; a fund manager sees the fund's grants. Reviewers, producers, distributors and students
    act on their own items and have no overview."""
    if person.holds(Role.BOARD_MEMBER) or person.holds(Role.ADMIN):
        return Scope(label="the whole network", lifecycles=frozenset(Lifecycle), everything=True)
    countries = frozenset(g.country for g in person.roles if g.role is Role.LIAISON and g.country)
    if countries:
        names = ", ".join(sorted((country_names or {}).get(c, c) for c in countries))
        return Scope(label=names, lifecycles=frozenset(Lifecycle), countries=countries)
    staff = frozenset(
        org for g in person.roles if g.role in PROGRAM_STAFF_ROLES and (org := g.organisation_id or person.organisation_id)
    )
    if staff:
        names = ", ".join(sorted((org_names or {}).get(o, o) for o in staff))
        return Scope(label=names, lifecycles=frozenset({Lifecycle.PROGRAMS}), organisations=staff)
    if person.holds(Role.FUND_MANAGER):
        return Scope(label="the co-production fund", lifecycles=frozenset({Lifecycle.GRANTS}), everything=True)
    return None


# ---------------------------------------------------------------- days


def parse_as_of(day: date | None, today: date) -> datetime | None:
    """The end of a chosen past day in UTC, or None for "now" (today or a future day)."""
    from datetime import UTC

    if day is None or day >= today:
        return None
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)


def year_start(moment: datetime) -> datetime:
    return moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def milestone_kinds() -> frozenset[str]:
    """Every event kind the board counts by when an item first had it: funnel stages,
    completions and signatures. The read model keeps one row per item and kind for these."""
    return frozenset(funnel_event_kinds() | set(COMPLETION_EVENTS) | {SIGNED_EVENT})
