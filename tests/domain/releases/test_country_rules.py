"""Each country's path: who classifies on which scale, quota exceptions, subsidies and due days."""

from datetime import date

import pytest
from pydantic import ValidationError

from domain.agreement_rules import Rejected
from domain.reference import members
from domain.releases.country_rules import (
    EXPEDITED_DUE_DAYS,
    RULES,
    CountryRules,
    Step,
    check_rating,
    languages_to_add,
    rules_for,
    steps_for,
)
from domain.releases.festival import member_countries_for
from tests.domain.releases.examples import PAPER_CRANES, SIGNALS, STEPPE_WIND


def test_every_member_state_and_korea_has_rules_and_every_recommendation_finds_them() -> None:
    assert set(RULES) == {c.code for c in members()} | {"KR"}
    for country in member_countries_for(STEPPE_WIND, include_origin=True):
        assert rules_for(country).country == country
    assert rules_for("kr").classification_authority == "Korea Media Rating Board"


def test_the_expedited_due_days() -> None:
    assert EXPEDITED_DUE_DAYS == {
        Step.ACKNOWLEDGE: 5,
        Step.CLASSIFICATION: 20,
        Step.QUOTA: 20,
        Step.SUBSIDY: 15,
        Step.LICENCE: 30,
        Step.SCHEDULING: 30,
        Step.RELEASE: 60,
    }
    assert all(r.due_days == EXPEDITED_DUE_DAYS for r in RULES.values())
    assert RULES["KZ"].due_on(Step.CLASSIFICATION, date(2026, 6, 22)) == date(2026, 7, 12)


def test_ratings_are_checked_against_the_countrys_scale() -> None:
    assert RULES["KR"].ratings == ("ALL", "12", "15", "18", "restricted")
    assert RULES["RU"].ratings == ("0+", "6+", "12+", "16+", "18+")
    assert check_rating(RULES["KR"], "all") == "ALL"
    assert check_rating(RULES["RU"], " 12+ ") == "12+"
    assert check_rating(RULES["CN"], "Approved") == "approved"
    with pytest.raises(Rejected) as e:
        check_rating(RULES["KR"], "PG-13")
    assert (
        str(e.value)
        == "'PG-13' is not a rating of Korea Media Rating Board (Republic of Korea); its ratings are ALL, 12, 15, 18, restricted."
    )
    with pytest.raises(Rejected) as e:
        check_rating(RULES["CN"], "12+")
    assert str(e.value) == (
        "China Film Administration approves films for release in China without age ratings; record the decision as 'approved', not '12+'."
    )


def test_quota_and_subsidy_decide_the_steps() -> None:
    assert [c for c, r in sorted(RULES.items()) if r.quota_exception_required] == ["CN", "IR"]
    assert RULES["KZ"].subsidy_available and RULES["KZ"].subsidy_maximum == "15,000,000.00 KZT"
    assert [c for c, r in sorted(RULES.items()) if r.subsidy_available] == ["KR", "KZ", "UZ"]
    assert steps_for(RULES["CN"], STEPPE_WIND) == [
        Step.ACKNOWLEDGE,
        Step.CLASSIFICATION,
        Step.QUOTA,
        Step.LICENCE,
        Step.SCHEDULING,
        Step.RELEASE,
    ]
    # Korea subsidises dubbing or subtitles, and a Kazakh film needs Korean ones.
    assert languages_to_add(RULES["KR"], STEPPE_WIND) == ["ko"]
    assert Step.SUBSIDY in steps_for(RULES["KR"], STEPPE_WIND)
    # Kazakhstan releases in Kazakh and Russian: a Russian–Chinese film still needs a Kazakh version.
    assert languages_to_add(RULES["KZ"], PAPER_CRANES) == ["kk"]
    assert Step.SUBSIDY in steps_for(RULES["KZ"], PAPER_CRANES)
    assert Step.SUBSIDY not in steps_for(RULES["KR"], SIGNALS)  # a Korean-language film needs no Korean version
    assert Step.SUBSIDY not in steps_for(RULES["RU"], STEPPE_WIND)  # no subsidy configured


def test_observers_and_unknown_countries_have_no_release_rules() -> None:
    with pytest.raises(Rejected) as e:
        rules_for("MN")
    assert str(e.value) == (
        "Mongolia is an observer of the SCO; release recommendations go to the member states and Korea, so there are no release rules for it."
    )
    with pytest.raises(Rejected, match="Türkiye is a dialogue partner of the SCO"):
        rules_for("TR")
    with pytest.raises(Rejected, match="'XX' is not a country of the network"):
        rules_for("XX")


def test_misconfigured_rules_are_refused() -> None:
    data = RULES["KR"].model_dump()
    with pytest.raises(ValidationError, match="rating 12 is listed twice"):
        CountryRules.model_validate({**data, "ratings": ["ALL", "12", "12"]})
    with pytest.raises(ValidationError, match="missing: release"):
        CountryRules.model_validate({**data, "due_days": {k: v for k, v in data["due_days"].items() if k != Step.RELEASE}})
    with pytest.raises(ValidationError, match="an amount must be more than zero"):
        CountryRules.model_validate({**data, "subsidy_max": "0"})
    with pytest.raises(ValidationError, match="give the currency of the subsidy's maximum"):
        CountryRules.model_validate({**data, "subsidy_currency": None})
    with pytest.raises(ValidationError, match="a country without a subsidy has no subsidy body or maximum"):
        CountryRules.model_validate({**data, "subsidy_available": False})
