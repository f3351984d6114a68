"""Pure rules of engagement (no ORM): shares and NPS as the admin's result pages show them, and the
check of a survey's answers against its questions' scales."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

LIKERT_VALUES = range(1, 6)
RECOMMEND_VALUES = range(0, 11)


def share(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator in %, half-up to 2 decimals; None when nothing was measured."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def net_promoter_score(*, promoters: int, detractors: int, scored: int) -> Decimal | None:
    """% of 9–10 minus % of 0–6, rounded once."""
    return share(promoters - detractors, scored)


def answers_missing_or_invalid(allowed: dict[int, range], given: dict[int, int]) -> list[int]:
    """The question ids (of ``allowed``: id → allowed values) not answered or answered out of scale."""
    return [qid for qid, values in allowed.items() if given.get(qid) not in values]
