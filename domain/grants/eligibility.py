"""The automatic eligibility check of an application against its call, with reasons a person reads.

Every check is run and reported, passed or not, so the fund manager's screening sees the whole
picture and the applicant's letter lists every reason at once rather than one per resubmission.
A check only fails on the rules of the call; malformed applications never get here (they are
refused at submission by `domain.grants.applications`).

Worked reasons, as the letters print them:
- "The team spans only one eligible country (KR); the call needs at least two."
- "Matching funds cover 10% of the budget (15,000.00 of 150,000.00 USD); the call needs at least 30%."
- "The request of 180,000.00 USD is above the call's maximum of 150,000.00 USD."

Matching funds are the financing from sources other than this fund (the producers' own money
included), as a share of the budget total; shares are compared exactly and printed rounded down,
so 29.999 % never reads as meeting 30 %.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from domain.grants.applications import Application, financing_problems
from domain.grants.funds import GrantCall, Track
from domain.grants.money import format_amount, format_money, format_share, share_of
from domain.reference import COUNTRIES

NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def count_word(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


class Check(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str  # stable id: countries, lead_country, amount, matching, budget, call, open, track, priorities
    passed: bool
    detail: str


class EligibilityResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    eligible: bool
    reasons: list[str]  # the failed checks' sentences, in check order
    checks: list[Check]
    notes: list[str] = []  # things worth knowing that do not make the application ineligible


def _country_list(codes: list[str]) -> str:
    return ", ".join(codes)


def check_eligibility(app: Application, call: GrantCall, submitted_on: date) -> EligibilityResult:
    """Run every rule of the call on the application submitted on `submitted_on`."""
    checks: list[Check] = []
    notes: list[str] = []
    cur = call.currency

    def add(name: str, passed: bool, detail: str) -> None:
        checks.append(Check(name=name, passed=passed, detail=_sentence(detail)))

    # the right call, in the right currency
    same_call = app.call_id == call.id and app.currency == call.currency
    add(
        "call",
        same_call,
        f"the application is for {call.id}, in {cur}"
        if same_call
        else (
            f"the application is for call {app.call_id}, not {call.id}"
            if app.call_id != call.id
            else f"the application is in {app.currency}, but the call's grants are in {cur}; give every amount in {cur}"
        ),
    )

    # on time
    on_time = call.is_open(submitted_on)
    add(
        "open",
        on_time,
        f"submitted on {submitted_on}, while the call was open ({call.opens_on} to {call.closes_on})"
        if on_time
        else (
            f"the application was submitted on {submitted_on}, before the call opened on {call.opens_on}"
            if submitted_on < call.opens_on
            else f"the application was submitted on {submitted_on}, after the deadline of {call.closes_on}"
        ),
    )

    # countries
    eligible = sorted({c.country for c in app.team if COUNTRIES[c.country].status in call.eligible_statuses})
    others = sorted(set(app.countries) - set(eligible))
    n, need = len(eligible), call.min_countries
    spans = f"the team spans {count_word(n)} eligible {'country' if n == 1 else 'countries'}"
    if n >= need:
        detail = f"{spans} ({_country_list(eligible)}); the call needs at least {count_word(need)}"
    elif n == 0:
        detail = f"the team spans no eligible country; the call needs at least {count_word(need)}"
    else:
        detail = f"the team spans only {count_word(n)} eligible {'country' if n == 1 else 'countries'} ({_country_list(eligible)}); the call needs at least {count_word(need)}"
    if others and n < need:
        detail += f". {_country_list(others)} {'does' if len(others) == 1 else 'do'} not count: this call is open to {call.statuses_text()}"
    add("countries", n >= need, detail)

    # the lead's country
    lead = app.lead
    lead_status_ok = COUNTRIES[lead.country].status in call.eligible_statuses
    lead_listed = call.lead_countries is None or lead.country in call.lead_countries
    where = COUNTRIES[lead.country].name()
    if not lead_status_ok:
        detail = (
            f"the lead applicant {lead.name} is based in {where} ({lead.country}); this call is open to {call.statuses_text()}"
        )
    elif not lead_listed:
        detail = (
            f"the lead applicant {lead.name} is based in {where} ({lead.country}); this call takes lead applicants from"
            f" {_country_list(list(call.lead_countries or ()))} only"
        )
    else:
        detail = f"the lead applicant {lead.name} is based in {where} ({lead.country})"
    add("lead_country", lead_status_ok and lead_listed, detail)

    # the amount
    within = app.requested_amount <= call.max_amount
    add(
        "amount",
        within,
        f"the request of {format_money(app.requested_amount, cur)} is"
        + (" within" if within else " above")
        + f" the call's maximum of {format_money(call.max_amount, cur)}",
    )

    # matching funds
    budget = app.budget_total
    matching = app.matching(confirmed_only=call.matching_must_be_confirmed)
    share = share_of(matching, budget)
    enough = share >= call.matching_share
    which = "Confirmed matching funds" if call.matching_must_be_confirmed else "Matching funds"
    add(
        "matching",
        enough,
        f"{which} cover {format_share(share)} of the budget ({format_amount(matching)} of {format_money(budget, cur)});"
        f" the call needs at least {format_share(call.matching_share)}",
    )

    # budget coherence (guaranteed by the form, reported for completeness)
    problems = financing_problems(app)
    add(
        "budget",
        not problems,
        "; ".join(problems) if problems else f"the financing plan covers the budget of {format_money(budget, cur)}",
    )

    # track limits
    track_problems: list[str] = []
    if call.max_budget_total is not None and budget > call.max_budget_total:
        track_problems.append(
            f"the project's budget of {format_money(budget, cur)} is above the {format_money(call.max_budget_total, cur)}"
            f" this {'pitching-session call' if call.track is Track.PITCHING else 'call'} takes"
        )
    if call.allowed_formats is not None and app.project.format not in call.allowed_formats:
        allowed = ", ".join(f.value.replace("_", " ") for f in call.allowed_formats)
        track_problems.append(f"this call takes {allowed} projects, not a {app.project.format.value.replace('_', ' ')}")
    add(
        "track",
        not track_problems,
        "; ".join(track_problems) if track_problems else f"within the limits of the {call.track.value} track",
    )

    # priorities: never a reason to refuse, but an unknown claim earns nothing
    unknown = [p for p in app.priorities if p not in call.bonuses]
    if unknown:
        one = len(unknown) == 1
        notes.append(
            f"The claimed {'priority' if one else 'priorities'} {', '.join(unknown)} {'is' if one else 'are'} not among this call's"
            f" and {'earns' if one else 'earn'} no bonus."
        )

    failed = [c for c in checks if not c.passed]
    return EligibilityResult(eligible=not failed, reasons=[c.detail for c in failed], checks=checks, notes=notes)
