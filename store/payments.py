"""Payment instructions: one row per key, each with a number no other instruction has.

A payment instruction moves real money, so "at most once" matters more here than anywhere else:
the grant workflow asks for a tranche's instruction through an activity that Temporal may run
twice (a retry after a timeout, a worker that died after the bank-facing PDF was written), and
two instructions for one tranche would be two payments. So the workflow's `key` is the row's
primary key and everything about the instruction is decided by the first request:

- `reserve` inserts the row once (`ON CONFLICT DO NOTHING`, then reads it back), allocating the
  human reference `PAY-<year>-<6-digit seq>` as it does. A second reservation of the same key —
  concurrent or years later — gets the same row and the same number.
- `mark_issued` records the stored PDF's hash; the first issue wins, so a late duplicate render
  cannot replace the document the bank already has.

Numbers are allocated inside the reserving transaction, so an instruction number is never burnt
or reused: on SQLite the write transaction starts with `BEGIN IMMEDIATE` (`store.db`), which
serialises writers; on PostgreSQL a transaction-level advisory lock serialises the allocation
(plain `max(seq) + 1` under READ COMMITTED would hand two transactions the same number). The
unique `(year, seq)` index backs both up: should it ever fire, the reservation is retried.

Amounts are stored as the decimal's text: SQLite has no exact decimal type and would hand back a
float, and a payment a cent off does not reconcile with the bank.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.exc import IntegrityError

from domain.grants.money import plain
from domain.grants.process import PaymentRecord, PaymentRequest
from store.db import dialect_insert, reading, transaction
from store.models import PaymentRow

PAYMENT = PaymentRow.__table__

RESERVED = "reserved"
ISSUED = "issued"

# pg_advisory_xact_lock key for allocating payment numbers (any fixed 64-bit value; this is
# int.from_bytes(sha256(b"helix:payment-reference")[:8], "big", signed=True)).
_PG_LOCK_KEY = -7_657_960_084_554_990_039
_ATTEMPTS = 5


class PaymentConflict(ValueError):
    """A key already reserved for another payment: the caller reused a key, and paying either would be wrong."""


class Reservation(NamedTuple):
    reference: str
    status: str
    pdf_sha256: str | None


class Payment(BaseModel):
    """A payment row as pages and activities see it."""

    key: str
    reference: str
    fund_id: str
    award_id: str
    tranche_id: str
    application_id: str
    amount: Decimal
    currency: str
    status: str
    pdf_sha256: str | None = None
    pages: int = 0
    issued_at: datetime

    @property
    def issued(self) -> bool:
        return self.status == ISSUED

    def record(self) -> PaymentRecord:
        """The activity's answer for an issued payment."""
        if self.pdf_sha256 is None:
            raise ValueError(f"payment {self.reference} ({self.key}) is reserved but not issued yet")
        return PaymentRecord(key=self.key, reference=self.reference, amount=self.amount, currency=self.currency,
                             pdf_sha256=self.pdf_sha256, pages=self.pages, issued_at=self.issued_at)  # fmt: skip


def format_reference(year: int, seq: int) -> str:
    return f"PAY-{year}-{seq:06d}"


def _payment(row: object) -> Payment:
    data = dict(row._mapping)  # type: ignore[attr-defined]
    data["amount"] = Decimal(data["amount"])
    return Payment.model_validate(data)


def _by_key(conn: Connection, key: str) -> Payment | None:
    row = conn.execute(select(PAYMENT).where(PAYMENT.c.key == key)).first()
    return None if row is None else _payment(row)


def _check_same(existing: Payment, req: PaymentRequest) -> None:
    theirs = (existing.fund_id, existing.award_id, existing.tranche_id, existing.amount, existing.currency)
    ours = (req.fund.id, req.award_id, req.tranche.id, req.tranche.amount, req.fund.currency)
    if theirs != ours:
        raise PaymentConflict(
            f"payment key {req.key} is already {existing.reference} for tranche {existing.tranche_id} of award"
            f" {existing.award_id} ({plain(existing.amount)} {existing.currency}); it cannot also pay tranche"
            f" {req.tranche.id} of award {req.award_id} ({plain(req.tranche.amount)} {req.fund.currency})"
        )


def _reserve_in(conn: Connection, req: PaymentRequest) -> Payment:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    existing = _by_key(conn, req.key)
    if existing is not None:
        return existing
    issued_at = req.issued_at if req.issued_at.tzinfo else req.issued_at.replace(tzinfo=UTC)
    year = issued_at.astimezone(UTC).year
    seq = (conn.execute(select(func.max(PAYMENT.c.seq)).where(PAYMENT.c.year == year)).scalar() or 0) + 1
    values = {
        "key": req.key,
        "reference": format_reference(year, seq),
        "year": year,
        "seq": seq,
        "fund_id": req.fund.id,
        "award_id": req.award_id,
        "tranche_id": req.tranche.id,
        "application_id": req.application_id,
        "amount": plain(req.tranche.amount),
        "currency": req.fund.currency,
        "status": RESERVED,
        "pdf_sha256": None,
        "pages": 0,
        "issued_at": issued_at,
    }
    conn.execute(dialect_insert(conn, PAYMENT).values(values).on_conflict_do_nothing(index_elements=[PAYMENT.c.key]))
    found = _by_key(conn, req.key)
    assert found is not None  # inserted now, or by a transaction that committed before ours
    return found


def reserve(engine: Engine, req: PaymentRequest) -> Reservation:
    """The payment for `req.key`: reserved now with a new number, or as an earlier request left it.

    Raises `PaymentConflict` when the key already stands for a different tranche or amount.
    """
    for attempt in range(_ATTEMPTS):
        try:
            with transaction(engine) as conn:
                payment = _reserve_in(conn, req)
            break
        except IntegrityError:  # a number taken by a writer that bypassed the lock: allocate again
            if attempt == _ATTEMPTS - 1:
                raise
    _check_same(payment, req)
    return Reservation(payment.reference, payment.status, payment.pdf_sha256)


def mark_issued(engine: Engine, key: str, pdf_sha256: str, pages: int) -> Payment:
    """Record the instruction's stored PDF; the first call wins, later ones return the stored payment."""
    with transaction(engine) as conn:
        conn.execute(
            update(PAYMENT)
            .where(PAYMENT.c.key == key, PAYMENT.c.status == RESERVED)
            .values(status=ISSUED, pdf_sha256=pdf_sha256, pages=pages)
        )
        payment = _by_key(conn, key)
    if payment is None:
        raise KeyError(f"no payment is reserved under key {key}")
    return payment


def get(engine: Engine, key: str) -> Payment | None:
    with reading(engine) as conn:
        return _by_key(conn, key)


def list_payments(engine: Engine, fund_id: str | None = None, award_id: str | None = None) -> list[Payment]:
    """Payments in number order, optionally of one fund and/or one award."""
    query = select(PAYMENT).order_by(PAYMENT.c.year, PAYMENT.c.seq)
    if fund_id is not None:
        query = query.where(PAYMENT.c.fund_id == fund_id)
    if award_id is not None:
        query = query.where(PAYMENT.c.award_id == award_id)
    with reading(engine) as conn:
        return [_payment(r) for r in conn.execute(query)]


__all__ = [
    "ISSUED",
    "RESERVED",
    "Payment",
    "PaymentConflict",
    "Reservation",
    "format_reference",
    "get",
    "list_payments",
    "mark_issued",
    "reserve",
]
