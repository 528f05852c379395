"""Reference data: the states of the network and their standing in the SCO.

Status follows the SCO's own categories as of 2025; Korea is the film network's partner, not an
SCO state. Names are given in English, Russian and Chinese (the SCO's working languages) and
Korean. Codes are ISO 3166-1 alpha-2.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class NetworkStatus(StrEnum):
    MEMBER = "member"
    OBSERVER = "observer"
    DIALOGUE_PARTNER = "dialogue_partner"
    PARTNER = "partner"  # the film network's partner (Korea)


class Country(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    status: NetworkStatus
    names: dict[str, str]

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


def _c(code: str, status: NetworkStatus, en: str, ru: str, zh: str, ko: str) -> Country:
    return Country(code=code, status=status, names={"en": en, "ru": ru, "zh": zh, "ko": ko})


M, OBS, D, P = (
    NetworkStatus.MEMBER,
    NetworkStatus.OBSERVER,
    NetworkStatus.DIALOGUE_PARTNER,
    NetworkStatus.PARTNER,
)

COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in [
        _c("CN", M, "China", "Китай", "中国", "중국"),
        _c("RU", M, "Russia", "Россия", "俄罗斯", "러시아"),
        _c("KZ", M, "Kazakhstan", "Казахстан", "哈萨克斯坦", "카자흐스탄"),
        _c("KG", M, "Kyrgyzstan", "Киргизия", "吉尔吉斯斯坦", "키르기스스탄"),
        _c("TJ", M, "Tajikistan", "Таджикистан", "塔吉克斯坦", "타지키스탄"),
        _c("UZ", M, "Uzbekistan", "Узбекистан", "乌兹别克斯坦", "우즈베키스탄"),
        _c("IN", M, "India", "Индия", "印度", "인도"),
        _c("PK", M, "Pakistan", "Пакистан", "巴基斯坦", "파키스탄"),
        _c("IR", M, "Iran", "Иран", "伊朗", "이란"),
        _c("BY", M, "Belarus", "Беларусь", "白俄罗斯", "벨라루스"),
        _c("AF", OBS, "Afghanistan", "Афганистан", "阿富汗", "아프가니스탄"),
        _c("MN", OBS, "Mongolia", "Монголия", "蒙古国", "몽골"),
        _c("AM", D, "Armenia", "Армения", "亚美尼亚", "아르메니아"),
        _c("AZ", D, "Azerbaijan", "Азербайджан", "阿塞拜疆", "아제르바이잔"),
        _c("KH", D, "Cambodia", "Камбоджа", "柬埔寨", "캄보디아"),
        _c("NP", D, "Nepal", "Непал", "尼泊尔", "네팔"),
        _c("LK", D, "Sri Lanka", "Шри-Ланка", "斯里兰卡", "스리랑카"),
        _c("TR", D, "Türkiye", "Турция", "土耳其", "튀르키예"),
        _c("EG", D, "Egypt", "Египет", "埃及", "이집트"),
        _c("QA", D, "Qatar", "Катар", "卡塔尔", "카타르"),
        _c("SA", D, "Saudi Arabia", "Саудовская Аравия", "沙特阿拉伯", "사우디아라비아"),
        _c("KW", D, "Kuwait", "Кувейт", "科威特", "쿠웨이트"),
        _c("MV", D, "Maldives", "Мальдивы", "马尔代夫", "몰디브"),
        _c("MM", D, "Myanmar", "Мьянма", "缅甸", "미얀마"),
        _c("AE", D, "United Arab Emirates", "ОАЭ", "阿联酋", "아랍에미리트"),
        _c("BH", D, "Bahrain", "Бахрейн", "巴林", "바레인"),
        _c("LA", D, "Laos", "Лаос", "老挝", "라오스"),
        _c("KR", P, "Republic of Korea", "Республика Корея", "韩国", "대한민국"),
    ]
}

LANGUAGES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "zh": "中文",
    "ko": "한국어",
    "hi": "हिन्दी",
    "ar": "العربية",
    "fa": "فارسی",
    "kk": "Қазақ тілі",
    "uz": "Oʻzbekcha",
}


def country(code: str) -> Country:
    """The country for an ISO code, or a ValueError a person can read."""
    try:
        return COUNTRIES[code.upper()]
    except KeyError:
        raise ValueError(
            f"'{code}' is not a country of the network; use an ISO 3166 code such as "
            + ", ".join(sorted(COUNTRIES)[:6])
            + " …"
        ) from None


def members() -> list[Country]:
    return [c for c in COUNTRIES.values() if c.status is NetworkStatus.MEMBER]


def eligible_countries() -> set[str]:
    """Every state that takes part in the network's programmes (members, observers, partners)."""
    return set(COUNTRIES)
