"""Requests for the fund's documents and activities, built on the 2026 round (tests/domain/grants/examples.py).

Silk Road Signals (kr-uz-youth-ai, Seoul Youth Film Lab) is awarded 45,000.00 USD of the 50,000.00
requested, by 5 votes to 1 with 1 abstention; its tranches are 40 / 40 / 20 % of that. Harbour
Lights (kr-solo) is refused. For the scripts, the Korean lead is also given its Korean name and
The Long Steppe's Indian lead a Hindi one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from domain.grants.applications import Application, TeamCompany
from domain.grants.board import Decision, Outcome
from domain.grants.ledger import Ledger
from domain.grants.process import FundStatementRequest, LetterKind, LetterRequest, PaymentRequest
from domain.grants.tranches import Tranche, approve_report, schedule, submit_report
from domain.parties import PersonRef
from tests.domain.grants.examples import FUND, application, application_data, main_call

D = Decimal
ISSUED = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
SIGNED = date(2026, 6, 1)
HOSTILE = "<b>Bold</b> & {{ 7*7 }}"
KOREAN_LEAD = "서울청소년영화연구소"
HINDI_LEAD = "कमल पिक्चर्स"

AWARD_DECISION = Decision(
    outcome=Outcome.AWARD, amount=D("45000"), approve=5, reject=1, abstain=1, members=7, quorum=4,
    summary="Awarded 45,000.00 USD by 5 votes to 1, with 1 abstention (quorum 4 of 7).",
)  # fmt: skip

FUND_MANAGER = PersonRef(id="fm-rahimova", name="Nodira Rahimova", email="fm@sco-film-fund.example", title="Fund manager")


def renamed(key: str, lead_name: str) -> Application:
    """An application of the round with its lead company renamed (another script, hostile text…)."""
    data: dict[str, Any] = application_data(key)
    team = [dict(c) for c in data["team"]]
    team[0]["name"] = lead_name
    return application(key, team=team)


def award_request(app: Application | None = None, **changes: Any) -> LetterRequest:
    data: dict[str, Any] = {
        "kind": LetterKind.AWARD,
        "fund": FUND,
        "call": main_call(),
        "application": app or application("kr-uz-youth-ai"),
        "decision": AWARD_DECISION,
        "issued_at": ISSUED,
    }
    return LetterRequest(**{**data, **changes})


def rejection_request(**changes: Any) -> LetterRequest:
    data: dict[str, Any] = {
        "kind": LetterKind.REJECTION,
        "fund": FUND,
        "call": main_call(),
        "application": application("kr-solo"),
        "reasons": [
            "The team spans 1 eligible country (KR); the call asks for at least 2.",
            "The panel found the financing plan relies on unconfirmed sources.",
        ],
        "score": D("61.25"),
        "issued_at": ISSUED,
    }
    return LetterRequest(**{**data, **changes})


def tranches(amount: str = "45000") -> list[Tranche]:
    """The award's tranches with the milestone report approved by the fund manager."""
    ts = schedule(D(amount), main_call().tranche_schedule, SIGNED)
    milestone = submit_report(ts[1], ts[1].report_kind, date(2026, 11, 20), "report-sha")  # type: ignore[arg-type]
    ts[1] = approve_report(milestone, date(2026, 11, 27), FUND_MANAGER.id)
    return ts


def payment_request(
    key: str = "grant-kr-uz-youth-ai/tranche/signature", tranche: int | Tranche = 0, **changes: Any
) -> PaymentRequest:
    """A payment of Silk Road Signals' tranche (0 signature, 1 milestone, 2 delivery, or a `Tranche`)."""
    app = changes.pop("application", None) or application("kr-uz-youth-ai")
    t = tranches()[tranche] if isinstance(tranche, int) else tranche
    data: dict[str, Any] = {
        "key": key,
        "fund": FUND,
        "call_id": app.call_id,
        "application_id": app.id,
        "award_id": f"award-{app.id}",
        "project_title": app.project.title,
        "tranche": t,
        "payee": app.lead,
        "approved_by": FUND_MANAGER if t.report_approved_on else None,
        "issued_at": ISSUED,
    }
    return PaymentRequest(**{**data, **changes})


def payee(name: str, country: str = "IN", org: str = "kamal-pictures") -> TeamCompany:
    return TeamCompany(organisation_id=org, name=name, country=country, role="lead", share=D(100))


def books() -> Ledger:
    """Two awards: Silk Road Signals paid its first tranche; The Long Steppe cut by amendment, a clawback on it."""
    return (
        Ledger.open(FUND)
        .commit("award-kr-uz-youth-ai", D("45000"))
        .release("award-kr-uz-youth-ai", "signature", D("18000"))
        .commit("award-in-kz-drama", D("120000"))
        .release("award-in-kz-drama", "signature", D("48000"))
        .amend("award-in-kz-drama", D("110000"))
        .clawback("award-in-kz-drama", D("2500.50"), "Ineligible costs in the milestone report", reference="CB-1")
    )


def statement_request(**changes: Any) -> FundStatementRequest:
    data: dict[str, Any] = {
        "fund": FUND,
        "ledger": books(),
        "award_titles": {"award-kr-uz-youth-ai": "Silk Road Signals", "award-in-kz-drama": "The Long Steppe"},
        "issued_at": ISSUED,
    }
    return FundStatementRequest(**{**data, **changes})
