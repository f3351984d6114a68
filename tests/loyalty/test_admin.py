"""The loyalty admin pages and staff actions (each calls a service)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from loyalty import selectors
from loyalty.models import Coupon, LoyaltyAccount, PointsEntry, Tier, TierChange
from tests.factories import CustomerFactory, OrderFactory, StaffFactory
from tests.loyalty.conftest import push_completed

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(client):
    client.force_login(StaffFactory(role=Role.CS_SUPERVISOR))
    return client


def test_customer_page_shows_tier_points_and_expiry(supervisor_client, customer):
    push_completed(customer, fee="1200", finished_at=timezone.now() - dt.timedelta(days=10))
    response = supervisor_client.get(reverse("admin:customers_customer_change", args=[customer.pk]),
                                      HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tier and points" in html and "Silver" in html and "1,200" in html
    assert "This section could not be shown" not in html


def test_customer_page_writes_points_with_separators_and_missing_spend_as_money(supervisor_client, customer):
    push_completed(customer, fee="1234.50", finished_at=timezone.now() - dt.timedelta(days=10))
    nxt = selectors.distance_to_next_tier(customer, now=timezone.now())
    spend = dict(nxt.missing)["spend"]
    response = supervisor_client.get(reverse("admin:customers_customer_change", args=[customer.pk]))
    html = response.content.decode()
    assert f"¥{spend:,.2f}" in html  # e.g. "¥3,765.50 消费金额", not "3765.50 spend (CNY)"
    balance = selectors.points_balance(customer).available + selectors.points_balance(customer).pending
    assert balance >= 1000 and f"{balance:,}" in html


def test_supervisor_adjusts_points_through_the_admin_form(supervisor_client, customer):
    url = reverse("admin:loyalty_points_adjust", args=[customer.pk])
    response = supervisor_client.post(url, {"points": "-5", "reason": "fix"})
    assert response.status_code == 200 and "points" in response.context["form"].errors  # would go negative
    response = supervisor_client.post(url, {"points": "30", "reason": "goodwill"})
    assert response.status_code == 302
    assert PointsEntry.objects.get(customer=customer).created_by is not None


def test_agent_may_not_adjust_points(client, customer):
    client.force_login(StaffFactory(role=Role.CS_AGENT))
    assert client.get(reverse("admin:loyalty_points_adjust", args=[customer.pk])).status_code == 403


def test_redeem_and_issue_coupon_forms(supervisor_client, customer):
    from loyalty import services

    services.points_award(customer=customer, points=2000, source="test:admin")
    response = supervisor_client.post(reverse("admin:loyalty_points_redeem", args=[customer.pk]),
                                      {"kind": "free_ride", "amount": "15"})
    assert response.status_code == 302
    assert selectors.points_balance(customer).available == 500
    response = supervisor_client.post(reverse("admin:loyalty_coupon_issue", args=[customer.pk]),
                                      {"kind": "percent", "percent": ""})
    assert response.status_code == 200 and "percent" in response.context["form"].errors
    assert Coupon.objects.filter(customer=customer).count() == 1


def test_supervisor_sets_tier_by_hand(supervisor_client, customer):
    until = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = supervisor_client.post(reverse("admin:loyalty_tier_set", args=[customer.pk]),
                                      {"tier": "2", "reason": "重要客户", "until": until})
    assert response.status_code == 302
    assert LoyaltyAccount.objects.get(customer=customer).tier == Tier.GOLD
    assert TierChange.objects.get(customer=customer).changed_by is not None


def test_rule_preview_counts_customers_under_draft_rules_without_saving(client, customer):
    client.force_login(StaffFactory(role=Role.OPERATIONS_MANAGER))
    OrderFactory.create_batch(2, customer=customer)
    url = reverse("admin:loyalty_tierrule_preview")
    assert client.get(url).status_code == 200
    data = {"rules-TOTAL_FORMS": "3", "rules-INITIAL_FORMS": "3"}
    from loyalty.models import TierRule

    for i, rule in enumerate(TierRule.objects.order_by("tier")):
        data.update({f"rules-{i}-id": rule.pk, f"rules-{i}-tier": rule.tier, f"rules-{i}-window_months": 12,
                     f"rules-{i}-combine": "any", f"rules-{i}-min_orders": 2 if rule.tier == 1 else rule.min_orders,
                     f"rules-{i}-min_spend": rule.min_spend, f"rules-{i}-is_active": "on"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["rows"][1]["preview"] == 1
    assert TierRule.objects.get(tier=1).min_orders == 6


def test_ledger_and_distribution_pages(supervisor_client, customer):
    push_completed(customer, fee="10")
    assert supervisor_client.get(reverse("admin:loyalty_ledger", args=[customer.pk])).status_code == 200
    assert supervisor_client.get(reverse("admin:loyalty_tier_distribution")).status_code == 200
    for name in ("tierrule", "tierbenefit", "tierchange", "loyaltyaccount", "pointsentry", "coupon"):
        assert supervisor_client.get(reverse(f"admin:loyalty_{name}_changelist")).status_code == 200


def test_supervisor_cannot_edit_tier_rules_but_operations_manager_can(client):
    from django.contrib.auth.models import Group

    from core.roles import sync_roles

    sync_roles()
    supervisor = Group.objects.get(name=Role.CS_SUPERVISOR)
    manager = Group.objects.get(name=Role.OPERATIONS_MANAGER)
    assert not supervisor.permissions.filter(codename="change_tierrule").exists()
    assert manager.permissions.filter(codename="change_tierrule").exists()
    assert supervisor.permissions.filter(codename="adjust_points").exists()
    _ = CustomerFactory
