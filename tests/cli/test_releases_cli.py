"""`helix festival` and `helix release`: one readable line per mistake, and the target from the read model."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import cli
from domain.readmodel import ItemParty, ItemSnapshot
from settings import Settings
from store.db import init_db, make_engine
from store.projections import project_item

ROOT = Path(__file__).resolve().parents[2]
FESTIVAL_FILE = ROOT / "demo" / "releases" / "festival-2026.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def directory_db(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("cli-releases")
    s = Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'cli.db'}")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "get_settings", lambda: s)
        result = runner.invoke(cli.app, ["directory", "load", str(ROOT / "demo" / "directory.yaml")])
    assert result.exit_code == 0, result.output
    return s


@pytest.fixture(autouse=True)
def isolated(directory_db: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "get_settings", lambda: directory_db)


def one_error_line(r, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert r.exit_code == 2, r.output
    assert r.output.startswith("error: ") and expected in r.output, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


def test_festival_open_dry_run_of_the_demo_file() -> None:
    r = runner.invoke(cli.app, ["festival", "open", "--dry-run", str(FESTIVAL_FILE)])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "ok: sco-2026 — SCO Film Festival 2026 (Qingdao): 9 films, 11 liaisons, admins liu-yang, chen-jing"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["films"][0].update(rights_holder="atlantis-films"), "films.0.rights_holder: no organisation 'atlantis-films' in the directory"),
        (lambda d: d.update(festival_admins=["kim-minji"]), "festival_admins.0: kim-minji is neither an admin nor of the festival's organisation"),
        (lambda d: d["edition"].update(sections=["opera"]), "edition.sections.0"),
    ],
)  # fmt: skip
def test_bad_festival_files_are_one_line(tmp_path: Path, change, expected: str) -> None:
    data = yaml.safe_load(FESTIVAL_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "festival.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    one_error_line(runner.invoke(cli.app, ["festival", "open", str(path)]), expected)


def test_festival_open_missing_file(tmp_path: Path) -> None:
    one_error_line(runner.invoke(cli.app, ["festival", "open", str(tmp_path / "nope.yaml")]), "no such file")


def test_festival_award_needs_an_open_festival() -> None:
    r = runner.invoke(cli.app, ["festival", "award", "--edition", "sco-2026", "--film", "steppe-wind", "--category", "best_film",
                                "--as", "liu-yang"])  # fmt: skip
    one_error_line(r, "no festival 'sco-2026' in the read model; open it with 'helix festival open FILE'")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["release-steppe-wind-kr", "acknowledge", "--as", "kim-minji", "--fields", "{oops"], "--fields is not valid JSON"),
        (["release-steppe-wind-kr", "acknowledge", "--as", "kim-minji", "--fields", "[1]"], "--fields must be a JSON object"),
        (["release-steppe-wind-kr", "dance", "--as", "kim-minji"], "'dance' is not an action on a country release"),
        (["festival-sco-2026", "classify", "--as", "liu-yang"], "'classify' is not an action on a festival"),
        (["grant-x", "classify", "--as", "kim-minji"], "'grant-x' is neither a festival nor a country release"),
        (["release-steppe-wind-kr", "classify", "--as", "kim-minji", "--fields", '{"outcome": "maybe"}'], "outcome"),
        (["release-steppe-wind-kr", "propose_licence", "--as", "kim-minji", "--fields",
          '{"deal_id": "d-1", "licensee_id": "atlantis", "media": ["theatrical"], "starts_on": "2026-12-01", "ends_on": "2027-12-01",'
          ' "fee": "100", "currency": "USD"}'], "licensee_id: no organisation 'atlantis' in the directory"),
        (["release-steppe-wind-kr", "propose_licence", "--as", "kim-minji", "--fields", '{"licensee_id": "moe-kr"}'],
         "licensee_id: moe-kr has no approver and no signatory in the directory"),
    ],
)  # fmt: skip
def test_release_act_errors_are_one_line(args: list[str], expected: str) -> None:
    one_error_line(runner.invoke(cli.app, ["release", "act", *args]), expected)


def test_release_list_show_and_target_on_an_empty_read_model() -> None:
    r = runner.invoke(cli.app, ["release", "list", "--country", "kr", "--stage", "classification"])
    assert r.exit_code == 0 and r.output.strip() == "(0 country releases)"
    one_error_line(runner.invoke(cli.app, ["release", "show", "release-steppe-wind-kr"]), "no country release 'release-steppe-wind-kr'")
    r = runner.invoke(cli.app, ["release", "target", "--year", "2026"])
    assert r.exit_code == 0 and r.output.strip() == "2026: 0 of 5 films released abroad through the network; 5 to go."


def _release(film: str, title: str, country: str, origin: list[str], stage: str, released_on: str | None = None) -> ItemSnapshot:
    summary = {"film_id": film, "film": title, "country": country, "origin_countries": origin, "stage": stage,
               "released_on": released_on, "release_on": released_on, "platform": "Kinopark" if released_on else None,
               "abroad": country not in origin}  # fmt: skip
    detail = {"liaison": {"name": f"Liaison {country}"}, "licensor": {"names": {"en": "Kazakhfilm"}}}
    if released_on:
        detail["licence"] = {"grant": {"deal_id": f"{film}-{country.lower()}", "licensee_name": "Neva Film Distribution",
                                       "media": ["theatrical"], "starts_on": "2026-10-01", "ends_on": "2028-10-01", "fee": "30000.00",
                                       "currency": "USD"},
                             "agreement_workflow_id": f"agreement-licence-{film}-{country.lower()}", "agreement_phase": "active",
                             "signed_on": "2026-10-20"}  # fmt: skip
        detail["classification"] = {"outcome": "approved", "rating": "12+"}
    return ItemSnapshot(item_id=f"release-{film}-{country.lower()}", item_type="country_release", kind=country,
                        title=f"{title} in {country}", phase=stage, summary=summary, detail=detail, projected_seq=1,
                        parties=[ItemParty(organisation_id="kazakhfilm", country=origin[0], role="rights_holder", name="Kazakhfilm")],
                        created_at=datetime(2026, 6, 20, tzinfo=UTC))  # fmt: skip


@pytest.fixture
def releases_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    s = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'releases.db'}")
    e = make_engine(s.resolved_database_url)
    init_db(e)
    for item in [_release("steppe-wind", "The Steppe Wind", "RU", ["KZ"], "released", "2026-11-17"),
                 _release("steppe-wind", "The Steppe Wind", "KR", ["KZ"], "classification"),
                 _release("tunduk", "Tunduk", "KZ", ["KG"], "released", "2026-11-18"),
                 _release("paper-cranes", "Paper Cranes over the Volga", "RU", ["CN", "RU"], "released", "2026-10-02")]:  # fmt: skip
        project_item(e, item)
    monkeypatch.setattr(cli, "get_settings", lambda: s)
    return s


def test_release_target_list_and_show(releases_db: Settings) -> None:
    r = runner.invoke(cli.app, ["release", "target", "--year", "2026"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "2026: 2 of 5 films released abroad through the network; 3 to go."
    assert lines[1].split() == ["steppe-wind", "RU", "first", "2026-11-17"] and lines[2].split() == ["tunduk", "KZ", "first", "2026-11-18"]
    assert lines[3] == "  by country: KZ 1, RU 1"  # paper-cranes in RU is at home: it does not count
    r = runner.invoke(cli.app, ["release", "list", "--stage", "released"])
    assert r.exit_code == 0 and "(3 country releases)" in r.output and "release-tunduk-kz" in r.output
    r = runner.invoke(cli.app, ["release", "list", "--country", "kr"])
    assert "release-steppe-wind-kr" in r.output and "(1 country releases)" in r.output
    r = runner.invoke(cli.app, ["release", "show", "steppe-wind-ru"])
    assert r.exit_code == 0, r.output
    assert "The Steppe Wind in RU\n  stage: released   country: RU   origin: KZ   (abroad)" in r.output
    assert "classification: approved 12+" in r.output and "licence steppe-wind-ru: Neva Film Distribution, theatrical" in r.output
    assert "release: 2026-11-17 on Kinopark" in r.output
