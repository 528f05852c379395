"""Converting a grade from one university's scale to another's, and the credit-weighted GPA.

The partners of a program agree a table (`GradeConversion`): Russian 5 → Korean A+, Chinese 85 and
up → B+, and so on. The table is checked against both scales when the program is set up, so a
conversion can fail later only on a grade that is not on its scale. A table never turns a failing
grade into a passing one, or the reverse: a student's standing must survive the crossing.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.credits import plain_number as _plain
from domain.grading import GradeError, GradingScale

GPA_QUANTUM = Decimal("0.01")


class GradeRule(BaseModel):
    """One line of a table: a grade (`from_grade`) or a numeric band starting at `from_min`.

    A band runs from its `from_min` up to the next rule's `from_min`, so bands written as a
    registrar writes them (90, 85, 80 …) leave no gaps for 89.5.
    """

    model_config = ConfigDict(frozen=True)

    from_grade: str | None = Field(default=None, max_length=20)
    from_min: Decimal | None = None
    to_grade: str = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _one_source(self) -> GradeRule:
        if (self.from_grade is None) == (self.from_min is None):
            raise ValueError("a grade rule needs either from_grade or from_min, not both")
        return self

    @property
    def source(self) -> str:
        return self.from_grade if self.from_grade is not None else f"{_plain(self.from_min)} and above"


class GradeConversion(BaseModel):
    """A program's table from one scale to another (by scale id)."""

    model_config = ConfigDict(frozen=True)

    from_scale: str
    to_scale: str
    rules: tuple[GradeRule, ...] = Field(min_length=1)

    def _numeric_rules(self) -> list[GradeRule]:
        return sorted((r for r in self.rules if r.from_min is not None), key=lambda r: r.from_min)  # type: ignore[arg-type,return-value]

    def target(self, value: str, scale: GradingScale) -> str | None:
        """The to-scale grade code for a valid from-scale `value`, or None when no rule covers it."""
        grade = scale.grade_for(value)
        code_rule = next((r for r in self.rules if r.from_grade is not None and scale.grade_for(r.from_grade) == grade), None)
        number = scale._number(value)
        if number is None and code_rule is not None:
            return code_rule.to_grade
        if number is None and grade.min_value is not None:
            number = grade.min_value  # a band name ('良') reads as the lowest number it can mean
        if number is not None:
            bands = [r for r in self._numeric_rules() if r.from_min <= number]  # type: ignore[operator]
            if bands:
                return bands[-1].to_grade
        return code_rule.to_grade if code_rule is not None else None

    def problems(self, source: GradingScale, dest: GradingScale) -> list[str]:
        """Everything that would make this table convert wrongly or not at all, as readable lines."""
        where = f"grade table {source.name()} → {dest.name()}"
        out: list[str] = []
        for r in self.rules:
            for scale, grade in ((source, r.from_grade), (dest, r.to_grade)):
                if grade is not None:
                    try:
                        scale.grade_for(grade)
                    except GradeError as e:
                        out.append(f"{where}: {e}")
            if r.from_min is not None and not source.is_numeric:
                out.append(f"{where}: {source.name()} is not numeric; write grades, not '{_plain(r.from_min)} and above'")
        if out:
            return out
        sources = [r.source for r in self.rules]
        out += [f"{where}: '{s}' has two rules" for s in sorted({s for s in sources if sources.count(s) > 1})]
        numeric = self._numeric_rules()
        if numeric and numeric[0].from_min > source.numeric_min:  # type: ignore[operator]
            out.append(f"{where}: grades below {_plain(numeric[0].from_min)} have no rule")
        for g in source.grades:
            to = self.target(g.code, source)
            if g.pass_fail and to is None:
                if dest.pass_fail_grade(g.passing) is None:
                    out.append(f"{where}: {dest.name()} has no pass/fail grade for {g.label()}")
            elif to is None:
                out.append(f"{where}: no rule for {g.label()}")
            elif dest.grade_for(to).passing is not g.passing:
                out.append(f"{where}: {g.label()} is {_standing(g.passing)} but would become {to}, which is {_standing(not g.passing)}")
        mark = source.pass_mark
        for i, r in enumerate(numeric):
            upper = numeric[i + 1].from_min if i + 1 < len(numeric) else None
            if mark is not None and r.from_min < mark and (upper is None or upper > mark):  # type: ignore[operator]
                out.append(f"{where}: the band from {_plain(r.from_min)} mixes failing and passing grades (pass mark {_plain(mark)})")
            elif source.band(r.from_min).passing is not dest.grade_for(r.to_grade).passing:  # type: ignore[arg-type]
                standing = source.band(r.from_min).passing  # type: ignore[arg-type]
                out.append(f"{where}: {_plain(r.from_min)} and above is {_standing(standing)} but would become {r.to_grade}")
        return out


def _standing(passing: bool) -> str:
    return "passing" if passing else "failing"


class ConvertedGrade(BaseModel):
    """A grade as taken and as it will be posted, with what the posting institution needs for its GPA."""

    model_config = ConfigDict(frozen=True)

    from_scale: str
    from_grade: str
    to_scale: str
    grade: str
    points: Decimal | None = Field(description="GPA points on the to-scale; None for pass/fail")
    passing: bool

    @property
    def pass_fail(self) -> bool:
        return self.points is None

    @property
    def counts_in_gpa(self) -> bool:
        return self.points is not None


def convert_grade(grade: str, from_scale: GradingScale, to_scale: GradingScale, table: GradeConversion | None) -> ConvertedGrade:
    """`grade` on `from_scale` as a grade on `to_scale`, through the program's `table`.

    Worked example (a program's Russian → Korean table 5 → A+, 4 → B+, 3 → C+, 2 → F):
    '4' → B+ (3.5 points); 'зачёт' → P (no points, not in the GPA); 'A' → refused, not on the
    Russian five-point scale. The same scale on both sides needs no table.
    """
    source = from_scale.grade_for(grade)
    value = from_scale.normalize(grade)
    if from_scale.id == to_scale.id:
        to_code: str | None = source.code
    else:
        if table is None or (table.from_scale, table.to_scale) != (from_scale.id, to_scale.id):
            raise GradeError(f"The program has no table converting {from_scale.name()} grades to the {to_scale.name()}.")
        to_code = table.target(value, from_scale)
    if to_code is None and source.pass_fail:
        pf = to_scale.pass_fail_grade(source.passing)
        to_code = pf.code if pf else None
    if to_code is None:
        raise GradeError(f"The program's table has no rule converting {value} ({from_scale.name()}) to the {to_scale.name()}.")
    dest = to_scale.grade_for(to_code)
    return ConvertedGrade(
        from_scale=from_scale.id,
        from_grade=value,
        to_scale=to_scale.id,
        grade=dest.code,
        points=dest.points,
        passing=dest.passing,
    )


def gpa(graded: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Credit-weighted average of (credits, points); pass/fail (points None) left out.

    None when nothing graded yet. Rounded half-up to two decimals, as transcripts print it:
    (3 × 4.5 + 2 × 3.5 + 2.5 × 2.5) / 7.5 = 26.75 / 7.5 = 3.5666… → 3.57.
    """
    weighted = [(c, p) for c, p in graded if p is not None]
    credits = sum((c for c, _ in weighted), Decimal(0))
    if credits <= 0:
        return None
    total = sum((c * p for c, p in weighted), Decimal(0))
    return (total / credits).quantize(GPA_QUANTUM, rounding=ROUND_HALF_UP)
