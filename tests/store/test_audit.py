"""The audit log on SQLite and PostgreSQL: events, sign-ins and refusals are chained; the
database refuses edits; `verify` names the row that was edited, removed or reordered."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from domain.agreements import Event
from domain.readmodel import ItemParty, ItemSnapshot
from store import accounts, audit
from store.audit import AuditEntry
from store.db import transaction
from store.directory import load_directory
from store.projections import forget_item, project_item
from tests.dashboard.seed import DEMO_DIRECTORY

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def item(seq: int) -> ItemSnapshot:
    return ItemSnapshot(item_id="mou-kr-kz", item_type="agreement", title="Korea–Kazakhstan MOU", phase="review",
                        parties=[ItemParty(organisation_id="kofic", country="KR")], projected_seq=seq)  # fmt: skip


def events(n: int) -> list[Event]:
    return [Event(seq=i, at=T0 + timedelta(minutes=i), kind="commented", actor_id="kim-minji", detail=f"comment {i} «한국»")
            for i in range(1, n + 1)]  # fmt: skip


def chain(engine: Engine, n: int = 5) -> None:
    project_item(engine, item(n), [], events(n), [])


def drop_guards(engine: Engine) -> None:
    """What someone with the database's keys would do first."""
    with transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER audit_log_no_change ON audit_log"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))


def test_every_event_is_chained_once_even_when_the_item_is_rebuilt(engine: Engine) -> None:
    chain(engine, 3)
    chain(engine, 5)  # a later projection re-sends the first three
    report = audit.verify(engine)
    assert report.ok and report.rows == 5 and report.head_seq == 5
    rows = audit.tail(engine)
    assert [r["item_seq"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["prev_hash"] == audit.GENESIS and all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(rows))
    forget_item(engine, "mou-kr-kz")  # rebuilt from its workflow: the log keeps its rows, once
    chain(engine, 5)
    assert audit.verify(engine).rows == 5
    assert audit.head(engine) == (5, rows[-1]["hash"])


def test_the_database_refuses_edits_and_deletions(engine: Engine) -> None:
    chain(engine, 2)
    for statement in ("UPDATE audit_log SET detail = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 2"):
        with pytest.raises((DBAPIError, IntegrityError), match="append-only"), transaction(engine) as conn:
            conn.execute(text(statement))
    assert audit.verify(engine).ok


def test_verify_names_an_edited_row(engine: Engine) -> None:
    chain(engine)
    drop_guards(engine)
    with transaction(engine) as conn:
        conn.execute(text("UPDATE audit_log SET detail = 'approved by nobody' WHERE seq = 3"))
    report = audit.verify(engine)
    assert [(p.seq, p.what) for p in report.problems] == [(3, "row 3 was edited or moved: its content does not match its hash")]


def test_verify_names_a_removed_row(engine: Engine) -> None:
    chain(engine)
    drop_guards(engine)
    with transaction(engine) as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    [problem] = audit.verify(engine).problems
    assert problem.seq == 2 and problem.what.startswith("row 2 removed")


def test_verify_names_reordered_rows(engine: Engine) -> None:
    chain(engine)
    drop_guards(engine)
    with transaction(engine) as conn:  # swap rows 2 and 3, numbers kept in order
        conn.execute(text("UPDATE audit_log SET seq = 100 WHERE seq = 2"))
        conn.execute(text("UPDATE audit_log SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_log SET seq = 3 WHERE seq = 100"))
    problems = {p.seq: p.what for p in audit.verify(engine).problems}
    assert problems == {2: "row 2 was edited or moved: its content does not match its hash",
                        3: "row 3 was edited or moved: its content does not match its hash",
                        4: "row 4 does not follow row 3: rows were reordered or replaced"}  # fmt: skip


def test_a_rewritten_chain_from_a_row_onwards_is_still_caught_at_that_row(engine: Engine) -> None:
    """Editing a row and re-hashing only it breaks the link to the next row."""
    chain(engine)
    drop_guards(engine)
    rows = audit.tail(engine)
    r = rows[1]
    forged = audit.row_hash(r["seq"], r["at"], r["category"], r["item_id"], r["item_seq"], r["actor_id"], r["kind"], "forged",
                            r["prev_hash"])  # fmt: skip
    with transaction(engine) as conn:
        conn.execute(text("UPDATE audit_log SET detail = 'forged', hash = :h WHERE seq = 2"), {"h": forged})
    [problem] = audit.verify(engine).problems
    assert problem.seq == 3 and "does not follow row 2" in problem.what


def test_sign_ins_failures_lockouts_sign_outs_and_refusals_are_logged(engine: Engine) -> None:
    load_directory(engine, DEMO_DIRECTORY)
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(engine, "nobody.here", "whatever-password")
    for _ in range(accounts.MAX_FAILED_ATTEMPTS):
        with pytest.raises(accounts.AccountError):
            accounts.authenticate(engine, "liaison.kr", "wrong-password")
    person = accounts.authenticate(engine, "liaison.cn", "helix-demo")
    token = accounts.start_session(engine, person.id, 60)
    accounts.end_session(engine, token)
    audit.append(engine, [AuditEntry(at=datetime.now(UTC), category="refused", kind="approve", item_id="mou-kr-kz",
                                     actor_id=person.id, detail="Only the Korean liaison may approve for KOFIC.")])  # fmt: skip
    rows = audit.tail(engine, 100)
    categories = [r["category"] for r in rows]
    assert categories.count("sign_in_failed") == 1 + accounts.MAX_FAILED_ATTEMPTS
    assert categories.count("locked") == 1 and categories[-3:] == ["sign_in", "sign_out", "refused"]
    assert all("wrong-password" not in str(r["detail"]) and "helix-demo" not in str(r["detail"]) for r in rows)
    assert audit.verify(engine).ok
