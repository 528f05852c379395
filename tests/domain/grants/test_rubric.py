"""Scoring by the rubric and the ranking of a round, with worked figures."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.agreement_rules import Rejected
from domain.grants.rubric import RankEntry, Score, aggregate, check_score, rank, weighted_score
from tests.domain.grants.examples import RUBRIC, main_call

D = Decimal


def score(reviewer: str, app: str, merit: int, copro: int, feas: int, reach: int) -> Score:
    values = {"artistic_merit": D(merit), "coproduction": D(copro), "feasibility": D(feas), "audience_reach": D(reach)}
    return Score(reviewer_id=reviewer, application_id=app, values=values, comment="")


def test_weighted_score_worked_example() -> None:
    # (7/9·35 + 6/9·25 + 8/9·20 + 5/9·20) = 655/9 = 72.777… → 72.78
    assert weighted_score(RUBRIC, score("olga", "cn-ru-animation", 8, 7, 9, 6)) == D("72.78")
    assert weighted_score(RUBRIC, score("olga", "cn-ru-animation", 10, 10, 10, 10)) == D("100.00")
    assert weighted_score(RUBRIC, score("olga", "cn-ru-animation", 1, 1, 1, 1)) == D("0.00")
    # artistic merit alone at the top: its weight, 35
    assert weighted_score(RUBRIC, score("olga", "cn-ru-animation", 10, 1, 1, 1)) == D("35.00")


def test_a_score_outside_the_scale_or_missing_a_criterion_is_refused() -> None:
    bad = Score(
        reviewer_id="olga",
        application_id="cn-ru-animation",
        values={"artistic_merit": D(11), "coproduction": D("6.5"), "feasibility": D(0), "humour": D(5)},
    )
    with pytest.raises(Rejected) as e:
        check_score(RUBRIC, bad)
    assert str(e.value) == (
        "“Artistic merit” is scored 11, outside its scale of 1 to 10. "
        "“Co-production strength” is scored 6.5; marks go in steps of 1 from 1. "
        "“Feasibility” is scored 0, outside its scale of 1 to 10. "
        "“Audience reach” has no mark; score it from 1 to 10. "
        "'humour' is not a criterion of this call; its criteria are artistic_merit, coproduction, feasibility, audience_reach."
    )
    with pytest.raises(Rejected, match="“Audience reach” has no mark"):
        weighted_score(RUBRIC, bad)


def test_the_panel_score_is_the_mean_of_the_reviewers() -> None:
    scores = [
        score("olga", "cn-ru-animation", 8, 7, 9, 6),  # 72.78
        score("aigerim", "cn-ru-animation", 9, 8, 7, 8),  # (8·35 + 7·25 + 6·20 + 7·20)/9 = 715/9 = 79.44
        score("arjun", "cn-ru-animation", 7, 7, 8, 7),  # (6·35 + 6·25 + 7·20 + 6·20)/9 = 620/9 = 68.89
    ]
    assert [weighted_score(RUBRIC, s) for s in scores] == [D("72.78"), D("79.44"), D("68.89")]
    assert aggregate(RUBRIC, scores) == D("73.70")  # 221.11 / 3 = 73.703…


def test_aggregate_refuses_what_cannot_be_averaged() -> None:
    with pytest.raises(Rejected, match="No reviewer has scored this application yet"):
        aggregate(RUBRIC, [])
    with pytest.raises(Rejected, match="olga scored cn-ru-animation more than once"):
        aggregate(RUBRIC, [score("olga", "cn-ru-animation", 8, 7, 9, 6)] * 2)
    with pytest.raises(Rejected, match=r"Scores of different applications \(cn-ru-animation, in-kz-drama\)"):
        aggregate(RUBRIC, [score("olga", "cn-ru-animation", 8, 7, 9, 6), score("olga", "in-kz-drama", 8, 7, 9, 6)])


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_ranking_adds_the_priority_bonus_and_breaks_ties_deterministically() -> None:
    entries = [
        RankEntry(application_id="in-kz-drama", score=D("80.00"), submitted_at=at(2)),
        RankEntry(application_id="cn-ru-animation", score=D("73.70"), submitted_at=at(10)),
        # 75.70 + youth 3 + ai_assisted 2 = 80.70: the bonus lifts it to the top
        RankEntry(application_id="kr-uz-youth-ai", score=D("75.70"), priorities=("youth", "ai_assisted"), submitted_at=at(28)),
        # 77.00 + 3 = 80.00, equal to the drama: the bonus breaks the tie
        RankEntry(application_id="kr-mn-late", score=D("77.00"), priorities=("youth", "green"), submitted_at=at(30)),
        # equal total and bonus to the animation: the earlier submission wins, then the id
        RankEntry(application_id="b-second", score=D("73.70"), submitted_at=at(10)),
        RankEntry(application_id="a-first", score=D("73.70"), submitted_at=at(11)),
    ]
    ranked = rank(entries, main_call().bonuses)
    assert [(r.rank, r.application_id, r.total, r.bonus, r.priorities) for r in ranked] == [
        (1, "kr-uz-youth-ai", D("80.70"), D(5), ("ai_assisted", "youth")),
        (2, "kr-mn-late", D("80.00"), D(3), ("youth",)),
        (3, "in-kz-drama", D("80.00"), D(0), ()),
        (4, "b-second", D("73.70"), D(0), ()),
        (5, "cn-ru-animation", D("73.70"), D(0), ()),
        (6, "a-first", D("73.70"), D(0), ()),
    ]
    assert rank(list(reversed(entries)), main_call().bonuses) == ranked
    with pytest.raises(Rejected, match="in-kz-drama appears twice in the ranking"):
        rank([entries[0], entries[0]], {})
