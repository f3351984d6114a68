"""Month boundaries in Asia/Shanghai, from one helper (KPIs, tier reviews, complaint numbering)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_start(year: int, month: int) -> dt.datetime:
    """The aware datetime at 00:00 local time on the 1st of the month."""
    return dt.datetime(year, month, 1, tzinfo=local_tz())


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the month in local time, as aware datetimes."""
    start = month_start(year, month)
    end = month_start(year + (month == 12), 1 if month == 12 else month + 1)
    return start, end


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """The (year, month) ``delta`` months after (or before, when negative) the given month."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def previous_month(today: dt.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def parse_month(value: str) -> tuple[int, int]:
    """``"2026-10"`` → ``(2026, 10)``; raises ValueError otherwise."""
    year, month = value.split("-")
    year, month = int(year), int(month)
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        raise ValueError(f"not a month: {value!r}")
    return year, month
