"""Worked examples of the eligibility check: every rule, with the sentences the letters print."""

from datetime import date
from decimal import Decimal

from domain.grants.applications import ProjectFormat
from domain.grants.eligibility import check_eligibility
from domain.grants.funds import Track
from domain.reference import NetworkStatus
from tests.domain.grants.examples import DATA, SUBMITTED, application, company, main_call, pitch_call, source

D = Decimal
ON_TIME = date(2026, 3, 20)


def reasons(key: str, on: date = ON_TIME, **call_changes: object) -> list[str]:
    app = application(key)
    call = (pitch_call if app.call_id == "pitch-2026" else main_call)(**call_changes)
    return check_eligibility(app, call, on).reasons


def test_the_three_good_projects_and_the_pitch_are_eligible() -> None:
    for key in ("in-kz-drama", "cn-ru-animation", "kr-uz-youth-ai"):
        result = check_eligibility(application(key), main_call(), SUBMITTED[key].date())
        assert result.eligible, result.reasons
        assert [c.name for c in result.checks] == [
            "call",
            "open",
            "countries",
            "lead_country",
            "amount",
            "matching",
            "budget",
            "track",
        ]
        assert all(c.passed for c in result.checks)
    assert check_eligibility(application("kr-mn-pitch"), pitch_call(), date(2026, 6, 12)).eligible


def test_the_passed_checks_explain_themselves_too() -> None:
    details = {c.name: c.detail for c in check_eligibility(application("kr-uz-youth-ai"), main_call(), ON_TIME).checks}
    assert details == {
        "call": "The application is for main-2026, in USD.",
        "open": "Submitted on 2026-03-20, while the call was open (2026-01-15 to 2026-03-31).",
        "countries": "The team spans two eligible countries (KR, UZ); the call needs at least two.",
        "lead_country": "The lead applicant Seoul Youth Film Lab is based in Republic of Korea (KR).",
        "amount": "The request of 50,000.00 USD is within the call's maximum of 150,000.00 USD.",
        "matching": "Matching funds cover 37.5% of the budget (30,000.00 of 80,000.00 USD); the call needs at least 30%.",
        "budget": "The financing plan covers the budget of 80,000.00 USD.",
        "track": "Within the limits of the main track.",
    }


def test_a_single_country_project_is_not_a_co_production() -> None:
    assert reasons("kr-solo") == ["The team spans only one eligible country (KR); the call needs at least two."]


def test_matching_funds_below_the_share_are_named_with_the_figures() -> None:
    assert reasons("kz-kg-doc") == [
        "Matching funds cover 10% of the budget (15,000.00 of 150,000.00 USD); the call needs at least 30%."
    ]


def test_a_request_above_the_maximum() -> None:
    assert reasons("ru-by-epic") == ["The request of 180,000.00 USD is above the call's maximum of 150,000.00 USD."]


def test_a_share_just_short_of_the_threshold_is_short_and_reads_so() -> None:
    # 29,999.99 of 100,000.00 from elsewhere: 29.99999 %, printed rounded down
    app = application(
        "kr-uz-youth-ai",
        requested_amount="70000.01",
        budget=[{"category": "production", "amount": "100000"}],
        financing=[source("SCO", "fund", "70000.01"), source("Seoul Youth Film Lab", "own", "29999.99")],
    )
    result = check_eligibility(app, main_call(), ON_TIME)
    assert result.reasons == [
        "Matching funds cover 29.99% of the budget (29,999.99 of 100,000.00 USD); the call needs at least 30%."
    ]


def test_only_confirmed_matching_counts_when_the_call_says_so() -> None:
    app = application(
        "in-kz-drama",
        financing=[
            source("SCO Film Co-production Fund", "fund", "120000", confirmed=False),
            source("Mumbai Talkies equity", "own", "120000"),
            source("Kazakhfilm state support", "other", "360000", confirmed=False),
        ],
    )
    assert check_eligibility(app, main_call(), ON_TIME).eligible
    assert check_eligibility(app, main_call(matching_must_be_confirmed=True), ON_TIME).reasons == [
        "Confirmed matching funds cover 20% of the budget (120,000.00 of 600,000.00 USD); the call needs at least 30%."
    ]


