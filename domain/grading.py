"""Grading scales of the network's universities, grade conversion between them, and GPA.

A grade is only meaningful on its scale: "4" is хорошо in Moscow and out of range in Seoul, "A0"
exists only in Korea, and 87 is a Chinese percentage that reads as 良. So a grade always travels
with its scale, an unknown grade is refused with the scale's valid grades in the message, and a
program converts grades only through a table its partners agreed on (`GradeConversion`).
Pass/fail grades (P/NP, зачёт/незачёт, 合格/不合格) convert to the other scale's pass/fail grades and
never count in a GPA.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import decimal
import unicodedata
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.agreement_rules import Rejected
from domain.credits import plain_number as _plain
from domain.parties import ID_PATTERN


class GradeError(Rejected):
    """A grade that is not on its scale, or that a program's table cannot convert."""


def _key(text: str) -> str:
    """How a typed grade is matched: case, spacing, ё/е and Unicode forms do not matter."""
    return unicodedata.normalize("NFC", text).strip().casefold().replace("ё", "е").replace(" ", "")


class Grade(BaseModel):
    """One grade of a scale. `points` is None for a pass/fail grade; `min_value` starts a numeric band."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(min_length=1, max_length=20)
    names: dict[str, str] = Field(default_factory=dict)
    points: Decimal | None = None
    passing: bool
    aliases: tuple[str, ...] = ()
    min_value: Decimal | None = Field(default=None, description="Numeric scales: this band runs from here to the next")

    @property
    def pass_fail(self) -> bool:
        return self.points is None

    def label(self, lang: str | None = None) -> str:
        """'5 (отлично)', 'A+', '合格 (pass)': the name in `lang`, else the first (native) one given."""
        name = (self.names.get(lang) if lang else None) or next(iter(self.names.values()), "")
        return f"{self.code} ({name})" if name and name != self.code else self.code


class GradingScale(BaseModel):
    """A scale's grades, its pass threshold and its GPA points.

    A numeric scale (the Chinese percentage) accepts any number in [numeric_min, numeric_max] and
    reads it through its bands (87 → 良); it also accepts the band names themselves.
    """

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    names: dict[str, str] = Field(min_length=1)
    grades: tuple[Grade, ...] = Field(min_length=2)
    numeric_min: Decimal | None = None
    numeric_max: Decimal | None = None
    max_points: Decimal = Field(gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> GradingScale:
        seen: set[str] = set()
        for g in self.grades:
            for k in {_key(g.code), *(_key(a) for a in g.aliases)}:
                if k in seen:
                    raise ValueError(f"grade '{k}' appears twice on scale {self.id}")
                seen.add(k)
            if g.points is not None and not 0 <= g.points <= self.max_points:
                raise ValueError(f"{g.code} has {g.points} points, outside 0–{self.max_points} on scale {self.id}")
        if not any(g.passing and not g.pass_fail for g in self.grades):
            raise ValueError(f"scale {self.id} needs at least one passing grade with points")
        bands = [g.min_value for g in self.grades if g.min_value is not None]
        if (self.numeric_min is None) != (self.numeric_max is None):
            raise ValueError("a numeric scale needs both numeric_min and numeric_max")
        if self.numeric_min is not None and self.numeric_min not in bands:
            raise ValueError(f"numeric scale {self.id} needs a band starting at {self.numeric_min}")
        if self.numeric_min is None and bands:
            raise ValueError(f"only a numeric scale has bands; set numeric_min and numeric_max on {self.id}")
        return self

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]

    @property
    def is_numeric(self) -> bool:
        return self.numeric_min is not None

    @property
    def pass_mark(self) -> Decimal | None:
        """The lowest passing number of a numeric scale (60 on the Chinese percentage)."""
        marks = [g.min_value for g in self.grades if g.passing and g.min_value is not None]
        return min(marks) if marks else None

    @property
    def pass_threshold(self) -> str:
        """The lowest passing grade as a registrar would say it: '60', 'D0', '3', 'E'."""
        if self.pass_mark is not None:
            return _plain(self.pass_mark)
        graded = [g for g in self.grades if g.passing and not g.pass_fail]
        return min(graded, key=lambda g: g.points or 0).code

    def valid_grades_text(self, lang: str | None = None) -> str:
        labels = ", ".join(g.label(lang) for g in self.grades)
        if self.is_numeric:
            return f"a number from {_plain(self.numeric_min)} to {_plain(self.numeric_max)} or {labels}"  # type: ignore[arg-type]
        return labels

    def _number(self, value: str) -> Decimal | None:
        if not self.is_numeric:
            return None
        try:
            number = Decimal(value.strip().rstrip("%").strip().replace(",", "."))
        except decimal.InvalidOperation:
            return None
        return number if number.is_finite() else None

    def band(self, number: Decimal) -> Grade:
        return max((g for g in self.grades if g.min_value is not None and g.min_value <= number), key=lambda g: g.min_value)  # type: ignore[arg-type,return-value]

    def grade_for(self, value: str) -> Grade:
        """The grade `value` stands for, or a GradeError naming this scale and its valid grades."""
        number = self._number(value)
        if number is not None:
            if self.numeric_min <= number <= self.numeric_max:  # type: ignore[operator]
                return self.band(number)
            raise GradeError(
                f"Grade '{value}' is outside the {self.name()} ({_plain(self.numeric_min)}–{_plain(self.numeric_max)}); "  # type: ignore[arg-type]
                f"valid grades: {self.valid_grades_text()}."
            )
        k = _key(value)
        for g in self.grades:
            if k == _key(g.code) or k in {_key(a) for a in g.aliases}:
                return g
        raise GradeError(f"Grade '{value}' is not on the {self.name()}; valid grades: {self.valid_grades_text()}.")

    def normalize(self, value: str) -> str:
        """The canonical spelling of a valid grade: 'a' → 'A0' (Korean), '87,5%' → '87.5', 'зачет' → 'зачёт'."""
        number = self._number(value)
        if number is not None:
            self.grade_for(value)
            return _plain(number)
        return self.grade_for(value).code

    def pass_fail_grade(self, passing: bool) -> Grade | None:
        return next((g for g in self.grades if g.pass_fail and g.passing is passing), None)


def _g(code: str, points: str | None, passing: bool, *, names: dict[str, str] | None = None,
       aliases: tuple[str, ...] = (), min_value: str | None = None) -> Grade:  # fmt: skip
    return Grade(
        code=code,
        names=names or {},
        points=None if points is None else Decimal(points),
        passing=passing,
        aliases=aliases,
        min_value=None if min_value is None else Decimal(min_value),
    )


_KR_PF = (_g("P", None, True, names={"en": "pass"}), _g("NP", None, False, names={"en": "no pass"}))
_CN_PF = (
    _g("合格", None, True, names={"en": "pass"}, aliases=("通过",)),
    _g("不合格", None, False, names={"en": "fail"}, aliases=("不通过",)),
)

KR_4_5 = GradingScale(
    id="kr_4_5",
    names={"en": "Korean 4.5 scale", "ko": "4.5 만점 평점"},
    max_points=Decimal("4.5"),
    grades=(
        _g("A+", "4.5", True),
        _g("A0", "4.0", True, aliases=("A",)),
        _g("B+", "3.5", True),
        _g("B0", "3.0", True, aliases=("B",)),
        _g("C+", "2.5", True),
        _g("C0", "2.0", True, aliases=("C",)),
        _g("D+", "1.5", True),
        _g("D0", "1.0", True, aliases=("D",)),
        _g("F", "0", False),
        *_KR_PF,
    ),
)

_CN_LEVELS = (
    ("优", "4", "90", {"zh": "优秀", "en": "excellent"}, ("优秀",)),
    ("良", "3", "80", {"zh": "良好", "en": "good"}, ("良好",)),
    ("中", "2", "70", {"zh": "中等", "en": "fair"}, ("中等",)),
    ("及格", "1", "60", {"en": "pass"}, ()),
    ("不及格", "0", "0", {"en": "fail"}, ()),
)

CN_PERCENT = GradingScale(
    id="cn_percent",
    names={"en": "Chinese percentage scale", "zh": "百分制"},
    numeric_min=Decimal(0),
    numeric_max=Decimal(100),
    max_points=Decimal(4),
    grades=(
        *(_g(c, p, c != "不及格", names=n, aliases=a, min_value=m) for c, p, m, n, a in _CN_LEVELS),
        *_CN_PF,
    ),
)

CN_FIVE_LEVEL = GradingScale(
    id="cn_five_level",
    names={"en": "Chinese five-level scale", "zh": "五级制"},
    max_points=Decimal(4),
    grades=(*(_g(c, p, c != "不及格", names=n, aliases=a) for c, p, _, n, a in _CN_LEVELS), *_CN_PF),
)

RU_FIVE_POINT = GradingScale(
    id="ru_5",
    names={"en": "Russian five-point scale", "ru": "пятибалльная система"},
    max_points=Decimal(5),
    grades=(
        _g("5", "5", True, names={"ru": "отлично", "en": "excellent"}, aliases=("отлично", "отл")),
        _g("4", "4", True, names={"ru": "хорошо", "en": "good"}, aliases=("хорошо", "хор")),
        _g("3", "3", True, names={"ru": "удовлетворительно", "en": "satisfactory"}, aliases=("удовлетворительно", "удовл")),
        _g("2", "2", False, names={"ru": "неудовлетворительно", "en": "unsatisfactory"}, aliases=("неудовлетворительно", "неуд")),
        _g("зачёт", None, True, names={"en": "pass"}, aliases=("зачтено",)),
        _g("незачёт", None, False, names={"en": "fail"}, aliases=("не зачтено",)),
    ),
)

# The ECTS Users' Guide defines A–E by shares of passing students, not by points; the points here
# are a common transcript convention so a program can still set a minimum average.
ECTS_GRADES = GradingScale(
    id="ects",
    names={"en": "ECTS grading scale"},
    max_points=Decimal(4),
    grades=(
        _g("A", "4.0", True, names={"en": "excellent"}),
        _g("B", "3.5", True, names={"en": "very good"}),
        _g("C", "3.0", True, names={"en": "good"}),
        _g("D", "2.5", True, names={"en": "satisfactory"}),
        _g("E", "2.0", True, names={"en": "sufficient"}),
        _g("FX", "0", False, names={"en": "fail, some more work required"}),
        _g("F", "0", False, names={"en": "fail"}),
        *_KR_PF,
    ),
)

US_4_0 = GradingScale(
    id="us_4_0",
    names={"en": "US 4.0 scale"},
    max_points=Decimal(4),
    grades=(
        *(_g(c, p, True) for c, p in [("A+", "4.0"), ("A", "4.0"), ("A-", "3.7"), ("B+", "3.3"), ("B", "3.0"), ("B-", "2.7"),
                                      ("C+", "2.3"), ("C", "2.0"), ("C-", "1.7"), ("D+", "1.3"), ("D", "1.0"), ("D-", "0.7")]),
        _g("F", "0", False),
        *_KR_PF,
    ),
)  # fmt: skip

GRADING_SCALES: dict[str, GradingScale] = {s.id: s for s in [KR_4_5, CN_PERCENT, CN_FIVE_LEVEL, RU_FIVE_POINT, ECTS_GRADES, US_4_0]}


STANDARD_SCALES: dict[str, GradingScale] = {s.id: s for s in (KR_4_5, CN_PERCENT, CN_FIVE_LEVEL, RU_FIVE_POINT, ECTS_GRADES, US_4_0)}
"""The scales a program may name by id instead of spelling out (`grading_scale: kr_4_5`)."""


def scale_by_id(value: object) -> object:
    """A standard scale's id becomes the scale; anything else is left for validation."""
    if isinstance(value, str):
        if value not in STANDARD_SCALES:
            raise ValueError(f"'{value}' is not a standard grading scale; use one of {', '.join(STANDARD_SCALES)} or spell the scale out")
        return STANDARD_SCALES[value]
    return value
