"""The board digest PDF prints the network's figures, names in every script, and data as text.

A hand-built `Overview` stands in for the read model: item titles in Korean, Chinese, Russian,
Arabic and Hindi, and one made of HTML and template syntax. Checked on the PDF itself: text with
pypdf, and the Korean and Chinese titles rasterised with pdfium to prove real glyphs, not tofu.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from documents.board import digest_context, render_board_digest
from domain.board import (
    FUNNELS,
    CountryRow,
    Lifecycle,
    MoneyFigures,
    OpenStep,
    Overview,
    ProgramFigures,
    ReleaseFigures,
    StepMedian,
    ageing,
    build_funnel,
    stage_key,
)
from domain.board_digest import DigestContent
from tests.documents.test_glyphs import differs, ink

AS_OF = datetime(2026, 11, 30, 6, tzinfo=UTC)
KOREAN = "한국-중국 공동제작 양해각서"
CHINESE = "中俄合拍片《伏尔加河上的纸鹤》"
RUSSIAN = "Соглашение о совместном производстве"
ARABIC = "فيلم الصحراء الكبرى"
HINDI = "हिंदी फ़िल्म समझौता"
HOSTILE = "<script>alert(1)</script> {{ 7*7 }}"
TITLES = [KOREAN, CHINESE, RUSSIAN, ARABIC, HINDI, HOSTILE]
COUNTRIES = ["KR", "CN", "RU", "IR", "IN", "KZ"]
SCALE = 3


def overview() -> Overview:
    funnels = [build_funnel(t, {stage_key(s): 12 - 2 * i for i, s in enumerate(stages)}) for t, stages in FUNNELS.items()]
    return Overview(
        as_of=AS_OF,
        historical=True,
        scope_label="the whole network",
        lifecycles=list(Lifecycle),
        agreements_by_phase={"active": 4, "renewal": 1, "signing": 2, "review": 1},
        agreements_signed_this_year=3,
        programs=ProgramFigures(programs=1, students=7, students_complete=1, transfers_open=2,
                                credits_approved=Decimal(42), credits_posted=Decimal("36.5")),
        money=[MoneyFigures(currency="USD", funds=1, budget=Decimal(1_000_000), committed=Decimal(311_000), disbursed=Decimal(106_000)),
               MoneyFigures(currency="KRW", funds=1, budget=Decimal(50_000_000), committed=Decimal(20_000_000))],
        applications=9,
        grants=3,
        releases=ReleaseFigures(recommended=40, licensed=3, released=3, declined=2, films_abroad=2, target=5, year=2026),
        open_steps=31,
        overdue_steps=6,
        funnels=funnels,
        ageing=ageing([(1, False), (10, True), (40, True), (200, False)]),
        countries=[CountryRow(country=c, agreements=3, students=2, applications=1, grants=1, releases=4, open_steps=3,
                              overdue_steps=1) for c in COUNTRIES],
    )  # fmt: skip


def content() -> DigestContent:
    steps = [
        OpenStep(item_id=f"item-{i}", item_type="agreement", item_title=TITLES[i % len(TITLES)], step_id=f"sign-{i}", kind="sign",
                 label="Signature", country=COUNTRIES[i % len(COUNTRIES)], awaited_names=["Kim Min-ji", "박지훈"],
                 opened_at=AS_OF - timedelta(days=100 - i), due_at=AS_OF - timedelta(days=80 - 6 * i), age_days=100 - i,
                 overdue=80 - 6 * i > 0)
        for i in range(15)
    ]  # fmt: skip
    medians = [StepMedian(item_type="country_release", kind="release", by="country", key=c, median_days=30.5 - i, steps=4)
               for i, c in enumerate(COUNTRIES)]  # fmt: skip
    return DigestContent(digest_id="2026-W49", as_of=AS_OF, overview=overview(), open_steps=steps, medians=medians)


@pytest.fixture(scope="module")
def digest(font_cache: Path) -> tuple[bytes, int]:
    return render_board_digest(content(), font_cache_dir=font_cache)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_digest_is_an_a4_pdf_of_two_to_four_pages(digest: tuple[bytes, int]) -> None:
    pdf, pages = digest
    reader = PdfReader(io.BytesIO(pdf))
    assert pdf.startswith(b"%PDF") and pages == len(reader.pages)
    assert 2 <= pages <= 4
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)


def test_the_digest_prints_its_week_period_and_figures(digest: tuple[bytes, int]) -> None:
    text = " ".join(text_of(digest[0]).split())
    for expected in [
        "Board digest — week 49, 2026",
        "2026-11-23 06:00 UTC to 2026-11-30 06:00 UTC",
        "Agreements signed this year 3",
        "Active agreements 5",  # active and renewal
        "Students 7",
        "Credits posted 36.5",
        "311,000.00 USD / 106,000.00 USD",
        "20,000,000.00 KRW / 0.00 KRW",
        "Films released abroad in 2026 2 of 5",
        "Open steps 31 6 overdue",
        "Signed by every party",  # the agreements' funnel
        "Released",  # the releases' funnel
        "over 6 months",  # the ageing table
        "The 15 longest-waiting open steps",
        "Kim Min-ji, 박지훈",
        "Republic of Korea",
        "overdue",
        "Country release: release step",
        "30.5",  # the slowest median
        "Kazakhstan KZ",
    ]:  # fmt: skip
        assert expected in text, expected


def test_titles_in_every_script_and_markup_print_as_text(digest: tuple[bytes, int]) -> None:
    text = text_of(digest[0])
    for title in TITLES:
        assert title in text, title
    assert "{{ 7*7 }}" in text and "&lt;script&gt;" not in text  # neither evaluated nor escaped twice
    assert digest_context(content())["steps"][5]["item"] == HOSTILE  # the template gets it as data


def _char_box(page: pdfium.PdfPage, ch: str) -> tuple[int, int, int, int]:
    """The pixel box (at SCALE) of the first `ch` on the page."""
    textpage = page.get_textpage()
    for i in range(textpage.count_chars()):
        if textpage.get_text_range(i, 1) == ch:
            left, bottom, right, top = textpage.get_charbox(i)
            height = page.get_height()
            return (round(left * SCALE) - 2, round((height - top) * SCALE) - 2,
                    round(right * SCALE) + 2, round((height - bottom) * SCALE) + 2)  # fmt: skip
    raise AssertionError(f"{ch!r} is not on the page")


def test_korean_and_chinese_titles_rasterise_as_real_glyphs(digest: tuple[bytes, int]) -> None:
    doc = pdfium.PdfDocument(digest[0])
    page = next(doc[i] for i in range(len(doc)) if KOREAN in doc[i].get_textpage().get_text_range())
    image = page.render(scale=SCALE).to_pil().convert("L")
    crops = {ch: image.crop(_char_box(page, ch)) for ch in ("한", "국", "伏", "鹤")}
    for ch, crop in crops.items():
        assert ink(crop) > 40, f"{ch!r} printed no ink"
    assert differs(crops["한"], crops["국"]) > 40, "two Hangul syllables render the same (tofu?)"
    assert differs(crops["伏"], crops["鹤"]) > 40, "two Han characters render the same (tofu?)"


def test_a_quiet_network_still_renders(font_cache: Path) -> None:
    empty = DigestContent(digest_id="2026-W01", as_of=datetime(2026, 1, 1, tzinfo=UTC),
                          overview=Overview(as_of=datetime(2026, 1, 1, tzinfo=UTC), scope_label="the whole network", lifecycles=list(Lifecycle)))  # fmt: skip
    pdf, pages = render_board_digest(empty, font_cache_dir=font_cache)
    text = " ".join(text_of(pdf).split())
    assert pages >= 1 and "Board digest — week 01, 2026" in text
    assert "No step was open at the digest's moment." in text
