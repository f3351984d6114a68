"""PostgreSQL connections cut and refused (issue 16, fault 3), against the real server, no mocks.

A batch is held mid-transaction (its last write waits on a row lock taken by the test), then its
backend is killed with ``pg_terminate_backend``: the platform gets 503 in the JSON error shape with
``Retry-After``, nothing of the batch is saved, and its retry with the same ``Idempotency-Key`` saves
it once. A refused connection (the server's port closed) gives the same 503, and ``/healthz`` says
the database is the part that is down."""

import socket
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import connection
from django.utils import timezone

from customers.models import Customer, IdempotencyRecord, IngestionDay, Order, OrderEvent
from tests.customers.api.payloads import order_payload
from tests.faults import side_connection, waiting_backend
from tests.platform_api.clients import api_client, platform_api_key

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

URL = "/api/v1/orders/batch/"


@contextmanager
def todays_ingestion_row_locked(platform):
    """The batch's last write (today's ingestion counts) waits while this is open."""
    row, _created = IngestionDay.objects.get_or_create(platform=platform, day=timezone.localdate())
    with side_connection() as locker, side_connection() as side:
        with locker.transaction():
            locker.execute(f"SELECT 1 FROM {IngestionDay._meta.db_table} WHERE id = %s FOR UPDATE", [row.pk])
            yield side  # a connection of its own: pg_stat_activity is a snapshot inside a transaction


def push_in_thread(client, body, key):
    answer = {}

    def run():
        try:
            answer["response"] = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, answer


@contextmanager
def database_port_closed():
    """New connections to the database are refused (a port where nothing listens)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings_dict = connection.settings_dict  # shared by every thread's connection to "default"
    saved = settings_dict["HOST"], settings_dict["PORT"]
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", closed_port
    connection.close()
    try:
        yield
    finally:
        settings_dict["HOST"], settings_dict["PORT"] = saved
        connection.close()


def assert_unavailable(response) -> None:
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "database_unavailable" and body["message"] and body["errors"] == {}
    assert int(response["Retry-After"]) > 0


def assert_nothing_of(batch) -> None:
    ids = [o["external_id"] for o in batch["orders"]]
    mobiles = [o["customer"]["mobile"] for o in batch["orders"]]
    assert not Order.objects.filter(external_id__in=ids).exists()
    assert not Customer.objects.filter(mobile__in=mobiles).exists()
    assert not OrderEvent.objects.filter(order__external_id__in=ids).exists()


def assert_saved_once(client, batch, key, platform) -> None:
    ids = [o["external_id"] for o in batch["orders"]]
    retry = client.post(URL, batch, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert retry.status_code == 200 and retry.json()["created"] == len(ids)
    again = client.post(URL, batch, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again["Idempotent-Replayed"] == "true" and again.json() == retry.json()
    assert Order.objects.filter(external_id__in=ids).count() == len(ids)
    assert OrderEvent.objects.filter(order__external_id__in=ids).count() == len(ids)
    assert IngestionDay.objects.get(platform=platform, day=timezone.localdate()).created == len(ids)


def test_a_connection_killed_mid_batch_answers_503_and_the_retry_saves_the_batch_once():
    platform, api_key = platform_api_key()
    client, key, batch = api_client(api_key), str(uuid.uuid4()), {"orders": [order_payload() for _ in range(20)]}

    with todays_ingestion_row_locked(platform) as side:
        thread, answer = push_in_thread(client, batch, key)
        side.execute("SELECT pg_terminate_backend(%s)", [waiting_backend(side)])
        thread.join(timeout=30)

    assert_unavailable(answer["response"])
    assert_nothing_of(batch)
    assert not IdempotencyRecord.objects.filter(key=key).exists()  # the claim was given back
    assert_saved_once(client, batch, key, platform)


def test_a_claim_left_behind_by_a_dead_database_lapses_and_the_retry_then_saves_once(settings):
    settings.API_IDEMPOTENCY_IN_FLIGHT_SECONDS = 2
    platform, api_key = platform_api_key()
    client, key, batch = api_client(api_key), str(uuid.uuid4()), {"orders": [order_payload() for _ in range(5)]}

    with todays_ingestion_row_locked(platform) as side:
        thread, answer = push_in_thread(client, batch, key)
        pid = waiting_backend(side)
        with database_port_closed():  # killed, and the release of the key cannot reconnect either
            side.execute("SELECT pg_terminate_backend(%s)", [pid])
            thread.join(timeout=30)

    assert_unavailable(answer["response"])
    assert_nothing_of(batch)
    in_flight = client.post(URL, batch, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert in_flight.status_code == 409 and in_flight.json()["code"] == "idempotency_in_flight"
    time.sleep(2.1)
    assert_saved_once(client, batch, key, platform)


def test_a_refused_connection_answers_503_and_healthz_names_the_database(client):
    platform, api_key = platform_api_key()
    api, key, batch = api_client(api_key), str(uuid.uuid4()), {"orders": [order_payload() for _ in range(3)]}

    with database_port_closed():
        refused = api.post(URL, batch, format="json", HTTP_IDEMPOTENCY_KEY=key)
        single = api.post("/api/v1/orders/", order_payload(), format="json")
        health = client.get("/healthz")

    assert_unavailable(refused)
    assert_unavailable(single)
    assert health.status_code == 503
    assert health.json()["database"] == "error" and health.json()["broker"] == "ok"  # no exception text
    assert_nothing_of(batch)
    assert_saved_once(api, batch, key, platform)


def test_a_persistent_connection_dropped_while_idle_is_replaced_at_the_next_push():
    platform, api_key = platform_api_key()
    client = api_client(api_key)
    connection.settings_dict["CONN_MAX_AGE"] = 600  # as a production web process may run
    connection.close()
    try:
        assert client.post("/api/v1/orders/", order_payload(), format="json").status_code == 201
        pid = connection.connection.info.backend_pid  # the request's connection, kept open
        with side_connection() as side:
            side.execute("SELECT pg_terminate_backend(%s)", [pid])
        # What Django's WSGI handler does as a request starts (its test client skips it): old or
        # unusable connections are closed, and health checks are due again.
        request_started.send(sender=WSGIHandler)
        again = client.post("/api/v1/orders/", order_payload(), format="json")
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()
    assert again.status_code == 201
    assert Order.objects.filter(platform=platform).count() == 2
