"""The shared pieces every API view uses: authentication, permissions, throttling, error shape,
idempotency."""

import datetime as dt
import time

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from customers.models import IdempotencyRecord, PlatformAPIKey
from platform_api.auth import platform_of
from platform_api.idempotency import idempotency_records_purge, idempotent
from platform_api.permissions import IsPlatform
from platform_api.throttling import window_key
from tests.platform_api.clients import platform_api_key

pytestmark = pytest.mark.django_db


class EchoView(APIView):
    """A POST that counts its real executions, to prove replays do nothing."""

    permission_classes = [IsPlatform]
    calls = 0

    @idempotent
    def post(self, request):
        EchoView.calls += 1
        return Response({"platform": platform_of(request).code, "echo": request.data, "n": EchoView.calls},
                        status=201)


def _post(key, body, *, idem=None):
    factory = APIRequestFactory()
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}
    if idem:
        headers["HTTP_IDEMPOTENCY_KEY"] = idem
    request = factory.post("/echo/", body, format="json", **headers)
    response = EchoView.as_view()(request)
    response.render()
    return response


# --- authentication ----------------------------------------------------------------------------
def test_unknown_path_under_api_is_a_json_404_in_chinese_by_default(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found" and body["errors"] == {}
    assert "接口" in body["message"]


def _call(key=None, *, lang=None, scheme="Api-Key"):
    headers = {}
    if key is not None:
        headers["HTTP_AUTHORIZATION"] = f"{scheme} {key}"
    if lang:
        headers["HTTP_ACCEPT_LANGUAGE"] = lang
    request = APIRequestFactory().post("/echo/", {}, format="json", **headers)
    from django.utils import translation

    with translation.override(lang or "zh-hans"):
        response = EchoView.as_view()(request)
        response.render()
    return response


def test_missing_key_is_401_with_the_error_shape_and_www_authenticate(platform_key):
    response = _call()
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    body = response.data
    assert body["code"] == "not_authenticated" and body["errors"] == {}
    assert "Api-Key" in body["message"]


def test_wrong_or_revoked_key_is_rejected_in_english_on_request(platform_key):
    platform, key = platform_key
    assert _call(key + "x", lang="en").data["message"].startswith("The API key")
    assert _call("garbage", lang="en").status_code == 401
    PlatformAPIKey.objects.filter(platform=platform).update(revoked=True)
    response = _call(key, lang="en")
    assert response.status_code == 401
    assert response.data["code"] == "authentication_failed"


def test_expired_key_and_inactive_platform_are_rejected(db):
    platform, key = platform_api_key()
    assert _call(key).status_code == 201
    PlatformAPIKey.objects.filter(platform=platform).update(expiry_date=timezone.now() - dt.timedelta(days=1))
    assert _call(key).status_code == 401
    platform2, key2 = platform_api_key()
    platform2.is_active = False
    platform2.save()
    assert _call(key2).status_code == 401


def test_valid_key_sets_platform_and_touches_last_used_at_once_per_interval(platform_key):
    platform, key = platform_key
    assert _post(key, {"a": 1}).data["platform"] == platform.code
    first = PlatformAPIKey.objects.get(platform=platform).last_used_at
    assert first is not None
    _post(key, {"a": 2})
    assert PlatformAPIKey.objects.get(platform=platform).last_used_at == first


def test_staff_session_cannot_use_a_platform_only_view(db):
    from tests.factories import StaffFactory

    user = StaffFactory()
    request = APIRequestFactory().post("/echo/", {}, format="json")
    from rest_framework.test import force_authenticate

    force_authenticate(request, user=user)
    response = EchoView.as_view()(request)
    assert response.status_code == 403


# --- errors ---------------------------------------------------------------------------------------
def test_malformed_json_is_400_parse_error(platform_key):
    factory = APIRequestFactory()
    request = factory.post("/echo/", b"{not json", content_type="application/json",
                           HTTP_AUTHORIZATION=f"Api-Key {platform_key[1]}")
    response = EchoView.as_view()(request)
    assert response.status_code == 400
    assert response.data["code"] == "parse_error"


@override_settings(API_MAX_BODY_BYTES=100)
def test_oversized_body_is_413(platform_key):
    response = _post(platform_key[1], {"x": "y" * 500})
    assert response.status_code == 413
    assert response.data["code"] == "payload_too_large"


# --- throttling -----------------------------------------------------------------------------------
def test_a_platform_over_its_rate_gets_429_with_retry_after(db):
    from django.core.cache import caches

    platform, key = platform_api_key()
    other, other_key = platform_api_key()
    # Counters of earlier tests' platforms with the same ids (SQLite reuses them) must not count, and the
    # five requests must fall in one fixed one-minute window.
    if time.time() % 60 > 55:
        time.sleep(60 - time.time() % 60 + 0.1)
    caches["api"].delete_many([window_key(f"throttle_platform_{p.pk}", 60) for p in (platform, other)])
    rates = {"platform": "3/min", "platform_batch": "3/min", "staff": "3/min", "anon": "3/min"}
    with override_settings(API_THROTTLE_RATES=rates):
        codes = [_post(key, {"i": i}).status_code for i in range(4)]
        other = _post(other_key, {"i": 0}).status_code
        limited = _post(key, {"i": 9})
    assert codes == [201, 201, 201, 429]
    assert other == 201  # limits are per platform
    assert limited.data["code"] == "throttled"
    assert 0 < int(limited["Retry-After"]) <= 60  # the time to the next window


# --- idempotency ----------------------------------------------------------------------------------
def test_retry_with_same_key_returns_the_first_answer_without_running_again(platform_key):
    key = platform_key[1]
    first = _post(key, {"a": 1}, idem="k-1")
    calls = EchoView.calls
    again = _post(key, {"a": 1}, idem="k-1")
    assert again.status_code == 201
    assert again.data == first.data
    assert again["Idempotent-Replayed"] == "true"
    assert EchoView.calls == calls


def test_same_key_with_a_different_body_is_422(platform_key):
    key = platform_key[1]
    _post(key, {"a": 1}, idem="k-2")
    response = _post(key, {"a": 2}, idem="k-2")
    assert response.status_code == 422
    assert response.data["code"] == "idempotency_key_reused"


def test_same_key_while_the_first_is_in_flight_is_409(platform_key):
    platform, key = platform_key
    from platform_api.idempotency import _request_hash  # noqa: F401 - the record shape is what matters

    factory = APIRequestFactory()
    request = factory.post("/echo/", {"a": 1}, format="json")
    import hashlib

    digest = hashlib.sha256(b"POST\0/echo/\0" + request.body).hexdigest()
    IdempotencyRecord.objects.create(platform=platform, key="k-3", request_hash=digest, method="POST",
                                     path="/echo/")
    response = _post(key, {"a": 1}, idem="k-3")
    assert response.status_code == 409
    assert response.data["code"] == "idempotency_in_flight"
    assert response["Retry-After"] == "1"


def test_keys_are_per_platform(db):
    _p1, key1 = platform_api_key()
    _p2, key2 = platform_api_key()
    a = _post(key1, {"a": 1}, idem="shared")
    b = _post(key2, {"a": 1}, idem="shared")
    assert a.data["platform"] != b.data["platform"]


def test_expired_keys_are_purged_and_reusable(platform_key):
    platform, key = platform_key
    _post(key, {"a": 1}, idem="old")
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))
    response = _post(key, {"a": 2}, idem="old")  # a different body, but the old key has expired
    assert response.status_code == 201
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert idempotency_records_purge() == 1
    assert idempotency_records_purge() == 0
