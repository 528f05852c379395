"""The 2026 round of the SCO Film Co-production Fund, for the worked examples.

A fund of 1,000,000.00 USD from two sponsors. The main call (15 January to 31 March 2026) grants
up to 150,000.00 USD to co-productions spanning at least two eligible countries, with at least
30 % of the budget from other sources; the panel scores artistic merit (35), co-production
strength (25), feasibility (20) and audience reach (20), each from 1 to 10, and youth (+3) and
AI-assisted production (+2) earn a bonus. Grants are paid 40 % on signature, 40 % on the
production milestone report and 20 % on delivery. The pitching track at the festival in June
grants up to 20,000.00 USD for development, to projects budgeted at most 300,000.00 USD.

Applications:
- in-kz-drama       The Long Steppe, India–Kazakhstan drama (eligible)
- cn-ru-animation   Paper Cranes over the Volga, China–Russia animated feature (eligible)
- kr-uz-youth-ai    Silk Road Signals, Korea–Uzbekistan youth short made with AI tools (eligible, priorities)
- kr-solo           Harbour Lights, two Korean companies (ineligible: one country)
- kz-kg-doc         Nomads of the Tien Shan, matching funds 10 % (ineligible)
- ru-by-epic        The Fortress, asks 180,000.00 USD (ineligible: over the maximum)
- kr-mn-pitch       Blue Sky Herders, Korea–Mongolia development project at the pitching session (eligible)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from domain.grants.applications import Application
from domain.grants.board import BoardRule
from domain.grants.conflicts import Reviewer
from domain.grants.funds import Fund, GrantCall, Priority, Sponsor, Track
from domain.grants.rubric import Criterion, Rubric
from domain.grants.tranches import ReportKind, TrancheSpec, Trigger
from domain.human_steps import ReminderPolicy
from domain.parties import PersonRef

D = Decimal

FUND = Fund(
    id="sco-film-fund-2026",
    names={"en": "SCO Film Co-production Fund 2026", "ru": "Фонд копродукции кино ШОС 2026", "zh": "上合组织电影合拍基金 2026"},
    currency="USD",
    budget=D("1000000"),
    sponsors=(
        Sponsor(organisation_id="sco-film-festival", name="SCO Film Festival", contribution=D("600000")),
        Sponsor(organisation_id="kofic", name="Korean Film Council", contribution=D("400000")),
    ),
)

RUBRIC = Rubric(
    criteria=(
        Criterion(id="artistic_merit", names={"en": "Artistic merit"}, weight=D(35)),
        Criterion(id="coproduction", names={"en": "Co-production strength"}, weight=D(25)),
        Criterion(id="feasibility", names={"en": "Feasibility"}, weight=D(20)),
        Criterion(id="audience_reach", names={"en": "Audience reach"}, weight=D(20)),
    )
)

SCHEDULE = (
    TrancheSpec(id="signature", label="On signature", percent=D(40), trigger=Trigger.ON_SIGNATURE),
    TrancheSpec(
        id="milestone",
        label="Production milestone",
        percent=D(40),
        trigger=Trigger.ON_REPORT,
        report_kind=ReportKind.PRODUCTION_MILESTONE,
        due_offset_days=180,
    ),
    TrancheSpec(
        id="delivery",
        label="Delivery",
        percent=D(20),
        trigger=Trigger.ON_REPORT,
        report_kind=ReportKind.DELIVERY,
        due_offset_days=365,
    ),
)

PRIORITIES = (
    Priority(id="youth", names={"en": "Youth: a first or second film, or a team under 35"}, bonus=D(3)),
    Priority(id="ai_assisted", names={"en": "AI-assisted production"}, bonus=D(2)),
)


def main_call(**changes: Any) -> GrantCall:
    data: dict[str, Any] = {
        "id": "main-2026",
        "fund_id": FUND.id,
        "title": {"en": "Co-production grants 2026"},
        "track": Track.MAIN,
        "currency": "USD",
        "opens_on": date(2026, 1, 15),
        "closes_on": date(2026, 3, 31),
        "review_due_days": 21,
        "max_amount": D("150000"),
        "matching_share": D("0.30"),
        "priorities": PRIORITIES,
        "rubric": RUBRIC,
        "tranche_schedule": SCHEDULE,
        "board": BoardRule(quorum=4),
        "reminders": ReminderPolicy(due_days=21, first_reminder_days=7, reminder_every_days=4, max_reminders=3),
    }
    return GrantCall.model_validate({**data, **changes})


def pitch_call(**changes: Any) -> GrantCall:
    data: dict[str, Any] = {
        "id": "pitch-2026",
        "fund_id": FUND.id,
        "title": {"en": "Pitching session grants 2026"},
        "track": Track.PITCHING,
        "currency": "USD",
        "opens_on": date(2026, 6, 1),
        "closes_on": date(2026, 6, 20),
        "review_due_days": 7,
        "max_amount": D("20000"),
        "max_budget_total": D("300000"),
        "matching_share": D("0"),
        "priorities": PRIORITIES,
        "rubric": RUBRIC,
        "tranche_schedule": (
            TrancheSpec(id="signature", label="On signature", percent=D(50), trigger=Trigger.ON_SIGNATURE),
            TrancheSpec(
                id="closing",
                label="Final report",
                percent=D(50),
                trigger=Trigger.ON_REPORT,
                report_kind=ReportKind.FINAL,
                due_offset_days=120,
            ),
        ),
        "reviewers_per_application": 2,
        "board": BoardRule(quorum=3),
    }
    return GrantCall.model_validate({**data, **changes})


def company(org: str, name: str, country: str, role: str, share: str) -> dict[str, Any]:
    return {"organisation_id": org, "name": name, "country": country, "role": role, "share": share}


def contact(person_id: str, name: str, org: str) -> dict[str, Any]:
    return {"id": person_id, "name": name, "email": f"{person_id}@{org}.example", "organisation_id": org}


def line(category: str, amount: str) -> dict[str, Any]:
    return {"category": category, "amount": amount}


def source(name: str, kind: str, amount: str, confirmed: bool = True) -> dict[str, Any]:
    return {"name": name, "source_type": kind, "amount": amount, "confirmed": confirmed}


SCRIPT = {"name": "script.pdf", "sha256": "a" * 64, "size": 412_000, "media_type": "application/pdf"}
BUDGET_SHEET = {"name": "budget.xlsx", "sha256": "b" * 64, "size": 88_000,
                "media_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip

DATA: dict[str, dict[str, Any]] = {
    "in-kz-drama": {
        "id": "in-kz-drama",
        "call_id": "main-2026",
        "project": {"title": "The Long Steppe", "logline": "A Mumbai sound recordist follows a vanished song across the Kazakh steppe.",
                    "genre": "drama", "format": "feature", "runtime_minutes": 110, "languages": ["hi", "kk"]},
        "team": [
            company("mumbai-talkies", "Mumbai Talkies Pvt Ltd", "IN", "lead", "60"),
            company("kazakhfilm", "Kazakhfilm Studios", "KZ", "co_producer", "40"),
        ],
        "contact": contact("priya-nair", "Priya Nair", "mumbai-talkies"),
        "currency": "USD",
        "requested_amount": "120000",
        "budget": [line("pre_production", "60000"), line("production", "400000"), line("post_production", "140000")],
        "financing": [
            source("SCO Film Co-production Fund", "fund", "120000", confirmed=False),
            source("Mumbai Talkies equity", "own", "120000"),
            source("Kazakhfilm state support", "other", "360000"),
        ],
        "attachments": [SCRIPT, BUDGET_SHEET],
    },
    "cn-ru-animation": {
        "id": "cn-ru-animation",
        "call_id": "main-2026",
        "project": {"title": "Paper Cranes over the Volga", "logline": "Two children fold a thousand cranes to bring a river spirit home.",
                    "genre": "family", "format": "animated_feature", "runtime_minutes": 90},
        "team": [
            company("shanghai-animation", "Shanghai Animation Film Studio", "CN", "lead", "55"),
            company("soyuzmultfilm", "Soyuzmultfilm", "RU", "co_producer", "45"),
        ],
        "contact": contact("zhang-min", "Zhang Min", "shanghai-animation"),
        "currency": "USD",
        "requested_amount": "150000",
        "budget": [line("animation", "900000"), line("post_production", "200000"), line("music_and_rights", "100000")],
        "financing": [
            source("SCO Film Co-production Fund", "fund", "150000", confirmed=False),
            source("Shanghai Animation equity", "own", "450000"),
            source("Russian Cinema Fund", "other", "600000"),
        ],
        "attachments": [SCRIPT],
    },
    "kr-uz-youth-ai": {
        "id": "kr-uz-youth-ai",
        "call_id": "main-2026",
        "project": {"title": "Silk Road Signals", "logline": "Teenagers in Seoul and Samarkand build a radio that talks to the past.",
                    "genre": "science fiction", "format": "short", "runtime_minutes": 25},
        "team": [
            company("seoul-youth-lab", "Seoul Youth Film Lab", "KR", "lead", "70"),
            company("uzbekkino", "Uzbekkino", "UZ", "co_producer", "30"),
        ],
        "contact": contact("han-yuna", "Han Yuna", "seoul-youth-lab"),
        "currency": "USD",
        "requested_amount": "50000",
        "budget": [line("production", "50000"), line("post_production", "30000")],
        "financing": [
            source("SCO Film Co-production Fund", "fund", "50000", confirmed=False),
            source("Seoul Youth Film Lab", "own", "10000"),
            source("KOFIC short film support", "other", "20000"),
        ],
        "priorities": ["youth", "ai_assisted"],
    },
    "kr-solo": {
        "id": "kr-solo",
        "call_id": "main-2026",
        "project": {"title": "Harbour Lights", "logline": "A Busan ferry captain's last season before the bridge opens.",
                    "genre": "drama", "format": "feature"},
        "team": [
            company("busan-pictures", "Busan Pictures", "KR", "lead", "50"),
            company("jeonju-studio", "Jeonju Studio", "KR", "co_producer", "50"),
        ],
        "contact": contact("choi-jun", "Choi Jun", "busan-pictures"),
        "currency": "USD",
        "requested_amount": "100000",
        "budget": [line("production", "500000")],
        "financing": [source("SCO Film Co-production Fund", "fund", "100000", False), source("Busan Pictures equity", "own", "400000")],
    },
    "kz-kg-doc": {
        "id": "kz-kg-doc",
        "call_id": "main-2026",
        "project": {"title": "Nomads of the Tien Shan", "logline": "A year with the last herders crossing the Tien Shan on horseback.",
                    "genre": "nature", "format": "documentary"},
        "team": [
            company("almaty-frames", "Almaty Frames", "KZ", "lead", "60"),
            company("bishkek-doc", "Bishkek Documentary", "KG", "co_producer", "40"),
        ],
        "contact": contact("asel-omarova", "Asel Omarova", "almaty-frames"),
        "currency": "USD",
        "requested_amount": "135000",
        "budget": [line("production", "110000"), line("post_production", "40000")],
        "financing": [source("SCO Film Co-production Fund", "fund", "135000", False), source("Almaty Frames", "own", "15000")],
    },
    "ru-by-epic": {
        "id": "ru-by-epic",
        "call_id": "main-2026",
        "project": {"title": "The Fortress", "logline": "The defenders of Brest Fortress hold out for a month in 1941.",
                    "genre": "war", "format": "feature"},
        "team": [
            company("mosfilm", "Mosfilm", "RU", "lead", "50"),
            company("belarusfilm", "Belarusfilm", "BY", "co_producer", "50"),
        ],
        "contact": contact("ivan-sokolov", "Ivan Sokolov", "mosfilm"),
        "currency": "USD",
        "requested_amount": "180000",
        "budget": [line("production", "700000"), line("post_production", "200000")],
        "financing": [source("SCO Film Co-production Fund", "fund", "180000", False), source("Russian Cinema Fund", "other", "720000")],
    },
    "kr-mn-pitch": {
        "id": "kr-mn-pitch",
        "call_id": "pitch-2026",
        "project": {"title": "Blue Sky Herders", "logline": "A Korean photographer and a Mongolian girl race horses and the weather.",
                    "genre": "drama", "format": "feature"},
        "team": [
            company("jeju-films", "Jeju Films", "KR", "lead", "50"),
            company("ulaanbaatar-pictures", "Ulaanbaatar Pictures", "MN", "co_producer", "50"),
        ],
        "contact": contact("oh-sena", "Oh Sena", "jeju-films"),
        "currency": "USD",
        "requested_amount": "20000",
        "budget": [line("development", "60000")],
        "financing": [source("SCO Film Co-production Fund", "fund", "20000", False), source("Jeju Films", "own", "40000")],
        "priorities": ["youth"],
    },
}  # fmt: skip

SUBMITTED = {
    "in-kz-drama": datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    "cn-ru-animation": datetime(2026, 3, 10, 14, 0, tzinfo=UTC),
    "kr-uz-youth-ai": datetime(2026, 3, 28, 23, 50, tzinfo=UTC),
    "kr-solo": datetime(2026, 2, 1, 8, 0, tzinfo=UTC),
    "kz-kg-doc": datetime(2026, 3, 30, 12, 0, tzinfo=UTC),
    "ru-by-epic": datetime(2026, 3, 31, 18, 0, tzinfo=UTC),
    "kr-mn-pitch": datetime(2026, 6, 12, 10, 0, tzinfo=UTC),
}


def application_data(key: str, **changes: Any) -> dict[str, Any]:
    return {**DATA[key], **changes}


def application(key: str, **changes: Any) -> Application:
    return Application.model_validate(application_data(key, **changes))


def reviewer(
    pid: str, name: str, country: str, org: str, *tags: str, max_load: int = 4, languages: tuple[str, ...] = ("en",)
) -> Reviewer:
    return Reviewer(
        person=PersonRef(id=pid, name=name, email=f"{pid}@{org}.example", organisation_id=org),
        country=country,
        languages=languages,
        expertise=tags,
        max_load=max_load,
    )


# Every conflict rule has a reviewer to exercise it:
#   aigerim works for Kazakhfilm (on The Long Steppe's team), arjun is Indian (its lead's country),
#   li-wei is Chinese (Paper Cranes' lead), kim-soyeon is Korean (Silk Road Signals' lead),
#   dilnoza works for Uzbekkino (on its team), bolor declares a conflict with Paper Cranes,
#   mehmet takes one application at most; olga is Russian, which is not a conflict for Paper
#   Cranes since the lead is Chinese.
POOL = (
    reviewer("aigerim", "Aigerim Sadykova", "KZ", "kazakhfilm", "drama", "feature", languages=("ru", "kk", "en")),
    reviewer("arjun", "Arjun Mehta", "IN", "nfdc-india", "drama", "documentary", languages=("hi", "en")),
    reviewer("li-wei", "Li Wei", "CN", "beijing-film-academy", "animated_feature", "family", languages=("zh", "en")),
    reviewer("olga", "Olga Petrova", "RU", "vgik", "animated_feature", "family", languages=("ru", "en")),
    reviewer("kim-soyeon", "Kim Soyeon", "KR", "knua", "short", "youth", "ai_assisted", languages=("ko", "en")),
    reviewer("dilnoza", "Dilnoza Karimova", "UZ", "uzbekkino", "short", "feature", languages=("uz", "ru", "en")),
    reviewer("bolor", "Bolormaa Batbayar", "MN", "mongol-kino", "documentary", "drama"),
    reviewer("ayesha", "Ayesha Khan", "PK", "lahore-film-school", "short", "youth", "ai_assisted", max_load=2),
    reviewer("mehmet", "Mehmet Yılmaz", "TR", "istanbul-film-festival", "feature", "drama", max_load=1),
)

DECLARED = frozenset({("bolor", "cn-ru-animation")})

BOARD = ("board-chen", "board-ivanova", "board-lee", "board-nurlanova", "board-rahimov", "board-sharma", "board-tsend")
