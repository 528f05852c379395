"""Benchmark: seal the executed eleven-page bilingual MOU of `bench/render_mou.py` with PAdES signatures.

Prints one JSON object: for 2 and for 11 signing organisations, the seal time with a fresh
authority (keys and certificates issued on the way: a first execution) and with the authority
already holding them (every later one), the median of `--runs`; the sealed size; and the time to
verify the sealed PDF. The executed PDF is rendered once, outside the timings.

Usage: python bench/seal_mou.py [--font-cache DIR] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from activities.documents import signing_organisations
from bench.render_mou import execute_request, mou_text
from documents.pki import LocalAuthority
from documents.render import render_executed
from documents.signing import seal_pdf, verify_pdf


def measure(pdf: bytes, n: int, runs: int, tmp: Path) -> dict[str, Any]:
    req = execute_request(mou_text())
    signers = signing_organisations(req)[:n]
    fresh = []
    for i in range(runs):
        authority = LocalAuthority.open_or_create(tmp / f"pki-{n}-{i}")
        t = time.perf_counter()
        seal_pdf(pdf, signers, authority, req.executed_at)
        fresh.append(time.perf_counter() - t)
    warm = []
    for _ in range(runs):
        t = time.perf_counter()
        sealed = seal_pdf(pdf, signers, authority, req.executed_at)
        warm.append(time.perf_counter() - t)
    t = time.perf_counter()
    result = verify_pdf(sealed, authority)
    verify_s = time.perf_counter() - t
    assert result.ok and len(result.signatures) == n, result.problems
    return {"seal_first_s": round(statistics.median(fresh), 3), "seal_s": round(statistics.median(warm), 3),
            "verify_s": round(verify_s, 3), "bytes_added": len(sealed) - len(pdf)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--font-cache", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    text = mou_text()
    pdf, pages = render_executed(text, execute_request(text), font_cache_dir=args.font_cache)
    report: dict[str, Any] = {"document": f"distribution_accession executed, {pages} pages, {len(pdf)} bytes"}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (2, 11):
            report[f"{n}_organisations"] = measure(pdf, n, args.runs, Path(tmp))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