def test_the_deadline_is_the_end_of_the_closing_day() -> None:
    assert reasons("in-kz-drama", date(2026, 3, 31)) == []
    assert reasons("in-kz-drama", date(2026, 4, 1)) == [
        "The application was submitted on 2026-04-01, after the deadline of 2026-03-31."
    ]
    assert reasons("in-kz-drama", date(2026, 1, 14)) == [
        "The application was submitted on 2026-01-14, before the call opened on 2026-01-15."
    ]


def test_countries_count_only_when_of_a_status_the_call_is_open_to() -> None:
    # Mongolia is an observer: a call for members and Korea only does not count it
    call = pitch_call(eligible_statuses=(NetworkStatus.MEMBER, NetworkStatus.PARTNER))
    result = check_eligibility(application("kr-mn-pitch"), call, date(2026, 6, 12))
    assert result.reasons == [
        "The team spans only one eligible country (KR); the call needs at least two. MN does not count: this call is open to members and Korea."
    ]
    call = pitch_call(eligible_statuses=(NetworkStatus.MEMBER, NetworkStatus.OBSERVER))
    assert check_eligibility(application("kr-mn-pitch"), call, date(2026, 6, 12)).reasons == [
        "The team spans only one eligible country (MN); the call needs at least two. KR does not count: this call is open to members and observers.",
        "The lead applicant Jeju Films is based in Republic of Korea (KR); this call is open to members and observers.",
    ]


def test_a_call_may_limit_where_the_lead_applicant_is_based() -> None:
    assert reasons("cn-ru-animation", lead_countries=("RU", "KZ")) == [
        "The lead applicant Shanghai Animation Film Studio is based in China (CN); this call takes lead applicants from RU, KZ only."
    ]
    assert reasons("cn-ru-animation", lead_countries=("CN",)) == []


def test_three_countries_can_be_required() -> None:
    assert reasons("in-kz-drama", min_countries=3) == [
        "The team spans only two eligible countries (IN, KZ); the call needs at least three."
    ]


def test_the_pitching_track_limits_the_project_budget_and_formats() -> None:
    app = application(
        "kr-mn-pitch",
        budget=[{"category": "development", "amount": "400000"}],
        financing=[source("SCO", "fund", "20000"), source("Jeju Films", "own", "380000")],
        project={**DATA["kr-mn-pitch"]["project"], "format": "series"},
    )
    call = pitch_call(allowed_formats=(ProjectFormat.FEATURE, ProjectFormat.ANIMATED_FEATURE))
    assert call.track is Track.PITCHING
    assert check_eligibility(app, call, date(2026, 6, 12)).reasons == [
        "The project's budget of 400,000.00 USD is above the 300,000.00 USD this pitching-session call takes;"
        " this call takes feature, animated feature projects, not a series."
    ]
    assert reasons("kr-mn-pitch", date(2026, 6, 12), max_amount=D("15000"), max_budget_total=D("300000")) == [
        "The request of 20,000.00 USD is above the call's maximum of 15,000.00 USD."
    ]


def test_an_application_to_another_call_or_in_another_currency() -> None:
    app = application("in-kz-drama")
    assert check_eligibility(app, pitch_call(opens_on=date(2026, 1, 1)), ON_TIME).reasons[0] == (
        "The application is for call main-2026, not pitch-2026."
    )
    eur = application("in-kz-drama", currency="EUR")
    assert check_eligibility(eur, main_call(), ON_TIME).reasons == [
        "The application is in EUR, but the call's grants are in USD; give every amount in USD."
    ]


def test_an_unknown_priority_earns_nothing_but_does_not_disqualify() -> None:
    result = check_eligibility(application("in-kz-drama", priorities=["youth", "green"]), main_call(), ON_TIME)
    assert result.eligible
    assert result.notes == ["The claimed priority green is not among this call's and earns no bonus."]


def test_every_failure_is_listed_at_once() -> None:
    app = application(
        "kr-solo",
        requested_amount="200000",
        financing=[source("SCO", "fund", "200000"), source("Busan Pictures equity", "own", "300000")],
        team=[company("busan-pictures", "Busan Pictures", "KR", "lead", "100")],
    )
    assert check_eligibility(app, main_call(), date(2026, 4, 2)).reasons == [
        "The application was submitted on 2026-04-02, after the deadline of 2026-03-31.",
        "The team spans only one eligible country (KR); the call needs at least two.",
        "The request of 200,000.00 USD is above the call's maximum of 150,000.00 USD.",
    ]
