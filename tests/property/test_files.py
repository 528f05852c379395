"""Every reader of the files people write answers bad bytes with one readable line naming the file.

The readers are the ones the CLI and the dashboard use: `services.files.read_mapping` and each
format's own (`read_agreement_file`, `read_program_file`, `read_student_file`, `read_fund_file`,
`read_application_file`, `read_festival_file`, `store.directory.read_directory`). Given random bytes,
invalid UTF-8, broken YAML (tabs, unclosed quotes, anchors and aliases that expand a billion times,
nesting thousands deep), YAML whose top level is not a mapping, JSON of every kind and files over
the size limit, each raises its own error type (`InputError`, or `DirectoryError` for the
directory) with a one-line message, never another exception, and never takes long.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from services import agreements, files, grants, programs, releases
from services.errors import InputError
from store import directory
from store.directory import DirectoryError
from tests.property.strategies import examples, json_values, yaml_values

ROOT = Path(__file__).resolve().parents[2]
DEMO_FILES = {
    "agreement": ROOT / "demo" / "agreements" / "2-coproduction-kr-cn.yaml",
    "program": ROOT / "demo" / "programs" / "kafa-vgik-film-ai.yaml",
    "fund": ROOT / "demo" / "grants" / "fund-2026.yaml",
    "application": ROOT / "demo" / "grants" / "applications" / "1-in-kz-drama.yaml",
    "festival": ROOT / "demo" / "releases" / "festival-2026.yaml",
    "directory": ROOT / "demo" / "directory.yaml",
}

Reader = Callable[[Path], Any]
# name → (reader, the error it raises, its size limit in bytes)
READERS: dict[str, tuple[Reader, type[Exception], int]] = {
    "mapping": (lambda p: files.read_mapping(p, "test"), InputError, files.MAX_FILE_BYTES),
    "agreement": (agreements.read_agreement_file, InputError, agreements.MAX_FILE_BYTES),
    "program": (programs.read_program_file, InputError, programs.MAX_FILE_BYTES),
    "student": (programs.read_student_file, InputError, programs.MAX_FILE_BYTES),
    "fund": (grants.read_fund_file, InputError, grants.MAX_FILE_BYTES),
    "application": (grants.read_application_file, InputError, grants.MAX_FILE_BYTES),
    "festival": (releases.read_festival_file, InputError, releases.MAX_FILE_BYTES),
    "directory": (directory.read_directory, DirectoryError, directory.MAX_DIRECTORY_BYTES),
}
NAMES = sorted(READERS)
FAST = settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW_SECONDS = 10  # far above any real file's reading time: "never hangs", on a busy machine too


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="helix-files-") as d:
        yield Path(d)


def read(name: str, path: Path) -> Any:
    """Read with the named reader: its result, or its own error with a one-line message naming the
    file. Any other exception fails the test (pytest shows the traceback a person would have seen)."""
    reader, error, _ = READERS[name]
    started = time.process_time()
    try:
        return reader(path)
    except error as e:
        message = str(e)
        assert message.strip(), f"{name}: an empty message"
        assert len(message.splitlines()) == 1, f"{name}: a message of several lines: {message!r}"
        assert str(path) in message, f"{name}: the message does not name the file: {message!r}"
        assert "Traceback" not in message
        return e
    finally:
        assert time.process_time() - started < SLOW_SECONDS, f"{name} took more than {SLOW_SECONDS} s"


def write(folder: Path, content: bytes | str, suffix: str = ".yaml") -> Path:
    path = folder / f"input{suffix}"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


# ---------------------------------------------------------------- generated input


@pytest.mark.parametrize("name", NAMES)
@FAST
@example(content=b"\xff\xfe\x00garbage")
@example(content=b"\xef\xbb\xbfid: with-a-bom\n")
@given(content=st.binary(max_size=400))
def test_random_bytes(folder: Path, name: str, content: bytes) -> None:
    for suffix in (".yaml", ".json"):
        read(name, write(folder, content, suffix))


@pytest.mark.parametrize("name", NAMES)
@FAST
@example(text="effective_from: 2026-02-30\n")  # was ValueError from PyYAML's timestamp constructor
@example(text="id: !!timestamp soon\n")  # was AttributeError
@example(text="id: !!int twelve\n")  # was ValueError
@example(text="id: " + "9" * 5000)  # was ValueError: Python's limit of 4,300 digits (JSON too)
@example(text="[" * 5000)  # was RecursionError (YAML's composer; json.loads for the .json file)
@given(text=st.text(max_size=300))
def test_random_text(folder: Path, name: str, text: str) -> None:
    for suffix in (".yaml", ".json"):
        read(name, write(folder, text, suffix))


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(value=yaml_values)
def test_any_yaml_document(folder: Path, name: str, value: Any) -> None:
    read(name, write(folder, yaml.safe_dump(value, allow_unicode=True)))


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(value=json_values)
def test_any_json_document(folder: Path, name: str, value: Any) -> None:
    read(name, write(folder, json.dumps(value), ".json"))


@st.composite
def edited(draw: st.DrawFn, text: str) -> str:
    """A real file with a few characters deleted, inserted or replaced: what a slip of the keyboard does."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 20))
        insert = draw(st.sampled_from(["", "\t", ":", " ", "\n", "'", '"', "[", "{", "&a", "*a", "- ", "!!binary ", "\x00", "é", "#"])
                      | st.text(max_size=5))  # fmt: skip
        text = text[:at] + insert + text[at + cut :]
    return text


