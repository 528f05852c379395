"""The fund's PDFs say what the request says: award and rejection letters, payment instruction, fund statement.

Checked on the PDFs themselves: text extracted with pdfium, page counts with pypdf, and a line of
Hangul and one of Devanagari (a Korean and a Hindi company name) rasterised to prove real glyphs.
"""

from __future__ import annotations

import ctypes
import io
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from pypdf import PdfReader

from documents.grants import (
    letter_context,
    render_award_letter,
    render_fund_statement,
    render_payment_instruction,
    render_rejection_letter,
    schedule_rows,
)
from documents.render import _env
from tests.documents.test_glyphs import differs, ink
from tests.domain.grants.examples import main_call
from tests.grants.builders import (
    HINDI_LEAD,
    HOSTILE,
    KOREAN_LEAD,
    award_request,
    payee,
    payment_request,
    rejection_request,
    renamed,
    statement_request,
)

SCALE = 4


def text_of(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    return " ".join(" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc)))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _chars(page: pdfium.PdfPage) -> list[tuple[str, tuple[float, float, float, float], str]]:
    """(character, box in points, font name) of every character on a page."""
    textpage = page.get_textpage()
    out = []
    for i in range(textpage.count_chars()):
        ch = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
        n = pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, None, 0, None)
        buf = ctypes.create_string_buffer(n)
        pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, buf, n, None)
        out.append((ch, textpage.get_charbox(i), buf.value.decode(errors="replace")))
    return out


def assert_real_glyphs(pdf: bytes, pairs: list[tuple[tuple[str, str], str]]) -> None:
    """Each pair of characters is drawn from the named face with ink, and the two differ (no tofu)."""
    page = pdfium.PdfDocument(pdf)[0]
    image = page.render(scale=SCALE).to_pil().convert("L")
    height = page.get_height()
    chars = _chars(page)

    def crop(ch: str) -> tuple[object, str]:
        found = [c for c in chars if c[0] == ch]
        assert found, f"{ch!r} is not on the page"
        _, (left, bottom, right, top), font = max(found, key=lambda c: c[1][3] - c[1][1])
        box = (round(left * SCALE) - 2, round((height - top) * SCALE) - 2,
               round(right * SCALE) + 2, round((height - bottom) * SCALE) + 2)  # fmt: skip
        return image.crop(box), font

    for (a, b), face in pairs:
        (img_a, font_a), (img_b, font_b) = crop(a), crop(b)
        assert face in font_a and face in font_b, (a, font_a, b, font_b)
        assert ink(img_a) > 40 and ink(img_b) > 40, (a, b)
        assert differs(img_a, img_b) > 40, f"{a!r} and {b!r} render the same (tofu?)"


# ---------------------------------------------------------------- award letter


@pytest.fixture(scope="module")
def award_pdf(font_cache: Path) -> tuple[bytes, int]:
    return render_award_letter(award_request(renamed("kr-uz-youth-ai", KOREAN_LEAD)), font_cache_dir=font_cache)


def test_award_letter_names_the_award_its_tranches_and_next_steps(award_pdf: tuple[bytes, int]) -> None:
    pdf, pages = award_pdf
    assert pdf.startswith(b"%PDF") and pages == page_count(pdf)
    text = text_of(pdf)
    for expected in [
        "Grant award letter", "지원금 선정 통지서",  # the Korean lead reads Korean headings
        "SCO Film Co-production Fund 2026", KOREAN_LEAD, "Republic of Korea", "Han Yuna",
        "Silk Road Signals", "Co-production grants 2026", "main-2026", "kr-uz-youth-ai",
        "45,000.00 USD", "Requested: 50,000.00 USD",
        "Awarded 45,000.00 USD by 5 votes to 1, with 1 abstention (quorum 4 of 7).",
        # the call's schedule applied to the award: 40 / 40 / 20 %
        "On signature 40% 18,000.00 USD on signature of the grant agreement at signature",
        "Production milestone 40% 18,000.00 USD on approval of the production milestone report 180 days after signature",
        "Delivery 20% 9,000.00 USD on approval of the delivery report 365 days after signature",
        "The grant agreement will follow for signature",
        "No money moves before the grant agreement is executed",
        "2026-05-04 10:00:00 UTC",
    ]:  # fmt: skip
        assert expected in text, expected


def test_award_letter_rasterises_the_korean_company_name(award_pdf: tuple[bytes, int]) -> None:
    assert_real_glyphs(award_pdf[0], [(("청", "화"), "Helix-Hangul"), (("G", "w"), "Helix-Latin")])


def test_award_amount_defaults_to_the_board_then_the_request_and_tranches_add_up() -> None:
    assert letter_context(award_request())["amount"] == "45,000.00 USD"  # the board's amount
    assert letter_context(award_request(decision=None))["amount"] == "50,000.00 USD"  # the request
    assert letter_context(award_request(amount=Decimal("33333.33")))["amount"] == "33,333.33 USD"
    rows = schedule_rows(main_call(), Decimal("100000.01"), "USD")
    assert [r["amount"] for r in rows] == ["40,000.00 USD", "40,000.00 USD", "20,000.01 USD"]


def test_a_letter_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="rejection_letter"):
        render_award_letter(rejection_request())
    with pytest.raises(ValueError, match="award_letter"):
        render_rejection_letter(award_request())


