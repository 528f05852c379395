"""Render agreement PDFs: jinja2 templates → HTML → weasyprint, through the bundled-asset fetcher only.

Everything a person typed (party names, clause texts, summaries, event details) reaches the PDF as
autoescaped *data* of the HTML template — never as template source and never as markup — so a party
called `<script>` or `{{ 7*7 }}` is printed exactly like that. The page fetches nothing but
`helix-asset:` URLs, and attachments are stripped from the rendered document before it is written
(see `documents.fetcher`).

Every function takes `font_cache_dir`: give it the data folder's `fonts-cache/` so fonts are derived
once and each render embeds small faces (see `documents.font_cache`); `None` embeds the full bundled
fonts, which is correct but several seconds slower per CJK document.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import zip_longest
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from documents.fetcher import AssetFetcher
from documents.font_cache import RECIPE_VERSION
from documents.fonts import Face, FontSet, font_face_css, fontset
from domain.agreement_kinds import KIND_LABELS
from domain.agreements import ExecuteRequest
from domain.reference import COUNTRIES, LANGUAGES
from domain.texts import CanonicalText, text_sha256

TEMPLATES_DIR = Path(__file__).parent / "templates"
STYLES_DIR = Path(__file__).parent / "styles"


def _renderer_version() -> str:
    """Changes whenever a template or stylesheet does, so render caches keyed on it never serve stale PDFs."""
    digest = hashlib.sha256(f"fonts:{RECIPE_VERSION}".encode())
    for folder in (TEMPLATES_DIR, STYLES_DIR):
        for path in sorted(folder.iterdir()):
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return "1." + digest.hexdigest()[:12]


RENDERER_VERSION = _renderer_version()

_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

# BCP 47 tags for `lang` attributes: HarfBuzz then picks Simplified Chinese or Korean glyph forms.
_LANG_TAGS = {"zh": "zh-Hans"}


class VersionMeta(BaseModel):
    """What the draft PDF says about the version it shows."""

    version: int
    author_name: str
    summary: str
    created_at: datetime
    text_sha256: str


@dataclass
class RenderedPdf:
    pdf: bytes
    pages: int
    refused: list[str] = field(default_factory=list)  # URLs the fetcher turned away


def utc(dt: datetime) -> str:
    """Times in documents are UTC, always labelled, so parties in five time zones read the same instant."""
    aware = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def html_to_pdf(html: str, *, font_cache_dir: Path | None = None, fonts: FontSet | None = None) -> RenderedPdf:
    """Any HTML to PDF, with the fonts its characters need and nothing fetched from outside.

    `fonts` replaces the font chain (tests use it to prove that a missing font is detected).
    """
    # fontTools stamps every subset font it writes with the current time; a fixed stamp makes the
    # same text and metadata give the same PDF bytes, so a re-render can be checked by its hash.
    # Process-wide, but only fontTools reads it, and an operator's own value is kept.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    chain = fonts or fontset(Path(font_cache_dir) if font_cache_dir is not None else None)
    faces = chain.faces_for(html)
    for face in faces:
        face.ready()
    font_config, sheets = _stylesheets(tuple(faces))
    fetcher = AssetFetcher(faces, extra=_LINKED_SHEETS)
    document = HTML(string=html, url_fetcher=fetcher).render(stylesheets=list(sheets), font_config=font_config)
    # <link rel=attachment> and <a rel=attachment> would embed whatever the fetcher returns.
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]
    pdf = document.write_pdf()
    return RenderedPdf(pdf=pdf, pages=len(document.pages), refused=list(fetcher.refused))


# The page's own links to our stylesheets resolve to nothing: `_stylesheets` passes them parsed.
_LINKED_SHEETS = {"styles/fonts.css": (b"", "text/css"), "styles/helix.css": (b"", "text/css")}
_sheets = threading.local()


def _stylesheets(faces: tuple[Face, ...]) -> tuple[FontConfiguration, tuple[CSS, ...]]:
    """The fonts' @font-face rules and helix.css, parsed once per set of faces in this thread.

    weasyprint parses every stylesheet a page links and registers every @font-face with fontconfig
    (writing each font to a file) on each render: 40–90 ms of CPU before the first line is laid
    out, a third of a one-page letter. Parsed here once, with the font configuration they were
    registered in, they are reused by every render of this thread that needs the same faces (a
    font configuration holds a Pango font map, which is not shared between threads). They apply
    as user stylesheets, where the page linked them as author ones: the same cascade, since the
    templates carry no stylesheets of their own and helix.css has no `!important`."""
    cache: dict[tuple[Face, ...], tuple[FontConfiguration, tuple[CSS, ...]]] = _sheets.__dict__.setdefault("by_faces", {})
    hit = cache.get(faces)
    if hit is None:
        font_config = FontConfiguration()
        fetcher = AssetFetcher(faces)
        fonts_css = CSS(string=font_face_css(list(faces)), base_url="helix-asset:styles/fonts.css", url_fetcher=fetcher,
                        font_config=font_config)  # fmt: skip
        helix_css = CSS(string=(STYLES_DIR / "helix.css").read_text(encoding="utf-8"), base_url="helix-asset:styles/helix.css",
                        url_fetcher=fetcher, font_config=font_config)  # fmt: skip
        if len(cache) >= 32:  # a few sets of scripts in practice; never unbounded
            cache.clear()
        hit = cache[faces] = (font_config, (fonts_css, helix_css))
    return hit


def render_html(template_name: str, context: Mapping[str, Any], *, font_cache_dir: Path | None = None) -> tuple[bytes, int]:
    """Render any template in `documents/templates/` (letters, notices …) to (pdf bytes, page count).

    The context must provide `title` and `html_lang` for `base.html`.
    """
    html = _env.get_template(template_name).render(**context)
    result = html_to_pdf(html, font_cache_dir=font_cache_dir)
    return result.pdf, result.pages


def _language(code: str) -> dict[str, str]:
    return {"code": code, "tag": _LANG_TAGS.get(code, code), "label": LANGUAGES.get(code, code)}


def _text_context(text: CanonicalText) -> dict[str, Any]:
    langs = text.languages
    clauses = []
    for n, clause in enumerate(text.clauses, start=1):
        columns = [clause.paragraphs(lang) for lang in langs]
        clauses.append(
            {
                "number": n,
                "id": clause.id,
                "heading": {lang: clause.heading.get(lang, "") for lang in langs},
                "rows": [list(row) for row in zip_longest(*columns, fillvalue="")],
            }
        )
    parties = []
    for p in text.parties:
        names = p.get("names", {})
        fallback = names.get("en") or next(iter(names.values()), p.get("organisation_id", ""))
        country = COUNTRIES.get(str(p.get("country", "")).upper())
        parties.append(
            {
                "names": {lang: names.get(lang) or fallback for lang in langs},
                "country": country.name("en") if country else p.get("country", ""),
            }
        )
    return {"languages": [_language(lang) for lang in langs], "clauses": clauses, "parties": parties}


def _common(text: CanonicalText) -> dict[str, Any]:
    first = text.languages[0]
    return {
        "title": text.title.get(first) or next(iter(text.title.values()), text.agreement_id),
        "html_lang": _LANG_TAGS.get(first, first),
        "kind_label": KIND_LABELS[text.kind],
        "text": _text_context(text),
    }


def render_version(text: CanonicalText, meta: VersionMeta, *, font_cache_dir: Path | None = None) -> tuple[bytes, int]:
    """The draft PDF reviewers read: version, author, summary and hash on top, then the text."""
    context = {**_common(text), "meta": meta, "created_at": utc(meta.created_at)}
    return render_html("version.html", context, font_cache_dir=font_cache_dir)


class ExecutionMismatch(ValueError):
    """The text given is not the one the parties signed; an executed PDF of it would be false."""


def render_executed(text: CanonicalText, req: ExecuteRequest, *, font_cache_dir: Path | None = None) -> tuple[bytes, int]:
    """The executed agreement: final text, a signature page, and the certificate of completion."""
    sha = text_sha256(text)
    if sha != req.version.text_sha256:
        raise ExecutionMismatch(f"text hash {sha} is not the final version's {req.version.text_sha256}")
    wrong = [s.organisation_id for s in req.signatures if s.version_hash != sha]
    if wrong:
        raise ExecutionMismatch(f"signature(s) of {', '.join(wrong)} were given to another version than {sha}")
    common = _common(text)
    langs = text.languages
    blocks = []
    for party in req.parties:
        signed = [s for s in req.signatures if s.organisation_id == party.organisation_id]
        signature = max(signed, key=lambda s: s.at) if signed else None
        blocks.append(
            {
                "names": {lang: party.name(lang) for lang in langs},
                "signature": signature,
                "signed_at": utc(signature.at) if signature else "",
            }
        )
    events = [
        {
            "seq": e.seq,
            "at": utc(e.at),
            "kind": e.kind,
            "actor": e.actor_name or e.actor_id or "",
            "detail": e.detail,
            "version_hash": e.version_hash,
            "document_sha256": e.document_sha256,
        }
        for e in sorted(req.events, key=lambda e: e.seq)
    ]
    approvals = [
        {"at": utc(a.at), "organisation_id": a.organisation_id, "person_name": a.person_name, "version_hash": a.version_hash}
        for a in sorted(req.approvals, key=lambda a: a.at)
    ]
    context = {
        **common,
        "req": req,
        "text_sha256": sha,
        "executed_at": utc(req.executed_at),
        "signatures": blocks,
        "events": events,
        "approvals": approvals,
    }
    return render_html("executed.html", context, font_cache_dir=font_cache_dir)
