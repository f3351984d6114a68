"""A customer's order dates: one behaviour, proved the same for the ORM and the PostgreSQL statement
on the same data (customers.services.order_dates)."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from core.db import Writes
from customers.models import Customer, Order
from customers.services.order_dates import _refresh_orm, _refresh_sql, customer_refresh_order_dates
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db

FIELDS = ("last_order_at", "first_order_at", "status", "status_reason")


def _customers():
    """Given: customers in every case the refresh distinguishes."""
    now = timezone.now()
    stale = now - dt.timedelta(days=3)
    long_ago = now - dt.timedelta(days=900)
    never = CustomerFactory(last_order_at=stale, first_order_at=stale)  # dates with no completed order left
    two = CustomerFactory()
    OrderFactory(customer=two, booked_at=now - dt.timedelta(days=40))
    OrderFactory(customer=two, booked_at=now - dt.timedelta(days=2))
    OrderFactory(customer=two, status=Order.Status.BOOKED, booked_at=now, finished_at=None)
    cancelled = CustomerFactory(last_order_at=stale, first_order_at=stale)  # its only completed order refunded
    OrderFactory(customer=cancelled, status=Order.Status.CANCELLED, booked_at=stale)
    woken = CustomerFactory(status=Customer.Status.DORMANT, status_reason="asleep")
    OrderFactory(customer=woken, booked_at=now - dt.timedelta(days=1))
    asleep = CustomerFactory(status=Customer.Status.DORMANT, status_reason="asleep")
    OrderFactory(customer=asleep, booked_at=long_ago)
    return [never.pk, two.pk, cancelled.pk, woken.pk, asleep.pk]


def _state(ids):
    return {row["pk"]: row for row in Customer.objects.filter(pk__in=ids).values("pk", *FIELDS)}


def test_refresh_clears_dates_when_no_completed_order_is_left_and_wakes_only_recent_orderers():
    ids = _customers()
    assert customer_refresh_order_dates(customer_ids=ids) == 5
    state = _state(ids)
    assert state[ids[0]]["last_order_at"] is None and state[ids[0]]["first_order_at"] is None
    assert state[ids[2]]["last_order_at"] is None
    assert state[ids[1]]["first_order_at"] < state[ids[1]]["last_order_at"]
    assert state[ids[3]]["status"] == Customer.Status.ACTIVE
    assert state[ids[4]]["status"] == Customer.Status.DORMANT


@pytest.mark.postgres
@pytest.mark.parametrize("queued", [False, True])
def test_sql_refresh_equals_the_orm_refresh_on_the_same_data(queued):
    ids = _customers()
    with transaction.atomic():
        sid = transaction.savepoint()
        assert _refresh_orm(ids) == 5
        by_orm = _state(ids)
        transaction.savepoint_rollback(sid)
    assert _state(ids) != by_orm  # (the rollback restored the given state)
    writes = Writes() if queued else None
    count = _refresh_sql(ids, writes)
    if queued:
        writes.send()
    else:
        assert count == 5
    assert _state(ids) == by_orm