# ---------------------------------------------------------------- rejection letter


def test_rejection_letter_gives_reasons_score_and_how_to_reapply(font_cache: Path) -> None:
    pdf, pages = render_rejection_letter(rejection_request(), font_cache_dir=font_cache)
    assert pdf.startswith(b"%PDF") and pages == page_count(pdf) == 1
    text = text_of(pdf)
    for expected in [
        "Decision on your application", "지원 신청 심사 결과", "Busan Pictures", "Choi Jun", "Harbour Lights",
        "Thank you for submitting", "We regret to inform you",
        "The team spans 1 eligible country (KR); the call asks for at least 2.",
        "The panel found the financing plan relies on unconfirmed sources.",
        "Panel score", "61.25", "You are welcome to apply again to a later call", "quoting application kr-solo",
    ]:  # fmt: skip
        assert expected in text, expected
    assert "Amount awarded" not in text


def test_rejection_without_review_has_no_score(font_cache: Path) -> None:
    pdf, _ = render_rejection_letter(rejection_request(score=None), font_cache_dir=font_cache)
    assert "Panel score" not in text_of(pdf)


def test_people_s_words_print_literally(font_cache: Path) -> None:
    req = award_request(renamed("kr-uz-youth-ai", HOSTILE))
    html = _env.get_template("grant_award_letter.html").render(**letter_context(req))
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; {{ 7*7 }}" in html and "<b>Bold</b>" not in html
    pdf, _ = render_award_letter(req, font_cache_dir=font_cache)
    assert HOSTILE in text_of(pdf)


# ---------------------------------------------------------------- payment instruction


def test_payment_instruction_says_who_is_paid_what_for_which_tranche(font_cache: Path) -> None:
    pdf, pages = render_payment_instruction(payment_request(tranche=1), "PAY-2026-000012", font_cache_dir=font_cache)
    assert pdf.startswith(b"%PDF") and pages == page_count(pdf) == 1
    text = text_of(pdf)
    for expected in [
        "Payment instruction", "지급 지시서", "PAY-2026-000012", "SCO Film Co-production Fund 2026",
        "Seoul Youth Film Lab", "Republic of Korea", "Silk Road Signals", "award-kr-uz-youth-ai",
        "Production milestone", "18,000.00 USD", "Nodira Rahimova, Fund manager on 2026-11-27",
        "2026-05-04 10:00:00 UTC", "This instruction is issued once; its number is unique.",
    ]:  # fmt: skip
        assert expected in text, expected


def test_payment_instruction_on_signature_has_no_approver_and_renders_devanagari(font_cache: Path) -> None:
    pdf, _ = render_payment_instruction(payment_request(payee=payee(HINDI_LEAD)), "PAY-2026-000001", font_cache_dir=font_cache)
    text = text_of(pdf)
    assert "Report approved by" not in text and "India" in text and "On signature" in text
    assert_real_glyphs(pdf, [(("क", "ल"), "Helix-Devanagari")])


# ---------------------------------------------------------------- fund statement


def test_fund_statement_shows_figures_accounts_and_the_journal(font_cache: Path) -> None:
    pdf, pages = render_fund_statement(statement_request(), font_cache_dir=font_cache)
    assert pdf.startswith(b"%PDF") and pages == page_count(pdf)
    text = text_of(pdf)
    for expected in [
        "Fund statement", "Выписка по фонду", "Фонд копродукции кино ШОС 2026",  # the fund's second language
        "1,000,000.00 USD", "SCO Film Festival: 600,000.00 USD", "Korean Film Council: 400,000.00 USD",
        # figures: committed 45,000 + 110,000 − 2,500.50; released 18,000 + 48,000 − 2,500.50
        "Committed Обязательства 152,499.50 USD", "Released Выплачено 63,499.50 USD",
        "Outstanding К выплате 89,000.00 USD", "Remaining Остаток 847,500.50 USD", "Clawed back Возвращено 2,500.50 USD",
        # accounts
        "award-in-kz-drama The Long Steppe 107,499.50 USD 45,499.50 USD 2,500.50 USD 62,000.00 USD",
        "award-kr-uz-youth-ai Silk Road Signals 45,000.00 USD 18,000.00 USD 0.00 USD 27,000.00 USD",
        # journal, with the running figures
        "1 Commitment to award award-kr-uz-youth-ai: 45,000.00 USD Silk Road Signals 45,000.00 USD 45,000.00 USD 0.00 USD 955,000.00 USD",
        "Amendment of award award-in-kz-drama to 110,000.00 USD (−10,000.00)",
        "Clawback on award award-in-kz-drama: 2,500.50 USD returned (Ineligible costs in the milestone report)",
        "152,499.50 USD 63,499.50 USD 847,500.50 USD",
    ]:  # fmt: skip
        assert expected in text, expected


def test_an_empty_fund_statement_says_so(font_cache: Path) -> None:
    from domain.grants.ledger import Ledger
    from tests.domain.grants.examples import FUND

    pdf, _ = render_fund_statement(statement_request(ledger=Ledger.open(FUND), award_titles={}), font_cache_dir=font_cache)
    text = text_of(pdf)
    assert "Nothing has been recorded in the books yet." in text and "Remaining Остаток 1,000,000.00 USD" in text
