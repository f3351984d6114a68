"""The pure rules, without a database."""

import datetime as dt
from decimal import Decimal

from loyalty import rules
from loyalty.rules import Figures, Rule

DEFAULTS = [
    Rule(tier=1, min_orders=6, min_spend=Decimal("1000")),
    Rule(tier=2, min_orders=24, min_spend=Decimal("5000")),
    Rule(tier=3, min_orders=60, min_spend=Decimal("15000")),
]


def evaluate(**figures):
    return rules.evaluate_tier(figures={12: Figures(**figures)}, rules=DEFAULTS)[0]


def test_default_rules_put_customers_in_the_tier_of_either_threshold():
    assert evaluate() == rules.NORMAL
    assert evaluate(orders=5, spend=Decimal("999.99")) == rules.NORMAL
    assert evaluate(orders=6) == rules.SILVER
    assert evaluate(spend=Decimal("1000")) == rules.SILVER
    assert evaluate(orders=24, spend=Decimal("10")) == rules.GOLD
    assert evaluate(orders=1, spend=Decimal("15000")) == rules.DIAMOND


def test_all_combination_needs_every_condition():
    rule = Rule(tier=2, combine="all", min_orders=10, min_referrals=3)
    assert rules.evaluate_tier(figures={12: Figures(orders=10, referrals=2)}, rules=[rule])[0] == rules.NORMAL
    assert rules.evaluate_tier(figures={12: Figures(orders=10, referrals=3)}, rules=[rule])[0] == rules.GOLD


def test_rules_over_other_windows_and_figures_are_data():
    # The car club's "gold after 30,000 points in 24 months" expressed as a rule row.
    club = [Rule(tier=1, window_months=24, min_referrals=3), Rule(tier=2, window_months=24, min_points=30000)]
    assert rules.evaluate_tier(figures={24: Figures(referrals=3)}, rules=club)[0] == rules.SILVER
    assert rules.evaluate_tier(figures={24: Figures(points=30000)}, rules=club)[0] == rules.GOLD
    assert rules.evaluate_tier(figures={12: Figures(points=30000)}, rules=club)[0] == rules.NORMAL


def test_inactive_rules_are_ignored():
    assert rules.evaluate_tier(figures={12: Figures(orders=99)},
                               rules=[Rule(tier=3, min_orders=1, is_active=False)])[0] == rules.NORMAL


def test_missing_for_lists_what_is_short():
    assert rules.missing_for(DEFAULTS[1], Figures(orders=20, spend=Decimal("4500"))) == [
        ("orders", 4), ("spend", Decimal("500"))]


def test_review_first_miss_warns_and_second_downgrades_one_step():
    first = rules.review_decision(current=3, qualified=0, missed_reviews=0, misses_to_downgrade=2,
                                  manual_active=False)
    assert (first.tier, first.missed_reviews, first.action) == (3, 1, "warn")
    second = rules.review_decision(current=3, qualified=0, missed_reviews=1, misses_to_downgrade=2,
                                   manual_active=False)
    assert (second.tier, second.missed_reviews, second.action) == (2, 0, "downgrade")


def test_review_respects_manual_tier_and_resets_misses_when_the_rule_is_met():
    assert rules.review_decision(current=2, qualified=0, missed_reviews=1, misses_to_downgrade=2,
                                 manual_active=True).action == "protected"
    kept = rules.review_decision(current=2, qualified=2, missed_reviews=1, misses_to_downgrade=2, manual_active=False)
    assert (kept.tier, kept.missed_reviews) == (2, 0)
    assert rules.review_decision(current=1, qualified=3, missed_reviews=1, misses_to_downgrade=2,
                                 manual_active=False).tier == 3


def test_points_for_order_use_the_tier_multiplier_and_round_down():
    multipliers = {0: Decimal("1"), 1: Decimal("1.2"), 2: Decimal("1.5"), 3: Decimal("2")}
    assert rules.points_for_order(fee=Decimal("68.50"), tier=0, per_yuan=Decimal("1"), multipliers=multipliers) == 68
    assert rules.points_for_order(fee=Decimal("68.50"), tier=1, per_yuan=Decimal("1"), multipliers=multipliers) == 82
    assert rules.points_for_order(fee=Decimal("100"), tier=3, per_yuan=Decimal("1"), multipliers=multipliers) == 200


def test_referral_spend_counts_whole_steps_of_the_cumulative_total():
    assert rules.referral_spend_steps(total_spend=Decimal("999.99"), step=Decimal("1000")) == 0
    assert rules.referral_spend_steps(total_spend=Decimal("2500"), step=Decimal("1000")) == 2


def test_points_to_expire_are_the_balance_beyond_recent_credits():
    assert rules.points_to_expire(balance=500, credits_since_cutoff=200) == 300
    assert rules.points_to_expire(balance=150, credits_since_cutoff=200) == 0


def test_next_expiry_is_the_oldest_credit_still_holding_balance():
    tz = dt.timezone(dt.timedelta(hours=8))
    credits = [(dt.datetime(2025, 1, 10, tzinfo=tz), 100), (dt.datetime(2025, 6, 1, tzinfo=tz), 300)]
    # 350 of the 400 points remain: spending took 50 of the January credit first.
    when, points = rules.next_expiry(balance=350, credits=credits, expire_months=24)
    assert when == dt.datetime(2027, 1, 10, tzinfo=tz) and points == 50
    assert rules.next_expiry(balance=0, credits=credits, expire_months=24) is None


def test_add_months_clamps_to_month_end():
    assert rules.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert rules.add_months(dt.date(2026, 1, 31), -2) == dt.date(2025, 11, 30)
