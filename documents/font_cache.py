"""Small faces derived once from the bundled fonts, so each render embeds fonts quickly.

weasyprint subsets every embedded font with fontTools on each render, and that work grows with the
size of the font given to it, not with the few characters a document uses: a page of Korean with the
full Noto CJK font (65,535 glyphs, 16 MB) spends ~5 s per weight in fontTools. These faces hold what
agreements of the network actually use:

* Hangul — the 2,350 syllables of KS X 1001 (the everyday set), jamo, CJK punctuation;
* Han — GB 2312 hanzi (6,763) and KS X 1001 hanja (4,888), kana, CJK punctuation;
* Latin — Latin, Greek, Cyrillic (Kazakh and Uzbek too), punctuation, at static weights 400 and 700;
* Arabic, Devanagari — whole fonts at static weights 400 and 700 (variable fonts are instanced per
  render otherwise).

Layout tables are kept where shaping needs them (Arabic joining, Devanagari conjuncts, Latin kerning,
CJK `locl` so Simplified Chinese and Korean get their regional glyph forms) and dropped where the text
runs horizontally and never uses them (CJK vertical forms and proportional spacing). The CJK faces are
converted from CFF to TrueType outlines, which fontTools subsets about three times faster.

Measured (300 glyphs, weasyprint 70's fontTools path): full CJK OTF 5.6 s, derived Hangul 0.12 s,
derived Han 0.28 s; bundled variable Latin 1.05 s, derived static Latin 0.17 s. With the system
library libharfbuzz-subset (Debian: libharfbuzz-subset0) weasyprint subsets in C and the
difference mostly disappears; these faces keep renders fast where it is not installed.

Files are named by the sha256 of the source font and of the recipe, so a font package upgrade or a
recipe change derives new files beside the old ones and never serves a stale face.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

import fontTools
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fontTools.varLib.instancer import instantiateVariableFont

from documents.fonts import SOURCES, Face, FontSet, _mime, cmap_of

log = logging.getLogger(__name__)

RECIPE_VERSION = 2


def _codec_chars(encoding: str, leads: Iterable[int], trails: Iterable[int] = range(0xA1, 0xFF)) -> set[int]:
    """Code points of a double-byte national standard, read from Python's own codec tables."""
    out: set[int] = set()
    trail_list = list(trails)
    for lead in leads:
        for trail in trail_list:
            try:
                out.update(ord(c) for c in bytes([lead, trail]).decode(encoding))
            except UnicodeDecodeError:
                continue
    return out


def _ranges(*spans: tuple[int, int]) -> set[int]:
    return {cp for lo, hi in spans for cp in range(lo, hi + 1)}


# Pango shapes a space between two Hangul words with the Hangul face, not with the Latin face that
# comes first in the chain; a CJK face without ASCII would print that space as a tofu box. So the CJK
# faces keep ASCII and Latin-1, as the full font does.
_CJK_PUNCT = _ranges((0x0020, 0x007E), (0x00A0, 0x00FF), (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2010, 0x2027), (0x2030, 0x203B))


@cache
def hangul_codepoints() -> frozenset[int]:
    ks_hangul = _codec_chars("euc_kr", range(0xB0, 0xC9))
    ks_symbols = _codec_chars("euc_kr", range(0xA1, 0xAD))
    return frozenset(ks_hangul | ks_symbols | _CJK_PUNCT | _ranges((0x1100, 0x11FF), (0x3130, 0x318F), (0x3200, 0x33FF)))


@cache
def han_codepoints() -> frozenset[int]:
    gb_hanzi = _codec_chars("gb2312", range(0xB0, 0xF8))
    ks_hanja = _codec_chars("euc_kr", range(0xCA, 0xFE))
    gb_symbols = _codec_chars("gb2312", range(0xA1, 0xAA))
    return frozenset(gb_hanzi | ks_hanja | gb_symbols | _CJK_PUNCT | _ranges((0x3040, 0x30FF)))


@cache
def latin_codepoints() -> frozenset[int]:
    return frozenset(
        _ranges(
            (0x0020, 0x007E),
            (0x00A0, 0x036F),  # Latin, Latin-1, Extended-A/B, IPA, modifiers, combining marks
            (0x0370, 0x03FF),
            (0x0400, 0x052F),  # Greek; Cyrillic and its supplement (Kazakh, Tajik, Uzbek)
            (0x1E00, 0x1EFF),
            (0x2000, 0x206F),  # Latin Extended Additional; general punctuation
            (0x20A0, 0x20CF),
            (0x2100, 0x215F),  # currency signs; letterlike symbols (№, ™)
            (0x2190, 0x21FF),
            (0x2212, 0x2212),
            (0xFB00, 0xFB06),
        )
    )