@pytest.mark.parametrize("name", sorted(DEMO_FILES))
@settings(FAST, max_examples=examples(30))
@given(data=st.data())
def test_real_files_with_typing_slips(folder: Path, name: str, data: st.DataObject) -> None:
    text = data.draw(edited(DEMO_FILES[name].read_text(encoding="utf-8")))
    read(name, write(folder, text))


def test_the_demo_files_are_read(folder: Path) -> None:
    for name, path in DEMO_FILES.items():
        result = read(name, path)
        assert not isinstance(result, Exception), result


# ---------------------------------------------------------------- crafted input

BILLION_LAUGHS = 'lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"l{i}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)
QUADRATIC = "a: &a [" + ",".join(["x"] * 1000) + "]\n" + "b: [" + ",".join(["*a"] * 1000) + "]\n"
CRAFTED = {
    "billion laughs": (BILLION_LAUGHS, "more than 250,000 values"),
    "a thousand aliases of a thousand values": (QUADRATIC, "more than 250,000 values"),
    "an alias inside its own anchor": ("a: &a [1, *a]\n", "the alias *a refers to no complete value"),
    "an undefined alias": ("a: *nowhere\n", "the alias *nowhere"),
    "nested lists 100,000 deep": ("a: " + "[" * 100_000 + "]" * 100_000, "nested deeper than 32 levels"),
    "nested block mappings": ("".join(" " * i + f"k{i}:\n" for i in range(200)), "nested deeper than 32 levels"),
    "a tab for indentation": ("id: x\nparties:\n\t- a\n", "not valid YAML"),
    "an unclosed quote": ('id: "x\ntitle: y\n', "not valid YAML"),
    "an unclosed flow list": ("id: [a, b\n", "not valid YAML"),
    "a bad indentation": ("id: x\n  title: y\n", "at line 2, column 8"),
    "a python tag": ("id: !!python/object/apply:os.system ['true']\n", "could not determine a constructor"),
    "a binary tag": ("id: !!binary aGVsaXg=\n", "the tag !!binary is not allowed"),
    "a set": ("id: !!set {a, b}\n", "the tag !!set is not allowed"),
    "an impossible date": ("id: x\neffective_from: 2026-02-30\n", "'2026-02-30' is not a valid timestamp"),
    "a bad timestamp tag": ("id: !!timestamp soon\n", "'soon' is not a valid timestamp"),
    "a bad int tag": ("id: !!int twelve\n", "'twelve' is not a valid int"),
    "a number of 5,000 digits": ("id: " + "9" * 5000 + "\n", "is not a valid int"),
    "a NUL escaped in a string": ('id: "a\\0b"\n', "NUL character"),
    "a control character": ("id: a\x07b\n", "not allowed"),
    "a list at the top": ("- a\n- b\n", "expected a mapping"),
    "a scalar at the top": ("just words\n", "expected a mapping"),
    "a number at the top": ("42\n", "expected a mapping"),
    "two documents": ("a: 1\n---\nb: 2\n", "not valid YAML"),
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_crafted_yaml(folder: Path, name: str, case: str) -> None:
    content, expected = CRAFTED[case]
    result = read(name, write(folder, content))
    assert isinstance(result, Exception), f"{case}: read as {result!r}"
    assert expected in str(result), str(result)


def test_libyaml_nesting_limit_reads_as_ours() -> None:
    """libyaml 0.2.5 and later refuse nesting past 1,000 levels themselves, while scanning ahead of
    the events `_check_shape` counts: that refusal is worded as ours, with its place."""
    mark = yaml.Mark("input.yaml", 1002, 0, 1002, None, None)
    error = yaml.scanner.ScannerError("while increasing flow level", mark, "exceeded maximum nesting depth", mark)
    assert files._yaml_problem(error) == "line 1, column 1003: lists and mappings nested deeper than 32 levels"


JSON_CRAFTED = {
    "truncated": ('{"id": ', "not valid JSON"),
    "a trailing comma": ('{"id": "x",}', "not valid JSON"),
    "single quotes": ("{'id': 'x'}", "not valid JSON"),
    "comments": ('{"id": "x"} // yes', "not valid JSON"),
    "a list": ('["id", "x"]', "expected a mapping"),
    "null": ("null", "expected a mapping"),
    "a number of 5,000 digits": ('{"id": ' + "9" * 5000 + "}", "4300 digits"),
    "nested 100,000 deep": ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested far deeper than 32 levels"),
    "nested 40 deep": ('{"a": ' + "[" * 40 + "]" * 40 + "}", "nested deeper than 32 levels"),
    "a NUL": ('{"id": "a\\u0000b"}', "NUL character"),
    "a lone surrogate": ('{"id": "\\ud800"}', "surrogate"),
    "a lone surrogate in a key": ('{"\\udfff": 1}', "surrogate"),
}


@pytest.mark.parametrize("name", sorted(set(NAMES) - {"directory"}))  # the directory reads JSON as the YAML it also is
@pytest.mark.parametrize("case", sorted(JSON_CRAFTED))
def test_crafted_json(folder: Path, name: str, case: str) -> None:
    content, expected = JSON_CRAFTED[case]
    result = read(name, write(folder, content, ".json"))
    assert isinstance(result, Exception), f"{case}: read as {result!r}"
    assert expected in str(result), str(result)


@pytest.mark.parametrize("name", NAMES)
def test_a_file_over_the_limit_is_refused_unread(folder: Path, name: str) -> None:
    limit = READERS[name][2]
    path = write(folder, b"id: " + b"x" * limit)
    result = read(name, path)
    assert isinstance(result, Exception)
    assert f"larger than the limit of {limit:,} bytes" in str(result), str(result)


def test_the_size_limit_is_a_documented_mebibyte() -> None:
    assert files.MAX_FILE_BYTES == 1024 * 1024
    assert directory.MAX_DIRECTORY_BYTES >= files.MAX_FILE_BYTES


@pytest.mark.parametrize("name", ["mapping", "program", "directory"])
def test_a_large_file_under_the_limit_is_read_quickly(folder: Path, name: str) -> None:
    """A mapping of 60,000 entries, nearly a megabyte: parsed (C parser) and refused by the model in time."""
    body = "".join(f"key{i:06}: value {i}\n" for i in range(min(60_000, READERS[name][2] // 20)))
    read(name, write(folder, body))


@pytest.mark.parametrize("name", NAMES)
def test_not_a_file(folder: Path, name: str) -> None:
    assert isinstance(read(name, folder), Exception)
    missing = read(name, folder / "missing.yaml")
    assert isinstance(missing, Exception) and "no such file" in str(missing)


def test_one_line_folds_every_line_break() -> None:
    from services.errors import one_line

    assert one_line("a\nb\r\nc\u2028d\x1ce\x85f") == "a b c d e f"
    assert str(InputError("title: 'x\ny' is wrong")) == "title: 'x y' is wrong"
    assert str(DirectoryError("people[0].name: 'x\ny'")) == "people[0].name: 'x y'"
