"""Payment rows: once per key, numbered PAY-<year>-<seq> without gaps or repeats, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

import pytest
from sqlalchemy import Engine

from store import payments
from store.payments import PaymentConflict, Reservation
from tests.grants.builders import payment_request, tranches

T = TypeVar("T")


def concurrently(fns: list[Callable[[], T]]) -> list[T]:
    """Run the functions in threads released together; re-raise the first error."""
    barrier = threading.Barrier(len(fns))
    results: list[T | None] = [None] * len(fns)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fns[i]()
        except BaseException as e:  # noqa: BLE001 - handed to the test thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]


def test_reserve_is_once_per_key_and_numbers_follow_each_other(engine: Engine) -> None:
    first = payments.reserve(engine, payment_request("k-signature"))
    assert first == Reservation("PAY-2026-000001", "reserved", None)
    assert payments.reserve(engine, payment_request("k-signature")) == first  # a retry: the same row
    second = payments.reserve(engine, payment_request("k-milestone", tranche=1))
    assert second.reference == "PAY-2026-000002"
    next_year = payment_request("k-delivery", tranche=2, issued_at=datetime(2027, 1, 3, tzinfo=UTC))
    assert payments.reserve(engine, next_year).reference == "PAY-2027-000001"  # numbering restarts each year
    assert [p.reference for p in payments.list_payments(engine)] == ["PAY-2026-000001", "PAY-2026-000002", "PAY-2027-000001"]


def test_amounts_round_trip_exactly(engine: Engine) -> None:
    awkward = tranches()[0].model_copy(update={"amount": Decimal("12345678901.07")})
    payments.reserve(engine, payment_request("k-big", tranche=awkward))
    stored = payments.get(engine, "k-big")
    assert stored is not None and stored.amount == Decimal("12345678901.07") and str(stored.amount) == "12345678901.07"
    assert stored.issued_at == datetime(2026, 5, 4, 10, 0, tzinfo=UTC) and stored.currency == "USD"


def test_mark_issued_first_wins(engine: Engine) -> None:
    payments.reserve(engine, payment_request("k1"))
    issued = payments.mark_issued(engine, "k1", "a" * 64, 1)
    assert (issued.status, issued.pdf_sha256, issued.pages, issued.issued) == ("issued", "a" * 64, 1, True)
    again = payments.mark_issued(engine, "k1", "b" * 64, 2)  # a late duplicate cannot replace the document
    assert again == issued
    assert payments.reserve(engine, payment_request("k1")) == Reservation(issued.reference, "issued", "a" * 64)
    record = issued.record()
    assert (record.reference, record.amount, record.currency, record.pdf_sha256) == (
        "PAY-2026-000001",
        Decimal("18000.00"),
        "USD",
        "a" * 64,
    )
    with pytest.raises(KeyError, match="no payment is reserved under key nope"):
        payments.mark_issued(engine, "nope", "a" * 64, 1)
    assert payments.get(engine, "nope") is None


def test_a_key_reused_for_another_tranche_is_refused(engine: Engine) -> None:
    payments.reserve(engine, payment_request("k1"))
    with pytest.raises(PaymentConflict, match="payment key k1 is already PAY-2026-000001 for tranche signature"):
        payments.reserve(engine, payment_request("k1", tranche=1))
    assert len(payments.list_payments(engine)) == 1


def test_list_filters_by_fund_and_award(engine: Engine) -> None:
    payments.reserve(engine, payment_request("a1"))
    payments.reserve(engine, payment_request("b1", award_id="award-other"))
    assert [p.key for p in payments.list_payments(engine, award_id="award-other")] == ["b1"]
    assert [p.key for p in payments.list_payments(engine, fund_id="sco-film-fund-2026")] == ["a1", "b1"]
    assert payments.list_payments(engine, fund_id="another-fund") == []


def test_concurrent_reservations_of_different_keys_get_different_numbers(engine: Engine) -> None:
    n = 12
    got = concurrently([lambda i=i: payments.reserve(engine, payment_request(f"key-{i}")) for i in range(n)])
    numbers = sorted(r.reference for r in got)
    assert numbers == [f"PAY-2026-{i:06d}" for i in range(1, n + 1)]  # unique and without gaps
    assert len(payments.list_payments(engine)) == n


def test_concurrent_reservations_of_the_same_key_get_the_same_row(engine: Engine) -> None:
    got = concurrently([lambda: payments.reserve(engine, payment_request("same")) for _ in range(8)])
    assert set(got) == {Reservation("PAY-2026-000001", "reserved", None)}
    assert [p.key for p in payments.list_payments(engine)] == ["same"]
