"""Demo joint program: KAFA–VGIK, with students at every stage of the credit-transfer chain.

Loaded after the demo agreements: the program rests on the KAFA–VGIK dual-degree MOU, so the
students are enrolled once that MOU is active. Each student is then moved on by the people who
would act, through the same workflow updates the dashboard sends.
"""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client

from domain.agreements import Phase
from domain.students import PostedCredit, TermAbroad, ThesisStatus
from domain.transfer_decisions import TransferStage
from services import programs as svc
from store import queries

HERE = Path(__file__).parent
PROGRAM_FILE = HERE / "programs" / "kafa-vgik-film-ai.yaml"
PROGRAM_ID = "kafa-vgik-film-ai"
log = logging.getLogger("helix.demo")

COORDINATOR, DEPARTMENT, REGISTRAR, PARTNER_REGISTRAR, MINISTRY = (
    "lee-sooyoung", "jung-minho", "oh-eunji", "smirnova-elena", "yoon-seojin",
)  # fmt: skip


def native(inst: str, code: str, title: str, credits: str, grade: str, term: str) -> PostedCredit:
    return PostedCredit(institution_id=inst, taken_at=inst, course_code=code, title=title, credits=Decimal(credits), grade=grade, term=term)


def first_term(term: str) -> list[PostedCredit]:
    """A first term at KAFA: 12 Korean credits."""
    return [
        native("kafa", "AI-510", "Machine Learning for Moving Images", "3", "A+", term),
        native("kafa", "FP-520", "Producing", "3", "A0", term),
        native("kafa", "FP-540", "Screenwriting", "3", "B+", term),
        native("kafa", "FP-590", "Thesis Seminar", "3", "P", term),
    ]


def nearly_done() -> list[PostedCredit]:
    """Every requirement of both degrees met but the theses."""
    kafa = [native("kafa", c, t, "3", "A+", "2025-spring") for c, t in [("FP-501", "Directing Workshop"), ("AI-510", "Machine Learning for Moving Images")]]
    kafa += [native("kafa", f"FP-6{i:02}", "Studio Practice", "3", "A0", "2025-fall") for i in range(10)]
    kafa += [PostedCredit(institution_id="kafa", taken_at="vgik", course_code=f"ST-{i}", title="Studio at VGIK", credits=Decimal(3), grade="A+",
                          elective_category="major_elective", term="2026-spring", original_credits=Decimal(6), original_grade="5")
             for i in range(4)]  # fmt: skip
    vgik = [native("vgik", "DIR-620", "Directing the Fiction Film", "6", "5", "2026-spring")]
    vgik += [native("vgik", f"ST-{i}", "Studio at VGIK", "6", "5", "2026-spring") for i in range(9)]
    vgik += [PostedCredit(institution_id="vgik", taken_at="kafa", course_code=f"FP-6{i:02}", title="Studio Practice at KAFA", credits=Decimal(6),
                          grade="5", elective_category="major_elective", term="2025-fall", original_credits=Decimal(3), original_grade="A0")
             for i in range(10)]  # fmt: skip
    return kafa + vgik


FALL_COURSES = [
    {"course_code": "DIR-620", "title": "Directing the Fiction Film", "credits": "6", "grade": "5"},
    {"course_code": "VFX-630", "title": "Neural Rendering and Visual Effects", "credits": "5", "grade": "4"},
    {"course_code": "SCR-540", "title": "Screenwriting for Series", "credits": "4.5", "grade": "4"},
]

DECISIONS = [
    ("decide_course", {"course_code": "DIR-620", "decision": "approve"}),
    ("decide_course", {"course_code": "VFX-630", "decision": "approve_as_elective", "elective_category": "major_elective"}),
    ("decide_course", {"course_code": "SCR-540", "decision": "approve", "home_course_code": "FP-540", "save_as_equivalency": True,
                       "note": "Same learning outcomes as FP-540; saved for later students."}),
]  # fmt: skip

CHAIN: list[tuple[TransferStage, list[tuple[str, str, dict[str, Any]]]]] = [
    (TransferStage.DEPARTMENT, [(DEPARTMENT, name, fields) for name, fields in DECISIONS]),
    (TransferStage.HOME_REGISTRAR, [(REGISTRAR, "approve", {"comment": "Decisions checked against the curriculum."})]),
    (TransferStage.PARTNER_REGISTRAR, [(PARTNER_REGISTRAR, "confirm_grades", {"comment": "Grades as on the VGIK transcript."})]),
    (TransferStage.MINISTRY, [(MINISTRY, "authorize", {})]),
]


