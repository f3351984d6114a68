"""Issue 13 item 6: a platform cannot inflate a customer's value. A fee above ``ORDER_FEE_MAX`` is
refused (single push, batch; fast path and serializer alike), and a completed order's fee and times are
frozen: the points and tier it earned cannot be pumped by pushing it again with a bigger fee."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from customers.api.fast import order_in_fast
from customers.api.serializers import OrderInSerializer
from customers.models import Customer, Order, OrderEvent
from customers.services import order_events_process
from loyalty import selectors
from loyalty.models import Tier
from tests.customers.api.payloads import order_payload
from tests.platform_api.clients import api_client, platform_api_key

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"


@pytest.fixture
def client():
    _platform, key = platform_api_key()
    return api_client(key, lang="en")


def push(client, body):
    return client.post(URL, body, format="json")


def test_a_fee_above_the_plausible_maximum_is_a_field_error_and_writes_nothing(client, settings):
    body = order_payload(fee=str(settings.ORDER_FEE_MAX + Decimal("0.01")))
    response = push(client, body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["fee"]
    assert not Order.objects.exists() and not Customer.objects.exists()
    assert push(client, {**body, "fee": str(settings.ORDER_FEE_MAX)}).status_code == 201


def test_the_fast_path_and_the_serializer_both_refuse_an_inflated_fee(settings):
    body = order_payload(fee="1000000.00")
    assert order_in_fast(body) is None
    serializer = OrderInSerializer(data=body)
    assert not serializer.is_valid() and "fee" in serializer.errors


@override_settings(ORDER_FEE_MAX=Decimal("500"))
def test_the_maximum_is_a_setting_and_holds_for_every_item_of_a_batch(client):
    ok, inflated = order_payload(fee="500.00"), order_payload(fee="500.01")
    response = client.post(f"{URL}batch/", {"orders": [ok, inflated]}, format="json")
    results = response.json()["results"]
    assert [r["result"] for r in results] == ["created", "error"]
    assert list(results[1]["errors"]) == ["fee"]
    assert not Order.objects.filter(external_id=inflated["external_id"]).exists()


def test_a_completed_order_cannot_be_pushed_again_with_a_bigger_fee_or_other_times(client):
    """Given a completed order whose points were credited, when the platform pushes it again with a
    bigger fee (or a moved finish time), then it is 409 and the fee, points and tier stay as they were."""
    body = order_payload(fee="98.00")
    assert push(client, body).status_code == 201
    order_events_process()
    order = Order.objects.get(external_id=body["external_id"])
    points_before = selectors.points_balance(order.customer)
    assert points_before.available + points_before.pending == 98

    inflated = push(client, {**body, "fee": "2999.00"})
    later = dt.datetime.fromisoformat(body["finished_at"]) + dt.timedelta(days=300)
    moved = push(client, {**body, "finished_at": later.isoformat()})

    assert inflated.status_code == moved.status_code == 409
    assert inflated.json()["code"] == "completed_order_frozen" and list(inflated.json()["errors"]) == ["fee"]
    assert list(moved.json()["errors"]) == ["finished_at"]
    order.refresh_from_db()
    assert order.fee == Decimal("98.00")
    assert OrderEvent.objects.filter(order=order).count() == 1
    order_events_process()
    points_after = selectors.points_balance(order.customer)
    assert points_after.available + points_after.pending == 98
    assert selectors.customer_tier(order.customer) == Tier.NORMAL


def test_the_same_completed_order_pushed_again_unchanged_is_still_a_200(client):
    body = order_payload()
    assert push(client, body).status_code == 201
    assert push(client, body).status_code == 200
    assert push(client, {**body, "fee": "98"}).status_code == 200  # the same amount, written differently


def test_a_batch_cannot_change_a_completed_orders_fee_either(client):
    body = order_payload(fee="98.00")
    push(client, body)
    response = client.post(f"{URL}batch/", {"orders": [{**body, "fee": "1500.00"}]}, format="json")
    [result] = response.json()["results"]
    assert result["code"] == "completed_order_frozen"
    assert Order.objects.get(external_id=body["external_id"]).fee == Decimal("98.00")


def test_a_booked_order_may_still_change_its_fee_before_it_completes(client):
    body = order_payload(status="booked", fee="50.00")
    push(client, body)
    completed = order_payload(external_id=body["external_id"], mobile=body["customer"]["mobile"],
                              booked_at=body["booked_at"], fee="120.00")
    assert push(client, completed).status_code == 200
    assert Order.objects.get(external_id=body["external_id"]).fee == Decimal("120.00")
