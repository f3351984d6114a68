"""Issue 13 item 10, the platform API's part: JSON only, failed API keys limited per address, and a
health probe that does not leak the exception text. Each test performs the attack."""

import time

import pytest
from django.test import override_settings

from customers.models import Order
from platform_api.key_failures import failure_counter_reset
from tests.customers.api.payloads import order_payload
from tests.platform_api.clients import api_client, platform_api_key

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"


# --- JSON only ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"external_id=DD1&status=completed", "application/x-www-form-urlencoded"),
        (b"--b\r\nContent-Disposition: form-data; name=\"external_id\"\r\n\r\nDD1\r\n--b--\r\n",
         "multipart/form-data; boundary=b"),
        (b'{"external_id": "DD1"}', "text/plain"),
        (b'{"external_id": "DD1"}', ""),
    ],
)
def test_a_body_that_is_not_json_is_415_in_the_api_error_shape(body, content_type):
    """Given a platform's valid key, when it posts a form, a multipart body, text or a body without a
    Content-Type, then the API answers 415 in its JSON error shape and writes nothing."""
    _platform, key = platform_api_key()
    client = api_client(key)
    response = client.generic("POST", URL, body, content_type=content_type)
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert set(response.json()) == {"code", "message", "errors"}
    assert not Order.objects.exists()


def test_json_with_a_charset_is_still_accepted():
    _platform, key = platform_api_key()
    import json

    response = api_client(key).generic("POST", URL, json.dumps(order_payload()).encode(),
                                       content_type="application/json; charset=utf-8")
    assert response.status_code == 201


# --- failed API keys per address ---------------------------------------------------------------
def _same_window():
    if time.time() % 60 > 55:  # the attempts must fall in one fixed one-minute window
        time.sleep(60 - time.time() % 60 + 0.1)


def _get(key, **extra):
    return api_client(key).get(f"{URL}DD-none/", **extra)


@override_settings(API_KEY_FAILURE_RATE="3/min")
def test_guessing_keys_from_one_address_is_429_with_retry_after_even_for_a_right_guess():
    _platform, good = platform_api_key()
    prefix = good.split(".")[0]
    _same_window()
    codes = [_get(f"{prefix}.wrong-guess-{i}").status_code for i in range(3)]
    blocked = _get(f"{prefix}.wrong-guess-4")
    right_guess = _get(good)  # blocked addresses get no key checked at all
    assert codes == [401, 401, 401]
    assert blocked.status_code == 429 and blocked.json()["code"] == "throttled"
    assert 0 < int(blocked["Retry-After"]) <= 60
    assert right_guess.status_code == 429
    # another address is not affected
    assert _get(good, REMOTE_ADDR="203.0.113.7").status_code == 404


@override_settings(API_KEY_FAILURE_RATE="3/min", TRUSTED_PROXY_COUNT=0)
def test_a_forged_x_forwarded_for_does_not_escape_the_limit():
    _same_window()
    codes = [_get("abc.wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]


@override_settings(API_KEY_FAILURE_RATE="2/min", TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_address_the_proxy_saw_is_counted():
    _platform, good = platform_api_key()
    _same_window()
    failure_counter_reset("198.51.100.20")
    # the client writes its own X-Forwarded-For entry first; the proxy appends the real address
    codes = [_get("abc.wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}, 198.51.100.20").status_code for i in range(3)]
    assert codes == [401, 401, 429]
    other_client = _get(good, HTTP_X_FORWARDED_FOR="198.51.100.21")
    assert other_client.status_code == 404


@override_settings(
    API_KEY_FAILURE_RATE="1/min", API_THROTTLE_CACHE="down",
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "down": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                     "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}},
)
def test_with_the_cache_down_keys_are_still_checked_and_the_limit_fails_open():
    """Documented choice: the key itself is the protection; Redis down must not stop every platform."""
    _platform, good = platform_api_key()
    assert [_get("abc.wrong").status_code for _ in range(3)] == [401, 401, 401]
    assert _get(good).status_code == 404  # authenticated (no such order), not 429 or 500


# --- /healthz -----------------------------------------------------------------------------------
def test_healthz_says_error_without_the_exception_text(client):
    from config.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://secret-host.internal:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["broker"] == "error"
    assert "secret-host" not in response.content.decode() and "Error" not in response.content.decode()
