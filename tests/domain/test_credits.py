"""Worked examples of credit conversion, as a registrar would check them by hand."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.credits import (
    CREDIT_SYSTEMS,
    CreditConversion,
    CreditError,
    CreditSystem,
    CreditTableRow,
    Rounding,
    RoundingMode,
    convert_credits,
    default_conversion,
    default_factor,
    format_credits,
)

D = Decimal
KR, CN, ECTS, ZET, US = (
    CreditSystem.KR_CREDIT,
    CreditSystem.CN_CREDIT,
    CreditSystem.ECTS,
    CreditSystem.RU_ZET,
    CreditSystem.US_SEMESTER_HOUR,
)


def test_each_system_records_its_convention() -> None:
    assert CREDIT_SYSTEMS[KR].name("ko") == "학점" and CREDIT_SYSTEMS[KR].hours_per_credit_min == 15
    assert CREDIT_SYSTEMS[CN].name("zh") == "学分"
    assert CREDIT_SYSTEMS[ECTS].full_time_year == 60 and (CREDIT_SYSTEMS[ECTS].hours_per_credit_min, CREDIT_SYSTEMS[ECTS].hours_per_credit_max) == (25, 30)
    assert CREDIT_SYSTEMS[ZET].name("ru").startswith("зачётная единица") and CREDIT_SYSTEMS[ZET].hours_per_credit_max == 36
    assert CREDIT_SYSTEMS[ZET].hour_minutes == 45  # academic hours
    assert CREDIT_SYSTEMS[US].typical_term_load == 15


@pytest.mark.parametrize(
    ("src", "dst", "factor"),
    [(ECTS, KR, "0.5"), (ZET, ECTS, "1"), (US, ECTS, "2"), (ZET, KR, "0.5"), (CN, KR, "0.75"), (KR, ECTS, "2"), (KR, KR, "1")],
)
def test_default_factors_follow_the_workload_conventions(src: CreditSystem, dst: CreditSystem, factor: str) -> None:
    assert default_factor(src, dst) == D(factor)


def test_three_vgik_courses_in_korean_credits() -> None:
    """6, 4 and 5 ZET × 0.5 = 3, 2 and 2.5 Korean credits: nothing to round."""
    rule = default_conversion(ZET, KR)
    assert [convert_credits(D(x), rule) for x in ("6", "4", "5")] == [D("3"), D("2"), D("2.5")]


def test_rounding_edge_half_up_to_half_a_credit() -> None:
    """4.5 ZET × 0.5 = 2.25 → 2.5 (half-up to 0.5); half-even would keep the even step, 2.0; down keeps 2.0."""
    assert convert_credits(D("4.5"), default_conversion(ZET, KR)) == D("2.5")
    half_even = default_conversion(ZET, KR, Rounding(step=D("0.5"), mode=RoundingMode.HALF_EVEN))
    assert convert_credits(D("4.5"), half_even) == D("2.0")
    down = default_conversion(ZET, KR, Rounding(step=D("0.5"), mode=RoundingMode.DOWN))
    assert convert_credits(D("4.5"), down) == D("2.0")


def test_the_same_system_passes_through_unrounded() -> None:
    assert convert_credits(D("1.25"), default_conversion(ECTS, ECTS)) == D("1.25")


def test_program_override_factor_and_whole_credits() -> None:
    """A program that counts a Chinese credit as 0.6 Korean credits, rounded half-up to whole credits: 3 → 1.8 → 2."""
    rule = CreditConversion(from_system=CN, to_system=KR, factor=D("0.6"), rounding=Rounding(step=D(1)))
    assert convert_credits(D(3), rule) == D(2)
    assert convert_credits(D("2"), rule) == D(1)  # 1.2 → 1


def test_table_rows_win_over_the_factor_and_are_not_rounded() -> None:
    rule = CreditConversion(
        from_system=CN,
        to_system=KR,
        factor=D("0.75"),
        table=(CreditTableRow(from_credits=D(3), to_credits=D(2)), CreditTableRow(from_credits=D(1), to_credits=D("0.75"))),
    )
    assert convert_credits(D(3), rule) == D(2)  # the agreed table, not 2.25 → 2.5
    assert convert_credits(D(1), rule) == D("0.75")  # as written, even off the 0.5 step
    assert convert_credits(D(4), rule) == D(3)  # no row: factor


def test_a_table_without_a_factor_names_the_amounts_it_knows() -> None:
    rule = CreditConversion(from_system=CN, to_system=KR, table=(CreditTableRow(from_credits=D(2), to_credits=D("1.5")),))
    with pytest.raises(CreditError, match=r"converts only 2 CN credits; 3 is not in it"):
        convert_credits(D(3), rule)


@pytest.mark.parametrize("amount", ["0", "-3", "NaN"])
def test_zero_negative_or_nonsense_credits_are_refused(amount: str) -> None:
    with pytest.raises(CreditError, match="must be more than zero"):
        convert_credits(D(amount), default_conversion(ZET, KR))


def test_a_result_that_rounds_to_nothing_is_refused() -> None:
    """0.2 ECTS × 0.5 = 0.1 → 0 at a step of 0.5: refused rather than posted as zero credits."""
    with pytest.raises(CreditError, match="converts to nothing"):
        convert_credits(D("0.2"), default_conversion(ECTS, KR))


def test_a_rule_needs_a_factor_or_a_table() -> None:
    with pytest.raises(ValidationError, match="needs a factor or a table"):
        CreditConversion(from_system=ZET, to_system=KR)


def test_labels_read_as_a_registrar_writes_them() -> None:
    assert format_credits(D("2.50"), KR) == "2.5 KR credits"
    assert format_credits(D("6"), ZET) == "6 ZET"
    assert default_conversion(ZET, KR).label == "ZET → KR credits: × 0.5, rounded half_up to 0.5"
