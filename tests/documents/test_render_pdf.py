"""Draft and executed PDFs: valid, complete, paged, and printing people's words literally."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from activities.documents import DocumentActivities, render_key
from documents.compose import compose
from documents.library import load_library
from documents.pki import LocalAuthority
from documents.render import ExecutionMismatch, VersionMeta, render_executed, render_version
from documents.signing import verify_pdf
from domain.agreements import AgreementKind, Approval, Event, ExecuteRequest, PartySpec, Signature, Version
from domain.texts import CanonicalText, canonical_json, text_sha256
from store.blobs import BlobStore, sha256_hex
from tests.documents.examples import CREATED, party, request

HOSTILE_NAME = "<script>alert(1)</script> {{ 7*7 }}"


def text_of(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    return [" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]


def hostile_party() -> PartySpec:
    p = party(2)
    return p.model_copy(update={"names": {"en": HOSTILE_NAME, "ko": "{% raw %}악성{% endraw %} <b>기관</b>"}})


@pytest.fixture(scope="module")
def text_en_ko() -> CanonicalText:
    req = request(AgreementKind.CO_PRODUCTION, ["en", "ko"], parties=2)
    req = req.model_copy(update={"parties": [*req.parties, hostile_party()]})
    return compose(req, load_library())


@pytest.fixture(scope="module")
def version_pdf(text_en_ko: CanonicalText, font_cache: Path) -> tuple[bytes, int, VersionMeta]:
    meta = VersionMeta(
        version=3,
        author_name="Kim Ji-won",
        summary="Tightened <i>confidentiality</i>; {{ summary }}",
        created_at=CREATED,
        text_sha256=text_sha256(text_en_ko),
    )
    pdf, pages = render_version(text_en_ko, meta, font_cache_dir=font_cache)
    return pdf, pages, meta


def test_version_pdf_is_valid_and_paged(version_pdf: tuple[bytes, int, VersionMeta]) -> None:
    pdf, pages, meta = version_pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert pages == len(reader.pages) >= 2
    pages_text = text_of(pdf)
    assert f"Draft version 3 — sha256 {meta.text_sha256}" in pages_text[0]
    assert "2026-03-02 09:30:00 UTC" in pages_text[0]
    for n, page in enumerate(pages_text, start=1):
        assert f"Page {n} of {pages}" in page
        assert f"sha256 {meta.text_sha256}" in page  # the hash people sign is on every page


def test_version_pdf_shows_both_languages_side_by_side(version_pdf: tuple[bytes, int, VersionMeta]) -> None:
    pdf, _, _ = version_pdf
    everything = " ".join(text_of(pdf))
    assert "1. Purpose and scope" in everything and "1. 목적 및 범위" in everything
    assert "English and 한국어; both texts are equally authentic." in everything
    page = pdfium.PdfDocument(pdf)[1]
    textpage = page.get_textpage()
    width = page.get_width()
    # Some text of page 2 lies in the left half and some in the right half: two columns.
    boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
    assert any(b[2] < width / 2 for b in boxes) and any(b[0] > width / 2 for b in boxes)


def test_people_s_words_print_literally(version_pdf: tuple[bytes, int, VersionMeta]) -> None:
    everything = " ".join(text_of(version_pdf[0]))
    assert "<script>alert(1)</script> {{ 7*7 }}" in everything
    assert "{% raw %}악성{% endraw %} <b>기관</b>" in everything
    assert "Tightened <i>confidentiality</i>; {{ summary }}" in everything
    assert "49" not in everything


@pytest.fixture(scope="module")
def executed(text_en_ko: CanonicalText, font_cache: Path) -> tuple[bytes, int, ExecuteRequest]:
    sha = text_sha256(text_en_ko)
    parties = [*request(AgreementKind.CO_PRODUCTION, ["en", "ko"], parties=2).parties, hostile_party()]
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    signatures = [
        Signature(
            organisation_id=p.organisation_id,
            signer_id=p.designated_signatory.id,
            signer_name=f"Signer {i}",
            title="Director General",
            version_hash=sha,
            at=start + timedelta(days=3, hours=i),
        )
        for i, p in enumerate(parties, start=1)
    ]
    approvals = [
        Approval(
            organisation_id=p.organisation_id,
            person_id="a",
            person_name=f"Approver {i}",
            version_hash=sha,
            at=start + timedelta(days=1, hours=i),
        )
        for i, p in enumerate(parties, start=1)
    ]
    events = [
        Event(seq=1, at=start, kind="created", actor_id="kim", actor_name="Kim Ji-won", detail="Agreement started"),
        Event(
            seq=2,
            at=start + timedelta(hours=1),
            kind="version",
            actor_name="Kim Ji-won",
            detail="Version 3 <b>final</b>",
            version_hash=sha,
            document_sha256="ab" * 32,
        ),
        *[
            Event(seq=3 + i, at=s.at, kind="signed", actor_name=s.signer_name, detail=s.organisation_id, version_hash=sha)
            for i, s in enumerate(signatures)
        ],
    ]
    req = ExecuteRequest(
        agreement_id=text_en_ko.agreement_id,
        title="Example co production",
        kind=AgreementKind.CO_PRODUCTION,
        languages=["en", "ko"],
        parties=parties,
        version=Version(
            number=3,
            author_id="kim",
            author_name="Kim Ji-won",
            summary="Final text",
            created_at=start,
            text_sha256=sha,
            pdf_sha256="cd" * 32,
            pages=3,
        ),
        signatures=signatures,
        approvals=approvals,
        events=events,
        executed_at=start + timedelta(days=3, hours=4),
        effective_date=date(2026, 3, 5),
        expiry_date=date(2031, 3, 4),
        term=1,
    )
    pdf, pages = render_executed(text_en_ko, req, font_cache_dir=font_cache)
    return pdf, pages, req


def test_executed_pdf_has_text_signature_page_and_certificate(executed: tuple[bytes, int, ExecuteRequest]) -> None:
    pdf, pages, req = executed
    assert pages == len(PdfReader(io.BytesIO(pdf)).pages)
    pages_text = text_of(pdf)
    sha = req.version.text_sha256
    assert pages_text[-1].endswith(f"Page {pages} of {pages}")
    signature_page = next(i for i, t in enumerate(pages_text) if "Signatures" in t and "Signed by" in t)
    certificate = next(i for i, t in enumerate(pages_text) if "Certificate of completion" in t)
    assert 0 < signature_page < certificate
    sig_text = " ".join(pages_text[signature_page:certificate])
    for i in (1, 2, 3):
        assert f"Signed by Signer {i}" in sig_text
    assert "Korean Film Council 영화진흥위원회" in sig_text  # organisation in both languages
    assert "<script>alert(1)</script> {{ 7*7 }}" in sig_text
    assert "2026-03-05 11:00:00 UTC" in sig_text
    assert sig_text.count(sha) >= 3
    cert = " ".join(pages_text[certificate:])
    squashed = "".join(cert.split())  # long hashes wrap inside narrow table cells
    assert f"Finaltextsha256{sha}" in squashed
    assert "document" + "ab" * 32 in squashed and squashed.count("version" + sha) >= 4
    for needle in ["Agreement started", "Version 3 <b>final</b>", "Approver 3", "signed"]:
        assert needle in cert, needle
    assert re.search(r"2026-03-02 09:00:00 UTC created Kim Ji-won", cert)


def test_executed_refuses_a_text_other_than_the_signed_one(
    text_en_ko: CanonicalText, executed: tuple[bytes, int, ExecuteRequest]
) -> None:
    req = executed[2]
    other = text_en_ko.model_copy(update={"title": {"en": "Changed", "ko": "변경"}})
    with pytest.raises(ExecutionMismatch, match="is not the final version"):
        render_executed(other, req)
    stale = req.model_copy(update={"signatures": [req.signatures[0].model_copy(update={"version_hash": "0" * 64})]})
    with pytest.raises(ExecutionMismatch, match="kofic"):
        render_executed(text_en_ko, stale)


def test_same_text_and_metadata_give_the_same_pdf_bytes(
    text_en_ko: CanonicalText, version_pdf: tuple[bytes, int, VersionMeta], font_cache: Path
) -> None:
    pdf, _, meta = version_pdf
    assert render_version(text_en_ko, meta, font_cache_dir=font_cache)[0] == pdf


def test_a_one_language_text_prints_in_one_column(font_cache: Path) -> None:
    text = compose(request(AgreementKind.LICENCE, ["ru"]), load_library())
    meta = VersionMeta(
        version=1, author_name="Ivan Petrov", summary="Первая редакция", created_at=CREATED, text_sha256=text_sha256(text)
    )
    pdf, pages = render_version(text, meta, font_cache_dir=font_cache)
    page = pdfium.PdfDocument(pdf)[0]
    assert pages >= 1 and "1. Предоставление прав" in " ".join(text_of(pdf))
    textpage = page.get_textpage()
    lines = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
    assert max(b[2] for b in lines) > page.get_width() * 0.7  # body text runs across the page


def test_the_executed_activity_seals_one_signature_per_organisation_once(
    text_en_ko: CanonicalText, executed: tuple[bytes, int, ExecuteRequest], font_cache: Path, tmp_path: Path
) -> None:
    req = executed[2]
    blobs = BlobStore(tmp_path / "documents")
    blobs.put(canonical_json(text_en_ko))
    authority = LocalAuthority.open_or_create(tmp_path / "pki")
    acts = DocumentActivities(blobs, None, font_cache, authority)
    first = acts._execute_sync(req)
    pdf = blobs.get(first.pdf_sha256)
    result = verify_pdf(pdf, authority)
    assert result.ok, result.problems
    # One signature per signing organisation, in the order they signed, all stating the execution time.
    assert [s.field_name for s in result.signatures] == [f"Sig_{s.organisation_id}" for s in sorted(req.signatures, key=lambda s: s.at)]
    assert [s.organisation for s in result.signatures] == [p.name("en") for p in req.parties]
    assert {s.signed_at for s in result.signatures} == {req.executed_at}
    assert result.signatures[0].reason == f"Signed for {req.parties[0].name('en')} by Signer 1"
    assert first.pages == len(PdfReader(io.BytesIO(pdf)).pages) == executed[1]
    # A retry (or a second worker) answers with the same stored PDF, never a second sealing of it.
    assert acts._execute_sync(req) == first
    assert DocumentActivities(blobs, None, font_cache, LocalAuthority.open_or_create(tmp_path / "pki"))._execute_sync(req) == first
    # An attempt that raced past the cache check with its own sealing gets the first one's PDF back.
    raced = acts._store(render_key("executed", req.model_dump(mode="json")), pdf + b"%another sealing\n", first.pages)
    assert raced == first.pdf_sha256
    assert not blobs.has(sha256_hex(pdf + b"%another sealing\n"))  # and its own sealing is not left beside it
