"""Benchmark: the board's reads over a read model of 100,000 items, on SQLite and PostgreSQL.

    python -m bench.board [--items 100000] [--sqlite-only] [--runs 9] [--page-runs 5]

For each backend: a fresh database (SQLite: a file in a temporary folder; PostgreSQL: the database
`helix_bench` on 127.0.0.1:5432, created and dropped here), `store.db.init_db`, the demo directory
(with its sign-in accounts), `bench.seed_board.seed`, then — after one warm-up run each — the median
and 95th percentile of:

* what the board pages read (goal ≤ 150 ms each): the kept overview (`store.board_snapshot`) for
  the whole network, a liaison's country (KR), a university's programs (KAFA) and the whole network
  as of a past day (90 days ago); the kept step medians by country and by organisation;
  `store.board.open_steps` (500 longest waiting) and `store.board.items_behind` a funnel stage;
* computing those views from the read model (`store.board.overview`, `store.board.step_medians`),
  as the every-minute `board-snapshots` Schedule does in the background, and one refresh of every
  kept view: no goal, reported to show what the background costs;
* the Overview page (`dashboard/views/overview.py`) run through `dashboard/app.py` in Streamlit's
  AppTest with a board member signed in: `at.run()`, as a browser rerun would.

PostgreSQL is `ANALYZE`d after seeding (autovacuum would do the same shortly after a bulk load);
SQLite is measured as the application leaves it (it never runs `ANALYZE`). Results go to
`bench/results/board.json` and a table is printed. The machine's load average is recorded before
and after each backend: figures taken on a busy machine are slower than on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, func, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.seed_board import DEMO_DIRECTORY, TABLES, seed  # noqa: E402
from domain.board import Lifecycle, Scope, parse_as_of, scope_for  # noqa: E402
from store import board, board_snapshot  # noqa: E402
from store.db import dispose_engine, init_db, make_engine, reading, transaction  # noqa: E402
from store.directory import read_directory  # noqa: E402
from store.models import ItemRow  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "board.json"
APP = ROOT / "dashboard" / "app.py"
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "helix_bench"
GOAL_QUERY_MS = 150.0
GOAL_PAGE_MS = 1500.0
BOARD_ACCOUNT = "board.member"  # Yuki Sato: a board seat and nothing else, so the overview is the landing page
PAST_DAYS = 90


# ---------------------------------------------------------------- timing


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (with 9 runs, the 95th is the slowest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def measure(fn: Callable[[], Any], runs: int, warmup: int = 1) -> dict[str, Any]:
    for _ in range(warmup):
        fn()
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    # cpu: this process's CPU time (on SQLite the whole query; on PostgreSQL the client's share),
    # steadier than the wall clock on a machine other work is keeping busy.
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 95), 1), "runs": runs,
            "min_ms": round(min(times), 1), "max_ms": round(max(times), 1), "cpu_median_ms": round(statistics.median(cpu), 1)}  # fmt: skip


def load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on Linux
        return []


# ---------------------------------------------------------------- databases


@contextmanager
def sqlite_database(keep: bool) -> Iterator[tuple[str, Path]]:
    folder = Path(tempfile.mkdtemp(prefix="helix-bench-"))
    try:
        yield f"sqlite:///{folder / 'helix.db'}", folder
    finally:
        if keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_database(admin_url: str, keep: bool) -> Iterator[tuple[str, Path]]:
    """A fresh database `helix_bench` on the server of `admin_url` (dropped afterwards)."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    folder = Path(tempfile.mkdtemp(prefix="helix-bench-pg-"))
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
        url = make_url(admin_url).set(database=BENCH_DB).render_as_string(hide_password=False)
        yield url, folder
    finally:
        if keep:
            print(f"kept database {BENCH_DB} and {folder}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
            shutil.rmtree(folder, ignore_errors=True)
        admin.dispose()


def load_directory_quickly(engine: Engine) -> None:
    """The demo directory with its sign-in accounts, hashed with minimal Argon2 cost (a throwaway
    database: the production cost would add half a second per account and measure nothing)."""
    from argon2 import PasswordHasher

    from store import accounts
    from store.directory import load_directory

    original = accounts._default_hasher
    accounts._default_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        load_directory(engine, DEMO_DIRECTORY)
    finally:
        accounts._default_hasher = original


def table_counts(engine: Engine) -> dict[str, Any]:
    with reading(engine) as conn:
        tables = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}
        item = ItemRow.__table__
        by_type = dict(conn.execute(select(item.c.item_type, func.count()).group_by(item.c.item_type).order_by(item.c.item_type)).all())
        open_steps = conn.execute(text("SELECT count(*) FROM step WHERE closed_at IS NULL")).scalar_one()
    return {"tables": tables, "item_types": by_type, "open_steps": open_steps}


# ---------------------------------------------------------------- what is measured


