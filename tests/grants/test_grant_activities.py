"""The fund's activities: a payment instruction is issued once per key whatever the retries, crashes and
races; letters are rendered and stored once; reviewer load is counted from the read model."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

import documents.grants as grant_documents
from activities.grants import GrantActivities
from domain.grants.process import LetterKind, ReviewerLoadRequest
from domain.human_steps import OpenStep, StepKind
from domain.parties import PersonRef
from domain.readmodel import ItemSnapshot
from store import payments
from store.blobs import BlobStore
from store.projections import project_item
from tests.grants.builders import ISSUED, award_request, payment_request, rejection_request
from tests.grants.test_grant_documents import text_of


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The references of every payment instruction rendered during the test."""
    seen: list[str] = []
    real = grant_documents.render_payment_instruction

    def counting(req, reference, **kw):  # type: ignore[no-untyped-def]
        seen.append(reference)
        return real(req, reference, **kw)

    monkeypatch.setattr(grant_documents, "render_payment_instruction", counting)
    return seen


# ---------------------------------------------------------------- issue_payment


async def test_issue_payment_twice_gives_one_row_one_pdf(
    engine: Engine, blobs: BlobStore, font_cache: Path, renders: list[str]
) -> None:
    acts = GrantActivities(engine, blobs, font_cache=font_cache)
    env = ActivityEnvironment()
    req = payment_request(tranche=1)
    first = await env.run(acts.issue_payment, req)
    assert (first.key, first.reference, first.currency, first.pages, first.issued_at) == (
        req.key,
        "PAY-2026-000001",
        "USD",
        1,
        ISSUED,
    )
    assert first.amount == req.tranche.amount
    pdf = blobs.get(first.pdf_sha256)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "PAY-2026-000001" in text_of(pdf) and "This instruction is issued once; its number is unique." in text_of(pdf)
    stored = _files(blobs.root)
    again = await env.run(acts.issue_payment, req)  # a retry after the activity's answer was lost
    assert again == first and renders == ["PAY-2026-000001"] and _files(blobs.root) == stored
    assert [(p.key, p.status) for p in payments.list_payments(engine)] == [(req.key, "issued")]


async def test_a_crash_after_reserving_finishes_the_same_instruction(
    engine: Engine, blobs: BlobStore, font_cache: Path, renders: list[str]
) -> None:
    req = payment_request()
    reserved = payments.reserve(engine, req)  # the worker died right after this
    record = await ActivityEnvironment().run(GrantActivities(engine, blobs, font_cache=font_cache).issue_payment, req)
    assert record.reference == reserved.reference == "PAY-2026-000001" and renders == [record.reference]
    assert [(p.reference, p.status, p.pdf_sha256) for p in payments.list_payments(engine)] == [
        (record.reference, "issued", record.pdf_sha256)
    ]


async def test_a_crash_after_storing_the_pdf_does_not_render_again(
    engine: Engine, blobs: BlobStore, font_cache: Path, renders: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    acts = GrantActivities(engine, blobs, font_cache=font_cache)
    real = payments.mark_issued

    def crash(*_: object, **__: object) -> None:
        raise ConnectionError("database went away")

    monkeypatch.setattr(payments, "mark_issued", crash)
    with pytest.raises(ConnectionError):
        await ActivityEnvironment().run(acts.issue_payment, payment_request())
    stored = _files(blobs.root)
    monkeypatch.setattr(payments, "mark_issued", real)
    record = await ActivityEnvironment().run(acts.issue_payment, payment_request())  # Temporal's retry
    assert renders == ["PAY-2026-000001"] and _files(blobs.root) == stored
    assert [p.pdf_sha256 for p in payments.list_payments(engine)] == [record.pdf_sha256]


async def test_concurrent_issues_of_one_key_render_once(
    engine: Engine, blobs: BlobStore, font_cache: Path, renders: list[str]
) -> None:
    acts = GrantActivities(engine, blobs, font_cache=font_cache)
    req = payment_request()
    got = await asyncio.gather(*(ActivityEnvironment().run(acts.issue_payment, req) for _ in range(4)))
    assert len({r.model_dump_json() for r in got}) == 1 and renders == ["PAY-2026-000001"]
    assert len(payments.list_payments(engine)) == 1


def test_two_workers_issuing_one_key_at_once_issue_one_instruction(engine: Engine, blobs: BlobStore, font_cache: Path) -> None:
    """Two workers (two activity instances, threads) race on the same key: one row, one number, one PDF."""
    req = payment_request()
    barrier = threading.Barrier(2)
    results: list[object] = []

    def worker() -> None:
        acts = GrantActivities(engine, blobs, font_cache=font_cache)
        barrier.wait()
        results.append(asyncio.run(ActivityEnvironment().run(acts.issue_payment, req)))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1]
    [row] = payments.list_payments(engine)
    assert (row.status, row.pdf_sha256) == ("issued", results[0].pdf_sha256)  # type: ignore[attr-defined]
    pdfs = [p for p in _files(blobs.root) if "aliases" not in p.parts and p.read_bytes().startswith(b"%PDF")]
    assert len(pdfs) == 1  # rendering is deterministic: a duplicate render writes the same file


