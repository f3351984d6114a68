"""Pure loyalty rules: no ORM, no settings, no clock. Services and selectors feed them figures
and rule rows; the monthly review does the same decisions in SQL (``selectors.review_sql``) and a
test checks both agree.

Tiers are ranks: 0 normal, 1 silver, 2 gold, 3 diamond.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

NORMAL, SILVER, GOLD, DIAMOND = 0, 1, 2, 3
TOP_TIER = DIAMOND
ENTRY_TIER = NORMAL  # what a member of staff who is also a customer may hold at most (001 篇2)


def capped_tier(tier: int, *, is_staff: bool) -> int:
    """The tier a customer may hold: staff (公司内部人员) never rise above the entry tier."""
    return min(tier, ENTRY_TIER) if is_staff else tier


@dataclass(frozen=True)
class Figures:
    """A customer's figures over one trailing window."""

    orders: int = 0
    spend: Decimal = Decimal("0")
    points: int = 0
    referrals: int = 0


@dataclass(frozen=True)
class Rule:
    """The shape ``evaluate_tier`` needs; ``loyalty.models.TierRule`` rows have the same attributes."""

    tier: int
    window_months: int = 12
    combine: str = "any"
    min_orders: int | None = None
    min_spend: Decimal | None = None
    min_points: int | None = None
    min_referrals: int | None = None
    is_active: bool = True


def conditions(rule) -> list[tuple[str, object]]:
    """The used conditions of a rule as (figure name, threshold)."""
    pairs = [("orders", rule.min_orders), ("spend", rule.min_spend), ("points", rule.min_points),
             ("referrals", rule.min_referrals)]
    return [(name, value) for name, value in pairs if value is not None]


def rule_met(rule, figures: Figures) -> bool:
    checks = [getattr(figures, name) >= threshold for name, threshold in conditions(rule)]
    if not checks:
        return False
    return all(checks) if rule.combine == "all" else any(checks)


def evaluate_tier(*, figures: dict[int, Figures], rules) -> tuple[int, object | None]:
    """The highest tier whose active rule the customer meets, and that rule (normal, None when none
    is met). ``figures`` maps a window length in months to the figures over that window."""
    for rule in sorted((r for r in rules if r.is_active), key=lambda r: r.tier, reverse=True):
        if rule_met(rule, figures.get(rule.window_months, Figures())):
            return rule.tier, rule
    return NORMAL, None


def missing_for(rule, figures: Figures) -> list[tuple[str, object]]:
    """What is still missing to meet ``rule``: (figure, how much more) for each unmet condition.
    With ``any`` a single one of them suffices; with ``all`` every one is needed."""
    out = []
    for name, threshold in conditions(rule):
        have = getattr(figures, name)
        if have < threshold:
            out.append((name, threshold - have))
    return out


@dataclass(frozen=True)
class ReviewDecision:
    tier: int
    missed_reviews: int
    action: str  # "upgrade", "keep", "warn", "downgrade", "protected"


def review_decision(*, current: int, qualified: int, missed_reviews: int, misses_to_downgrade: int,
                    manual_active: bool) -> ReviewDecision:
    """The monthly review of one customer. Upgrades take effect at once; a tier held by hand is
    not lowered while the manual period lasts; otherwise a miss counts, and only the
    ``misses_to_downgrade``-th miss in a row lowers the tier, by one step."""
    if qualified > current:
        return ReviewDecision(qualified, 0, "upgrade")
    if manual_active:
        return ReviewDecision(current, 0, "protected")
    if qualified >= current:
        return ReviewDecision(current, 0, "keep")
    missed = missed_reviews + 1
    if missed >= misses_to_downgrade:
        return ReviewDecision(current - 1, 0, "downgrade")
    return ReviewDecision(current, missed, "warn")


def points_for_order(*, fee: Decimal, tier: int, per_yuan: Decimal, multipliers: dict[int, Decimal]) -> int:
    """Points earned by a completed order's fee at the customer's tier, rounded down."""
    raw = Decimal(fee) * Decimal(per_yuan) * Decimal(multipliers.get(tier, 1))
    return int(raw.to_integral_value(rounding=ROUND_DOWN))


def referral_spend_steps(*, total_spend: Decimal, step: Decimal) -> int:
    """How many whole steps (e.g. ¥1,000) of referred spend have been reached. Counted on the
    cumulative total, so a yuan never counts twice."""
    if step <= 0:
        return 0
    return int(Decimal(total_spend) // Decimal(step))


def points_to_expire(*, balance: int, credits_since_cutoff: int) -> int:
    """Points to expire now, oldest first: spending consumes the oldest points, so whatever the
    balance holds beyond what was earned after the cutoff is older than the cutoff."""
    return max(0, balance - max(credits_since_cutoff, 0))


def add_months(moment, months: int):
    """``moment`` + ``months`` calendar months, the day clamped to the month's end."""
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def next_expiry(*, balance: int, credits: list[tuple[dt.datetime, int]], expire_months: int
                ) -> tuple[dt.datetime, int] | None:
    """When the next points expire and how many: the balance sits on the newest credits (spending
    took the oldest first), so the oldest credit still holding part of the balance expires next.
    ``credits`` are (earned_at, net points) of credits not yet expired."""
    remaining = balance
    holding: list[tuple[dt.datetime, int]] = []
    for earned_at, points in sorted(credits, key=lambda c: c[0], reverse=True):
        if remaining <= 0:
            break
        if points <= 0:
            continue
        take = min(points, remaining)
        holding.append((earned_at, take))
        remaining -= take
    if not holding:
        return None
    oldest_at = holding[-1][0]
    expires_at = add_months(oldest_at, expire_months)
    # Credits earned in the same month expire at the same monthly run: report them together.
    same_run = sum(p for at, p in holding if (at.year, at.month) == (oldest_at.year, oldest_at.month))
    return expires_at, same_run
