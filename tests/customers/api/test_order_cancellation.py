"""A platform cancels a completed order (a refund) through the API: the cancelled-order event is
written and loyalty takes the points back (issue 17, item 4)."""

import datetime as dt

import pytest
from django.utils import timezone

from customers import rules
from customers.models import Order, OrderEvent
from customers.services import order_events_process
from loyalty import selectors
from loyalty.models import PointsEntry
from tests.customers.api.payloads import order_payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders/"


def push(client, body):
    return client.post(URL, body, format="json")


def test_a_completed_order_cancelled_by_its_platform_in_the_window_loses_its_pending_points(client_a):
    # given a completed order of ¥98 pushed by the platform, its points pending
    body = order_payload(status="completed", fee="98.00")
    assert push(client_a, body).status_code == 201
    order_events_process()
    order = Order.objects.get(external_id=body["external_id"])
    assert selectors.points_balance(order.customer, now=timezone.now()).pending == 98
    # when the platform pushes the same order again as cancelled (a refund) the next day
    response = push(client_a, {**body, "status": "cancelled"})
    order_events_process()
    # then the order is cancelled, one cancelled-order event was written and handled,
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    event = OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.CANCELLED)
    assert event.processed_at is not None
    # and the points never become available
    later = timezone.now() + dt.timedelta(days=30)
    assert selectors.points_balance(order.customer, now=later) == selectors.PointsBalance(available=0, pending=0)
    assert PointsEntry.objects.filter(order_id=order.pk, kind=PointsEntry.Kind.REVERSAL).count() == 1
    # a replay of the cancellation writes nothing twice
    assert push(client_a, {**body, "status": "cancelled"}).status_code == 200
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.CANCELLED).count() == 1


def test_a_completed_order_cannot_be_cancelled_after_the_window(client_a, settings):
    settings.ORDER_CANCEL_WINDOW_DAYS = 7
    booked = timezone.localtime() - dt.timedelta(days=10)
    body = order_payload(status="completed", booked_at=booked.isoformat(),
                         started_at=(booked + dt.timedelta(minutes=5)).isoformat(),
                         finished_at=(booked + dt.timedelta(minutes=40)).isoformat())
    push(client_a, body)
    response = push(client_a, {**body, "status": "cancelled"})
    assert response.status_code == 409
    assert response.json()["code"] == "cancel_window_passed" and set(response.json()["errors"]) == {"status"}
    order = Order.objects.get(external_id=body["external_id"])
    assert order.status == Order.Status.COMPLETED
    assert not OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.CANCELLED).exists()


def test_the_cancel_rule_allows_only_completed_to_cancelled_inside_the_window():
    now = timezone.now()
    args = {"transitions": Order.TRANSITIONS, "now": now, "cancel_window_days": 7}
    assert rules.order_status_change_error(old="completed", new="cancelled", finished_at=now - dt.timedelta(days=6),
                                           **args) is None
    assert rules.order_status_change_error(old="completed", new="cancelled", finished_at=now - dt.timedelta(days=8),
                                           **args) == "cancel_window_passed"
    assert rules.order_status_change_error(old="completed", new="booked", finished_at=now, **args) == "status_backwards"
    assert rules.order_status_change_error(old="cancelled", new="completed", finished_at=now,
                                           **args) == "status_backwards"


def test_pushed_orders_raise_a_customer_to_high_activity_and_a_refund_brings_them_back(client_a, settings):
    # The customer list's activity filter reads the stored activity mark that ingestion keeps.
    from customers.models import Customer
    from customers.selectors import filter_by_activity

    settings.CUSTOMER_ACTIVITY_HIGH_ORDERS = 3
    mobile = "13912345670"
    bodies = [order_payload(mobile=mobile) for _ in range(2)]
    for body in bodies:
        assert push(client_a, body).status_code == 201
    customer = Customer.objects.get(mobile=mobile)
    assert list(filter_by_activity(Customer.objects.filter(pk=customer.pk), "medium")) == [customer]
    # a third completed order in the window: high
    third = order_payload(mobile=mobile)
    assert push(client_a, third).status_code == 201
    assert list(filter_by_activity(Customer.objects.filter(pk=customer.pk), "high")) == [customer]
    # the platform refunds it: two completed orders again, medium
    assert push(client_a, {**third, "status": "cancelled"}).status_code == 200
    assert list(filter_by_activity(Customer.objects.filter(pk=customer.pk), "high")) == []
    assert list(filter_by_activity(Customer.objects.filter(pk=customer.pk), "medium")) == [customer]
