"""The typed variables of each agreement kind.

A template kind's clauses (in `documents/clauses/`) refer to these variables by name; validating
them here, before a workflow starts, means a clause never renders with a hole in it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.agreements import AgreementKind


class _Vars(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UniversityPartnershipVars(_Vars):
    """University partnership or dual-degree MOU."""

    program_name: str = Field(min_length=3, max_length=300)
    disciplines: list[str] = Field(default=["film production"], min_length=1, max_length=20)
    dual_degree: bool = True
    students_per_year: int = Field(default=10, ge=1, le=10_000)
    terms_abroad: int = Field(default=2, ge=1, le=12)
    tuition_waiver: bool = True
    ministry_authorization_required: bool = False


class CoProductionVars(_Vars):
    """Co-production cooperation MOU between film bodies of two or more states."""

    scope: str = Field(default="feature films, documentaries and animation", max_length=500)
    min_financial_share_percent: int = Field(default=20, ge=1, le=50)
    joint_committee_meets_every_months: int = Field(default=12, ge=1, le=60)
    festival_screening: bool = True


class DistributionAccessionVars(_Vars):
    """Accession to the SCO film distribution network; any number of parties."""

    festival_edition: str = Field(min_length=2, max_length=100)
    expedited_licensing_days: int = Field(default=90, ge=1, le=730)
    release_target_per_year: int = Field(default=5, ge=0, le=1000)
    media: list[str] = Field(default=["theatrical", "streaming"], min_length=1)


class GrantVars(_Vars):
    """Grant agreement of the co-production fund."""

    project_title: str = Field(min_length=2, max_length=300)
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    fund_name: str = Field(default="SCO Co-Production Fund", max_length=200)
    tranches: list[str] = Field(
        default=["40% on signature", "40% on approval of the production milestone report", "20% on delivery"],
        min_length=1,
        max_length=20,
    )
    grant_ref: str = Field(default="", max_length=100)


class LicenceVars(_Vars):
    """Licence of a film's rights to a distributor."""

    film_title: str = Field(min_length=1, max_length=300)
    territory: list[str] = Field(min_length=1, description="ISO 3166 codes")
    media: list[str] = Field(min_length=1, description="theatrical, streaming, tv")
    term_start: date
    term_end: date
    exclusive: bool = False
    fee: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")


VARIABLE_MODELS: dict[AgreementKind, type[_Vars]] = {
    AgreementKind.UNIVERSITY_PARTNERSHIP: UniversityPartnershipVars,
    AgreementKind.CO_PRODUCTION: CoProductionVars,
    AgreementKind.DISTRIBUTION_ACCESSION: DistributionAccessionVars,
    AgreementKind.GRANT: GrantVars,
    AgreementKind.LICENCE: LicenceVars,
}

KIND_LABELS: dict[AgreementKind, str] = {
    AgreementKind.UNIVERSITY_PARTNERSHIP: "University partnership / dual-degree MOU",
    AgreementKind.CO_PRODUCTION: "Co-production cooperation MOU",
    AgreementKind.DISTRIBUTION_ACCESSION: "Distribution-network accession MOU",
    AgreementKind.GRANT: "Grant agreement",
    AgreementKind.LICENCE: "Licence agreement",
}


def validate_variables(kind: AgreementKind, variables: dict[str, Any]) -> dict[str, Any]:
    """Variables checked against the kind's model, returned as JSON-ready values.

    Raises ValueError naming each bad field as `variables.<field>` so the person who wrote the
    file can find it.
    """
    model = VARIABLE_MODELS[kind]
    try:
        parsed = model.model_validate(variables)
    except ValidationError as e:
        problems = "; ".join(
            f"variables.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()
        )
        raise ValueError(f"{KIND_LABELS[kind]}: {problems}") from None
    return parsed.model_dump(mode="json")