async def test_different_tranches_get_different_numbers(engine: Engine, blobs: BlobStore, font_cache: Path) -> None:
    acts = GrantActivities(engine, blobs, font_cache=font_cache)
    got = await asyncio.gather(
        *(ActivityEnvironment().run(acts.issue_payment, payment_request(f"k{i}", tranche=i)) for i in range(3))
    )
    assert sorted(r.reference for r in got) == ["PAY-2026-000001", "PAY-2026-000002", "PAY-2026-000003"]
    assert len({r.pdf_sha256 for r in got}) == 3


async def test_a_key_reused_for_another_tranche_fails_for_good(engine: Engine, blobs: BlobStore, font_cache: Path) -> None:
    acts = GrantActivities(engine, blobs, font_cache=font_cache)
    await ActivityEnvironment().run(acts.issue_payment, payment_request("k"))
    with pytest.raises(ApplicationError, match="already PAY-2026-000001") as e:
        await ActivityEnvironment().run(acts.issue_payment, payment_request("k", tranche=1))
    assert e.value.non_retryable and e.value.type == "PaymentConflict"


# ---------------------------------------------------------------- render_letter


async def test_letters_are_rendered_and_stored_once(
    engine: Engine, blobs: BlobStore, font_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    acts = GrantActivities(engine, blobs, font_cache=font_cache)
    env = ActivityEnvironment()
    award = await env.run(acts.render_letter, award_request())
    assert (award.kind, award.label, award.created_at) == ("award_letter", "Award letter — Silk Road Signals", ISSUED)
    assert award.size == len(blobs.get(award.sha256)) and "45,000.00 USD" in text_of(blobs.get(award.sha256))
    refusal = await env.run(acts.render_letter, rejection_request())
    assert (refusal.kind, refusal.label, refusal.pages) == (LetterKind.REJECTION.value, "Rejection letter — Harbour Lights", 1)
    stored = _files(blobs.root)

    def no_render(*_: object, **__: object) -> None:
        raise AssertionError("rendered again")

    monkeypatch.setattr(grant_documents, "render_letter", no_render)
    assert await env.run(acts.render_letter, award_request()) == award
    assert await env.run(acts.render_letter, rejection_request()) == refusal
    assert _files(blobs.root) == stored


# ---------------------------------------------------------------- reviewer_load

T0 = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


def _reviewer(pid: str) -> PersonRef:
    return PersonRef(id=pid, name=pid.title(), email=f"{pid}@example.org")


def _step(step_id: str, kind: StepKind, *who: str) -> OpenStep:
    return OpenStep(step_id=step_id, kind=kind, label=f"{kind.value} {step_id}", awaited=[_reviewer(w) for w in who],
                    opened_at=T0, due_at=T0 + timedelta(days=21))  # fmt: skip


def _application(engine: Engine, item_id: str, seq: int, *steps: OpenStep) -> None:
    item = ItemSnapshot(item_id=item_id, item_type="grant_application", title=item_id, phase="review", projected_seq=seq,
                        created_at=T0, updated_at=T0 + timedelta(hours=seq))  # fmt: skip
    project_item(engine, item, list(steps))


async def test_reviewer_load_counts_open_review_steps(engine: Engine, blobs: BlobStore) -> None:
    assert StepKind.SCORE.value == "score"
    _application(
        engine,
        "app-in-kz-drama",
        1,
        _step("review-arjun", StepKind.SCORE, "arjun"),
        _step("review-olga", StepKind.SCORE, "olga"),
    )
    _application(engine, "app-cn-ru-animation", 1, _step("review-olga", StepKind.SCORE, "olga"),
                 _step("review-panel", StepKind.SCORE, "olga", "li-wei"),
                 _step("screen", StepKind.APPROVE, "arjun"))  # a screening step is not a review  # fmt: skip
    _application(engine, "app-kr-uz-youth-ai", 1, _step("review-arjun", StepKind.SCORE, "arjun"))
    _application(engine, "app-kr-uz-youth-ai", 2)  # arjun scored it: the step closed

    acts = GrantActivities(engine, blobs)
    env = ActivityEnvironment()
    load = await env.run(acts.reviewer_load, ReviewerLoadRequest(reviewer_ids=["olga", "arjun", "li-wei", "mehmet"]))
    assert load == {"olga": 3, "arjun": 1, "li-wei": 1, "mehmet": 0}
    assert list(load) == ["olga", "arjun", "li-wei", "mehmet"]  # in the order asked
    assert await env.run(acts.reviewer_load, ReviewerLoadRequest(reviewer_ids=[])) == {}
