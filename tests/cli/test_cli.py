"""The CLI reports bad input as one readable line naming the field, exit status 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
from settings import Settings

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture(scope="module")
def directory_db(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One loaded directory for the module: hashing the demo accounts' passwords takes seconds."""
    tmp = tmp_path_factory.mktemp("cli")
    s = Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'cli.db'}")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "get_settings", lambda: s)
        result = runner.invoke(cli.app, ["directory", "load", str(ROOT / "demo" / "directory.yaml")])
    assert result.exit_code == 0, result.output
    return s


@pytest.fixture(autouse=True)
def isolated(directory_db: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "get_settings", lambda: directory_db)


def start(path: Path) -> tuple[int, str]:
    r = runner.invoke(cli.app, ["agreement", "start", "--dry-run", str(path)])
    return r.exit_code, r.output


def test_every_demo_agreement_file_is_valid() -> None:
    for path in sorted((ROOT / "demo" / "agreements").glob("*.yaml")):
        code, out = start(path)
        assert code == 0 and out.startswith("ok:"), out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("id: x\n  bad: [", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        ("id: ok-id\nkind: treaty\ntitle: Test\ninitiator: liu-yang\nparties: []\n", "kind"),
        ("id: ok-id\nkind: co_production\ntitle: Test MOU\ninitiator: nobody\nparties: [{organisation: kofic}, {organisation: cfa}]\n",
         "initiator: no person 'nobody'"),
        ("id: ok-id\nkind: co_production\ntitle: Test MOU\ninitiator: liu-yang\nparties: [{organisation: kofic}, {organisation: atlantis}]\n",
         "parties.1.organisation: no organisation 'atlantis'"),
        ("id: ok-id\nkind: grant\ntitle: Grant\ninitiator: liu-yang\nvariables: {project_title: X, amount: -5}\n"
         "parties: [{organisation: kofic}, {organisation: cfa}]\n", "variables.amount"),
        ("id: ok-id\nkind: co_production\ntitle: Test MOU\ninitiator: liu-yang\n"
         "parties: [{organisation: kofic, approvers: [wang-lei]}, {organisation: cfa}]\n",
         "parties.0.approvers: wang-lei is not an approver of kofic"),
        ("id: ok-id\nkind: co_production\ntitle: Test MOU\ninitiator: liu-yang\nterm: {term_months: 1, renewal_window_days: 90}\n"
         "parties: [{organisation: kofic}, {organisation: cfa}]\n", "renewal window"),
        ("id: Bad Id!\nkind: grant\ntitle: Grant\ninitiator: liu-yang\nparties: [{organisation: kofic}, {organisation: cfa}]\n", "id:"),
        ("id: ok-id\nkind: co_production\ntitle: Test MOU\ninitiator: liu-yang\nlanguages: [en, tlh]\n"
         "parties: [{organisation: kofic}, {organisation: cfa}]\n", "language 'tlh'"),
    ],
)
def test_invalid_files_name_the_field(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "agreement.yaml"
    path.write_text(content)
    code, out = start(path)
    assert code == 2
    assert out.startswith("error: ") and expected in out
    assert "Traceback" not in out


def test_invalid_json_file(tmp_path: Path) -> None:
    path = tmp_path / "agreement.json"
    path.write_text("{\"id\": ")
    code, out = start(path)
    assert code == 2 and "not valid JSON" in out


def test_missing_file(tmp_path: Path) -> None:
    code, out = start(tmp_path / "nope.yaml")
    assert code == 2 and "no such file" in out


def test_act_with_bad_fields_json() -> None:
    r = runner.invoke(cli.app, ["act", "some-mou", "comment", "--as", "kim-minji", "--fields", "{oops"])
    assert r.exit_code == 2 and "--fields is not valid JSON" in r.output


def test_act_unknown_action() -> None:
    r = runner.invoke(cli.app, ["act", "some-mou", "dance", "--as", "kim-minji"])
    assert r.exit_code == 2 and "'dance' is not one of" in r.output


def test_list_on_an_empty_read_model() -> None:
    r = runner.invoke(cli.app, ["agreement", "list"])
    assert r.exit_code == 0 and "(0 agreements)" in r.output


def test_malformed_directory_file(tmp_path: Path) -> None:
    path = tmp_path / "dir.yaml"
    path.write_text("organisations:\n  - id: x1\n    names: {en: X}\n    kind: spaceship\n    country: KR\n")
    r = runner.invoke(cli.app, ["directory", "load", str(path)])
    assert r.exit_code == 2 and "kind" in r.output


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A read model and document store with a two-version agreement (the dashboard's test data)."""
    from store.db import init_db, make_engine
    from tests.dashboard.seed import seed

    s = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'seeded.db'}")
    engine = make_engine(s.resolved_database_url)
    init_db(engine)
    seed(engine, tmp_path)
    monkeypatch.setattr(cli, "get_settings", lambda: s)
    return s


def test_show_diff_and_pdf_of_a_stored_agreement(seeded: Settings, tmp_path: Path) -> None:
    r = runner.invoke(cli.app, ["agreement", "show", "coproduction-kr-kz"])
    assert r.exit_code == 0 and "version 2" in r.output and "awaiting: Approve version 2" in r.output
    r = runner.invoke(cli.app, ["agreement", "diff", "coproduction-kr-kz", "1", "2"])
    assert r.exit_code == 0
    assert "documentaries and animation" in r.output and "Governing law" in r.output
    out = tmp_path / "v1.pdf"
    r = runner.invoke(cli.app, ["agreement", "pdf", "coproduction-kr-kz", "--version", "1", "-o", str(out)])
    assert r.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    r = runner.invoke(cli.app, ["agreement", "pdf", "coproduction-kr-kz", "-o", str(out)])
    assert r.exit_code == 2 and "not executed yet" in r.output
    r = runner.invoke(cli.app, ["agreement", "diff", "coproduction-kr-kz", "1", "9"])
    assert r.exit_code == 2 and "version 9 does not exist" in r.output


def test_unwritable_output_and_missing_document_are_sentences(seeded: Settings, tmp_path: Path) -> None:
    r = runner.invoke(cli.app, ["agreement", "pdf", "coproduction-kr-kz", "--version", "1", "-o", str(tmp_path / "no" / "dir" / "x.pdf")])
    assert r.exit_code == 2 and "cannot write" in r.output and "Traceback" not in r.output
    for blob in (seeded.documents_dir).rglob("*"):
        if blob.is_file() and blob.read_bytes().startswith(b"%PDF-1.7 fake version 1"):
            blob.unlink()
    r = runner.invoke(cli.app, ["agreement", "pdf", "coproduction-kr-kz", "--version", "1", "-o", str(tmp_path / "x.pdf")])
    assert r.exit_code == 2 and "cannot be read from the store" in r.output


def test_program_load_and_list() -> None:
    r = runner.invoke(cli.app, ["program", "load", str(ROOT / "demo" / "programs" / "kafa-vgik-film-ai.yaml")])
    assert r.exit_code == 0, r.output
    assert "loaded kafa-vgik-film-ai: Film Production and AI Technology (kafa, vgik)" in r.output
    r = runner.invoke(cli.app, ["program", "list"])
    assert "kafa-vgik-film-ai" in r.output and "MOU unknown" in r.output


def test_bad_program_and_student_files_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("program: {id: x}\n", encoding="utf-8")
    r = runner.invoke(cli.app, ["program", "load", str(bad)])
    assert r.exit_code == 2 and r.output.startswith("error: ") and "Traceback" not in r.output
    assert "program.title: Field required" in r.output
    student = tmp_path / "s.yaml"
    student.write_text("student_id: seo-yuna\nperson: seo-yuna\nprogram_id: kafa-vgik-film-ai\nhome_institution_id: kafa\n"
                       "enrolled_term: 2026-winter\n", encoding="utf-8")  # fmt: skip
    r = runner.invoke(cli.app, ["student", "enrol", str(student)])
    assert r.exit_code == 2 and "enrolled_term" in r.output and "Traceback" not in r.output
    r = runner.invoke(cli.app, ["student", "act", "credit-transfer-x", "sign", "--as", "a"])
    assert r.exit_code == 2 and "'sign' is not an action on a credit transfer" in r.output


# ---------------------------------------------------------------- the co-production fund

FUND_FILE = ROOT / "demo" / "grants" / "fund-2026.yaml"
APPLICATION_FILES = sorted((ROOT / "demo" / "grants" / "applications").glob("*.yaml"))


@pytest.fixture
def fund_stored(directory_db: Settings) -> Settings:
    """The demo fund stored as reference data (what `fund open` does before it starts the ledger)."""
    from services import grants as gsvc
    from store.db import make_engine

    e = make_engine(directory_db.resolved_database_url)
    gsvc.save_fund(e, gsvc.build_fund(e, gsvc.read_fund_file(FUND_FILE)))
    return directory_db


def test_grant_submit_dry_run_of_every_demo_application(fund_stored: Settings) -> None:
    for path in APPLICATION_FILES:
        r = runner.invoke(cli.app, ["grant", "submit", "--dry-run", str(path)])
        assert r.exit_code == 0 and r.output.startswith("ok: "), r.output
    r = runner.invoke(cli.app, ["grant", "submit", "--dry-run", str(APPLICATION_FILES[0])])
    assert r.output.strip() == "ok: in-kz-drama to main-2026 — “The Long Steppe”, 120,000.00 USD requested, team from IN, KZ"


def test_fund_list_shows_a_fund_without_figures_until_its_ledger_reports(fund_stored: Settings) -> None:
    r = runner.invoke(cli.app, ["fund", "list"])
    assert r.exit_code == 0 and "sco-film-fund-2026" in r.output and "(1 funds)" in r.output


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(contact="nobody-here"), "contact: no person 'nobody-here' in the directory"),
        (lambda d: d["application"].update(call_id="autumn-2030"), "application.call_id: fund sco-film-fund-2026 has no call 'autumn-2030'"),
        (lambda d: d["application"].update(requested_amount="lots"), "application.requested_amount"),
        (lambda d: d.update(fund_id="no-such-fund"), "fund_id: no fund 'no-such-fund'"),
    ],
)  # fmt: skip
def test_bad_application_files_are_one_line(fund_stored: Settings, tmp_path: Path, change, expected: str) -> None:
    import yaml

    data = yaml.safe_load(APPLICATION_FILES[0].read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "application.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    r = runner.invoke(cli.app, ["grant", "submit", str(path)])
    assert r.exit_code == 2 and r.output.startswith("error: ") and expected in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["reviewers"].append({"person": "chen-jing"}), "reviewers.7.person: chen-jing is not a reviewer in the directory"),
        (lambda d: d.update(board=["board-ahmed"]), "calls.0.board.quorum: 2 can never be reached by a board of 1"),
        (lambda d: d.update(fund_managers=["ghost"]), "fund_managers.0: no person 'ghost' in the directory"),
        (lambda d: d["fund"].update(budget="a million"), "fund.budget"),
    ],
)  # fmt: skip
def test_bad_fund_files_are_one_line(tmp_path: Path, change, expected: str) -> None:
    import yaml

    data = yaml.safe_load(FUND_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "fund.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    r = runner.invoke(cli.app, ["fund", "open", str(path)])
    assert r.exit_code == 2 and r.output.startswith("error: ") and expected in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


def test_fund_open_missing_file(tmp_path: Path) -> None:
    r = runner.invoke(cli.app, ["fund", "open", str(tmp_path / "nope.yaml")])
    assert r.exit_code == 2 and "no such file" in r.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["application-x", "screen", "--as", "chen-jing", "--fields", "{oops"], "--fields is not valid JSON"),
        (["application-x", "screen", "--as", "chen-jing", "--fields", "[1]"], "--fields must be a JSON object"),
        (["application-x", "dance", "--as", "chen-jing"], "'dance' is not an action on a grant application"),
        (["grant-x", "vote", "--as", "board-ahmed", "--fields", '{"choice": "approve"}'], "'vote' is not an action on a grant"),
        (["agreement-x", "screen", "--as", "chen-jing"], "'agreement-x' is neither a grant application nor a grant"),
        (["application-x", "vote", "--as", "board-ahmed", "--fields", '{"choice": "maybe"}'], "choice"),
        (["grant-x", "submit_report", "--as", "priya-nair", "--fields", '{"tranche_id": "milestone"}'], "reference"),
    ],
)
def test_grant_act_errors_are_one_line(args: list[str], expected: str) -> None:
    r = runner.invoke(cli.app, ["grant", "act", *args])
    assert r.exit_code == 2 and r.output.startswith("error: ") and expected in r.output and "Traceback" not in r.output


def test_grant_list_and_show_on_an_empty_read_model() -> None:
    r = runner.invoke(cli.app, ["grant", "list", "--stage", "board"])
    assert r.exit_code == 0 and "(0 applications, 0 grants)" in r.output
    r = runner.invoke(cli.app, ["grant", "show", "in-kz-drama"])
    assert r.exit_code == 2 and "no application or grant 'in-kz-drama' in the read model" in r.output
