"""Every `helix` command that takes a file or free text answers bad input with one line, `error: …`,
exit status 2 — never a traceback.

The read model is the dashboard's test data (agreements with versions, students, applications and
grants, a festival and its releases), so ids can also be ones that exist; no Temporal server is
needed: connecting fails at once, as it would with the system down, and a command that got that far
must say so in one line too. Files are the demo's files with typing slips, arbitrary YAML and JSON
documents, and random bytes; free text is anything hypothesis makes, markup and line breaks included.
"""

from __future__ import annotations

import json
import tempfile
import traceback
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import cli
from services import agreements, grants, programs, releases
from settings import Settings
from store.db import init_db, make_engine
from tests.property.examples import action_examples
from tests.property.strategies import AWKWARD_STRINGS, broken, examples, json_values, yaml_values
from tests.property.test_files import DEMO_FILES, edited

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
FAST = settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)

texts = st.text(max_size=40) | st.sampled_from([s for s in AWKWARD_STRINGS if len(s) < 1000])
"""Free text as a person (or a script) might type it."""
one_line_texts = texts.filter(lambda t: "".join(t.splitlines()) == t)
"""Free text without line breaks (a line break in an id is folded by `cli.fail`: see the test below)."""


async def no_server() -> Any:
    raise ConnectionError("cannot connect to the Temporal server (none in this test)")


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from tests.dashboard.seed import seed

    tmp = tmp_path_factory.mktemp("cli-inputs")
    s = Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'helix.db'}")
    e = make_engine(s.resolved_database_url)
    init_db(e)
    seed(e, tmp)
    grants.save_fund(e, grants.build_fund(e, grants.read_fund_file(DEMO_FILES["fund"])))
    return s


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """An empty read model, for commands that write the directory."""
    tmp = tmp_path_factory.mktemp("cli-scratch")
    return Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'scratch.db'}")


@pytest.fixture(autouse=True)
def isolated(system: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "get_settings", lambda: system)
    monkeypatch.setattr(cli, "connect_temporal", no_server)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="helix-cli-") as d:
        yield Path(d)


def invoke(args: list[str]) -> Result:
    """Run a command: it succeeds, or fails with exit status 2 and one line `error: …`."""
    r = runner.invoke(cli.app, args)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        trace = "".join(traceback.format_exception(r.exception))
        pytest.fail(f"helix {' '.join(map(repr, args))[:300]} crashed:\n{trace}")
    assert "Traceback" not in r.output
    if r.exit_code != 0:
        lines = r.output.strip().splitlines()
        assert r.exit_code == 2, r.output
        assert len(lines) == 1 and lines[0].startswith("error: "), f"not one error line: {r.output[:500]!r}"
    return r


def failed(r: Result) -> bool:
    return r.exit_code == 2


# ---------------------------------------------------------------- files


def file_contents(demo: str) -> st.SearchStrategy[tuple[str, bytes]]:
    """(suffix, content): the demo file with slips or with parts of its data broken, any YAML or JSON
    document, or random bytes."""
    text = DEMO_FILES[demo].read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return st.one_of(
        edited(text).map(lambda t: (".yaml", t.encode("utf-8", "surrogatepass"))),
        broken(data, yaml_values).map(lambda d: (".yaml", yaml.safe_dump(d, allow_unicode=True).encode("utf-8", "surrogatepass"))),
        yaml_values.map(lambda v: (".yaml", yaml.safe_dump(v, allow_unicode=True).encode("utf-8", "surrogatepass"))),
        json_values.map(lambda v: (".json", json.dumps(v).encode())),
        st.binary(max_size=200).map(lambda b: (".yaml", b)),
    )


def write(folder: Path, suffix: str, content: bytes) -> Path:
    path = folder / f"input{suffix}"
    path.write_bytes(content)
    return path


@cache
def student_file() -> dict[str, Any]:
    from tests.property.examples import file_examples

    return file_examples()[programs.StudentFile][0]


FILE_COMMANDS = {
    "agreement start --dry-run": (["agreement", "start", "--dry-run"], "agreement"),
    "agreement start": (["agreement", "start"], "agreement"),
    "program load": (["program", "load"], "program"),
    "fund open": (["fund", "open"], "fund"),
    "grant submit --dry-run": (["grant", "submit", "--dry-run"], "application"),
    "grant submit": (["grant", "submit"], "application"),
    "festival open --dry-run": (["festival", "open", "--dry-run"], "festival"),
    "festival open": (["festival", "open"], "festival"),
}


