"""Joint-program PDFs: the transcript, the certificate and the learning agreement say what the record says.

Checked on the PDFs themselves (text extracted with pdfium, pages rasterised for the scripts), on
Kim Minji's worked example: her 2026-fall courses at VGIK appear on VGIK's books as taken and on
KNUA's books converted (6 ZET, grade 5 → 3 KR credits, A+, counting as FP-501).
"""

from __future__ import annotations

import ctypes
import io
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from pypdf import PdfReader
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

import activities.program_documents as program_documents
from activities.program_documents import ProgramDocumentActivities
from documents.programs import (
    render_certificate,
    render_learning_agreement,
    render_transcript,
    transcript_context,
)
from documents.render import _env
from domain.program_documents import CompletionDocumentsRequest, LearningAgreementDocumentRequest
from store.blobs import BlobStore
from tests.documents.test_glyphs import differs, ink
from tests.domain.program_examples import native
from tests.exports.program_states import HOSTILE_TITLE, ISSUED, complete, midway, transfer_state

SCALE = 4


def text_of(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    return [" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def interim(font_cache: Path) -> tuple[bytes, int]:
    return render_transcript(midway(), issued_at=ISSUED, final=False, font_cache_dir=font_cache)


@pytest.fixture(scope="module")
def final(font_cache: Path) -> tuple[bytes, int]:
    return render_transcript(complete(), issued_at=ISSUED, final=True, font_cache_dir=font_cache)


# ---------------------------------------------------------------- transcript


def test_interim_transcript_shows_each_institution_s_books_and_audit(interim: tuple[bytes, int]) -> None:
    pdf, pages = interim
    assert pdf.startswith(b"%PDF") and pages == page_count(pdf) >= 2
    pages_text = text_of(pdf)
    everything = " ".join(pages_text)
    for expected in [
        "Kim Minji", "kim-minji",
        "공동 성적증명서", "Совместная академическая справка",  # the program's languages: ko and ru
        "한국예술종합학교", "ВГИК имени С. А. Герасимова",
        "영상제작·AI기술 예술전문사", "Магистр: кинематография и технологии ИИ",
        # KNUA's books: its own courses, then the transfers with what was taken at VGIK
        "AI-510", "Machine Learning for Moving Images", "3 KR credits", "A+", "B+", "P (pass)",
        "DIR-620, 6 ZET, grade 5 (отлично) → FP-501",
        "VFX-630, 5 ZET, grade 4 (хорошо) → elective (major elective)", "2.5 KR credits",
        "17.5 KR credits of 48 KR credits (36.4 %)", "4.02", "2028-spring",
        # VGIK's books, as taken
        "6 ZET", "4.5 ZET", "5 (отлично)",
        "Required course FP-501 Directing Workshop", "Thesis not started; it must be approved.",
    ]:  # fmt: skip
        assert expected in everything, expected
    assert "SCR-540, 4.5 ZET" not in everything  # rejected: on VGIK's books only
    for n, page in enumerate(pages_text, start=1):
        assert f"Page {n} of {pages}" in page
        assert "Interim transcript — unofficial" in page  # the running header marks every page
    assert "INTERIM" in everything and "Official transcript" not in everything


def test_final_transcript_is_marked_official(final: tuple[bytes, int]) -> None:
    pdf, pages = final
    assert pdf.startswith(b"%PDF") and pages == page_count(pdf)
    pages_text = text_of(pdf)
    assert all("Official transcript — issued 2027-02-15 09:00:00 UTC" in p for p in pages_text)
    everything = " ".join(pages_text)
    assert "INTERIM" not in everything and "unofficial" not in everything
    assert "48 KR credits of 48 KR credits (100.0 %)" in everything and "120 ZET of 120 ZET (100.0 %)" in everything
    assert "Thesis: approved" in everything


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


def test_transcript_rasterises_hangul_and_cyrillic(interim: tuple[bytes, int]) -> None:
    """The title's Hangul and Cyrillic are drawn from the bundled faces with real, distinct glyphs, not tofu."""
    page = pdfium.PdfDocument(interim[0])[0]
    image = page.render(scale=SCALE).to_pil().convert("L")
    height = page.get_height()
    chars = _chars(page)

    def crop(ch: str) -> tuple[object, str]:
        _, (left, bottom, right, top), font = max((c for c in chars if c[0] == ch), key=lambda c: c[1][3] - c[1][1])
        box = (
            round(left * SCALE) - 2,
            round((height - top) * SCALE) - 2,
            round(right * SCALE) + 2,
            round((height - bottom) * SCALE) + 2,
        )
        return image.crop(box), font

    for (a, b), face in [(("공", "명"), "Helix-Hangul"), (("С", "Ж" if "Ж" in {c[0] for c in chars} else "в"), "Helix-Latin")]:
        (img_a, font_a), (img_b, font_b) = crop(a), crop(b)
        assert face in font_a and face in font_b, (a, font_a, b, font_b)
        assert ink(img_a) > 40 and ink(img_b) > 40, (a, b)
        assert differs(img_a, img_b) > 40, f"{a!r} and {b!r} render the same (tofu?)"


def test_people_s_words_print_literally(font_cache: Path) -> None:
    posted = [*midway().record.posted, native("knua", "FP-999", HOSTILE_TITLE, "3", "A0", "2027-spring")]
    state = midway(posted=posted)
    html = _env.get_template("program_transcript.html").render(**transcript_context(state, issued_at=ISSUED, final=False))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html and "<script>" not in html
    pdf, _ = render_transcript(state, issued_at=ISSUED, final=False, font_cache_dir=font_cache)
    assert HOSTILE_TITLE in " ".join(text_of(pdf))


# ---------------------------------------------------------------- certificate


def test_certificate_is_one_bilingual_page(font_cache: Path) -> None:
    pdf, pages = render_certificate(complete(), issued_at=ISSUED, font_cache_dir=font_cache)
    assert pdf.startswith(b"%PDF") and pages == page_count(pdf) == 1
    text = text_of(pdf)[0]
    for expected in [
        "복수학위 수여 증명서", "Свидетельство о двойной степени", "Kim Minji",
        "위 사람 Kim Minji은(는) 공동 학위 과정 「영상제작·AI기술」", "Kim Minji выполнил(а) все требования совместной программы «Кинопроизводство и технологии ИИ»",
        "한국예술종합학교", "Korea National University of Arts", "영상제작·AI기술 예술전문사",
        "Gerasimov Institute of Cinematography (VGIK)", "Master of Cinematography and AI Technology",
        "Магистр: кинематография и технологии ИИ", "2027-02-15 09:00:00 UTC",
    ]:  # fmt: skip
        assert expected in text, expected


def test_certificate_refuses_a_student_who_has_not_completed() -> None:
    with pytest.raises(ValueError, match=r"^No dual-degree certificate can be issued for Kim Minji: not every degree of"):
        render_certificate(midway(), issued_at=ISSUED)
    with pytest.raises(ValueError, match="Thesis not started; it must be approved"):
        render_certificate(midway(), issued_at=ISSUED)


# ---------------------------------------------------------------- learning agreement


def test_learning_agreement_shows_plan_changes_signoffs_and_decisions(font_cache: Path) -> None:
    pdf, pages = render_learning_agreement(transfer_state(), issued_at=ISSUED, font_cache_dir=font_cache)
    assert pdf.startswith(b"%PDF") and pages == page_count(pdf)
    everything = " ".join(text_of(pdf))
    for expected in [
        "Learning agreement 2026-fall, revision 1", "Kim Minji", "학습 협약서", "Соглашение об обучении",
        "Korea National University of Arts", "Gerasimov Institute of Cinematography (VGIK)",
        "DIR-620 Directing the Fiction Film 6 ZET FP-501 3 KR credits",
        "VFX-630 Neural Rendering and Visual Effects 5 ZET elective (major elective) 2.5 KR credits",
        "SCR-540 Screenwriting for Series 4.5 ZET not credited (rejected: content mismatch)",
        "CAM-610 Light and Colour in Cinematography 4 ZET elective (to be decided) 2 KR credits",
        "add-cam-610", "timetable_clash", "Knua Dept",  # approved change, by the department
        "drop-scr-540", "pending — not part of the agreement", "Clashes with the thesis shoot",
        "home registrar Knua Registrar 2027-02-01 08:30:00 UTC Decisions checked",
        "content_mismatch", "Series writing is not part of the KNUA curriculum",
    ]:  # fmt: skip
        assert expected in everything, expected


# ---------------------------------------------------------------- activities


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


async def test_completion_documents_are_rendered_and_stored_once(
    tmp_path: Path, font_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blobs = BlobStore(tmp_path)
    acts = ProgramDocumentActivities(blobs, font_cache)
    req = CompletionDocumentsRequest.model_validate_json(
        CompletionDocumentsRequest(state=complete(), issued_at=ISSUED).model_dump_json()
    )
    env = ActivityEnvironment()
    first = await env.run(acts.render_completion_documents, req)
    assert [d.kind for d in first] == ["transcript", "certificate"]
    assert [d.pages for d in first][1] == 1 and all(d.created_at == ISSUED for d in first)
    for d in first:
        pdf = blobs.get(d.sha256)
        assert pdf.startswith(b"%PDF") and d.size == len(pdf) and d.pages == page_count(pdf)
    stored = _files(tmp_path)

    def no_render(*_: object, **__: object) -> None:
        raise AssertionError("rendered again")

    monkeypatch.setattr(program_documents, "render_transcript", no_render)
    monkeypatch.setattr(program_documents, "render_certificate", no_render)
    again = await env.run(acts.render_completion_documents, req)  # a retry: same documents, nothing new stored
    assert again == first and _files(tmp_path) == stored


async def test_completion_documents_refuse_an_incomplete_student_for_good(tmp_path: Path) -> None:
    acts = ProgramDocumentActivities(BlobStore(tmp_path))
    with pytest.raises(ApplicationError, match="not every degree") as e:
        await ActivityEnvironment().run(
            acts.render_completion_documents, CompletionDocumentsRequest(state=midway(), issued_at=ISSUED)
        )
    assert e.value.non_retryable and e.value.type == "DegreesNotComplete"
    assert _files(tmp_path) == []


async def test_learning_agreement_document_is_stored_once(tmp_path: Path, font_cache: Path) -> None:
    acts = ProgramDocumentActivities(BlobStore(tmp_path), font_cache)
    req = LearningAgreementDocumentRequest(state=transfer_state(), issued_at=ISSUED)
    env = ActivityEnvironment()
    doc = await env.run(acts.render_learning_agreement_doc, req)
    assert (doc.kind, doc.label, doc.created_at) == ("learning_agreement", "Learning agreement r1", ISSUED)
    stored = _files(tmp_path)
    assert len(stored) == 3  # the PDF, its metadata and the alias
    later = req.state.model_copy(update={"events": [], "projected_seq": 9})  # bookkeeping only: same document
    assert await env.run(acts.render_learning_agreement_doc, req.model_copy(update={"state": later})) == doc
    assert _files(tmp_path) == stored
