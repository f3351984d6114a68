"""The order-event outbox: each (order, kind) event runs the registered handlers once."""

from collections import defaultdict

import pytest

from customers import hooks
from customers.models import OrderEvent
from customers.services import order_events_emit, order_events_process
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def handlers(monkeypatch):
    """An empty handler registry for the test (other apps' handlers are not under test here)."""
    monkeypatch.setattr(hooks, "_order_handlers", defaultdict(list))
    return hooks


def test_a_handler_runs_once_even_if_the_events_are_processed_twice(handlers):
    seen = []
    handlers.register_order_handler(OrderEvent.Kind.COMPLETED, lambda order: seen.append(order.pk))
    order = OrderFactory()

    order_events_emit(order_ids=[order.pk], kind=OrderEvent.Kind.COMPLETED)
    assert order_events_process() == 1
    assert order_events_process() == 0

    assert seen == [order.pk]
    event = OrderEvent.objects.get()
    assert event.processed_at is not None and event.attempts == 1


def test_emitting_the_same_event_twice_records_it_once(handlers):
    seen = []
    handlers.register_order_handler(OrderEvent.Kind.COMPLETED, lambda order: seen.append(order.pk))
    order = OrderFactory()
    order_events_emit(order_ids=[order.pk], kind=OrderEvent.Kind.COMPLETED)
    order_events_process()
    order_events_emit(order_ids=[order.pk], kind=OrderEvent.Kind.COMPLETED)  # a platform pushed it again
    order_events_process()
    assert OrderEvent.objects.count() == 1
    assert seen == [order.pk]


def test_handlers_only_see_events_of_their_kind(handlers):
    completed, reviewed = [], []
    handlers.register_order_handler(OrderEvent.Kind.COMPLETED, lambda order: completed.append(order.pk))
    handlers.register_order_handler(OrderEvent.Kind.REVIEWED, lambda order: reviewed.append(order.pk))
    first, second = OrderFactory(), OrderFactory()
    order_events_emit(order_ids=[first.pk, second.pk], kind=OrderEvent.Kind.COMPLETED)
    order_events_emit(order_ids=[second.pk], kind=OrderEvent.Kind.REVIEWED)
    assert order_events_process() == 3
    assert sorted(completed) == sorted([first.pk, second.pk]) and reviewed == [second.pk]


def test_a_failing_handler_leaves_the_event_pending_and_a_later_run_completes_it(handlers):
    calls = []

    def flaky(order):
        calls.append(order.pk)
        if len(calls) == 1:
            raise RuntimeError("loyalty is down")

    handlers.register_order_handler(OrderEvent.Kind.COMPLETED, flaky)
    order = OrderFactory()
    order_events_emit(order_ids=[order.pk], kind=OrderEvent.Kind.COMPLETED)

    assert order_events_process() == 0
    event = OrderEvent.objects.get()
    assert event.processed_at is None and event.attempts == 1 and "loyalty is down" in event.last_error

    assert order_events_process() == 1
    assert order_events_process() == 0
    event.refresh_from_db()
    assert event.processed_at is not None and event.attempts == 2
    assert calls == [order.pk, order.pk]


def test_a_failing_handler_rolls_back_what_the_handlers_wrote_for_that_event(handlers):
    order = OrderFactory(fee=0)

    def writes_then_fails(order):
        type(order).objects.filter(pk=order.pk).update(external_id="CHANGED")
        raise RuntimeError("boom")

    handlers.register_order_handler(OrderEvent.Kind.COMPLETED, writes_then_fails)
    order_events_emit(order_ids=[order.pk], kind=OrderEvent.Kind.COMPLETED)
    order_events_process()
    order.refresh_from_db()
    assert order.external_id != "CHANGED"
