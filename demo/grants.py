"""Demo co-production fund: the SCO Film Co-production Fund 2026, with applications at every stage.

Loaded after the joint program. The fund is opened from its fund file and every demo application
is submitted from its file, then moved on by the people who would act on it — the fund manager
screens, reviewers score (one declares a conflict and is replaced), the board votes, the grant
agreement is approved and signed by both sides, the producer reports — through the same services
and workflow updates the CLI and the dashboard use. Where each application is left:

| application       | project                                   | left at                                            |
|-------------------|-------------------------------------------|----------------------------------------------------|
| in-kz-drama       | The Long Steppe (India–Kazakhstan)        | active grant: first tranche paid, milestone report awaiting review |
| cn-ru-animation   | Paper Cranes over the Volga (China–Russia)| awarded; grant agreement awaiting the producer's signature |
| kr-uz-youth-ai    | Silk Road Signals (Korea–Uzbekistan)      | board: scored, one vote in, two awaited            |
| kr-mn-pitch       | Blue Sky Herders (pitching, Korea–Mongolia)| review: one reviewer stepped down and was replaced, one score in |
| kg-ru-falconer    | The Falconer's Daughter (Kyrgyzstan–Russia)| screening: awaiting the fund manager              |
| tj-ir-pamir-doc   | Under the Pamir Sky (Tajikistan–Iran)     | refused by the board: rejection letter with reasons |
| kr-solo, kz-kg-doc, ru-by-epic | one country; 10 % matching; over the maximum | ineligible: rejection letters with reasons |

Idempotent: an application already submitted is not submitted again, and each step looks at the
workflow's state before acting (with stable update ids), so a second run changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.service import RPCError

from demo.seed import act_when_ready
from services import grants as svc

HERE = Path(__file__).parent / "grants"
FUND_FILE = HERE / "fund-2026.yaml"
MANAGER, FUND_SIGNATORY = "chen-jing", "liu-yang"
DONE = ("executing", "pending", "active")  # the grant agreement's phases once signed
WAIT_SECONDS = 300.0
log = logging.getLogger("helix.demo")

Marks = dict[str, int]
Vote = tuple[str, str, str | None, str]  # member, choice, amount (None: the request), reason


def marks(artistic: int, coproduction: int, feasibility: int, reach: int) -> Marks:
    return {"artistic_merit": artistic, "coproduction": coproduction, "feasibility": feasibility, "audience_reach": reach}


@dataclass(frozen=True)
class Plan:
    """Where to leave an application, and the marks and votes on the way there."""

    stop: str  # rejected (ineligible) | screening | review | board | refused | signing | active
    marks: tuple[Marks, ...] = ()
    votes: tuple[Vote, ...] = ()


PLANS: dict[str, Plan] = {
    "in-kz-drama": Plan("active", (marks(8, 7, 9, 6), marks(9, 8, 8, 7), marks(7, 8, 8, 6)),
                        (("board-ahmed", "approve", "120000", ""), ("board-sato", "approve", "110000", ""),
                         ("board-mirzaeva", "approve", "115000", ""))),
    "cn-ru-animation": Plan("signing", (marks(9, 8, 7, 9), marks(8, 8, 7, 8), marks(9, 7, 8, 9)),
                            (("board-ahmed", "approve", None, ""), ("board-sato", "approve", None, ""),
                             ("board-mirzaeva", "approve", None, ""))),
    "kr-uz-youth-ai": Plan("board", (marks(8, 7, 7, 7), marks(7, 8, 6, 8), marks(8, 8, 7, 6)),
                           (("board-ahmed", "approve", None, ""),)),
    "kr-mn-pitch": Plan("review", (marks(8, 9, 7, 8),)),
    "kg-ru-falconer": Plan("screening"),
    "tj-ir-pamir-doc": Plan("refused", (marks(6, 5, 4, 5), marks(5, 6, 4, 4), marks(6, 5, 5, 4)),
                            (("board-ahmed", "reject", None, "The shooting schedule depends on permits that are not yet requested."),
                             ("board-sato", "reject", None, "The financing plan relies on unconfirmed support for more than half the budget."),
                             ("board-mirzaeva", "approve", None, ""))),
    "kr-solo": Plan("rejected"),
    "kz-kg-doc": Plan("rejected"),
    "ru-by-epic": Plan("rejected"),
}  # fmt: skip

DECLINE = ("I produced a film with one of the co-producers last year; I should not judge this project.", True)


# ---------------------------------------------------------------- waiting on workflows


async def query_state(client: Client, wid: str) -> dict[str, Any] | None:
    """The workflow's state as a dict, or None while it does not exist yet."""
    try:
        st = await client.get_workflow_handle(wid).query("state")
    except RPCError as e:
        if "not found" in str(e).lower():
            return None
        raise
    return st if isinstance(st, dict) else None


