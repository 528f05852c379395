"""Benchmark: a fund ledger's cost as its journal grows (the longest-lived entity workflow's state).

A fund pays grants for years, and every award adds a commitment and a release per tranche to
its journal. Measured at 100, 1,000 and 4,000 entries (an award and three tranches each):

* per operation, the CPU the ledger spends on a commitment and on a release (the workflow runs
  each twice: in the update's validator and in its handler), and beside them the CPU of building
  every award's account (`Ledger.accounts()`), which each operation did before — one step of it;
* per projection, the bytes the workflow hands the read model: the journal's new entries
  (`ItemSnapshot.appends`) against the whole journal (as before); and the input that continues
  the ledger as new, which carries the whole journal once per run (Temporal warns above 512 KB
  and refuses above 2 MB): as JSON, and as the server stores it with the default converter
  (payloads of 2 KiB and more compressed, `services.codec.CompressionCodec`).

Pure Python, no Temporal: the workflow's `_project` builds the same snapshot. Prints one JSON
object. Usage: python -m bench.ledger [--runs 200]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from temporalio.contrib.pydantic import pydantic_data_converter

from domain.grants.ledger import Ledger
from domain.readmodel import DetailAppend, ItemSnapshot
from services.codec import DEFAULT_COMPRESS_BYTES, CompressionCodec

SIZES = (100, 1_000, 4_000)
TRANCHES = 3


def journal(entries: int) -> Ledger:
    """Awards of different amounts (to the cent), each released in three uneven tranches: as
    repetitive as a real journal, not more (identical amounts would compress far better)."""
    rng = random.Random(7)
    ledger = Ledger(fund_id="bench-fund", currency="USD", budget=Decimal(10**12))
    awards = entries // (1 + TRANCHES)
    for i in range(awards):
        award = f"award-{i:05d}"
        amount = Decimal(rng.randrange(2_000_000, 50_000_000)) / 100
        ledger = ledger.commit(award, amount)
        cuts = sorted(rng.sample(range(1, 100), TRANCHES - 1))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        for t, share in enumerate(shares):
            ledger = ledger.release(award, f"t{t + 1}", (amount * share / 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN"))
    return ledger


def per_call_ms(fn: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return round(statistics.median(times) * 1000, 3)


def snapshot(ledger: Ledger, start: int) -> ItemSnapshot:
    """What `FundLedgerWorkflow._project` sends, from entry `start` on."""
    head = ledger.model_copy(update={"entries": ()}).model_dump(mode="json")
    return ItemSnapshot(item_id="fund-bench-fund", item_type="fund", title="Bench fund", phase="open",
                        summary={k: str(v) for k, v in ledger.figures().model_dump().items()},
                        detail={"ledger": head}, projected_seq=len(ledger.entries),
                        appends=[DetailAppend(path=["ledger", "entries"], start=start,
                                              items=[e.model_dump(mode="json") for e in ledger.entries[start:]])])  # fmt: skip


def measure(entries: int, runs: int) -> dict[str, Any]:
    ledger = journal(entries)
    one_more = ledger.commit("award-new", Decimal(100_000))
    whole = ItemSnapshot(item_id="fund-bench-fund", item_type="fund", title="Bench fund", phase="open",
                         summary={k: str(v) for k, v in one_more.figures().model_dump().items()},
                         detail={"ledger": one_more.model_dump(mode="json")}, projected_seq=len(one_more.entries))  # fmt: skip
    return {
        "entries": len(ledger.entries),
        "commit_ms": per_call_ms(lambda: ledger.commit("award-new", Decimal(100_000)), runs),
        "release_ms": per_call_ms(lambda: one_more.release("award-new", "t1", Decimal(20_000)), runs),
        "all_accounts_ms_before": per_call_ms(ledger.accounts, max(5, runs // 20)),
        "projection_bytes": len(snapshot(one_more, len(ledger.entries)).model_dump_json()),
        "projection_bytes_before": len(whole.model_dump_json()),
        "continue_as_new_input_bytes": len(ledger.model_dump_json()),
        "continue_as_new_input_bytes_stored": stored_bytes(ledger),
    }


def stored_bytes(value: Any) -> int:
    """The payload's size as the server stores it with the default converter (compressed)."""
    payload = pydantic_data_converter.payload_converter.to_payloads([value])[0]
    return CompressionCodec(DEFAULT_COMPRESS_BYTES).compress(payload).ByteSize()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    report = {"tranches_per_award": TRANCHES, "sizes": [measure(n, args.runs) for n in SIZES]}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
