"""Benchmark: render an eleven-page bilingual (English + Korean) MOU among eleven parties.

Prints one JSON object. Every "cold" number comes from a fresh Python process (imports done, nothing
rendered yet); "warm" is the second render in that same process. Measured:

* fonts_derive_s — deriving the small faces this document needs into an empty font cache (once per machine);
* version / executed — our `render_version` / `render_executed`, cold and warm, with the font cache;
* weasyprint_only — weasyprint on the very same HTML (our template and font selection excluded);
* store_hit — the executed MOU requested again with unchanged content: served from the
  content-addressed store (`DocumentActivities._execute_sync`), nothing rendered or sealed;
* bundled_fonts — `render_version` without a font cache (the full 16 MB CJK font embedded), the "before".

Usage: python bench/render_mou.py [--skip-bundled] [--font-cache DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from documents.compose import compose
from documents.library import load_library
from domain.agreements import (
    AgreementKind,
    ComposeRequest,
    Event,
    ExecuteRequest,
    PartySpec,
    Signature,
    Version,
)
from domain.parties import PersonRef
from domain.texts import CanonicalText, Clause, text_sha256

START = datetime(2026, 9, 14, 10, 0, tzinfo=UTC)
TARGET_PAGES = 11
ANNEXES = 18  # annex clauses added to the bundled accession text so the draft runs to eleven pages

ORGS = [
    ("kofic", "KR", "Korean Film Council", "영화진흥위원회"),
    ("cfa", "CN", "China Film Administration", "중국 국가전영국"),
    ("roskino", "RU", "Roskino", "로스키노"),
    ("kazakhfilm", "KZ", "Kazakhfilm", "카자흐필름"),
    ("kyrgyzkino", "KG", "Kyrgyzkino", "키르기스키노"),
    ("tajikfilm", "TJ", "Tajikfilm", "타지크필름"),
    ("uzbekkino", "UZ", "Uzbekkino", "우즈베크키노"),
    ("nfdc", "IN", "National Film Development Corporation", "인도 국립영화개발공사"),
    ("pnca", "PK", "Pakistan National Council of the Arts", "파키스탄 국립예술위원회"),
    ("farabi", "IR", "Farabi Cinema Foundation", "파라비 영화재단"),
    ("belarusfilm", "BY", "Belarusfilm", "벨라루스필름"),
]


def parties() -> list[PartySpec]:
    out = []
    for org, country, en, ko in ORGS:
        person = PersonRef(id=f"{org}-dg", name=f"Director General of {en}", email=f"dg@{org}.example", title="Director General")
        out.append(
            PartySpec(organisation_id=org, names={"en": en, "ko": ko}, country=country, approvers=[person], signatories=[person])
        )
    return out


def mou_text() -> CanonicalText:
    """The bundled accession MOU, plus annexes that repeat its operative clauses as a schedule would."""
    req = ComposeRequest(
        agreement_id="bench-accession-2026",
        kind=AgreementKind.DISTRIBUTION_ACCESSION,
        title="Memorandum of Understanding on Accession to the SCO Film Distribution Network",
        languages=["en", "ko"],
        variables={"festival_edition": "2026", "media": ["theatrical", "streaming", "tv"]},
        parties=parties(),
        version=4,
        author_name="Kim Ji-won",
        summary="Text agreed at the Qingdao meeting",
        created_at=START,
    )
    text = compose(req, load_library())
    sources = [c for c in text.clauses if c.id not in ("da_accession", "execution")]
    annexes = []
    for i in range(ANNEXES):
        src = sources[i % len(sources)]
        annexes.append(
            Clause(
                id=f"annex_{i + 1}",
                heading={"en": f"Annex {i + 1}: {src.heading['en']}", "ko": f"부속서 {i + 1}: {src.heading['ko']}"},
                body={lang: src.body[lang] + "\n\n" + src.body[lang] for lang in ("en", "ko")},
            )
        )
    return text.model_copy(update={"clauses": [*text.clauses[:-1], *annexes, text.clauses[-1]]})


def execute_request(text: CanonicalText) -> ExecuteRequest:
    sha = text_sha256(text)
    ps = parties()
    sigs = [
        Signature(
            organisation_id=p.organisation_id,
            signer_id=p.designated_signatory.id,
            signer_name=p.designated_signatory.name,
            title="Director General",
            version_hash=sha,
            at=START + timedelta(days=2, hours=i),
        )
        for i, p in enumerate(ps)
    ]
    events = [Event(seq=1, at=START, kind="version", actor_name="Kim Ji-won", detail="Version 4", version_hash=sha)]
    events += [
        Event(seq=2 + i, at=s.at, kind="signed", actor_name=s.signer_name, detail=s.organisation_id, version_hash=sha)
        for i, s in enumerate(sigs)
    ]
    return ExecuteRequest(
        agreement_id=text.agreement_id,
        title=text.title["en"],
        kind=text.kind,
        languages=text.languages,
        parties=ps,
        version=Version(
            number=4,
            author_id="kim",
            author_name="Kim Ji-won",
            summary="Agreed text",
            created_at=START,
            text_sha256=sha,
            pdf_sha256="0" * 64,
            pages=TARGET_PAGES,
        ),
        signatures=sigs,
        approvals=[],
        events=events,
        executed_at=START + timedelta(days=3),
        effective_date=date(2026, 9, 17),
        expiry_date=date(2031, 9, 16),
        term=1,
    )


def _timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return round(time.perf_counter() - t0, 3), out


def child(mode: str, cache: Path | None) -> dict[str, Any]:
    """Runs in a fresh process: one cold and one warm measurement of `mode`."""
    from weasyprint import HTML

    from documents import render
    from documents.fetcher import AssetFetcher
    from documents.fonts import font_face_css, fontset

    text = mou_text()
    meta = render.VersionMeta(
        version=4, author_name="Kim Ji-won", summary="Agreed text", created_at=START, text_sha256=text_sha256(text)
    )
    if mode in ("version", "bundled"):
        run = lambda: render.render_version(text, meta, font_cache_dir=cache)
    elif mode == "executed":
        req = execute_request(text)
        run = lambda: render.render_executed(text, req, font_cache_dir=cache)
    elif mode == "weasyprint_only":
        html = render._env.get_template("version.html").render(
            **render._common(text), meta=meta, created_at=render.utc(meta.created_at)
        )
        faces = fontset(cache).faces_for(html)
        for f in faces:
            f.ready()
        css = font_face_css(faces).encode()

        def run() -> tuple[bytes, int]:
            doc = HTML(string=html, url_fetcher=AssetFetcher(faces, extra={"styles/fonts.css": (css, "text/css")})).render()
            return doc.write_pdf(), len(doc.pages)
    elif mode == "store_hit":
        return store_hit(text, cache)
    else:
        raise SystemExit(f"unknown mode {mode}")
    cold, (pdf, pages) = _timed(run)
    result: dict[str, Any] = {"cold_s": cold, "pages": pages, "pdf_bytes": len(pdf)}
    if mode != "bundled":
        result["warm_s"], _ = _timed(run)
    return result


def store_hit(text: Any, cache: Path | None) -> dict[str, Any]:
    """The executed MOU requested again with unchanged content: the activity's own path (request
    hashed, alias looked up, PDF found in the store), without rendering or sealing anything."""
    import os
    import statistics

    os.environ["HELIX_RENDER_PROCESSES"] = "0"  # the first render runs here: no render process to start
    from activities.documents import DocumentActivities
    from documents.pki import LocalAuthority
    from domain.texts import canonical_json
    from store.blobs import BlobStore

    with tempfile.TemporaryDirectory() as tmp:
        blobs = BlobStore(Path(tmp) / "documents")
        docs = DocumentActivities(blobs, font_cache=cache, authority=LocalAuthority.open_or_create(Path(tmp) / "pki"))
        blobs.put(canonical_json(text))
        req = execute_request(text)
        first_s, first = _timed(lambda: docs._execute_sync(req))
        times = []
        for _ in range(50):
            t0 = time.perf_counter()
            again = docs._execute_sync(req)
            times.append((time.perf_counter() - t0) * 1000)
            assert again == first, "a repeat must return the stored PDF"
        return {"first_render_and_seal_s": first_s, "repeat_ms_median": round(statistics.median(times), 2),
                "repeat_ms_max": round(max(times), 2), "repeats": len(times), "pages": first.pages}  # fmt: skip


def in_fresh_process(mode: str, cache: Path | None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", mode] + (["--font-cache", str(cache)] if cache else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def derive_fonts(cache: Path) -> float:
    """Time to derive, into `cache`, the faces an English–Korean text needs (a cold machine)."""
    from documents.fonts import fontset

    t0 = time.perf_counter()
    for face in fontset(cache).faces_for(mou_text().model_dump_json()):
        face.ready()
    return round(time.perf_counter() - t0, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--font-cache", type=Path)
    parser.add_argument("--skip-bundled", action="store_true", help="skip the slow run without a font cache")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.font_cache)))
        return
    report: dict[str, Any] = {"document": "distribution_accession, 11 parties, en+ko"}
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fonts-cache"
        report["fonts_derive_s"] = derive_fonts(fresh) if args.font_cache is None else None
        cache = args.font_cache or fresh
        for mode in ("version", "executed", "weasyprint_only", "store_hit"):
            report[mode] = in_fresh_process(mode, cache)
        if not args.skip_bundled:
            report["bundled_fonts"] = in_fresh_process("bundled", None)
    if report["version"]["pages"] != TARGET_PAGES:
        report["warning"] = f"draft has {report['version']['pages']} pages, not {TARGET_PAGES}: adjust ANNEXES"
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
