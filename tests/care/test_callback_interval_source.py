"""The diamond callback interval has one source of truth: loyalty's tier benefit row (issue 17, item 7).
Before, a settings fallback said 30 days for diamond while the row said 14."""

import datetime as dt

import pytest
from django.conf import settings

from care.adapters import callback_interval_days
from care.services import callbacks_schedule_due
from customers.models import ContactLog
from loyalty.models import LoyaltyAccount, Tier, TierBenefit
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_diamond_customers_are_called_back_every_14_days_as_the_benefit_row_says():
    customer = CustomerFactory()
    LoyaltyAccount.objects.create(customer=customer, tier=Tier.DIAMOND)
    assert callback_interval_days("diamond") == TierBenefit.objects.get(tier=Tier.DIAMOND).callback_interval_days == 14
    callbacks_schedule_due(today=dt.date(2026, 11, 2))
    callbacks_schedule_due(today=dt.date(2026, 11, 9))
    callbacks_schedule_due(today=dt.date(2026, 11, 20))  # the next 14-day block
    assert ContactLog.objects.filter(customer=customer).count() == 2


def test_without_its_benefit_row_a_tier_has_no_periodic_callback_not_a_second_figure():
    # given the diamond benefit row removed by a manager
    TierBenefit.objects.filter(tier=Tier.DIAMOND).delete()
    customer = CustomerFactory()
    LoyaltyAccount.objects.create(customer=customer, tier=Tier.DIAMOND)
    # then no interval comes from anywhere else, and no callback is scheduled
    assert callback_interval_days("diamond") is None
    callbacks_schedule_due(today=dt.date(2026, 11, 2))
    assert not ContactLog.objects.filter(customer=customer).exists()
    assert not hasattr(settings, "CARE_CALLBACK_INTERVAL_DAYS")
