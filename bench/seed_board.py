"""Fill an empty read model with a realistic network of `items` lifecycle items, for the board's benchmark.

    python -m bench.seed_board --items 100000 --database-url sqlite:////tmp/helix-bench/helix.db

Rows look like the ones the projections write (see a demo read model): the `summary` keys each item
type has, parties with their roles and countries, human steps (closed ones with their opening and
closing times, open ones with who is awaited, some overdue), timelines with increasing `seq` and
time, the `item_milestone` rows `store.projections._insert_milestones` would write for them (the
first event of each kind in `domain.board.milestone_kinds()`), documents, payment instructions for
paid tranches, and the funds with their ledgers.

Proportions: 15 % agreements, 45 % joint programs (students and their credit transfers), 15 % the
co-production fund (applications, the grants of the awarded ones, four funds), 25 % award to release
(country releases, the films' rights and the festivals that recommended them). Items are created over
the last two years; each moves along its lifecycle with random waits, so older items are further
along, while a few stall at a step (the board's overdue and long-waiting steps) or end early (voided,
declined, rejected). Every item's phase is the one its last events left it in.

Organisations and people come from the demo directory (`demo/directory.yaml`), which is upserted
first (without sign-in accounts unless asked). `detail` is kept small: the board never reads it
(except a fund's ledger, which is written in full), so seeded items are not for the detail pages.

Deterministic for a given `seed` and `now`. Rows are written with SQLAlchemy Core executemany in
transactions of about 5,000 items.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/seed_board.py` as well as `python -m bench.seed_board`
    sys.path.insert(0, str(ROOT))

from domain.board import milestone_kinds  # noqa: E402
from domain.parties import Person, Role  # noqa: E402
from domain.reference import COUNTRIES  # noqa: E402
from store.db import reading, transaction  # noqa: E402
from store.directory import DirectoryFile, read_directory, upsert_organisation, upsert_person  # noqa: E402
from store.models import (  # noqa: E402
    DocumentRow,
    EventRow,
    FundRow,
    ItemPartyRow,
    ItemRow,
    MilestoneRow,
    PaymentRow,
    StepAwaitRow,
    StepRow,
)

DEMO_DIRECTORY = ROOT / "demo" / "directory.yaml"
DEMO_FUND = ROOT / "demo" / "grants" / "fund-2026.yaml"
BATCH_ITEMS = 5_000
SPAN_DAYS = 730

ITEM = ItemRow.__table__
PARTY = ItemPartyRow.__table__
STEP = StepRow.__table__
AWAIT = StepAwaitRow.__table__
EVENT = EventRow.__table__
MILESTONE = MilestoneRow.__table__
DOCUMENT = DocumentRow.__table__
PAYMENT = PaymentRow.__table__
FUND = FundRow.__table__
TABLES = ("item", "item_party", "step", "step_await", "event", "item_milestone", "document", "payment", "fund")

# Share of the items per lifecycle (the rest of the rounding goes to releases).
SHARES = {"agreements": 0.15, "programs": 0.45, "grants": 0.15, "releases": 0.25}
STALL = 0.006  # chance that an item stops at any wait and waits there for good
HOLD_UP = 0.05  # chance that a wait takes many times longer than usual (a party that does not answer)
MILESTONES = milestone_kinds()


class NotEmpty(RuntimeError):
    """The read model already has items (pass append=True to add more)."""


# ---------------------------------------------------------------- names

GIVEN = {
    "KR": ["Min-ji", "Ji-woo", "Seo-yeon", "Ha-neul", "Do-yun", "Ye-jin", "Jun-ho", "Su-bin", "Hyun-woo", "Da-eun"],
    "CN": ["Wei", "Fang", "Lei", "Jing", "Hao", "Xin", "Yan", "Tao", "Mei", "Bo"],
    "RU": ["Anna", "Dmitry", "Elena", "Ivan", "Olga", "Sergey", "Maria", "Pavel", "Irina", "Alexei"],
}
FAMILY = {
    "KR": ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"],
    "CN": ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu"],
    "RU": ["Ivanova", "Smirnov", "Kuznetsova", "Popov", "Volkova", "Sokolov", "Morozova", "Petrov", "Orlova", "Pavlov"],
}
FILM_FIRST = ["The Steppe", "Silk Road", "Blue Sky", "Paper Cranes", "The Falconer's", "Mountain", "Winter", "The Last",
              "River", "Desert", "Northern", "Golden", "Quiet", "Red", "Distant", "Caravan", "Harbour", "Iron", "Snow", "Lotus"]  # fmt: skip
FILM_SECOND = ["Wind", "Signals", "Herders", "Daughter", "Song", "Lights", "Road", "Garden", "Horizon", "Crossing",
               "Letters", "Bridge", "Children", "Festival", "Dreams", "Echoes", "Stars", "Orchard", "Market", "Voyage"]  # fmt: skip
FESTIVALS = [("sco", "SCO Film Festival", "Qingdao", "CN"), ("eurasia-doc", "Eurasian Documentary Days", "Almaty", "KZ"),
             ("youth", "SCO Youth Film Forum", "Tashkent", "UZ"), ("animation", "Silk Road Animation Festival", "Busan", "KR"),
             ("neva", "Neva Film Forum", "Saint Petersburg", "RU"), ("pamir", "Pamir Mountain Film Festival", "Dushanbe", "TJ")]  # fmt: skip
PROGRAMS = [  # id, home, partner, title, ministry authorization (the home ministry's)
    ("kafa-vgik-film-ai", "kafa", "vgik", "Film Production and AI Technology", True),
    ("kafa-bfa-animation", "kafa", "bfa", "Animation and Visual Effects", True),
    ("vgik-kafa-screenwriting", "vgik", "kafa", "Screenwriting", False),
    ("bfa-vgik-cinematography", "bfa", "vgik", "Cinematography", False),
    ("bfa-kafa-documentary", "bfa", "kafa", "Documentary Film", False),
]
COURSES = [("DIR-620", "3.0"), ("VFX-630", "2.0"), ("SCR-540", "3.0"), ("CIN-510", "4.0"), ("DOC-610", "3.0"),
           ("ANI-520", "2.5"), ("SND-530", "2.0"), ("PRD-640", "3.5")]  # fmt: skip
# A release's stages: (phase while it waits, step id, step label, the event that ends the stage, mean days).
RELEASE_STAGES = [
    ("acknowledge", "acknowledge", "Acknowledge the release recommendation", "acknowledged", 12),
    ("classification", "classification", "Record the classification decision", "classified", 20),
    ("quota", "quota", "Record the import-quota exception", "quota_granted", 25),
    ("subsidy", "subsidy", "Record the dubbing or subtitling subsidy (or skip it)", "subsidy", 10),
    ("licence", "licence", "Agree a licence with a distributor", "licence_signed", 35),
    ("scheduling", "schedule", "Schedule the release", "scheduled", 14),
    ("releasing", "confirm", "Confirm the release", "released", 40),
]
RELEASE_COUNTRIES = ["CN", "RU", "KZ", "KG", "TJ", "UZ", "IN", "PK", "IR", "BY", "KR"]
TRANCHES = [("signature", "On signature", Decimal("0.40")), ("milestone", "Production milestone", Decimal("0.40")),
            ("delivery", "Delivery", Decimal("0.20"))]  # fmt: skip
FUNDS = [  # id, names.en, currency, days before now it opened, unit of amounts
    ("sco-film-fund-2025", "SCO Film Co-production Fund 2025", "USD", 735, Decimal(1000)),
    ("kofic-asia-fund-2025", "KOFIC Asia Co-production Fund 2025", "KRW", 700, Decimal(1_300_000)),
    ("sco-film-fund-2026", "SCO Film Co-production Fund 2026", "USD", 370, Decimal(1000)),
    ("sco-animation-fund-2026", "SCO Animation Development Fund 2026", "CNY", 300, Decimal(7000)),
]


def _term(moment: datetime) -> str:
    if 3 <= moment.month <= 8:
        return f"{moment.year}-spring"
    return f"{moment.year if moment.month >= 9 else moment.year - 1}-fall"


def _next_term(term: str) -> str:
    year, half = term.split("-")
    return f"{year}-fall" if half == "spring" else f"{int(year) + 1}-spring"


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


# ---------------------------------------------------------------- one item's timeline


class _Track:
    """An item moving along its lifecycle: a clock, its events and its steps (open until closed)."""

    __slots__ = ("closed_at", "events", "g", "item_id", "item_type", "open", "phase", "steps", "stopped", "t")

    def __init__(self, g: _Generator, item_id: str, item_type: str, t0: datetime, phase: str) -> None:
        self.g, self.item_id, self.item_type, self.t, self.phase = g, item_id, item_type, t0, phase
        self.events: list[dict[str, Any]] = []
        self.steps: dict[str, dict[str, Any]] = {}
        self.open: list[str] = []
        self.stopped = False
        self.closed_at: datetime | None = None

    def wait(self, mean_days: float, stall: float = STALL) -> bool:
        """Let time pass before the next event; False (the item stays where it is) when the item stalls
        here or the moment would be after now."""
        if self.stopped:
            return False
        g = self.g
        rng = g.rng
        if rng.random() < stall:
            self.stopped = True
            return False
        if stall and rng.random() < HOLD_UP:
            mean_days *= 12
        t = self.t + timedelta(days=rng.gammavariate(1.6, mean_days / 1.6) + 0.01)
        if t > g.now:
            self.stopped = True
            return False
        self.t = t
        return True

    def soon(self, minutes: float = 5) -> None:
        """A moment later (an automatic follow-up: never past now)."""
        self.t = min(self.t + timedelta(minutes=self.g.rng.uniform(0, minutes)), self.g.now)

    def event(self, kind: str, actor: tuple[str, str] | None = None, detail: str = "", phase: str | None = None,
              version_hash: str | None = None, document: str | None = None) -> None:  # fmt: skip
        self.events.append({
            "item_id": self.item_id, "seq": len(self.events) + 1, "at": self.t, "kind": kind,
            "actor_id": actor[0] if actor else None, "actor_name": actor[1] if actor else None, "detail": detail,
            "version_hash": version_hash, "document_sha256": document,
        })  # fmt: skip
        if phase is not None:
            self.phase = phase

    def open_step(self, step_id: str, kind: str, label: str, organisation_id: str | None, country: str | None,
                  awaited: list[tuple[str, str]], due_days: float, version_hash: str | None = None) -> None:  # fmt: skip
        self.steps[step_id] = {
            "item_id": self.item_id, "step_id": step_id, "item_type": self.item_type, "kind": kind, "label": label[:300],
            "organisation_id": organisation_id, "country": country, "awaited_ids": [a[0] for a in awaited],
            "awaited_names": [a[1] for a in awaited], "opened_at": self.t, "due_at": self.t + timedelta(days=due_days),
            "reminders_sent": 0, "escalation": 0, "version_hash": version_hash, "closed_at": None,
        }  # fmt: skip
        self.open.append(step_id)

    def close_step(self, step_id: str) -> None:
        if step_id in self.open:
            self.open.remove(step_id)
            self.steps[step_id]["closed_at"] = self.t

    def close_all(self) -> None:
        for step_id in list(self.open):
            self.close_step(step_id)

    def finish(self, phase: str | None = None) -> None:
        """A terminal phase: every open step leaves with it, and the item is closed now."""
        if phase is not None:
            self.phase = phase
        self.close_all()
        self.closed_at = self.t


# ---------------------------------------------------------------- the generator


class _Generator:
    def __init__(self, rng: random.Random, now: datetime, directory: DirectoryFile, serial: int,
                 funds: list[tuple[str, str, str, int, Decimal]], pay_seq: dict[int, int]) -> None:  # fmt: skip
        self.rng, self.now, self.serial = rng, now, serial
        self.orgs = {o.id: o for o in directory.organisations}
        self.by_kind: dict[str, list[str]] = defaultdict(list)
        for o in directory.organisations:
            self.by_kind[str(o.kind)].append(o.id)
        people = list(directory.people)
        self.approver = self._holders(people, Role.APPROVER)
        self.signatory = self._holders(people, Role.SIGNATORY)
        self.dept = self._holders(people, Role.DEPARTMENT_REVIEWER)
        self.registrar = self._holders(people, Role.REGISTRAR)
        self.coordinator = self._holders(people, Role.PROGRAM_COORDINATOR)
        self.ministry = self._holders(people, Role.MINISTRY_OFFICER)
        self.liaison = {g.country: (p.id, p.name) for p in people for g in p.roles if g.role is Role.LIAISON and g.country}
        self.board = [(p.id, p.name) for p in people if p.holds(Role.BOARD_MEMBER)]
        self.reviewers = [(p.id, p.name, self.orgs[p.organisation_id].country if p.organisation_id in self.orgs else "")
                          for p in people if p.holds(Role.REVIEWER)]  # fmt: skip
        self.managers = [(p.id, p.name) for p in people if p.holds(Role.FUND_MANAGER)] or [("fund-manager", "Fund manager")]
        admins = [(p.id, p.name) for p in people if p.holds(Role.ADMIN)]
        self.initiator = admins[0] if admins else ("secretariat", "Secretariat")
        self.country_body = {}  # the organisation that acts for a country in releases: its liaison's
        for p in people:
            for g in p.roles:
                if g.role is Role.LIAISON and g.country and p.organisation_id:
                    self.country_body[g.country] = p.organisation_id
        self.distributor = {self.orgs[o].country: o for o in self.by_kind["distributor"]}
        self.fund_ids = [f[0] for f in funds]
        self.fund_opened = {f[0]: now - timedelta(days=f[3]) for f in funds}
        self.fund_money = {f[0]: (f[2], f[4]) for f in funds}
        self.fund_title = {f[0]: f[1] for f in funds}
        self.pay_seq = pay_seq
        self.ledger: dict[str, list[tuple[datetime, dict[str, Any]]]] = defaultdict(list)
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.items_buffered = 0
        self.count: dict[str, int] = defaultdict(int)
        self.flushed = 0

    @staticmethod
    def _holders(people: list[Person], role: Role) -> dict[str, list[tuple[str, str]]]:
        out: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for p in people:
            for g in p.roles:
                if g.role is role:
                    org = g.organisation_id or p.organisation_id
                    if org:
                        out[org].append((p.id, p.name))
        return out

    # ------------------------------------------------------------ helpers

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def sha(self) -> str:
        return f"{self.rng.getrandbits(256):064x}"

    def name(self, org_id: str) -> str:
        return self.orgs[org_id].name()

    def who(self, table: dict[str, list[tuple[str, str]]], org_id: str) -> tuple[str, str]:
        """A person acting for an organisation (its office when the directory names nobody)."""
        people = table.get(org_id)
        if people:
            return self.rng.choice(people)
        return (f"{org_id}-office", f"{self.name(org_id)} office")

    def created(self) -> datetime:
        return self.now - timedelta(days=self.rng.uniform(0, SPAN_DAYS))

    def add_item(self, tr: _Track, *, kind: str, title: str, parties: list[tuple[str, str]], summary: dict[str, Any],
                 detail: dict[str, Any] | None = None, documents: list[dict[str, Any]] = ()) -> None:  # fmt: skip
        """Buffer an item, its parties, steps, events, milestones and documents."""
        rows = self.rows
        orgs = list(dict.fromkeys(o for o, _ in parties))
        countries = sorted({self.orgs[o].country for o in orgs})
        events = tr.events
        created_at = events[0]["at"] if events else tr.t
        updated_at = events[-1]["at"] if events else created_at
        words = [tr.item_id, title, kind, *(self.name(o) for o in orgs), *orgs]
        rows["item"].append({
            "item_id": tr.item_id, "item_type": tr.item_type, "kind": kind, "title": title[:300], "phase": tr.phase,
            "countries": countries, "organisation_ids": orgs, "summary": summary, "projected_seq": len(events),
            "created_at": created_at, "updated_at": updated_at, "closed_at": tr.closed_at, "detail": detail or {},
            "search_text": " ".join(w for w in words if w).casefold(),
        })  # fmt: skip
        seen: set[tuple[str, str]] = set()
        for org, role in parties:
            if (org, role) not in seen:
                seen.add((org, role))
                rows["item_party"].append({"item_id": tr.item_id, "organisation_id": org, "role": role,
                                           "country": self.orgs[org].country})  # fmt: skip
        now = self.now
        for s in tr.steps.values():
            end = s["closed_at"] or now
            late_days = (end - s["due_at"]).total_seconds() / 86_400
            if late_days > 0:
                s["reminders_sent"] = min(3, 1 + int(late_days // 4))
                s["escalation"] = 2 if late_days > 7 else 1
            elif (end - s["opened_at"]).days >= 7:
                s["reminders_sent"] = 1
            rows["step"].append(s)
            for pid in dict.fromkeys(s["awaited_ids"]):
                rows["step_await"].append({"item_id": tr.item_id, "step_id": s["step_id"], "person_id": pid})
        rows["event"].extend(events)
        first: dict[str, datetime] = {}
        for e in events:  # exactly as store.projections._insert_milestones: the first event of each kind
            if e["kind"] in MILESTONES and e["kind"] not in first:
                first[e["kind"]] = e["at"]
        rows["item_milestone"].extend(
            {"item_id": tr.item_id, "kind": k, "item_type": tr.item_type, "at": at} for k, at in first.items()
        )
        for d in documents:
            rows["document"].append({"item_id": tr.item_id, "version": None, "size": None, **d})
        self.items_buffered += 1
        self.count[tr.item_type] += 1

    def doc(self, kind: str, label: str, at: datetime, pages: int, size: int | None = None, version: int | None = None) -> dict[str, Any]:
        return {"sha256": self.sha(), "kind": kind, "label": label[:300], "version": version, "pages": pages, "size": size,
                "created_at": at}  # fmt: skip

    # ------------------------------------------------------------ agreements

    def agreement(self) -> None:
        rng = self.rng
        kind = rng.choices(["co_production", "licence", "grant", "university_partnership", "distribution_accession"],
                           weights=[35, 25, 15, 10, 15])[0]  # fmt: skip
        bodies = self.by_kind["film_body"] + [o for o in self.by_kind["ministry"] if o != "moe-kr"]
        if kind == "co_production":
            a = rng.choice(bodies)
            b = rng.choice([o for o in bodies if self.orgs[o].country != self.orgs[a].country])
            title = f"{COUNTRIES[self.orgs[a].country].name()}–{COUNTRIES[self.orgs[b].country].name()} Film Co-production MOU"
        elif kind == "licence":
            a, b = rng.choice(self.by_kind["producer"]), rng.choice(self.by_kind["distributor"])
            title = f"Licence: {self.film_title()} — {COUNTRIES[self.orgs[b].country].name()}"
        elif kind == "grant":
            a, b = "sco-festival" if "sco-festival" in self.orgs else rng.choice(bodies), rng.choice(self.by_kind["producer"])
            title = f"Grant agreement: {self.film_title()}"
        elif kind == "university_partnership":
            a, b = rng.sample(self.by_kind["university"], 2)
            title = f"{self.name(a)} – {self.name(b)} Film School Partnership MOU"
        else:
            a, b = "sco-festival" if "sco-festival" in self.orgs else rng.choice(bodies), rng.choice(bodies)
            title = f"SCO Film Distribution Network Accession: {self.name(b)}"
        serial = self.next_serial()
        item_id = f"agreement-{kind.replace('_', '-')}-{serial:06d}"
        tr = _Track(self, item_id, "agreement", self.created(), "draft")
        parties = [a, b]
        lang = {"KR": "ko", "CN": "zh", "RU": "ru"}.get(self.orgs[b].country, "ru")
        vh, pdf = self.sha(), self.sha()
        docs = []
        tr.event("created", self.initiator, f"{kind}: {title}", phase="draft")
        tr.soon(30)
        tr.event("version_created", self.initiator, "Version 1: Initial draft", version_hash=vh, document=pdf)
        docs.append({"sha256": pdf, "kind": "version", "label": "Version 1", "version": 1, "pages": rng.randint(3, 12),
                     "size": None, "created_at": tr.t})  # fmt: skip
        signed: list[str] = []
        executed_at: datetime | None = None
        outcome = None
        ok = self._agreement_path(tr, parties, vh, signed)
        if ok == "executed":
            executed_at = tr.t
            ex = self.sha()
            tr.event("executed", None, f"Term 1 from {tr.t.date()} to {tr.t.date().replace(year=tr.t.year + 5)}", phase="active",
                     version_hash=vh, document=ex)  # fmt: skip
            docs.append({"sha256": ex, "kind": "executed", "label": "Executed agreement (term 1)", "version": 1,
                         "pages": rng.randint(5, 16), "size": None, "created_at": tr.t})  # fmt: skip
            if rng.random() < 0.04 and tr.wait(240, stall=0):
                tr.event("termination_notice", (b, self.name(b)), "Notice of termination given", phase="terminating")
                if tr.wait(90, stall=0):
                    outcome = "Terminated by notice"
                    tr.event("terminated", None, "Terminated after the notice period", phase="terminated")
                    tr.finish()
        elif ok == "voided":
            outcome = "Withdrawn by the initiator."
        summary = {
            "version": 1, "version_hash": vh, "version_pdf_sha256": pdf, "party_names": [self.name(o) for o in parties],
            "parties_total": len(parties), "parties_signed": len(signed), "initiator": self.initiator[1],
            "languages": ["en", lang], "review_round": 1, "term_number": 1,
            "executed_at": executed_at.isoformat() if executed_at else None,
            "effective_date": executed_at.date().isoformat() if executed_at else None,
            "expiry_date": executed_at.date().replace(year=executed_at.year + 5).isoformat() if executed_at else None,
            "ends_on": None, "executed_pdf_sha256": docs[-1]["sha256"] if executed_at else None, "outcome_reason": outcome,
        }  # fmt: skip
        self.add_item(tr, kind=kind, title=title, parties=[(o, "party") for o in parties], summary=summary, documents=docs)

    def _void(self, tr: _Track) -> bool:
        """Now and then the initiator voids an agreement before it is executed."""
        if self.rng.random() < 0.012 and tr.wait(6, stall=0):
            tr.event("voided", self.initiator, "Voided: withdrawn by the initiator", phase="voided")
            tr.finish()
            return True
        return False

    def _agreement_path(self, tr: _Track, parties: list[str], vh: str, signed: list[str]) -> str:
        rng = self.rng
        if self._void(tr):
            return "voided"
        if not tr.wait(6):
            return "open"
        tr.event("review_opened", self.initiator, f"Review round 1 until {(tr.t + timedelta(days=10)):%Y-%m-%d %H:%M} UTC",
                 phase="review")  # fmt: skip
        tr.open_step("review-r1", "review", "Review version 1", None, None, [self.who(self.approver, o) for o in parties], 10, vh)
        if rng.random() < 0.5 and tr.wait(3):
            who = self.who(self.approver, rng.choice(parties))
            tr.event("commented", who, "Article 4 reads well; see the note on the committee.")
        if self._void(tr):
            return "voided"
        if not tr.wait(8):
            return "open"
        tr.close_step("review-r1")
        tr.event("review_closed", self.initiator, "Review round 1 closed", phase="approval")
        for o in parties:
            tr.open_step(f"approve-{o}-v1", "approve", f"Approve version 1 for {self.name(o)}", o, self.orgs[o].country,
                         [self.who(self.approver, o)], 14, vh)  # fmt: skip
        for o in rng.sample(parties, len(parties)):
            if self._void(tr):
                return "voided"
            if not tr.wait(6):
                return "open"
            tr.close_step(f"approve-{o}-v1")
            tr.event("approved", self.steps_awaited(tr, f"approve-{o}-v1"), f"{self.name(o)} approved version 1", version_hash=vh)
        tr.event("approvals_complete", None, "Every party approved; signing is open", phase="signing", version_hash=vh)
        for o in parties:
            tr.open_step(f"sign-{o}-t1-v1", "sign", f"Sign version 1 for {self.name(o)}", o, self.orgs[o].country,
                         [self.who(self.signatory, o)], 14, vh)  # fmt: skip
        for o in rng.sample(parties, len(parties)):
            if self._void(tr):
                return "voided"
            if not tr.wait(7):
                return "open"
            tr.close_step(f"sign-{o}-t1-v1")
            signed.append(o)
            tr.event("signed", self.steps_awaited(tr, f"sign-{o}-t1-v1"), f"Signed for {self.name(o)}", version_hash=vh)
        tr.event("signatures_complete", None, "Every party has signed", phase="executing", version_hash=vh)
        tr.soon(3)
        return "executed"

    @staticmethod
    def steps_awaited(tr: _Track, step_id: str) -> tuple[str, str]:
        s = tr.steps[step_id]
        return s["awaited_ids"][0], s["awaited_names"][0]

    def film_title(self) -> str:
        return f"{self.rng.choice(FILM_FIRST)} {self.rng.choice(FILM_SECOND)}"

    # ------------------------------------------------------------ joint programs

    def student(self, transfers: int) -> None:
        rng = self.rng
        program_id, home, partner, program_title, ministry = rng.choice(PROGRAMS)
        country = self.orgs[home].country if home in self.orgs else "KR"
        given, family = rng.choice(GIVEN.get(country, GIVEN["KR"])), rng.choice(FAMILY.get(country, FAMILY["KR"]))
        serial = self.next_serial()
        student_id = f"{family}-{given}-{serial:06d}".lower()
        student_name = f"{family} {given}" if country in ("KR", "CN") else f"{given} {family}"
        student = (student_id, student_name)
        tr = _Track(self, f"student-{student_id}", "student", self.created(), "enrolled")
        tr.event("enrolled", student, f"Enrolled in “{program_title}” from {_term(tr.t)}", phase="enrolled")
        tr.soon(60)
        tr.event("term_started", None, f"Term {_term(tr.t)} started")
        docs: list[dict[str, Any]] = []
        posted_all = True
        requests: list[datetime] = []
        if tr.wait(150, stall=0.01):
            tr.event("term_abroad_added", self.who(self.coordinator, home), f"Term abroad at {self.name(partner)}", phase="abroad")
            start = tr.t
            term = _term(start)
            for k in range(transfers):  # each request after a term abroad; its own item, its own pace
                at = start + timedelta(days=110 + 180 * k + rng.uniform(0, 30))
                if at > self.now:
                    posted_all = False
                    break
                requests.append((at, term))
                term = _next_term(term)
        in_progress = 0
        posted_at: list[datetime] = []
        for at, term in requests:
            done = self.credit_transfer(student, program_id, home, partner, ministry, at, term)
            if done is None:
                posted_all = False
                in_progress += 1
            else:
                posted_at.append(done)
        # The student's own timeline hears of each request and posting (in time order).
        extra = [(at, "transfer_requested", f"Credit transfer {term} requested") for at, term in requests]
        extra += [(at, "credits_posted", "Credits posted from the partner institution") for at in posted_at]
        for at, kind, text in sorted(extra):
            tr.t = max(tr.t, at)
            tr.event(kind, None, text)
        back = tr.t + timedelta(days=rng.uniform(30, 120))
        if requests and back <= self.now and not tr.stopped:
            tr.t = back
            tr.event("term_started", None, f"Term {_term(tr.t)} started at {self.name(home)}", phase="enrolled")
        complete = False
        if posted_all and not tr.stopped and tr.wait(200 if requests else 500, stall=0.05):
            for org in (home, partner):
                tr.event("thesis", self.who(self.coordinator, home), f"Thesis at {self.name(org)}: approved")
                tr.soon(600)
            tr.event("degrees_complete", None, "Every degree's requirements are met", phase="complete")
            tr.finish()
            complete = True
            tr.soon(600)
            tr.event("documents_issued", None, "Joint transcript and dual-degree certificate issued")
            docs.append(self.doc("transcript", f"Official joint transcript — {student_name}", tr.t, 4, 39_000 + rng.randint(0, 2000)))
            docs.append(self.doc("certificate", f"Dual-degree certificate — {student_name}", tr.t, 1, 23_000 + rng.randint(0, 2000)))
        elif tr.phase == "abroad" and not tr.stopped and tr.wait(60, stall=0):
            tr.event("term_started", None, f"Term {_term(tr.t)} started at {self.name(home)}", phase="enrolled")
        share = 100.0 if complete else min(95.0, round(len(posted_at) * 25.0 + rng.uniform(0, 30), 1))
        projected = _term(tr.t + timedelta(days=365))
        summary = {
            "student_id": student_id, "student_name": student_name, "program_id": program_id, "home_institution_id": home,
            "degrees": {org: {"percent": f"{share:.1f}", "projected_completion_term": projected, "met": complete}
                        for org in (home, partner)},
            "transfers_in_progress": in_progress,
        }  # fmt: skip
        self.add_item(tr, kind=program_id, title=f"{student_name} — {program_title}", summary=summary, documents=docs,
                      parties=[(home, "home"), (partner, "partner")])  # fmt: skip

    def credit_transfer(self, student: tuple[str, str], program_id: str, home: str, partner: str, ministry: bool,
                        at: datetime, term: str) -> datetime | None:  # fmt: skip
        """A credit-transfer request from `at` for a term abroad; when its credits were posted (None: under way)."""
        rng = self.rng
        student_id, student_name = student
        tr = _Track(self, f"credit-transfer-{student_id}-{term}", "credit_transfer", at, "department")
        courses = rng.sample(COURSES, rng.choice([1, 2, 2]))
        requested = sum(Decimal(c) for _, c in courses)
        tr.event("requested", student, f"{len(courses)} courses taken at {self.name(partner)} in {term}", phase="department")
        tr.event("prechecked", None, f"{len(courses)} of {len(courses)} courses checked against the equivalency table")
        docs = [self.doc("learning_agreement", "Learning agreement r0", tr.t, rng.randint(1, 2), 27_000 + rng.randint(0, 2000))]
        dept = self.who(self.dept, home)
        home_country, partner_country = self.orgs[home].country, self.orgs[partner].country
        for code, _ in courses:
            tr.open_step(f"department-{code.lower()}", "decide", f"Decide on {code}", home, home_country, [dept], 7)
        approved: Decimal = Decimal(0)
        n_approved = n_rejected = 0
        pending = len(courses)
        posted = None
        result = None
        if len(courses) == 1 and rng.random() < 0.15 and tr.wait(4):
            code = courses[0][0]
            tr.event("information_requested", dept, f"The department asks about {code}")
            tr.open_step(f"info-{code.lower()}", "answer", f"Answer the department's question on {code}", home, home_country,
                         [student, self.who(self.coordinator, home)], 7)  # fmt: skip
            if tr.wait(5):
                tr.close_step(f"info-{code.lower()}")
                tr.event("information_provided", student, f"Syllabus for {code} attached")
        stage = "department"
        for code, credits in courses:
            if not tr.wait(6):
                break
            tr.close_step(f"department-{code.lower()}")
            pending -= 1
            if rng.random() < 0.85:
                n_approved += 1
                approved += Decimal(credits)
                tr.event("course_decided", dept, f"{code}: approve")
            else:
                n_rejected += 1
                tr.event("course_decided", dept, f"{code}: reject — learning outcomes differ")
        else:
            stage = "decided"
        if stage == "decided":
            tr.event("department_decided", None, f"Every course decided: {n_approved} approved, {n_rejected} rejected",
                     phase="home_registrar")  # fmt: skip
            reg = self.who(self.registrar, home)
            tr.open_step("home-registrar-r1", "approve", "Approve the department's decisions", home, home_country, [reg], 7)
            if tr.wait(5):
                tr.close_step("home-registrar-r1")
                tr.event("registrar_approved", reg, "The home registrar approved the department's decisions",
                         phase="partner_registrar")  # fmt: skip
                preg = self.who(self.registrar, partner)
                tr.open_step("partner-registrar", "confirm", f"Confirm the grades taken at {self.name(partner)}", partner,
                             partner_country, [preg], 10)  # fmt: skip
                if tr.wait(8):
                    tr.close_step("partner-registrar")
                    tr.event("grades_confirmed", preg, "The partner's registrar confirmed the grades")
                    ok = True
                    officer_org = "moe-kr" if "moe-kr" in self.orgs else home
                    if ministry:
                        tr.phase = "ministry"
                        officer = self.who(self.ministry, officer_org)
                        tr.open_step("ministry", "authorize", "Authorize the credit transfer", officer_org,
                                     self.orgs[officer_org].country, [officer], 14)  # fmt: skip
                        ok = tr.wait(9)
                        if ok:
                            tr.close_step("ministry")
                            tr.event("authorized", officer, "The ministry authorized the transfer")
                    if ok:
                        tr.soon(2)
                        tr.event("credits_posted", None, f"{n_approved} courses, {approved} credits posted at {self.name(home)}",
                                 phase="posted")  # fmt: skip
                        tr.finish()
                        posted = approved
                        result = tr.t
        summary = {
            "student_id": student_id, "student_name": student_name, "program_id": program_id, "term": term,
            "courses": len(courses), "approved": n_approved, "rejected": n_rejected, "pending": pending,
            "credits_requested": str(requested), "credits_approved": str(approved if stage == "decided" else Decimal(0)),
            "credits_posted": str(posted) if posted is not None else "0",
        }  # fmt: skip
        self.add_item(tr, kind=term, title=f"Credit transfer {term}: {student_name}, {self.name(partner)}", summary=summary,
                      parties=[(home, "home"), (partner, "partner")], documents=docs)  # fmt: skip
        return result

    # ------------------------------------------------------------ co-production fund

    def application(self, room_for_grant: bool) -> None:
        """An application to one of the funds open at its submission; the grant too once awarded."""
        rng = self.rng
        t0 = self.created()
        open_funds = [f for f in self.fund_ids if self.fund_opened[f] <= t0] or self.fund_ids[:1]
        fund_id = rng.choice(open_funds)
        currency, unit = self.fund_money[fund_id]
        lead, co = rng.sample(self.by_kind["producer"], 2)
        while self.orgs[co].country == self.orgs[lead].country:
            co = rng.choice(self.by_kind["producer"])
        serial = self.next_serial()
        lead_cc, co_cc = self.orgs[lead].country, self.orgs[co].country
        app_id = f"{lead_cc.lower()}-{co_cc.lower()}-{serial:06d}"
        project = self.film_title()
        track = rng.choices(["main", "pitching"], weights=[80, 20])[0]
        call_id = _call_id(fund_id, track)
        requested = unit * rng.randint(20, 150)
        tr = _Track(self, f"application-{app_id}", "grant_application", t0, "submitted")
        contact = self.who(self.approver, lead)
        tr.event("submitted", contact, f"“{project}”: {_money(requested)} {currency} requested, team from {lead_cc}, {co_cc}")
        manager = rng.choice(self.managers)
        docs: list[dict[str, Any]] = []
        score = award = None
        reviews_done = reviews = votes = 0
        if rng.random() < 0.08:
            tr.event("ineligible", None, "A single country: the call needs at least two", phase="rejected")
            tr.finish()
            docs.append(self.doc("rejection_letter", f"Rejection letter — {project}", tr.t, 1, 18_500 + rng.randint(0, 500)))
        else:
            tr.event("eligible", None, "Every eligibility rule of the call is met", phase="screening")
            tr.open_step("screen", "screen", "Screen the application", None, None, [manager], 14)
            score, award, reviews_done, reviews, votes = self._review(tr, manager, lead_cc, co_cc, requested, project, docs)
        summary = {
            "application_id": app_id, "call_id": call_id, "fund_id": fund_id, "track": track, "project": project,
            "lead": self.name(lead), "lead_country": lead_cc, "countries": sorted({lead_cc, co_cc}),
            "requested": _money(requested), "currency": currency, "score": score, "bonus": "0", "priorities": [],
            "reviews_done": reviews_done, "reviews_assigned": reviews, "votes": votes,
            "award_amount": _money(award) if award is not None else None, "submitted_at": t0.isoformat(),
        }  # fmt: skip
        self.add_item(tr, kind=call_id, title=f"Application {app_id}: {project}", summary=summary, documents=docs,
                      parties=[(lead, "lead"), (co, "co_producer")])  # fmt: skip
        if award is not None:
            self.ledger[fund_id].append((tr.t, {"kind": "commit", "award_id": app_id, "tranche_id": None, "amount": award,
                                                "committed": award, "released": Decimal(0)}))  # fmt: skip
            if room_for_grant:
                self.grant(app_id, fund_id, call_id, project, lead, co, award, tr.t, contact, manager)

    def _review(self, tr: _Track, manager: tuple[str, str], lead_cc: str, co_cc: str, requested: Decimal, project: str,
                docs: list[dict[str, Any]]) -> tuple[str | None, Decimal | None, int, int, int]:  # fmt: skip
        rng = self.rng
        if not tr.wait(8):
            return None, None, 0, 0, 0
        tr.close_step("screen")
        if rng.random() < 0.12:
            tr.event("screened_out", manager, "Screened out: outside the call's scope", phase="rejected")
            tr.finish()
            docs.append(self.doc("rejection_letter", f"Rejection letter — {project}", tr.t, 1, 18_500 + rng.randint(0, 500)))
            return None, None, 0, 0, 0
        tr.event("screened", manager, "Passed to the panel: complete and within the call's rules")
        pool = [r for r in self.reviewers if r[2] not in (lead_cc, co_cc)] or self.reviewers
        panel = rng.sample(pool, min(2, len(pool)))
        tr.event("panel_assigned", None, f"{len(panel)} reviewers assigned", phase="review")
        for rid, rname, _ in panel:
            tr.open_step(f"score-{rid}", "score", "Score the application", None, None, [(rid, rname)], 21)
        scores = []
        for rid, rname, _ in rng.sample(panel, len(panel)):
            if not tr.wait(10):
                return None, None, len(scores), len(panel), 0
            tr.close_step(f"score-{rid}")
            s = round(rng.uniform(40, 95), 2)
            scores.append(s)
            tr.event("scored", (rid, rname), f"Weighted score {s:.2f} of 100")
        score = f"{sum(scores) / len(scores):.2f}"
        tr.event("reviewed", None, f"Panel score {score} of 100 from {len(scores)} reviews", phase="board")
        tr.open_step("board-vote", "vote", "Vote on the award", None, None, list(self.board), 14)
        voters = rng.sample(self.board, min(2, len(self.board)))
        for i, member in enumerate(voters):
            if not tr.wait(5):
                return score, None, len(scores), len(panel), i
            tr.event("voted", member, "approve" if float(score) >= 60 else "reject")
        tr.close_step("board-vote")
        if float(score) >= 60 and rng.random() < 0.8:
            award = requested if rng.random() < 0.7 else (requested * Decimal("0.8")).quantize(Decimal("0.01"))
            tr.event("board_decided", None, f"Awarded {_money(award)}: {len(voters)} approve (quorum 2)")
            tr.soon(600)
            letter = self.doc("award_letter", f"Award letter — {project}", tr.t, 1, 18_900 + rng.randint(0, 500))
            tr.event("award_letter", None, f"Award letter — {project}", document=letter["sha256"])
            docs.append(letter)
            tr.event("awarded", None, f"{_money(award)} awarded to “{project}”", phase="awarded")
            tr.finish()
            return score, award, len(scores), len(panel), len(voters)
        tr.event("board_decided", None, f"Refused: {len(voters)} reject (quorum 2)", phase="rejected")
        tr.finish()
        docs.append(self.doc("rejection_letter", f"Rejection letter — {project}", tr.t, 1, 18_500 + rng.randint(0, 500)))
        return score, None, len(scores), len(panel), len(voters)

    def grant(self, app_id: str, fund_id: str, call_id: str, project: str, lead: str, co: str, amount: Decimal,
              t0: datetime, contact: tuple[str, str], manager: tuple[str, str]) -> None:  # fmt: skip
        currency, _ = self.fund_money[fund_id]
        item_id = f"grant-{app_id}"
        tr = _Track(self, item_id, "grant", t0, "agreement")
        tr.soon(10)
        tr.event("agreement_started", None, f"Grant agreement {item_id} sent for review and signature")
        docs: list[dict[str, Any]] = []
        paid = Decimal(0)
        tranches = [{"id": tid, "label": label, "amount": _money(amount * share), "status": "awaiting_report", "due_on": None}
                    for tid, label, share in TRANCHES]  # fmt: skip
        if tr.wait(30):
            tr.event("agreement_executed", None, f"Grant agreement executed on {tr.t.date()}", phase="active")
            for i, (tid, label, share) in enumerate(TRANCHES):
                tranche = tranches[i]
                tranche["due_on"] = (tr.t.date() + timedelta(days=180 * i)).isoformat()
                if i > 0:  # later tranches follow a report: submitted by the producer, reviewed by the fund manager
                    sub, rev = f"report-{tid}", f"review-{tid}"
                    tr.open_step(sub, "report", f"Submit the {label.lower()} report ({label})", lead, self.orgs[lead].country,
                                 [contact], 180)  # fmt: skip
                    if not tr.wait(150):
                        break
                    tr.close_step(sub)
                    tranche["status"] = "report_submitted"
                    tr.event("report_submitted", contact, f"{label.lower()} report submitted")
                    tr.open_step(rev, "report", f"Review the {label.lower()} report ({label})", None, None, [manager], 14)
                    if not tr.wait(10):
                        break
                    tr.close_step(rev)
                tr.soon(30)
                value = (amount * share).quantize(Decimal("0.01"))
                reference = self.payment(item_id, app_id, fund_id, tid, value, currency, tr.t)
                tr.event("tranche_paid", None, f"{label}: {_money(value)} {currency}, instruction {reference}")
                docs.append(self.doc("payment_instruction", f"Payment instruction {reference}", tr.t, 1))
                tranche["status"] = "paid"
                paid += value
                self.ledger[fund_id].append((tr.t, {"kind": "release", "award_id": app_id, "tranche_id": tid, "amount": value,
                                                    "committed": Decimal(0), "released": value}))  # fmt: skip
            else:
                tr.phase = "closeout"
                if tr.wait(20):
                    tr.event("closed", None, "Every tranche settled; the grant is closed", phase="closed")
                    tr.finish()
        summary = {
            "application_id": app_id, "call_id": call_id, "fund_id": fund_id, "project": project, "lead": self.name(lead),
            "lead_country": self.orgs[lead].country, "currency": currency, "amount": _money(amount), "paid": _money(paid),
            "clawed_back": "0", "tranches": tranches, "agreement_phase": "active" if tr.phase != "agreement" else "signing",
        }  # fmt: skip
        self.add_item(tr, kind=call_id, title=f"Grant {app_id}: {project}", summary=summary, documents=docs,
                      parties=[(lead, "lead"), (co, "co_producer")])  # fmt: skip

    def payment(self, grant_id: str, app_id: str, fund_id: str, tranche: str, amount: Decimal, currency: str, at: datetime) -> str:
        seq = self.pay_seq[at.year] = self.pay_seq.get(at.year, 0) + 1
        reference = f"PAY-{at.year}-{seq:06d}"
        self.rows["payment"].append({
            "key": f"{grant_id}/{tranche}", "reference": reference, "year": at.year, "seq": seq, "fund_id": fund_id,
            "award_id": app_id, "tranche_id": tranche, "application_id": app_id, "amount": _money(amount), "currency": currency,
            "status": "issued", "pdf_sha256": self.sha(), "pages": 1, "issued_at": at,
        })  # fmt: skip
        return reference

    def fund_items(self, definitions: dict[str, dict[str, Any]]) -> None:
        """The funds, last: their ledgers hold every commitment and payment of the seeded grants."""
        for fund_id in self.fund_ids:
            currency, unit = self.fund_money[fund_id]
            entries = sorted(self.ledger[fund_id], key=lambda e: e[0])
            committed = sum((e["committed"] for _, e in entries), Decimal(0))
            released = sum((e["released"] for _, e in entries), Decimal(0))
            step = unit * 1000
            budget = max(step, (committed * Decimal("1.25") / step).to_integral_value(rounding="ROUND_CEILING") * step)
            title = self.fund_title[fund_id]
            tr = _Track(self, f"fund-{fund_id}", "fund", self.fund_opened[fund_id], "open")
            tr.event("opened", None, f"Budget {_money(budget)} {currency}")
            ledger = []
            for i, (at, e) in enumerate(entries, start=1):
                tr.t = at
                amount = _money(e["amount"])
                what = "committed to" if e["kind"] == "commit" else f"released (tranche {e['tranche_id']}) for"
                tr.event(e["kind"], None, f"{amount} {currency} {what} {e['award_id']}")
                ledger.append({"seq": i, "kind": e["kind"], "award_id": e["award_id"], "tranche_id": e["tranche_id"],
                               "reference": None, "amount": amount, "committed_change": _money(e["committed"]),
                               "released_change": _money(e["released"]), "reason": ""})  # fmt: skip
            definition = definitions.get(fund_id, {})
            fund = definition.get("fund") or {"id": fund_id, "names": {"en": title}, "currency": currency}
            fund = {**fund, "budget": _money(budget)}
            summary = {"currency": currency, "budget": _money(budget), "committed": _money(committed),
                       "released": _money(released), "remaining": _money(budget - committed),
                       "outstanding": _money(committed - released), "clawed_back": "0"}  # fmt: skip
            detail = {"fund": fund, "ledger": {"fund_id": fund_id, "currency": currency, "budget": _money(budget), "entries": ledger}}
            self.add_item(tr, kind=currency, title=title, parties=[], summary=summary, detail=detail)
            if definition:
                definition["fund"] = fund
                self.rows["fund"].append({"id": fund_id, "title": title, "definition": definition, "updated_at": self.now})

    # ------------------------------------------------------------ award to release

    def festival(self, budget: int) -> None:
        """A festival edition, its awarded films, each film's rights and its releases: `budget` items in all."""
        rng = self.rng
        serial = self.next_serial()
        key, name, city, _ = rng.choice(FESTIVALS)
        opens = self.now - timedelta(days=rng.uniform(20, SPAN_DAYS))
        edition = f"{key}-{opens.year}-{serial:06d}"
        tr = _Track(self, f"festival-{edition}", "festival", opens, "open")
        tr.event("opened", None, f"{name} {opens.year}, {city}")
        left = budget - 1
        films = recommended = 0
        film_units = []
        while left > 0:
            tr.t = min(tr.t + timedelta(hours=rng.uniform(0, 3)), self.now)
            films += 1
            origin = rng.choice([c for c in RELEASE_COUNTRIES if c in self.country_body] or ["KR"])
            targets = [c for c in RELEASE_COUNTRIES if c != origin and c in self.country_body]
            n = min(rng.randint(max(1, len(targets) - 4), len(targets)), left - 1)
            tr.event("award", (self.initiator[0], self.initiator[1]), "Best film" if films == 1 else "Jury award")
            if n > 0:
                tr.event("recommended", None, f"Recommended to {n} countries")
                recommended += 1
            film_units.append((tr.t, origin, rng.sample(targets, n) if n > 0 else []))
            left -= 1 + n
        for at, origin, countries in film_units:
            self.film(edition, at, origin, countries)
        tr.phase = "closed" if tr.t < self.now - timedelta(days=30) else "open"
        summary = {"films": films, "awards": films, "recommended": recommended}
        self.add_item(tr, kind=str(opens.year), title=f"{name} {opens.year}, {city}", parties=[], summary=summary)

    def film(self, edition: str, at: datetime, origin: str, countries: list[str]) -> None:
        rng = self.rng
        serial = self.next_serial()
        film_id = f"film-{serial:06d}"
        title = self.film_title()
        holders = [o for o in self.by_kind["producer"] if self.orgs[o].country == origin] or [self.country_body.get(origin, "")]
        holder = rng.choice([h for h in holders if h] or self.by_kind["producer"])
        deals: list[tuple[datetime, str]] = []
        for country in countries:
            deal = self.release(film_id, title, edition, holder, origin, country, at)
            if deal is not None:
                deals.append(deal)
        tr = _Track(self, f"rights-{film_id}", "film_rights", at, "open")
        tr.event("film_registered", None, f"“{title}” registered with its rights holder")
        for when, country in sorted(deals):
            tr.t = max(tr.t, when)
            tr.event("reserved", None, f"Rights reserved for {country}")
        self.add_item(tr, kind=film_id, title=title, parties=[], summary={"deals": len(deals)})

    def release(self, film_id: str, film: str, edition: str, holder: str, origin: str, country: str,
                at: datetime) -> tuple[datetime, str] | None:  # fmt: skip
        rng = self.rng
        item_id = f"release-{film_id}-{country.lower()}"
        tr = _Track(self, item_id, "country_release", at, "acknowledge")
        tr.soon(20)
        liaison = self.liaison.get(country, (f"{country.lower()}-liaison", f"Liaison for {country}"))
        body = self.country_body[country]
        tr.event("recommended", None, f"“{film}” is recommended for release in {country}", phase="acknowledge")
        letter = self.doc("recommendation_letter", f"Recommendation letter — {film} ({country})", tr.t, 2, 33_000 + rng.randint(0, 2000))
        parties = [(holder, "rights_holder"), (body, "release_country")]
        rating = licensee = release_on = released_on = platform = None
        deal = None
        for phase, step_id, label, done, mean in RELEASE_STAGES:
            if phase == "quota" and country != "CN":
                continue
            tr.phase = phase
            tr.open_step(step_id, "release", label, None, country, [liaison], 14)
            if phase == "acknowledge" and rng.random() < 0.06:
                if tr.wait(10, stall=0):
                    tr.close_step(step_id)
                    tr.event("declined", liaison, "Declined: the schedule is full this year", phase="declined")
                    tr.finish()
                break
            if phase == "licence":
                if not tr.wait(mean / 3):
                    break
                distributor = self.distributor.get(country, body)
                licensee = self.name(distributor)
                tr.event("licence_proposed", liaison, f"Licence with {licensee}: theatrical")
                deal = (tr.t, country)
                parties.append((distributor, "licensee"))
            if not tr.wait(mean):
                break
            tr.close_step(step_id)
            if phase in ("classification", "quota") and rng.random() < 0.05:
                tr.event("classification_refused" if phase == "classification" else "quota_refused", liaison,
                         "Refused by the classification board", phase="refused")  # fmt: skip
                tr.finish()
                break
            if phase == "classification":
                rating = rng.choice(["ALL", "12+", "15+", "18+", "approved"])
                tr.event(done, liaison, f"Rated {rating}")
            elif phase == "subsidy":
                tr.event(done, liaison, rng.choice(["skipped", "granted"]))
            elif phase == "scheduling":
                release_on = (tr.t + timedelta(days=rng.uniform(10, 40))).date()
                platform = rng.choice(["cinemas", "streaming", "cinemas and streaming"])
                tr.event(done, liaison, f"Release on {release_on} on {platform}")
            elif phase == "releasing":
                released_on = min(release_on or tr.t.date(), tr.t.date())
                tr.event(done, liaison, f"Released on {released_on} on {platform}", phase="released")
                tr.finish()
            else:
                tr.event(done, liaison if phase != "licence" else None,
                         "Received; we take it to classification." if phase == "acknowledge" else "")  # fmt: skip
        summary = {
            "film_id": film_id, "film": film, "country": country, "origin_countries": [origin], "edition_id": edition,
            "stage": tr.phase, "rating": rating, "licensee": licensee,
            "release_on": release_on.isoformat() if release_on else None,
            "released_on": released_on.isoformat() if released_on else None, "platform": platform, "abroad": True,
        }  # fmt: skip
        self.add_item(tr, kind=country, title=f"{film} in {country}", parties=parties, summary=summary, documents=[letter])
        return deal

    # ------------------------------------------------------------ the whole network

    def plan(self, items: int, definitions: dict[str, dict[str, Any]], flush: Any) -> None:
        rng = self.rng
        quota = {k: int(items * share) for k, share in SHARES.items()}
        quota["releases"] += items - sum(quota.values())
        n_funds = len(self.fund_ids)
        if quota["grants"] < n_funds + 1:  # too few items for a fund round: give them to agreements
            quota["agreements"] += quota["grants"]
            quota["grants"] = 0
            self.fund_ids = []
        # agreements
        for _ in range(quota["agreements"]):
            self.agreement()
            flush()
        # joint programs: a student and 0–2 credit transfers
        left = quota["programs"]
        while left > 0:
            k = min(rng.choices([0, 1, 2], weights=[20, 35, 45])[0], left - 1)
            before = self.items_buffered + self.flushed
            self.student(k)
            left -= self.items_buffered + self.flushed - before
            flush()
        # the co-production fund: applications (and the grants of awarded ones), then the funds
        if self.fund_ids:
            left = quota["grants"] - len(self.fund_ids)
            while left > 0:
                before = self.items_buffered + self.flushed
                self.application(room_for_grant=left >= 2)
                left -= self.items_buffered + self.flushed - before
                flush()
            self.fund_items(definitions)
            flush()
        # award to release: festivals, each with films, their rights and releases
        left = quota["releases"]
        n_festivals = max(1, left // 1000) if left >= 3 else 0
        for i in range(n_festivals):
            share = left // (n_festivals - i)
            self.festival(share)
            left -= share
            flush()
        for _ in range(left):  # a release budget too small for a festival: agreements instead
            self.agreement()
        flush(force=True)


# ---------------------------------------------------------------- writing


_TABLES = {"item": ITEM, "item_party": PARTY, "step": STEP, "step_await": AWAIT, "event": EVENT, "item_milestone": MILESTONE,
           "document": DOCUMENT, "payment": PAYMENT, "fund": FUND}  # fmt: skip


def _insert(conn: Connection, name: str, rows: list[dict[str, Any]]) -> None:
    table = _TABLES[name]
    for i in range(0, len(rows), BATCH_ITEMS):
        conn.execute(table.insert(), rows[i : i + BATCH_ITEMS])


def _upsert_directory(engine: Engine, directory: DirectoryFile) -> None:
    """The directory's organisations and people (no accounts: hashing passwords is slow and not needed)."""
    for org in directory.organisations:
        upsert_organisation(engine, org)
    for person in directory.people:
        upsert_person(engine, person)


def _fund_definitions(engine: Engine, funds: list[tuple[str, str, str, int, Decimal]], now: datetime) -> dict[str, dict[str, Any]]:
    """Fund definitions shaped like the demo fund's (its calls, people and party), for the fund table."""
    try:
        from services.grants import FundDefinition, build_fund, read_fund_file

        base = build_fund(engine, read_fund_file(DEMO_FUND)).model_dump(mode="json")
    except Exception as e:  # noqa: BLE001 - the fund table is a nicety: the board reads the fund items
        print(f"seed_board: no fund definitions ({e.__class__.__name__}: {e})", file=sys.stderr)
        return {}
    out = {}
    for fund_id, title, currency, days, unit in funds:
        d = json.loads(json.dumps(base))
        year = (now - timedelta(days=days)).year
        scale = unit / Decimal(1000)  # the demo fund's amounts are in USD
        d["fund"].update({"id": fund_id, "names": {"en": title}, "currency": currency})
        for call in d["calls"]:
            call.update({"id": _call_id(fund_id, call["track"]), "fund_id": fund_id, "currency": currency,
                         "title": {"en": f"{title}: {call['track']} call"}, "opens_on": date(year, 1, 1).isoformat(),
                         "closes_on": date(year + 1, 12, 31).isoformat()})  # fmt: skip
            for key in ("max_amount", "max_budget_total"):
                if call.get(key):
                    call[key] = _money(Decimal(call[key]) * scale)
        try:
            out[fund_id] = FundDefinition.model_validate(d).model_dump(mode="json")
        except ValueError as e:
            print(f"seed_board: no fund definition for {fund_id} ({e})", file=sys.stderr)
    return out


def _call_id(fund_id: str, track: str) -> str:
    return f"{'main' if track == 'main' else 'pitch'}-{fund_id}"


def seed(engine: Engine, items: int = 100_000, seed: int = 7, now: datetime | None = None, *, append: bool = False,
         directory: Path = DEMO_DIRECTORY, progress: bool = False) -> dict[str, int]:  # fmt: skip
    """Write `items` items (and everything hanging off them) into the read model; rows written per table.

    Refuses (`NotEmpty`) when the item table already has rows, unless `append`. The directory's
    organisations and people are upserted first. Deterministic for a given `seed` and `now`.
    """
    if items < 1:
        raise ValueError("items must be at least 1")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    with reading(engine) as conn:
        existing = conn.execute(select(func.count()).select_from(ITEM)).scalar_one()
        if existing and not append:
            raise NotEmpty(
                f"the read model already has {existing:,} items: seed an empty database, or pass --append to add to it"
            )
        have_funds = set(conn.execute(select(FUND.c.id)).scalars())
        pay_seq = {int(y): int(s) for y, s in conn.execute(select(PAYMENT.c.year, func.max(PAYMENT.c.seq)).group_by(PAYMENT.c.year))}
        have_items = set(conn.execute(select(ITEM.c.item_id).where(ITEM.c.item_type == "fund")).scalars()) if existing else set()
    dir_file = read_directory(directory)
    _upsert_directory(engine, dir_file)
    rng = random.Random(seed)
    funds = []
    for fund_id, title, currency, days, unit in FUNDS:
        if fund_id in have_funds or f"fund-{fund_id}" in have_items:  # appending next to the same funds: new ones
            fund_id = f"{fund_id}-{existing:06d}"
        funds.append((fund_id, title, currency, days, unit))
    g = _Generator(rng, now, dir_file, existing, funds, pay_seq)
    definitions = _fund_definitions(engine, funds, now)
    written: dict[str, int] = dict.fromkeys(TABLES, 0)
    started = time.perf_counter()

    def flush(force: bool = False) -> None:
        if not (force or g.items_buffered >= BATCH_ITEMS) or not g.rows:
            return
        with transaction(engine) as conn:
            for name in TABLES:
                if g.rows.get(name):
                    _insert(conn, name, g.rows[name])
        for name in TABLES:
            written[name] += len(g.rows.get(name, ()))
        g.flushed += g.items_buffered
        g.items_buffered = 0
        g.rows = defaultdict(list)
        if progress:
            print(f"  {written['item']:>8,} items  {time.perf_counter() - started:6.1f} s", file=sys.stderr)

    g.plan(items, definitions, flush)
    return written


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed_board", description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000, help="items to write (default 100,000)")
    parser.add_argument("--database-url", help="read model URL (default: the settings' DATABASE_URL or data/helix.db)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--append", action="store_true", help="add to a read model that already has items")
    parser.add_argument("--init", action="store_true", help="create missing tables first (store.db.init_db)")
    parser.add_argument("--accounts", action="store_true", help="also load the demo directory's sign-in accounts")
    args = parser.parse_args(argv)
    from store.db import init_db, make_engine

    url = args.database_url
    if not url:
        from settings import get_settings

        url = get_settings().resolved_database_url
    engine = make_engine(url)
    if args.init:
        init_db(engine)
    started = time.perf_counter()
    try:
        counts = seed(engine, items=args.items, seed=args.seed, append=args.append, progress=True)
    except NotEmpty as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.accounts:
        from store.directory import load_directory

        load_directory(engine, DEMO_DIRECTORY)
    took = time.perf_counter() - started
    for name, n in counts.items():
        print(f"{name:<16}{n:>12,}")
    print(f"seeded {counts['item']:,} items in {took:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
