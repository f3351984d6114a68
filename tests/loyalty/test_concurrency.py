"""Concurrent redemptions and replayed order events on PostgreSQL (row locks, unique sources)."""

import threading

import pytest
from django.db import connection

from customers.models import OrderEvent
from loyalty import selectors, services
from loyalty.errors import InsufficientPoints
from loyalty.models import Coupon, PointsEntry
from tests.factories import CustomerFactory, OrderFactory


def _in_threads(count, target):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_redemptions_never_take_the_balance_below_zero():
    customer = CustomerFactory()
    services.points_award(customer=customer, points=1000, source="test:concurrency")
    results, errors = _in_threads(
        8, lambda: services.points_redeem(customer=customer, kind=Coupon.Kind.FIXED, amount="3"))  # 300 points
    assert len(results) == 3
    assert len(errors) == 5 and all(isinstance(e, InsufficientPoints) for e in errors)
    assert selectors.points_balance(customer).available == 100


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_order_event_handled_by_parallel_workers_awards_once():
    referrer = CustomerFactory()
    customer = CustomerFactory(referred_by=referrer)
    order = OrderFactory(customer=customer, fee="1500")
    OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.COMPLETED)
    results, errors = _in_threads(6, lambda: services.order_completed(order))
    assert errors == []
    assert PointsEntry.objects.filter(customer=customer, kind=PointsEntry.Kind.EARN).count() == 1
    assert PointsEntry.objects.filter(customer=referrer).count() == 2  # first order + one ¥1,000 step
