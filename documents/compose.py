"""Compose a version's canonical text: the kind's clauses, filled with its variables, in every language.

Library clause bodies are Jinja templates, rendered in a sandbox with `StrictUndefined`, so a clause
that names a variable the kind does not have fails here, loudly, rather than printing an empty gap in
a signed agreement. Clause overrides come from people editing a draft: they are taken literally and
never evaluated, so a reviewer who types `{{ 7*7 }}` gets exactly those characters in the text.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from documents.library import ClauseLibrary, ClauseTemplate, LibraryError, load_library
from domain.agreement_kinds import validate_variables
from domain.agreements import ComposeRequest
from domain.reference import COUNTRIES
from domain.texts import CanonicalText, Clause

__all__ = ["ComposeError", "LibraryError", "compose", "load_library"]


class ComposeError(ValueError):
    """The request and the library cannot make a complete text; retrying will not help."""


_AND = {"en": " and ", "ko": " 및 ", "ru": " и ", "zh": "和", "kk": " және ", "uz": " va ", "hi": " और ", "ar": " و", "fa": " و "}
_SEP = {"zh": "、", "ar": "، ", "fa": "، "}
_MONTHS = {
    "en": "January February March April May June July August September October November December".split(),
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(),
}


def and_list(items: Any, lang: str) -> str:
    """'A, B and C' with the language's own separator and conjunction."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return _SEP.get(lang, ", ").join(words[:-1]) + _AND.get(lang, ", ") + words[-1]


def josa(word: str, after_consonant: str, after_vowel: str) -> str:
    """`word` with the Korean particle that fits its last syllable: 협약은, 양해각서는."""
    last = str(word)[-1:] if word else ""
    if "\uac00" <= last <= "\ud7a3":
        has_final = (ord(last) - 0xAC00) % 28 != 0
        return f"{word}{after_consonant if has_final else after_vowel}"
    return f"{word}{after_consonant}({after_vowel})"


def format_money(amount: Any, currency: str, lang: str) -> str:
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return f"{currency} {amount}"
    text = f"{value:,.2f}"
    if lang in ("ru", "kk", "uz"):
        return text.replace(",", "\u00a0").replace(".", ",") + f"\u00a0{currency}"
    return f"{currency} {text}"


def format_date(value: Any, lang: str) -> str:
    d = value if isinstance(value, date) else date.fromisoformat(str(value))
    if lang == "en":
        return f"{d.day} {_MONTHS['en'][d.month - 1]} {d.year}"
    if lang == "ru":
        return f"{d.day} {_MONTHS['ru'][d.month - 1]} {d.year}\u00a0г."
    if lang == "ko":
        return f"{d.year}년 {d.month}월 {d.day}일"
    if lang == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat()


def _environment(library: ClauseLibrary, lang: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False)
    glossary = library.glossary
    env.filters.update(
        and_list=lambda items: and_list(items, lang),
        country=lambda code: COUNTRIES[code.upper()].name(lang) if str(code).upper() in COUNTRIES else str(code),
        term=lambda word: glossary.get(str(word), {}).get(lang) or glossary.get(str(word), {}).get("en") or str(word),
        money=lambda amount, currency: format_money(amount, currency, lang),
        date=lambda value: format_date(value, lang),
        josa=josa,
        number=lambda n: f"{int(n):,}".replace(",", "\u00a0" if lang == "ru" else ","),
    )
    return env


def _context(req: ComposeRequest, variables: dict[str, Any], lang: str) -> dict[str, Any]:
    parties = [
        {
            "organisation_id": p.organisation_id,
            "name": p.name(lang),
            "names": dict(p.names),
            "country": p.country,
            "country_name": COUNTRIES[p.country].name(lang),
        }
        for p in req.parties
    ]
    return {
        **variables,
        "title": req.title,
        "lang": lang,
        "languages": list(req.languages),
        "kind": req.kind.value,
        "parties": parties,
        "party_count": len(parties),
    }


def _clean(text: str) -> str:
    """NFC and Unix newlines; outer blank space trimmed so paragraphs split the same way for everyone."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _check_languages(templates: list[ClauseTemplate], req: ComposeRequest, library: ClauseLibrary) -> None:
    problems = []
    for lang in req.languages:
        lacking = [
            t.id
            for t in templates
            if lang not in t.heading or (lang not in t.body and lang not in req.clause_overrides.get(t.id, {}))
        ]
        if lacking:
            problems.append(f"no '{lang}' text for clause(s) {', '.join(lacking)}")
    if problems:
        files = sorted({library.sources[t.id] for t in templates})
        raise ComposeError(
            f"cannot compose {req.kind.value} in {' + '.join(req.languages)}: "
            + "; ".join(problems)
            + f" (add the translations to {', '.join(files)} or an override folder)"
        )


def compose(req: ComposeRequest, library: ClauseLibrary) -> CanonicalText:
    """The canonical text of one version. Raises ComposeError (a ValueError) naming what is missing."""
    try:
        variables = validate_variables(req.kind, req.variables)
    except ValueError as e:
        raise ComposeError(str(e)) from None
    templates = library.for_kind(req.kind)
    ids = {t.id for t in templates}
    unknown = sorted(set(req.clause_overrides) - ids)
    if unknown:
        raise ComposeError(f"clause override(s) for {', '.join(unknown)}, which a {req.kind.value} text does not have")
    _check_languages(templates, req, library)

    clauses: dict[str, Clause] = {t.id: Clause(id=t.id, heading={}, body={}) for t in templates}
    for lang in req.languages:
        env = _environment(library, lang)
        context = _context(req, variables, lang)
        for t in templates:
            clauses[t.id].heading[lang] = _clean(t.heading[lang])
            override = req.clause_overrides.get(t.id, {}).get(lang)
            if override is not None:
                clauses[t.id].body[lang] = _clean(override)  # literal: people's words are never a template
                continue
            try:
                body = env.from_string(t.body[lang]).render(context)
            except UndefinedError as e:
                raise ComposeError(
                    f"clause '{t.id}' ({lang}, {library.sources[t.id]}) uses a value the {req.kind.value} "
                    f"variables do not provide: {e.message}"
                ) from None
            except (SecurityError, TemplateError, ValueError, TypeError, KeyError) as e:
                raise ComposeError(f"clause '{t.id}' ({lang}, {library.sources[t.id]}) cannot be filled: {e}") from None
            clauses[t.id].body[lang] = _clean(body)
    return CanonicalText(
        agreement_id=req.agreement_id,
        kind=req.kind,
        title={lang: _clean(req.title) for lang in req.languages},
        languages=list(req.languages),
        version=req.version,
        parties=[{"organisation_id": p.organisation_id, "names": dict(p.names), "country": p.country} for p in req.parties],
        clauses=[clauses[t.id] for t in templates],
    )
