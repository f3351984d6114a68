"""Tier upgrades on orders, the monthly review, manual tiers, merges, previews."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from core.roles import Role
from customers.models import OwnershipChange
from customers.services import customer_merge
from loyalty import rules, selectors, services
from loyalty.errors import LoyaltyError, NotAllowed
from loyalty.models import LoyaltyAccount, PointsEntry, Tier, TierChange, TierRule
from tests.factories import CustomerFactory, OrderFactory, StaffFactory
from tests.loyalty.conftest import push_completed

pytestmark = pytest.mark.django_db


def _account(customer) -> LoyaltyAccount:
    return LoyaltyAccount.objects.get(customer=customer)


def test_default_rules_and_benefits_are_seeded():
    assert list(TierRule.objects.values_list("tier", "min_orders", "min_spend")) == [
        (1, 6, Decimal("1000.00")), (2, 24, Decimal("5000.00")), (3, 60, Decimal("15000.00"))]
    assert selectors.tier_benefits_by_tier()[Tier.GOLD].callback_interval_days == 30


def test_qualifying_order_upgrades_at_once_and_a_replay_records_nothing_more(customer):
    push_completed(customer, fee="600")
    assert selectors.customer_tier(customer) == Tier.NORMAL
    order = push_completed(customer, fee="400")  # ¥1,000 in 12 months: silver
    assert selectors.customer_tier(customer) == Tier.SILVER
    services.order_completed(order)
    change = TierChange.objects.get(customer=customer)
    assert (change.from_tier, change.to_tier, change.reason) == (Tier.NORMAL, Tier.SILVER, TierChange.Reason.RULE)
    assert change.rule.tier == Tier.SILVER


def test_reaching_gold_assigns_the_least_loaded_agent_when_the_customer_has_none(
    customer, django_capture_on_commit_callbacks
):
    busy, free = StaffFactory(), StaffFactory()
    CustomerFactory(owner=busy)
    with django_capture_on_commit_callbacks(execute=True):
        push_completed(customer, fee="5000")
    customer.refresh_from_db()
    assert selectors.customer_tier(customer) == Tier.GOLD
    assert customer.owner == free
    assert OwnershipChange.objects.get(customer=customer).reason == OwnershipChange.Reason.DEDICATED_AGENT


def test_a_customer_with_an_owner_keeps_them_on_reaching_gold(django_capture_on_commit_callbacks):
    owner = StaffFactory()
    customer = CustomerFactory(owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        push_completed(customer, fee="6000")
    customer.refresh_from_db()
    assert customer.owner == owner


def _tiered(tier, missed=0, **kwargs):
    customer = CustomerFactory()
    LoyaltyAccount.objects.create(customer=customer, tier=tier, missed_reviews=missed, **kwargs)
    return customer


def test_monthly_review_warns_first_then_downgrades_one_step():
    customer = _tiered(Tier.DIAMOND)
    now = timezone.now()
    services.monthly_tier_review(now=now)
    account = _account(customer)
    assert (account.tier, account.missed_reviews) == (Tier.DIAMOND, 1)
    services.monthly_tier_review(now=now)  # the same month again: nothing
    assert _account(customer).missed_reviews == 1
    services.monthly_tier_review(now=rules.add_months(now, 1))
    account = _account(customer)
    assert (account.tier, account.missed_reviews) == (Tier.GOLD, 0)
    change = TierChange.objects.get(customer=customer)
    assert (change.from_tier, change.to_tier, change.reason) == (Tier.DIAMOND, Tier.GOLD, TierChange.Reason.REVIEW)


@override_settings(LOYALTY_DOWNGRADE_AFTER_MISSES=1)
def test_grace_period_is_a_setting():
    customer = _tiered(Tier.SILVER)
    services.monthly_tier_review()
    assert _account(customer).tier == Tier.NORMAL


def test_meeting_the_rule_again_clears_the_warning():
    customer = _tiered(Tier.SILVER, missed=1)
    OrderFactory.create_batch(6, customer=customer)
    services.monthly_tier_review()
    assert (_account(customer).tier, _account(customer).missed_reviews) == (Tier.SILVER, 0)


def test_review_upgrades_customers_the_rules_lift_without_an_order_event():
    rule = TierRule.objects.get(tier=Tier.SILVER)
    rule.min_referrals = 2
    rule.save()
    referrer = CustomerFactory()
    for _ in range(2):
        CustomerFactory(referred_by=referrer, first_order_at=timezone.now() - dt.timedelta(days=3))
    services.monthly_tier_review()
    assert selectors.customer_tier(referrer) == Tier.SILVER
    assert TierChange.objects.get(customer=referrer).reason == TierChange.Reason.REVIEW


def test_manual_tier_needs_permission_reason_and_end_and_is_respected_until_it_ends():
    customer = CustomerFactory()
    agent, supervisor = StaffFactory(role=Role.CS_AGENT), StaffFactory(role=Role.CS_SUPERVISOR)
    # Reviews run on the 1st of each month: the manual tier holds through next month's review and has
    # ended by the one after (the last day of next month, whatever today's date).
    until = rules.add_months(timezone.localdate().replace(day=1), 2) - dt.timedelta(days=1)
    with pytest.raises(NotAllowed):
        services.tier_set_manually(customer=customer, tier=Tier.GOLD, reason="VIP", until=until, actor=agent)
    with pytest.raises(LoyaltyError):
        services.tier_set_manually(customer=customer, tier=Tier.GOLD, reason=" ", until=until, actor=supervisor)
    services.tier_set_manually(customer=customer, tier=Tier.GOLD, reason="大客户", until=until, actor=supervisor)
    change = TierChange.objects.get(customer=customer)
    assert (change.to_tier, change.reason, change.changed_by) == (Tier.GOLD, TierChange.Reason.MANUAL, supervisor)
    now = timezone.now()
    services.monthly_tier_review(now=now)
    services.monthly_tier_review(now=rules.add_months(now, 1))
    assert (_account(customer).tier, _account(customer).missed_reviews) == (Tier.GOLD, 0)
    # After the end date the review counts misses again: warn, then one step down.
    services.monthly_tier_review(now=rules.add_months(now, 2))
    services.monthly_tier_review(now=rules.add_months(now, 3))
    account = _account(customer)
    assert account.tier == Tier.SILVER and account.manual_until is None


def test_review_in_sql_agrees_with_the_pure_rules():
    now = timezone.now()
    fees = [("0", 0), ("300", 6), ("1200", 1), ("5000", 1), ("200", 24), ("16000", 2), ("100", 60)]
    customers = []
    for fee, count in fees:
        customer = CustomerFactory()
        OrderFactory.create_batch(count, customer=customer, fee=Decimal(fee))
        customers.append(customer)
    OrderFactory(customer=customers[0], fee=Decimal("9000"), booked_at=now - dt.timedelta(days=400))
    rule_rows = selectors.active_rules()
    sql_counts = selectors.tier_preview(rule_rows, now=now)
    python = [selectors.customer_evaluation(c, now=now, rule_rows=rule_rows)[0] for c in customers]
    assert python == [0, 1, 1, 2, 2, 3, 3]
    assert sql_counts == {t: python.count(t) for t in range(4)}


def test_preview_of_unsaved_rules_changes_nothing():
    customer = CustomerFactory()
    OrderFactory.create_batch(3, customer=customer, fee=Decimal("10"))
    draft = [TierRule(tier=1, window_months=12, combine="any", min_orders=3)]
    assert selectors.tier_preview(draft)[Tier.SILVER] == 1
    assert selectors.tier_preview(selectors.active_rules())[Tier.SILVER] == 0
    assert not LoyaltyAccount.objects.exists()


def test_tier_distribution_counts_customers_without_an_account_as_normal():
    _tiered(Tier.GOLD)
    CustomerFactory.create_batch(2)
    assert selectors.tier_distribution() == {0: 2, 1: 0, 2: 1, 3: 0}


def test_distance_to_next_tier(customer):
    OrderFactory.create_batch(4, customer=customer, fee=Decimal("100"))
    nxt = selectors.distance_to_next_tier(customer)
    assert nxt.tier == Tier.SILVER and dict(nxt.missing) == {"orders": 2, "spend": Decimal("600")}


def test_merge_moves_ledger_coupons_and_history_and_keeps_the_higher_tier():
    kept, duplicate = CustomerFactory(), _tiered(Tier.GOLD)
    TierChange.objects.create(customer=duplicate, from_tier=0, to_tier=2, reason=TierChange.Reason.MANUAL)
    services.points_award(customer=duplicate, points=300, source="test:dup")
    services.points_award(customer=kept, points=100, source="test:kept")
    services.coupon_issue(customer=duplicate, kind="fixed", amount=10, origin="holiday")
    merge = customer_merge(kept=kept, duplicate=duplicate)
    assert merge.moved["points_entries"] == 1 and merge.moved["coupons"] == 1
    assert selectors.points_balance(kept).available == 400
    assert selectors.customer_tier(kept) == Tier.GOLD
    assert TierChange.objects.filter(customer=kept, reason=TierChange.Reason.MERGE).exists()
    assert kept.coupons.count() == 1


def test_merge_reverses_a_bonus_for_referring_oneself():
    referrer = CustomerFactory()
    duplicate = CustomerFactory(referred_by=referrer)
    push_completed(duplicate, fee="50")
    assert PointsEntry.objects.filter(customer=referrer, kind=PointsEntry.Kind.REFERRAL_FIRST_ORDER).exists()
    customer_merge(kept=referrer, duplicate=duplicate)
    assert PointsEntry.objects.filter(customer=referrer, kind=PointsEntry.Kind.REVERSAL,
                                      reverses__kind=PointsEntry.Kind.REFERRAL_FIRST_ORDER).exists()


def test_dedicated_agents_are_spread_over_the_least_loaded_agents():
    busy, idle_a, idle_b = StaffFactory(), StaffFactory(), StaffFactory()
    CustomerFactory.create_batch(2, owner=busy)
    golds = [_tiered(Tier.GOLD) for _ in range(4)]
    silver = _tiered(Tier.SILVER)
    assert services.dedicated_agents_assign(customer_ids=[c.pk for c in [*golds, silver]]) == 4
    owners = [CustomerFactory._meta.model.objects.get(pk=c.pk).owner for c in golds]
    assert sorted(o.pk for o in owners) == sorted([idle_a.pk, idle_a.pk, idle_b.pk, idle_b.pk])
    assert services.dedicated_agents_assign(customer_ids=[c.pk for c in golds]) == 0


def test_review_in_sql_makes_the_same_decision_as_the_pure_rule_for_every_case():
    # Given cheap rules (1, 2, 3 orders) and a customer for every (tier, qualified, misses, manual) case
    for tier, orders in ((1, 1), (2, 2), (3, 3)):
        TierRule.objects.filter(tier=tier).update(min_orders=orders, min_spend=None)
    today = timezone.localdate()
    cases = []
    for current in range(4):
        for qualified in range(4):
            for missed in (0, 1):
                for manual in (False, True):
                    customer = _tiered(current, missed=missed,
                                       manual_until=today + dt.timedelta(days=60) if manual else None)
                    OrderFactory.create_batch(qualified, customer=customer, fee=Decimal("1"))
                    cases.append((customer, current, qualified, missed, manual))
    # When the monthly review runs
    services.monthly_tier_review()
    # Then each account ends where rules.review_decision says
    for customer, current, qualified, missed, manual in cases:
        expected = rules.review_decision(current=current, qualified=qualified, missed_reviews=missed,
                                         misses_to_downgrade=2, manual_active=manual)
        account = _account(customer)
        assert (account.tier, account.missed_reviews) == (expected.tier, expected.missed_reviews), (
            current, qualified, missed, manual)
