"""The release PDFs say what the request says: the recommendation letter to a country, the content catalog.

Checked on the PDFs themselves: text extracted with pdfium, page counts with pypdf, and the
letters' second-language headings (Hangul, Cyrillic) and a Devanagari original title rasterised to
prove real glyphs. The catalog's availability cells are compared with `RightsLedger.availability`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from documents.releases import (
    AVAILABILITY_TEXT,
    LABELS,
    RELEASE_LANGUAGE,
    WrongCountryRules,
    catalog_context,
    letter_languages,
    path_rows,
    recommendation_context,
    render_content_catalog,
    render_recommendation_letter,
)
from documents.render import _env
from domain.releases.country_rules import RULES, Step, steps_for
from domain.releases.festival import member_countries_for
from domain.releases.rights import MEDIA_ORDER, Availability, Media, RightsLedger
from tests.domain.releases.examples import AWARDS, MONSOON, PAPER_CRANES, STEPPE_WIND, film
from tests.grants.test_grant_documents import assert_real_glyphs, page_count, text_of
from tests.releases.builders import CATALOG_DAY, TERRITORIES, catalog_films, catalog_ledgers, letter_request

HOSTILE = "<b>Bold</b> & {{ 7*7 }}"


# ---------------------------------------------------------------- recommendation letter


@pytest.fixture(scope="module")
def korean_letter(font_cache: Path) -> tuple[bytes, int]:
    return render_recommendation_letter(letter_request(STEPPE_WIND, "KR"), font_cache_dir=font_cache)


def test_letter_to_korea_gives_the_film_its_award_and_the_korean_path(korean_letter: tuple[bytes, int]) -> None:
    pdf, pages = korean_letter
    assert pdf.startswith(b"%PDF") and pages == page_count(pdf)
    text = text_of(pdf)
    for expected in [
        "Recommendation for expedited release", "신속 개봉 추천서",  # the Korean liaison reads Korean headings
        "Kim Minji, International Relations <minji.kim@kofic.example>", "Republic of Korea", "대한민국",
        "SCO Film Festival 2026", "Qingdao, China, 2026-06-12 to 2026-06-18", "2026-06-19 09:00:00 UTC",
        # the film
        "The Steppe Wind (2025)", "Дала желі", "main competition", "Kazakhstan", "104 min", "Kazakh, Russian",
        "Kazakhfilm Studios (Kazakhstan)", "10.5240/5C1A-2F3B-0D4E-8A71-19C0-S",
        # its award, in English and Korean... the category has en/ru/zh names: English only for a Korean reader
        "Best Film", "aw-2026-01, 2026-06-18", "“For a landscape that listens.”",
        "the jury awarded “The Steppe Wind” (Дала желі) Best Film",
        # the agreement and the path
        "accession agreement to the SCO film distribution network",
        "The release path in the Republic of Korea",
        "Korea Media Rating Board: rates films on the scale ALL, 12, 15, 18, restricted",
        "No quota exception needed",
        "Available from Korean Film Council (KOFIC) (up to 20,000,000.00 KRW); the film needs dubbing or subtitles into Korean",
        "1 Acknowledgement", "5 days by day 5", "2 Classification", "20 days by day 25",
        "3 Dubbing or subtitling subsidy", "15 days by day 40", "4 Licence", "30 days by day 70",
        "5 Release scheduling", "30 days by day 100", "6 Release", "60 days by day 160",
        "within 5 days",
    ]:  # fmt: skip
        assert expected in text, expected
    assert "Import-quota exception" not in text  # Korea needs none


def test_the_korean_heading_and_latin_text_are_real_glyphs(korean_letter: tuple[bytes, int]) -> None:
    assert_real_glyphs(korean_letter[0], [(("신", "속"), "Helix-Hangul"), (("R", "w"), "Helix-Latin")])


def test_a_russian_reader_gets_cyrillic_headings_and_a_hindi_title_prints(font_cache: Path) -> None:
    pdf, _ = render_recommendation_letter(letter_request(MONSOON, "KZ"), font_cache_dir=font_cache)
    text = text_of(pdf)
    for expected in [
        "Рекомендация к ускоренному выпуску в прокат", "Казахстан", "Monsoon Letters", "मानसून के ख़त",
        "Best Story (AI-assisted)", "Лучшая история (с помощью ИИ)",
        "Ministry of Culture and Information of Kazakhstan: rates films on the scale K, BA, B14, E16, E18, HA",
        "Available from State Centre for Support of National Cinema (up to 15,000,000.00 KZT);"
        " the film needs dubbing or subtitles into Kazakh and Russian",
        "Film and Television Institute of India (India)", "15 min", "Youth AI Film Competition",
    ]:  # fmt: skip
        assert expected in text, expected
    assert "EIDR" not in text  # the film has none
    assert_real_glyphs(pdf, [(("Р", "ц"), "Helix-Latin"), (("म", "स"), "Helix-Devanagari")])


def test_china_needs_a_quota_exception_and_approves_without_ratings(font_cache: Path) -> None:
    pdf, _ = render_recommendation_letter(letter_request(STEPPE_WIND, "CN"), font_cache_dir=font_cache)
    text = text_of(pdf)
    for expected in [
        "影片快速发行推荐函", "中国", "最佳影片",  # the category's Chinese name
        "China Film Administration: approves films for release without age ratings",
        "An import-quota exception is needed", "3 Import-quota exception", "20 days by day 45",
        "No dubbing or subtitling subsidy in China",
    ]:  # fmt: skip
        assert expected in text, expected
    assert "Dubbing or subtitling subsidy" not in text


def test_persian_and_urdu_headings_are_marked_right_to_left(font_cache: Path) -> None:
    html = _env.get_template("release_recommendation_letter.html").render(
        **recommendation_context(letter_request(STEPPE_WIND, "IR"))
    )
    assert 'lang="fa" dir="rtl">توصیه‌نامه برای اکران سریع</span>' in html
    pdf, _ = render_recommendation_letter(letter_request(PAPER_CRANES, "PK"), font_cache_dir=font_cache)
    text = text_of(pdf)
    assert "Central Board of Film Censors: rates films on the scale U, PG, A" in text and "Volga Pictures (Russia)" in text


def test_the_path_is_the_countrys_steps_with_their_due_days() -> None:
    for country, rules in RULES.items():
        rows = path_rows(rules, STEPPE_WIND)
        assert [r["step"] for r in rows] == [s.value for s in steps_for(rules, STEPPE_WIND)], country
        assert [r["days"] for r in rows] == [rules.due_days[s] for s in steps_for(rules, STEPPE_WIND)]
        assert rows[-1]["by_day"] == sum(r["days"] for r in rows)
    # a film already in the release languages needs no subsidy step; one in Hindi does
    assert Step.SUBSIDY.value not in [r["step"] for r in path_rows(RULES["KZ"], STEPPE_WIND)]
    assert Step.SUBSIDY.value in [r["step"] for r in path_rows(RULES["KZ"], film(languages=("kk",)))]
    custom = RULES["RU"].model_copy(update={"due_days": {**RULES["RU"].due_days, Step.CLASSIFICATION: 7}})
    assert [r["due"] for r in path_rows(custom, STEPPE_WIND)][:2] == ["5 days", "7 days"]


def test_every_recommended_country_has_a_heading_language_with_every_label() -> None:
    assert set(RULES) == set(member_countries_for(STEPPE_WIND, include_origin=True)) == set(RELEASE_LANGUAGE)
    for country in RULES:
        langs = letter_languages(country)
        assert langs[0] == "en" and len(langs) == 2
        missing = [k for k, v in LABELS.items() if k not in ("eidr", "as_of", "films", "availability", "territory", "licences",
                   "legend", "catalog", "theatrical", "streaming", "tv") and langs[1] not in v]  # fmt: skip
        assert missing == [], (country, missing)
    assert letter_languages("mn") == ["en"]


def test_the_rules_of_another_country_are_refused() -> None:
    with pytest.raises(WrongCountryRules, match="the letter to KR was given the rules of RU"):
        render_recommendation_letter(letter_request(STEPPE_WIND, "KR", rules=RULES["RU"]))


def test_people_s_words_print_literally(font_cache: Path) -> None:
    hostile = STEPPE_WIND.model_copy(update={"english_title": HOSTILE})
    req = letter_request(hostile, "RU")
    html = _env.get_template("release_recommendation_letter.html").render(**recommendation_context(req))
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; {{ 7*7 }}" in html and "<b>Bold</b>" not in html
    pdf, _ = render_recommendation_letter(req, font_cache_dir=font_cache)
    assert HOSTILE in text_of(pdf)


# ---------------------------------------------------------------- content catalog


def test_catalog_cells_are_the_ledgers_availability() -> None:
    films, ledgers = catalog_films(), catalog_ledgers()
    for on in (CATALOG_DAY, date(2026, 7, 1), date(2027, 9, 1), date(2029, 1, 1)):
        ctx = catalog_context(2026, films, ledgers, list(AWARDS), on=on, territories=TERRITORIES)
        assert [e["facts"]["id"] for e in ctx["films"]] == [f.id for f in films]
        for f, entry in zip(films, ctx["films"], strict=True):
            ledger = ledgers.get(f.id) or RightsLedger(film_id=f.id)
            assert [r["territory"] for r in entry["rows"]] == TERRITORIES
            for row in entry["rows"]:
                expected = ledger.availability(row["territory"], on)
                assert [c["value"] for c in row["cells"]] == [expected[m].value for m in MEDIA_ORDER], (f.id, on, row)
    cranes = catalog_context(2026, films, ledgers, list(AWARDS), on=CATALOG_DAY, territories=TERRITORIES)["films"][1]
    cells = {r["territory"]: [c["value"] for c in r["cells"]] for r in cranes["rows"]}
    assert cells["KZ"] == ["exclusive", "non_exclusive", "free"]  # lic-kz-001, lic-ca-001
    assert cells["KR"] == ["exclusive", "held_back", "held_back"]  # lic-kr-001 and its holdback
    assert cells["UZ"] == ["free", "non_exclusive", "free"] and cells["CN"] == ["free", "free", "free"]
    assert [g["deal_id"] for g in cranes["licences"]] == ["lic-kz-001", "lic-ca-001", "lic-kr-001"]


@pytest.fixture(scope="module")
def catalog_pdf(font_cache: Path) -> tuple[bytes, int]:
    return render_content_catalog(2026, catalog_films(), catalog_ledgers(), list(AWARDS), on=CATALOG_DAY,
                                  territories=TERRITORIES, font_cache_dir=font_cache)  # fmt: skip


def test_catalog_pdf_prints_each_film_and_its_availability_table(catalog_pdf: tuple[bytes, int]) -> None:
    pdf, pages = catalog_pdf
    assert pdf.startswith(b"%PDF") and pages == page_count(pdf) > 1
    text = text_of(pdf)
    for expected in ["SCO Content Catalog 2026", "Каталог контента ШОС 2026", "上合组织影视内容目录 2026", "2027-03-01",
                     "Special Jury Prize", "Специальный приз жюри", "评委会特别奖", "Farabi Cinema Foundation (Iran)",
                     "lic-kr-001: Jinjin Pictures, KR, theatrical, exclusive, from 2027-02-01 to 2029-01-31;"
                     " holds back streaming and TV until 2027-07-31"]:  # fmt: skip
        assert expected in text, expected
    assert "40,000,000.00 KRW" not in text  # fees stay between the parties
    # each film's table, in the order given, with the ledger's cells row by row
    ledgers = catalog_ledgers()
    at = 0
    for f in catalog_films():
        at = text.index(f.english_title, at)  # the heading (an RTL original title extracts in visual order)
        at = text.index(f"· {f.year} · {f.runtime_minutes} min ·", at)
        ledger = ledgers.get(f.id) or RightsLedger(film_id=f.id)
        for t in TERRITORIES:
            got = ledger.availability(t, CATALOG_DAY)
            row = f"{t} " + " ".join(AVAILABILITY_TEXT[got[m]] for m in MEDIA_ORDER)
            at = text.index(row, at)
    assert "Republic of Korea KR exclusive held back held back" in text
    assert "Kazakhstan KZ exclusive non-exclusive free" in text


def test_catalog_headings_print_han_glyphs(catalog_pdf: tuple[bytes, int]) -> None:
    assert_real_glyphs(catalog_pdf[0], [(("合", "录"), "Helix-Han"), (("К", "г"), "Helix-Latin")])


def test_catalog_refuses_unknown_territories_and_misfiled_ledgers() -> None:
    films = catalog_films()
    with pytest.raises(ValueError, match="unknown territory XX"):
        catalog_context(2026, films, {}, [], on=CATALOG_DAY, territories=["kz", "XX"])
    with pytest.raises(ValueError, match="the ledger given for steppe-wind is of another film"):
        catalog_context(2026, films, {"steppe-wind": catalog_ledgers()["paper-cranes"]}, [], on=CATALOG_DAY, territories=["KZ"])
    ctx = catalog_context(2026, films[:1], {}, [], on=CATALOG_DAY, territories=["kz", "KZ"])
    assert [r["territory"] for r in ctx["films"][0]["rows"]] == ["KZ"]  # normalised, once
    assert ctx["films"][0]["rows"][0]["cells"][0]["value"] == Availability.FREE.value and Media.THEATRICAL in MEDIA_ORDER
