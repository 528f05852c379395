"""Malformed applications are refused at submission, each with a message naming the field and the fix."""

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from domain.grants.applications import Application, validation_messages
from tests.domain.grants.examples import DATA, application, application_data, company, line, source

D = Decimal


def messages(**changes: Any) -> list[str]:
    with pytest.raises(ValidationError) as e:
        Application.model_validate(application_data("in-kz-drama", **changes))
    return validation_messages(e.value)


def test_the_example_applications_are_well_formed() -> None:
    for key in DATA:
        app = application(key)
        assert app.financing_total == app.budget_total
        assert Application.model_validate_json(app.model_dump_json()) == app
    drama = application("in-kz-drama")
    assert drama.lead.name == "Mumbai Talkies Pvt Ltd"
    assert drama.lead_country == "IN"
    assert drama.countries == ["IN", "KZ"]
    assert drama.budget_total == D("600000.00")
    assert drama.matching() == D("480000.00")
    assert drama.from_this_fund == D("120000.00")


def test_negative_and_inexact_amounts_are_refused_where_they_are() -> None:
    budget = [line("pre_production", "-60000"), line("production", "400000.005")]
    assert messages(budget=budget) == [
        "budget.0.amount: an amount cannot be negative (-60000)",
        "budget.1.amount: 400000.005 has more than two decimals; amounts are in whole cents",
    ]
    assert messages(requested_amount=120000.0) == [
        "requested_amount: give money as a string or a Decimal, not the float 120000.0, which binary cannot hold exactly"
    ]
    assert messages(requested_amount="0") == ["requested_amount: an amount must be more than zero"]


def test_a_financing_plan_must_cover_the_budget_and_count_the_request() -> None:
    financing = [source("SCO Film Co-production Fund", "fund", "100000"), source("Mumbai Talkies equity", "own", "120000")]
    assert messages(financing=financing) == [
        "application: the financing plan adds up to 220,000.00 USD but the budget to 600,000.00 USD; the plan must cover the budget"
        " exactly; the financing plan counts 100,000.00 USD from this fund but the request is 120,000.00 USD"
    ]


def test_a_request_larger_than_the_budget_is_refused() -> None:
    out = messages(requested_amount="700000", financing=[source("SCO Film Co-production Fund", "fund", "700000")])
    assert out == [
        "application: the financing plan adds up to 700,000.00 USD but the budget to 600,000.00 USD; the plan must cover the budget"
        " exactly; the request of 700,000.00 USD is more than the whole budget of 600,000.00 USD"
    ]


def test_the_team_is_checked_as_a_whole() -> None:
    assert messages(team=[]) == ["team: the team is empty: list the lead applicant and every co-producing company"]
    lead = company("mumbai-talkies", "Mumbai Talkies Pvt Ltd", "IN", "lead", "60")
    assert messages(team=[lead, lead]) == [
        "team: only one company can be the lead applicant, not Mumbai Talkies Pvt Ltd, Mumbai Talkies Pvt Ltd;"
        " company mumbai-talkies is listed more than once; list each company once with its whole share;"
        " the co-production shares add up to 120%, not 100%"
    ]
    co = company("kazakhfilm", "Kazakhfilm Studios", "KZ", "co_producer", "40")
    assert messages(team=[{**lead, "role": "co_producer"}, co]) == [
        "team: name exactly one company as the lead applicant (role 'lead')"
    ]


def test_unknown_country_codes_are_refused_with_examples() -> None:
    team = [
        company("mumbai-talkies", "Mumbai Talkies Pvt Ltd", "IN", "lead", "60"),
        company("paris-films", "Paris Films", "FR", "co_producer", "40"),
    ]
    assert messages(team=team) == [
        "team.1.country: 'FR' is not the ISO 3166 code of a network country (such as CN, IN, KR, KZ, RU, UZ)"
    ]
    assert application("in-kz-drama", team=[{**team[0], "country": "in"}, DATA["in-kz-drama"]["team"][1]]).lead_country == "IN"


def test_the_contact_must_work_for_the_lead_applicant() -> None:
    out = messages(contact={"id": "ok", "name": "Olga K", "email": "ok@kazakhfilm.example", "organisation_id": "kazakhfilm"})
    assert out == ["application: the contact Olga K works for kazakhfilm, not the lead applicant mumbai-talkies"]


def test_attachments_are_identified_by_hash_and_of_accepted_types() -> None:
    bad = [
        {"name": "script.pdf", "sha256": "A" * 64, "size": 10, "media_type": "application/pdf"},
        {"name": "virus.exe", "sha256": "c" * 64, "size": 10, "media_type": "application/x-msdownload"},
        {"name": "empty.pdf", "sha256": "d" * 64, "size": 0, "media_type": "application/pdf"},
    ]
    out = messages(attachments=bad)
    assert out[0].startswith("attachments.0.sha256: String should match pattern")
    assert out[1].startswith("attachments.1.media_type: files of type 'application/x-msdownload' are not accepted; send PDF")
    assert out[2] == "attachments.2.size: Input should be greater than 0"
    twice = [DATA["in-kz-drama"]["attachments"][0]] * 2
    assert messages(attachments=twice) == ["attachments: two attachments are named script.pdf; give each file its own name"]


def test_priorities_and_currency_are_checked() -> None:
    assert messages(priorities=["youth", "youth"]) == ["priorities: priority youth is claimed twice"]
    assert messages(currency="usd1") == [
        "currency: 'usd1' is not an ISO 4217 currency the fund accepts; use a code such as USD, EUR, CNY, RUB, INR or KRW"
    ]
    assert application("in-kz-drama", currency="eur").currency == "EUR"


def test_several_problems_are_reported_together() -> None:
    out = messages(team=[], budget=[line("production", "-1")], currency="ABC")
    assert [m.split(":")[0] for m in out] == ["team", "currency", "budget.0.amount"]
    assert messages(budget=[], financing=[]) == [
        "budget: the budget is empty: list its lines by category",
        "financing: the financing plan is empty: list every source, this fund's grant included",
    ]
