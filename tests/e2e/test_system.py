"""End to end on the real Temporal dev server, real activities, real PDFs and read model.

The crash test runs the worker as a separate process and kills it with SIGKILL while the executed
PDF is being produced; a new worker finishes the job and exactly one executed PDF exists.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from demo.seed import act_when_ready
from domain.agreements import AgreementSpec, Phase
from services import agreements as svc
from settings import Settings
from store import queries
from store.blobs import BlobStore
from store.db import init_db, make_engine
from store.directory import load_directory
from worker import serving

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def settings_for(tmp: Path) -> Settings:
    return Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'helix.db'}", task_queue="helix-e2e")


def prepare(tmp: Path, monkeypatch: pytest.MonkeyPatch, demo_file: str) -> tuple[Settings, Engine, AgreementSpec]:
    """Settings on a fresh data folder, the demo directory loaded, and a demo agreement's spec."""
    s = settings_for(tmp)
    monkeypatch.setattr("services.agreements.get_settings", lambda: s)
    engine = make_engine(s.resolved_database_url)
    init_db(engine)
    load_directory(engine, ROOT / "demo" / "directory.yaml")
    return s, engine, svc.build_spec(engine, svc.read_agreement_file(ROOT / "demo" / "agreements" / demo_file))


async def wait_for(predicate, seconds: float = 120):  # type: ignore[no-untyped-def]
    for _ in range(int(seconds * 10)):
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


async def test_accession_mou_from_file_to_executed_pdf(dev: WorkflowEnvironment, tmp_path: Path, monkeypatch) -> None:
    s, engine, spec = prepare(tmp_path, monkeypatch, "2-coproduction-kr-cn.yaml")
    async with serving(dev.client, s):
        wid = await svc.start_agreement(dev.client, spec)
        with pytest.raises(svc.InputError):
            await svc.start_agreement(dev.client, spec)
        await act_when_ready(dev.client, wid, "liu-yang", "close_review", {})
        await act_when_ready(dev.client, wid, "wang-lei", "approve", {})
        # stale screen: approving a hash that is not the current version
        with pytest.raises(svc.ActionRejected, match="Conflict"):
            await svc.act(dev.client, wid, "approve", svc.parse_action("approve", {"actor_id": "kim-minji", "version_hash": "0" * 64}))
        await act_when_ready(dev.client, wid, "kim-minji", "approve", {})
        with pytest.raises(svc.ActionRejected, match="turn"):
            await act_when_ready(dev.client, wid, "wang-lei", "sign", {})
        await act_when_ready(dev.client, wid, "park-jihoon", "sign", {})
        await act_when_ready(dev.client, wid, "wang-lei", "sign", {})
        item = await wait_for(lambda: (i := queries.get_item(engine, wid)) and i.phase == Phase.ACTIVE.value and i)
    executed = [d for d in queries.documents_for(engine, wid) if d.kind == "executed"]
    assert len(executed) == 1
    pdf = BlobStore(s.documents_dir).get(executed[0].sha256)
    assert pdf.startswith(b"%PDF") and executed[0].sha256 == item.detail["executed_pdf_sha256"]
    assert not queries.open_steps(engine, item_id=wid)
    assert any("Executed" in m.subject for m in queries.outbox(engine, item_id=wid))


def start_worker_process(s: Settings, address: str, failpoints: str = "") -> subprocess.Popen[bytes]:
    env = {**os.environ, "HELIX_DATA_DIR": str(s.data_dir), "DATABASE_URL": s.resolved_database_url,
           "HELIX_TASK_QUEUE": s.task_queue, "TEMPORAL_ADDRESS": address, "HELIX_FAILPOINTS": failpoints}
    return subprocess.Popen([sys.executable, str(ROOT / "worker.py")], cwd=ROOT, env=env,
                            stdout=open(s.data_dir / "worker.log", "ab"), stderr=subprocess.STDOUT)