async def wait_for(client: Client, wid: str, ok: Callable[[dict[str, Any]], bool], what: str,
                   seconds: float = WAIT_SECONDS) -> dict[str, Any]:  # fmt: skip
    deadline = time.monotonic() + seconds
    st: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        st = await query_state(client, wid)
        if st is not None and ok(st):
            return st
        await asyncio.sleep(0.5)
    now = "not started" if st is None else st.get("stage") or st.get("phase")
    raise TimeoutError(
        f"{wid} did not reach {what} within {seconds:.0f} s (now: {now}); is the worker running with the grant activities?"
    )


def stage_in(*stages: str) -> Callable[[dict[str, Any]], bool]:
    return lambda s: s.get("stage") in stages


async def send(client: Client, wid: str, name: str, fields: dict[str, Any], key: str) -> None:
    await svc.act(client, wid, name, svc.parse_action(wid, name, fields), update_id=f"demo-{wid}-{key}")


# ---------------------------------------------------------------- the application


def _pending(st: dict[str, Any]) -> list[str]:
    return [r["reviewer"]["id"] for r in st["reviews"] if r.get("left_reason") is None and r.get("score") is None]


def _scored(st: dict[str, Any]) -> int:
    return sum(1 for r in st["reviews"] if r.get("left_reason") is None and r.get("score") is not None)


async def _review(client: Client, wid: str, plan: Plan) -> dict[str, Any]:
    """Score (and, when the plan stops at review, leave a declined reviewer replaced and one score in)."""
    st = await wait_for(client, wid, lambda s: s.get("stage") != "screening", "the panel's assignment")
    if plan.stop == "review" and st["stage"] == "review":
        if not any(r.get("left_reason") for r in st["reviews"]) and _pending(st):
            leaving = _pending(st)[0]
            await send(
                client, wid, "decline_review", {"actor_id": leaving, "reason": DECLINE[0], "conflict": DECLINE[1]}, "decline"
            )
            st = await wait_for(client, wid, lambda s: any(r.get("left_reason") for r in s["reviews"]), "the replacement")
        while _scored(st) < len(plan.marks) and _pending(st):
            reviewer = _pending(st)[0]
            done = _scored(st)
            await send(client, wid, "score", {"actor_id": reviewer, "values": plan.marks[done],
                                              "comment": "A strong pitch; the development budget is realistic."}, f"score-{reviewer}")  # fmt: skip
            st = await wait_for(client, wid, lambda s, n=done: _scored(s) > n, "the score recorded")
        return st
    while st["stage"] == "review" and _pending(st):
        reviewer = _pending(st)[0]
        done = _scored(st)
        values = plan.marks[min(done, len(plan.marks) - 1)]
        await send(client, wid, "score", {"actor_id": reviewer, "values": values, "comment": "Scored against the call's rubric."},
                   f"score-{reviewer}")  # fmt: skip
        st = await wait_for(client, wid, lambda s, n=done: _scored(s) > n or s["stage"] != "review", "the score recorded")
    return st


async def drive_application(client: Client, wid: str, plan: Plan) -> dict[str, Any]:
    """Move one application to where its plan leaves it; returns its state."""
    st = await wait_for(client, wid, lambda s: s.get("stage") != "submitted", "the eligibility check")
    if plan.stop == "rejected" or st["stage"] in {"awarded", "rejected", "waitlisted", "withdrawn"}:
        return await wait_for(client, wid, stage_in("rejected", "awarded", "waitlisted", "withdrawn"), "its decision letter")
    if st["stage"] == "screening":
        if plan.stop == "screening":
            return st
        await send(client, wid, "screen", {"actor_id": MANAGER, "passed": True, "reason": "Complete and within the call's rules."},
                   "screen")  # fmt: skip
    st = await _review(client, wid, plan)
    if plan.stop == "review":
        return st
    st = await wait_for(client, wid, stage_in("board", "awarded", "rejected", "waitlisted"), "the board")
    for member, choice, amount, reason in plan.votes:
        if st["stage"] != "board" or any(v["member_id"] == member for v in st["votes"]):
            continue
        fields: dict[str, Any] = {"actor_id": member, "choice": choice, "reason": reason}
        if amount is not None:
            fields["amount"] = amount
        await send(client, wid, "vote", fields, f"vote-{member}")
        st = await wait_for(client, wid, lambda s, m=member: any(v["member_id"] == m for v in s["votes"]), f"{member}'s vote")
    if plan.stop == "board":
        return st
    return await wait_for(client, wid, stage_in("awarded", "rejected", "waitlisted"), "the board's decision")


# ---------------------------------------------------------------- the grant and its agreement


