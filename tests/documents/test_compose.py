"""Composing canonical texts from the clause library: every kind, languages, overrides, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from documents.compose import ComposeError, and_list, compose, format_date, format_money, josa
from documents.library import load_library
from domain.agreements import AgreementKind
from domain.texts import text_sha256
from tests.documents.examples import ORGS, request

PAIRS = [["en", "ko"], ["en", "ru"], ["en", "zh"]]


@pytest.mark.parametrize("languages", PAIRS, ids=lambda p: "+".join(p))
@pytest.mark.parametrize("kind", list(AgreementKind), ids=lambda k: k.value)
def test_every_kind_composes_in_two_languages(kind: AgreementKind, languages: list[str]) -> None:
    parties = 11 if kind is AgreementKind.DISTRIBUTION_ACCESSION else 2
    req = request(kind, languages, parties=parties)
    text = compose(req, load_library())
    assert text.languages == languages and text.kind is kind
    assert [c.id for c in text.clauses] == load_library().kinds[kind]
    for c in text.clauses:
        for lang in languages:
            body = c.body[lang]
            assert body and c.heading[lang], (c.id, lang)
            assert "{{" not in body and "{%" not in body and "None" not in body, (c.id, lang, body)
    definitions = text.clause("definitions")
    for org in ORGS[:parties]:
        for lang in languages:
            assert org[2][lang] in definitions.body[lang]


def test_variables_reach_the_text_with_language_formatting() -> None:
    text = compose(request(AgreementKind.GRANT, ["en", "ru"], parties=2), load_library())
    assert "USD 150,000.00" in text.clause("gr_grant").body["en"]
    assert "150\u00a0000,00\u00a0USD" in text.clause("gr_grant").body["ru"]
    licence = compose(request(AgreementKind.LICENCE, ["en", "ko"]), load_library())
    assert "from 1 May 2026 to 30 April 2031" in licence.clause("li_term").body["en"]
    assert "2026년 5월 1일부터 2031년 4월 30일까지" in licence.clause("li_term").body["ko"]
    assert "Republic of Korea and Kazakhstan" in licence.clause("li_grant_of_rights").body["en"]
    assert "대한민국 및 카자흐스탄" in licence.clause("li_grant_of_rights").body["ko"]


def test_eleven_parties_are_listed_in_the_accession_clause() -> None:
    text = compose(request(AgreementKind.DISTRIBUTION_ACCESSION, ["en", "zh"], parties=11), load_library())
    body = text.clause("da_accession").body["en"]
    assert "the following 11 organisations" in body
    assert "11. Belarusfilm (Belarus)" in body
    assert "Termination by one Party does not affect" in text.clause("termination").body["en"]


def test_hash_is_stable_and_ignores_the_version_number() -> None:
    lib = load_library()
    first = compose(request(AgreementKind.CO_PRODUCTION, ["en", "ko"]), lib)
    again = compose(request(AgreementKind.CO_PRODUCTION, ["en", "ko"], version=5), lib)
    assert text_sha256(first) == text_sha256(again)
    changed = compose(request(AgreementKind.CO_PRODUCTION, ["en", "ko"], variables={"min_financial_share_percent": 25}), lib)
    assert text_sha256(changed) != text_sha256(first)
    assert "25 per cent" in changed.clause("cp_contributions").body["en"]


def test_a_clause_override_is_taken_literally() -> None:
    typed = "Each Party keeps {{ 7*7 }} secrets {% if true %}forever{% endif %}.\r\n\r\n<b>Really.</b>"
    req = request(AgreementKind.CO_PRODUCTION, ["en", "ko"], clause_overrides={"confidentiality": {"en": typed}})
    text = compose(req, load_library())
    assert (
        text.clause("confidentiality").body["en"]
        == "Each Party keeps {{ 7*7 }} secrets {% if true %}forever{% endif %}.\n\n<b>Really.</b>"
    )
    assert text.clause("confidentiality").body["ko"].startswith("각 당사자는")  # other language still from the library
    assert text_sha256(text) != text_sha256(compose(request(AgreementKind.CO_PRODUCTION, ["en", "ko"]), load_library()))


def test_an_override_for_a_clause_the_kind_lacks_is_refused() -> None:
    req = request(AgreementKind.LICENCE, ["en", "ko"], clause_overrides={"gr_tranches": {"en": "x"}})
    with pytest.raises(ComposeError, match="gr_tranches, which a licence text does not have"):
        compose(req, load_library())


def test_a_missing_variable_is_named() -> None:
    req = request(AgreementKind.UNIVERSITY_PARTNERSHIP, ["en", "ko"], variables={})
    with pytest.raises(ComposeError, match=r"variables\.program_name: Field required"):
        compose(req, load_library())


def test_a_clause_using_an_unknown_variable_is_named(tmp_path: Path) -> None:
    (tmp_path / "local.yaml").write_text(
        "clauses:\n  - id: costs\n    heading: {en: Costs, ko: 비용}\n    body: {en: 'Paid by {{ payer }}.', ko: '비용'}\n",
        encoding="utf-8",
    )
    with pytest.raises(ComposeError, match=r"clause 'costs' \(en, .*local.yaml\) .*'payer' is undefined"):
        compose(request(AgreementKind.CO_PRODUCTION, ["en", "ko"]), load_library(tmp_path))


def test_the_sandbox_refuses_python_internals(tmp_path: Path) -> None:
    (tmp_path / "local.yaml").write_text(
        "clauses:\n  - id: costs\n    heading: {en: Costs}\n    body: {en: \"{{ ''.__class__.__mro__[1].__subclasses__() }}\"}\n",
        encoding="utf-8",
    )
    with pytest.raises(ComposeError, match=r"clause 'costs' .* cannot be filled"):
        compose(request(AgreementKind.CO_PRODUCTION, ["en"]), load_library(tmp_path))


def test_a_language_the_library_lacks_lists_the_clauses() -> None:
    with pytest.raises(ComposeError) as e:
        compose(request(AgreementKind.LICENCE, ["en", "hi"]), load_library())
    message = str(e.value)
    assert "no 'hi' text for clause(s) li_grant_of_rights, definitions," in message
    assert "execution" in message and "no 'en' text" not in message


def test_a_body_override_supplies_a_missing_language_but_the_heading_is_still_needed() -> None:
    ids = load_library().kinds[AgreementKind.LICENCE]
    req = request(AgreementKind.LICENCE, ["en", "hi"], clause_overrides={i: {"hi": "पाठ"} for i in ids})
    with pytest.raises(ComposeError, match="no 'hi' text for clause"):
        compose(req, load_library())


def test_language_helpers_worked_examples() -> None:
    assert and_list(["A", "B", "C"], "en") == "A, B and C"
    assert and_list(["A", "B"], "ko") == "A 및 B"
    assert and_list(["甲", "乙", "丙"], "zh") == "甲、乙和丙"
    assert and_list(["A"], "ru") == "A"
    assert josa("협약", "은", "는") == "협약은" and josa("양해각서", "은", "는") == "양해각서는"
    assert josa("SCO Fund", "을", "를") == "SCO Fund을(를)"
    assert format_money("1234567.5", "KRW", "en") == "KRW 1,234,567.50"
    assert format_money("1234567.5", "RUB", "ru") == "1\u00a0234\u00a0567,50\u00a0RUB"
    assert format_date("2026-03-01", "zh") == "2026年3月1日"
    assert format_date("2026-03-01", "ru") == "1 марта 2026\u00a0г."
