"""The read model's tables, and the public classes pages receive instead of rows.

Following the fastapi full-stack template: a base class holds the shared fields, the `…Row`
table class adds what only the database keeps (hashes, counters), and the `…Public` class is what
queries return — plain pydantic objects, detached from any session, safe to cache in a page.

One generic `item` table serves every lifecycle (agreements now; programmes, grants and releases
later): lifecycle-specific columns live in `summary` (list pages) and `detail` (detail page).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKeyConstraint, Index, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware.

    SQLite has no time zone type, so values are stored as naive UTC there (and compare correctly
    as text); PostgreSQL keeps `timestamptz`. Naive input is taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- directory


class OrganisationRow(SQLModel, table=True):
    __tablename__ = "organisation"

    id: str = Field(primary_key=True, max_length=64)
    names: dict[str, str] = Field(sa_type=JSONType)
    kind: str = Field(max_length=40, index=True)
    country: str = Field(max_length=2, index=True)


class PersonRow(SQLModel, table=True):
    __tablename__ = "person"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    title: str = Field(default="", max_length=200)
    organisation_id: str | None = Field(default=None, foreign_key="organisation.id", index=True)
    roles: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    languages: list[str] = Field(default_factory=lambda: ["en"], sa_type=JSONType)


# ---------------------------------------------------------------- sign-in


class AccountBase(SQLModel):
    username: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(foreign_key="person.id", index=True)


class AccountCreate(AccountBase):
    """What an administrator (or the directory file) sends: the password in clear, never stored."""

    password: str = Field(min_length=8, max_length=1024)


class AccountRow(AccountBase, table=True):
    __tablename__ = "account"

    password_hash: str = Field(sa_type=Text)
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_login: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AccountPublic(AccountBase):
    locked_until: datetime | None = None
    last_login: datetime | None = None
    created_at: datetime


class SessionRow(SQLModel, table=True):
    """A signed-in browser. Only the token's hash is kept, so a leaked table signs no one in."""

    __tablename__ = "login_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


# ---------------------------------------------------------------- lifecycle items


class ItemBase(SQLModel):
    item_id: str = Field(primary_key=True, max_length=200)
    item_type: str = Field(max_length=40)
    kind: str = Field(default="", max_length=60)
    title: str = Field(max_length=300)
    phase: str = Field(max_length=40)
    countries: list[str] = Field(default_factory=list, sa_type=JSONType)
    organisation_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    projected_seq: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ItemRow(ItemBase, table=True):
    __tablename__ = "item"
    # Type and phase lead (lists, counts per phase); created_at, closed_at and countries follow so
    # the board's counts on a past day and per country are read from the index alone.
    __table_args__ = (Index("ix_item_type_phase_cover", "item_type", "phase", "created_at", "closed_at", "countries"),)

    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    search_text: str = Field(default="", sa_type=Text, description="casefolded id, title, party names")


class ItemPublic(ItemBase):
    """A row of a list page."""


class ItemDetail(ItemBase):
    """Everything a detail page renders (the timeline and documents come from their own queries)."""

    detail: dict[str, Any]


class ItemPartyRow(SQLModel, table=True):
    __tablename__ = "item_party"

    # A scope's items (a country's, an organisation's) come from these two indexes alone.
    __table_args__ = (
        Index("ix_item_party_country_item", "country", "item_id"),
        Index("ix_item_party_organisation_item", "organisation_id", "item_id"),
    )

    item_id: str = Field(primary_key=True, foreign_key="item.item_id", ondelete="CASCADE")
    organisation_id: str = Field(primary_key=True, max_length=64)
    role: str = Field(primary_key=True, default="party", max_length=40)
    country: str | None = Field(default=None, max_length=2)


# ---------------------------------------------------------------- human steps


