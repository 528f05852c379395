"""The panel's rubric: weighted criteria on a scale, each reviewer's score, and the ranking.

A rubric is what makes three reviewers from three countries comparable: each scores every
criterion on the same scale, and `weighted_score` turns that into one figure from 0 to 100. The
scale is normalised so its floor counts 0 and its top 100, whatever the scale (1–10, 0–5): a 1 out
of 1–10 is the worst mark, not 10 %. Weights must add up to 100 so a configuration typo (35 + 25
+ 20 + 10) is caught when the call is set up, not noticed after the ranking.

The ranking is deterministic: equal totals are ordered by the priority bonus (the call's policy
choice: priorities win ties), then by who submitted first, then by id, so two runs of the same
round — or the replay of a workflow — always produce the same list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.agreement_rules import Rejected
from domain.grants.money import plain, round_half_up
from domain.parties import ID_PATTERN

SCORE_QUANTUM = Decimal("0.01")
WEIGHTS_TOTAL = Decimal(100)


def names_with_en(v: dict[str, str], what: str) -> dict[str, str]:
    """Names by language; English required, each 1 to 300 characters (shared by the grant models)."""
    if "en" not in v:
        raise ValueError(f"{what} needs an English version ('en')")
    if any(not n.strip() or len(n) > 300 for n in v.values()):
        raise ValueError(f"{what}: each language 1 to 300 characters")
    return v


class Criterion(BaseModel):
    """One thing the panel judges, e.g. artistic merit, weight 35, scored 1 to 10 in whole steps."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    names: dict[str, str]
    weight: Decimal = Field(gt=0, le=100)
    scale_min: Decimal = Decimal(1)
    scale_max: Decimal = Decimal(10)
    step: Decimal = Field(default=Decimal(1), gt=0, description="Values must be scale_min + a whole number of steps")
    guidance: str = Field(default="", max_length=2000, description="What a high and a low mark mean, for reviewers")

    _n = field_validator("names")(classmethod(lambda cls, v: names_with_en(v, "a criterion's name")))

    @model_validator(mode="after")
    def _scale(self) -> Criterion:
        if self.scale_min >= self.scale_max:
            raise ValueError(
                f"criterion {self.id}: the scale's minimum {plain(self.scale_min)} must be below its maximum {plain(self.scale_max)}"
            )
        if (self.scale_max - self.scale_min) % self.step != 0:
            raise ValueError(
                f"criterion {self.id}: the scale {plain(self.scale_min)}–{plain(self.scale_max)} is not a whole number of steps of {plain(self.step)}"
            )
        return self

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]

    @property
    def scale_text(self) -> str:
        return f"{plain(self.scale_min)} to {plain(self.scale_max)}"


class Rubric(BaseModel):
    """The criteria of a call, in the order reviewers see them; weights add up to 100."""

    model_config = ConfigDict(frozen=True)

    criteria: tuple[Criterion, ...] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _coherent(self) -> Rubric:
        ids = [c.id for c in self.criteria]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"criterion {', '.join(twice)} is listed twice")
        total = sum((c.weight for c in self.criteria), Decimal(0))
        if total != WEIGHTS_TOTAL:
            raise ValueError(f"the criteria's weights add up to {plain(total)}, not 100")
        return self

    def criterion(self, criterion_id: str) -> Criterion:
        found = next((c for c in self.criteria if c.id == criterion_id), None)
        if found is None:
            raise Rejected(
                f"'{criterion_id}' is not a criterion of this rubric; its criteria are {', '.join(c.id for c in self.criteria)}."
            )
        return found


class Score(BaseModel):
    """One reviewer's marks for one application: a value per criterion and a comment for the panel."""

    model_config = ConfigDict(frozen=True)

    reviewer_id: str = Field(pattern=ID_PATTERN)
    application_id: str = Field(pattern=ID_PATTERN)
    values: dict[str, Decimal]
    comment: str = Field(default="", max_length=10_000)
    criterion_comments: dict[str, str] = Field(default_factory=dict)


def score_problems(rubric: Rubric, score: Score) -> list[str]:
    """What is wrong with a score, one sentence each; empty when it can be counted."""
    out: list[str] = []
    for c in rubric.criteria:
        v = score.values.get(c.id)
        if v is None:
            out.append(f"“{c.name()}” has no mark; score it from {c.scale_text}.")
        elif not c.scale_min <= v <= c.scale_max:
            out.append(f"“{c.name()}” is scored {plain(v)}, outside its scale of {c.scale_text}.")
        elif (v - c.scale_min) % c.step != 0:
            out.append(f"“{c.name()}” is scored {plain(v)}; marks go in steps of {plain(c.step)} from {plain(c.scale_min)}.")
    known = {c.id for c in rubric.criteria}
    for cid in sorted(set(score.values) - known):
        out.append(f"'{cid}' is not a criterion of this call; its criteria are {', '.join(c.id for c in rubric.criteria)}.")
    for cid in sorted(set(score.criterion_comments) - known):
        out.append(f"A comment is given for '{cid}', which is not a criterion of this call.")
    return out


