"""A thread parses the stylesheets and registers the fonts once per set of faces, and reuses them:
the PDF is the same bytes as with stylesheets parsed afresh, and threads never share a font
configuration (it holds a Pango font map)."""

from __future__ import annotations

import threading
from pathlib import Path

from weasyprint import HTML

from documents import render
from documents.fetcher import AssetFetcher
from documents.fonts import font_face_css, fontset

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Reuse</title>
<link rel="stylesheet" href="helix-asset:styles/fonts.css"><link rel="stylesheet" href="helix-asset:styles/helix.css">
</head><body><h1>Notice</h1><p class="muted">Kim Min-ji 김민지, Айгерим, 王磊</p>
<table class="meta"><tr><td class="muted">Kind</td><td>Licence</td></tr></table></body></html>"""


def fresh(html: str, cache: Path) -> bytes:
    """weasyprint as each render used to run it: every linked stylesheet fetched and parsed."""
    faces = fontset(cache).faces_for(html)
    for f in faces:
        f.ready()
    fetcher = AssetFetcher(faces, extra={"styles/fonts.css": (font_face_css(faces).encode(), "text/css")})
    doc = HTML(string=html, url_fetcher=fetcher).render()
    doc.metadata.attachments = []
    return doc.write_pdf()


def test_reused_stylesheets_give_the_same_pdf_as_fresh_ones(font_cache: Path) -> None:
    first = render.html_to_pdf(PAGE, font_cache_dir=font_cache)
    again = render.html_to_pdf(PAGE, font_cache_dir=font_cache)
    assert first.pdf == again.pdf == fresh(PAGE, font_cache)
    assert first.refused == again.refused == []


def test_one_parse_per_thread_and_set_of_faces(font_cache: Path) -> None:
    faces = tuple(fontset(font_cache).faces_for(PAGE))
    config, sheets = render._stylesheets(faces)
    assert render._stylesheets(faces) == (config, sheets)  # the same objects: parsed once
    latin = tuple(fontset(font_cache).faces_for("<p>Only Latin</p>"))
    assert latin != faces and render._stylesheets(latin)[0] is not config

    elsewhere: list[object] = []
    t = threading.Thread(target=lambda: elsewhere.append(render._stylesheets(faces)[0]))
    t.start()
    t.join()
    assert elsewhere and elsewhere[0] is not config  # another thread, another font configuration