class StepBase(SQLModel):
    item_id: str = Field(primary_key=True, foreign_key="item.item_id", ondelete="CASCADE")
    step_id: str = Field(primary_key=True, max_length=200)
    item_type: str = Field(max_length=40)
    kind: str = Field(max_length=40)
    label: str = Field(max_length=300)
    organisation_id: str | None = Field(default=None, max_length=64, index=True)
    country: str | None = Field(default=None, max_length=2, index=True)
    awaited_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    awaited_names: list[str] = Field(default_factory=list, sa_type=JSONType)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    reminders_sent: int = 0
    escalation: int = 0
    version_hash: str | None = Field(default=None, max_length=64)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StepRow(StepBase, table=True):
    """A human step, open (closed_at null) or done; done steps stay for time-to-decision statistics."""

    __tablename__ = "step"
    # Open steps (closed_at null) by age, with what the board counts them by, from the index alone.
    __table_args__ = (Index("ix_step_open_cover", "closed_at", "opened_at", "due_at", "item_type", "country", "item_id"),)


class StepAwaitRow(SQLModel, table=True):
    """Who a step waits for, one row per person: the inbox query is an indexed join on both DBs."""

    __tablename__ = "step_await"
    __table_args__ = (
        ForeignKeyConstraint(["item_id", "step_id"], ["step.item_id", "step.step_id"], ondelete="CASCADE"),
    )

    item_id: str = Field(primary_key=True)
    step_id: str = Field(primary_key=True)
    person_id: str = Field(primary_key=True, max_length=64, index=True)


class StepPublic(StepBase):
    item_title: str = ""
    overdue: bool = False
    due_in_days: float = Field(default=0.0, description="Negative when overdue")


# ---------------------------------------------------------------- timeline and documents


