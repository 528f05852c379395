"""Co-production fund PDFs: award and rejection letters, payment instructions, the fund statement.

These are the fund's outgoing paper: what a producer keeps, what the fund's bank acts on, what
sponsors audit. So every figure is printed exactly as the domain computed it — money through
`domain.grants.money.format_money` (grouped thousands, two decimals, the ISO code after, which
reads the same in every language), tranche amounts through `domain.grants.tranches.split` (the
parts add up to the award to the cent) and the statement's figures straight from
`Ledger.figures()`, `accounts()` and `statement()` — so a letter, the grant page and the books
cannot disagree.

Headings are bilingual where the reader's language is known: English above, and below it the
language of the lead applicant's country for letters and instructions (Korean for KR, Chinese for
CN, Russian for the Russian-speaking members) or the fund's own second language for its statement.
Sentences of substance (next steps, reasons, the once-only line) are in English, the fund's
working language for contracts; names and titles print in whatever script they were given.

Rendering goes through `documents.render`: the same autoescaped jinja2 environment (a company
called `<b>Acme</b>` prints literally), the same bundled fonts (Hangul, Han, Cyrillic,
Devanagari, Arabic) and the same fetcher that loads nothing but `helix-asset:` URLs. Every page's
footer carries the sha256 of the data the document was rendered from, so a printed copy can be
matched to the request that produced it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from documents.render import _LANG_TAGS, render_html, utc
from domain.grants.applications import ROLE_NAMES, Application
from domain.grants.funds import Fund, GrantCall
from domain.grants.ledger import EntryKind
from domain.grants.money import format_money, format_percent
from domain.grants.process import FundStatementRequest, LetterKind, LetterRequest, PaymentRequest
from domain.grants.tranches import REPORT_NAMES, TrancheSpec, Trigger, split
from domain.reference import COUNTRIES

# The second heading language for a reader in each country; countries not listed read English only.
COUNTRY_LANGUAGE = {"KR": "ko", "CN": "zh", "RU": "ru", "KZ": "ru", "KG": "ru", "TJ": "ru", "UZ": "ru", "BY": "ru"}

LABELS: dict[str, dict[str, str]] = {
    "award_letter": {"en": "Grant award letter", "ko": "지원금 선정 통지서", "ru": "Уведомление о предоставлении гранта", "zh": "资助授予通知书"},
    "rejection_letter": {"en": "Decision on your application", "ko": "지원 신청 심사 결과", "ru": "Решение по вашей заявке", "zh": "申请评审结果"},
    "payment_instruction": {"en": "Payment instruction", "ko": "지급 지시서", "ru": "Платёжное поручение", "zh": "付款指令"},
    "fund_statement": {"en": "Fund statement", "ko": "기금 명세서", "ru": "Выписка по фонду", "zh": "基金报表"},
    "to": {"en": "To", "ko": "수신", "ru": "Кому", "zh": "致"},
    "contact": {"en": "Contact", "ko": "담당자", "ru": "Контактное лицо", "zh": "联系人"},
    "project": {"en": "Project", "ko": "작품", "ru": "Проект", "zh": "项目"},
    "call": {"en": "Call", "ko": "공모", "ru": "Конкурс", "zh": "征集"},
    "fund": {"en": "Fund", "ko": "기금", "ru": "Фонд", "zh": "基金"},
    "application": {"en": "Application", "ko": "신청 번호", "ru": "Заявка", "zh": "申请编号"},
    "amount_awarded": {"en": "Amount awarded", "ko": "지원 금액", "ru": "Сумма гранта", "zh": "资助金额"},
    "amount_requested": {"en": "Amount requested", "ko": "신청 금액", "ru": "Запрошенная сумма", "zh": "申请金额"},
    "schedule": {"en": "Payment schedule", "ko": "지급 일정", "ru": "График выплат", "zh": "付款安排"},
    "tranche": {"en": "Tranche", "ko": "회차", "ru": "Транш", "zh": "分期"},
    "share": {"en": "Share", "ko": "비율", "ru": "Доля", "zh": "比例"},
    "amount": {"en": "Amount", "ko": "금액", "ru": "Сумма", "zh": "金额"},
    "paid_when": {"en": "Paid", "ko": "지급 조건", "ru": "Условие выплаты", "zh": "支付条件"},
    "due": {"en": "Due", "ko": "기한", "ru": "Срок", "zh": "期限"},
    "next_steps": {"en": "Next steps", "ko": "다음 절차", "ru": "Дальнейшие шаги", "zh": "后续步骤"},
    "board_decision": {"en": "Board decision", "ko": "이사회 결정", "ru": "Решение правления", "zh": "理事会决定"},
    "reasons": {"en": "Reasons", "ko": "사유", "ru": "Причины", "zh": "理由"},
    "score": {"en": "Panel score", "ko": "심사 점수", "ru": "Оценка экспертов", "zh": "评审得分"},
    "reapply": {"en": "Applying again", "ko": "재신청 안내", "ru": "Повторная подача", "zh": "再次申请"},
    "issued": {"en": "Issued", "ko": "발행일", "ru": "Дата выдачи", "zh": "签发日期"},
    "data_hash": {"en": "Data sha256", "ko": "데이터 sha256", "ru": "sha256 данных", "zh": "数据 sha256"},
    "instruction_number": {"en": "Instruction number", "ko": "지시 번호", "ru": "Номер поручения", "zh": "指令编号"},
    "payee": {"en": "Payee", "ko": "수취인", "ru": "Получатель", "zh": "收款人"},
    "country": {"en": "Country", "ko": "국가", "ru": "Страна", "zh": "国家"},
    "award": {"en": "Award", "ko": "지원 번호", "ru": "Грант", "zh": "资助编号"},
    "report_approved": {"en": "Report approved by", "ko": "보고서 승인자", "ru": "Отчёт утвердил(а)", "zh": "报告批准人"},
    "budget": {"en": "Budget", "ko": "예산", "ru": "Бюджет", "zh": "预算"},
    "figures": {"en": "Figures", "ko": "현황", "ru": "Показатели", "zh": "数据"},
    "awards": {"en": "Awards", "ko": "지원 내역", "ru": "Гранты", "zh": "资助项目"},
    "committed": {"en": "Committed", "ko": "약정액", "ru": "Обязательства", "zh": "已承诺"},
    "released": {"en": "Released", "ko": "지급액", "ru": "Выплачено", "zh": "已拨付"},
    "clawed_back": {"en": "Clawed back", "ko": "환수액", "ru": "Возвращено", "zh": "已追回"},
    "outstanding": {"en": "Outstanding", "ko": "미지급액", "ru": "К выплате", "zh": "待拨付"},
    "remaining": {"en": "Remaining", "ko": "잔액", "ru": "Остаток", "zh": "余额"},
    "journal": {"en": "Journal", "ko": "거래 내역", "ru": "Журнал операций", "zh": "流水账"},
    "entry": {"en": "Entry", "ko": "내용", "ru": "Запись", "zh": "条目"},
    "no_entries": {"en": "Nothing has been recorded in the books yet.", "ko": "기록된 거래가 없습니다.", "ru": "Записей пока нет.", "zh": "尚无记录。"},
}  # fmt: skip

_ENTRY_NAMES = {
    EntryKind.COMMIT: "commitment",
    EntryKind.RELEASE: "release",
    EntryKind.AMEND: "amendment",
    EntryKind.CANCEL: "cancellation",
    EntryKind.CLAWBACK: "clawback",
}


def _tag(lang: str) -> str:
    return _LANG_TAGS.get(lang, lang)


def _pairs(texts: Mapping[str, str], langs: Sequence[str]) -> list[dict[str, str]]:
    """One entry per language, dropping a repeat (a language falling back to the English text)."""
    out: list[dict[str, str]] = []
    for lang in langs:
        text = texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")
        if text and all(text != o["text"] for o in out):
            out.append({"lang": _tag(lang), "text": text})
    return out


def _labels(langs: Sequence[str]) -> dict[str, list[dict[str, str]]]:
    return {key: _pairs(texts, langs) for key, texts in LABELS.items()}


def reader_languages(country: str) -> list[str]:
    """English, then the language of a reader in `country` if the documents have headings in it."""
    second = COUNTRY_LANGUAGE.get(country.upper())
    return ["en", second] if second else ["en"]


def _fund_languages(fund: Fund) -> list[str]:
    """English, then the first other language the fund is named in that headings exist for."""
    second = next((lang for lang in fund.names if lang != "en" and lang in LABELS["fund"]), None)
    return ["en", second] if second else ["en"]


def _data_sha256(*parts: object) -> str:
    """The hash of what a document was rendered from, printed in every page's footer."""
    payload = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _country(code: str) -> str:
    c = COUNTRIES.get(code.upper())
    return c.name("en") if c else code


