"""``API_FAST_PATHS`` off: the order endpoints answer exactly as with the fast paths on (the
serializers alone), so the fast paths can be dropped whenever the benchmark says they no longer pay."""

import pytest

from tests.customers.api.payloads import new_mobile, order_payload
from tests.platform_api.clients import api_client, platform_api_key

pytestmark = pytest.mark.django_db

_VARYING = {"id", "external_id", "customer_id", "created_at", "updated_at"}


def _push(settings, fast: bool, body, path="/api/v1/orders/"):
    settings.API_FAST_PATHS = fast
    _platform, key = platform_api_key()
    return api_client(key).post(path, body, format="json")


def _same(a: dict, b: dict) -> bool:
    """Equal apart from ids and times (the rating's time too)."""
    def fixed(answer):
        out = {k: v for k, v in answer.items() if k not in _VARYING}
        out["rating"] = {k: v for k, v in (out.get("rating") or {}).items() if k != "updated_at"}
        return out

    return fixed(a) == fixed(b)


def test_a_push_answers_the_same_with_and_without_the_fast_paths(settings):
    body = order_payload(rating={"score": 5, "recommend": 9, "comment": "很好"})
    fast = _push(settings, True, body)
    slow = _push(settings, False, {**body, "customer": {**body["customer"], "mobile": new_mobile()}})
    assert fast.status_code == slow.status_code == 201
    assert _same(fast.json(), slow.json())
    assert fast.json()["rating"]["score"] == 5


@pytest.mark.parametrize("fast", [True, False])
def test_bad_input_gives_the_same_field_errors_either_way(settings, fast):
    body = order_payload(fee="-1")
    body["customer"]["mobile"] = "12345"
    answer = _push(settings, fast, body)
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"fee", "customer.mobile"}


def test_a_batch_answers_the_same_with_and_without_the_fast_paths(settings):
    good, bad = order_payload(), order_payload(status="nonsense")
    fast = _push(settings, True, {"orders": [good, bad]}, "/api/v1/orders/batch/").json()
    slow = _push(settings, False, {"orders": [good, bad]}, "/api/v1/orders/batch/").json()
    assert [r["result"] for r in fast["results"]] == [r["result"] for r in slow["results"]] == ["created", "error"]
    assert fast["results"][1]["errors"] == slow["results"][1]["errors"]
