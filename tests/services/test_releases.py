"""Festival files, parties from the directory and release actions from outside Temporal, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from demo.releases import AWARDS, PLANS
from domain.readmodel import ItemSnapshot
from domain.releases.festival import member_countries_for
from domain.releases.process import LicenceAction, RecordAwardAction, RegisterFilmAction, ReleaseStage
from services import actions
from services import releases as svc
from settings import Settings
from store.directory import load_directory
from store.projections import project_item
from tests.workflows.joint_program import until
from workflows.country_release import CountryReleaseWorkflow, release_workflow_id

ROOT = Path(__file__).resolve().parents[2]
FESTIVAL_FILE = ROOT / "demo" / "releases" / "festival-2026.yaml"


@pytest.fixture
def directory(engine):
    load_directory(engine, ROOT / "demo" / "directory.yaml")
    return engine


def _write(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load(FESTIVAL_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "festival.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_demo_festival_file_builds(directory):
    inp = svc.build_festival(directory, svc.read_festival_file(FESTIVAL_FILE))
    assert inp.edition.id == "sco-2026" and inp.edition.city == "Qingdao"
    assert {c.id for c in inp.edition.categories} >= {"best_film", "most_innovative_ai", "technical_excellence"}
    assert {f.section.value for f in inp.films} == {"competition", "short_films", "childrens_films", "youth_ai"}
    assert [p.id for p in inp.people.festival_admins] == ["liu-yang", "chen-jing"]  # an admin; a person of the festival
    assert inp.people.liaisons["KR"].id == "kim-minji" and inp.people.liaisons["KZ"].id == "aigerim-nurlanova"
    assert sorted(inp.people.liaisons) == sorted(inp.rules)  # every member state and Korea
    assert [p.id for p in inp.people.board] == ["board-ahmed", "board-mirzaeva", "board-sato"]
    steppe = next(f for f in inp.films if f.id == "steppe-wind")
    assert steppe.rights_holder.name == "Kazakhfilm" and steppe.rights_holder.country == "KZ" and steppe.edition_id == "sco-2026"
    lic = inp.licensors["steppe-wind"]
    assert [p.id for p in lic.approvers] == ["aigerim-nurlanova"] == [p.id for p in lic.signatories]
    assert set(inp.licensors) == {f.id for f in inp.films}
    films = {f.id for f in inp.films}
    assert {a[1] for a in AWARDS} <= films and {film for film, _ in PLANS} <= films  # the demo's plans match its file
    for film, country in PLANS:
        assert country in member_countries_for(next(f for f in inp.films if f.id == film))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(festival_admins=["nobody-here"]), "festival_admins.0: no person 'nobody-here' in the directory"),
        (lambda d: d.update(festival_admins=["kim-minji"]), "festival_admins.0: kim-minji is neither an admin nor of the festival's organisation"),
        (lambda d: d["films"][0].update(rights_holder="atlantis-films"), "films.0.rights_holder: no organisation 'atlantis-films' in the directory"),
        (lambda d: d["films"][1].update(rights_holder="moe-kr"), "films.1.rights_holder: moe-kr has no approver and no signatory in the directory"),
        (lambda d: d["films"][2].update(id="steppe-wind"), "films.2.id: the film steppe-wind is listed twice"),
        (lambda d: d["films"][5].update(runtime_minutes=95), "films.5: a film in the short films section runs 40 minutes at most; “Tunduk” runs 95"),
        (lambda d: d["films"][0].update(year=2027), "films.0.year: completed in 2027, after the 2026 edition"),
        (lambda d: d.update(liaisons={"KR": "wang-lei"}), "liaisons.KR: wang-lei is not a liaison for KR in the directory"),
        (lambda d: d.update(liaisons={"MN": "kim-minji"}), "liaisons.MN: release recommendations go to"),
        (lambda d: d.update(board=["liu-yang"]), "board.0: liu-yang is not a board member in the directory"),
    ],
)  # fmt: skip
def test_bad_festival_files_name_the_field(directory, tmp_path, change, message):
    with pytest.raises(svc.InputError) as e:
        svc.build_festival(directory, svc.read_festival_file(_write(tmp_path, change)))
    assert message in str(e.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["edition"].update(closes_on="2026-06-01"), "edition: Value error, the festival closes (2026-06-01) before it opens"),
        (lambda d: d["films"][0].update(section="documentary"), "films.0.section"),
        (lambda d: d["films"][0].update(origin_countries=["XX"]), "films.0.origin_countries.0"),
        (lambda d: d["films"][0].update(eidr_id="10.5240/5C1A-2F3B-0D4E-8A71-19C0-X"), "its check character should be S"),
        (lambda d: d.update(festival_admins=[]), "festival_admins"),
        (lambda d: d.update(venue="Qingdao Grand Theatre"), "venue"),
    ],
)  # fmt: skip
def test_malformed_festival_files_name_the_field(tmp_path, change, message):
    with pytest.raises(svc.InputError) as e:
        svc.read_festival_file(_write(tmp_path, change))
    assert message in str(e.value) and str(tmp_path) in str(e.value)


def test_party_for_a_distributor(directory):
    p = svc.party_for(directory, "cj-dist")
    assert p.country == "KR" and p.names["en"] == "Hanbit Pictures Distribution"
    assert [x.id for x in p.approvers] == ["han-jiyoung"] == [x.id for x in p.signatories]
    with pytest.raises(svc.InputError, match="organisation: no organisation 'atlantis' in the directory"):
        svc.party_for(directory, "atlantis")
    with pytest.raises(svc.InputError, match="licensee_id: moe-kr has no approver and no signatory"):
        svc.party_for(directory, "moe-kr", "licensee_id")


LICENCE = {"actor_id": "kim-minji", "deal_id": "steppe-wind-kr-1", "media": ["theatrical"], "starts_on": "2026-12-01",
           "ends_on": "2028-11-30", "exclusive": True, "fee": "40000", "currency": "USD"}  # fmt: skip


def test_parse_action_resolves_the_licensee_id(directory):
    wid = "release-steppe-wind-kr"
    a = svc.parse_action(wid, "propose_licence", {**LICENCE, "licensee_id": "cj-dist"}, engine=directory)
    assert isinstance(a, LicenceAction) and a.licensee.organisation_id == "cj-dist" and a.licensee.signatories[0].id == "han-jiyoung"
    b = actions.parse_action(wid, "propose_licence", {**LICENCE, "licensee_id": "cj-dist"}, engine=directory)  # the one entry point
    assert b == a
    r = svc.parse_action("festival-sco-2026", "register_film", {"actor_id": "liu-yang", "licensor_id": "belarusfilm", "film": {
        "id": "new-film", "edition_id": "sco-2026", "section": "competition", "original_title": "X", "english_title": "X",
        "origin_countries": ["BY"], "rights_holder": {"organisation_id": "belarusfilm", "name": "Belarusfilm", "country": "BY"},
        "runtime_minutes": 90, "languages": ["be"], "year": 2025}}, engine=directory)  # fmt: skip
    assert isinstance(r, RegisterFilmAction) and r.licensor.signatories[0].id == "olga-kovalenko"
    with pytest.raises(svc.InputError, match="licensee_id: no organisation 'atlantis' in the directory"):
        svc.parse_action(wid, "propose_licence", {**LICENCE, "licensee_id": "atlantis"}, engine=directory)
    with pytest.raises(svc.InputError, match="licensee_id: the directory is not at hand here"):
        actions.parse_action(wid, "propose_licence", {**LICENCE, "licensee_id": "cj-dist"})


@pytest.mark.parametrize(
    ("wid", "name", "data", "message"),
    [
        ("release-steppe-wind-kr", "dance", {"actor_id": "kim-minji"},
         "action: 'dance' is not an action on a country release; choose from acknowledge, classify"),
        ("festival-sco-2026", "classify", {"actor_id": "liu-yang"}, "'classify' is not an action on a festival; choose from record_award"),
        ("grant-x", "classify", {"actor_id": "liu-yang"}, "'grant-x' is neither a festival nor a country release"),
        ("release-steppe-wind-kr", "classify", {"actor_id": "kim-minji", "outcome": "maybe"}, "outcome"),
        ("release-steppe-wind-kr", "record_subsidy", {"actor_id": "kim-minji", "outcome": "granted", "amount": "lots"}, "amount"),
        ("release-steppe-wind-kr", "propose_licence", {**LICENCE, "licensee_id": "cj-dist", "licensee": {}}, "give either licensee_id or licensee"),
        ("release-steppe-wind-kr", "propose_licence", {**LICENCE, "licensee_id": 5}, "licensee_id: give the organisation id"),
        ("release-steppe-wind-kr", "propose_licence", LICENCE, "licensee"),
        ("release-steppe-wind-kr", "schedule_release", {"actor_id": "kim-minji", "release_on": "soon", "platform": "CGV"}, "release_on"),
        ("festival-sco-2026", "record_award", {"actor_id": "liu-yang", "award": {"id": "a1"}}, "award.film_id"),
    ],
)  # fmt: skip
def test_parse_action_errors_name_the_field(directory, wid, name, data, message):
    with pytest.raises(svc.InputError) as e:
        svc.parse_action(wid, name, data, engine=directory)
    assert message in str(e.value)


def released(film: str, country: str, origin: list[str], on: str, media: str = "theatrical") -> ItemSnapshot:
    summary = {"film_id": film, "country": country, "origin_countries": origin, "released_on": on, "abroad": country not in origin}
    detail = {"licence": {"grant": {"deal_id": f"{film}-{country.lower()}", "media": [media]}}}
    return ItemSnapshot(item_id=f"release-{film}-{country.lower()}", item_type="country_release", kind=country, title=f"{film} in {country}",
                        phase="released", summary=summary, detail=detail, projected_seq=1,
                        created_at=datetime(2026, 6, 20, tzinfo=UTC))  # fmt: skip


def test_the_target_counts_films_released_abroad(engine):
    for item in [released("steppe-wind", "RU", ["KZ"], "2026-11-17"), released("steppe-wind", "KR", ["KZ"], "2026-12-01", "streaming"),
                 released("tunduk", "KZ", ["KG"], "2026-11-18"), released("paper-cranes", "RU", ["CN", "RU"], "2026-10-01"),
                 released("signals", "UZ", ["KR"], "2027-01-10")]:  # fmt: skip
        project_item(engine, item)
    records = svc.release_records(engine)
    assert len(records) == 5 and {r.deal_id for r in records} >= {"steppe-wind-ru", "tunduk-kz"}
    p = svc.target_progress(engine, 2026)
    assert p.summary() == "2026: 2 of 5 films released abroad through the network; 3 to go."
    assert [f.film_id for f in p.films] == ["steppe-wind", "tunduk"] and p.by_country == {"KR": 1, "KZ": 1, "RU": 1}
    assert svc.target_progress(engine, 2027).achieved == 1


async def test_open_the_demo_festival_and_record_an_award(env, worker, directory, monkeypatch):
    """On the time-skipping server: the festival starts once, an award from outside fans the film
    out to every member country, and a liaison's action reaches one of them (or comes back as a sentence)."""
    _, _, queue = worker
    monkeypatch.setattr(svc, "get_settings", lambda: Settings(task_queue=queue))
    wid = await svc.open_festival(env.client, directory, FESTIVAL_FILE)
    assert wid == "festival-sco-2026"
    assert await svc.open_festival(env.client, directory, FESTIVAL_FILE) == wid  # already open: fine
    award = {"id": "aw-2026-01", "edition_id": "sco-2026", "film_id": "steppe-wind", "category_id": "best_film",
             "awarded_on": date(2026, 6, 18).isoformat()}  # fmt: skip
    with pytest.raises(svc.ActionRejected, match="kim-minji cannot record awards"):
        await svc.act(env.client, wid, "record_award", svc.parse_action(wid, "record_award", {"actor_id": "kim-minji", "award": award}))
    a = actions.parse_action(wid, "record_award", {"actor_id": "liu-yang", "award": award}, engine=directory)
    assert isinstance(a, RecordAwardAction)
    r = await actions.act(env.client, wid, "record_award", a, update_id="aw1")
    assert len(r.started) == 10 and release_workflow_id("steppe-wind", "KR") in r.started  # every member and Korea but Kazakhstan
    again = await actions.act(env.client, wid, "record_award", a, update_id="aw1")  # the same update id counts once
    assert again.started == r.started
    kr = release_workflow_id("steppe-wind", "KR")
    h = env.client.get_workflow_handle(kr)
    await until(h, CountryReleaseWorkflow.state, lambda s: s.documents, "letter")
    with pytest.raises(svc.ActionRejected, match="only Kim Min-ji, the liaison for KR, can"):
        await svc.act(env.client, kr, "acknowledge", svc.parse_action(kr, "acknowledge", {"actor_id": "wang-lei"}))
    res = await svc.act(env.client, kr, "acknowledge", svc.parse_action(kr, "acknowledge", {"actor_id": "kim-minji"}), "ack")
    assert res.stage == ReleaseStage.CLASSIFICATION.value
    lic = (await h.query(CountryReleaseWorkflow.state)).licensor
    assert lic.organisation_id == "kazakhfilm" and lic.signatories[0].id == "aigerim-nurlanova"
