"""Money, the fund and its calls: exact cents, readable figures, and calls that cannot be misconfigured."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from pydantic import ValidationError

from domain.agreement_rules import Rejected
from domain.grants.funds import Fund, call_problems, check_call
from domain.grants.money import format_money, format_percent, format_share, money_in, round_half_up
from domain.grants.rubric import Criterion, Rubric
from domain.grants.tranches import TrancheSpec, Trigger
from domain.reference import NetworkStatus
from tests.domain.grants.examples import FUND, RUBRIC, main_call, pitch_call

D = Decimal


def test_money_is_printed_with_grouped_thousands_cents_and_the_code() -> None:
    assert format_money(D("1000000"), "USD") == "1,000,000.00 USD"
    assert format_money(D("950000.5"), "USD") == "950,000.50 USD"
    assert format_money(D("0"), "KRW") == "0.00 KRW"
    assert format_share(D("0.3")) == "30%"
    assert format_share(D("0.375")) == "37.5%"
    assert format_share(D(29999) / D(100000)) == "29.99%"  # never printed as meeting 30 %
    assert format_percent(D(40)) == "40%"


def test_amounts_are_exact_cents_and_never_floats() -> None:
    assert money_in("1,200.5") == D("1200.50")
    assert money_in(D("7")) == D("7.00")
    with pytest.raises(Rejected, match=r"not the float 0\.1"):
        money_in(0.1)
    with pytest.raises(Rejected, match="more than two decimals"):
        money_in(D("10.005"))
    with pytest.raises(Rejected, match="cannot be negative"):
        money_in(D("-1"))
    with pytest.raises(Rejected, match="'ten' is not an amount of money"):
        money_in("ten")


def test_rounding_half_up_is_exact_on_fractions() -> None:
    assert round_half_up(Fraction(655, 9)) == D("72.78")
    assert round_half_up(Fraction(72775, 1000)) == D("72.78")  # a true half, not 72.77499…
    assert round_half_up(Fraction(-1, 200)) == D("-0.01")


def test_a_fund_in_an_unknown_currency_or_with_pledges_that_do_not_add_up_is_refused() -> None:
    data = FUND.model_dump()
    with pytest.raises(ValidationError, match="'XYZ' is not an ISO 4217 currency"):
        Fund.model_validate({**data, "currency": "XYZ"})
    with pytest.raises(ValidationError, match=r"contributions add up to 900,000\.00 USD, not the budget of 1,000,000\.00 USD"):
        Fund.model_validate({**data, "sponsors": [{**data["sponsors"][0], "contribution": "500000"}, data["sponsors"][1]]})
    with pytest.raises(ValidationError, match="not the float"):
        Fund.model_validate({**data, "budget": 1000000.0})
    assert Fund.model_validate_json(FUND.model_dump_json()) == FUND


def test_the_example_calls_fit_the_fund() -> None:
    check_call(FUND, main_call())
    check_call(FUND, pitch_call())
    assert main_call().bonuses == {"youth": D(3), "ai_assisted": D(2)}
    assert main_call().statuses_text() == "members, observers, dialogue partners and Korea"
    assert main_call().is_open(date(2026, 3, 31)) and not main_call().is_open(date(2026, 4, 1))
    assert main_call().review_due(date(2026, 4, 6)) == date(2026, 4, 27)
    assert main_call().review_reminders().due_days == 21
    assert main_call().model_validate_json(main_call().model_dump_json()) == main_call()


def test_a_call_that_does_not_fit_its_fund_cannot_be_opened() -> None:
    call = main_call(fund_id="other-fund", currency="EUR", max_amount=D("2000000"))
    assert call_problems(FUND, call) == [
        "the call belongs to fund other-fund, not sco-film-fund-2026",
        "the call is in EUR but the fund keeps its books in USD",
        "the maximum grant of 2,000,000.00 EUR is more than the fund's whole budget of 1,000,000.00 USD",
    ]
    with pytest.raises(Rejected, match="“Co-production grants 2026” cannot be opened: the call belongs to fund other-fund"):
        check_call(FUND, call)


def test_misconfigured_calls_are_refused_with_every_problem() -> None:
    bad_schedule = (
        TrancheSpec(id="signature", label="On signature", percent=D(40), trigger=Trigger.ON_SIGNATURE, due_offset_days=30),
        TrancheSpec(id="signature", label="Again", percent=D(50), trigger=Trigger.ON_SIGNATURE),
    )
    with pytest.raises(ValidationError) as e:
        main_call(closes_on=date(2026, 1, 1), tranche_schedule=bad_schedule, lead_countries=("MN",),
                  eligible_statuses=(NetworkStatus.MEMBER, NetworkStatus.PARTNER))  # fmt: skip
    text = str(e.value)
    assert "the call closes on 2026-01-01, before it opens on 2026-01-15" in text
    assert "lead country MN is not of a status this call is open to" in text
    assert "tranche signature is listed twice" in text
    assert "the tranches add up to 90% of the award, not 100%" in text
    assert "tranche signature falls due before signature, which is paid first" in text
    with pytest.raises(ValidationError, match="maximum grant is larger than the largest budget"):
        pitch_call(max_budget_total=D("10000"))
    with pytest.raises(ValidationError, match="'XX' is not the ISO 3166 code of a network country"):
        main_call(lead_countries=("XX",))


def test_a_tranche_on_a_report_must_say_which_report() -> None:
    with pytest.raises(ValidationError, match="paid on a report: say which"):
        TrancheSpec(id="milestone", label="Milestone", percent=D(40), trigger=Trigger.ON_REPORT)
    with pytest.raises(ValidationError, match="a percentage is more than 0 and at most 100, not 140"):
        TrancheSpec(id="all", label="All", percent=D(140), trigger=Trigger.ON_SIGNATURE)


def test_rubric_weights_must_add_up_to_100() -> None:
    criteria = list(RUBRIC.criteria)
    with pytest.raises(ValidationError, match="the criteria's weights add up to 90, not 100"):
        Rubric(criteria=(*criteria[:3], criteria[3].model_copy(update={"weight": D(10)})))
    with pytest.raises(ValidationError, match="criterion artistic_merit is listed twice"):
        Rubric(criteria=(criteria[0], criteria[0], *criteria[1:]))
    with pytest.raises(ValidationError, match="the scale's minimum 10 must be below its maximum 1"):
        Criterion(id="pace", names={"en": "Pace"}, weight=D(100), scale_min=D(10), scale_max=D(1))