def _common(langs: list[str], fund: Fund, issued_at: datetime) -> dict[str, Any]:
    return {
        "langs": langs,
        "html_lang": "en",
        "L": _labels(langs),
        "fund_names": _pairs(fund.names, langs),
        "fund_id": fund.id,
        "issued_at": utc(issued_at),
    }


# ---------------------------------------------------------------- letters


def _trigger_text(spec: TrancheSpec) -> str:
    if spec.trigger is Trigger.ON_SIGNATURE:
        return "on signature of the grant agreement"
    assert spec.report_kind is not None  # TrancheSpec refuses a report trigger without its kind
    return f"on approval of the {REPORT_NAMES[spec.report_kind]}"


def _due_text(spec: TrancheSpec) -> str:
    if spec.due_offset_days == 0:
        return "at signature"
    return f"{spec.due_offset_days} days after signature"


def schedule_rows(call: GrantCall, amount: Decimal, currency: str) -> list[dict[str, str]]:
    """The call's payment template applied to `amount`: the parts add up to it exactly."""
    specs = call.tranche_schedule
    parts = split(amount, [s.percent for s in specs])
    return [
        {
            "label": s.label,
            "percent": format_percent(s.percent),
            "amount": format_money(part, currency),
            "trigger": _trigger_text(s),
            "report": REPORT_NAMES[s.report_kind] if s.report_kind else "none",
            "due": _due_text(s),
        }
        for s, part in zip(specs, parts, strict=True)
    ]


