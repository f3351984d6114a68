"""A gold/diamond customer's dedicated agent is a tier benefit: the dormancy sweep keeps it (issue 17,
item 5). Decision: keep it (not reassign on reactivation), so the customer who orders again after a
quiet spell finds the same agent, and nobody has to be picked when they come back."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from customers.models import Customer, OwnershipChange
from customers.services import customer_refresh_order_dates, dormancy_sweep
from loyalty.models import LoyaltyAccount, Tier
from tests.factories import CustomerFactory, OrderFactory, StaffFactory

pytestmark = pytest.mark.django_db


def lapsed(tier, owner):
    customer = CustomerFactory(owner=owner)
    if tier is not None:
        LoyaltyAccount.objects.create(customer=customer, tier=tier)
    long_ago = timezone.now() - dt.timedelta(days=settings.CUSTOMER_DORMANT_AFTER_DAYS + 30)
    Customer.objects.filter(pk=customer.pk).update(last_order_at=long_ago, created_at=long_ago)
    return customer


def test_the_dormancy_sweep_keeps_gold_and_diamond_customers_dedicated_agents():
    # given lapsed customers of each tier, all with an account manager
    agent = StaffFactory()
    gold, diamond = lapsed(Tier.GOLD, agent), lapsed(Tier.DIAMOND, agent)
    silver, normal = lapsed(Tier.SILVER, agent), lapsed(None, agent)
    # when the dormancy sweep runs
    result = dormancy_sweep()
    # then all four are dormant, but only silver and normal fall to the public pool
    assert result == {"dormant": 4, "released_to_pool": 2}
    for customer in (gold, diamond, silver, normal):
        customer.refresh_from_db()
        assert customer.status == Customer.Status.DORMANT
    assert (gold.owner, diamond.owner, silver.owner, normal.owner) == (agent, agent, None, None)
    assert set(OwnershipChange.objects.values_list("customer_id", flat=True)) == {silver.pk, normal.pk}


def test_a_reactivated_gold_customer_finds_the_same_dedicated_agent():
    agent = StaffFactory()
    gold = lapsed(Tier.GOLD, agent)
    dormancy_sweep()
    # the customer orders again
    OrderFactory(customer=gold)
    customer_refresh_order_dates(customer_ids=[gold.pk])
    gold.refresh_from_db()
    assert gold.status == Customer.Status.ACTIVE and gold.owner == agent
