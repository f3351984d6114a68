"""Loyalty figures: customers per tier at the end of M and points earned / redeemed / expired in M.
Null until the loyalty app's models exist."""

from kpis.metrics.period import Period


def available() -> bool:
    return False


def tier_counts(period: Period) -> dict | None:
    return None


def point_counts(period: Period) -> dict | None:
    return None
