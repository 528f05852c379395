"""PAdES sealing and verification: the local authority, one signature per organisation, tampering found."""

from __future__ import annotations

import stat
import threading
from datetime import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from documents.pki import AUTHORITY_NAME, LocalAuthority
from documents.signing import NotAPdf, seal_pdf, verify_pdf
from tests.documents.pdfs import CFA, KOFIC, SIGNED_AT, tiny_pdf, with_annotation


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> LocalAuthority:
    return LocalAuthority.open_or_create(tmp_path_factory.mktemp("data") / "pki")


@pytest.fixture(scope="module")
def sealed(authority: LocalAuthority) -> bytes:
    return seal_pdf(tiny_pdf(), [KOFIC, CFA], authority, SIGNED_AT)


def fingerprint(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def test_the_authority_is_created_once_and_keeps_its_keys_private(tmp_path: Path) -> None:
    first = LocalAuthority.open_or_create(tmp_path / "pki")
    again = LocalAuthority.open_or_create(tmp_path / "pki")
    assert fingerprint(first.root) == fingerprint(again.root)
    assert first.root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == AUTHORITY_NAME
    assert fingerprint(LocalAuthority.trust_root(tmp_path / "pki")) == fingerprint(first.root)  # type: ignore[arg-type]
    assert LocalAuthority.trust_root(tmp_path / "elsewhere") is None

    key = first.certificate_for("kofic", "Korean Film Council", "kr")
    assert fingerprint(again.certificate_for("kofic", "Korean Film Council", "KR").cert) == fingerprint(key.cert)
    subject = {a.oid: a.value for a in key.cert.subject}
    assert subject == {NameOID.ORGANIZATION_NAME: "Korean Film Council", NameOID.COUNTRY_NAME: "KR",
                       NameOID.COMMON_NAME: "Korean Film Council"}  # fmt: skip
    assert key.cert.issuer == first.root.subject
    key.cert.verify_directly_issued_by(first.root)
    usage = key.cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert (key.cert.not_valid_before_utc, key.cert.not_valid_after_utc) == (
        first.root.not_valid_before_utc, first.root.not_valid_after_utc)  # fmt: skip
    for name in ("ca.key.pem", "kofic.key.pem"):
        assert stat.S_IMODE((tmp_path / "pki" / name).stat().st_mode) == 0o600
    assert (tmp_path / "pki" / "kofic.cert.pem").is_file()
    with pytest.raises(ValueError, match="cannot name a certificate file"):
        first.certificate_for("../etc", "X", "KR")


def test_two_openers_at_once_end_with_one_authority_and_one_certificate(tmp_path: Path) -> None:
    barrier = threading.Barrier(6)
    roots: list[bytes] = []
    certs: list[bytes] = []

    def open_and_issue() -> None:
        barrier.wait()
        authority = LocalAuthority.open_or_create(tmp_path / "pki")
        roots.append(fingerprint(authority.root))
        certs.append(fingerprint(authority.certificate_for("cfa.cn", "China Film Administration", "CN").cert))

    threads = [threading.Thread(target=open_and_issue) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(roots) == len(certs) == 6 and len(set(roots)) == 1 and len(set(certs)) == 1
    names = sorted(p.name for p in (tmp_path / "pki").iterdir() if not p.name.startswith("."))
    assert names == ["ca.cert.pem", "ca.key.pem", "cfa.cn.cert.pem", "cfa.cn.key.pem"]
    assert not [p for p in (tmp_path / "pki").iterdir() if p.name.startswith(".tmp-")]


def test_each_organisation_signs_and_the_last_signature_covers_the_file(sealed: bytes, authority: LocalAuthority) -> None:
    result = verify_pdf(sealed, authority)
    assert result.ok and result.problems == []
    first, last = result.signatures
    assert (first.field_name, last.field_name) == ("Sig_kofic", "Sig_cfa_cn")
    assert (first.organisation, first.country) == ("Korean Film Council", "KR")
    assert first.reason == "Signed for Korean Film Council by Kim Min-ji"
    assert all(s.intact and s.trusted and s.signed_at == SIGNED_AT for s in result.signatures)
    assert first.coverage == "its revision" and not first.covers_whole_document
    assert last.coverage == "entire file" and last.covers_whole_document
    assert sealed.startswith(tiny_pdf())  # incremental updates: the rendered bytes are kept as they were
    assert verify_pdf(sealed, authority.root).ok  # a bare root certificate is trusted the same way


def test_a_byte_changed_inside_the_first_revision_is_found(sealed: bytes, authority: LocalAuthority) -> None:
    where = tiny_pdf().index(b"stream\n") + 20  # inside the page's content stream
    tampered = bytearray(sealed)
    tampered[where] ^= 0x01
    result = verify_pdf(bytes(tampered), authority)
    assert not result.ok
    assert [s.intact for s in result.signatures] == [False, False]  # the second covers the first revision too
    assert "The signature of Korean Film Council (Sig_kofic) does not match the document" in result.problems[0]


def test_an_update_appended_after_the_last_signature_is_found(sealed: bytes, authority: LocalAuthority) -> None:
    result = verify_pdf(with_annotation(sealed), authority)
    assert not result.ok
    assert all(s.intact and s.trusted for s in result.signatures)
    assert result.signatures[-1].coverage == "its revision"
    assert any(p.startswith("Something was added to the file after the last signature") for p in result.problems)
    assert result.signatures[0].changed_after is not None  # the first signer's revision was changed afterwards


def test_a_signature_from_another_authority_is_not_trusted(tmp_path: Path, authority: LocalAuthority) -> None:
    forger = LocalAuthority.open_or_create(tmp_path / "forged")  # same name, different key
    forged = seal_pdf(tiny_pdf(), [KOFIC], forger, SIGNED_AT)
    result = verify_pdf(forged, authority)
    assert not result.ok
    (check,) = result.signatures
    assert check.intact and not check.trusted
    assert result.problems == [f"The signature of Korean Film Council (Sig_kofic) is not trusted: its certificate was not "
                               f"issued by {AUTHORITY_NAME}."]  # fmt: skip
    assert verify_pdf(forged, forger).ok


def test_an_unsigned_pdf_is_not_ok(authority: LocalAuthority) -> None:
    result = verify_pdf(tiny_pdf(), authority)
    assert not result.ok and result.signatures == [] and result.problems == ["This PDF carries no signature."]


def test_bytes_that_are_no_pdf_are_refused(authority: LocalAuthority) -> None:
    with pytest.raises(NotAPdf, match="not a PDF"):
        verify_pdf(b"hello", authority)
    with pytest.raises(NotAPdf, match="not a readable PDF"):
        verify_pdf(tiny_pdf()[:1500], authority)


def test_the_signing_time_must_say_its_time_zone(authority: LocalAuthority) -> None:
    with pytest.raises(ValueError, match="time zone"):
        seal_pdf(tiny_pdf(), [KOFIC], authority, datetime(2026, 3, 5, 11, 0))
