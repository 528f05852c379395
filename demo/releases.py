"""Demo award-to-release: the SCO Film Festival 2026 (Qingdao), four awards and releases at every stage.

Loaded after the co-production fund. The festival is opened from its file and the festival office
(`liu-yang`) records four of the jury's awards; each fans the film out to every member state and
Korea (ten country releases a film). Some countries then take their film on, through the same
services and workflow updates the CLI and the dashboard use — the liaison acknowledges, records
classification, quota and subsidy, proposes a licence to a distributor from the directory, whose
agreement the rights holder and the distributor approve and sign, then schedules and confirms the
release. Where each is left:

| release                     | left at                                                                 |
|-----------------------------|-------------------------------------------------------------------------|
| The Steppe Wind (KZ) in RU  | released (12+, licence with Neva Film Distribution signed) — abroad      |
| Tunduk (KG) in KZ           | released (BA, subtitling subsidy, licence with Arman signed) — abroad    |
| Signals (KR) in UZ          | scheduled (6+, streaming licence with Silk Screen signed): to confirm    |
| The Steppe Wind in CN       | subsidy step (approved, import-quota exception granted)                  |
| The Last Caravan (IR) in RU | subsidy step (16+ approved with cuts)                                    |
| Signals in IR               | refused by classification                                                |
| The Last Caravan in IN      | declined by India                                                        |
| The Steppe Wind in KR       | classification (acknowledged; for `liaison.kr` to take on)              |
| Tunduk in IN                | classification (acknowledged)                                            |
| every other country release | awaiting the liaison's acknowledgement                                   |

*Paper Cranes over the Volga*, *White Birches*, *The Kite of Samarkand*, *Pixel Silk Road* and
*Harbour Lights* have no award yet: the festival office can record one on the dashboard.

Release dates and licence terms are relative to the day the demo is loaded (the releases are a
few days old, so this year's target shows two films released abroad). Idempotent: every step
looks at the workflow's state first and is sent with a stable update id.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client

from demo.grants import query_state, wait_for
from demo.seed import act_when_ready
from services import releases as svc
from workflows.country_release import release_workflow_id
from workflows.festival import festival_workflow_id

FESTIVAL_FILE = Path(__file__).parent / "releases" / "festival-2026.yaml"
ADMIN = "liu-yang"
SIGNED = ("executing", "pending", "active")  # the licence agreement's phases once signed
log = logging.getLogger("helix.demo")

AWARDS: list[tuple[str, str, str, str]] = [  # award id, film, category, the jury's note
    ("aw-2026-01", "steppe-wind", "best_film", "For a landscape that listens."),
    ("aw-2026-03", "last-caravan", "jury_prize", "For the patience of its camera."),
    ("aw-2026-05", "tunduk", "best_short", "Eighteen minutes that hold a whole household."),
    ("aw-2026-07", "signals", "most_innovative_ai", "For using AI to listen rather than to dazzle."),
]


@dataclass(frozen=True)
class Licence:
    deal_id: str
    licensee_id: str
    media: tuple[str, ...]
    fee: str
    currency: str
    exclusive: bool = True


@dataclass(frozen=True)
class Plan:
    """How far to take one country release, and with what."""

    stop: str  # classification | subsidy | refused | declined | scheduled | released
    rating: str | None = None
    cuts: str = ""
    refusal: str = ""
    subsidy: dict[str, Any] = field(default_factory=dict)  # empty: skipped
    licence: Licence | None = None
    platform: str = ""
    decline: str = ""


PLANS: dict[tuple[str, str], Plan] = {
    ("steppe-wind", "RU"): Plan("released", rating="12+", licence=Licence("steppe-wind-ru-2026", "neva-distribution", ("theatrical",),
                                                                          "30000", "USD"), platform="Karo and Cinema Park cinemas"),
    ("tunduk", "KZ"): Plan("released", rating="BA", subsidy={"outcome": "granted", "kind": "subtitling", "amount": "3000000", "currency": "KZT"},
                           licence=Licence("tunduk-kz-2026", "arman-distribution", ("theatrical",), "4000", "USD"),
                           platform="Kinopark, with the short-film programme"),
    ("signals", "UZ"): Plan("scheduled", rating="6+", licence=Licence("signals-uz-2026", "silk-screen", ("streaming",), "2500", "USD",
                                                                      exclusive=False), platform="Ipak Ekran streaming"),
    ("steppe-wind", "CN"): Plan("subsidy"),
    ("last-caravan", "RU"): Plan("subsidy", rating="16+", cuts="Shorten the execution scene in reel 5 by about 40 seconds."),
    ("signals", "IR"): Plan("refused", refusal="The film's depiction of mixed-gender gatherings does not meet the screening guidelines."),
    ("last-caravan", "IN"): Plan("declined", decline="No distributor takes Persian-language films for a theatrical release this season."),
    ("steppe-wind", "KR"): Plan("classification"),
    ("tunduk", "IN"): Plan("classification"),
}  # fmt: skip

ORDER = ["acknowledge", "classification", "quota", "subsidy", "licence", "scheduling", "releasing", "released"]


def _reached(stage: str, wanted: str) -> bool:
    return stage in ("refused", "declined", "released") or (stage in ORDER and ORDER.index(stage) >= ORDER.index(wanted))


async def send(client: Client, engine: Engine, wid: str, name: str, fields: dict[str, Any], key: str = "") -> None:
    action = svc.parse_action(wid, name, fields, engine=engine)
    await svc.act(client, wid, name, action, update_id=f"demo-{wid}-{key or name}")


async def sign_licence(client: Client, awid: str, initiator: str) -> None:
    """Close the licence agreement's review; each party's approver approves and its signatory signs."""
    ag = await wait_for(client, awid, lambda s: s.get("phase") not in (None, "draft") and bool(s.get("versions")),
                        "the first version of the licence")  # fmt: skip
    if ag["phase"] == "review":
        await act_when_ready(client, awid, initiator, "close_review", {})
    parties = ag["spec"]["parties"]
    steps = [(p["approvers"][0]["id"], "approve") for p in parties] + [(p["signatories"][0]["id"], "sign") for p in parties]
    for person, name in steps:
        ready = ("approval", "signing") if name == "approve" else ("signing",)
        ag = await wait_for(client, awid, lambda s, r=ready: s.get("phase") in (*r, *SIGNED), f"the licence's {name} step")
        done = {a["person_id"] for a in ag["approvals"]} if name == "approve" else {s["signer_id"] for s in ag["signatures"]}
        if person not in done and ag["phase"] in ready:
            await act_when_ready(client, awid, person, name, {})


async def drive_release(client: Client, engine: Engine, film_id: str, country: str, plan: Plan, today: date) -> str:
    """Move one country release to where its plan leaves it; returns its stage."""
    wid = release_workflow_id(film_id, country)
    st = await wait_for(client, wid, lambda s: True, "its start")
    liaison = st["liaison"]["id"]

    def at(stage: str) -> bool:
        return st["stage"] == stage

    async def step(name: str, fields: dict[str, Any]) -> None:
        nonlocal st
        before = st["stage"]
        await send(client, engine, wid, name, {"actor_id": liaison, **fields})
        st = await wait_for(client, wid, lambda s: s["stage"] != before, f"the step after {before}")

    if plan.stop == "declined":
        if st["stage"] not in ("declined", "refused", "released"):
            await step("decline", {"reason": plan.decline})
        return st["stage"]
    if at("acknowledge"):
        await step("acknowledge", {"note": "Received; we take it to classification."})
    if plan.stop == "classification":
        return st["stage"]
    if at("classification"):
        if plan.stop == "refused":
            await step("classify", {"outcome": "refused", "reason": plan.refusal})
            return st["stage"]
        outcome = "approved_with_cuts" if plan.cuts else "approved"
        await step("classify", {"outcome": outcome, "rating": plan.rating or "approved", "cuts": plan.cuts})
    if at("quota"):
        await step("decide_quota", {"granted": True, "reference": f"{country}-IMP-{today.year}-{film_id[:12]}".upper()})
    if plan.stop == "subsidy":
        return st["stage"]
    if at("subsidy"):
        await step(
            "record_subsidy", plan.subsidy or {"outcome": "skipped", "reason": "The distributor subtitles the film itself."}
        )
    lic = plan.licence
    if lic is None:
        return st["stage"]
    released_on = today - timedelta(days=min(6, today.timetuple().tm_yday - 1))
    starts_on = min(released_on, today) - timedelta(days=30)
    if at("licence") and not st.get("licence"):
        await send(client, engine, wid, "propose_licence", {
            "actor_id": liaison, "deal_id": lic.deal_id, "licensee_id": lic.licensee_id, "media": list(lic.media),
            "starts_on": starts_on.isoformat(), "ends_on": (today + timedelta(days=730)).isoformat(), "exclusive": lic.exclusive,
            "fee": lic.fee, "currency": lic.currency})  # fmt: skip
        st = await wait_for(client, wid, lambda s: bool(s.get("licence")), "the licence proposed")
    if at("licence"):
        await sign_licence(client, st["licence"]["agreement_workflow_id"], liaison)
        st = await wait_for(client, wid, lambda s: s["stage"] != "licence", "the licence signed")
    if at("scheduling"):
        on = released_on if plan.stop == "released" else today + timedelta(days=21)
        await step("schedule_release", {"release_on": on.isoformat(), "platform": plan.platform})
    if plan.stop == "released" and at("releasing"):
        await step("confirm_release", {"released_on": released_on.isoformat(), "platform": plan.platform})
    return st["stage"]


async def record_awards(client: Client, engine: Engine, wid: str) -> dict[str, Any]:
    st = await wait_for(client, wid, lambda s: True, "the festival's start")
    day = date.fromisoformat(st["edition"]["closes_on"])  # the juries announce on the closing day
    for award_id, film_id, category, note in AWARDS:
        if any(a["id"] == award_id for a in st["awards"]):
            continue
        await send(client, engine, wid, "record_award", {"actor_id": ADMIN, "award": {
            "id": award_id, "edition_id": st["edition"]["id"], "film_id": film_id, "category_id": category, "jury_note": note,
            "awarded_on": day.isoformat()}}, key=award_id)  # fmt: skip
        st = await wait_for(client, wid, lambda s, a=award_id: any(x["id"] == a for x in s["awards"]), f"award {award_id}")
    return st


async def seed_releases(engine: Engine, client: Client) -> list[str]:
    """Open the demo festival, record its awards and drive the planned country releases; returns the
    workflow ids started by this run (the festival and the releases its awards started)."""
    started_at = time.monotonic()
    f = svc.read_festival_file(FESTIVAL_FILE)
    wid = festival_workflow_id(f.edition.id)
    before = await query_state(client, wid)
    known = set().union(*before["recommended"].values()) if before else set()
    await svc.open_festival_file(client, engine, f)
    st = await record_awards(client, engine, wid)
    today = date.today()
    plans = list(PLANS.items())
    stages = await asyncio.gather(*(drive_release(client, engine, film, country, plan, today) for (film, country), plan in plans))
    for ((film, country), plan), stage in zip(plans, stages, strict=True):
        log.info("demo release %s in %s: %s (%s)", film, country, stage, plan.stop)
    new = sorted(w for ws in st["recommended"].values() for w in ws if w not in known)
    log.info("demo festival %s ready in %.0f s: %d country releases", f.edition.id, time.monotonic() - started_at,
             sum(len(ws) for ws in st["recommended"].values()))  # fmt: skip
    return ([wid] if before is None else []) + new