@pytest.mark.parametrize("command", sorted(FILE_COMMANDS))
@FAST
@given(data=st.data())
def test_file_commands_on_bad_files(folder: Path, command: str, data: st.DataObject) -> None:
    args, demo = FILE_COMMANDS[command]
    suffix, content = data.draw(file_contents(demo))
    invoke([*args, str(write(folder, suffix, content))])


@FAST
@given(data=st.data())
def test_student_enrol_on_bad_files(folder: Path, data: st.DataObject) -> None:
    doc = data.draw(broken(student_file(), yaml_values) | yaml_values)
    invoke(["student", "enrol", str(write(folder, ".yaml", yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass")))])


@FAST
@given(data=st.data())
def test_directory_load_on_bad_files(folder: Path, scratch: Settings, data: st.DataObject) -> None:
    suffix, content = data.draw(file_contents("directory"))
    path = write(folder, suffix, content)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "get_settings", lambda: scratch)
        invoke(["directory", "load", str(path)])


@pytest.mark.parametrize("command", [*sorted(FILE_COMMANDS), "directory load", "student enrol"])
def test_file_commands_on_files_that_cannot_be_read(folder: Path, command: str) -> None:
    args = FILE_COMMANDS[command][0] if command in FILE_COMMANDS else command.split()
    for path in [folder / "missing.yaml", folder]:
        assert failed(invoke([*args, str(path)]))
    big = write(folder, ".yaml", b"id: " + b"x" * (4 * 1024 * 1024))
    r = invoke([*args, str(big)])
    assert failed(r) and "larger than the limit" in r.output
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"b{i}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
    )
    r = invoke([*args, str(write(folder, ".yaml", bomb.encode()))])
    assert failed(r) and "more than 250,000 values" in r.output


# ---------------------------------------------------------------- actions with --fields

ACTS = {
    "act": (["act"], ["coproduction-kr-kz", "film-schools-cn-ru", "no-such-mou"], list(agreements.ACTIONS)),
    "student act": (["student", "act"], ["student-kim-minji", "credit-transfer-kim-minji-2026-fall", "student-nobody"],
                    [*programs.TRANSFER_ACTIONS, *programs.RECORD_ACTIONS]),
    "grant act": (["grant", "act"], ["application-in-kz-drama", "grant-steppe-wind", "application-nothing"],
                  [*grants.APPLICATION_ACTIONS, *grants.GRANT_ACTIONS]),
    "release act": (["release", "act"], ["release-steppe-wind-kr", "festival-sco-2026", "release-nothing-kr"],
                    [*releases.FESTIVAL_ACTIONS, *releases.RELEASE_ACTIONS]),
}  # fmt: skip
EXAMPLE_FIELDS = action_examples()
FIELD_TEXT = st.one_of(
    json_values.map(json.dumps),
    st.sampled_from(list(EXAMPLE_FIELDS.values())).flatmap(lambda f: broken(f)).map(json.dumps),
    texts,
    st.sampled_from(['{"a": ' + "1" * 5000 + "}", "[" * 50_000 + "]" * 50_000, '{"x": NaN}', '{"text": "\\ud800"}', "{oops"]),
)


@pytest.mark.parametrize("command", sorted(ACTS))
@FAST
@given(data=st.data())
def test_actions_with_bad_fields(command: str, data: st.DataObject) -> None:
    prefix, ids, actions = ACTS[command]
    wid = data.draw(st.sampled_from(ids) | texts.filter(lambda t: not t.startswith("-")))
    action = data.draw(st.sampled_from(actions) | texts.filter(lambda t: not t.startswith("-")))
    args = [*prefix, f"--as={data.draw(texts)}", f"--fields={data.draw(FIELD_TEXT)}"]
    if command == "act":
        for option in ("--reason", "--text", "--to", "--hash"):
            if data.draw(st.booleans()):
                args.append(f"{option}={data.draw(texts)}")
    invoke([*args, "--", wid, action])


@pytest.mark.parametrize("command", sorted(ACTS))
@pytest.mark.parametrize(
    "fields",
    ['{"a": ' + "1" * 5000 + "}", "[" * 50_000 + "]" * 50_000, "{oops", "[1]", '"text"', "null", '{"reason": "' + "x" * 100_000 + '"}'],
    ids=["a 5000-digit number", "nested 50,000 deep", "broken", "a list", "a string", "null", "a reason of 100,000 characters"],
)
def test_actions_with_crafted_fields(command: str, fields: str) -> None:
    prefix, ids, actions = ACTS[command]
    r = invoke([*prefix, "--as=kim-minji", f"--fields={fields}", "--", ids[0], actions[0]])
    assert failed(r)


@FAST
@given(edition=one_line_texts, film=texts, category=texts, person=texts, on=texts | st.none(), note=texts, award_id=texts | st.none())
@example(edition="sco-2026", film="steppe-wind", category="best_film", person="liu-yang", on="2026-02-30", note="", award_id=None)
@example(edition="sco-2026", film="x" * 500, category="best_film", person="liu-yang", on=None, note="n" * 10_000, award_id="<b>")
def test_festival_award_with_any_text(edition: str, film: str, category: str, person: str, on: str | None, note: str,
                                      award_id: str | None) -> None:  # fmt: skip
    args = ["festival", "award", f"--edition={edition}", f"--film={film}", f"--category={category}", f"--as={person}", f"--note={note}"]
    args += [f"--on={on}"] if on is not None else []
    args += [f"--id={award_id}"] if award_id is not None else []
    invoke(args)


# ---------------------------------------------------------------- lists and views with free text

SHOW = {
    "agreement show": ["agreement", "show"],
    "student show": ["student", "show"],
    "grant show": ["grant", "show"],
    "release show": ["release", "show"],
}


@pytest.mark.parametrize("command", sorted(SHOW))
@FAST
@given(item=one_line_texts)
@example(item="coproduction-kr-kz")
@example(item="student-kim-minji")
@example(item="steppe-wind")
@example(item="release-steppe-wind-kr")
def test_views_of_any_id(command: str, item: str) -> None:
    invoke([*SHOW[command], "--", item])


@FAST
@given(phase=texts, kind=texts, country=texts, organisation=texts, text=texts, stage=texts, call=texts)
def test_lists_filtered_by_any_text(phase: str, kind: str, country: str, organisation: str, text: str, stage: str, call: str) -> None:
    assert not failed(invoke(["agreement", "list", f"--phase={phase}", f"--kind={kind}", f"--country={country}",
                              f"--organisation={organisation}", f"--text={text}"]))  # fmt: skip
    assert not failed(invoke(["grant", "list", f"--stage={stage}", f"--call={call}"]))
    assert not failed(invoke(["release", "list", f"--country={country}", f"--stage={stage}"]))


@FAST
@given(year=st.integers() | st.sampled_from([0, 1, -1, 9999, 10_000, 10**20]))
def test_release_target_of_any_year(year: int) -> None:
    invoke(["release", "target", f"--year={year}"])


@FAST
@given(agreement=one_line_texts | st.just("coproduction-kr-kz"), a=st.integers(), b=st.integers(), lang=texts)
@example(agreement="coproduction-kr-kz", a=1, b=2, lang="xx")
@example(agreement="coproduction-kr-kz", a=1, b=2, lang="<script>")
def test_agreement_diff_with_any_versions_and_language(agreement: str, a: int, b: int, lang: str) -> None:
    invoke(["agreement", "diff", f"--lang={lang}", "--", agreement, str(a), str(b)])


@FAST
@given(agreement=one_line_texts | st.just("coproduction-kr-kz"), version=st.integers() | st.none(), program=one_line_texts,
       what=texts)
def test_pdf_and_export_with_any_text(folder: Path, agreement: str, version: int | None, program: str, what: str) -> None:
    out = folder / "out.bin"
    invoke(["agreement", "pdf", f"--out={out}", *([f"--version={version}"] if version is not None else []), "--", agreement])
    invoke(["program", "export", f"--out={out}", f"--what={what}", "--", program])


@pytest.mark.parametrize("args", [["agreement", "show", "--", "a\nb"], ["festival", "award", "--edition=a\rb", "--film=f",
                                                                        "--category=c", "--as=p"]])  # fmt: skip
def test_an_unknown_id_with_a_line_break_is_still_one_error_line(args: list[str]) -> None:
    invoke(args)
