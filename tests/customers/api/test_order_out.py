"""The push response is built from one row (``order_out``) and must equal what ``OrderOutSerializer``
(the documented schema, also used by GET) gives for the same order, in both languages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from core.db import is_compiled
from customers.api.fast import ORDER_OUT_VALUES, order_out, order_out_row
from customers.api.serializers import OrderOutSerializer
from customers.models import Order, Review
from tests.factories import CustomerFactory, DriverFactory, OrderFactory

pytestmark = pytest.mark.django_db


def _both(order):
    row = order_out_row(order.pk)
    assert row == Order.objects.filter(pk=order.pk).values(*ORDER_OUT_VALUES).get()  # the SQL read = the ORM's
    if connection.vendor == "postgresql":  # compiled once, then only executed
        assert is_compiled("order-out")
    instance = Order.objects.select_related("customer", "driver", "review").get(pk=order.pk)
    return order_out(row), dict(OrderOutSerializer(instance).data)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_full_order_with_driver_places_and_review_matches_the_serializer(lang):
    order = OrderFactory(customer=CustomerFactory(), driver=DriverFactory(), pickup_address="上海市黄浦区南京东路300号",
                         pickup_lat=Decimal("31.2304"), pickup_lng=Decimal("121.4737"),
                         dropoff_address="上海市徐汇区漕溪北路88号", distance_km=Decimal("12.3"), fee=Decimal("98"))
    Review.objects.create(order=order, customer=order.customer, rating=4, recommend_score=9, comment="司机很准时")
    with translation.override(lang):
        fast, serializer = _both(order)
    assert fast == serializer
    assert fast["rating"]["level"] == serializer["rating"]["level"]


def test_a_bare_booked_order_matches_the_serializer():
    order = OrderFactory(status=Order.Status.BOOKED, driver=None, started_at=None, finished_at=None,
                         pickup_address="", dropoff_address="", distance_km=None, fee=Decimal("0"),
                         booked_at=dt.datetime(2026, 10, 15, 13, 5, tzinfo=dt.UTC))
    fast, serializer = _both(order)
    assert fast == serializer
    assert fast["booked_at"] == "2026-10-15T21:05:00+08:00"  # the company's time zone, as documented
