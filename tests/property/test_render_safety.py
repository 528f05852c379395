"""Words people type reach the PDFs as words: HTML, CSS, template syntax and URLs print literally, and
the renderer reads no file and opens no connection because of them.

Hostile text goes into the user-controlled fields of each kind of document the system renders: an
agreement's title and a clause a person rewrote (and the version's author and summary), a grant
award letter's project title, a release recommendation letter's film title, a transcript's student
name. Each PDF is rendered for real; then

- the text extracted with pypdf contains the hostile text literally (`{{ 7*7 }}`, not `49`);
- the URL fetcher (`documents.fetcher.AssetFetcher`, spied on) was asked for bundled
  `helix-asset:` URLs only, and refused none;
- while rendering, Python's audit hooks saw no socket connect or name lookup (either fails the
  render on the spot) and no file opened outside the package, the font cache, the Python
  installation and weasyprint's own temporary files.
"""

from __future__ import annotations

import io
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

import documents
from documents.compose import compose
from documents.fetcher import SCHEME, AssetFetcher
from documents.grants import render_award_letter
from documents.library import load_library
from documents.programs import render_transcript
from documents.releases import render_recommendation_letter
from documents.render import VersionMeta, render_version
from domain.agreements import AgreementKind
from domain.texts import text_sha256
from tests.documents.examples import CREATED, request
from tests.domain.grants.examples import application, application_data
from tests.domain.releases.examples import STEPPE_WIND
from tests.exports.program_states import ISSUED, midway
from tests.grants.builders import award_request
from tests.property.strategies import examples
from tests.releases.builders import letter_request

HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel=stylesheet href="http://127.0.0.1:9/x.css">',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<iframe src="file:///etc/hostname"></iframe>',
    "<script>alert(1)</script>",
    '<p style="background: url(file:///etc/hostname)">styled</p>',
    "<style>@import url(http://127.0.0.1:9/i.css);</style>",
    "@import url(http://127.0.0.1:9/a.css);",
    "url(file:///etc/hostname)",
    "{{ 7*7 }}",
    "{{ 1234*5678 }}",
    "{% include '/etc/passwd' %}",
    "{{ self.__init__.__globals__ }}",
    "{# a comment #}",
    "http://127.0.0.1:9/x",
    "https://example.org/a?b=c&d=e",
    "file:///etc/passwd",
    "data:text/html,<b>x</b>",
    "&amp; &lt;b&gt;",
    "<!-- a comment -->",
    "<svg onload=alert(1)>",
]
EVERYTHING = " ".join(HOSTILE)
NEVER = ["7006652"]  # 1234*5678: what the template syntax would print if it were evaluated

words = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=10)
hostile = st.lists(st.sampled_from(HOSTILE) | words, min_size=1, max_size=4).map(" ".join).filter(lambda s: 3 <= len(s) <= 190)
"""Markup, CSS, template syntax and URLs mixed with printable ASCII (every glyph in the bundled fonts)."""

RENDERS = settings(max_examples=examples(5), deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- what the renderer touches

_seen: list[tuple[str, Any]] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _seen is None:
        return
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"):
        _seen.append((event, args))
        raise PermissionError(f"the renderer tried to reach the network: {event} {args!r:.200}")
    if event == "open":
        _seen.append((event, args))


sys.addaudithook(_audit)  # audit hooks stay for the process; this one does nothing outside `watched`


@contextmanager
def watched(font_cache: Path) -> Iterator[list[str]]:
    """Render inside this: yields the URLs the fetcher was asked for, and checks, on leaving, every
    file opened and that no connection was attempted."""
    global _seen
    requested: list[str] = []
    original = AssetFetcher.fetch

    def spy(self: AssetFetcher, url: str, headers: dict[str, str] | None = None) -> Any:
        requested.append(url)
        return original(self, url, headers)

    seen: list[tuple[str, Any]] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(AssetFetcher, "fetch", spy)
        _seen = seen
        try:
            yield requested
        finally:
            _seen = None
    network = [e for e in seen if e[0] != "open"]
    assert not network, f"the renderer reached for the network: {network}"
    allowed = [Path(documents.__file__).parent, font_cache, Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix)]
    allowed = [p.resolve() for p in allowed]
    temp = Path(tempfile.gettempdir()).resolve()
    for _, (path, *_rest) in seen:
        if not isinstance(path, str | bytes | Path):
            continue  # a file descriptor
        p = Path(path.decode() if isinstance(path, bytes) else path).resolve()
        if p.is_relative_to(temp) and p.relative_to(temp).parts[0].startswith("weasyprint-"):
            continue  # weasyprint's own temporary font files
        assert "etc" not in p.parts[:2], f"the renderer opened {p}"
        assert any(p.is_relative_to(root) for root in allowed), f"the renderer opened {p}, outside the package and fonts"
    outside = [u for u in requested if not u.startswith(SCHEME)]
    assert not outside, f"the fetcher was asked for {outside}"


