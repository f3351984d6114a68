"""Redis stopped and started again (issue 16, fault 2), with real processes: gunicorn and a Celery
worker on a redis-server of the test's own (its port 6390+) and the test's PostgreSQL database.

While Redis is down, pushes (single and batch) keep answering 2xx: the rate limit lets requests
through (platform_api.throttling, as documented there) and the orders' events wait in the outbox;
``/healthz`` names the broker as the part that is down. After Redis comes back (empty: it kept
nothing), the worker reconnects and the periodic sweep (beat's ``customers.sweep_order_events``)
processes what was not handed over: every order, event and points entry exactly once. Slow: ~40 s."""

import json
import time
from collections import Counter

import pytest
from django.utils import timezone

from customers.models import IngestionDay, Order, OrderEvent
from loyalty.models import PointsEntry
from tests.customers.api.payloads import order_payload
from tests.faults import (
    RedisServer,
    celery_worker,
    free_port,
    http,
    process_env,
    reference_rows,
    send_task,
    wait_until,
    web_server,
)
from tests.platform_api.clients import platform_api_key

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Platform:
    def __init__(self, base: str, key: str):
        self.base, self.headers = base, {"Authorization": f"Api-Key {key}", "Content-Type": "application/json"}
        self.sent: list[str] = []

    def push(self) -> int:
        body = order_payload()
        self.sent.append(body["external_id"])
        return http("POST", f"{self.base}/api/v1/orders/", json.dumps(body).encode(), self.headers)[0]

    def batch(self, n: int = 3) -> int:
        orders = [order_payload() for _ in range(n)]
        self.sent += [o["external_id"] for o in orders]
        return http("POST", f"{self.base}/api/v1/orders/batch/", json.dumps({"orders": orders}).encode(),
                    self.headers)[0]

    def round(self) -> list[int]:
        return [self.push(), self.push(), self.batch()]


def healthz(base: str) -> tuple[int, dict]:
    code, body = http("GET", f"{base}/healthz")
    return code, json.loads(body or b"{}")


def test_pushes_answer_through_a_redis_outage_and_the_side_effects_catch_up_once(tmp_path):
    reference_rows()
    platform_row, key = platform_api_key()
    redis = RedisServer().start()
    env = process_env(redis.url)
    port = free_port(18000)
    base = f"http://127.0.0.1:{port}"
    web, worker = web_server(env, tmp_path / "web.log", port), celery_worker(env, tmp_path / "worker.log")
    platform = Platform(base, key)
    try:
        web.start()
        worker.start()
        wait_until(lambda: healthz(base)[0] == 200, timeout=60, what="gunicorn")
        before = platform.round()

        redis.stop()
        started = time.monotonic()
        during = platform.round()
        slowest = (time.monotonic() - started) / 3
        health_during = healthz(base)

        redis.start()  # empty: the queued tasks and the throttle counters are gone
        after = platform.round()
        send_task(redis.url, "customers.sweep_order_events")  # what beat sends every 5 minutes
        wait_until(lambda: not OrderEvent.objects.filter(processed_at__isnull=True).exists(), timeout=60,
                   what="the events to be processed")
        settled = (Order.objects.count(), PointsEntry.objects.count(), OrderEvent.objects.count())
        time.sleep(3)  # nothing more arrives late
        assert (Order.objects.count(), PointsEntry.objects.count(), OrderEvent.objects.count()) == settled
        health_after = healthz(base)
    finally:
        worker.stop()
        web.stop()
        redis.stop()

    assert before == [201, 201, 200] and during == [201, 201, 200] and after == [201, 201, 200]
    assert slowest < 10  # degraded, not stuck
    assert health_during[0] == 503 and health_during[1]["database"] == "ok"
    assert health_during[1]["broker"].startswith("error")
    assert health_after == (200, {"status": "ok", "database": "ok", "broker": "ok"})
    sent = platform.sent
    assert sorted(Order.objects.values_list("external_id", flat=True)) == sorted(sent)
    assert OrderEvent.objects.count() == len(sent) and set(OrderEvent.objects.values_list("attempts", flat=True)) == {1}
    assert PointsEntry.objects.count() == len(sent)
    assert set(Counter(PointsEntry.objects.values_list("source", flat=True)).values()) == {1}
    assert IngestionDay.objects.get(platform=platform_row, day=timezone.localdate()).created == len(sent)
