"""POST /api/v1/orders/batch/: per-item results, valid items saved, set-based queries."""

import pytest

from customers.models import Customer, IngestionDay, Order, OrderEvent, RejectedPayload
from tests.customers.api.payloads import new_mobile, order_payload

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/batch/"


def batch(client, orders, **headers):
    return client.post(URL, {"orders": orders}, format="json", **headers)


def test_each_item_is_created_updated_or_an_error_and_valid_items_are_saved(client_a, platform):
    existing = order_payload(status="booked")
    client_a.post("/api/v1/orders/", existing, format="json")
    done = order_payload(status="completed", external_id=existing["external_id"],
                         mobile=existing["customer"]["mobile"], booked_at=existing["booked_at"])
    good = order_payload()
    bad_fee = order_payload(fee="-1")
    backwards_target = order_payload(status="cancelled")
    client_a.post("/api/v1/orders/", backwards_target, format="json")
    backwards = {**backwards_target, "status": "booked"}

    response = batch(client_a, [good, done, bad_fee, 7, backwards, {**good, "fee": "1"}], HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    data = response.json()
    results = data["results"]
    assert [r["result"] for r in results] == ["created", "updated", "error", "error", "error", "error"]
    assert (data["created"], data["updated"], data["rejected"]) == (1, 1, 4)
    assert results[0]["customer_id"] and results[0]["id"] == Order.objects.get(external_id=good["external_id"]).pk
    assert "fee" in results[2]["errors"] and results[2]["code"] == "invalid"
    assert results[3]["external_id"] is None and "non_field_errors" in results[3]["errors"]
    assert results[4]["code"] == "status_backwards"
    assert results[5]["code"] == "duplicate_in_batch"
    assert not Order.objects.filter(external_id=bad_fee["external_id"]).exists()
    assert Order.objects.get(external_id=done["external_id"]).status == "completed"
    day = IngestionDay.objects.get(platform=platform)
    assert (day.created, day.updated, day.rejected) == (3, 1, 4)
    assert RejectedPayload.objects.filter(platform=platform).count() == 4


def test_more_than_the_limit_is_400_and_writes_nothing(client_a, settings):
    settings.API_BATCH_MAX_ORDERS = 3
    response = batch(client_a, [order_payload() for _ in range(4)])
    assert response.status_code == 400
    assert "orders" in response.json()["errors"]
    assert not Order.objects.exists()


def test_empty_or_missing_list_is_400(client_a):
    assert batch(client_a, []).status_code == 400
    assert client_a.post(URL, {"orders": "x"}, format="json").status_code == 400
    assert client_a.post(URL, {}, format="json").status_code == 400


def test_batch_with_many_orders_of_one_new_customer_makes_one_customer(client_a):
    mobile = new_mobile()
    response = batch(client_a, [order_payload(mobile=mobile, name="李女士") for _ in range(5)])
    assert response.json()["created"] == 5
    assert Customer.objects.filter(mobile=mobile).count() == 1


def test_replayed_batch_updates_everything_and_emits_no_new_events(client_a):
    orders = [order_payload() for _ in range(10)]
    batch(client_a, orders)
    events = OrderEvent.objects.count()

    again = batch(client_a, orders).json()

    assert again["updated"] == 10 and again["created"] == 0
    assert OrderEvent.objects.count() == events == 10
    assert Order.objects.count() == 10


def test_ingestion_is_set_based_query_count_does_not_grow_with_the_batch(client_a, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    batch(client_a, [order_payload()])  # warm caches (content types, driver)
    counts = []
    for size in (5, 100):
        orders = [order_payload(rating={"score": 5}) for _ in range(size)]
        with CaptureQueriesContext(connection) as ctx:
            assert batch(client_a, orders).json()["created"] == size
        counts.append(len(ctx.captured_queries))
        updates = [{**o, "distance_km": "10.00"} for o in orders]
        with CaptureQueriesContext(connection) as ctx:
            assert batch(client_a, updates).json()["updated"] == size
        counts.append(len(ctx.captured_queries))
    assert counts[2] <= counts[0] + 2 and counts[3] <= counts[1] + 2, counts
    assert max(counts) < 40, counts
