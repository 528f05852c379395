"""Example requests for every agreement kind, shared by the document tests (and nothing else)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from domain.agreements import AgreementKind, ComposeRequest, PartySpec
from domain.parties import PersonRef

CREATED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

# organisation id, country, names
ORGS: list[tuple[str, str, dict[str, str]]] = [
    (
        "kofic",
        "KR",
        {
            "en": "Korean Film Council",
            "ko": "영화진흥위원회",
            "ru": "Корейский совет по кинематографии",
            "zh": "韩国电影振兴委员会",
        },
    ),
    (
        "cfa",
        "CN",
        {
            "en": "China Film Administration",
            "ko": "중국 국가전영국",
            "ru": "Государственное управление кинематографии КНР",
            "zh": "国家电影局",
        },
    ),
    ("roskino", "RU", {"en": "Roskino", "ko": "로스키노", "ru": "Роскино", "zh": "俄罗斯电影公司"}),
    ("kazakhfilm", "KZ", {"en": "Kazakhfilm", "ko": "카자흐필름", "ru": "Казахфильм", "zh": "哈萨克电影制片厂"}),
    ("kyrgyzkino", "KG", {"en": "Kyrgyzkino", "ko": "키르기스키노", "ru": "Кыргызкино", "zh": "吉尔吉斯电影局"}),
    ("tajikfilm", "TJ", {"en": "Tajikfilm", "ko": "타지크필름", "ru": "Таджикфильм", "zh": "塔吉克电影制片厂"}),
    ("uzbekkino", "UZ", {"en": "Uzbekkino", "ko": "우즈베크키노", "ru": "Узбеккино", "zh": "乌兹别克电影局"}),
    (
        "nfdc",
        "IN",
        {
            "en": "National Film Development Corporation",
            "ko": "인도 국립영화개발공사",
            "ru": "Национальная корпорация развития кино",
            "zh": "印度国家电影发展公司",
        },
    ),
    (
        "pnca",
        "PK",
        {
            "en": "Pakistan National Council of the Arts",
            "ko": "파키스탄 국립예술위원회",
            "ru": "Национальный совет искусств Пакистана",
            "zh": "巴基斯坦国家艺术委员会",
        },
    ),
    (
        "farabi",
        "IR",
        {"en": "Farabi Cinema Foundation", "ko": "파라비 영화재단", "ru": "Фонд кино «Фараби»", "zh": "法拉比电影基金会"},
    ),
    ("belarusfilm", "BY", {"en": "Belarusfilm", "ko": "벨라루스필름", "ru": "Беларусьфильм", "zh": "白俄罗斯电影制片厂"}),
]

VARIABLES: dict[AgreementKind, dict[str, Any]] = {
    AgreementKind.UNIVERSITY_PARTNERSHIP: {
        "program_name": "Seoul–Beijing Film Academy Exchange",
        "disciplines": ["film production", "screenwriting"],
    },
    AgreementKind.CO_PRODUCTION: {"scope": "feature films and documentaries", "min_financial_share_percent": 20},
    AgreementKind.DISTRIBUTION_ACCESSION: {"festival_edition": "2026", "media": ["theatrical", "streaming"]},
    AgreementKind.GRANT: {
        "project_title": "The Silk Road Reels",
        "amount": "150000.00",
        "currency": "USD",
        "grant_ref": "SCO-CPF-2026-07",
    },
    AgreementKind.LICENCE: {
        "film_title": "Steppe Wind",
        "territory": ["KR", "KZ"],
        "media": ["streaming", "tv"],
        "term_start": "2026-05-01",
        "term_end": "2031-04-30",
        "exclusive": True,
        "fee": "25000",
        "currency": "EUR",
    },
}


def party(i: int) -> PartySpec:
    org, country, names = ORGS[i]
    person = PersonRef(
        id=f"{org}-head", name=f"Head of {names['en']}", email=f"head@{org}.example", title="Director", organisation_id=org
    )
    return PartySpec(organisation_id=org, names=names, country=country, approvers=[person], signatories=[person])


def request(kind: AgreementKind, languages: list[str], *, parties: int = 2, **changes: Any) -> ComposeRequest:
    fields: dict[str, Any] = dict(
        agreement_id=f"test-{kind.value.replace('_', '-')}",
        kind=kind,
        title=f"Example {kind.value.replace('_', ' ')}",
        languages=languages,
        variables=dict(VARIABLES[kind]),
        parties=[party(i) for i in range(parties)],
        version=1,
        author_name="Kim Ji-won",
        summary="First draft",
        created_at=CREATED,
    )
    fields.update(changes)
    return ComposeRequest(**fields)


def day(y: int, m: int, d: int) -> date:
    return date(y, m, d)
