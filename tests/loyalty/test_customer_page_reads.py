"""The customer page's loyalty reads that must not grow with the ledger give the same answers as
the straightforward versions."""

import datetime as dt

import pytest
from django.db.models import Q, Sum
from django.utils import timezone

from loyalty import rules, selectors
from loyalty.models import PointsEntry


def _entry(customer, kind, points, at, source, **extra):
    return PointsEntry.objects.create(customer=customer, kind=kind, points=points, source=source, earned_at=at,
                                      available_at=at, created_at=at, **extra)


def _mixed_ledger(customer, now):
    """Credits over 20 months (several in one month), a redemption, a reversal at its credit's time
    and one at a time of its own (a negative group the walk skips)."""
    credits = []
    for i, days in enumerate([600, 590, 400, 370, 365, 200, 120, 119, 60, 10]):
        credits.append(_entry(customer, PointsEntry.Kind.EARN, 40 + i * 7, now - dt.timedelta(days=days), f"c{i}"))
    _entry(customer, PointsEntry.Kind.REVERSAL, -20, credits[3].earned_at, "r1", reverses=credits[3])
    _entry(customer, PointsEntry.Kind.REVERSAL, -15, now - dt.timedelta(days=90), "r2", reverses=credits[6])
    _entry(customer, PointsEntry.Kind.REDEMPTION, -150, now - dt.timedelta(days=50), "spend")


def _python_walk(customer, now):
    cutoff = rules.add_months(timezone.localtime(now), -24)
    balance = selectors.points_balance(customer, now=now).available
    credits = list(
        PointsEntry.objects.filter(Q(points__gt=0) | Q(kind=PointsEntry.Kind.REVERSAL), customer=customer,
                                   earned_at__gt=cutoff, available_at__lte=now)
        .exclude(kind=PointsEntry.Kind.EXPIRY).order_by().values("earned_at").annotate(p=Sum("points"))
        .values_list("earned_at", "p"))
    return rules.next_expiry(balance=balance, credits=credits, expire_months=24)


@pytest.mark.django_db
def test_next_expiry_equals_the_walk_over_every_credit(customer, settings):
    settings.LOYALTY_POINTS_EXPIRE_MONTHS = 24
    now = timezone.now()
    _mixed_ledger(customer, now)
    expected = _python_walk(customer, now)
    assert expected is not None
    assert selectors.next_points_expiry(customer, now=now) == expected
    # A larger redemption moves the oldest holding credit forward; still the same answer.
    _entry(customer, PointsEntry.Kind.REDEMPTION, -200, now - dt.timedelta(days=5), "spend2")
    assert selectors.next_points_expiry(customer, now=now) == _python_walk(customer, now)


@pytest.mark.django_db
def test_latest_ledger_lines_match_the_full_running_balance(customer):
    now = timezone.now()
    _mixed_ledger(customer, now)
    full = list(selectors.ledger_with_running_balance(customer))
    latest = selectors.latest_ledger_lines(customer, limit=5)
    assert [(e.pk, e.running_balance) for e in latest] == [(e.pk, e.running_balance) for e in reversed(full)][:5]
    assert selectors.latest_ledger_lines(customer.pk + 10_000, limit=5) == []