def scopes() -> dict[str, Scope]:
    """The scopes the dashboard gives three people of the demo directory."""
    people = {p.id: p for p in read_directory(DEMO_DIRECTORY).people}
    network = scope_for(people["board-sato"])
    liaison = scope_for(people["kim-minji"], {"KR": "Republic of Korea"})
    university = scope_for(people["lee-sooyoung"], org_names={"kafa": "Korean Academy of Film Arts"})
    assert network is not None and network.everything
    assert liaison is not None and liaison.countries == frozenset({"KR"})
    assert university is not None and university.organisations == frozenset({"kafa"})
    assert university.lifecycles == frozenset({Lifecycle.PROGRAMS})
    return {"network": network, "liaison": liaison, "university": university}


def queries(engine: Engine) -> list[tuple[str, str, Callable[[], Any], float | None]]:
    """(group, label, call, goal in ms or None). "page" are the reads a board page makes: the kept
    views (`store.board_snapshot`; the warm-up run computes and keeps each), open steps and the
    drill-down. "background" computes a view from the read model, as the `board-snapshots`
    Schedule does every minute when the read model has moved: no goal, it is off the page's path."""
    s = scopes()
    today = datetime.now(UTC).date()
    past = parse_as_of(today - timedelta(days=PAST_DAYS), today)
    g = GOAL_QUERY_MS
    return [
        ("page", "overview · whole network", lambda: board_snapshot.overview(engine, s["network"]), g),
        ("page", "overview · liaison (KR)", lambda: board_snapshot.overview(engine, s["liaison"]), g),
        ("page", "overview · university (KAFA programs)", lambda: board_snapshot.overview(engine, s["university"]), g),
        ("page", f"overview · whole network, {PAST_DAYS} days ago", lambda: board_snapshot.overview(engine, s["network"], past), g),
        ("page", "open_steps · whole network (500)", lambda: board.open_steps(engine, s["network"], limit=500), g),
        ("page", "open_steps · liaison (KR) (500)", lambda: board.open_steps(engine, s["liaison"], limit=500), g),
        ("page", "step_medians · by country", lambda: board_snapshot.step_medians(engine, s["network"], by="country"), g),
        ("page", "step_medians · by organisation", lambda: board_snapshot.step_medians(engine, s["network"], by="organisation"), g),
        ("page", "items_behind · releases that reached 'licence signed'",
         lambda: board.items_behind(engine, s["network"], item_type="country_release", reached="licence_signed"), g),
        ("page", "items_behind · liaison (KR) applications reviewed",
         lambda: board.items_behind(engine, s["liaison"], item_type="grant_application", reached="reviewed"), g),
        ("background", "compute overview · whole network", lambda: board.overview(engine, s["network"]), None),
        ("background", "compute overview · liaison (KR)", lambda: board.overview(engine, s["liaison"]), None),
        ("background", "compute overview · university (KAFA programs)", lambda: board.overview(engine, s["university"]), None),
        ("background", f"compute overview · whole network, {PAST_DAYS} days ago", lambda: board.overview(engine, s["network"], past), None),
        ("background", "compute step_medians · by country", lambda: board.step_medians(engine, s["network"], by="country"), None),
        ("background", "compute step_medians · by organisation", lambda: board.step_medians(engine, s["network"], by="organisation"), None),
        ("background", "refresh · every kept view (the Schedule's run)", lambda: refresh_all(engine), None),
    ]  # fmt: skip


def refresh_all(engine: Engine) -> None:
    """One run of the every-minute refresh with every kept view behind the read model."""
    with transaction(engine) as conn:
        conn.execute(update(board_snapshot.SNAPSHOT).values(version=-1))
    board_snapshot.refresh(engine)


