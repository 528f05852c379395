"""The clause library: bundled YAML is complete, an override folder replaces clauses, bad files are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from documents.compose import compose
from documents.library import LibraryError, load_library
from domain.agreements import AgreementKind
from tests.documents.examples import request

CORE_LANGUAGES = ("en", "ko", "ru", "zh")


def test_every_kind_has_its_clauses_in_the_four_core_languages() -> None:
    lib = load_library()
    for kind in AgreementKind:
        templates = lib.for_kind(kind)
        assert len(templates) >= 12, kind
        for t in templates:
            for lang in CORE_LANGUAGES:
                assert t.heading.get(lang, "").strip(), (t.id, lang)
                assert t.body.get(lang, "").strip(), (t.id, lang)


def test_shared_clauses_are_reused_across_kinds() -> None:
    lib = load_library()
    shared = {
        "definitions",
        "confidentiality",
        "dispute_settlement",
        "entry_into_force",
        "termination",
        "authentic_texts",
        "amendments",
    }
    for kind in AgreementKind:
        assert shared <= set(lib.kinds[kind]), kind


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


OVERRIDE = """
clauses:
  - id: costs
    heading: {en: Costs and expenses, ko: 비용, ru: Расходы, zh: 费用}
    body:
      en: "Each Party pays its own way, {{ party_count }} parties in all."
      ko: "각 당사자는 자신의 비용을 부담한다."
      ru: "Каждая Сторона несёт свои расходы."
      zh: "各方自行承担费用。"
"""


def test_override_folder_replaces_a_bundled_clause_by_id(tmp_path: Path) -> None:
    write(tmp_path, "local.yaml", OVERRIDE)
    lib = load_library(tmp_path)
    assert lib.clauses["costs"].heading["en"] == "Costs and expenses"
    assert lib.sources["costs"].endswith("local.yaml")
    text = compose(request(AgreementKind.CO_PRODUCTION, ["en", "ko"], parties=3), lib)
    assert text.clause("costs").body["en"] == "Each Party pays its own way, 3 parties in all."
    assert load_library().clauses["costs"].heading["en"] == "Costs"  # bundled library untouched


def test_override_kinds_reorders_one_kind_and_keeps_the_others(tmp_path: Path) -> None:
    write(tmp_path, "kinds.yaml", "kinds:\n  licence: [li_grant_of_rights, li_fee, execution]\n")
    lib = load_library(tmp_path)
    assert lib.kinds[AgreementKind.LICENCE] == ["li_grant_of_rights", "li_fee", "execution"]
    assert lib.kinds[AgreementKind.GRANT] == load_library().kinds[AgreementKind.GRANT]


def test_a_missing_override_folder_is_the_bundled_library(tmp_path: Path) -> None:
    assert load_library(tmp_path / "nothing-here").clauses.keys() == load_library().clauses.keys()


def test_an_edited_override_file_is_read_again(tmp_path: Path) -> None:
    path = write(tmp_path, "local.yaml", OVERRIDE)
    assert load_library(tmp_path).clauses["costs"].heading["en"] == "Costs and expenses"
    path.write_text(OVERRIDE.replace("Costs and expenses", "Who pays"), encoding="utf-8")
    assert load_library(tmp_path).clauses["costs"].heading["en"] == "Who pays"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("clauses:\n  - id: costs\n    heading: {en: Costs}\n", "clauses[0] (id 'costs').body: Field required"),
        (
            "clauses:\n  - id: costs\n    heading: {en: Costs}\n    body: {en: x, xx: y}\n",
            "clauses[0] (id 'costs').body: Value error, 'xx' is not a supported language",
        ),
        (
            "clauses:\n  - id: costs\n    heading: {ko: 비용}\n    body: {en: x}\n",
            "clauses[0] (id 'costs').heading: Value error, an English ('en') text is required",
        ),
        (
            "clauses:\n  - id: Bad Id\n    heading: {en: x}\n    body: {en: x}\n",
            "clauses[0] (id 'Bad Id').id: String should match pattern",
        ),
        (
            "clauses:\n  - id: costs\n    heading: {en: x}\n    body: {en: x}\n    footnote: y\n",
            "clauses[0] (id 'costs').footnote: Extra inputs are not permitted",
        ),
        ("clauses: [\n", "not valid YAML"),
        ("clauses:\n  - id: costs\n    heading: {en: x}\n    body: {en: '{% if %}'}\n", "clause 'costs' body.en, line 1"),
    ],
)
def test_a_malformed_file_is_named_with_the_field(tmp_path: Path, content: str, expected: str) -> None:
    path = write(tmp_path, "broken.yaml", content)
    with pytest.raises(LibraryError) as e:
        load_library(tmp_path)
    assert str(path) in str(e.value)
    assert expected in str(e.value)


def test_kinds_naming_an_unknown_clause_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "kinds.yaml", "kinds:\n  grant: [gr_grant, no_such_clause]\n")
    with pytest.raises(LibraryError, match="kind 'grant' lists unknown clause\\(s\\) no_such_clause"):
        load_library(tmp_path)


def test_the_same_id_twice_in_one_folder_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", OVERRIDE)
    write(tmp_path, "b.yaml", OVERRIDE)
    with pytest.raises(LibraryError, match=r"clause id 'costs' is already defined in .*a\.yaml"):
        load_library(tmp_path)
