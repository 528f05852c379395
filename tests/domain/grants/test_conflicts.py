"""Conflicts of interest and reviewer assignment, with the example pool of nine reviewers."""

from itertools import permutations

import pytest

from domain.agreement_rules import Rejected
from domain.grants.conflicts import Reviewer, assign_reviewers, assign_round, conflicts, expertise_match, replace_reviewer
from tests.domain.grants.examples import DECLARED, POOL, application

BY_ID = {r.id: r for r in POOL}


def test_a_reviewer_from_the_lead_applicant_s_country_is_conflicted() -> None:
    assert conflicts(BY_ID["arjun"], application("in-kz-drama")) == [
        "Arjun Mehta is from India (IN), the lead applicant's country."
    ]
    assert conflicts(BY_ID["kim-soyeon"], application("kr-uz-youth-ai")) == [
        "Kim Soyeon is from Republic of Korea (KR), the lead applicant's country."
    ]


def test_a_co_producer_s_country_is_not_a_conflict() -> None:
    # Olga is Russian and Soyuzmultfilm co-produces Paper Cranes, but the lead is Chinese
    assert conflicts(BY_ID["olga"], application("cn-ru-animation")) == []


def test_working_for_a_company_of_the_team_is_a_conflict() -> None:
    assert conflicts(BY_ID["aigerim"], application("in-kz-drama")) == [
        "Aigerim Sadykova works for Kazakhfilm Studios, a company of the team (co-producer)."
    ]
    assert conflicts(BY_ID["dilnoza"], application("kr-uz-youth-ai")) == [
        "Dilnoza Karimova works for Uzbekkino, a company of the team (co-producer)."
    ]


def test_a_declared_conflict_counts_and_rules_add_up() -> None:
    assert conflicts(BY_ID["bolor"], application("cn-ru-animation"), DECLARED) == [
        "Bolormaa Batbayar declared a conflict of interest with this application."
    ]
    assert conflicts(BY_ID["bolor"], application("in-kz-drama"), DECLARED) == []
    # a Kazakh Kazakhfilm employee who also declared: all three reasons
    kz = BY_ID["aigerim"]
    assert conflicts(kz, application("kz-kg-doc", team=[
        {"organisation_id": "kazakhfilm", "name": "Kazakhfilm Studios", "country": "KZ", "role": "lead", "share": "60"},
        {"organisation_id": "bishkek-doc", "name": "Bishkek Documentary", "country": "KG", "role": "co_producer", "share": "40"},
    ], contact={"id": "asel-omarova", "name": "Asel Omarova", "email": "a@kazakhfilm.example"}), {("aigerim", "kz-kg-doc")}) == [
        "Aigerim Sadykova is from Kazakhstan (KZ), the lead applicant's country.",
        "Aigerim Sadykova works for Kazakhfilm Studios, a company of the team (lead applicant).",
        "Aigerim Sadykova declared a conflict of interest with this application.",
    ]  # fmt: skip


def test_the_organisation_defaults_to_the_person_s() -> None:
    assert BY_ID["aigerim"].organisation_id == "kazakhfilm"
    assert Reviewer.model_validate_json(BY_ID["aigerim"].model_dump_json()) == BY_ID["aigerim"]
    assert expertise_match(BY_ID["olga"], application("cn-ru-animation")) == 2  # animated_feature, family


def test_assignment_skips_conflicts_and_prefers_expertise_among_the_least_loaded() -> None:
    a = assign_reviewers(application("in-kz-drama"), POOL, count=3, declared=DECLARED)
    # mehmet matches feature + drama (2), bolor and dilnoza one tag each; aigerim and arjun are conflicted
    assert a.reviewer_ids == ["mehmet", "bolor", "dilnoza"]
    assert a.shortfall == 0
    assert a.skipped == {
        "aigerim": "Aigerim Sadykova works for Kazakhfilm Studios, a company of the team (co-producer).",
        "arjun": "Arjun Mehta is from India (IN), the lead applicant's country.",
    }
    assert a.message == "3 reviewers assigned to in-kz-drama."


def test_load_comes_before_expertise_and_a_full_reviewer_is_skipped() -> None:
    load = {"mehmet": 1, "bolor": 2, "dilnoza": 1}
    a = assign_reviewers(application("in-kz-drama"), POOL, count=3, current_load=load, declared=DECLARED)
    assert a.reviewer_ids == ["ayesha", "kim-soyeon", "li-wei"]  # the unloaded ones, by id (none matches drama/feature)
    assert a.skipped["mehmet"] == "Mehmet Yılmaz already has 1 application to review, their maximum."