def time_page(url: str, data_dir: Path, runs: int) -> dict[str, Any]:
    """The Overview page in AppTest, a board member signed in: the median of `at.run()`."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from settings import get_settings
    from tests.dashboard.test_app import sign_in

    saved = {k: os.environ.get(k) for k in ("HELIX_DATA_DIR", "DATABASE_URL")}
    os.environ["HELIX_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = AppTest.from_file(str(APP), default_timeout=300)
        sign_in(at, BOARD_ACCOUNT)
        at.switch_page("views/overview.py").run()
        problems = [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]
        title = at.title[0].value if len(at.title) else ""
        if problems or title != "Network overview":
            raise RuntimeError(f"the overview page did not render (title {title!r}): {problems}")
        shown = {m.label: m.value for m in at.metric}
        result = measure(lambda: at.run(), runs)
        result["metrics_shown"] = shown
        return result
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()
        st.cache_resource.clear()
        st.cache_data.clear()


def run_backend(name: str, url: str, data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"load_before": load()}
    engine = make_engine(url)
    try:
        init_db(engine)
        load_directory_quickly(engine)
        print(f"[{name}] seeding {args.items:,} items …", flush=True)
        started = time.perf_counter()
        seed(engine, items=args.items, seed=args.seed)
        out["seed_seconds"] = round(time.perf_counter() - started, 1)
        print(f"[{name}] seeded in {out['seed_seconds']} s", flush=True)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
            with reading(engine) as conn:
                out["server"] = conn.execute(text("SELECT version()")).scalar_one()
        else:
            out["server"] = f"SQLite {sqlite3.sqlite_version}"
            out["database_mb"] = round(Path(make_url(url).database or "").stat().st_size / 2**20, 1)
        out.update(table_counts(engine))
        measurements: dict[str, Any] = {}
        for group, label, fn, goal in queries(engine):
            m = measure(fn, args.runs if group == "page" else max(1, args.runs // 3))
            m.update(group=group, goal_ms=goal, ok=None if goal is None else m["median_ms"] is not None and m["median_ms"] <= goal)
            measurements[label] = m
            print(f"[{name}] {label:<58} {_cell(m)}", flush=True)
        if not args.no_page:
            page = time_page(url, data_dir, args.page_runs)
            page.update(group="page", goal_ms=GOAL_PAGE_MS, ok=page["median_ms"] is not None and page["median_ms"] <= GOAL_PAGE_MS)
            measurements["Overview page · at.run() (board member)"] = page
            print(f"[{name}] {'Overview page · at.run()':<58} {_cell(page)}", flush=True)
        out["measurements"] = measurements
    finally:
        dispose_engine(engine)
    out["load_after"] = load()
    return out


def _cell(m: dict[str, Any]) -> str:
    if m.get("median_ms") is None:
        return f"did not finish in {m.get('interrupted_after_ms', 0) / 1000:,.0f} s"
    return f"median {m['median_ms']:>9,.1f} ms   p95 {m['p95_ms']:>9,.1f} ms"


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")  # fmt: skip
    except OSError:
        pass
    memory = ""
    try:
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
        memory = f"{kb / 2**20:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    import sqlalchemy
    import streamlit

    return {"platform": platform.platform(), "python": platform.python_version(), "cpu": cpu, "cpus": os.cpu_count(),
            "memory": memory, "sqlite": sqlite3.sqlite_version, "sqlalchemy": sqlalchemy.__version__,
            "streamlit": streamlit.__version__}  # fmt: skip


def print_table(results: dict[str, Any]) -> None:
    backends = list(results["backends"])
    labels: list[str] = []
    for b in backends:
        labels += [k for k in results["backends"][b]["measurements"] if k not in labels]
    head = f"{'measurement':<60}" + "".join(f"{b + ' median / p95 (ms)':>34}" for b in backends) + f"{'goal (ms)':>11}"
    print()
    print(head)
    print("-" * len(head))
    for label in labels:
        row = f"{label:<60}"
        goal = ""
        for b in backends:
            m = results["backends"][b]["measurements"].get(label)
            if not m:
                cell = "—"
            elif m.get("median_ms") is None:
                cell = f"> {m.get('interrupted_after_ms', 0) / 1000:,.0f} s !"
            else:
                cell = f"{m['median_ms']:,.1f} / {m['p95_ms']:,.1f}{' !' if m['ok'] is False else ''}"
            row += f"{cell:>34}"
            goal = (f"{m['goal_ms']:,.0f}" if m['goal_ms'] is not None else "—") if m else goal
        print(row + f"{goal:>11}")
    for b in backends:
        r = results["backends"][b]
        print(f"{b}: {r['tables']['item']:,} items seeded in {r['seed_seconds']} s; load average {r['load_before']} → {r['load_after']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.board", description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=9, help="timed runs per query, after one warm-up (default 9)")
    parser.add_argument("--page-runs", type=int, default=5, help="timed runs of the page, after one warm-up (default 5)")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--no-page", action="store_true", help="skip the Overview page")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL,
                        help=f"a database on the server to create {BENCH_DB} from (default {POSTGRES_ADMIN_URL})")  # fmt: skip
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards (to look at plans)")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.page_runs < 1:
        parser.error("runs must be at least 1")
    results: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.board " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "items": args.items,
        "seed": args.seed,
        "goals": {"board queries (median)": f"≤ {GOAL_QUERY_MS:.0f} ms", "Overview page at.run() (median)": f"≤ {GOAL_PAGE_MS:.0f} ms"},
        "backends": {},
    }
    if not args.postgres_only:
        with sqlite_database(args.keep) as (url, folder):
            results["backends"]["sqlite"] = run_backend("sqlite", url, folder, args)
    if not args.sqlite_only:
        with postgres_database(args.postgres_admin_url, args.keep) as (url, folder):
            results["backends"]["postgresql"] = run_backend("postgresql", url, folder, args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print_table(results)
    print(f"\nwritten to {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

