"""Pure rules, no database."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from complaints import rules
from complaints.calendar import CalendarNotCovered, is_official_workday

TZ = ZoneInfo("Asia/Shanghai")
CHANNELS = {"hotline_400": 4, "consumer_association": 4}
TIERS = {"diamond": 2}


def minimum(**kwargs):
    args = dict(channel="hotline", category_min_rank=None, channel_min_ranks=CHANNELS, customer_tier=None,
                tier_min_ranks=TIERS, repeat_within_window=False, lowest_rank=1, highest_rank=5)
    args.update(kwargs)
    return rules.minimum_grade_rank(**args)


def test_plain_hotline_complaint_starts_at_the_lowest_grade():
    assert minimum() == 1


def test_consumer_association_and_400_referrals_are_at_least_major():
    assert minimum(channel="consumer_association") == 4
    assert minimum(channel="hotline_400") == 4


def test_unsafe_driving_category_minimum_applies():
    assert minimum(category_min_rank=3) == 3


def test_diamond_customer_is_at_least_grievance():
    assert minimum(customer_tier="diamond") == 2
    assert minimum(customer_tier="gold") == 1


def test_second_complaint_within_window_goes_one_grade_up_from_the_highest_minimum():
    assert minimum(repeat_within_window=True) == 2
    assert minimum(category_min_rank=3, repeat_within_window=True) == 4


def test_repeat_never_goes_above_the_top_grade():
    assert minimum(channel="hotline_400", category_min_rank=5, repeat_within_window=True) == 5


def test_grade_below_the_rule_minimum_is_refused_and_raising_is_allowed():
    with pytest.raises(rules.RuleError):
        rules.check_grade(requested_rank=2, minimum_rank=3)
    rules.check_grade(requested_rank=4, minimum_rank=3)


def test_next_grade_is_one_rank_up_and_none_at_the_top():
    assert rules.next_grade_rank(2, [1, 2, 3, 4, 5]) == 3
    assert rules.next_grade_rank(5, [1, 2, 3, 4, 5]) is None


LIMITS = {"客服专员": Decimal("200"), "客服主管": Decimal("1000"), "运营经理": Decimal("5000"), "总经理": None}


@pytest.mark.parametrize("roles,expected", [
    (["客服专员"], Decimal("200")),
    (["客服主管"], Decimal("1000")),
    (["运营经理", "客服专员"], Decimal("5000")),
    (["数据分析"], Decimal("0")),
])
def test_approval_limit_is_the_largest_of_the_roles_held(roles, expected):
    assert rules.approval_limit(roles=roles, limits=LIMITS) == expected


def test_general_manager_and_superuser_have_no_limit():
    assert rules.approval_limit(roles=["总经理"], limits=LIMITS) is None
    assert rules.approval_limit(roles=[], limits=LIMITS, unlimited=True) is None
    assert rules.within_authority(Decimal("99999"), None)


def test_authority_boundary_is_inclusive():
    assert rules.within_authority(Decimal("200.00"), Decimal("200"))
    assert not rules.within_authority(Decimal("200.01"), Decimal("200"))


def test_overcharge_is_refunded_twice_by_default_and_points_have_a_money_value():
    assert rules.overcharge_refund(Decimal("35.50"), Decimal("2")) == Decimal("71.00")
    assert rules.remedy_value(kind="points", amount=Decimal(0), points=5000, point_value=Decimal("0.01")) == 50
    with pytest.raises(rules.RuleError):
        rules.overcharge_refund(Decimal("-1"), Decimal("2"))


def test_natural_deadline_is_plain_hours():
    start = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    assert rules.due_at(start, 72) == dt.datetime(2026, 10, 3, 10, 0, tzinfo=TZ)


def test_working_day_deadline_skips_the_national_day_holiday():
    # Given a complaint received on Wednesday 30 Sep 2026 at 10:00, before the 1-7 Oct holiday
    start = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    # When 24 working hours are counted on the official calendar
    due = rules.due_at(start, 24, is_workday=is_official_workday)
    # Then the 14 h left on 30 Sep are used, the holiday is skipped and 10 h more fall on 8 Oct
    assert due == dt.datetime(2026, 10, 8, 10, 0, tzinfo=TZ)


def test_working_day_deadline_counts_a_weekend_make_up_day():
    # 2026-10-10 (Saturday) is a make-up working day (调休) after National Day.
    assert is_official_workday(dt.date(2026, 10, 10))
    start = dt.datetime(2026, 10, 9, 12, 0, tzinfo=TZ)  # Friday noon
    assert rules.due_at(start, 24, is_workday=is_official_workday) == dt.datetime(2026, 10, 10, 12, 0, tzinfo=TZ)


def test_weekend_without_make_up_is_skipped():
    start = dt.datetime(2026, 11, 20, 12, 0, tzinfo=TZ)  # Friday
    assert rules.due_at(start, 24, is_workday=is_official_workday) == dt.datetime(2026, 11, 23, 12, 0, tzinfo=TZ)


def test_a_year_the_calendar_does_not_cover_is_named_clearly():
    with pytest.raises(CalendarNotCovered, match="2099"):
        is_official_workday(dt.date(2099, 1, 5))


def test_driver_score_never_below_zero_and_zero_flags_suspension():
    assert rules.driver_score(per_year=12, deductions=[6]) == (6, False)
    assert rules.driver_score(per_year=12, deductions=[6, 12]) == (0, True)


def test_authority_is_checked_against_the_complaints_total_not_the_single_remedy():
    committed = [Decimal("100"), Decimal("100")]
    assert rules.complaint_total_within_authority(committed=committed, new=Decimal("0"), limit=Decimal("200")) == (
        True, Decimal("200"))
    assert rules.complaint_total_within_authority(committed=committed, new=Decimal("100"), limit=Decimal("200")) == (
        False, Decimal("300"))
    assert rules.complaint_total_within_authority(committed=committed, new=Decimal("1e6"), limit=None)[0]