def awarded_amount(req: LetterRequest) -> Decimal:
    """The amount the letter announces: as given, else the board's, else the request."""
    if req.amount is not None:
        return req.amount
    if req.decision is not None and req.decision.amount is not None:
        return req.decision.amount
    return req.application.requested_amount


def _applicant(app: Application) -> dict[str, Any]:
    lead = app.lead
    return {
        "company": lead.name,
        "organisation_id": lead.organisation_id,
        "country": _country(lead.country),
        "contact": app.contact.name,
        "contact_email": app.contact.email,
        "team": [{"name": c.name, "country": _country(c.country), "role": ROLE_NAMES[c.role]} for c in app.team],
    }


def letter_context(req: LetterRequest) -> dict[str, Any]:
    """What `grant_award_letter.html` / `grant_rejection_letter.html` print (pure)."""
    app, call, fund = req.application, req.call, req.fund
    langs = reader_languages(app.lead_country)
    common = _common(langs, fund, req.issued_at)
    currency = fund.currency
    award = req.kind is LetterKind.AWARD
    amount = awarded_amount(req) if award else None
    title_key = "award_letter" if award else "rejection_letter"
    return {
        **common,
        "title": f"{LABELS[title_key]['en']} — {app.project.title}",
        "state_text": f"{fund.name()} — {'award' if award else 'decision'}, issued {common['issued_at']}",
        "heading": common["L"][title_key],
        "applicant": _applicant(app),
        "project": {"title": app.project.title, "original_title": app.project.original_title},
        "call_names": _pairs(call.title, langs),
        "call_id": call.id,
        "application_id": app.id,
        "requested": format_money(app.requested_amount, app.currency),
        "amount": format_money(amount, currency) if amount is not None else "",
        "schedule": schedule_rows(call, amount, currency) if amount is not None else [],
        "decision": req.decision.summary if req.decision is not None else "",
        "reasons": [r.strip() for r in req.reasons if r.strip()],
        "score": None if req.score is None else f"{req.score}",
        "data_sha256": _data_sha256(title_key, req.model_dump(mode="json")),
    }


def render_award_letter(req: LetterRequest, *, font_cache_dir: Path | None = None) -> tuple[bytes, int]:
    """The award letter to the lead applicant as (pdf bytes, pages): amount, tranches, next steps."""
    if req.kind is not LetterKind.AWARD:
        raise ValueError(f"render_award_letter was given a {req.kind.value}; use render_rejection_letter")
    return render_html("grant_award_letter.html", letter_context(req), font_cache_dir=font_cache_dir)


def render_rejection_letter(req: LetterRequest, *, font_cache_dir: Path | None = None) -> tuple[bytes, int]:
    """The rejection letter: the reasons, the panel's score if it was reviewed, how to apply again."""
    if req.kind is not LetterKind.REJECTION:
        raise ValueError(f"render_rejection_letter was given a {req.kind.value}; use render_award_letter")
    return render_html("grant_rejection_letter.html", letter_context(req), font_cache_dir=font_cache_dir)


def render_letter(req: LetterRequest, *, font_cache_dir: Path | None = None) -> tuple[bytes, int]:
    """The award or the rejection letter, as `req.kind` says."""
    render = render_award_letter if req.kind is LetterKind.AWARD else render_rejection_letter
    return render(req, font_cache_dir=font_cache_dir)


# ---------------------------------------------------------------- payment instruction


