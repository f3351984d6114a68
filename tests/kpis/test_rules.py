"""The pure rules behind the figures (no database)."""

import datetime as dt
from decimal import Decimal

import pytest

from kpis.rules import add_months, change, hours, is_frozen, months_between, net_promoter_score, percentage, ratio


@pytest.mark.parametrize(("num", "den", "expected"), [
    (1, 8, Decimal("12.50")), (1, 32, Decimal("3.13")), (2, 3, Decimal("66.67")), (1, 3, Decimal("33.33")),
    (0, 5, Decimal("0.00")), (5, 5, Decimal("100.00")), (1, 200000, Decimal("0.00")), (1, 40000, Decimal("0.00")),
    (1, 400, Decimal("0.25")), (1, 1600, Decimal("0.06")),
])
def test_percentage_rounds_half_up_to_two_decimals(num, den, expected):
    assert percentage(num, den) == expected


@pytest.mark.parametrize("den", [0, None])
def test_a_rate_with_no_denominator_is_null_not_zero(den):
    assert percentage(0, den) is None
    assert ratio(3, den) is None
    assert net_promoter_score(promoters=0, detractors=0, scored=den or 0) is None


def test_nps_rounds_once_on_the_difference():
    # 1/3 − 2/3 = −33.333… → −33.33 (rounding each share first would give 33.33 − 66.67 = −33.34)
    assert net_promoter_score(promoters=1, detractors=2, scored=3) == Decimal("-33.33")


def test_negative_halves_round_away_from_zero():
    assert net_promoter_score(promoters=0, detractors=1, scored=32) == Decimal("-3.13")


def test_hours_from_seconds():
    assert hours(5400) == Decimal("1.50")
    assert hours(None) is None


def test_month_arithmetic_across_years():
    assert add_months(dt.date(2026, 1, 15), -1) == dt.date(2025, 12, 1)
    assert add_months(dt.date(2026, 12, 1), 1) == dt.date(2027, 1, 1)
    assert add_months(dt.date(2026, 10, 1), -12) == dt.date(2025, 10, 1)
    assert months_between(dt.date(2025, 11, 1), dt.date(2026, 2, 1)) == [
        dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]


@pytest.mark.parametrize(("today", "frozen"), [
    (dt.date(2026, 11, 1), False), (dt.date(2026, 11, 10), False), (dt.date(2026, 11, 11), True),
    (dt.date(2027, 3, 1), True),
])
def test_a_month_freezes_after_the_freeze_day_of_the_next_month(today, frozen):
    assert is_frozen(dt.date(2026, 10, 1), today=today, freeze_day=10) is frozen


def test_change_is_null_when_either_side_is_unknown():
    assert change(Decimal("90.00"), Decimal("87.50")) == Decimal("2.50")
    assert change(None, Decimal("1")) is None
    assert change(Decimal("1"), None) is None
