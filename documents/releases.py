"""Award-to-release PDFs: the recommendation letter to a member country, the annual SCO Content Catalog.

The **recommendation letter** goes from the festival to one country's liaison when a film wins an
award: the film (titles in both scripts, origin, running time, spoken languages, rights holder,
EIDR id), its awards, the member states' agreement on the expedited release of award-winning
films, and the path the film takes in that country — read from the `CountryRules` the release
workflow started with (`steps_for`): who classifies it, whether an import-quota exception is
needed, which subsidy exists and whether this film needs it, and the days each step may take.

The **content catalog** lists, for buyers in the network, the films a year's festival offers for
licensing: per film its facts and awards and a territory × media table of what the rights holder
can still license on a date (free / non-exclusive / held back / exclusive), each cell taken
straight from `RightsLedger.availability`, so the catalog and the rights workflow cannot disagree.

Heading languages. Headings are bilingual: English above, and below it the language the reader's
ministry works in, where the bundled fonts print it (`RELEASE_LANGUAGE`):

- CN Chinese (Han), KR Korean (Hangul), IN Hindi (Devanagari), IR Persian (Arabic script),
  PK Urdu (Arabic script; Urdu and English are Pakistan's official languages);
- RU, BY, KZ, KG, TJ, UZ Russian. Russian is an official language of the SCO and a working
  language of every one of those ministries; Kazakh, Kyrgyz, Tajik, Uzbek and Belarusian labels
  would print (the Latin/Cyrillic face covers them) but have no reviewed translations yet, and a
  wrong official heading is worse than a second language the reader also reads.

The catalog is addressed to the whole network, so its headings are in English, Russian and
Chinese, the SCO's languages. Sentences of substance are in English, the network's working
language for licences; names and titles print in whatever script they were given. Persian and
Urdu headings are marked `dir="rtl"`, so they read right to left.

Rendering goes through `documents.render.render_html`, like the fund's letters: autoescaped jinja2
(a title `<b>` prints literally), the bundled fonts only, and the sha256 of the data the document
was rendered from in every page's footer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from documents.render import _LANG_TAGS, render_html, utc
from domain.reference import COUNTRIES
from domain.releases.country_rules import APPROVED, CountryRules, Step, languages_to_add, steps_for
from domain.releases.festival import CATEGORIES, SECTION_NAMES, Edition, Film, JuryAward
from domain.releases.process import RecommendationLetterRequest
from domain.releases.rights import MEDIA_NAMES, MEDIA_ORDER, Availability, RightsLedger, media_text

RELEASE_LANGUAGE: dict[str, str] = {
    "CN": "zh", "KR": "ko", "IN": "hi", "IR": "fa", "PK": "ur",
    "RU": "ru", "BY": "ru", "KZ": "ru", "KG": "ru", "TJ": "ru", "UZ": "ru",
}  # fmt: skip
"""The second heading language of a recommendation letter to each country (see the module's docstring)."""

CATALOG_LANGUAGES = ["en", "ru", "zh"]
RTL_LANGUAGES = {"fa", "ur", "ar"}

# en, ru, zh, ko, hi, fa, ur: every language a letter's headings may use.
LABELS: dict[str, dict[str, str]] = {
    "recommendation": {"en": "Recommendation for expedited release", "ru": "Рекомендация к ускоренному выпуску в прокат",
                       "zh": "影片快速发行推荐函", "ko": "신속 개봉 추천서", "hi": "शीघ्र रिलीज़ हेतु अनुशंसा पत्र",
                       "fa": "توصیه‌نامه برای اکران سریع", "ur": "فوری ریلیز کے لیے سفارشی خط"},
    "catalog": {"en": "SCO Content Catalog", "ru": "Каталог контента ШОС", "zh": "上合组织影视内容目录"},
    "to": {"en": "To", "ru": "Кому", "zh": "致", "ko": "수신", "hi": "सेवा में", "fa": "به", "ur": "بنام"},
    "country": {"en": "Country", "ru": "Страна", "zh": "国家", "ko": "국가", "hi": "देश", "fa": "کشور", "ur": "ملک"},
    "festival": {"en": "Festival", "ru": "Фестиваль", "zh": "电影节", "ko": "영화제", "hi": "महोत्सव", "fa": "جشنواره", "ur": "فیسٹیول"},
    "film": {"en": "Film", "ru": "Фильм", "zh": "影片", "ko": "작품", "hi": "फ़िल्म", "fa": "فیلم", "ur": "فلم"},
    "title": {"en": "Title", "ru": "Название", "zh": "片名", "ko": "제목", "hi": "शीर्षक", "fa": "عنوان", "ur": "عنوان"},
    "original_title": {"en": "Original title", "ru": "Оригинальное название", "zh": "原片名", "ko": "원제",
                       "hi": "मूल शीर्षक", "fa": "عنوان اصلی", "ur": "اصل عنوان"},
    "section": {"en": "Section", "ru": "Программа", "zh": "单元", "ko": "부문", "hi": "खंड", "fa": "بخش", "ur": "زمرہ"},
    "origin": {"en": "Country of origin", "ru": "Страна производства", "zh": "出品国", "ko": "제작 국가",
               "hi": "निर्माण देश", "fa": "کشور سازنده", "ur": "پروڈکشن کا ملک"},
    "runtime": {"en": "Running time", "ru": "Хронометраж", "zh": "片长", "ko": "상영 시간", "hi": "अवधि", "fa": "مدت", "ur": "دورانیہ"},
    "languages": {"en": "Languages", "ru": "Языки", "zh": "语言", "ko": "언어", "hi": "भाषाएँ", "fa": "زبان‌ها", "ur": "زبانیں"},
    "rights_holder": {"en": "Rights holder", "ru": "Правообладатель", "zh": "版权方", "ko": "권리자",
                      "hi": "अधिकार धारक", "fa": "دارنده حقوق", "ur": "حقوق کا مالک"},
    "eidr": {"en": "EIDR"},
    "awards": {"en": "Awards", "ru": "Награды", "zh": "奖项", "ko": "수상", "hi": "पुरस्कार", "fa": "جوایز", "ur": "اعزازات"},
    "agreement": {"en": "The member states' agreement", "ru": "Соглашение государств-членов", "zh": "成员国协议",
                  "ko": "회원국 합의", "hi": "सदस्य देशों का समझौता", "fa": "توافق کشورهای عضو", "ur": "رکن ممالک کا معاہدہ"},
    "path": {"en": "The release path", "ru": "Порядок выпуска в прокат", "zh": "发行流程", "ko": "개봉 절차",
             "hi": "रिलीज़ की प्रक्रिया", "fa": "مراحل اکران", "ur": "ریلیز کا طریقۂ کار"},
    "step": {"en": "Step", "ru": "Этап", "zh": "步骤", "ko": "단계", "hi": "चरण", "fa": "مرحله", "ur": "مرحلہ"},
    "due": {"en": "Due within", "ru": "Срок", "zh": "期限", "ko": "기한", "hi": "समय-सीमा", "fa": "مهلت", "ur": "مدت"},
    "classification": {"en": "Classification", "ru": "Классификация", "zh": "审查", "ko": "등급 분류", "hi": "प्रमाणन",
                       "fa": "رده‌بندی", "ur": "درجہ بندی"},
    "quota": {"en": "Import quota", "ru": "Импортная квота", "zh": "进口配额", "ko": "수입 쿼터", "hi": "आयात कोटा",
              "fa": "سهمیه واردات", "ur": "درآمدی کوٹہ"},
    "subsidy": {"en": "Subsidy", "ru": "Субсидия", "zh": "补贴", "ko": "지원금", "hi": "अनुदान", "fa": "یارانه", "ur": "سبسڈی"},
    "issued": {"en": "Issued", "ru": "Дата выдачи", "zh": "签发日期", "ko": "발행일", "hi": "जारी करने की तिथि",
               "fa": "تاریخ صدور", "ur": "تاریخ اجرا"},
    "data_hash": {"en": "Data sha256", "ru": "sha256 данных", "zh": "数据 sha256", "ko": "데이터 sha256",
                  "hi": "डेटा sha256", "fa": "sha256 داده‌ها", "ur": "ڈیٹا sha256"},
    "as_of": {"en": "Availability on", "ru": "Доступность на дату", "zh": "可授权状态日期"},
    "films": {"en": "Films", "ru": "Фильмы", "zh": "影片"},
    "availability": {"en": "Rights available", "ru": "Доступные права", "zh": "可授权情况"},
    "territory": {"en": "Territory", "ru": "Территория", "zh": "地区"},
    "licences": {"en": "Licences in force", "ru": "Действующие лицензии", "zh": "现行许可"},
    "legend": {"en": "Legend", "ru": "Условные обозначения", "zh": "图例"},
    "theatrical": {"en": "Theatrical", "ru": "Кинопрокат", "zh": "院线"},
    "streaming": {"en": "Streaming", "ru": "Стриминг", "zh": "流媒体"},
    "tv": {"en": "TV", "ru": "ТВ", "zh": "电视"},
}  # fmt: skip

AVAILABILITY_TEXT: dict[Availability, str] = {
    Availability.FREE: "free",
    Availability.NON_EXCLUSIVE: "non-exclusive",
    Availability.HELD_BACK: "held back",
    Availability.EXCLUSIVE: "exclusive",
}
AVAILABILITY_MEANING: dict[Availability, str] = {
    Availability.FREE: "nobody holds these rights: license them exclusively or not",
    Availability.NON_EXCLUSIVE: "licensed non-exclusively: another non-exclusive licence is possible",
    Availability.HELD_BACK: "kept dark by a holdback protecting another window: no licence until it ends",
    Availability.EXCLUSIVE: "licensed exclusively: no other licence",
}

LANGUAGE_NAMES = {
    "en": "English", "ru": "Russian", "zh": "Chinese", "ko": "Korean", "hi": "Hindi", "ur": "Urdu", "fa": "Persian",
    "ar": "Arabic", "kk": "Kazakh", "ky": "Kyrgyz", "tg": "Tajik", "uz": "Uzbek", "be": "Belarusian",
}  # fmt: skip

STEP_NAMES = {
    Step.ACKNOWLEDGE: "Acknowledgement",
    Step.CLASSIFICATION: "Classification",
    Step.QUOTA: "Import-quota exception",
    Step.SUBSIDY: "Dubbing or subtitling subsidy",
    Step.LICENCE: "Licence",
    Step.SCHEDULING: "Release scheduling",
    Step.RELEASE: "Release",
}

AGREEMENT_TEXT = (
    "By the accession agreement to the SCO film distribution network, the member states and Korea agreed to take"
    " the festival's award-winning films through classification and licensing on an expedited path: each Party"
    " decides on a complete request to license a film of another Party's country within the agreed time, and a"
    " Party that is not itself the licensing authority forwards the request to that authority without delay and"
    " supports it. The due time of each step below counts from the day the step opens; the liaison is reminded"
    " when one passes, and the network's board hears of a step that stays late."
)


class WrongCountryRules(ValueError):
    """A letter to one country was given another country's rules: it would describe the wrong path."""


# ---------------------------------------------------------------- helpers


def _tag(lang: str) -> str:
    return _LANG_TAGS.get(lang, lang)


def _pairs(texts: Mapping[str, str], langs: Sequence[str]) -> list[dict[str, str]]:
    """One entry per language, dropping a repeat (a language falling back to the English text)."""
    out: list[dict[str, str]] = []
    for lang in langs:
        text = texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")
        if text and all(text != o["text"] for o in out):
            shown = lang if lang in texts else "en"
            out.append({"lang": _tag(shown), "text": text, "dir": "rtl" if shown in RTL_LANGUAGES else "ltr"})
    return out


def _labels(langs: Sequence[str]) -> dict[str, list[dict[str, str]]]:
    return {key: _pairs(texts, langs) for key, texts in LABELS.items()}


def letter_languages(country: str) -> list[str]:
    """English, then the heading language of a letter to `country` (`RELEASE_LANGUAGE`), if it has one."""
    second = RELEASE_LANGUAGE.get(country.upper())
    return ["en", second] if second else ["en"]


def _data_sha256(*parts: object) -> str:
    """The hash of what a document was rendered from, printed in every page's footer."""
    payload = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _country(code: str, lang: str = "en") -> str:
    c = COUNTRIES.get(code.upper())
    return c.name(lang) if c else code


def _in_country(code: str) -> str:
    """'in Kazakhstan', 'in the Republic of Korea'."""
    name = _country(code)
    return f"in the {name}" if name.startswith(("Republic", "United")) else f"in {name}"


def _language(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def _and(items: Sequence[str]) -> str:
    items = [str(i) for i in items]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _category_names(category_id: str, edition: Edition | None) -> dict[str, str]:
    if edition is not None:
        found = next((c for c in edition.categories if c.id == category_id), None)
        if found is not None:
            return found.names
    standard = CATEGORIES.get(category_id)
    return standard.names if standard else {"en": category_id.replace("_", " ")}


def film_facts(film: Film) -> dict[str, Any]:
    """A film's facts as the documents print them (pure)."""
    return {
        "id": film.id,
        "english_title": film.english_title,
        "original_title": film.original_title if film.original_title != film.english_title else "",
        "section": SECTION_NAMES[film.section],
        "year": film.year,
        "origin": ", ".join(_country(c) for c in film.origin_countries),
        "runtime": f"{film.runtime_minutes} min",
        "languages": ", ".join(_language(lang) for lang in film.languages),
        "rights_holder": f"{film.rights_holder.name} ({_country(film.rights_holder.country)})",
        "eidr": film.eidr_id or "",
    }


def _awards(film: Film, awards: Sequence[JuryAward], langs: Sequence[str], edition: Edition | None) -> list[dict[str, Any]]:
    return [
        {
            "id": a.id,
            "names": _pairs(_category_names(a.category_id, edition), langs),
            "name": _category_names(a.category_id, edition)["en"],
            "awarded_on": a.awarded_on.isoformat(),
            "note": a.jury_note,
        }
        for a in sorted(awards, key=lambda a: (a.awarded_on, a.id))
        if a.film_id == film.id
    ]


# ---------------------------------------------------------------- the recommendation letter


def _scale_text(rules: CountryRules) -> str:
    if not rules.ratings:
        return f"approves films for release without age ratings (the decision is recorded as '{APPROVED}')"
    return "rates films on the scale " + ", ".join(rules.ratings)


def _step_text(step: Step, rules: CountryRules, film: Film) -> str:
    authority = rules.classification_authority
    if step is Step.ACKNOWLEDGE:
        return "The liaison acknowledges this recommendation on the network's dashboard."
    if step is Step.CLASSIFICATION:
        if not rules.ratings:
            return f"{authority} reviews the film and approves it for release without an age rating, or refuses it."
        return f"{authority} reviews the film and rates it on its scale ({', '.join(rules.ratings)}), or refuses it."
    if step is Step.QUOTA:
        return (
            f"Foreign films are released {_in_country(rules.country)} within an import quota: the film needs a quota exception."
        )
    if step is Step.SUBSIDY:
        add = ", ".join(_language(lang) for lang in languages_to_add(rules, film))
        cap = f", up to {rules.subsidy_maximum}" if rules.subsidy_maximum else ", decided case by case"
        return f"{rules.subsidy_body} may subsidise dubbing or subtitles into {add}{cap}; the distributor may decline it."
    if step is Step.LICENCE:
        return (f"A distributor {_in_country(rules.country)} takes a licence from {film.rights_holder.name}, signed through the"
                " network's agreement engine and checked against the film's other licences.")  # fmt: skip
    if step is Step.SCHEDULING:
        return "The release date and the cinemas, platform or channel are set."
    return "The release is confirmed; it counts toward the network's target of films released abroad."


def path_rows(rules: CountryRules, film: Film) -> list[dict[str, Any]]:
    """The steps the film runs in the country, each with its due days and the running total (pure)."""
    rows, total = [], 0
    for n, step in enumerate(steps_for(rules, film), start=1):
        days = rules.due_days[step]
        total += days
        rows.append({"n": n, "step": step.value, "name": STEP_NAMES[step], "text": _step_text(step, rules, film),
                     "days": days, "due": f"{days} days", "by_day": total})  # fmt: skip
    return rows


def _path_facts(rules: CountryRules, film: Film) -> dict[str, str]:
    to_add = languages_to_add(rules, film)
    if rules.subsidy_available:
        cap = f"up to {rules.subsidy_maximum}" if rules.subsidy_maximum else "amount decided case by case"
        subsidy = f"Available from {rules.subsidy_body} ({cap})"
        subsidy += (f"; the film needs dubbing or subtitles into {_and([_language(x) for x in to_add])}" if to_add
                    else "; not needed: the film is already in the release language(s)")  # fmt: skip
    else:
        subsidy = f"No dubbing or subtitling subsidy {_in_country(rules.country)}"
    return {
        "classification": f"{rules.classification_authority}: {_scale_text(rules)}",
        "quota": "An import-quota exception is needed" if rules.quota_exception_required else "No quota exception needed",
        "subsidy": subsidy,
        "release_languages": ", ".join(_language(x) for x in rules.release_languages),
    }


def recommendation_context(req: RecommendationLetterRequest) -> dict[str, Any]:
    """What `release_recommendation_letter.html` prints (pure)."""
    film, edition, rules = req.film, req.edition, req.rules
    country = req.country.upper()
    langs = letter_languages(country)
    L = _labels(langs)
    awards = _awards(film, req.awards, langs, edition)
    rows = path_rows(rules, film)
    liaison = req.liaison
    return {
        "title": f"{LABELS['recommendation']['en']} — {film.english_title} ({country})",
        "html_lang": "en",
        "langs": langs,
        "L": L,
        "heading": L["recommendation"],
        "state_text": f"{edition.name()} — {country}, issued {utc(req.issued_at)}",
        "edition": {
            "names": _pairs(edition.names or {"en": edition.name()}, langs),
            "name": edition.name(),
            "id": edition.id,
            "place": f"{edition.city}, {_country(edition.country)}",
            "dates": f"{edition.opens_on.isoformat()} to {edition.closes_on.isoformat()}",
        },
        "country": {
            "code": country,
            "names": _pairs({lang: _country(country, lang) for lang in ("en", "ru", "zh", "ko")}, langs),
            "name": _country(country),
            "in": _in_country(country),
        },
        "liaison": {"name": liaison.name, "title": liaison.title, "email": liaison.email},
        "film": film_facts(film),
        "awards": awards,
        "award_text": _and([a["name"] for a in awards]) or "an award",
        "agreement": AGREEMENT_TEXT,
        "path": _path_facts(rules, film),
        "path_heading": [{**p, "text": f"{p['text']} {_in_country(country)}"} if i == 0 else p for i, p in enumerate(L["path"])],
        "rows": rows,
        "total_days": rows[-1]["by_day"] if rows else 0,
        "acknowledge_days": rules.due_days[Step.ACKNOWLEDGE],
        "issued_at": utc(req.issued_at),
        "data_sha256": _data_sha256("recommendation_letter", req.model_dump(mode="json")),
    }


def render_recommendation_letter(req: RecommendationLetterRequest, *, font_cache_dir: Path | None = None) -> tuple[bytes, int]:
    """The recommendation letter to one country's liaison as (pdf bytes, pages)."""
    if req.rules.country != req.country.upper():
        raise WrongCountryRules(f"the letter to {req.country} was given the rules of {req.rules.country}")
    return render_html("release_recommendation_letter.html", recommendation_context(req), font_cache_dir=font_cache_dir)


# ---------------------------------------------------------------- the content catalog


def availability_rows(ledger: RightsLedger, territories: Sequence[str], on: date) -> list[dict[str, Any]]:
    """One row per territory: each medium's availability on `on`, straight from the ledger (pure)."""
    rows = []
    for t in territories:
        got = ledger.availability(t, on)
        rows.append({
            "territory": t,
            "name": _country(t),
            "cells": [{"media": m.value, "value": got[m].value, "text": AVAILABILITY_TEXT[got[m]]} for m in MEDIA_ORDER],
        })  # fmt: skip
    return rows


def _in_force(ledger: RightsLedger, on: date) -> list[dict[str, str]]:
    """The licences running or holding back on `on` (no fees: the catalog is for other buyers)."""
    out = []
    for g in sorted(ledger.grants, key=lambda g: (g.starts_on, g.deal_id)):
        holdback = g.holdback is not None and g.starts_on <= on <= g.holdback.ends_on
        if not (g.starts_on <= on <= g.ends_on or holdback):
            continue
        text = (f"{g.deal_id}: {g.licensee_name}, {', '.join(g.territories)}, {media_text(g.media)},"
                f" {'exclusive' if g.exclusive else 'non-exclusive'}, {g.term}")  # fmt: skip
        if g.holdback is not None:
            text += f"; holds back {media_text(g.holdback.media)} until {g.holdback.ends_on.isoformat()}"
        out.append({"deal_id": g.deal_id, "text": text})
    return out


def catalog_context(
    year: int,
    films: Sequence[Film],
    ledgers: Mapping[str, RightsLedger],
    awards: Sequence[JuryAward],
    *,
    on: date,
    territories: Sequence[str],
) -> dict[str, Any]:
    """What `release_content_catalog.html` prints (pure)."""
    codes = list(dict.fromkeys(t.strip().upper() for t in territories))
    if unknown := [t for t in codes if t not in COUNTRIES]:
        raise ValueError(f"unknown territor{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}")
    if wrong := sorted(k for k, v in ledgers.items() if v.film_id != k):
        raise ValueError(f"the ledger given for {', '.join(wrong)} is of another film")
    langs = CATALOG_LANGUAGES
    L = _labels(langs)
    entries = []
    for film in films:
        ledger = ledgers.get(film.id) or RightsLedger(film_id=film.id)
        entries.append({
            "facts": film_facts(film),
            "awards": _awards(film, awards, langs, None),
            "rows": availability_rows(ledger, codes, on),
            "licences": _in_force(ledger, on),
        })  # fmt: skip
    return {
        "title": f"{LABELS['catalog']['en']} {year}",
        "html_lang": "en",
        "langs": langs,
        "L": L,
        "heading": [{**p, "text": f"{p['text']} {year}"} for p in L["catalog"]],
        "state_text": f"{LABELS['catalog']['en']} {year} — availability on {on.isoformat()}",
        "year": year,
        "on": on.isoformat(),
        "territories": [{"code": t, "name": _country(t)} for t in codes],
        "media": [{"key": m.value, "name": MEDIA_NAMES[m]} for m in MEDIA_ORDER],
        "legend": [{"value": a.value, "text": AVAILABILITY_TEXT[a], "meaning": AVAILABILITY_MEANING[a]} for a in Availability],
        "films": entries,
        "data_sha256": _data_sha256(
            "content_catalog",
            year,
            on.isoformat(),
            codes,
            [f.model_dump(mode="json") for f in films],
            {k: v.model_dump(mode="json") for k, v in sorted(ledgers.items())},
            [a.model_dump(mode="json") for a in awards],
        ),
    }


def render_content_catalog(
    year: int,
    films: list[Film],
    ledgers: dict[str, RightsLedger],
    awards: list[JuryAward],
    *,
    on: date,
    territories: list[str],
    font_cache_dir: Path | None = None,
) -> tuple[bytes, int]:
    """The year's SCO Content Catalog as (pdf bytes, pages): films, awards, rights available by territory on `on`.

    A film without a ledger has licensed nothing yet: every cell is free.
    """
    context = catalog_context(year, films, ledgers, awards, on=on, territories=territories)
    return render_html("release_content_catalog.html", context, font_cache_dir=font_cache_dir)


__all__ = [
    "AVAILABILITY_TEXT",
    "LABELS",
    "RELEASE_LANGUAGE",
    "WrongCountryRules",
    "availability_rows",
    "catalog_context",
    "film_facts",
    "letter_languages",
    "path_rows",
    "recommendation_context",
    "render_content_catalog",
    "render_recommendation_letter",
]
