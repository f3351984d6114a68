"""Pure complaint rules: grade minimums, grade changes, transitions, approval authority, deadlines
and the driver service score. No ORM here; tested without a database."""

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal


class RuleError(ValueError):
    """A rule refused the request; the message says why (shown to staff and platforms)."""


# --- grades ----------------------------------------------------------------------------------
def minimum_grade_rank(
    *,
    channel: str,
    category_min_rank: int | None,
    channel_min_ranks: Mapping[str, int],
    customer_tier: str | None,
    tier_min_ranks: Mapping[str, int],
    repeat_within_window: bool,
    lowest_rank: int,
    highest_rank: int,
) -> int:
    """The lowest grade a complaint may have: the highest of the category's, the channel's (400 or
    consumer-association referral → major) and the customer tier's (diamond → grievance) minimums;
    a customer's second complaint within the window goes one grade above that."""
    rank = max(
        lowest_rank,
        category_min_rank or lowest_rank,
        channel_min_ranks.get(channel, lowest_rank),
        tier_min_ranks.get(customer_tier or "", lowest_rank),
    )
    if repeat_within_window:
        rank += 1
    return min(rank, highest_rank)


def check_grade(*, requested_rank: int, minimum_rank: int) -> None:
    """Staff may raise a grade; nobody may set it below the rule minimum."""
    if requested_rank < minimum_rank:
        raise RuleError("The grade cannot be lower than the minimum the rules require for this complaint.")


def next_grade_rank(rank: int, ranks: Iterable[int]) -> int | None:
    """The next grade up, or None at the top."""
    higher = sorted(r for r in ranks if r > rank)
    return higher[0] if higher else None


# The workflow's moves are data: Complaint.TRANSITIONS, a core.states.StateMachine.


# --- approval authority ----------------------------------------------------------------------
def approval_limit(*, roles: Iterable[str], limits: Mapping[str, Decimal | None], unlimited: bool = False
                   ) -> Decimal | None:
    """The largest remedy value the holder of ``roles`` may approve; None means no limit (general
    manager). A role without a row may approve nothing (limit 0)."""
    if unlimited:
        return None
    best = Decimal("0")
    for role in roles:
        if role not in limits:
            continue
        limit = limits[role]
        if limit is None:
            return None
        best = max(best, Decimal(limit))
    return best


def within_authority(value: Decimal, limit: Decimal | None) -> bool:
    return limit is None or Decimal(value) <= limit


def complaint_total_within_authority(*, committed: Iterable[Decimal], new: Decimal, limit: Decimal | None
                                     ) -> tuple[bool, Decimal]:
    """Authority holds per complaint, not per remedy: the money value of the complaint's remedies
    already approved, carried out or awaiting approval (``committed``) plus the ``new`` one must be
    within ``limit``; otherwise five ¥100 remedies would pass where one ¥500 remedy does not.
    Returns (within, total)."""
    total = sum((Decimal(v) for v in committed), Decimal("0")) + Decimal(new)
    return within_authority(total, limit), total


def remedy_value(*, kind: str, amount: Decimal, points: int, point_value: Decimal) -> Decimal:
    """The money value checked against the authority: the amount, or points × their value."""
    if kind == "points":
        return (Decimal(points) * Decimal(point_value)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return Decimal(amount)


def overcharge_refund(overcharged: Decimal, multiplier: Decimal) -> Decimal:
    """Compensation for an overcharge: twice the overcharged amount by default."""
    if overcharged < 0:
        raise RuleError("An overcharged amount cannot be negative.")
    return (Decimal(overcharged) * Decimal(multiplier)).quantize(Decimal("0.01"), ROUND_HALF_UP)


# --- deadlines -------------------------------------------------------------------------------
MAX_CALENDAR_DAYS = 3660


def due_at(start: dt.datetime, hours: float, *, is_workday: Callable[[dt.date], bool] | None = None
           ) -> dt.datetime:
    """``start`` plus ``hours``. With ``is_workday``, only time on working days counts (a day that
    is not a working day is skipped whole). ``start`` must be aware and in the local time zone so
    that days begin at local midnight."""
    if is_workday is None:
        return start + dt.timedelta(hours=hours)
    remaining = dt.timedelta(hours=hours)
    current = start
    for _day in range(MAX_CALENDAR_DAYS):
        next_midnight = dt.datetime.combine(current.date() + dt.timedelta(days=1), dt.time(0), tzinfo=current.tzinfo)
        if is_workday(current.date()):
            span = next_midnight - current
            if remaining <= span:
                return current + remaining
            remaining -= span
        current = next_midnight
    raise RuleError("No working days found in ten years: check the holiday calendar.")


# --- driver service score --------------------------------------------------------------------
def driver_score(*, per_year: int, deductions: Iterable[int]) -> tuple[int, bool]:
    """(score left this year, flagged for suspension). The score never goes below 0."""
    left = max(0, per_year - sum(deductions))
    return left, left == 0


# --- routing ---------------------------------------------------------------------------------
def route(*, category_id: int | None, grade_id: int, grade_owner_role: str,
          rules_: Iterable[tuple[int | None, int | None, str, str]]) -> tuple[str, str]:
    """(owner role, informed role) of a complaint. ``rules_`` are (category id, grade id, role,
    informed role) with None for "every"; the most specific match wins: category and grade, then
    grade alone (a crisis is the GM's whatever its category), then category alone; no match → the
    grade's owner role, nobody informed."""
    best: tuple[int, str, str] | None = None
    for rule_category, rule_grade, role, informed in rules_:
        if rule_category is not None and rule_category != category_id:
            continue
        if rule_grade is not None and rule_grade != grade_id:
            continue
        weight = (2 if rule_grade is not None else 0) + (1 if rule_category is not None else 0)
        if best is None or weight > best[0]:
            best = (weight, role, informed)
    if best is None:
        return grade_owner_role, ""
    return best[1], best[2] if best[2] != best[1] else ""


def may_take(*, roles: Iterable[str], owner_role: str, informed_role: str = "") -> bool:
    """Whether a member of ``roles`` may take a complaint: it is routed to one of their roles (or
    their role is the one informed of it, e.g. the supervisor of a crisis)."""
    roles = set(roles)
    return owner_role in roles or bool(informed_role and informed_role in roles)


# --- canned replies --------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill_macro(text: str, values: Mapping[str, str]) -> str:
    """The canned reply with its known placeholders ({number}, …) replaced; anything else in braces
    is left as written (no format-string evaluation: a reply's text cannot reach attributes)."""
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)
