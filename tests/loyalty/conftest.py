import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import Order, OrderEvent
from customers.services import customer_refresh_order_dates, order_events_emit, order_events_process
from tests.factories import CustomerFactory, OrderFactory, PlatformFactory


def push_completed(customer, *, fee="100.00", platform=None, finished_at=None, external_id=None) -> Order:
    """An order completed on a platform, processed through the outbox the way production does."""
    finished_at = finished_at or timezone.now() - dt.timedelta(minutes=5)
    kwargs = {"customer": customer, "fee": Decimal(fee), "booked_at": finished_at - dt.timedelta(minutes=40),
              "finished_at": finished_at, "platform": platform or PlatformFactory(code="loyalty-test")}
    if external_id:
        kwargs["external_id"] = external_id
    order = OrderFactory(**kwargs)
    order_events_emit(order_ids=[order.pk], kind=OrderEvent.Kind.COMPLETED)
    customer_refresh_order_dates(customer_ids=[customer.pk])
    order_events_process()
    return order


def cancel(order: Order) -> None:
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    order_events_emit(order_ids=[order.pk], kind=OrderEvent.Kind.CANCELLED)
    order_events_process()


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def platform(db):
    return PlatformFactory(code="loyalty-test")
