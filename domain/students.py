"""A student of a joint program: terms abroad, credits posted at each institution, thesis.

Credits are posted *at* an institution, in its credits and on its scale, and count toward that
institution's degree only. A course taken at the partner therefore appears twice for a dual-degree
student: once at the partner, as taken, and once at home after a credit transfer, converted. That
is how both registrars keep their books, and it lets each degree be audited on its own.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from domain.catalogs import CATEGORY_PATTERN, CourseCode
from domain.parties import ID_PATTERN, PersonRef
from domain.terms import Term, term_index


class ThesisStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"  # handed in, defence or review pending
    APPROVED = "approved"  # defended / accepted: the only status that meets a requirement


class PostedCredit(BaseModel):
    """A course on an institution's books (`institution_id`), counting toward that institution's degree.

    A course taken there (`taken_at` == `institution_id`) is posted as itself. A transferred one
    names the home course it counts as, or the elective category, and keeps what was taken for the
    joint transcript.
    """

    institution_id: str = Field(pattern=ID_PATTERN, description="Whose books: the degree it counts toward")
    taken_at: str = Field(pattern=ID_PATTERN)
    course_code: CourseCode = Field(description="As taken, at `taken_at`")
    title: str = Field(min_length=1, max_length=300)
    home_course_code: CourseCode | None = None
    elective_category: str | None = Field(default=None, pattern=CATEGORY_PATTERN)
    credits: Decimal = Field(gt=0, le=60, decimal_places=2, description="In the posting institution's system")
    grade: str = Field(min_length=1, max_length=20, description="On the posting institution's scale")
    term: Term
    source_request_id: str | None = Field(default=None, description="The credit transfer request; None when taken here")
    original_credits: Decimal | None = Field(default=None, description="As taken, in the partner's system")
    original_grade: str | None = Field(default=None, description="As taken, on the partner's scale")

    @model_validator(mode="after")
    def _target(self) -> PostedCredit:
        if self.taken_at == self.institution_id:
            if self.elective_category is None and self.home_course_code is None:
                self.home_course_code = self.course_code
        elif (self.home_course_code is None) == (self.elective_category is None):
            raise ValueError(
                f"{self.course_code} taken at {self.taken_at} counts at {self.institution_id} either as a home course or as"
                " elective credit in a category"
            )
        return self

    @property
    def transferred(self) -> bool:
        return self.taken_at != self.institution_id


class TermAbroad(BaseModel):
    institution_id: str = Field(pattern=ID_PATTERN)
    term: Term


class StudentRecord(BaseModel):
    """What the student record workflow holds and the degree audit reads."""

    student_id: str = Field(pattern=ID_PATTERN)
    person: PersonRef
    program_id: str = Field(pattern=ID_PATTERN)
    home_institution_id: str = Field(pattern=ID_PATTERN)
    enrolled_term: Term
    terms_abroad: list[TermAbroad] = Field(default_factory=list, max_length=24)
    posted: list[PostedCredit] = Field(default_factory=list, description="At every institution of the program")
    thesis: dict[str, ThesisStatus] = Field(
        default_factory=dict, description="institution id → status; a joint thesis is recorded under both"
    )

    def posted_at(self, institution_id: str) -> list[PostedCredit]:
        return [p for p in self.posted if p.institution_id == institution_id]

    def thesis_status(self, institution_id: str) -> ThesisStatus:
        return self.thesis.get(institution_id, ThesisStatus.NOT_STARTED)

    def last_posted_term(self, institution_id: str) -> str | None:
        terms = [p.term for p in self.posted_at(institution_id)]
        return max(terms, key=term_index) if terms else None

    def with_posted(self, credits: list[PostedCredit]) -> StudentRecord:
        """A copy with `credits` added: how the record workflow applies a finished credit transfer."""
        return self.model_copy(update={"posted": [*self.posted, *credits]})