def text_of(pdf: bytes) -> str:
    """The PDF's text without whitespace: long text wraps anywhere, so compare it unwrapped."""
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def assert_literal(pdf: bytes, *typed: str) -> None:
    text = text_of(pdf)
    for t in typed:
        assert "".join(t.split()) in text, f"{t!r} is not printed as typed"
    for n in NEVER:
        assert n not in text, f"a template was evaluated: {n} is printed"


# ---------------------------------------------------------------- the documents


@pytest.fixture(scope="module")
def library() -> Any:
    return load_library()


@RENDERS
@example(title="<b>MOU</b> {{ 7*7 }}", clause=EVERYTHING)
@given(title=hostile, clause=hostile)
def test_agreement_title_and_clause(font_cache: Path, library: Any, title: str, clause: str) -> None:
    req = request(AgreementKind.CO_PRODUCTION, ["en"], title=title, clause_overrides={"cp_purpose": {"en": clause}})
    text = compose(req, library)
    meta = VersionMeta(version=2, author_name=title, summary=clause, created_at=CREATED, text_sha256=text_sha256(text))
    with watched(font_cache):
        pdf, _ = render_version(text, meta, font_cache_dir=font_cache)
    assert_literal(pdf, title, clause)


@RENDERS
@example(title=EVERYTHING[:190])
@given(title=hostile)
def test_award_letter_project_title(font_cache: Path, title: str) -> None:
    data = application_data("kr-uz-youth-ai")
    app = application("kr-uz-youth-ai", project={**data["project"], "title": title})
    with watched(font_cache):
        pdf, _ = render_award_letter(award_request(app), font_cache_dir=font_cache)
    assert_literal(pdf, title)


@RENDERS
@example(title="{% include '/etc/passwd' %} <img src=\"file:///etc/passwd\">")
@given(title=hostile)
def test_recommendation_letter_film_title(font_cache: Path, title: str) -> None:
    film = STEPPE_WIND.model_copy(update={"english_title": title.strip(), "original_title": title.strip()})
    with watched(font_cache):
        pdf, _ = render_recommendation_letter(letter_request(film, "IN"), font_cache_dir=font_cache)
    assert_literal(pdf, title)


@RENDERS
@example(name='<link rel=stylesheet href="http://127.0.0.1:9/x.css"> {{ 1234*5678 }}')
@given(name=hostile)
def test_transcript_student_name(font_cache: Path, name: str) -> None:
    state = midway()
    person = state.record.person.model_copy(update={"name": name})
    state = state.model_copy(update={"record": state.record.model_copy(update={"person": person})})
    with watched(font_cache):
        pdf, _ = render_transcript(state, issued_at=ISSUED, final=False, font_cache_dir=font_cache)
    assert_literal(pdf, name)


def test_the_watch_catches_what_it_should(font_cache: Path) -> None:
    """The checks above can fail: a page that does fetch outside is caught."""
    from documents.render import html_to_pdf

    with pytest.raises(AssertionError, match="the fetcher was asked for"), watched(font_cache):
        html_to_pdf('<img src="http://127.0.0.1:9/pixel.png">', font_cache_dir=font_cache)
    with pytest.raises(AssertionError, match="opened /etc/passwd"), watched(font_cache):
        Path("/etc/passwd").read_bytes()
