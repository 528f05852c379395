"""Organisations and people, and the roles a person holds.

A role is held *for* something: a liaison for a country, an approver or signatory for an
organisation. Access rules in `domain.access` read these grants; the workflows get a snapshot of
the relevant people in their start input, so validators decide without any I/O.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from domain.reference import COUNTRIES

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]{1,63}$"


class OrganisationKind(StrEnum):
    MINISTRY = "ministry"  # ministry or government agency
    FILM_BODY = "film_body"
    UNIVERSITY = "university"
    PRODUCER = "producer"
    DISTRIBUTOR = "distributor"
    FESTIVAL = "festival"


class Role(StrEnum):
    LIAISON = "liaison"  # for a country
    APPROVER = "approver"  # for an organisation
    SIGNATORY = "signatory"  # for an organisation
    PROGRAM_COORDINATOR = "program_coordinator"
    FUND_MANAGER = "fund_manager"
    REVIEWER = "reviewer"
    DEPARTMENT_REVIEWER = "department_reviewer"  # decides credit transfers for a university department
    REGISTRAR = "registrar"  # approves or confirms credits for a university
    MINISTRY_OFFICER = "ministry_officer"  # authorizes credit transfers for a ministry of education
    STUDENT = "student"  # enrolled at a university of a joint program
    BOARD_MEMBER = "board_member"
    ADMIN = "admin"


ORGANISATION_ROLES = {
    Role.APPROVER,
    Role.SIGNATORY,
    Role.PROGRAM_COORDINATOR,
    Role.DEPARTMENT_REVIEWER,
    Role.REGISTRAR,
    Role.MINISTRY_OFFICER,
    Role.STUDENT,
}
COUNTRY_ROLES = {Role.LIAISON}


def _check_country(code: str) -> str:
    code = code.upper()
    if code not in COUNTRIES:
        raise ValueError(f"'{code}' is not an ISO 3166 code of a network country")
    return code


class Organisation(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    names: dict[str, str] = Field(min_length=1, description="Name by language code; 'en' first")
    kind: OrganisationKind
    country: str

    _country = field_validator("country")(classmethod(lambda cls, v: _check_country(v)))

    @field_validator("names")
    @classmethod
    def _names(cls, v: dict[str, str]) -> dict[str, str]:
        if "en" not in v:
            raise ValueError("an organisation needs an English name ('en')")
        if any(not n.strip() or len(n) > 300 for n in v.values()):
            raise ValueError("names must be 1 to 300 characters")
        return v

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


class RoleGrant(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Role
    organisation_id: str | None = None
    country: str | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        return None if v is None else _check_country(v)


class Person(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    title: str = Field(default="", max_length=200)
    organisation_id: str | None = None
    roles: tuple[RoleGrant, ...] = ()
    languages: tuple[str, ...] = ("en",)

    def holds(self, role: Role, *, organisation_id: str | None = None, country: str | None = None) -> bool:
        for g in self.roles:
            if g.role is not role:
                continue
            if organisation_id is not None and g.organisation_id != organisation_id:
                continue
            if country is not None and g.country != country:
                continue
            return True
        return False


class PersonRef(BaseModel):
    """The slice of a person a workflow keeps: enough to authorize, address and print."""

    model_config = ConfigDict(frozen=True)

    # as long as a directory `Person` allows: a reference given whole (a licence's party) stays small
    id: str = Field(max_length=64)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    title: str = Field(default="", max_length=200)
    organisation_id: str | None = Field(default=None, max_length=64)

    @classmethod
    def of(cls, p: Person) -> PersonRef:
        return cls(id=p.id, name=p.name, email=p.email, title=p.title, organisation_id=p.organisation_id)