@dataclass(frozen=True)
class Recipe:
    name: str
    family: str
    weight: int | None
    source: str  # key of documents.fonts.SOURCES
    codepoints: str | None  # name of a codepoint function above; None keeps the whole font
    features: tuple[str, ...] | None  # OpenType layout features kept; None = fontTools' default set
    drop_tables: tuple[str, ...] = ()
    wght: int | None = None  # instance a variable font at this weight (width 100)
    truetype: bool = False  # convert CFF outlines to TrueType: fontTools subsets glyf ~3x faster than CFF

    def digest(self, source_sha: str) -> str:
        wanted = sorted(_CODEPOINTS[self.codepoints]()) if self.codepoints else "all"
        payload = json.dumps(
            [RECIPE_VERSION, fontTools.version.split(".")[0], source_sha, self.__dict__, wanted], sort_keys=True, default=list
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:20]


_CJK_DROP = ("GPOS", "vhea", "vmtx", "VORG", "BASE", "DSIG")

RECIPES: tuple[Recipe, ...] = (
    Recipe("latin-400", "Helix Latin", 400, "latin", "latin_codepoints", None, wght=400),
    Recipe("latin-700", "Helix Latin", 700, "latin", "latin_codepoints", None, wght=700),
    Recipe("arabic-400", "Helix Arabic", 400, "arabic", None, None, wght=400),
    Recipe("arabic-700", "Helix Arabic", 700, "arabic", None, None, wght=700),
    Recipe("devanagari-400", "Helix Devanagari", 400, "devanagari", None, None, wght=400),
    Recipe("devanagari-700", "Helix Devanagari", 700, "devanagari", None, None, wght=700),
    Recipe(
        "hangul",
        "Helix Hangul",
        None,
        "cjk",
        "hangul_codepoints",
        ("ccmp", "locl", "ljmo", "vjmo", "tjmo"),
        _CJK_DROP,
        truetype=True,
    ),
    Recipe("han", "Helix Han", None, "cjk", "han_codepoints", ("ccmp", "locl"), _CJK_DROP, truetype=True),
)

_CODEPOINTS = {"hangul_codepoints": hangul_codepoints, "han_codepoints": han_codepoints, "latin_codepoints": latin_codepoints}


@cache
def _file_sha256(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    st = path.stat()
    return _file_sha256(path, st.st_size, st.st_mtime_ns)


def derive(recipe: Recipe, source: Path, out: Path) -> None:
    """Subset (and instance) `source` by `recipe` into `out`. Takes seconds (Han: ~35 s); runs once per cache."""
    log.info("deriving font face %s from %s (once per font cache)", recipe.name, source.name)
    font = TTFont(source)
    opts = subset.Options()
    opts.name_IDs = ["*"]  # keep copyright and licence records with the glyphs
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.hinting = False  # PDF viewers hint themselves; hints only cost subsetting time on every render
    opts.desubroutinize = True  # weasyprint desubroutinizes each render; doing it once here saves that
    opts.drop_tables += list(recipe.drop_tables)
    if recipe.features is not None:
        opts.layout_features = list(recipe.features)
    sub = subset.Subsetter(opts)
    wanted = _CODEPOINTS[recipe.codepoints]() if recipe.codepoints else set(font.getBestCmap())
    sub.populate(unicodes=wanted)
    sub.subset(font)
    if recipe.wght is not None and "fvar" in font:
        font = instantiateVariableFont(font, {"wght": recipe.wght, "wdth": 100}, static=True)
    if recipe.truetype and "CFF " in font:
        _cff_to_truetype(font)
    font.save(out)


def _cff_to_truetype(font: TTFont) -> None:
    """Replace cubic CFF outlines by quadratic glyf ones (max error 1/1000 em, invisible in print)."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    font["post"].formatType = 3.0  # no glyph names: the PDF does not need them
    font.sfntVersion = "\x00\x01\x00\x00"


def derived_fontset(cache_dir: Path) -> FontSet:
    """The derived faces (made on first use) followed by the full CJK font for whatever they lack."""
    cache_dir = Path(cache_dir)
    faces = []
    for r in RECIPES:
        source = SOURCES[r.source].path()
        suffix = ".otf" if source.suffix == ".otf" and not r.truetype else ".ttf"
        path = cache_dir / f"{r.name}-{r.digest(file_sha256(source))}{suffix}"
        cover = cmap_of(source) if r.codepoints is None else cmap_of(source) & _CODEPOINTS[r.codepoints]()
        faces.append(Face(r.name, r.family, r.weight, path, frozenset(cover), _mime(path), partial(derive, r, source)))
    full = SOURCES["cjk"].path()
    faces.append(Face("cjk", "Helix CJK", None, full, cmap_of(full), _mime(full)))
    return FontSet(tuple(faces))
