"""Fund files, application files and grant actions from outside Temporal, on both databases."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from demo.grants import PLANS
from domain.grants.process import ApplicationStage, ScoreAction, VoteAction
from services import grants as svc
from settings import Settings
from store.directory import load_directory
from tests.workflows.joint_program import until
from workflows.grant_application import GrantApplicationWorkflow

ROOT = Path(__file__).resolve().parents[2]
FUND_FILE = ROOT / "demo" / "grants" / "fund-2026.yaml"
APPLICATIONS = sorted((ROOT / "demo" / "grants" / "applications").glob("*.yaml"))


@pytest.fixture
def directory(engine):
    load_directory(engine, ROOT / "demo" / "directory.yaml")
    return engine


@pytest.fixture
def fund(directory):
    svc.save_fund(directory, svc.build_fund(directory, svc.read_fund_file(FUND_FILE)))
    return directory


def _write(tmp_path: Path, source: Path, change: Any, name: str = "file.yaml") -> Path:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_demo_fund_file_builds(directory):
    d = svc.build_fund(directory, svc.read_fund_file(FUND_FILE))
    assert d.fund.id == "sco-film-fund-2026" and d.fund.budget == Decimal("1000000")
    assert [c.id for c in d.calls] == ["main-2026", "pitch-2026"]
    assert [p.id for p in d.people.fund_managers] == ["chen-jing"]
    assert [p.id for p in d.people.board] == ["board-ahmed", "board-sato", "board-mirzaeva"]
    assert all(c.board.quorum == 2 for c in d.calls)
    countries = {r.id: r.country for r in d.people.reviewers}
    assert countries["aigerim-sadykova"] == "KZ" and countries["reviewer-rao"] == "IN" and countries["li-wei"] == "CN"
    assert {r.id: r.organisation_id for r in d.people.reviewers}["aigerim-sadykova"] == "kazakhfilm"
    assert d.fund_party.organisation_id == "sco-festival" and [p.id for p in d.fund_party.signatories] == ["liu-yang"]
    assert d.people.liaisons["KZ"].id == "aigerim-nurlanova"
    svc.save_fund(directory, d)
    assert svc.get_fund(directory, d.fund.id) == d and [f.fund.id for f in svc.list_funds(directory)] == [d.fund.id]
    svc.save_fund(directory, d)  # saving again replaces it
    assert len(svc.list_funds(directory)) == 1


def test_every_demo_application_file_builds(fund):
    ids = []
    for path in APPLICATIONS:
        inp = svc.build_submission(fund, svc.read_application_file(path))
        a = inp.application
        ids.append(a.id)
        assert inp.call.id == a.call_id and inp.fund.id == "sco-film-fund-2026"
        grantee = inp.parties.grantee_party  # the lead producer signs the grant agreement from the directory
        assert grantee.organisation_id == a.lead.organisation_id
        assert [p.id for p in grantee.approvers] == [a.contact.id] == [p.id for p in grantee.signatories]
        assert inp.parties.initiator.id == "chen-jing"
    assert sorted(ids) == sorted(PLANS)  # every demo application has a plan, and every plan a file


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(fund_managers=["nobody-here"]), "fund_managers.0: no person 'nobody-here' in the directory"),
        (lambda d: d.update(fund_managers=["kim-minji"]), "fund_managers.0: kim-minji is not a fund manager in the directory"),
        (lambda d: d.update(signatories=["kim-minji"]), "signatories.0: kim-minji is not a signatory for sco-festival in the directory"),
        (lambda d: d["reviewers"].append({"person": "chen-jing"}), "reviewers.7.person: chen-jing is not a reviewer in the directory"),
        (lambda d: d.update(board=["board-ahmed"]), "calls.0.board.quorum: 2 can never be reached by a board of 1"),
        (lambda d: d.update(board=["liu-yang"]), "board.0: liu-yang is not a board member in the directory"),
        (lambda d: d.update(organisation="atlantis-films"), "organisation: no organisation 'atlantis-films' in the directory"),
        (lambda d: d["calls"][1].update(fund_id="another-fund"), "calls.1.fund_id: the call names fund another-fund"),
        (lambda d: d["calls"][0].update(max_amount="2000000"), "calls.0: The call “Co-production grants 2026–27” cannot be opened"),
    ],
)  # fmt: skip
def test_bad_fund_files_name_the_field(directory, tmp_path, change, message):
    with pytest.raises(svc.InputError) as e:
        svc.build_fund(directory, svc.read_fund_file(_write(tmp_path, FUND_FILE, change)))
    assert message in str(e.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["fund"].update(budget="a million"), "fund.budget"),
        (lambda d: d["fund"].update(budget="-5"), "fund.budget"),
        (lambda d: d["fund"]["sponsors"][0].update(contribution="500000"), "the sponsors' contributions add up to 900,000.00 USD"),
        (lambda d: d["calls"][0].update(max_amount="lots"), "calls.0.max_amount"),
        (lambda d: d["calls"][0]["tranche_schedule"][2].update(percent=30), "the tranches add up to 110% of the award"),
        (lambda d: d["calls"][0].update(closes_on="2026-08-01"), "before it opens on 2026-09-01"),
        (lambda d: d["calls"][0]["board"].update(quorum=0), "calls.0.board.quorum"),
        (lambda d: d.update(calls=[]), "calls"),
        (lambda d: d.update(colour="blue"), "colour"),
    ],
)  # fmt: skip
def test_malformed_fund_files_name_the_field(tmp_path, change, message):
    with pytest.raises(svc.InputError) as e:
        svc.read_fund_file(_write(tmp_path, FUND_FILE, change))
    assert message in str(e.value) and str(tmp_path) in str(e.value)


def test_unreadable_fund_files(tmp_path):
    with pytest.raises(svc.InputError, match="no such file"):
        svc.read_fund_file(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("fund: {id: x\n")
    with pytest.raises(svc.InputError, match="not valid YAML"):
        svc.read_fund_file(tmp_path / "bad.yaml")
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(svc.InputError, match="expected a mapping"):
        svc.read_fund_file(tmp_path / "list.json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(contact="nobody-here"), "contact: no person 'nobody-here' in the directory"),
        (lambda d: d["application"].update(call_id="autumn-2030"),
         "application.call_id: fund sco-film-fund-2026 has no call 'autumn-2030'; its calls are main-2026, pitch-2026"),
        (lambda d: d.update(fund_id="no-such-fund"), "fund_id: no fund 'no-such-fund'; open it from its fund file first"),
        (lambda d: d["application"].update(requested_amount="a lot"), "application.requested_amount"),
        (lambda d: d["application"]["budget"][0].update(amount="-60000"), "application.budget.0.amount"),
        (lambda d: d["application"]["team"][0].update(country="XX"), "'XX' is not the ISO 3166 code of a network country"),
        (lambda d: d["application"]["financing"][1].update(amount="1"), "application"),
    ],
)  # fmt: skip
def test_bad_application_files_name_the_field(fund, tmp_path, change, message):
    path = _write(tmp_path, APPLICATIONS[0], change)
    with pytest.raises(svc.InputError) as e:
        svc.build_submission(fund, svc.read_application_file(path))
    assert message in str(e.value)


def test_an_application_file_with_an_unknown_field(tmp_path):
    path = _write(tmp_path, APPLICATIONS[0], lambda d: d.update(deadline="tomorrow"))
    with pytest.raises(svc.InputError, match="deadline"):
        svc.read_application_file(path)


@pytest.mark.parametrize(
    ("wid", "name", "data", "message"),
    [
        ("application-in-kz-drama", "dance", {"actor_id": "chen-jing"},
         "action: 'dance' is not an action on a grant application; choose from screen, score"),
        ("grant-in-kz-drama", "screen", {"actor_id": "chen-jing", "passed": True}, "'screen' is not an action on a grant; choose from submit_report"),
        ("agreement-x", "screen", {"actor_id": "chen-jing"}, "'agreement-x' is neither a grant application nor a grant"),
        ("application-in-kz-drama", "vote", {"actor_id": "board-ahmed", "choice": "maybe"}, "choice"),
        ("application-in-kz-drama", "vote", {"actor_id": "board-ahmed", "choice": "approve", "amount": "lots"}, "amount"),
        ("application-in-kz-drama", "screen", {"actor_id": "chen-jing"}, "passed"),
        ("application-in-kz-drama", "score", {"actor_id": "li-wei", "values": {}}, "values"),
        ("application-in-kz-drama", "decline_review", {"actor_id": "li-wei", "reason": ""}, "reason"),
        ("grant-in-kz-drama", "submit_report", {"actor_id": "priya-nair", "tranche_id": "milestone"}, "reference"),
        ("grant-in-kz-drama", "cancel", {"actor_id": "chen-jing", "reason": "Abandoned", "clawback": "-1"}, "clawback"),
    ],
)  # fmt: skip
def test_parse_action_errors_name_the_field(wid, name, data, message):
    with pytest.raises(svc.InputError) as e:
        svc.parse_action(wid, name, data)
    assert message in str(e.value)


def test_parse_action_builds_the_model():
    a = svc.parse_action("application-x", "vote", {"actor_id": "board-sato", "choice": "approve", "amount": "115000"})
    assert isinstance(a, VoteAction) and a.amount == Decimal("115000")
    s = svc.parse_action("application-x", "score", {"actor_id": "li-wei", "values": {"artistic_merit": 8}})
    assert isinstance(s, ScoreAction)


async def test_open_the_demo_fund_submit_and_act(env, worker, fund, monkeypatch):
    """On the time-skipping server: the fund's ledger starts once, an application is submitted
    once, and an action from outside reaches it (or comes back as a sentence)."""
    _, _, queue = worker
    monkeypatch.setattr(svc, "get_settings", lambda: Settings(task_queue=queue))
    d = await svc.open_fund(env.client, fund, FUND_FILE)
    await svc.open_fund(env.client, fund, FUND_FILE)  # the running ledger is left as it is
    assert await env.client.get_workflow_handle("fund-sco-film-fund-2026").query("figures") is not None
    f = svc.read_application_file(APPLICATIONS[0])
    wid = await svc.submit(env.client, fund, f)
    assert wid == "application-in-kz-drama" and d.fund.id == f.fund_id
    with pytest.raises(svc.InputError, match=r"application\.id: an application 'in-kz-drama' was already submitted"):
        await svc.submit(env.client, fund, f)
    h = env.client.get_workflow_handle(wid)
    await until(h, GrantApplicationWorkflow.state, lambda s: s.stage is ApplicationStage.SCREENING, "screening")
    with pytest.raises(svc.ActionRejected, match="priya-nair cannot screen applications"):
        await svc.act(env.client, wid, "screen", svc.parse_action(wid, "screen", {"actor_id": "priya-nair", "passed": True}))
    r = await svc.act(env.client, wid, "screen", svc.parse_action(wid, "screen", {"actor_id": "chen-jing", "passed": True}), "s1")
    assert r.stage == "review"
    st = await h.query(GrantApplicationWorkflow.state)
    panel = {x.reviewer.id for x in st.active_reviews}
    assert len(panel) == 3 and not panel & {"reviewer-rao", "aigerim-sadykova"}  # Indian lead; works for Kazakhfilm