# (student id = directory person id, enrolled term, terms abroad, credits already posted, transfer term, stage to leave it at)
STUDENTS: list[tuple[str, str, list[TermAbroad], list[PostedCredit], str | None, TransferStage | None]] = [
    ("seo-yuna", "2026-fall", [TermAbroad(institution_id="vgik", term="2027-fall")], [], None, None),
    ("han-jiwoo", "2026-spring", [TermAbroad(institution_id="vgik", term="2026-fall")], first_term("2026-spring"), "2026-fall", TransferStage.DEPARTMENT),
    ("choi-dahye", "2026-spring", [TermAbroad(institution_id="vgik", term="2026-fall")], first_term("2026-spring"), "2026-fall", TransferStage.HOME_REGISTRAR),
    ("kang-minseok", "2026-spring", [TermAbroad(institution_id="vgik", term="2026-fall")], first_term("2026-spring"), "2026-fall", TransferStage.PARTNER_REGISTRAR),
    ("lim-sujin", "2026-spring", [TermAbroad(institution_id="vgik", term="2026-fall")], first_term("2026-spring"), "2026-fall", TransferStage.MINISTRY),
    ("park-haneul", "2025-fall", [TermAbroad(institution_id="vgik", term="2026-spring")], first_term("2025-fall"), "2026-spring", TransferStage.POSTED),
    ("nam-gyuri", "2025-spring", [TermAbroad(institution_id="vgik", term="2026-spring")], nearly_done(), None, None),
]  # fmt: skip


async def wait_for_mou(engine: Engine, agreement_id: str, seconds: float = 240) -> None:
    for _ in range(int(seconds * 2)):
        item = queries.get_item(engine, agreement_id)
        if item is not None and item.phase == Phase.ACTIVE.value:
            return
        await asyncio.sleep(0.5)
    raise TimeoutError(f"{agreement_id} did not become active in time; is the worker running?")


async def _send(client: Client, wid: str, actor: str, name: str, fields: dict[str, Any], key: str) -> Any:
    data = {"actor_id": actor, **fields}
    return await svc.act(client, wid, name, svc.parse_action(wid, name, data), update_id=f"demo-{wid}-{key}")


async def _drive_transfer(client: Client, wid: str, stop_at: TransferStage, sid: str) -> None:
    for stage, steps in CHAIN:
        if stage is stop_at:
            if stage is TransferStage.DEPARTMENT:  # leave a question for the student to answer
                await _send(client, wid, DEPARTMENT, *DECISIONS[0], key=f"{sid}-dir")
                await _send(client, wid, DEPARTMENT, "decide_course",
                            {"course_code": "SCR-540", "decision": "ask_for_information",
                             "note": "Please upload the syllabus: how many hours were workshops, and was there a written final project?"},
                            key=f"{sid}-ask")  # fmt: skip
            return
        for i, (actor, name, fields) in enumerate(steps):
            await _send(client, wid, actor, name, fields, key=f"{sid}-{stage.value}-{i}")


async def seed_programs(engine: Engine, client: Client) -> list[str]:
    """Load the program and enrol the demo students not yet enrolled; returns the record ids started."""
    definition = svc.load_program(engine, PROGRAM_FILE)
    await wait_for_mou(engine, definition.program.agreement_id)
    started = []
    for sid, enrolled, abroad, posted, transfer_term, stop_at in STUDENTS:
        f = svc.StudentFile(student_id=sid, person=sid, program_id=PROGRAM_ID, home_institution_id="kafa", enrolled_term=enrolled,
                            terms_abroad=abroad, posted=posted)  # fmt: skip
        try:
            wid = await svc.enrol(client, engine, f)
        except svc.InputError as e:
            log.info("demo student %s: %s", sid, e)
            continue
        started.append(wid)
        if transfer_term:
            request = {"id": f"req-{sid}-{transfer_term}", "program_id": PROGRAM_ID, "student_id": sid, "term": transfer_term,
                       "taken_at": "vgik", "credited_at": "kafa", "courses": FALL_COURSES}  # fmt: skip
            r = await _send(client, wid, COORDINATOR, "start_credit_transfer", {"request": request}, key=f"{sid}-start")
            await _drive_transfer(client, r.workflow_id, stop_at or TransferStage.POSTED, sid)
        if sid == "nam-gyuri":  # both theses defended: the degrees complete, transcript and certificate are issued
            for inst in ("kafa", "vgik"):
                await _send(client, wid, COORDINATOR, "set_thesis_status", {"institution_id": inst, "status": ThesisStatus.APPROVED.value},
                            key=f"{sid}-thesis-{inst}")  # fmt: skip
        log.info("demo student %s ready", sid)
    return started
