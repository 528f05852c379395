"""Every benchmark in one command, and one table of figures against their goals.

    python -m bench.run_all [--quick]

Runs, each in a process of its own (so none inherits another's warm caches):

* documents — `bench/render_mou.py` (the eleven-party bilingual MOU: draft and executed PDF, cold
  and warm; quick: `--skip-bundled`, with the machine's derived fonts instead of deriving them
  afresh) and `bench/seal_mou.py` (PAdES sealing, 2 and 11 organisations; `--runs 2` in quick mode);
* the board — `python -m bench.board` if present (quick: `--sqlite-only` over 20,000 items with
  fewer runs, written to `board-quick.json`; otherwise SQLite and PostgreSQL over 100,000 items,
  `board.json`);
* the fund ledger — `python -m bench.ledger`: an operation's cost and a projection's size as the
  journal grows to 100, 1,000 and 4,000 entries (quick: fewer runs);
* the engine — `python -m bench.engine`: N=100 on the dev server in memory and on SQLite, with 1 and
  2 workers, and N=1000 in memory and on the file (2 workers, 2,400 s each: what completes in
  that time); quick: N=5 in memory with 1 worker.

Writes `bench/results/summary.json` (every benchmark's own JSON, with the load average before and
after each) and `bench/results/summary.md` (figure, measured, goal, met?). The render figures have no
goal of their own except the draft's repeat render (≤ 1.0 s, at most 1.2× weasyprint alone on the
same HTML) and a repeat of unchanged content served from the store (< 10 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
PY = sys.executable

# issue 8's goals for the eleven-page bilingual MOU
GOAL_RENDER_S = 1.0
GOAL_RENDER_RATIO = 1.2
GOAL_STORE_HIT_MS = 10.0


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run(name: str, cmd: list[str], log: Path) -> tuple[int, float, str]:
    """Run one benchmark; its output goes to `log` and is returned."""
    print(f"== {name}: {' '.join(cmd[1:])}  (load {load()})", flush=True)
    t0 = time.monotonic()
    with open(log, "w") as out:
        p = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False)
    took = round(time.monotonic() - t0, 1)
    print(f"   {'done' if p.returncode == 0 else f'FAILED (status {p.returncode})'} in {took} s; log {log.relative_to(ROOT)}", flush=True)
    return p.returncode, took, log.read_text(errors="replace")


def last_json(text: str) -> dict[str, Any] | None:
    """The JSON object a benchmark printed last (render_mou and seal_mou print one, indented)."""
    start = text.rfind("\n{")
    start = 0 if text.startswith("{") and start < 0 else start + 1
    try:
        return json.loads(text[start:])
    except ValueError:
        return None


def row(figure: str, measured: Any, goal: str, met: bool | None) -> dict[str, Any]:
    return {"figure": figure, "measured": measured, "goal": goal, "met": met}


# ---------------------------------------------------------------- each benchmark


def documents(quick: bool, logs: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    out: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    from bench.engine import FONT_CACHE, warm_fonts

    warm_fonts(FONT_CACHE)  # the derived fonts, once per machine (render_mou measures deriving them afresh, unless quick)
    cache = ["--font-cache", str(FONT_CACHE)]
    cmd = [PY, "bench/render_mou.py"] + (["--skip-bundled", *cache] if quick else [])
    before = load()
    code, took, text = run("render_mou", cmd, logs / "render_mou.log")
    r = last_json(text) if code == 0 else None
    out["render_mou"] = {"seconds": took, "load_before": before, "load_after": load(), "result": r, "status": code}
    if r:
        labels = {"version": "draft version PDF (render_version)", "executed": "executed PDF (render_executed, sealed after)",
                  "weasyprint_only": "weasyprint alone, same HTML"}  # fmt: skip
        for mode, label in labels.items():
            for key in ("cold_s", "warm_s"):
                v = (r.get(mode) or {}).get(key)
                goal = GOAL_RENDER_S if (mode, key) == ("version", "warm_s") else None
                rows.append(row(f"documents: {label}, {'first render in a process' if key == 'cold_s' else 'repeat render'} (s)",
                                v, "—" if goal is None else f"≤ {goal}", None if goal is None or v is None else v <= goal))  # fmt: skip
        ours, alone = (r.get("version") or {}).get("warm_s"), (r.get("weasyprint_only") or {}).get("warm_s")
        if ours and alone:
            ratio = round(ours / alone, 2)
            rows.append(row("documents: draft / weasyprint alone, repeat render", ratio, f"≤ {GOAL_RENDER_RATIO}", ratio <= GOAL_RENDER_RATIO))
        hit = (r.get("store_hit") or {}).get("repeat_ms_median")
        rows.append(row("documents: unchanged content requested again, served from the store (ms, median of 50)", hit,
                        f"< {GOAL_STORE_HIT_MS}", None if hit is None else hit < GOAL_STORE_HIT_MS))  # fmt: skip
        if r.get("bundled_fonts"):
            rows.append(row("documents: draft with the full bundled fonts, no font cache (s)", r["bundled_fonts"].get("cold_s"), "—", None))
        if r.get("fonts_derive_s") is not None:
            rows.append(row("documents: deriving the small fonts, once per machine (s)", r["fonts_derive_s"], "—", None))
    else:
        rows.append(row("documents: render_mou", "failed", "runs", False))
    cmd = [PY, "bench/seal_mou.py", *cache] + (["--runs", "2"] if quick else [])
    before = load()
    code, took, text = run("seal_mou", cmd, logs / "seal_mou.log")
    r = last_json(text) if code == 0 else None
    out["seal_mou"] = {"seconds": took, "load_before": before, "load_after": load(), "result": r, "status": code}
    if r:
        for n in (2, 11):
            m = r.get(f"{n}_organisations") or {}
            rows.append(row(f"documents: seal the executed MOU, {n} organisations, keys issued (s)", m.get("seal_first_s"), "—", None))
            rows.append(row(f"documents: seal the executed MOU, {n} organisations (s)", m.get("seal_s"), "—", None))
            rows.append(row(f"documents: verify {n} signatures (s)", m.get("verify_s"), "—", None))
    else:
        rows.append(row("documents: seal_mou", "failed", "runs", False))
    return out, rows


def board(quick: bool, logs: Path) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    if not (ROOT / "bench" / "board.py").exists():
        return None, [row("board: bench/board.py", "not present", "—", None)]
    output = RESULTS / ("board-quick.json" if quick else "board.json")  # a quick run never replaces the full run's figures
    cmd = [PY, "-m", "bench.board", "--output", str(output.relative_to(ROOT))]
    cmd += ["--sqlite-only", "--items", "20000", "--runs", "3", "--page-runs", "2"] if quick else []
    before = load()
    code, took, _ = run("board", cmd, logs / "board.log")
    rows: list[dict[str, Any]] = []
    r = json.loads(output.read_text()) if code == 0 and output.exists() else None
    if r is None:
        return {"status": code, "seconds": took}, [row("board: bench.board", "failed", "runs", False)]
    items = r.get("items")
    for backend, b in (r.get("backends") or {}).items():
        for label, m in (b.get("measurements") or {}).items():
            med = m.get("median_ms")
            rows.append(row(f"board ({backend}, {items:,} items): {label}, median (ms)", med if med is not None else "interrupted",
                            f"≤ {m.get('goal_ms'):,.0f} ms" if m.get("goal_ms") else "—", m.get("ok")))  # fmt: skip
    return {"status": code, "seconds": took, "load_before": before, "load_after": load(), "result": r}, rows


def ledger(quick: bool, logs: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    cmd = [PY, "-m", "bench.ledger", "--runs", "30" if quick else "200"]
    before = load()
    code, took, text = run("ledger", cmd, logs / "ledger.log")
    r = last_json(text) if code == 0 else None
    out = {"seconds": took, "load_before": before, "load_after": load(), "result": r, "status": code}
    if r is None:
        return out, [row("fund ledger: bench.ledger", "failed", "runs", False)]
    rows = []
    for m in r["sizes"]:
        n = f"{m['entries']:,} entries"
        rows.append(row(f"fund ledger, {n}: a commitment (ms CPU; building every account, as each did before: {m['all_accounts_ms_before']})",
                        m["commit_ms"], "—", None))  # fmt: skip
        rows.append(row(f"fund ledger, {n}: a projection (bytes; before, the whole journal: {m['projection_bytes_before']:,})",
                        m["projection_bytes"], "—", None))  # fmt: skip
        if "continue_as_new_input_bytes_stored" in m:
            rows.append(row(f"fund ledger, {n}: the input that continues it as new, as stored (bytes; as JSON: {m['continue_as_new_input_bytes']:,})",
                            m["continue_as_new_input_bytes_stored"], "< 512 KB (Temporal's warning)", m["continue_as_new_input_bytes_stored"] < 512 * 1024))  # fmt: skip
    return out, rows


N1000_SECONDS = 2400


def engine(quick: bool, logs: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    runs = [(5, "memory", 1)] if quick else [(100, "memory", 1), (100, "memory", 2), (100, "sqlite", 1), (100, "sqlite", 2), (1000, "memory", 2),
                                              (1000, "sqlite", 2)]  # fmt: skip
    out: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    for n, server, workers in runs:
        name = f"engine-{server}-n{n}-w{workers}"
        output = RESULTS / f"{name}.json"
        cmd = [PY, "-m", "bench.engine", "--n", str(n), "--server", server, "--workers", str(workers), "--output", str(output.relative_to(ROOT))]
        if n >= 1000:
            cmd += ["--time-limit", str(N1000_SECONDS)]  # what completes in the time is the figure (2 cores cannot finish 4,000)
        code, took, _ = run(name, cmd, logs / f"{name}.log")
        r = json.loads(output.read_text()) if code == 0 and output.exists() else None
        out[name] = {"status": code, "seconds": took, "result": r}
        if r is None:
            rows.append(row(f"engine {name}", "failed", "runs", False))
            continue
        h = r["helix"]
        what = f"engine (N={n} per type, server {server}, {workers} worker{'s' if workers > 1 else ''})"
        o = h.get("overall") or {}
        lifecycles = sum(t.get("lifecycles", 0) for k, t in h["types"].items() if k != "festival")
        limited = n >= 1000  # bounded by N1000_SECONDS: what completes in the time is the figure
        rows.append(row(f"{what}: lifecycles completed", f"{o.get('completed', 0)} of {lifecycles}", "—" if limited else "all",
                        None if limited else o.get("completed") == lifecycles))  # fmt: skip
        if (h.get("stalled") or "").startswith("stopped at the time limit"):  # the figure is what completed in the time
            rows.append(row(f"{what}: stopped at the time limit", h["stalled"], "—", None))
        elif h.get("stalled"):
            rows.append(row(f"{what}: stalled", h["stalled"], "never", False))
        rows.append(row(f"{what}: lifecycles per second (all types)", o.get("per_s"), "—", None))
        for kind, t in h["types"].items():
            if kind != "festival":
                rows.append(row(f"{what}: {kind} per second", t.get("per_s"), "—", None))
        for g in r.get("goals", []):
            rows.append(row(f"{what}: {g['figure']}", g["measured"], g["goal"], g["met"]))
        rows.append(row(f"{what}: worker peak RSS, sum of VmHWM (MiB)", h["workers"]["peak_rss_mb_sum"], "—", None))
        wc = (r.get("config") or {}).get("worker") or {}
        rows.append(row(f"{what}: per worker process, workflow tasks / activities at once (HELIX_WORKER_WORKFLOW_TASKS / _ACTIVITIES)",
                        f"{wc.get('workflow_tasks')} / {wc.get('activities')}", "—", None))  # fmt: skip
        rows.append(row(f"{what}: load average before → after (1, 5, 15 min)", f"{r.get('load_before')} → {r.get('load_after')}", "—", None))
        b = r.get("bare") or {}
        if b.get("workers"):
            rows.append(row(f"{what}: bare workflow's worker peak RSS (MiB)", b["workers"]["peak_rss_mb_sum"], "—", None))
    return out, rows


# ---------------------------------------------------------------- the summary


def markdown(summary: dict[str, Any]) -> str:
    def cell(v: Any) -> str:
        return "—" if v is None else str(v).replace("|", "\\|")

    lines = [
        "# Benchmarks",
        "",
        f"`{summary['command']}` on {summary['measured_at']} — {summary['machine']['cpus']} CPUs; load average"
        f" {summary['load_before']} before, {summary['load_after']} after (1, 5, 15 min). Other work on the machine"
        " slows every figure; each benchmark's own JSON (in `bench/results/`) has the load around it.",
        "",
        "| figure | measured | goal | met? |",
        "|---|---|---|---|",
    ]
    for r in summary["rows"]:
        met = "—" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append(f"| {cell(r['figure'])} | {cell(r['measured'])} | {cell(r['goal'])} | {met} |")
    from bench.engine import markdown as engine_markdown

    for e in (summary.get("engine") or {}).values():
        if e.get("result"):
            lines += ["", engine_markdown(e["result"]).rstrip()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few minutes: documents, the board on SQLite, the engine at N=5")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    logs = RESULTS / "logs"
    logs.mkdir(exist_ok=True)
    summary: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.run_all" + (" --quick" if args.quick else ""),
        "machine": {"cpus": os.cpu_count()},
        "load_before": load(),
    }
    t0 = time.monotonic()
    summary["documents"], rows = documents(args.quick, logs)
    summary["board"], more = board(args.quick, logs)
    rows += more
    summary["ledger"], more = ledger(args.quick, logs)
    rows += more
    summary["engine"], more = engine(args.quick, logs)
    rows += more
    summary["rows"] = rows
    summary["load_after"] = load()
    summary["seconds"] = round(time.monotonic() - t0, 1)
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    (RESULTS / "summary.md").write_text(markdown(summary), encoding="utf-8")
    print(f"\n{len(rows)} figures in {summary['seconds']} s; load average {summary['load_before']} → {summary['load_after']}")
    for r in rows:
        if r["met"] is False:
            print(f"  not met: {r['figure']}: {r['measured']} (goal {r['goal']})")
    print(f"written to {(RESULTS / 'summary.md').relative_to(ROOT)} and summary.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