async def test_worker_killed_during_signing_yields_one_executed_pdf(dev: WorkflowEnvironment, tmp_path: Path, monkeypatch) -> None:
    s, engine, spec = prepare(tmp_path, monkeypatch, "4-coproduction-kr-kz.yaml")
    address = dev.client.service_client.config.target_host
    worker = start_worker_process(s, address)
    try:
        wid = await svc.start_agreement(dev.client, spec)
        for actor, action in [("liu-yang", "close_review"), ("kim-minji", "approve"), ("aigerim-nurlanova", "approve"),
                              ("park-jihoon", "sign")]:
            await act_when_ready(dev.client, wid, actor, action, {})
        last = asyncio.create_task(act_when_ready(dev.client, wid, "aigerim-nurlanova", "sign", {}))
        await wait_for(lambda: (i := queries.get_item(engine, wid)) and i.phase == Phase.EXECUTING.value)
        await asyncio.sleep(0.3)  # the executed PDF is rendering now
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        worker = start_worker_process(s, address)
        await last
        await wait_for(lambda: (i := queries.get_item(engine, wid)) and i.phase == Phase.ACTIVE.value, seconds=180)
    finally:
        worker.kill()
        worker.wait()
    executed = [d for d in queries.documents_for(engine, wid) if d.kind == "executed"]
    assert len(executed) == 1
    pdfs = [p for p in (s.documents_dir).rglob("*") if p.is_file() and p.read_bytes()[:4] == b"%PDF"]
    versions = [d for d in queries.documents_for(engine, wid) if d.kind == "version"]
    assert len(pdfs) == len(versions) + 1, "a retried render must not leave a second executed PDF"
    sends = [m for m in queries.outbox(engine, item_id=wid) if m.subject.startswith("Executed")]
    assert len(sends) == 1


async def test_joint_program_demo_end_to_end(dev: WorkflowEnvironment, tmp_path: Path, monkeypatch) -> None:
    """The demo program on the real server: students at every stage, real PDFs, the shared table,
    and notice of termination on the MOU reaching every running student record."""
    from demo.programs import seed_programs
    from demo.seed import SCRIPTS
    from domain.student_record import StudentRecordState
    from services import programs as psvc
    from store import programs

    s, engine, spec = prepare(tmp_path, monkeypatch, "7-dual-degree-kafa-vgik.yaml")
    monkeypatch.setattr("services.programs.get_settings", lambda: s)
    async with serving(dev.client, s):
        wid = await svc.start_agreement(dev.client, spec)
        for actor, name, fields in SCRIPTS[spec.id]:
            await act_when_ready(dev.client, wid, actor, name, fields)
        started = await seed_programs(engine, dev.client)
        assert len(started) == 7
        stages = {i.item_id: i.phase for i in queries.list_items(engine, item_type="credit_transfer")}
        assert sorted(stages.values()) == ["department", "home_registrar", "ministry", "partner_registrar", "posted"]
        done = await wait_for(lambda: (i := queries.get_item(engine, "student-nam-gyuri")) and i.phase == "complete" and i)
        docs = await wait_for(lambda: {d.kind: d for d in queries.documents_for(engine, "student-nam-gyuri")} or None)
        assert set(docs) == {"transcript", "certificate"} and done.closed_at is not None
        assert BlobStore(s.documents_dir).get(docs["certificate"].sha256).startswith(b"%PDF")
        posted = "credit-transfer-park-haneul-2026-spring"
        assert [d.kind for d in queries.documents_for(engine, posted)] == ["learning_agreement"]
        saved = [src for e, src in programs.equivalency_rows(engine, "kafa") if e.partner_course_code == "SCR-540"]
        assert saved == ["req-park-haneul-2026-spring"]  # the department's saved decision, in the shared table
        park = StudentRecordState.model_validate(queries.get_item(engine, "student-park-haneul").detail)
        assert {a.institution_id: a.earned_credits > 0 for a in park.audits} == {"kafa": True, "vgik": True}
        # notice of termination: the MOU stops taking new students and requests
        await act_when_ready(dev.client, wid, "petrov-sergey", "terminate", {"reason": "The program moves to a new MOU."})
        record = dev.client.get_workflow_handle("student-seo-yuna")
        await wait_for_async(lambda: record.query("state"), lambda st: st["mou_phase"] == "terminating")
        request = {"id": "req-seo-2026-fall", "program_id": "kafa-vgik-film-ai", "student_id": "seo-yuna", "term": "2026-fall",
                   "taken_at": "vgik", "credited_at": "kafa",
                   "courses": [{"course_code": "DIR-620", "title": "Directing", "credits": "6", "grade": "5"}]}  # fmt: skip
        action = psvc.parse_action("student-seo-yuna", "start_credit_transfer", {"actor_id": "lee-sooyoung", "request": request})
        with pytest.raises(psvc.ActionRejected, match="is terminating, not active"):
            await psvc.act(dev.client, "student-seo-yuna", "start_credit_transfer", action)
        with pytest.raises(psvc.InputError, match="under notice of termination"):
            psvc.build_enrolment(engine, psvc.StudentFile(student_id="new-one", person="seo-yuna", program_id="kafa-vgik-film-ai",
                                                          home_institution_id="kafa", enrolled_term="2027-spring"))  # fmt: skip


