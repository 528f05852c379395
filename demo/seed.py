"""Demo data: the network's directory and agreements in several states.

Loaded by `run.py` on first start (and by `helix demo seed`). Each demo agreement is started from
its YAML file and moved on by the people who would act on it, through the same workflow updates
the dashboard sends, so the demo is the real thing, not rows written into the read model.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client

from services import agreements as svc
from store.directory import load_directory

HERE = Path(__file__).parent
log = logging.getLogger("helix.demo")

# who does what to each demo agreement after it starts: (person, action, fields)
Script = list[tuple[str, str, dict[str, Any]]]
SCRIPTS: dict[str, Script] = {
    "film-schools-2026": [
        ("zhang-wei", "comment", {"text": "BFA proposes that the thesis may be co-supervised in Beijing."}),
    ],
    "coproduction-kr-cn": [
        ("liu-yang", "close_review", {}),
        ("wang-lei", "approve", {}),
    ],
    "distribution-network-2026": [
        ("liu-yang", "close_review", {}),
        *[(p, "approve", {}) for p in ["wang-lei", "ivanova-anna", "aigerim-nurlanova", "bakyt-osmonov", "rustam-karimov",
                                        "dilshod-yusupov", "arjun-mehta", "sana-qureshi", "reza-ahmadi", "olga-kovalenko", "kim-minji"]],
        *[(p, "sign", {}) for p in ["wang-lei", "ivanova-anna", "aigerim-nurlanova", "bakyt-osmonov", "rustam-karimov",
                                     "dilshod-yusupov", "arjun-mehta", "sana-qureshi", "reza-ahmadi", "olga-kovalenko"]],
    ],
    "coproduction-kr-kz": [
        ("liu-yang", "close_review", {}),
        ("kim-minji", "approve", {}),
        ("aigerim-nurlanova", "approve", {}),
        ("park-jihoon", "sign", {}),
        ("aigerim-nurlanova", "sign", {}),
    ],
    "licence-steppe-wind-kr": [
        ("liu-yang", "void", {"reason": "The rights holder withdrew the film from the Korean market."}),
    ],
    "dual-degree-kafa-vgik": [
        ("liu-yang", "close_review", {}),
        ("lee-sooyoung", "approve", {}),
        ("petrov-sergey", "approve", {}),
        ("choi-hyun", "sign", {}),
        ("petrov-sergey", "sign", {}),
    ],
    "grant-2026-007": [
        ("chen-jing", "close_review", {}),
        ("chen-jing", "approve", {}),
        ("aigerim-nurlanova", "approve", {}),
        ("kim-minji", "approve", {}),
        ("liu-yang", "sign", {}),
        ("aigerim-nurlanova", "sign", {}),
    ],
}


async def act_when_ready(client: Client, wid: str, actor: str, name: str, fields: dict[str, Any]) -> None:
    """Send an action, waiting while the workflow prepares its first version."""
    for _ in range(600):
        data = {"actor_id": actor, **fields}
        if name in {"approve", "sign", "decline"}:
            desc = await client.get_workflow_handle(wid).query("state")
            current = desc["versions"][-1]["text_sha256"] if isinstance(desc, dict) and desc.get("versions") else None
            if current is None:
                await asyncio.sleep(0.5)
                continue
            data["version_hash"] = current
        try:
            await svc.act(client, wid, name, svc.parse_action(name, data), update_id=f"demo-{wid}-{actor}-{name}")
            return
        except svc.ActionRejected as e:
            if "still being prepared" in e.message:
                await asyncio.sleep(0.5)
                continue
            raise
    raise TimeoutError(f"{wid}: the worker did not prepare the first version in time; is it running?")


async def seed(engine: Engine, client: Client) -> list[str]:
    """Load the directory and start every demo agreement not yet there; returns the ids started."""
    load_directory(engine, HERE / "directory.yaml")
    started: list[str] = []
    for path in sorted((HERE / "agreements").glob("*.yaml")):
        spec = svc.build_spec(engine, svc.read_agreement_file(path))
        try:
            wid = await svc.start_agreement(client, spec)
        except svc.InputError:
            log.info("demo agreement %s exists already", spec.id)
            continue
        started.append(wid)
        for actor, name, fields in SCRIPTS.get(spec.id, []):
            await act_when_ready(client, wid, actor, name, fields)
        log.info("demo agreement %s ready", spec.id)
    from demo.programs import seed_programs

    started += await seed_programs(engine, client)
    from demo.grants import seed_grants

    started += await seed_grants(engine, client)
    from demo.releases import seed_releases

    started += await seed_releases(engine, client)
    return started
