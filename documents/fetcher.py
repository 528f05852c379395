"""The only way weasyprint may read anything while rendering: bundled assets under `helix-asset:`.

Agreement texts carry words typed by people from many organisations. weasyprint, left to itself,
fetches any `file://`, `http://` or `data:` URL it meets in HTML or CSS, and `<link rel=attachment>`
embeds the fetched file *into the PDF* — a clause text that smuggled such a link past escaping would
ship /etc/passwd, or a request to an internal service, inside a signed agreement. So the renderer
gets this fetcher: it serves the fonts of the chosen `FontSet` and the files under
`documents/styles/`, and refuses everything else (logged at debug, and recorded in `refused` for
tests and diagnostics). `data:` is refused too: nothing we render needs it, and refusing it keeps
the rule one line long.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from documents.fonts import Face

log = logging.getLogger(__name__)

SCHEME = "helix-asset:"
STYLES_DIR = Path(__file__).parent / "styles"
_STYLE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(css|svg|png)$")
_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class RefusedURL(ValueError):
    """A URL outside the bundled assets; weasyprint catches it and leaves the resource out."""


class AssetFetcher(URLFetcher):
    """Serves `helix-asset:fonts/<face>` and `helix-asset:styles/<file>`; refuses every other URL."""

    def __init__(self, faces: list[Face] | tuple[Face, ...] = (), extra: dict[str, tuple[bytes, str]] | None = None) -> None:
        super().__init__(timeout=1, allowed_protocols=[], allow_redirects=False, fail_on_errors=False)
        self._faces = {f.name: f for f in faces}
        self._extra = dict(extra or {})  # generated assets, e.g. "styles/fonts.css" → (bytes, mime)
        self.served: list[str] = []
        self.refused: list[str] = []

    def _refuse(self, url: str, why: str) -> RefusedURL:
        self.refused.append(url)
        log.debug("refused to fetch %.200s: %s", url, why)
        return RefusedURL(f"helix renders only bundled assets; refused {url[:100]!r} ({why})")

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if not url.startswith(SCHEME):
            raise self._refuse(url, "not a helix-asset: URL")
        rest = url[len(SCHEME) :].split("?", 1)[0].split("#", 1)[0]
        if rest in self._extra:
            body, mime = self._extra[rest]
            return self._ok(url, body, mime)
        kind, _, name = rest.partition("/")
        if kind == "fonts" and name in self._faces:
            face = self._faces[name]
            return self._ok(url, face.path.read_bytes(), face.mime)
        if kind == "styles" and _STYLE_NAME.match(name):
            path = STYLES_DIR / name
            if path.is_file():
                return self._ok(url, path.read_bytes(), _TYPES[path.suffix])
        raise self._refuse(url, "no such bundled asset")

    def _ok(self, url: str, body: bytes, mime: str) -> URLFetcherResponse:
        self.served.append(url)
        return URLFetcherResponse(url, body, headers={"Content-Type": mime})

    def open(self, url: object, data: object = None, timeout: object = None) -> URLFetcherResponse:
        """urllib's entry point, in case weasyprint calls it; goes through the same gate."""
        return self.fetch(url if isinstance(url, str) else getattr(url, "full_url", str(url)))
