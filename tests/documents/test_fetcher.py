"""The renderer fetches nothing but bundled assets, and never embeds attachments."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from pypdf import PdfReader

from documents.fetcher import AssetFetcher, RefusedURL
from documents.fonts import fontset
from documents.render import RenderedPdf, html_to_pdf

HOSTILE = """<html><head>
<link rel="stylesheet" href="helix-asset:styles/fonts.css">
<link rel="stylesheet" href="helix-asset:styles/helix.css">
<link rel="attachment" href="file:///etc/passwd" title="passwords">
<link rel="attachment" href="helix-asset:styles/helix.css" title="even our own files">
<link rel="stylesheet" href="http://127.0.0.1:9/remote.css">
<style>
@import url("http://127.0.0.1:9/imported.css");
@import url("file:///etc/hosts");
body { background: url(http://127.0.0.1:9/x) }
p.d { background-image: url("data:image/png;base64,iVBORw0KGgo=") }
@font-face { font-family: Evil; src: url(file:///etc/passwd) }
</style></head><body>
<h1>Hostile page</h1>
<img src="file:///etc/passwd" alt="">
<img src="http://127.0.0.1:9/pixel.png" alt="">
<p class="d">data URL</p>
<a rel="attachment" href="file:///etc/passwd">download</a>
<iframe src="file:///etc/passwd"></iframe>
</body></html>"""


@pytest.fixture(scope="module")
def hostile(font_cache: Path) -> RenderedPdf:
    return html_to_pdf(HOSTILE, font_cache_dir=font_cache)


def test_hostile_page_renders_without_attachments(hostile: RenderedPdf) -> None:
    reader = PdfReader(io.BytesIO(hostile.pdf))
    assert hostile.pages == len(reader.pages) == 1
    assert "Hostile page" in reader.pages[0].extract_text()
    names = reader.trailer["/Root"].get("/Names")
    assert names is None or "/EmbeddedFiles" not in names.get_object()
    assert reader.attachments == {}
    annots = reader.pages[0].get("/Annots") or []
    assert all(a.get_object().get("/Subtype") != "/FileAttachment" for a in annots)


def test_every_outside_url_was_refused(hostile: RenderedPdf) -> None:
    refused = set(hostile.refused)
    for url in [
        "file:///etc/passwd",
        "file:///etc/hosts",
        "http://127.0.0.1:9/remote.css",
        "http://127.0.0.1:9/imported.css",
        "http://127.0.0.1:9/x",
        "http://127.0.0.1:9/pixel.png",
    ]:
        assert url in refused, url
    assert any(u.startswith("data:image/png") for u in refused)


def test_fetcher_serves_bundled_assets_only(font_cache: Path, caplog: pytest.LogCaptureFixture) -> None:
    faces = fontset(font_cache).faces_for("Hello")
    fetcher = AssetFetcher(faces, extra={"styles/fonts.css": (b"/* generated */", "text/css")})
    css = fetcher.fetch("helix-asset:styles/helix.css")
    assert css.content_type == "text/css" and b"@page" in css.read()
    assert fetcher.fetch("helix-asset:styles/fonts.css").read() == b"/* generated */"
    font = fetcher.fetch(f"helix-asset:fonts/{faces[0].name}")
    assert font.content_type == "font/ttf" and font.read()[:4] == b"\x00\x01\x00\x00"
    with caplog.at_level(logging.DEBUG, logger="documents.fetcher"):
        for url in [
            "file:///etc/passwd",
            "https://example.org/x.css",
            "data:text/css,body{}",
            "helix-asset:styles/../fonts.py",
            "helix-asset:styles/%2e%2e/fonts.py",
            "helix-asset:fonts/han-not-declared",
            "helix-asset:templates/base.html",
            "HELIX-ASSET:styles/helix.css",
        ]:
            with pytest.raises(RefusedURL):
                fetcher.fetch(url)
    assert len(fetcher.refused) == 8
    assert "refused to fetch file:///etc/passwd" in caplog.text