def test_a_shortfall_is_reported_when_the_pool_runs_dry() -> None:
    a = assign_reviewers(application("in-kz-drama"), POOL[:3], count=3)
    assert a.reviewer_ids == ["li-wei"]
    assert a.shortfall == 2
    assert (
        a.message
        == "Only 1 of 3 reviewers could be assigned to in-kz-drama; add reviewers to the pool or raise a reviewer's maximum load."
    )


def test_assignment_does_not_depend_on_the_order_of_the_pool() -> None:
    app = application("cn-ru-animation")
    expected = assign_reviewers(app, POOL, count=3, declared=DECLARED)
    assert expected.reviewer_ids == ["olga", "aigerim", "arjun"]
    for perm in list(permutations(POOL))[::997]:
        assert assign_reviewers(app, perm, count=3, declared=DECLARED) == expected


def test_a_whole_round_spreads_the_load_and_never_assigns_a_conflict() -> None:
    keys = ["in-kz-drama", "cn-ru-animation", "kr-uz-youth-ai"]
    apps = [application(k) for k in keys]
    out = assign_round(apps, POOL, count=3, declared=DECLARED)
    assert {k: a.reviewer_ids for k, a in out.items()} == {
        "cn-ru-animation": ["olga", "aigerim", "arjun"],  # first by id: olga's tags match the animation
        "in-kz-drama": ["mehmet", "bolor", "dilnoza"],
        # kim-soyeon (Korean) and dilnoza (Uzbekkino) are conflicted, mehmet is full: the two still
        # unloaded, then the first by id of those with one application
        "kr-uz-youth-ai": ["ayesha", "li-wei", "aigerim"],
    }
    for app in apps:
        for rid in out[app.id].reviewer_ids:
            assert conflicts(BY_ID[rid], app, DECLARED) == []
    assert assign_round(list(reversed(apps)), POOL, count=3, declared=DECLARED) == out


def test_a_reviewer_who_declines_is_replaced_and_never_asked_again() -> None:
    app = application("in-kz-drama")
    panel = ["mehmet", "bolor", "dilnoza"]
    r = replace_reviewer(app, POOL, assigned=panel, leaving="bolor", current_load={"mehmet": 1, "dilnoza": 1})
    assert r.replacement is not None and r.replacement.id == "ayesha"
    assert r.exclude == ("bolor",)
    assert r.skipped["bolor"] == "Bolormaa Batbayar declined this application earlier."
    # the next replacement does not bring bolor back
    r2 = replace_reviewer(app, POOL, assigned=["mehmet", "ayesha", "dilnoza"], leaving="ayesha", exclude=r.exclude)
    assert r2.replacement is not None and r2.replacement.id not in {"bolor", "mehmet", "dilnoza", "ayesha"}
    assert r2.exclude == ("ayesha", "bolor")


def test_a_reviewer_who_declares_a_conflict_is_recorded_as_conflicted() -> None:
    app = application("cn-ru-animation")
    r = replace_reviewer(app, POOL, assigned=["olga", "aigerim", "arjun"], leaving="olga", conflict=True, declared=DECLARED)
    assert r.declared == (("bolor", "cn-ru-animation"), ("olga", "cn-ru-animation"))
    assert r.exclude == ()
    assert r.skipped["olga"] == "Olga Petrova declared a conflict of interest with this application."
    assert r.replacement is not None and r.replacement.id == "ayesha"  # unloaded, no tag match, first by id
    with pytest.raises(Rejected, match="li-wei is not a reviewer of cn-ru-animation"):
        replace_reviewer(app, POOL, assigned=["olga"], leaving="li-wei")


def test_nobody_left_to_replace() -> None:
    app = application("in-kz-drama")
    r = replace_reviewer(app, POOL[:3], assigned=["li-wei"], leaving="li-wei")
    assert r.replacement is None


def test_a_pool_with_a_reviewer_twice_is_refused() -> None:
    with pytest.raises(Rejected, match="Reviewer olga appears twice in the pool"):
        assign_reviewers(application("in-kz-drama"), [BY_ID["olga"], BY_ID["olga"]], count=1)
