"""Font location and the choice of faces a document declares."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from documents.fetcher import STYLES_DIR
from documents.fonts import FAMILY_ORDER, SOURCES, FontMissingError, SourceFont, font_face_css, fontset


def test_all_bundled_fonts_are_installed() -> None:
    for source in SOURCES.values():
        assert source.path().stat().st_size > 100_000


def test_a_missing_font_package_says_what_to_install() -> None:
    with pytest.raises(FontMissingError, match=r"install it with `pip install no-such-font`"):
        SourceFont("x", "helix_no_such_font_package", "no-such-font", "files/X.ttf").path()
    with pytest.raises(FontMissingError, match=r"expected files/Missing\.ttf in .*fontpkg_noto_sans"):
        SourceFont("x", "fontpkg_noto_sans", "fontpkg-noto-sans", "files/Missing.ttf").path()


def test_stylesheet_lists_the_families_in_chain_order(font_cache: Path) -> None:
    css = (STYLES_DIR / "helix.css").read_text()
    stack = re.search(r"html \{[^}]*font-family: ([^;]+);", css).group(1)
    assert [f.strip().strip('"') for f in stack.split(",")] == FAMILY_ORDER
    assert fontset(font_cache).families() == FAMILY_ORDER
    assert [f for f in FAMILY_ORDER if f in fontset(None).families()] == fontset(None).families()


def families(text: str, cache: Path | None) -> list[str]:
    return list(dict.fromkeys(f.family for f in fontset(cache).faces_for(text)))


def test_a_document_declares_only_the_faces_its_characters_need(font_cache: Path) -> None:
    assert families("Agreement — Соглашение", font_cache) == ["Helix Latin"]
    assert families("Agreement 양해각서", font_cache) == ["Helix Latin", "Helix Hangul"]
    assert families("协议 and 양해각서", font_cache) == ["Helix Latin", "Helix Hangul", "Helix Han"]
    assert families("हिन्दी العربية", font_cache) == ["Helix Latin", "Helix Arabic", "Helix Devanagari"]
    # 똠 is not among the 2,350 syllables of KS X 1001, nor 嗎 (Traditional) in GB 2312 or KS X 1001 hanja:
    # the full font serves them, and the document still prints them.
    assert families("똠", font_cache) == ["Helix Latin", "Helix CJK"]
    assert families("你好嗎", font_cache) == ["Helix Latin", "Helix Han", "Helix CJK"]
    assert families("양해각서", None) == ["Helix Latin", "Helix CJK"]


def test_font_face_css_uses_the_private_scheme(font_cache: Path) -> None:
    css = font_face_css(fontset(font_cache).faces_for("Hello 한"))
    assert 'src: url("helix-asset:fonts/latin-400"); font-weight: 400;' in css
    assert 'src: url("helix-asset:fonts/latin-700"); font-weight: 700;' in css
    assert 'font-family: "Helix Hangul"; src: url("helix-asset:fonts/hangul");' in css
    assert "file:" not in css
