"""Pure rules of the early warnings (no ORM): when a rhythm broke, when ratings are a low streak."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Rhythm:
    usual_days: float  # the customer's average days between completed orders
    silent_days: int  # days since the last completed order


def usual_interval_days(*, orders: int, first: dt.datetime, last: dt.datetime) -> float | None:
    """The average days between a customer's completed orders (``orders`` of them, the first and last
    finished at ``first`` and ``last``); None with fewer than two."""
    if orders < 2:
        return None
    return (last - first).total_seconds() / 86400 / (orders - 1)


def rhythm_broken(*, orders: int, first: dt.datetime, last: dt.datetime, now: dt.datetime, min_orders: int,
                  factor: float, min_silent_days: int) -> Rhythm | None:
    """A customer with at least ``min_orders`` orders whose silence since the last one is longer than
    ``factor`` × their usual interval and at least ``min_silent_days``: their rhythm; else None."""
    usual = usual_interval_days(orders=orders, first=first, last=last)
    if orders < min_orders or usual is None:
        return None
    silent = (now - last).days
    if silent < min_silent_days or silent <= factor * usual:
        return None
    return Rhythm(usual_days=usual, silent_days=silent)


def low_streak(ratings_newest_first: list[int], *, low_max: int, streak: int) -> bool:
    """The newest ``streak`` ratings are all at most ``low_max`` (1–5 stars)."""
    newest = ratings_newest_first[:streak]
    return len(newest) == streak and all(r <= low_max for r in newest)
