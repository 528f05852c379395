"""Credit systems of the network's universities and the conversion of credits between them.

Each system counts study differently: a Korean 학점 or a Chinese 学分 is mostly a count of contact
hours per semester, an ECTS credit or a Russian зачётная единица a count of all study hours, a US
credit hour a Carnegie unit. Registrars therefore convert by *conventions* (1 ZET = 1 ECTS, 1 US
credit hour = 2 ECTS, 2 ECTS = 1 Korean credit) rather than by the raw hour ratio, which would give
awkward factors like 0.9 and 1.64. Each system here records its hour basis for reference and its
`ects_per_credit`, the convention; a default conversion is the ratio of the two systems'
`ects_per_credit`. A joint program may override any pair with its own factor or table and its own
rounding, since that is what the partner universities sign.

Pure: no I/O, no clock. Amounts are Decimal throughout so 2.25 stays 2.25 until a rule rounds it.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.agreement_rules import Rejected


class CreditError(Rejected):
    """Credits that cannot be accepted or converted; the message is shown to the person as is."""


class CreditSystem(StrEnum):
    KR_CREDIT = "kr_credit"
    CN_CREDIT = "cn_credit"
    ECTS = "ects"
    RU_ZET = "ru_zet"
    US_SEMESTER_HOUR = "us_semester_hour"


class HourBasis(StrEnum):
    CONTACT = "contact"  # classroom hours per credit over one semester
    WORKLOAD = "workload"  # all study hours per credit: classes, self-study, assessment


class CreditSystemInfo(BaseModel):
    """What a registrar knows about a credit system."""

    model_config = ConfigDict(frozen=True)

    system: CreditSystem
    names: dict[str, str] = Field(description="'en' and the native language")
    short: str = Field(description="Unit after a number: '3 ZET', '6 ECTS'")
    hour_basis: HourBasis
    hours_per_credit_min: Decimal
    hours_per_credit_max: Decimal
    hour_minutes: int = Field(description="Length of the 'hour' counted: 60, or 45/50 for an academic hour")
    full_time_year: Decimal = Field(description="Credits of a typical full-time year")
    terms_per_year: int = 2
    ects_per_credit: Decimal = Field(description="The conventional workload of one credit in ECTS credits")
    basis: str = Field(description="Where the convention comes from")

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]

    @property
    def typical_term_load(self) -> Decimal:
        return self.full_time_year / self.terms_per_year


def _d(x: str) -> Decimal:
    return Decimal(x)


CREDIT_SYSTEMS: dict[CreditSystem, CreditSystemInfo] = {
    i.system: i
    for i in [
        CreditSystemInfo(
            system=CreditSystem.KR_CREDIT,
            names={"en": "Korean credit", "ko": "학점"},
            short="KR credits",
            hour_basis=HourBasis.CONTACT,
            hours_per_credit_min=_d("15"),
            hours_per_credit_max=_d("16"),
            hour_minutes=50,
            full_time_year=_d("32"),
            ects_per_credit=_d("2"),
            basis="Higher Education Act decree: at least 15 class hours per credit per semester; "
            "about 130 credits over 8 semesters. 2 ECTS = 1 credit is the usual exchange convention.",
        ),
        CreditSystemInfo(
            system=CreditSystem.CN_CREDIT,
            names={"en": "Chinese credit", "zh": "学分"},
            short="CN credits",
            hour_basis=HourBasis.CONTACT,
            hours_per_credit_min=_d("16"),
            hours_per_credit_max=_d("18"),
            hour_minutes=45,
            full_time_year=_d("40"),
            ects_per_credit=_d("1.5"),
            basis="16–18 class hours (学时) per credit; about 160 credits over 4 years, so 40 credits "
            "carry a 60-ECTS year.",
        ),
        CreditSystemInfo(
            system=CreditSystem.ECTS,
            names={"en": "ECTS credit"},
            short="ECTS",
            hour_basis=HourBasis.WORKLOAD,
            hours_per_credit_min=_d("25"),
            hours_per_credit_max=_d("30"),
            hour_minutes=60,
            full_time_year=_d("60"),
            ects_per_credit=_d("1"),
            basis="ECTS Users' Guide: 60 credits for a full-time year of 1,500–1,800 study hours.",
        ),
        CreditSystemInfo(
            system=CreditSystem.RU_ZET,
            names={"en": "Russian credit unit (ZET)", "ru": "зачётная единица (з.е.)"},
            short="ZET",
            hour_basis=HourBasis.WORKLOAD,
            hours_per_credit_min=_d("36"),
            hours_per_credit_max=_d("36"),
            hour_minutes=45,
            full_time_year=_d("60"),
            ects_per_credit=_d("1"),
            basis="Federal state educational standards: 1 з.е. = 36 academic hours, 60 з.е. a year; "
            "taken as 1 ECTS credit.",
        ),
        CreditSystemInfo(
            system=CreditSystem.US_SEMESTER_HOUR,
            names={"en": "US semester credit hour"},
            short="US credit hours",
            hour_basis=HourBasis.CONTACT,
            hours_per_credit_min=_d("15"),
            hours_per_credit_max=_d("15"),
            hour_minutes=50,
            full_time_year=_d("30"),
            ects_per_credit=_d("2"),
            basis="Carnegie unit: one class hour and two hours of outside work a week for 15 weeks; "
            "15 a semester full time, so 1 credit hour ≈ 2 ECTS.",
        ),
    ]
}


def system_info(system: CreditSystem) -> CreditSystemInfo:
    return CREDIT_SYSTEMS[system]


def format_credits(amount: Decimal, system: CreditSystem) -> str:
    """'2.5 KR credits', '6 ZET': a number as a registrar writes it, with its unit."""
    return f"{plain_number(amount)} {CREDIT_SYSTEMS[system].short}"


def plain_number(amount: Decimal | None) -> str:
    """2.50 → '2.5', 6.00 → '6', without scientific notation ('' for None)."""
    if amount is None:
        return ""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------- rounding and conversion


class RoundingMode(StrEnum):
    HALF_UP = "half_up"  # 2.25 → 2.5 at a step of 0.5: what most registrars mean by rounding
    HALF_EVEN = "half_even"
    DOWN = "down"  # never grant more than earned
    UP = "up"


_DECIMAL_MODES = {
    RoundingMode.HALF_UP: decimal.ROUND_HALF_UP,
    RoundingMode.HALF_EVEN: decimal.ROUND_HALF_EVEN,
    RoundingMode.DOWN: decimal.ROUND_DOWN,
    RoundingMode.UP: decimal.ROUND_UP,
}


class Rounding(BaseModel):
    """Round to a multiple of `step`: half-up to 0.5 by default, as most of the network's programs do."""

    model_config = ConfigDict(frozen=True)

    step: Decimal = Field(default=Decimal("0.5"), gt=0, le=10, decimal_places=2)
    mode: RoundingMode = RoundingMode.HALF_UP

    def apply(self, amount: Decimal) -> Decimal:
        units = (amount / self.step).quantize(Decimal(1), rounding=_DECIMAL_MODES[self.mode])
        return (units * self.step).quantize(self.step)


