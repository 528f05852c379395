"""What an applicant submits: the project, the co-producing team, the budget and how it is financed.

Validation here is about form, not merit or eligibility: an application that cannot be read as
intended (a negative amount, a financing plan that does not cover the budget, the same company
twice, a country code nobody knows) is refused at submission with a message naming the field, so
the producer fixes it before anyone spends time on it. Whether a well-formed application fits the
call (enough countries, enough matching funds) is `domain.grants.eligibility`'s question, and its
answer goes to the fund manager with reasons, not back to the form.

The lead applicant is the team company with role `lead`: keeping it in the team avoids a second
copy of its country that could disagree. Shares are each company's co-production share in percent
and add up to 100. The financing plan must add up to the budget to the cent, and its `fund` lines
(this fund) to the amount requested.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.grants.money import Currency, Percent, PositiveAmount, format_money, format_percent
from domain.parties import ID_PATTERN, PersonRef
from domain.reference import COUNTRIES

SHA256_PATTERN = r"^[0-9a-f]{64}$"
MAX_ATTACHMENT_BYTES = 4 * 1024**3  # a screener or a teaser may be large; the file itself lives in the document store
MEDIA_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    "text/plain": "text",
    "text/csv": "CSV",
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "video/mp4": "MP4 video",
    "video/quicktime": "QuickTime video",
}


def network_country(code: str) -> str:
    """The upper-cased ISO code of a network country, or a ValueError naming some valid ones."""
    if not isinstance(code, str) or code.upper() not in COUNTRIES:
        raise ValueError(f"'{code}' is not the ISO 3166 code of a network country (such as CN, IN, KR, KZ, RU, UZ)")
    return code.upper()


CountryCode = Annotated[str, AfterValidator(network_country)]


class ProjectFormat(StrEnum):
    FEATURE = "feature"  # fiction feature film
    DOCUMENTARY = "documentary"
    ANIMATED_FEATURE = "animated_feature"
    SHORT = "short"
    SERIES = "series"
    IMMERSIVE = "immersive"  # XR, VR, interactive


class Project(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str = Field(min_length=1, max_length=300)
    original_title: str = Field(default="", max_length=300)
    logline: str = Field(min_length=10, max_length=600)
    genre: str = Field(min_length=2, max_length=60, description="drama, comedy, thriller, family…")
    format: ProjectFormat
    runtime_minutes: int | None = Field(default=None, gt=0, le=1200)
    languages: tuple[str, ...] = Field(default=(), description="Languages spoken in the film")


class CompanyRole(StrEnum):
    LEAD = "lead"  # the lead applicant: signs the grant agreement and receives the tranches
    CO_PRODUCER = "co_producer"
    ASSOCIATE = "associate"  # associate producer or service company without a co-production share of rights


ROLE_NAMES = {
    CompanyRole.LEAD: "lead applicant",
    CompanyRole.CO_PRODUCER: "co-producer",
    CompanyRole.ASSOCIATE: "associate producer",
}


class TeamCompany(BaseModel):
    """A company of the co-production, with its country and its share in percent."""

    model_config = ConfigDict(frozen=True)

    organisation_id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=300)
    country: CountryCode
    role: CompanyRole
    share: Percent = Field(description="Co-production share in percent; the team's add up to 100")


class BudgetCategory(StrEnum):
    DEVELOPMENT = "development"
    PRE_PRODUCTION = "pre_production"
    PRODUCTION = "production"
    POST_PRODUCTION = "post_production"
    ANIMATION = "animation"
    MUSIC_AND_RIGHTS = "music_and_rights"
    MARKETING = "marketing"
    CONTINGENCY = "contingency"
    OTHER = "other"


class BudgetLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    category: BudgetCategory
    description: str = Field(default="", max_length=300)
    amount: PositiveAmount


class SourceType(StrEnum):
    FUND = "fund"  # this fund: the grant applied for
    OWN = "own"  # the producers' own investment, deferrals, in-kind
    OTHER = "other"  # public funds, broadcasters, pre-sales, sponsors: matching money from elsewhere


class FinancingSource(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=300)
    source_type: SourceType
    amount: PositiveAmount
    confirmed: bool = Field(default=False, description="A signed commitment or decision letter is attached")


class Attachment(BaseModel):
    """A file of the application, stored elsewhere and identified by its hash."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=200)
    sha256: str = Field(pattern=SHA256_PATTERN, description="Lower-case hex digest of the file")
    size: int = Field(gt=0, le=MAX_ATTACHMENT_BYTES, description="Bytes")
    media_type: str

    @field_validator("media_type")
    @classmethod
    def _media(cls, v: str) -> str:
        v = v.strip().lower()
        if v not in MEDIA_TYPES:
            raise ValueError(
                f"files of type '{v}' are not accepted; send PDF, Word, Excel, OpenDocument, text, CSV, JPEG, PNG, MP4 or QuickTime"
            )
        return v


def _dupes(values: Sequence[str]) -> list[str]:
    return sorted({v for v in values if values.count(v) > 1})


