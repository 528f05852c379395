"""Worked examples of grading scales, grade conversion and GPA."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.grade_conversion import GradeConversion, GradeRule, convert_grade, gpa
from domain.grading import CN_FIVE_LEVEL, CN_PERCENT, ECTS_GRADES, GRADING_SCALES, KR_4_5, RU_FIVE_POINT, US_4_0, GradeError
from tests.domain.program_examples import KR_TO_RU, RU_TO_KR

D = Decimal


def test_korean_4_5_scale() -> None:
    assert [(g.code, g.points) for g in KR_4_5.grades[:3]] == [("A+", D("4.5")), ("A0", D("4.0")), ("B+", D("3.5"))]
    assert KR_4_5.normalize("a") == "A0"  # 'A' is how some transcripts write A0
    assert KR_4_5.pass_threshold == "D0"
    assert KR_4_5.grade_for("P").pass_fail and not KR_4_5.grade_for("NP").passing


def test_russian_five_point_scale_reads_words_and_yo() -> None:
    assert RU_FIVE_POINT.normalize("отлично") == "5"
    assert RU_FIVE_POINT.normalize("зачет") == "зачёт"  # typed without ё
    assert RU_FIVE_POINT.pass_threshold == "3"
    assert not RU_FIVE_POINT.grade_for("2").passing


def test_chinese_percentage_reads_through_its_bands() -> None:
    assert CN_PERCENT.grade_for("87").code == "良"
    assert CN_PERCENT.grade_for("59.5").code == "不及格"
    assert CN_PERCENT.normalize("87,5%") == "87.5"
    assert CN_PERCENT.pass_mark == 60 and CN_PERCENT.pass_threshold == "60"
    assert CN_PERCENT.grade_for("优秀").code == "优"  # band names are grades too
    assert CN_FIVE_LEVEL.pass_threshold == "及格"


def test_other_scales_pass_thresholds() -> None:
    assert (ECTS_GRADES.pass_threshold, US_4_0.pass_threshold) == ("E", "D-")
    assert not ECTS_GRADES.grade_for("FX").passing
    assert set(GRADING_SCALES) == {"kr_4_5", "cn_percent", "cn_five_level", "ru_5", "ects", "us_4_0"}


def test_a_grade_off_the_scale_names_the_scale_and_its_grades() -> None:
    with pytest.raises(GradeError) as e:
        RU_FIVE_POINT.grade_for("A")
    assert str(e.value) == (
        "Grade 'A' is not on the Russian five-point scale; valid grades: 5 (отлично), 4 (хорошо), 3 (удовлетворительно),"
        " 2 (неудовлетворительно), зачёт (pass), незачёт (fail)."
    )
    with pytest.raises(GradeError, match=r"'101' is outside the Chinese percentage scale \(0–100\)"):
        CN_PERCENT.grade_for("101")


def test_vgik_grades_5_4_3_become_a_plus_b_plus_c_plus() -> None:
    converted = [convert_grade(g, RU_FIVE_POINT, KR_4_5, RU_TO_KR) for g in ("5", "4", "3")]
    assert [(c.grade, c.points) for c in converted] == [("A+", D("4.5")), ("B+", D("3.5")), ("C+", D("2.5"))]
    assert convert_grade("неуд", RU_FIVE_POINT, KR_4_5, RU_TO_KR).grade == "F"


def test_pass_fail_converts_to_pass_fail_and_stays_out_of_the_gpa() -> None:
    passed = convert_grade("зачтено", RU_FIVE_POINT, KR_4_5, RU_TO_KR)
    assert (passed.grade, passed.points, passed.passing, passed.counts_in_gpa) == ("P", None, True, False)
    assert convert_grade("незачёт", RU_FIVE_POINT, KR_4_5, RU_TO_KR).grade == "NP"
    assert convert_grade("P", KR_4_5, RU_FIVE_POINT, KR_TO_RU).grade == "зачёт"


def test_a_grade_outside_the_partner_scale_is_refused_on_conversion() -> None:
    with pytest.raises(GradeError, match="not on the Russian five-point scale"):
        convert_grade("A+", RU_FIVE_POINT, KR_4_5, RU_TO_KR)


def test_converting_without_the_program_table_is_refused() -> None:
    with pytest.raises(GradeError, match="no table converting Russian five-point scale grades"):
        convert_grade("5", RU_FIVE_POINT, KR_4_5, None)
    assert convert_grade("B+", KR_4_5, KR_4_5, None).grade == "B+"  # same scale: no table needed


def test_chinese_percentages_by_numeric_bands() -> None:
    """90 and up A+, 85 A0, 80 B+, 75 B0, 70 C+, 65 C0, 60 D0, below 60 F: 89.5 is still A0, no gap."""
    table = GradeConversion(
        from_scale="cn_percent",
        to_scale="kr_4_5",
        rules=tuple(
            GradeRule(from_min=D(m), to_grade=g)
            for m, g in [("90", "A+"), ("85", "A0"), ("80", "B+"), ("75", "B0"), ("70", "C+"), ("65", "C0"), ("60", "D0"), ("0", "F")]
        ),
    )
    assert table.problems(CN_PERCENT, KR_4_5) == []
    assert [convert_grade(x, CN_PERCENT, KR_4_5, table).grade for x in ("95", "89.5", "60", "59")] == ["A+", "A0", "D0", "F"]
    assert convert_grade("良", CN_PERCENT, KR_4_5, table).grade == "B+"  # a band name reads as its lowest number, 80
    assert convert_grade("合格", CN_PERCENT, KR_4_5, table).grade == "P"


def test_table_problems_are_found_before_any_student_meets_them() -> None:
    gaps = GradeConversion(from_scale="ru_5", to_scale="kr_4_5", rules=(GradeRule(from_grade="5", to_grade="A+"),))
    assert "no rule for 4 (хорошо)" in " ".join(gaps.problems(RU_FIVE_POINT, KR_4_5))
    lenient = GradeConversion(
        from_scale="ru_5", to_scale="kr_4_5", rules=tuple(GradeRule(from_grade=a, to_grade="D0") for a in "5432")
    )
    assert any("2 (неудовлетворительно) is failing but would become D0" in p for p in lenient.problems(RU_FIVE_POINT, KR_4_5))
    straddle = GradeConversion(
        from_scale="cn_percent", to_scale="kr_4_5", rules=(GradeRule(from_min=D(55), to_grade="D0"), GradeRule(from_min=D(0), to_grade="F"))
    )
    assert any("mixes failing and passing" in p for p in straddle.problems(CN_PERCENT, KR_4_5))
    unknown = GradeConversion(from_scale="ru_5", to_scale="kr_4_5", rules=(GradeRule(from_grade="6", to_grade="A+"),))
    assert any("'6' is not on the Russian five-point scale" in p for p in unknown.problems(RU_FIVE_POINT, KR_4_5))


def test_a_rule_has_one_source() -> None:
    with pytest.raises(ValidationError, match="either from_grade or from_min"):
        GradeRule(from_grade="5", from_min=D(90), to_grade="A+")


def test_gpa_is_credit_weighted_and_leaves_pass_fail_out() -> None:
    """(3 × 4.5 + 2 × 3.5 + 2.5 × 2.5) / 7.5 = 26.75 / 7.5 = 3.5666… → 3.57; the 3-credit P changes nothing."""
    graded = [(D(3), D("4.5")), (D(2), D("3.5")), (D("2.5"), D("2.5"))]
    assert gpa(graded) == D("3.57")
    assert gpa([*graded, (D(3), None)]) == D("3.57")
    assert gpa([(D(3), None)]) is None