class CreditTableRow(BaseModel):
    """An exact amount and what it becomes: a 3-credit Chinese course counts 2 Korean credits."""

    model_config = ConfigDict(frozen=True)

    from_credits: Decimal = Field(gt=0, decimal_places=2)
    to_credits: Decimal = Field(gt=0, decimal_places=2)


class CreditConversion(BaseModel):
    """How a program converts credits of one system into another.

    A table row for the exact amount wins (its value is used as written, unrounded); otherwise the
    factor applies and the result is rounded. At least one of the two must be given.
    """

    model_config = ConfigDict(frozen=True)

    from_system: CreditSystem
    to_system: CreditSystem
    factor: Decimal | None = Field(default=None, gt=0, le=100)
    table: tuple[CreditTableRow, ...] = ()
    rounding: Rounding = Rounding()

    @model_validator(mode="after")
    def _factor_or_table(self) -> CreditConversion:
        if self.factor is None and not self.table:
            raise ValueError(
                f"a conversion from {self.from_system.value} to {self.to_system.value} needs a factor or a table"
            )
        amounts = [r.from_credits for r in self.table]
        if len(set(amounts)) != len(amounts):
            raise ValueError("each amount may appear only once in a credit conversion table")
        return self

    @property
    def label(self) -> str:
        src, dst = CREDIT_SYSTEMS[self.from_system].short, CREDIT_SYSTEMS[self.to_system].short
        parts = [f"× {plain_number(self.factor)}"] if self.factor is not None else []
        parts += [f"{plain_number(r.from_credits)} → {plain_number(r.to_credits)}" for r in self.table]
        return f"{src} → {dst}: {', '.join(parts)}, rounded {self.rounding.mode.value} to {plain_number(self.rounding.step)}"


def default_factor(from_system: CreditSystem, to_system: CreditSystem) -> Decimal:
    """The workload ratio by convention: ECTS → KR 0.5, ZET → ECTS 1, US → ECTS 2, CN → KR 0.75."""
    ratio = CREDIT_SYSTEMS[from_system].ects_per_credit / CREDIT_SYSTEMS[to_system].ects_per_credit
    return ratio.quantize(Decimal("0.0001")).normalize()


def default_conversion(from_system: CreditSystem, to_system: CreditSystem, rounding: Rounding | None = None) -> CreditConversion:
    """The conversion a program gets for a pair it did not set: the conventional factor, rounded."""
    return CreditConversion(
        from_system=from_system,
        to_system=to_system,
        factor=default_factor(from_system, to_system),
        rounding=rounding or Rounding(),
    )


def check_positive(amount: Decimal | int | str, system: CreditSystem | None = None, what: str = "Credits") -> Decimal:
    """`amount` as a Decimal, or a CreditError when it is not a positive number."""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except decimal.InvalidOperation:
        raise CreditError(f"{what} must be a number; got '{amount}'.") from None
    unit = f" {CREDIT_SYSTEMS[system].short}" if system else ""
    if not value.is_finite() or value <= 0:
        raise CreditError(f"{what} must be more than zero; got {amount}{unit}.")
    return value


def convert_credits(amount: Decimal, rule: CreditConversion) -> Decimal:
    """Credits of `rule.from_system` in `rule.to_system`.

    Worked example (ZET → Korean credit, factor 0.5, half-up to 0.5): 6 → 3, 5 → 2.5, 4.5 → 2.25 → 2.5.
    The same system on both sides with a factor of 1 passes amounts through unrounded. A result that rounds to nothing is refused rather than posted as zero credits.
    """
    value = check_positive(amount, rule.from_system)
    if rule.from_system == rule.to_system and rule.factor == 1 and not rule.table:
        return value  # two institutions on the same system: nothing to convert, nothing to round
    row = next((r for r in rule.table if r.from_credits == value), None)
    if row is not None:
        return row.to_credits
    if rule.factor is None:
        listed = ", ".join(plain_number(r.from_credits) for r in rule.table)
        raise CreditError(
            f"The program's table converts only {listed} {CREDIT_SYSTEMS[rule.from_system].short}; "
            f"{plain_number(value)} is not in it and no factor is set."
        )
    result = rule.rounding.apply(value * rule.factor)
    if result <= 0:
        raise CreditError(
            f"{format_credits(value, rule.from_system)} converts to nothing ({rule.label}); "
            "the program's rounding would post zero credits."
        )
    return result