async def wait_for_async(fetch, ok, seconds: float = 60):  # type: ignore[no-untyped-def]
    for _ in range(int(seconds * 10)):
        value = await fetch()
        if ok(value):
            return value
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


async def test_worker_killed_during_a_payment_pays_once(dev: WorkflowEnvironment, tmp_path: Path) -> None:
    """The worker dies (a real exit, at a failpoint) after the first tranche's payment is reserved
    and before its instruction is issued; a new worker finishes it: one payment, one instruction,
    one release in the ledger."""
    from decimal import Decimal

    from domain.grants.board import VoteChoice
    from domain.grants.process import CloseVoteAction, ScoreAction, ScreenAction, VoteAction
    from store import payments
    from tests.domain.grants.examples import BOARD
    from tests.workflows.grant_round import MANAGER, start_fund, submit
    from tests.workflows.joint_program import until
    from tests.workflows.test_grants import MARKS, sign_agreement
    from workflows.fund_ledger import FundLedgerWorkflow
    from workflows.grant import GrantWorkflow as G
    from workflows.grant_application import GrantApplicationWorkflow as A

    s = settings_for(tmp_path)
    engine = make_engine(s.resolved_database_url)
    init_db(engine)
    address = dev.client.service_client.config.target_host
    worker = start_worker_process(s, address, failpoints="payment-reserved")
    try:
        fund = await start_fund(dev, s.task_queue)
        h = await submit(dev, s.task_queue)
        await until(h, A.state, lambda st: st.stage == "screening")
        await h.execute_update(A.screen, ScreenAction(actor_id=MANAGER.id, passed=True))
        for r in (await h.query(A.state)).active_reviews:
            await h.execute_update(A.score, ScoreAction(actor_id=r.reviewer.id, values=MARKS))
        for member in BOARD[:4]:
            await h.execute_update(A.vote, VoteAction(actor_id=member, choice=VoteChoice.APPROVE, amount=Decimal("100000")))
        await h.execute_update(A.close_vote, CloseVoteAction(actor_id=MANAGER.id))
        grant = dev.client.get_workflow_handle("grant-in-kz-drama")
        await sign_agreement(dev, grant)
        await wait_for(lambda: worker.poll() is not None, seconds=120)  # the failpoint ended the worker mid-payment
        assert worker.returncode == 137
        [reserved] = payments.list_payments(engine)
        assert reserved.status == payments.RESERVED and reserved.pdf_sha256 is None
        worker = start_worker_process(s, address, failpoints="payment-reserved")  # fires once per data folder
        # Temporal notices the dead worker when the activity's heartbeat times out (30 s), then retries
        st = await wait_for_async(lambda: grant.query(G.state), lambda st: st.payments, seconds=120)
        figures = await fund.query(FundLedgerWorkflow.figures)
    finally:
        worker.kill()
        worker.wait()
    [paid] = payments.list_payments(engine)
    assert paid.status == payments.ISSUED and paid.reference == st.payments[0].reference and paid.amount == Decimal("40000.00")
    assert BlobStore(s.documents_dir).get(paid.pdf_sha256).startswith(b"%PDF")
    assert (figures.committed, figures.released) == (Decimal("100000.00"), Decimal("40000.00"))
