"""The 2026 SCO Film Festival in Qingdao and the first licences of its winners, for the worked examples.

Edition sco-2026, Qingdao (CN), 12–18 June 2026, with all four sections. The juries announced on
18 June:

- best_film               The Steppe Wind (KZ, competition)
- best_director           Paper Cranes over the Volga (CN–RU co-production, competition)
- jury_prize (ex aequo)   The Last Caravan (IR) and White Birches (BY), competition
- best_short              Tunduk (KG, 18 min)
- best_childrens_film     The Kite of Samarkand (UZ)
- most_innovative_ai      Signals (KR, Youth AI)
- best_story_ai_assisted  Monsoon Letters (IN, Youth AI)
- technical_excellence    Pixel Silk Road (CN, Youth AI)

Harbour Lights (KR, competition) won nothing; Old Orchard was in the 2025 edition.

Licences of Paper Cranes over the Volga (rights: Volga Pictures, RU):
- lic-kz-001  Kazakhfilm Distribution, KZ, theatrical, exclusive, 2026-12-01 to 2028-11-30, 25,000.00 USD
- lic-kr-001  Jinjin Pictures, KR, theatrical, exclusive, 2027-02-01 to 2029-01-31, 40,000,000.00 KRW,
              holding back streaming and TV in KR until 2027-07-31
- lic-ca-001  Central Asia Online, KG, KZ and UZ, streaming, non-exclusive, 2027-01-01 to 2027-12-31, 3,000.00 USD
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.releases.festival import Edition, Film, JuryAward, RightsHolder, SectionKind
from domain.releases.rights import Holdback, Media, RightsGrant

EDITION = Edition(
    id="sco-2026",
    year=2026,
    city="Qingdao",
    country="CN",
    opens_on=date(2026, 6, 12),
    closes_on=date(2026, 6, 18),
    sections=(SectionKind.COMPETITION, SectionKind.SHORT_FILMS, SectionKind.CHILDRENS_FILMS, SectionKind.YOUTH_AI),
    names={"en": "SCO Film Festival 2026", "zh": "上海合作组织电影节 2026", "ru": "Кинофестиваль ШОС 2026"},
)

AWARD_DAY = date(2026, 6, 18)

KAZAKHFILM = RightsHolder(organisation_id="kazakhfilm", name="Kazakhfilm Studios", country="KZ")
VOLGA = RightsHolder(organisation_id="volga-pictures", name="Volga Pictures", country="RU")


def film(**changes: Any) -> Film:
    data: dict[str, Any] = {
        "id": "steppe-wind",
        "edition_id": "sco-2026",
        "section": "competition",
        "original_title": "Дала желі",
        "english_title": "The Steppe Wind",
        "origin_countries": ("KZ",),
        "rights_holder": KAZAKHFILM,
        "runtime_minutes": 104,
        "languages": ("kk", "ru"),
        "eidr_id": "10.5240/5C1A-2F3B-0D4E-8A71-19C0-S",
        "year": 2025,
    }
    return Film.model_validate({**data, **changes})


def _holder(org: str, name: str, country: str) -> RightsHolder:
    return RightsHolder(organisation_id=org, name=name, country=country)


STEPPE_WIND = film()
PAPER_CRANES = film(
    id="paper-cranes",
    original_title="Бумажные журавли над Волгой",
    english_title="Paper Cranes over the Volga",
    origin_countries=("CN", "RU"),
    rights_holder=VOLGA,
    runtime_minutes=97,
    languages=("ru", "zh"),
    eidr_id="10.5240/A0B1-C2D3-E4F5-0617-2839-O",
    year=2026,
)
LAST_CARAVAN = film(
    id="last-caravan",
    original_title="کاروان آخر",
    english_title="The Last Caravan",
    origin_countries=("IR",),
    rights_holder=_holder("farabi", "Farabi Cinema Foundation", "IR"),
    runtime_minutes=112,
    languages=("fa",),
    eidr_id=None,
)
WHITE_BIRCHES = film(
    id="white-birches",
    original_title="Белыя бярозы",
    english_title="White Birches",
    origin_countries=("BY",),
    rights_holder=_holder("belarusfilm", "Belarusfilm", "BY"),
    runtime_minutes=95,
    languages=("be", "ru"),
    eidr_id=None,
)
HARBOUR_LIGHTS = film(
    id="harbour-lights",
    original_title="항구의 불빛",
    english_title="Harbour Lights",
    origin_countries=("KR",),
    rights_holder=_holder("busan-pictures", "Busan Pictures", "KR"),
    runtime_minutes=121,
    languages=("ko",),
    eidr_id=None,
)
TUNDUK = film(
    id="tunduk",
    section="short_films",
    original_title="Түндүк",
    english_title="Tunduk",
    origin_countries=("KG",),
    rights_holder=_holder("kyrgyzfilm", "Kyrgyzfilm", "KG"),
    runtime_minutes=18,
    languages=("ky",),
    eidr_id=None,
)
KITE = film(
    id="samarkand-kite",
    section="childrens_films",
    original_title="Samarqand varragi",
    english_title="The Kite of Samarkand",
    origin_countries=("UZ",),
    rights_holder=_holder("uzbekfilm", "Uzbekfilm", "UZ"),
    runtime_minutes=82,
    languages=("uz",),
    eidr_id=None,
)
SIGNALS = film(
    id="signals",
    section="youth_ai",
    original_title="신호",
    english_title="Signals",
    origin_countries=("KR",),
    rights_holder=_holder("knua", "Korea National University of Arts", "KR"),
    runtime_minutes=12,
    languages=("ko",),
    eidr_id=None,
    year=2026,
)
MONSOON = film(
    id="monsoon-letters",
    section="youth_ai",
    original_title="मानसून के ख़त",
    english_title="Monsoon Letters",
    origin_countries=("IN",),
    rights_holder=_holder("ftii", "Film and Television Institute of India", "IN"),
    runtime_minutes=15,
    languages=("hi",),
    eidr_id=None,
    year=2026,
)
PIXEL_SILK = film(
    id="pixel-silk-road",
    section="youth_ai",
    original_title="像素丝路",
    english_title="Pixel Silk Road",
    origin_countries=("CN",),
    rights_holder=_holder("bfa", "Beijing Film Academy", "CN"),
    runtime_minutes=9,
    languages=("zh",),
    eidr_id=None,
    year=2026,
)
OLD_ORCHARD = film(
    id="old-orchard",
    edition_id="sco-2025",
    original_title="Кӯҳна боғ",
    english_title="Old Orchard",
    origin_countries=("TJ",),
    rights_holder=_holder("tajikfilm", "Tajikfilm", "TJ"),
    runtime_minutes=90,
    languages=("tg",),
    eidr_id=None,
    year=2024,
)

FILMS = (
    STEPPE_WIND,
    PAPER_CRANES,
    LAST_CARAVAN,
    WHITE_BIRCHES,
    HARBOUR_LIGHTS,
    TUNDUK,
    KITE,
    SIGNALS,
    MONSOON,
    PIXEL_SILK,
    OLD_ORCHARD,
)


def award(id_: str, film_id: str, category_id: str, **changes: Any) -> JuryAward:
    data: dict[str, Any] = {
        "id": id_,
        "edition_id": "sco-2026",
        "film_id": film_id,
        "category_id": category_id,
        "jury_note": "",
        "awarded_on": AWARD_DAY,
    }
    return JuryAward.model_validate({**data, **changes})


AWARDS = (
    award("aw-2026-01", "steppe-wind", "best_film", jury_note="For a landscape that listens."),
    award("aw-2026-02", "paper-cranes", "best_director"),
    award("aw-2026-03", "last-caravan", "jury_prize"),
    award("aw-2026-04", "white-birches", "jury_prize"),
    award("aw-2026-05", "tunduk", "best_short"),
    award("aw-2026-06", "samarkand-kite", "best_childrens_film"),
    award("aw-2026-07", "signals", "most_innovative_ai"),
    award("aw-2026-08", "monsoon-letters", "best_story_ai_assisted"),
    award("aw-2026-09", "pixel-silk-road", "technical_excellence"),
)


# ------------------------------------------------------------------------- licences

KAZAKHFILM_DISTRIBUTION = {"licensee_id": "kazakhfilm-distribution", "licensee_name": "Kazakhfilm Distribution"}
JINJIN = {"licensee_id": "jinjin-pictures", "licensee_name": "Jinjin Pictures"}
CA_ONLINE = {"licensee_id": "ca-online", "licensee_name": "Central Asia Online"}
ARMAN = {"licensee_id": "arman-cinemas", "licensee_name": "Arman Cinemas"}


def licence(**changes: Any) -> RightsGrant:
    """A licence of Paper Cranes like lic-kz-001, with changes; `licensee=ARMAN` sets both licensee fields."""
    data: dict[str, Any] = {
        "deal_id": "lic-kz-001",
        "film_id": "paper-cranes",
        **changes.pop("licensee", KAZAKHFILM_DISTRIBUTION),
        "territories": ("KZ",),
        "media": (Media.THEATRICAL,),
        "starts_on": date(2026, 12, 1),
        "ends_on": date(2028, 11, 30),
        "exclusive": True,
        "fee": "25000",
        "currency": "USD",
    }
    return RightsGrant.model_validate({**data, **changes})


LIC_KZ = licence()
LIC_KR = licence(
    deal_id="lic-kr-001",
    licensee=JINJIN,
    territories=("KR",),
    starts_on=date(2027, 2, 1),
    ends_on=date(2029, 1, 31),
    fee="40000000",
    currency="KRW",
    holdback=Holdback(media=(Media.STREAMING, Media.TV), ends_on=date(2027, 7, 31)),
)
LIC_CA = licence(
    deal_id="lic-ca-001",
    licensee=CA_ONLINE,
    territories=("KG", "KZ", "UZ"),
    media=(Media.STREAMING,),
    starts_on=date(2027, 1, 1),
    ends_on=date(2027, 12, 31),
    exclusive=False,
    fee="3000",
)
LICENCES = (LIC_KZ, LIC_KR, LIC_CA)