class Application(BaseModel):
    """An application to a call, as the applicant submits it (and the workflow keeps it)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    call_id: str = Field(pattern=ID_PATTERN)
    project: Project
    team: tuple[TeamCompany, ...] = Field(max_length=20)
    contact: PersonRef = Field(description="The lead applicant's contact person")
    currency: Currency
    requested_amount: PositiveAmount
    budget: tuple[BudgetLine, ...] = Field(max_length=200)
    financing: tuple[FinancingSource, ...] = Field(max_length=100)
    priorities: tuple[str, ...] = Field(default=(), max_length=10, description="Priority ids claimed: youth, ai_assisted…")
    attachments: tuple[Attachment, ...] = Field(default=(), max_length=50)

    @field_validator("team")
    @classmethod
    def _team(cls, v: tuple[TeamCompany, ...]) -> tuple[TeamCompany, ...]:
        if not v:
            raise ValueError("the team is empty: list the lead applicant and every co-producing company")
        problems: list[str] = []
        leads = [c.name for c in v if c.role is CompanyRole.LEAD]
        if len(leads) != 1:
            problems.append(
                "name exactly one company as the lead applicant (role 'lead')"
                if not leads
                else f"only one company can be the lead applicant, not {', '.join(leads)}"
            )
        for org in _dupes([c.organisation_id for c in v]):
            problems.append(f"company {org} is listed more than once; list each company once with its whole share")
        total = sum((c.share for c in v), Decimal(0))
        if total != 100:
            problems.append(f"the co-production shares add up to {format_percent(total)}, not 100%")
        if problems:
            raise ValueError("; ".join(problems))
        return v

    @field_validator("budget")
    @classmethod
    def _budget(cls, v: tuple[BudgetLine, ...]) -> tuple[BudgetLine, ...]:
        if not v:
            raise ValueError("the budget is empty: list its lines by category")
        return v

    @field_validator("financing")
    @classmethod
    def _financing(cls, v: tuple[FinancingSource, ...]) -> tuple[FinancingSource, ...]:
        if not v:
            raise ValueError("the financing plan is empty: list every source, this fund's grant included")
        return v

    @field_validator("priorities")
    @classmethod
    def _priorities(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if twice := _dupes(list(v)):
            raise ValueError(f"priority {', '.join(twice)} is claimed twice")
        return v

    @field_validator("attachments")
    @classmethod
    def _attachments(cls, v: tuple[Attachment, ...]) -> tuple[Attachment, ...]:
        if twice := _dupes([a.name for a in v]):
            raise ValueError(f"two attachments are named {', '.join(twice)}; give each file its own name")
        return v

    @model_validator(mode="after")
    def _coherent(self) -> Application:
        problems = financing_problems(self)
        lead = self.lead
        if self.contact.organisation_id is not None and self.contact.organisation_id != lead.organisation_id:
            problems.append(
                f"the contact {self.contact.name} works for {self.contact.organisation_id}, not the lead applicant {lead.organisation_id}"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def lead(self) -> TeamCompany:
        return next(c for c in self.team if c.role is CompanyRole.LEAD)

    @property
    def lead_country(self) -> str:
        return self.lead.country

    @property
    def countries(self) -> list[str]:
        """The team's distinct countries, sorted."""
        return sorted({c.country for c in self.team})

    @property
    def budget_total(self) -> Decimal:
        return sum((b.amount for b in self.budget), Decimal(0))

    @property
    def financing_total(self) -> Decimal:
        return sum((f.amount for f in self.financing), Decimal(0))

    @property
    def from_this_fund(self) -> Decimal:
        return sum((f.amount for f in self.financing if f.source_type is SourceType.FUND), Decimal(0))

    def matching(self, *, confirmed_only: bool = False) -> Decimal:
        """Financing from sources other than this fund (own money included), optionally only confirmed."""
        return sum(
            (f.amount for f in self.financing if f.source_type is not SourceType.FUND and (f.confirmed or not confirmed_only)),
            Decimal(0),
        )


def financing_problems(app: Application) -> list[str]:
    """Where the budget and the financing plan disagree, one sentence each (shared with eligibility)."""
    out: list[str] = []
    cur = app.currency
    budget, financing = app.budget_total, app.financing_total
    if financing != budget:
        out.append(
            f"the financing plan adds up to {format_money(financing, cur)} but the budget to {format_money(budget, cur)};"
            " the plan must cover the budget exactly"
        )
    if app.from_this_fund != app.requested_amount:
        out.append(
            f"the financing plan counts {format_money(app.from_this_fund, cur)} from this fund"
            f" but the request is {format_money(app.requested_amount, cur)}"
        )
    if app.requested_amount > budget:
        out.append(
            f"the request of {format_money(app.requested_amount, cur)} is more than the whole budget of {format_money(budget, cur)}"
        )
    return out


def validation_messages(error: ValidationError) -> list[str]:
    """A pydantic error as lines a producer can act on: 'team.1.country: 'XX' is not …'."""
    out: list[str] = []
    for e in error.errors():
        where = ".".join(str(p) for p in e["loc"]) or "application"
        msg = e["msg"].removeprefix("Value error, ")
        out.append(f"{where}: {msg}")
    return out
