"""Pushes that arrive while an order-event task is queued do not queue another one (each push used to
send a Celery message); the queued task sees their events, and a push after it started queues anew."""

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from customers.models import OrderEvent
from customers.tasks import process_order_events
from tests.customers.api.payloads import order_payload
from tests.platform_api.clients import api_client

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def broker_queue():
    if not isinstance(caches["api"], RedisCache):
        pytest.skip("the shared flag needs the Redis cache (REDIS_URL)")
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_ROUTES["customers.process_order_events"]["queue"]  # "events"
    caches["api"].delete("order-events:task-queued")
    before = client.llen(queue)
    yield lambda: client.llen(queue) - before
    added = client.llen(queue) - before
    if added > 0:
        client.lpop(queue, added)  # kombu pushes on the left: take back this test's messages
    caches["api"].delete("order-events:task-queued")


def test_pushes_while_a_task_is_queued_share_it_and_a_later_push_queues_anew(platform_key, broker_queue,
                                                                            django_capture_on_commit_callbacks):
    client = api_client(platform_key[1])
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/api/v1/orders/", order_payload(), format="json").status_code == 201
    assert broker_queue() == 1
    assert OrderEvent.objects.filter(processed_at__isnull=True).count() == 3

    process_order_events()  # what the worker runs for the queued message
    assert OrderEvent.objects.filter(processed_at__isnull=True).count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/api/v1/orders/", order_payload(), format="json").status_code == 201
    assert broker_queue() == 2
