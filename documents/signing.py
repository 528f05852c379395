"""Seal executed PDFs with PAdES signatures, one per signing organisation, and verify any PDF.

Each organisation's signature is an incremental update (PAdES B-B, ETSI.CAdES.detached, sha256)
appended after the previous one, so every signature covers the document as the organisations
before it left it, and the last one covers the whole file. Nothing is fetched: no timestamp
authority, no OCSP or CRL — the signing time is the one stated in each signature (the moment the
agreement was executed), and trust is a root certificate given by the caller.

Verification answers what a person asks of a signed agreement: was any byte changed inside what
was signed (intact), does each certificate come from the authority we trust (trusted), and was
anything added after the last signature (coverage). Problems come back as sentences.

Both functions drive pyHanko's synchronous wrappers, which run their own event loop: call them
from plain code or a worker thread, never from inside a running event loop.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from pydantic import BaseModel
from pyhanko.keys import load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from documents.pki import LocalAuthority

_FIELD_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class SignerIdentity:
    """Who a signature is for: the organisation (its certificate) and the person who signed for it."""

    organisation_id: str
    organisation_name: str
    country: str
    person_name: str

    @property
    def field_name(self) -> str:
        # A period separates levels of a PDF field name, so ids like "kr.kofic" are flattened.
        return "Sig_" + _FIELD_UNSAFE.sub("_", self.organisation_id)


class _PdfSignerAt(signers.PdfSigner):
    """pyHanko's signer stamps the current time; ours states the time given (the execution time),
    so a signature says when the agreement was executed, whichever worker sealed it and when."""

    def __init__(self, signed_at: datetime, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._signed_at = signed_at

    def init_signing_session(self, pdf_out, existing_fields_only=False):  # type: ignore[no-untyped-def]
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signed_at
        return session


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def seal_pdf(pdf_bytes: bytes, signers_: list[SignerIdentity], authority: LocalAuthority, signed_at: datetime) -> bytes:
    """`pdf_bytes` with one invisible PAdES signature per signer, in the order given."""
    if signed_at.tzinfo is None:
        raise ValueError("signed_at must carry a time zone")
    pdf = pdf_bytes
    for who in signers_:
        key = authority.certificate_for(who.organisation_id, who.organisation_name, who.country)
        chain = [_asn1(c) for c in key.chain]
        signer = signers.SimpleSigner(
            signing_cert=_asn1(key.cert),
            signing_key=load_private_key_from_pemder_data(key.key_pem, passphrase=None),
            cert_registry=SimpleCertificateStore.from_certs(chain),
        )
        meta = signers.PdfSignatureMetadata(
            field_name=who.field_name,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=f"Signed for {who.organisation_name} by {who.person_name}",
            location=who.country,
            name=who.person_name,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        out = _PdfSignerAt(signed_at, meta, signer=signer).sign_pdf(writer)
        pdf = out.getvalue()
    return pdf


Coverage = Literal["entire file", "its revision", "part of the file"]


class SignatureCheck(BaseModel):
    """One signature of a PDF, as a verifier sees it."""

    field_name: str
    organisation: str  # O (or CN) of the signing certificate
    country: str | None = None
    reason: str | None = None
    signed_at: datetime | None = None  # stated by the signer (/M): there is no timestamp authority
    intact: bool  # the bytes it covers are the bytes signed, and the signature value checks out
    trusted: bool  # its certificate chains to the trust root (valid chain)
    coverage: Coverage
    changed_after: str | None = None  # what later revisions did to what it signed, when more than signatures

    @property
    def covers_whole_document(self) -> bool:
        return self.coverage == "entire file"


class PdfVerification(BaseModel):
    signatures: list[SignatureCheck]
    ok: bool
    problems: list[str]


class NotAPdf(ValueError):
    """The bytes given are not a PDF that can be read."""


_COVERAGE: dict[SignatureCoverageLevel, Coverage] = {
    SignatureCoverageLevel.ENTIRE_FILE: "entire file",
    SignatureCoverageLevel.ENTIRE_REVISION: "its revision",
}

# What may follow a signature without touching what it signed: further signatures (a new
# signature field is form filling in pyHanko's terms).
_ALLOWED_AFTER = ModificationLevel.FORM_FILLING


def _root_of(trust: LocalAuthority | x509.Certificate) -> x509.Certificate:
    return trust.root if isinstance(trust, LocalAuthority) else trust


def _subject(cert: asn1_x509.Certificate, attribute: str) -> str | None:
    value = cert.subject.native.get(attribute)
    return value if isinstance(value, str) else None


def verify_pdf(pdf_bytes: bytes, trust: LocalAuthority | x509.Certificate) -> PdfVerification:
    """Every signature of `pdf_bytes`, checked against the trust root; `ok` only when all hold.

    Raises `NotAPdf` for bytes that cannot be read as a PDF."""
    if not pdf_bytes.startswith(b"%PDF-"):
        raise NotAPdf("not a PDF file (it does not start with %PDF-)")
    try:
        embedded = list(PdfFileReader(io.BytesIO(pdf_bytes), strict=False).embedded_regular_signatures)
    except (PdfError, ValueError, KeyError, TypeError) as e:
        raise NotAPdf(f"not a readable PDF ({e})") from None
    root = _root_of(trust)
    root_name = root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    root_label = str(root_name[0].value) if root_name else root.subject.rfc4514_string()
    checks: list[SignatureCheck] = []
    problems: list[str] = []
    if not embedded:
        return PdfVerification(signatures=[], ok=False, problems=["This PDF carries no signature."])
    for n, sig in enumerate(embedded, start=1):
        context = ValidationContext(trust_roots=[_asn1(root)], allow_fetching=False)
        try:
            status = validate_pdf_signature(sig, signer_validation_context=context)
        except (PdfError, ValueError, KeyError) as e:  # a damaged signature dictionary or CMS blob
            checks.append(SignatureCheck(field_name=str(sig.field_name), organisation="an unknown signer", intact=False,
                                         trusted=False, coverage="part of the file"))  # fmt: skip
            problems.append(f"The signature {sig.field_name} cannot be read ({e}).")
            continue
        cert = status.signing_cert
        organisation = _subject(cert, "organization_name") or _subject(cert, "common_name") or "an unknown signer"
        last = n == len(embedded)
        level = status.modification_level
        changed = None if last or level is None or level <= _ALLOWED_AFTER else level.name.lower().replace("_", " ")
        check = SignatureCheck(
            field_name=sig.field_name,
            organisation=organisation,
            country=_subject(cert, "country_name"),
            reason=_text(sig.sig_object.get("/Reason")),
            signed_at=status.signer_reported_dt,
            intact=status.intact and status.valid,
            trusted=status.trust_problem_indic is None and status.validation_path is not None,
            coverage=_COVERAGE.get(status.coverage, "part of the file") if status.coverage else "part of the file",
            changed_after=changed,
        )
        checks.append(check)
        who = f"The signature of {organisation} ({sig.field_name})"
        if not check.intact:
            problems.append(f"{who} does not match the document: bytes it covers were changed after signing.")
        if not check.trusted:
            problems.append(f"{who} is not trusted: {_distrust(status.trust_problem_indic, root_label)}.")
        if not last and check.intact and check.coverage == "part of the file":
            problems.append(f"{who} does not cover the whole revision it was made on.")
        if last and check.intact and not check.covers_whole_document:
            problems.append(f"Something was added to the file after the last signature ({organisation}, {sig.field_name}):"
                            " the addition is not signed.")
        if changed is not None and check.intact:
            problems.append(f"{who} was followed by changes other than signatures ({changed}).")
    return PdfVerification(signatures=checks, ok=not problems, problems=problems)


def _distrust(indication: object, root_label: str) -> str:
    name = getattr(indication, "name", "")
    if "OUT_OF_BOUNDS" in name or name in ("EXPIRED", "NOT_YET_VALID"):
        return "its certificate is outside its period of validity"
    if "REVOKED" in name:
        return "its certificate has been revoked"
    return f"its certificate was not issued by {root_label}"


def _text(value: object) -> str | None:
    return str(value) if value is not None else None
