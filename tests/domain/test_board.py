"""The board's rules with worked examples: scopes by role, funnels, ageing, medians, past days."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.board import (
    AGE_BUCKETS,
    FUNNELS,
    Lifecycle,
    ageing,
    bucket_of,
    build_funnel,
    median,
    milestone_kinds,
    parse_as_of,
    scope_for,
    stage_key,
)
from domain.parties import Person, Role, RoleGrant


def person(*grants: RoleGrant, org: str | None = None) -> Person:
    return Person(id="pat-doe", name="Pat Doe", email="pat@example.org", organisation_id=org, roles=grants)


def test_board_members_and_admins_see_the_whole_network() -> None:
    for role in (Role.BOARD_MEMBER, Role.ADMIN):
        scope = scope_for(person(RoleGrant(role=role)))
        assert scope is not None and scope.everything
        assert scope.lifecycles == frozenset(Lifecycle)
        assert "agreement" in scope.item_types() and "country_release" in scope.item_types()


def test_a_liaison_sees_every_lifecycle_of_their_country_only() -> None:
    scope = scope_for(person(RoleGrant(role=Role.LIAISON, country="KR")), {"KR": "Republic of Korea"})
    assert scope is not None and not scope.everything
    assert scope.countries == {"KR"} and scope.label == "Republic of Korea"
    assert scope.lifecycles == frozenset(Lifecycle)


def test_university_staff_see_their_institutions_programs_only() -> None:
    scope = scope_for(person(RoleGrant(role=Role.REGISTRAR, organisation_id="kafa")), org_names={"kafa": "KAFA"})
    assert scope is not None
    assert scope.organisations == {"kafa"} and scope.lifecycles == {Lifecycle.PROGRAMS}
    assert scope.item_types() == ["student", "credit_transfer"]
    # a coordinator's grant without an organisation counts for their own
    own = scope_for(person(RoleGrant(role=Role.PROGRAM_COORDINATOR), org="vgik"))
    assert own is not None and own.organisations == {"vgik"}


def test_a_fund_manager_sees_the_fund_and_people_who_only_act_on_their_items_see_no_overview() -> None:
    fund = scope_for(person(RoleGrant(role=Role.FUND_MANAGER)))
    assert fund is not None and fund.everything and fund.lifecycles == {Lifecycle.GRANTS}
    for role in (Role.REVIEWER, Role.STUDENT, Role.SIGNATORY, Role.APPROVER):
        assert scope_for(person(RoleGrant(role=role, organisation_id="kofic"))) is None
    assert scope_for(person()) is None


def test_a_funnel_counts_items_that_reached_each_stage_in_order() -> None:
    reached = {"submitted": 9, "eligible": 6, "panel_assigned": 5, "reviewed": 4, "board_decided": 3, "awarded": 2}
    funnel = build_funnel("grant_application", reached)
    assert [(s.label, s.count) for s in funnel.steps] == [
        ("Submitted", 9), ("Eligible", 6), ("Screened in", 5), ("Reviewed", 4), ("Board decided", 3), ("Awarded", 2),
    ]  # fmt: skip
    assert funnel.lifecycle is Lifecycle.GRANTS
    assert build_funnel("agreement", {}).steps[0].count == 0


def test_every_funnel_stage_and_completion_is_a_milestone_the_read_model_keeps() -> None:
    kinds = milestone_kinds()
    for stages in FUNNELS.values():
        for s in stages:
            assert stage_key(s) in kinds
    assert {"executed", "degrees_complete", "awarded", "released"} <= kinds


def test_ageing_puts_each_step_in_one_bucket_and_counts_the_overdue() -> None:
    assert bucket_of(0) == 0 and bucket_of(6.9) == 0 and bucket_of(7) == 1 and bucket_of(27.9) == 1
    assert bucket_of(28) == 2 and bucket_of(100) == 3 and bucket_of(400) == len(AGE_BUCKETS) - 1
    buckets = ageing([(1, False), (3, True), (10, True), (200, True)])
    assert [(b.count, b.overdue) for b in buckets] == [(2, 1), (1, 1), (0, 0), (0, 0), (1, 1)]


def test_median_of_odd_even_and_no_values() -> None:
    assert median([5, 1, 3]) == 3
    assert median([4, 1, 3, 2]) == 2.5
    assert median([]) is None


def test_as_of_is_the_end_of_a_past_day_and_none_for_today_or_later() -> None:
    today = date(2026, 11, 24)
    assert parse_as_of(date(2026, 3, 1), today) == datetime(2026, 3, 2, tzinfo=UTC)
    assert parse_as_of(today, today) is None
    assert parse_as_of(date(2027, 1, 1), today) is None
    assert parse_as_of(None, today) is None