class EventBase(SQLModel):
    item_id: str = Field(primary_key=True, foreign_key="item.item_id", ondelete="CASCADE")
    seq: int = Field(primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    kind: str = Field(max_length=60)
    actor_id: str | None = Field(default=None, max_length=64)
    actor_name: str | None = Field(default=None, max_length=200)
    detail: str = Field(default="", sa_type=Text)
    version_hash: str | None = Field(default=None, max_length=64)
    document_sha256: str | None = Field(default=None, max_length=64)


class EventRow(EventBase, table=True):
    __tablename__ = "event"


class AuditRow(SQLModel, table=True):
    """One row of the hash-chained, append-only audit log (store/audit.py)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_item", "item_id", "item_seq"),)

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_type=UTCDateTime)
    category: str = Field(max_length=20)
    kind: str = Field(max_length=60)
    item_id: str | None = Field(default=None, max_length=200)
    item_seq: int | None = None
    actor_id: str | None = Field(default=None, max_length=64)
    detail: str = Field(default="", sa_type=Text)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class MilestoneRow(SQLModel, table=True):
    """When an item first reached a milestone (the first event of a kind the board counts:
    `domain.board.milestone_kinds`). Written with the events; funnels, completions and figures on
    a past day count these rows instead of scanning every event."""

    __tablename__ = "item_milestone"
    __table_args__ = (Index("ix_milestone_type_kind_at_item", "item_type", "kind", "at", "item_id"),)

    item_id: str = Field(primary_key=True, foreign_key="item.item_id", ondelete="CASCADE")
    kind: str = Field(primary_key=True, max_length=60)
    item_type: str = Field(max_length=40)
    at: datetime = Field(sa_type=UTCDateTime)


class BoardSnapshotRow(SQLModel, table=True):
    """A board view (the overview, or the step medians) computed for a scope and kept, so a page at
    100,000 items reads one row instead of aggregating the read model (store/board_snapshot.py).
    `version` is the audit log's head when the figures were read; `scope` rebuilds the Scope for
    the refresher; `viewed_at` lets it skip what nobody has looked at lately."""

    __tablename__ = "board_snapshot"

    key: str = Field(primary_key=True, max_length=64)
    view: str = Field(max_length=40)
    scope: str = Field(sa_type=Text)
    as_of: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int
    computed_at: datetime = Field(sa_type=UTCDateTime)
    compute_ms: float
    viewed_at: datetime = Field(sa_type=UTCDateTime, index=True)
    body: str = Field(sa_type=Text)


class EventPublic(EventBase):
    pass


class DocumentBase(SQLModel):
    item_id: str = Field(primary_key=True, foreign_key="item.item_id", ondelete="CASCADE")
    sha256: str = Field(primary_key=True, max_length=64, index=True)
    kind: str = Field(max_length=40)
    label: str = Field(default="", max_length=300)
    version: int | None = None
    pages: int = 0
    size: int | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)


class DocumentRow(DocumentBase, table=True):
    __tablename__ = "document"


class DocumentPublic(DocumentBase):
    pass


# ---------------------------------------------------------------- mail


class OutboxStatus:
    PENDING = "pending"
    SENDING = "sending"  # claimed by one deliverer; never sent again automatically
    SENT = "sent"
    FAILED = "failed"  # refused for good by the mail server; a person decides
    RECORDED = "recorded"  # no SMTP configured: the outbox itself is the mailbox


class OutboxMessage(SQLModel):
    """What a notify activity sends; `key` makes enqueueing idempotent across retries."""

    key: str = Field(primary_key=True, max_length=200)
    item_id: str | None = Field(default=None, max_length=200, index=True)
    to: list[str] = Field(sa_type=JSONType)
    subject: str = Field(max_length=500)
    body: str = Field(sa_type=Text)


class OutboxRow(OutboxMessage, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_created", "status", "created_at"),)

    status: str = Field(default=OutboxStatus.PENDING, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=Text)


class OutboxPublic(OutboxMessage):
    status: str
    created_at: datetime
    sent_at: datetime | None = None
    error: str | None = None


# ---------------------------------------------------------------- joint programs (reference data)


class ProgramRow(SQLModel, table=True):
    """A joint program's definition as coordinators keep it: the program, its catalogs and the
    people who act on its credit transfers. Reference data, not process state: a student record
    receives a snapshot of it when the student enrols."""

    __tablename__ = "program"

    id: str = Field(primary_key=True, max_length=64)
    agreement_id: str = Field(max_length=200, index=True, description="Workflow id of the MOU it rests on")
    title: str = Field(max_length=300)
    definition: dict[str, Any] = Field(sa_type=JSONType)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EquivalencyRow(SQLModel, table=True):
    """One entry of an institution's equivalency table: kept by coordinators, and added to when a
    department saves a credit-transfer decision for reuse. `key` identifies the entry (partner
    course and effective date), so saving the same decision twice writes one row."""

    __tablename__ = "equivalency"

    key: str = Field(primary_key=True, max_length=64)
    institution_id: str = Field(max_length=64, index=True)
    entry: dict[str, Any] = Field(sa_type=JSONType)
    source: str = Field(default="", max_length=200, description="'coordinator' or the request it was saved from")
    saved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---------------------------------------------------------------- co-production fund payments


class PaymentRow(SQLModel, table=True):
    """A tranche's payment instruction, once per `key` (store/payments.py). Reserved first, with
    its human reference `PAY-<year>-<seq>` allocated, then marked issued once its PDF is stored;
    `(year, seq)` is unique, so two instructions can never share a number. Amounts are kept as
    the decimal's text, so they read back exactly on SQLite (which has no exact decimal type) too."""

    __tablename__ = "payment"
    __table_args__ = (Index("ix_payment_year_seq", "year", "seq", unique=True),)

    key: str = Field(primary_key=True, max_length=300)
    reference: str = Field(max_length=40, unique=True)
    year: int
    seq: int
    fund_id: str = Field(max_length=64, index=True)
    award_id: str = Field(max_length=200, index=True)
    tranche_id: str = Field(max_length=64)
    application_id: str = Field(max_length=64)
    amount: str = Field(max_length=40, description="Decimal as text, e.g. '18000.00'")
    currency: str = Field(max_length=3)
    status: str = Field(default="reserved", max_length=20, description="'reserved' or 'issued'")
    pdf_sha256: str | None = Field(default=None, max_length=64)
    pages: int = 0
    issued_at: datetime = Field(sa_type=UTCDateTime)


# ---------------------------------------------------------------- co-production funds (reference data)


class FundRow(SQLModel, table=True):
    """A fund's definition as its managers keep it: the fund, its calls and the people of its
    process. Each application receives a snapshot of it when it is submitted."""

    __tablename__ = "fund"

    id: str = Field(primary_key=True, max_length=64)
    title: str = Field(max_length=300)
    definition: dict[str, Any] = Field(sa_type=JSONType)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
