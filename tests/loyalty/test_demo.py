"""The loyalty part of seed_demo is consistent with the demo company's orders."""

import io
import random

import pytest
from django.db.models import Count, Sum

from customers import demo as customers_demo
from customers.models import KeyFieldChange, Order
from loyalty import demo
from loyalty.models import LoyaltyAccount, PointsEntry, TierChange

pytestmark = pytest.mark.django_db


def test_demo_seed_derives_points_and_tiers_from_the_orders_and_runs_once():
    customers_demo.seed(rng=random.Random(3), customers=120, drivers=10, password="demo-pass-123")
    out = io.StringIO()
    demo.seed(rng=random.Random(4), stdout=out)
    completed = Order.objects.filter(status=Order.Status.COMPLETED, fee__gte=1).count()
    assert PointsEntry.objects.filter(kind=PointsEntry.Kind.EARN).count() == completed
    # No customer's ledger sums below zero, and every upgrade is recorded.
    sums = PointsEntry.objects.values("customer").annotate(s=Sum("points"))
    assert all(row["s"] >= 0 for row in sums)
    upgraded = set(LoyaltyAccount.objects.filter(tier__gt=0, manual_until__isnull=True)
                   .values_list("customer_id", flat=True))
    assert upgraded <= set(TierChange.objects.values_list("customer_id", flat=True))
    lines = PointsEntry.objects.count()
    demo.seed(rng=random.Random(4), stdout=io.StringIO())
    assert PointsEntry.objects.count() == lines
    assert not PointsEntry.objects.values("source").exclude(source=None).annotate(n=Count("id")).filter(n__gt=1)
    assert "loyalty:" in out.getvalue()
    # Account managers' corrections to VIP customers wait for a supervisor; one was sent back.
    changes = KeyFieldChange.objects.values_list("status", flat=True)
    assert sorted(set(changes)) == [KeyFieldChange.Status.PENDING, KeyFieldChange.Status.SENT_BACK]
    assert "key-field changes" in out.getvalue()
