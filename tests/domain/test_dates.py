from datetime import date

from domain.dates import add_months


def test_add_months_worked_examples() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 24), 60) == date(2031, 11, 24)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