def check_score(rubric: Rubric, score: Score) -> None:
    """Refuse a score that cannot be counted, with every problem in one message."""
    problems = score_problems(rubric, score)
    if problems:
        raise Rejected(" ".join(problems))


def weighted_score(rubric: Rubric, score: Score) -> Decimal:
    """The score from 0 to 100: each mark normalised on its scale, weighted, rounded half up to 0.01.

    Worked: 8, 7, 9, 6 on 1–10 with weights 35/25/20/20 → (7/9·35 + 6/9·25 + 8/9·20 + 5/9·20) = 655/9 = 72.78.
    """
    check_score(rubric, score)
    total = Fraction(0)
    for c in rubric.criteria:
        total += Fraction(score.values[c.id] - c.scale_min) / Fraction(c.scale_max - c.scale_min) * Fraction(c.weight)
    return round_half_up(total * 100 / Fraction(WEIGHTS_TOTAL), SCORE_QUANTUM)


def aggregate(rubric: Rubric, scores: Sequence[Score]) -> Decimal:
    """The panel's score of one application: the mean of its reviewers' weighted scores, to 0.01.

    The mean is taken of the rounded scores each reviewer saw, so the figure can be checked by
    hand from the review sheets. One score per reviewer, all for the same application.
    """
    if not scores:
        raise Rejected("No reviewer has scored this application yet; it cannot be ranked.")
    apps = sorted({s.application_id for s in scores})
    if len(apps) > 1:
        raise Rejected(f"Scores of different applications ({', '.join(apps)}) cannot be averaged together.")
    reviewers = [s.reviewer_id for s in scores]
    twice = sorted({r for r in reviewers if reviewers.count(r) > 1})
    if twice:
        raise Rejected(f"{', '.join(twice)} scored {apps[0]} more than once; keep only the latest score.")
    values = [weighted_score(rubric, s) for s in scores]
    return round_half_up(Fraction(sum(values, Decimal(0))) / len(values), SCORE_QUANTUM)


class RankEntry(BaseModel):
    """What the ranking needs of one application: its panel score, claimed priorities and submission time."""

    model_config = ConfigDict(frozen=True)

    application_id: str
    score: Decimal = Field(ge=0, le=100)
    priorities: tuple[str, ...] = ()
    submitted_at: datetime


class Ranked(BaseModel):
    """A place in the ranking: the panel's score, the priority bonus and their total."""

    model_config = ConfigDict(frozen=True)

    rank: int
    application_id: str
    score: Decimal
    bonus: Decimal
    total: Decimal
    priorities: tuple[str, ...] = Field(description="The claimed priorities that earned a bonus, in id order")
    submitted_at: datetime


def priority_bonus(claimed: Sequence[str], bonuses: Mapping[str, Decimal]) -> tuple[Decimal, tuple[str, ...]]:
    """The bonus of the claimed priorities the call rewards (each once), and which they were."""
    counted = tuple(sorted({p for p in claimed if p in bonuses}))
    return sum((bonuses[p] for p in counted), Decimal(0)), counted


def rank(entries: Sequence[RankEntry], priorities: Mapping[str, Decimal]) -> list[Ranked]:
    """Best first: by total (score + bonus), then bonus, then earliest submission, then id.

    `priorities` maps a priority id to its bonus points (the call's, see `GrantCall.bonuses`). The
    total may exceed 100 by the bonus. Equal totals share nothing: each gets its own rank, since
    the board funds down the list until the money runs out.
    """
    ids = [e.application_id for e in entries]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise Rejected(f"{', '.join(twice)} appears twice in the ranking.")
    rows = []
    for e in entries:
        bonus, counted = priority_bonus(e.priorities, priorities)
        rows.append((e, bonus, counted, e.score + bonus))
    rows.sort(key=lambda r: (-r[3], -r[1], r[0].submitted_at, r[0].application_id))
    return [
        Ranked(
            rank=i,
            application_id=e.application_id,
            score=e.score,
            bonus=bonus,
            total=total,
            priorities=counted,
            submitted_at=e.submitted_at,
        )
        for i, (e, bonus, counted, total) in enumerate(rows, start=1)
    ]