async def sign_agreement(client: Client, grant_wid: str, contact: str, *, producer_signs: bool) -> None:
    """Close the grant agreement's review, approve it for both sides, and sign it for the fund
    (and for the producer when `producer_signs`)."""
    g = await wait_for(client, grant_wid, lambda s: bool(s.get("agreement_workflow_id")), "its grant agreement")
    awid = g["agreement_workflow_id"]
    ag = await wait_for(client, awid, lambda s: s.get("phase") not in (None, "draft") and bool(s.get("versions")),
                        "the first version of the grant agreement")  # fmt: skip
    if ag["phase"] == "review":
        await act_when_ready(client, awid, MANAGER, "close_review", {})
    steps = [(MANAGER, "approve"), (contact, "approve"), (FUND_SIGNATORY, "sign")] + (
        [(contact, "sign")] if producer_signs else []
    )
    for person, name in steps:
        ready = ("approval", "signing") if name == "approve" else ("signing",)
        ag = await wait_for(client, awid, lambda s, r=ready: s.get("phase") in (*r, *DONE), f"the grant agreement's {name} step")
        done = {a["person_id"] for a in ag["approvals"]} if name == "approve" else {s["signer_id"] for s in ag["signatures"]}
        if person not in done and ag["phase"] in ready:
            await act_when_ready(client, awid, person, name, {})


async def drive_grant(client: Client, application_id: str, contact: str, stop: str) -> dict[str, Any]:
    """`signing`: the agreement awaits the producer's signature. `active`: signed, the first
    tranche paid and the production milestone report submitted for the fund manager's review."""
    gwid = f"grant-{application_id}"
    await sign_agreement(client, gwid, contact, producer_signs=stop == "active")
    if stop == "signing":
        return await wait_for(client, gwid, lambda s: s.get("stage") == "agreement", "the agreement stage")
    g = await wait_for(client, gwid, lambda s: bool(s.get("payments")), "the first tranche's payment")
    milestone = next(t for t in g["tranches"] if t["id"] == "milestone")
    if not milestone.get("report_submitted_on") and not milestone.get("report_approved_on"):
        await send(client, gwid, "submit_report", {"actor_id": contact, "tranche_id": "milestone", "reference": "milestone-report-2026-11",
                                                   "summary": "Principal photography in Almaty complete (32 of 32 days); rough cut in Mumbai."},
                   "report-milestone")  # fmt: skip
    return await wait_for(client, gwid, lambda s: any(t["id"] == "milestone" and t.get("report_submitted_on") for t in s["tranches"]),
                          "the milestone report")  # fmt: skip


# ---------------------------------------------------------------- seeding


def open_around_today(f: svc.FundFile, today: date | None = None) -> svc.FundFile:
    """The demo's calls kept open around the day the demo is loaded, so its applications are on time
    whenever it runs (the file's dates are the 2026–27 round's)."""
    today = today or date.today()
    calls = [c.model_copy(update={"opens_on": min(c.opens_on, today - timedelta(days=60)),
                                  "closes_on": max(c.closes_on, today + timedelta(days=120))}) for c in f.calls]  # fmt: skip
    return f.model_copy(update={"calls": calls})


async def seed_grants(engine: Engine, client: Client) -> list[str]:
    """Open the demo fund, submit the demo applications not yet submitted and drive each to its
    stage; returns the workflow ids started."""
    started_at = time.monotonic()
    d = await svc.open_fund_file(client, engine, open_around_today(svc.read_fund_file(FUND_FILE)))
    started: list[str] = []
    submissions: list[tuple[str, str, str]] = []  # (application id, workflow id, contact)
    new: set[str] = set()
    for path in sorted((HERE / "applications").glob("*.yaml")):
        f = svc.read_application_file(path)
        app_id = str(f.application["id"])
        wid = f"application-{app_id}"
        try:
            wid = await svc.submit(client, engine, f)
            started.append(wid)
            new.add(app_id)
        except svc.InputError as e:
            log.info("demo application %s: %s", app_id, e)
        submissions.append((app_id, wid, f.contact))
    grants: list[tuple[str, str, str]] = []
    for app_id, wid, contact in submissions:  # one at a time, so the panels come out the same on every first start
        plan = PLANS.get(app_id, Plan("screening"))
        st = await drive_application(client, wid, plan)
        log.info("demo application %s: %s", app_id, st["stage"])
        if plan.stop in {"signing", "active"} and st["stage"] == "awarded":
            grants.append((app_id, contact, plan.stop))
    results = await asyncio.gather(*(drive_grant(client, app_id, contact, stop) for app_id, contact, stop in grants))
    for (app_id, _, stop), g in zip(grants, results, strict=True):
        if app_id in new:
            started.append(f"grant-{app_id}")
        log.info("demo grant %s: %s (%s)", app_id, g["stage"], stop)
    log.info("demo fund %s ready in %.0f s", d.fund.id, time.monotonic() - started_at)
    return started
