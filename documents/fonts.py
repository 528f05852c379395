"""The fonts every PDF embeds, found in pip packages, and the @font-face CSS that names them.

Why bundled fonts: a document signed by ministries in Seoul, Moscow and Beijing must show every
character on every machine that renders it, and a missing font does not fail — it prints empty
boxes ("tofu") that nobody notices until the signing ceremony. So the fonts come from pip
packages the project depends on, never from whatever the system happens to have.

Why *faces* and a chain: the Noto CJK font is 16 MB and 65,535 glyphs, and weasyprint subsets
every embedded font with fontTools on every render (several seconds for that font alone). With a
cache folder, `documents.font_cache` derives small faces once — Hangul (KS X 1001 syllables), Han
(GB 2312 + KS X 1001 hanja) and static Latin/Cyrillic/Greek, Arabic and Devanagari instances — and
a document declares only the faces its characters need, taking each character from the first face
of the chain that has it, as Pango itself does. The full CJK font stays at the end of the chain, so a
rare syllable or ideograph still renders — only that document pays the cost of the big font.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont


class FontMissingError(RuntimeError):
    """A font package the documents need is not installed."""


@dataclass(frozen=True)
class SourceFont:
    key: str
    package: str  # import name, found with importlib.util.find_spec
    pip_name: str  # what to `pip install`
    relpath: str

    def path(self) -> Path:
        spec = importlib.util.find_spec(self.package)
        locations = list(spec.submodule_search_locations or []) if spec else []
        for loc in locations:
            candidate = Path(loc) / self.relpath
            if candidate.is_file():
                return candidate
        where = f"in {locations[0]}" if locations else "(package not installed)"
        raise FontMissingError(
            f"font '{self.key}' not found: expected {self.relpath} {where}; "
            f"install it with `pip install {self.pip_name}` (it is a dependency in pyproject.toml)"
        )


SOURCES: dict[str, SourceFont] = {
    s.key: s
    for s in [
        SourceFont("cjk", "cvttf_NotoSansCJK_Regular", "cvttf-NotoSansCJK-Regular", "NotoSansCJKtc-Regular.otf"),
        SourceFont("latin", "fontpkg_noto_sans", "fontpkg-noto-sans", "files/NotoSans[wdth,wght].ttf"),
        SourceFont("arabic", "fontpkg_noto_sans_arabic", "fontpkg-noto-sans-arabic", "files/NotoSansArabic[wdth,wght].ttf"),
        SourceFont(
            "devanagari",
            "fontpkg_noto_sans_devanagari",
            "fontpkg-noto-sans-devanagari",
            "files/NotoSansDevanagari[wdth,wght].ttf",
        ),
    ]
}

# CSS font families, in the order the stylesheet lists them (documents/styles/helix.css).
FAMILY_ORDER = ["Helix Latin", "Helix Arabic", "Helix Devanagari", "Helix Hangul", "Helix Han", "Helix CJK"]


@dataclass(frozen=True)
class Face:
    """One @font-face: a file for a family at a weight (None: any weight, the file decides)."""

    name: str  # URL path under helix-asset:fonts/
    family: str
    weight: int | None
    path: Path
    coverage: frozenset[int] = field(repr=False)
    mime: str
    make: Callable[[Path], None] | None = field(default=None, repr=False, compare=False)

    @property
    def url(self) -> str:
        return f"helix-asset:fonts/{self.name}"

    def ready(self) -> Path:
        """The face's file, derived first if this is the first time any process here needs it.

        Derivation writes a temporary file and renames it into place, so two workers deriving at
        once both end up with a complete file and a reader never sees half of one; within one
        process a lock per file keeps threads from deriving the same face twice.
        """
        if self.path.is_file():
            return self.path
        if self.make is None:
            raise FontMissingError(f"font file {self.path} for '{self.family}' is missing")
        with _lock_for(self.path):
            if not self.path.is_file():
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
                try:
                    self.make(tmp)
                    os.replace(tmp, self.path)
                finally:
                    tmp.unlink(missing_ok=True)
        return self.path


_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(path: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


@cache
def cmap_of(path: Path) -> frozenset[int]:
    """Code points a font maps; read once per process (the CJK cmap takes a fraction of a second)."""
    font = TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def _mime(path: Path) -> str:
    return "font/otf" if path.suffix == ".otf" else "font/ttf"


@dataclass(frozen=True)
class FontSet:
    """The chain of faces a renderer may declare, best first."""

    faces: tuple[Face, ...]

    def by_name(self) -> dict[str, Face]:
        return {f.name: f for f in self.faces}

    def families(self) -> list[str]:
        return list(dict.fromkeys(f.family for f in self.faces))

    def faces_for(self, text: str) -> list[Face]:
        """The faces to declare so every character of `text` gets the face Pango would pick from the full chain.

        Pango takes each character from the first declared family that covers it, so declaring, per
        character, the first covering family of the whole chain gives the same glyphs as declaring
        them all — without making weasyprint load and subset fonts the document never uses.
        Latin is always declared: it sets the line metrics of every page.
        """
        by_family: dict[str, list[Face]] = {}
        for f in self.faces:
            by_family.setdefault(f.family, []).append(f)
        chain = [(fam, faces[0].coverage) for fam, faces in by_family.items()]
        needed = {chain[0][0]}
        for ch in {ord(c) for c in text}:
            for fam, cov in chain:
                if ch in cov:
                    needed.add(fam)
                    break
        return [f for f in self.faces if f.family in needed]


def font_face_css(faces: list[Face]) -> str:
    """@font-face rules pointing at the private `helix-asset:` scheme that only our fetcher serves."""
    rules = []
    for f in faces:
        weight = f"font-weight: {f.weight}; " if f.weight else ""
        rules.append(f'@font-face {{ font-family: "{f.family}"; src: url("{f.url}"); {weight}font-style: normal; }}')
    return "\n".join(rules) + "\n"


def bundled_fontset() -> FontSet:
    """The original package fonts, unmodified: always correct, slow to embed (see module docstring)."""
    faces = []
    for key, family in [
        ("latin", "Helix Latin"),
        ("arabic", "Helix Arabic"),
        ("devanagari", "Helix Devanagari"),
        ("cjk", "Helix CJK"),
    ]:
        path = SOURCES[key].path()
        faces.append(Face(key, family, None, path, cmap_of(path), _mime(path)))
    return FontSet(tuple(faces))


@cache
def fontset(cache_dir: Path | None) -> FontSet:
    """The font chain for renders: derived small faces when given a cache folder, else the bundled fonts.

    Derived faces are built lazily, the first time a document needs them (see `documents.font_cache`).
    """
    if cache_dir is None:
        return bundled_fontset()
    from documents.font_cache import derived_fontset

    return derived_fontset(cache_dir)
