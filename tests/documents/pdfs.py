"""Small PDFs for the signing tests: rendered once by our own renderer, tampered with pyHanko's writer."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from functools import cache

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from documents.render import html_to_pdf
from documents.signing import SignerIdentity

SIGNED_AT = datetime(2026, 3, 5, 11, 0, tzinfo=UTC)
KOFIC = SignerIdentity("kofic", "Korean Film Council", "KR", "Kim Min-ji")
CFA = SignerIdentity("cfa.cn", "China Film Administration", "CN", "Li Wei")


@cache
def tiny_pdf() -> bytes:
    return html_to_pdf("<html><body><h1>Memorandum</h1><p>The parties agree.</p></body></html>").pdf


def with_annotation(pdf: bytes, note: str = "VOID") -> bytes:
    """`pdf` plus an incremental update that puts a text note on page 1: a change nobody signed."""
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    annot = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Text"),
        generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (20, 20, 40, 40)]),
        generic.NameObject("/Contents"): generic.TextStringObject(note),
    })  # fmt: skip
    page[generic.NameObject("/Annots")] = generic.ArrayObject([*page.get("/Annots", []), w.add_object(annot)])
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()
