"""The weekly board digest PDF: the whole network on two to four A4 pages.

What the coordination board reads on Monday morning: the headline figures (agreements signed
this year and in force, students and credits, the fund's money per currency, films released
abroad against the network's target, open and overdue steps), one compact funnel per lifecycle,
how long open steps have waited, the fifteen that have waited longest and who they wait on, the
ten slowest step types by their median per country, and a row per country.

Every figure is printed as `store.board` computed it (the same read model the overview page
reads), for the moment the digest is *of*: the schedule's start, not the moment it was rendered,
so a re-render shows the same numbers. Headings are in English, the board's working language;
titles and names print in whatever script they were given.

Rendering goes through `documents.render.render_html` like every other document: autoescaped
jinja2 (an item called `<script>` or `{{ 7*7 }}` prints literally), the bundled fonts only, and
the sha256 of the data in every page's footer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from documents.render import render_html
from domain.board import ITEM_TYPE_LABELS, LIFECYCLE_LABELS, CountryRow, Funnel, OpenStep, Overview, StepMedian
from domain.board_digest import DigestContent, digest_title
from domain.grants.money import format_money
from domain.reference import COUNTRIES

# Agreements in force (or executed and waiting for their effective date): the store's country table counts the same.
ACTIVE_PHASES = ("active", "renewal", "terminating", "pending")
PHASE_ORDER = ("draft", "review", "approval", "signing", "executing", "pending", "active", "renewal", "terminating",
               "expired", "terminated", "voided")  # fmt: skip

STEP_KIND_NAMES = {
    "review": "review",
    "approve": "approval",
    "sign": "signature",
    "renew": "renewal",
    "decide": "department decision",
    "answer": "answer",
    "confirm": "grade confirmation",
    "authorize": "authorization",
    "screen": "screening",
    "score": "panel score",
    "vote": "board vote",
    "report": "report",
    "release": "release step",
}


def _country(code: str | None) -> str:
    if not code:
        return "—"
    c = COUNTRIES.get(code.upper())
    return c.name("en") if c else code


def _days(value: float) -> str:
    return f"{value:,.1f}"


def _number(value: Decimal | int) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"
    return f"{value:,}"


def _moment(dt: datetime) -> str:
    aware = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")  # minutes are enough for a week


def data_sha256(content: DigestContent) -> str:
    """The hash of what the digest was rendered from, printed in every page's footer."""
    payload = json.dumps(content.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


# ---------------------------------------------------------------- sections (pure)


def headline(o: Overview) -> list[dict[str, str]]:
    """The figures on top, each with a line of detail."""
    phases = o.agreements_by_phase
    by_phase = ", ".join(
        f"{p} {phases[p]}" for p in sorted(phases, key=lambda p: (PHASE_ORDER.index(p) if p in PHASE_ORDER else 99, p))
    )
    p, r = o.programs, o.releases
    rows = [
        {"label": "Agreements signed this year", "value": _number(o.agreements_signed_this_year),
         "detail": f"executed since 1 January {r.year or o.as_of.year}"},
        {"label": "Active agreements", "value": _number(sum(phases.get(ph, 0) for ph in ACTIVE_PHASES)),
         "detail": f"by phase: {by_phase}" if by_phase else "no agreements yet"},
        {"label": "Students", "value": _number(p.students),
         "detail": f"{p.programs} program{'s' if p.programs != 1 else ''}, {p.students_complete} completed both degrees"},
        {"label": "Credits posted", "value": _number(p.credits_posted),
         "detail": f"{_number(p.credits_approved)} approved; {p.transfers_open} transfer{'s' if p.transfers_open != 1 else ''} open"},
    ]  # fmt: skip
    for m in o.money:
        rows.append({
            "label": f"Money committed / disbursed ({m.currency})",
            "value": f"{format_money(m.committed, m.currency)} / {format_money(m.disbursed, m.currency)}",
            "detail": f"budget {format_money(m.budget, m.currency)}, remaining {format_money(m.remaining, m.currency)}"
                      + (f", clawed back {format_money(m.clawed_back, m.currency)}" if m.clawed_back else ""),
        })  # fmt: skip
    if not o.money:
        rows.append({"label": "Money committed / disbursed", "value": "—", "detail": "no fund has money yet"})
    rows += [
        {"label": "Grant applications / grants", "value": f"{o.applications} / {o.grants}", "detail": "received / awarded"},
        {"label": f"Films released abroad in {r.year}", "value": f"{r.films_abroad} of {r.target}",
         "detail": f"the network's target; {r.released} releases, {r.licensed} licences signed, {r.declined} declined or refused"},
        {"label": "Open steps", "value": _number(o.open_steps),
         "detail": f"{o.overdue_steps} overdue" if o.overdue_steps else "none overdue"},
    ]  # fmt: skip
    return rows


def funnel_table(f: Funnel) -> dict[str, Any]:
    """A funnel's stages with each stage's share of the first (items entering the lifecycle)."""
    first = f.steps[0].count if f.steps else 0
    return {
        "lifecycle": LIFECYCLE_LABELS.get(f.lifecycle, str(f.lifecycle)),
        "title": f.title,
        "rows": [{"label": s.label, "count": _number(s.count), "share": f"{100 * s.count / first:.0f}%" if first else "—"}
                 for s in f.steps],
    }  # fmt: skip


def step_rows(steps: Sequence[OpenStep]) -> list[dict[str, Any]]:
    return [
        {
            "item": s.item_title,
            "item_type": ITEM_TYPE_LABELS.get(s.item_type, s.item_type),
            "step": s.label,
            "awaited": ", ".join(s.awaited_names) or "—",
            "country": _country(s.country),
            "days": _days(s.age_days),
            "overdue": s.overdue,
            "due": s.due_at.strftime("%Y-%m-%d"),
        }
        for s in steps
    ]


def median_rows(medians: Sequence[StepMedian]) -> list[dict[str, Any]]:
    return [
        {
            "step": f"{ITEM_TYPE_LABELS.get(m.item_type, m.item_type)}: {STEP_KIND_NAMES.get(m.kind, m.kind)}",
            "where": _country(m.key) if m.by == "country" else m.key,
            "median": _days(m.median_days),
            "steps": m.steps,
        }
        for m in medians
    ]


def country_rows(rows: Sequence[CountryRow]) -> list[dict[str, Any]]:
    return [{"name": _country(r.country), "code": r.country, **r.model_dump(exclude={"country"})} for r in rows]


def digest_context(content: DigestContent) -> dict[str, Any]:
    """What `board_digest.html` prints (pure)."""
    o = content.overview
    title = digest_title(content.digest_id)
    period = f"{_moment(content.period_start)} to {_moment(content.as_of)}"
    return {
        "title": title,
        "html_lang": "en",
        "state_text": f"{content.digest_id} · {period}",
        "digest_id": content.digest_id,
        "scope": o.scope_label,
        "period": period,
        "as_of": _moment(content.as_of),
        "headline": headline(o),
        "funnels": [funnel_table(f) for f in o.funnels],
        "ageing": [{"label": b.label, "count": b.count, "overdue": b.overdue} for b in o.ageing],
        "ageing_total": sum(b.count for b in o.ageing),
        "steps": step_rows(content.open_steps),
        "medians": median_rows(content.medians),
        "countries": country_rows(o.countries),
        "data_sha256": data_sha256(content),
        "audit_head_seq": content.audit_head_seq,
        "audit_head_hash": content.audit_head_hash,
    }


def render_board_digest(content: DigestContent, *, font_cache_dir: Path | None = None) -> tuple[bytes, int]:
    """The week's board digest as (pdf bytes, pages)."""
    return render_html("board_digest.html", digest_context(content), font_cache_dir=font_cache_dir)


__all__ = ["digest_context", "render_board_digest"]
