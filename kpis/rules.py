"""Pure rules of the monthly figures: rounding, rates, months, freezing. No ORM here."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from core.dates import shift_month

TWO_PLACES = Decimal("0.01")

# Raised whenever a definition changes meaning; each snapshot records the version it was computed with.
# 1: the definitions of issue 8 (orders by finished_at, reviews by their order's month, …).
DEFINITION_VERSION = 1


def round_half_up(value: Decimal | int | None) -> Decimal | None:
    """Round to two decimals, halves away from zero (the figures' published rounding)."""
    if value is None:
        return None
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def percentage(numerator, denominator) -> Decimal | None:
    """numerator / denominator × 100, rounded half-up to 2 decimals; ``None`` when the denominator is 0
    (a rate with nothing to measure is unknown, never 0)."""
    if not denominator:
        return None
    return round_half_up(Decimal(numerator or 0) * 100 / Decimal(denominator))


def ratio(numerator, denominator) -> Decimal | None:
    """numerator / denominator rounded half-up to 2 decimals (averages); ``None`` when the denominator is 0."""
    if not denominator:
        return None
    return round_half_up(Decimal(numerator or 0) / Decimal(denominator))


def per_thousand(numerator, denominator) -> Decimal | None:
    """numerator per 1,000 of denominator, rounded half-up to 2 decimals; ``None`` when the denominator is 0."""
    if not denominator:
        return None
    return round_half_up(Decimal(numerator or 0) * 1000 / Decimal(denominator))


def net_promoter_score(*, promoters: int, detractors: int, scored: int) -> Decimal | None:
    """% of scores 9–10 minus % of scores 0–6, rounded once (not each share separately)."""
    if not scored:
        return None
    return round_half_up(Decimal(promoters - detractors) * 100 / Decimal(scored))


def hours(seconds) -> Decimal | None:
    """An average duration in seconds as hours, rounded half-up to 2 decimals."""
    if seconds is None:
        return None
    return round_half_up(Decimal(str(seconds)) / Decimal(3600))


def month_first_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before) ``day``'s month."""
    return dt.date(*shift_month(day.year, day.month, months), 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from ``first``'s month to ``last``'s month, inclusive."""
    out, current = [], add_months(first, 0)
    while current <= last:
        out.append(current)
        current = add_months(current, 1)
    return out


def freeze_date(month: dt.date, *, freeze_day: int) -> dt.date:
    """The day after which the month's snapshot is frozen: the ``freeze_day`` of the next month."""
    return add_months(month, 1).replace(day=freeze_day)


def is_frozen(month: dt.date, *, today: dt.date, freeze_day: int) -> bool:
    """A month is open for automatic recomputes up to and including the freeze day of the next month."""
    return today > freeze_date(month, freeze_day=freeze_day)


def change(current, previous) -> Decimal | None:
    """Difference between two figures (for rates: percentage points); ``None`` when either is unknown."""
    if current is None or previous is None:
        return None
    return round_half_up(Decimal(str(current)) - Decimal(str(previous)))