def payment_context(req: PaymentRequest, reference: str) -> dict[str, Any]:
    """What `grant_payment_instruction.html` prints (pure)."""
    langs = reader_languages(req.payee.country)
    common = _common(langs, req.fund, req.issued_at)
    t = req.tranche
    if req.approved_by is not None:
        approved = req.approved_by.name + (f", {req.approved_by.title}" if req.approved_by.title else "")
    else:
        approved = t.report_approved_by or ""
    if approved and t.report_approved_on is not None:
        approved += f" on {t.report_approved_on.isoformat()}"
    return {
        **common,
        "title": f"{LABELS['payment_instruction']['en']} {reference}",
        "state_text": f"{reference} — issued {common['issued_at']}",
        "reference": reference,
        "payee": {"name": req.payee.name, "organisation_id": req.payee.organisation_id, "country": _country(req.payee.country)},
        "project": req.project_title,
        "call_id": req.call_id,
        "application_id": req.application_id,
        "award_id": req.award_id,
        "tranche": {"id": t.id, "label": t.label, "percent": format_percent(t.percent),
                    "trigger": "on signature" if t.trigger is Trigger.ON_SIGNATURE else f"on the {t.report_name}"},
        "amount": format_money(t.amount, req.fund.currency),
        "approved_by": approved,
        "once": "This instruction is issued once; its number is unique.",
        "data_sha256": _data_sha256("payment_instruction", reference, req.model_dump(mode="json")),
    }  # fmt: skip


def render_payment_instruction(req: PaymentRequest, reference: str, *, font_cache_dir: Path | None = None) -> tuple[bytes, int]:
    """The payment instruction for one tranche, numbered `reference` (e.g. PAY-2026-000012)."""
    return render_html("grant_payment_instruction.html", payment_context(req, reference), font_cache_dir=font_cache_dir)


# ---------------------------------------------------------------- fund statement


def statement_context(req: FundStatementRequest) -> dict[str, Any]:
    """What `grant_fund_statement.html` prints (pure): the figures, each award, the journal."""
    fund, ledger = req.fund, req.ledger
    langs = _fund_languages(fund)
    common = _common(langs, fund, req.issued_at)
    c = ledger.currency
    f = ledger.figures()
    figures = [
        ("budget", f.budget), ("committed", f.committed), ("released", f.released),
        ("outstanding", f.outstanding), ("remaining", f.remaining), ("clawed_back", f.clawed_back),
    ]  # fmt: skip
    accounts = [
        {
            "award_id": a.award_id,
            "title": req.award_titles.get(a.award_id, ""),
            "committed": format_money(a.committed, c),
            "released": format_money(a.released, c),
            "clawed_back": format_money(a.clawed_back, c),
            "outstanding": format_money(a.outstanding, c),
            "cancelled": a.cancelled,
        }
        for a in sorted(ledger.accounts().values(), key=lambda a: a.award_id)
    ]
    journal = [
        {
            "seq": line.seq,
            "kind": _ENTRY_NAMES[line.kind],
            "text": line.text,
            "title": req.award_titles.get(line.award_id, ""),
            "amount": format_money(line.amount, c),
            "committed": format_money(line.committed, c),
            "released": format_money(line.released, c),
            "remaining": format_money(line.remaining, c),
        }
        for line in ledger.statement()
    ]
    return {
        **common,
        "title": f"{LABELS['fund_statement']['en']} — {fund.name()}",
        "state_text": f"{fund.id} — as of {common['issued_at']}",
        "budget": format_money(fund.budget, fund.currency),
        "figures": [{"key": k, "amount": format_money(v, c)} for k, v in figures],
        "figure_lines": f.lines(),
        "sponsors": [
            {"name": s.name, "contribution": format_money(s.contribution, fund.currency) if s.contribution is not None else ""}
            for s in fund.sponsors
        ],
        "accounts": accounts,
        "journal": journal,
        "data_sha256": _data_sha256("fund_statement", req.model_dump(mode="json")),
    }


def render_fund_statement(req: FundStatementRequest, *, font_cache_dir: Path | None = None) -> tuple[bytes, int]:
    """The fund statement as (pdf bytes, pages): figures, every award's account, the journal."""
    return render_html("grant_fund_statement.html", statement_context(req), font_cache_dir=font_cache_dir)


__all__ = [
    "LABELS",
    "awarded_amount",
    "letter_context",
    "payment_context",
    "reader_languages",
    "render_award_letter",
    "render_fund_statement",
    "render_letter",
    "render_payment_instruction",
    "render_rejection_letter",
    "schedule_rows",
    "statement_context",
]
