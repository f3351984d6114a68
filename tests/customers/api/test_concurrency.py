"""Concurrent pushes (threads against PostgreSQL) and a broker outage."""

import threading

import pytest
from django.db import connection

from customers import hooks
from customers.models import Customer, Order, OrderEvent
from customers.tasks import sweep_order_events
from tests.customers.api.payloads import new_mobile, order_payload
from tests.platform_api.clients import api_client, platform_api_key


def _run_together(n, fn):
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        try:
            barrier.wait(timeout=10)
            results[i] = fn(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_pushes_of_the_same_new_order_make_one_order_one_customer_one_event():
    _platform, key = platform_api_key()
    body = order_payload(mobile=new_mobile())

    codes = _run_together(8, lambda i: api_client(key).post("/api/v1/orders/", body, format="json").status_code)

    assert sorted(codes) == [200] * 7 + [201]
    assert Order.objects.filter(external_id=body["external_id"]).count() == 1
    assert Customer.objects.filter(mobile=body["customer"]["mobile"]).count() == 1
    assert OrderEvent.objects.filter(kind=OrderEvent.Kind.COMPLETED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_batches_neither_deadlock_nor_duplicate():
    _platform, key = platform_api_key()
    shared_mobile = new_mobile()
    orders = [order_payload(mobile=shared_mobile if i % 3 == 0 else None) for i in range(60)]

    def push(i):
        mine = orders[::-1] if i % 2 else orders  # opposite orders: the service sorts before locking
        return api_client(key).post("/api/v1/orders/batch/", {"orders": mine}, format="json").json()

    answers = _run_together(4, push)

    assert sum(a["created"] for a in answers) == 60
    assert sum(a["updated"] for a in answers) == 180
    assert all(a["rejected"] == 0 for a in answers)
    assert Order.objects.count() == 60
    assert Customer.objects.filter(mobile=shared_mobile).count() == 1
    assert OrderEvent.objects.count() == 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_status_changes_never_move_an_order_backwards():
    _platform, key = platform_api_key()
    booked = order_payload(status="booked")
    api_client(key).post("/api/v1/orders/", booked, format="json")
    done = order_payload(status="completed", external_id=booked["external_id"],
                         mobile=booked["customer"]["mobile"], booked_at=booked["booked_at"])
    cancelled = {**booked, "status": "cancelled"}

    codes = _run_together(2, lambda i: api_client(key).post(
        "/api/v1/orders/", done if i == 0 else cancelled, format="json").status_code)

    # Whichever lands first, the order ends cancelled: completed first, the cancellation is a refund
    # within ORDER_CANCEL_WINDOW_DAYS (its points reversed); cancelled first, completing it is refused.
    final = Order.objects.get(external_id=booked["external_id"]).status
    assert final == "cancelled"
    events = (OrderEvent.objects.filter(kind=OrderEvent.Kind.COMPLETED).count(),
              OrderEvent.objects.filter(kind=OrderEvent.Kind.CANCELLED).count())
    if sorted(codes) == [200, 200]:
        assert events == (1, 1)
    else:
        assert sorted(codes) == [200, 409]
        assert events == (0, 0)


@pytest.fixture
def broker_down():
    """The Celery broker is unreachable (nothing listens on port 1)."""
    from config.celery import app

    old = app.conf.broker_url

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = "redis://127.0.0.1:1/0"
    reset_pools()
    yield
    app.conf.broker_url = old
    reset_pools()


def test_broker_down_order_is_saved_and_answered_201_and_the_sweep_catches_up(
        db, broker_down, django_capture_on_commit_callbacks):
    handled = []

    def record(order):
        handled.append(order.external_id)

    hooks.register_order_handler(OrderEvent.Kind.COMPLETED, record)
    try:
        _platform, key = platform_api_key()
        body = order_payload()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = api_client(key).post("/api/v1/orders/", body, format="json")
        assert response.status_code == 201
        assert callbacks, "the enqueue ran after commit (and failed quietly: the broker is down)"
        event = OrderEvent.objects.get(order__external_id=body["external_id"])
        assert event.processed_at is None and handled == []

        sweep_order_events()

        event.refresh_from_db()
        assert event.processed_at is not None
        assert handled == [body["external_id"]]
        sweep_order_events()
        assert handled == [body["external_id"]]  # processed once
    finally:
        hooks._order_handlers[OrderEvent.Kind.COMPLETED].remove(record)
