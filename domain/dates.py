"""Calendar arithmetic for terms and notice periods (pure, no clock)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time


def add_months(d: date, months: int) -> date:
    """`d` plus whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def start_of_day(d: date) -> datetime:
    """Midnight UTC at the start of `d`: when a date-based deadline falls due."""
    return datetime.combine(d, time.min, tzinfo=UTC)
