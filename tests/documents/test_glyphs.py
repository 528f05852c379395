"""Every script of the network prints real glyphs, proven on rasterised pages, not font lists.

A PDF can name a font and still show empty boxes ("tofu") where the font lacks a glyph, and only a
rasterised page shows it. So each character is drawn alone in a known box, the page is rasterised
with pdfium, and each box must (a) have ink, (b) differ from the box drawn for a code point no font
has (the notdef glyph), and (c) differ from the other character of the same script — two tofu boxes
look alike, two real glyphs do not. `test_the_check_catches_a_missing_cjk_font` shows that this test
fails when the CJK faces are absent.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from documents.fonts import FontSet, fontset
from documents.render import html_to_pdf

SAMPLES: dict[str, tuple[str, str]] = {
    "latin": ("A", "g"),
    "cyrillic": ("Ж", "Я"),
    "hangul": ("한", "글"),
    "han": ("中", "协"),  # 协 is Simplified only
    "devanagari": ("क", "ष"),
    "arabic": ("ع", "ش"),
    "tofu": ("\ue000", "\U0001d11e"),  # private use; musical G clef: in none of our fonts
}
BOX_MM, GAP_MM, COLUMNS = 20.0, 4.0, 7
PX_PER_MM = 2 * 72 / 25.4  # rendered at scale 2 (2 px per point)


def _cells() -> list[tuple[str, str]]:
    return [(script, ch) for script, pair in SAMPLES.items() for ch in pair]


def _position(i: int) -> tuple[float, float]:
    return GAP_MM + (i % COLUMNS) * (BOX_MM + GAP_MM), GAP_MM + (i // COLUMNS) * (BOX_MM + GAP_MM)


def glyph_page() -> str:
    boxes = []
    for i, (_, ch) in enumerate(_cells()):
        left, top = _position(i)
        boxes.append(
            f'<div style="position:absolute; left:{left}mm; top:{top}mm; width:{BOX_MM}mm; height:{BOX_MM}mm; '
            f'font-size:34pt; line-height:{BOX_MM}mm; text-align:center">{ch}</div>'
        )
    return (
        '<html><head><link rel="stylesheet" href="helix-asset:styles/fonts.css">'
        '<link rel="stylesheet" href="helix-asset:styles/helix.css">'
        "<style>@page { size: 172mm 52mm; margin: 0; @bottom-left { content: none } @bottom-right { content: none } "
        "@top-left { content: none } @top-right { content: none } }</style></head><body>" + "".join(boxes) + "</body></html>"
    )


def crops(pdf: bytes) -> dict[str, Image.Image]:
    page = pdfium.PdfDocument(pdf)[0].render(scale=2).to_pil().convert("L")
    out = {}
    for i, (_, ch) in enumerate(_cells()):
        left, top = _position(i)
        box = [round(v * PX_PER_MM) for v in (left, top, left + BOX_MM, top + BOX_MM)]
        out[ch] = page.crop(tuple(box))
    return out


def ink(img: Image.Image) -> int:
    """Dark pixels."""
    return sum(img.histogram()[:128])


def differs(a: Image.Image, b: Image.Image) -> int:
    """Pixels that clearly differ between two crops."""
    return sum(ImageChops.difference(a, b).histogram()[65:])


def tofu_findings(images: dict[str, Image.Image], scripts: list[str]) -> list[str]:
    """Problems found; empty when every character of `scripts` is a real, distinct glyph."""
    problems = []
    tofus = [images[ch] for ch in SAMPLES["tofu"]]
    for script in scripts:
        a, b = SAMPLES[script]
        for ch in (a, b):
            if ink(images[ch]) < 40:
                problems.append(f"{script} {ch!r}: no ink")
            if any(differs(images[ch], t) < 40 for t in tofus):
                problems.append(f"{script} {ch!r}: looks like the notdef box")
        if differs(images[a], images[b]) < 40:
            problems.append(f"{script}: {a!r} and {b!r} render the same")
    return problems


REAL = [s for s in SAMPLES if s != "tofu"]


@pytest.fixture(scope="module")
def derived_pdf(font_cache: Path) -> bytes:
    return html_to_pdf(glyph_page(), font_cache_dir=font_cache).pdf


def test_every_script_prints_real_glyphs_with_derived_fonts(derived_pdf: bytes) -> None:
    images = crops(derived_pdf)
    assert ink(images["\ue000"]) > 40, "the notdef box itself should be visible"
    assert tofu_findings(images, REAL) == []


def test_each_script_uses_its_bundled_face(derived_pdf: bytes) -> None:
    page = PdfReader(io.BytesIO(derived_pdf)).pages[0]
    names = {str(f.get_object()["/BaseFont"]).split("+", 1)[1] for f in page["/Resources"]["/Font"].values()}
    assert {"Helix-Latin", "Helix-Hangul", "Helix-Han", "Helix-Arabic", "Helix-Devanagari"} <= names
    # pdfium, not pypdf: weasyprint gives the Latin face a custom CMap when a non-BMP character
    # (the G clef) is on the page, which pypdf decodes wrongly.
    text = pdfium.PdfDocument(derived_pdf)[0].get_textpage().get_text_range()
    for script in REAL:
        for ch in SAMPLES[script]:
            assert ch in text, (script, ch)


def test_the_check_catches_a_missing_cjk_font(font_cache: Path) -> None:
    """Without the CJK faces the same page must fail the check: the test above is not vacuous."""
    full = fontset(font_cache)
    no_cjk = FontSet(tuple(f for f in full.faces if f.family not in ("Helix Hangul", "Helix Han", "Helix CJK")))
    problems = tofu_findings(crops(html_to_pdf(glyph_page(), fonts=no_cjk).pdf), ["hangul", "han"])
    assert any("hangul" in p for p in problems) and any("han:" in p or "han '" in p for p in problems), problems


def test_bundled_fonts_without_a_cache_print_cjk_too() -> None:
    """The slow path (no font cache) embeds the full Noto CJK font; it must print the same scripts."""
    page = glyph_page().replace("</body>", "</body>")
    cells = {"hangul", "han", "tofu"}
    keep = [ch for s in cells for ch in SAMPLES[s]]
    html = page
    for script, pair in SAMPLES.items():  # blank the other boxes: only CJK pays for the big font here
        if script not in cells:
            for ch in pair:
                html = html.replace(f">{ch}</div>", "></div>")
    images = crops(html_to_pdf(html, fonts=fontset(None)).pdf)
    assert all(ch in images for ch in keep)
    assert tofu_findings(images, ["hangul", "han"]) == []


def test_a_face_is_derived_once_into_place_and_never_half_written(tmp_path: Path) -> None:
    calls: list[Path] = []

    def make(out: Path) -> None:
        calls.append(out)
        out.write_bytes(b"font bytes")

    face = replace(fontset(None).faces[0], path=tmp_path / "cache" / "latin-400-abc.ttf", make=make)
    assert face.ready().read_bytes() == b"font bytes"
    assert face.ready() == face.path and len(calls) == 1  # second call finds the file
    assert calls[0].name.startswith(".latin-400-abc.ttf.") and not calls[0].exists()  # written aside, renamed

    def broken(out: Path) -> None:
        out.write_bytes(b"half")
        raise RuntimeError("disk full")

    lost = replace(face, path=tmp_path / "cache" / "han-def.ttf", make=broken)
    with pytest.raises(RuntimeError):
        lost.ready()
    assert list((tmp_path / "cache").iterdir()) == [face.path]
