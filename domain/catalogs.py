"""Course catalogs of a program's institutions, and the equivalency tables coordinators keep.

An equivalency says what a partner course counts as at home: a named home course, or elective
credit in a category. Tables change as curricula change, so each entry has effective dates: a
course is judged by the entry in force on the day in question (the latest one to take effect),
and an entry past its end date is ignored. Decisions are added, never edited, so the table is also
the history of what was decided, by whom, on which request.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.parties import ID_PATTERN, PersonRef

CATEGORY_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"
_CODE = re.compile(r"^\w[\w .\-/]{0,31}$")


def _check_code(code: str) -> str:
    code = " ".join(code.split())
    if not _CODE.match(code):
        raise ValueError(f"'{code}' is not a course code: 1–32 letters, digits, spaces, '.', '-' or '/'")
    return code


CourseCode = Annotated[str, AfterValidator(_check_code)]


def code_key(code: str) -> str:
    """How codes are matched: case and spacing do not matter ('dir-620 ' finds 'DIR-620'), punctuation does."""
    return "".join(code.split()).casefold()


class CourseLevel(StrEnum):
    FOUNDATION = "foundation"  # first-year bachelor
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"  # final-year bachelor
    MASTER = "master"
    DOCTORAL = "doctoral"


LEVEL_RANK = {level: i for i, level in enumerate(CourseLevel)}


def _titles(v: dict[str, str]) -> dict[str, str]:
    if not v or any(not t.strip() or len(t) > 300 for t in v.values()):
        raise ValueError("a title needs at least one language, each 1 to 300 characters")
    return v


class CourseRef(BaseModel):
    """A course by its institution and code: what an equivalency or a transcript line points at."""

    model_config = ConfigDict(frozen=True)

    institution_id: str
    code: str

    def matches(self, institution_id: str, code: str) -> bool:
        return self.institution_id == institution_id and code_key(self.code) == code_key(code)


class Course(BaseModel):
    model_config = ConfigDict(frozen=True)

    institution_id: str = Field(pattern=ID_PATTERN)
    code: CourseCode
    title: dict[str, str] = Field(description="language → title")
    credits: Decimal = Field(gt=0, le=60, decimal_places=2, description="In the institution's own credit system")
    level: CourseLevel
    language: str | None = Field(default=None, description="Language of instruction")

    _title = field_validator("title")(classmethod(lambda cls, v: _titles(v)))

    def name(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title.get("en") or next(iter(self.title.values()))

    @property
    def ref(self) -> CourseRef:
        return CourseRef(institution_id=self.institution_id, code=self.code)


class Catalog(BaseModel):
    """One institution's courses. Codes are unique regardless of case and spacing."""

    model_config = ConfigDict(frozen=True)

    institution_id: str = Field(pattern=ID_PATTERN)
    courses: tuple[Course, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> Catalog:
        seen: set[str] = set()
        for c in self.courses:
            if c.institution_id != self.institution_id:
                raise ValueError(f"course {c.code} belongs to {c.institution_id}, not to {self.institution_id}'s catalog")
            if code_key(c.code) in seen:
                raise ValueError(f"course {c.code} is listed twice in {self.institution_id}'s catalog")
            seen.add(code_key(c.code))
        return self

    def find(self, code: str) -> Course | None:
        k = code_key(code)
        return next((c for c in self.courses if code_key(c.code) == k), None)


class Equivalency(BaseModel):
    """A partner course and what it counts as at home, from `effective_from` to `effective_to` (both included)."""

    model_config = ConfigDict(frozen=True)

    partner_institution_id: str = Field(pattern=ID_PATTERN)
    partner_course_code: CourseCode
    home_institution_id: str = Field(pattern=ID_PATTERN)
    home_course_code: CourseCode | None = None
    elective_category: str | None = Field(default=None, pattern=CATEGORY_PATTERN)
    effective_from: date
    effective_to: date | None = None
    decided_by: PersonRef
    source_request_id: str | None = Field(default=None, description="The credit transfer request it was decided on")
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _target_and_dates(self) -> Equivalency:
        if (self.home_course_code is None) == (self.elective_category is None):
            raise ValueError(
                f"an equivalency for {self.partner_course_code} names a home course or an elective category, not both"
            )
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"the equivalency for {self.partner_course_code} ends before it takes effect")
        if self.partner_institution_id == self.home_institution_id:
            raise ValueError("an equivalency links courses of two different institutions")
        return self

    @property
    def is_elective(self) -> bool:
        return self.elective_category is not None

    @property
    def target_label(self) -> str:
        return f"{self.home_course_code}" if self.home_course_code else f"elective credit ({self.elective_category})"

    def in_effect(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class EquivalencyTable(BaseModel):
    """The equivalencies one institution recognises for courses taken at its partners."""

    model_config = ConfigDict(frozen=True)

    institution_id: str = Field(pattern=ID_PATTERN, description="The receiving (home) institution")
    entries: tuple[Equivalency, ...] = ()

    @model_validator(mode="after")
    def _home(self) -> EquivalencyTable:
        for e in self.entries:
            if e.home_institution_id != self.institution_id:
                raise ValueError(
                    f"the equivalency for {e.partner_course_code} credits {e.home_institution_id}, "
                    f"not {self.institution_id} whose table this is"
                )
        return self

    def lookup(self, partner_course: Course | CourseRef, on_date: date) -> Equivalency | None:
        """The entry in force for `partner_course` on `on_date`: the latest to take effect, the later-added on a tie."""
        ref = partner_course.ref if isinstance(partner_course, Course) else partner_course
        found: Equivalency | None = None
        for e in self.entries:
            if not ref.matches(e.partner_institution_id, e.partner_course_code) or not e.in_effect(on_date):
                continue
            if found is None or e.effective_from >= found.effective_from:
                found = e
        return found

    def leading_to(self, home_course_code: str, on_date: date) -> list[Equivalency]:
        """Entries in force that count a partner course as `home_course_code`: other ways to satisfy it."""
        k = code_key(home_course_code)
        out = []
        for e in self.entries:
            if e.home_course_code and code_key(e.home_course_code) == k and e.in_effect(on_date):
                current = self.lookup(CourseRef(institution_id=e.partner_institution_id, code=e.partner_course_code), on_date)
                if current == e:
                    out.append(e)
        return out

    def add(self, entry: Equivalency) -> EquivalencyTable:
        """A new table with `entry` added: how a decision on a request is saved for reuse."""
        return EquivalencyTable(institution_id=self.institution_id, entries=(*self.entries, entry))
