"""Run the authorization matrix: every scenario × every action of its lifecycle × every demo account.

Each cell sends the action through the same pure check the workflow's update validator runs and
compares the verdict with the entitlement table. Pure functions only: the whole matrix takes well
under a second once the scenarios are built.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from domain.agreement_rules import Rejected
from tests.authz import entitlements as ent
from tests.authz.scenarios import ACTS, BUILD_SECONDS, scenarios
from tests.authz.world import ROOT, accounts

ARTIFACT = ROOT / "artifacts" / "authz-matrix.json"


@dataclass(frozen=True)
class Cell:
    lifecycle: str
    action: str
    scenario: str  # "item @ step"
    username: str
    person_id: str
    entitled: bool
    accepted: bool
    message: str  # the refusal, as the person would read it

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.lifecycle, self.action, self.scenario, self.person_id)


TIMING: dict[str, float] = {}


@cache
def run() -> tuple[Cell, ...]:
    steps = scenarios()
    t1 = time.perf_counter()
    cells: list[Cell] = []
    for s in steps:
        for act in ACTS[s.lifecycle]:
            for username, person in accounts():
                sent = act.make(s, person)
                try:
                    act.check(s.state, sent)
                    accepted, message = True, ""
                except Rejected as e:
                    accepted, message = False, str(e)
                cells.append(Cell(s.lifecycle, act.name, s.key, username, person.id,
                                  ent.entitled(s.lifecycle, act.name, person, s.facts, sent), accepted, message))  # fmt: skip
    TIMING.update(build_seconds=BUILD_SECONDS[0], matrix_seconds=round(time.perf_counter() - t1, 2))
    return tuple(cells)


def mismatches() -> list[Cell]:
    return [c for c in run() if c.entitled != c.accepted]


def totals(cells: tuple[Cell, ...]) -> dict[str, int]:
    return {
        "tried": len(cells),
        "accepted": sum(c.accepted for c in cells),
        "refused": sum(not c.accepted for c in cells),
        "entitled": sum(c.entitled for c in cells),
        "discrepancies": sum(c.entitled != c.accepted for c in cells),
    }


def write_artifact(path: Path = ARTIFACT) -> dict[str, object]:
    cells = run()
    per_action: dict[str, dict[str, int]] = {}
    counts: Counter[tuple[str, str, str]] = Counter()
    for c in cells:
        counts[(c.lifecycle, c.action, "tried")] += 1
        counts[(c.lifecycle, c.action, "accepted")] += c.accepted
        counts[(c.lifecycle, c.action, "entitled")] += c.entitled
    for (lifecycle, action, what), n in counts.items():
        per_action.setdefault(f"{lifecycle}.{action}", {})[what] = n
    for v in per_action.values():
        v["refused"] = v["tried"] - v["accepted"]
    report = {
        "totals": totals(cells),
        "people": len(accounts()),
        "scenarios": len(scenarios()),
        "actions": sum(len(v) for v in ACTS.values()),
        "seconds": dict(TIMING),
        "per_action": per_action,
        "discrepancies": [asdict(c) for c in mismatches()],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report
