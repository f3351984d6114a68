"""Pure rules of appraisal and QA (no ORM): a QA review's score, the weighted combination of the
month's parts with re-normalised weights, a callback rating as a score, the months an agent may
self-assess."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from core import dates

# A checklist item is scored on the five-level scale: 0 (not met) … 5 (fully met).
QA_POINTS_MAX = 5
# A customer's callback rating (1–5, the five-level scale of reviews) as a score out of 100.
RATING_TO_SCORE = 20
PARTS = ("qa", "self", "customer")
TWO_PLACES = Decimal("0.01")


def round2(value) -> Decimal | None:
    """Two decimals, halves away from zero (as the KPI figures)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def qa_review_score(scores: list[tuple[int, int]]) -> Decimal | None:
    """A review's score out of 100 from its ``(points, weight)`` per item:
    Σ weight × points / 5 ÷ Σ weight × 100. ``None`` without any item."""
    total_weight = sum(weight for _points, weight in scores)
    if not total_weight:
        return None
    earned = sum(Decimal(points) * weight for points, weight in scores)
    return round2(earned * 100 / (QA_POINTS_MAX * Decimal(total_weight)))


def rating_score(rating_sum: int, ratings: int) -> Decimal | None:
    """The average of ``ratings`` callback ratings (1–5) as a score: average × 20 (5 stars = 100)."""
    if not ratings:
        return None
    return round2(Decimal(rating_sum) * RATING_TO_SCORE / Decimal(ratings))


def normalised_weights(weights: dict[str, int], *, present: dict[str, bool]) -> dict[str, Decimal]:
    """The share (%) of each part that has a figure: its weight over the sum of the weights of the parts
    present (a missing part's weight is shared out in proportion). Parts with weight 0 get nothing."""
    used = {part: int(weights.get(part) or 0) for part in PARTS if present.get(part)}
    total = sum(used.values())
    if not total:
        return {}
    return {part: round2(Decimal(w) * 100 / total) for part, w in used.items() if w}


def combine(parts: dict[str, Decimal | None], weights: dict[str, int]) -> Decimal | None:
    """The appraisal score: Σ weight × part ÷ Σ weight over the parts that have a figure (re-normalised:
    QA 50 / self 20 / customer 30 with no customer ratings counts QA 50/70 and self 20/70). ``None``
    when no part with a weight above 0 has a figure."""
    used = [(Decimal(str(parts[p])), int(weights.get(p) or 0)) for p in PARTS if parts.get(p) is not None]
    total_weight = sum(w for _v, w in used)
    if not total_weight:
        return None
    return round2(sum(value * w for value, w in used) / total_weight)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_month(day: dt.date) -> dt.date:
    """The first day of the month before ``day``'s (core.dates.previous_month, as a date)."""
    year, month = dates.previous_month(day)
    return dt.date(year, month, 1)


def self_assessment_months(today: dt.date) -> list[dt.date]:
    """An agent self-assesses the running month or the month before (the appraisal is computed in the
    first days after the month ends): newest first."""
    return [month_of(today), previous_month(today)]
