"""The hot-path validation of pushed orders (``order_in_fast``) gives exactly what ``OrderInSerializer``
gives for valid orders, and never accepts an order the serializer rejects (it defers to it)."""

import copy
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.api.fast import order_in_fast
from customers.api.serializers import OrderInSerializer
from tests.customers.api.payloads import order_payload

pytestmark = pytest.mark.django_db

# Values platforms send, right and wrong, for the fields the fast path handles itself.
TEXT = st.one_of(
    st.text(max_size=70), st.sampled_from(["", "  ", " 张伟 ", "王先生", "a\x00b", "\ud800x", "x" * 61]),
    st.integers(), st.none(), st.floats(allow_nan=True),
)
EXTERNAL_IDS = st.one_of(st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.:\-]{0,70}\Z"), TEXT)
MOBILES = st.one_of(
    st.sampled_from(["13800138000", "+86 138-0013-8000", "008613800138000", "021-63218888", "4008001234",
                     "10086", "1380013800", " 13800138000 ", "19912345678", "14012345678"]),
    st.integers(min_value=10_000_000_000, max_value=19_999_999_999), TEXT,
)
TIMES = st.one_of(
    st.sampled_from(["2026-10-15T21:05:00+08:00", "2026-10-15T13:05:00Z", "2026-10-15 21:05:00+08:00",
                     "2026-10-15T21:05:00", "2026-10-15", "2026-02-30T10:00:00+08:00", "1999-12-31T23:00:00+08:00",
                     "2026-10-15T21:05:00.123456+05:30", "20261015T210500+0800", "not a time",
                     "9999-12-31T23:59:59-12:00"]),
    TEXT,
)
DECIMALS = st.one_of(
    st.sampled_from(["12.3", "98.00", "-1", "0", "1e3", "NaN", "Infinity", "12.345", "999999.99", "1234567.1", " 5 "]),
    st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.none(), TEXT,
)
COORDS = st.one_of(st.floats(min_value=-200, max_value=200), st.sampled_from(["31.2304", "91", "abc"]), st.none())
SCORES = st.one_of(st.integers(min_value=-1, max_value=11), st.sampled_from(["5", "5.0", 4.5, True]), st.none())
STATUSES = st.one_of(st.sampled_from(["completed", "booked", "cancelled", "no_show", "COMPLETED", "done", ""]), TEXT)


VALID_TIMES = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 11, 1),
    timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-5))]),
).map(lambda d: d.isoformat())
VALID = {
    "external_id": st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}\Z"),
    "distance_km": st.one_of(st.decimals(min_value=0, max_value=999_999, places=2).map(str),
                             st.floats(min_value=0, max_value=9999)),
    "fee": st.one_of(st.decimals(min_value=0, max_value=99_999, places=3).map(str), st.integers(0, 10_000)),
    "booked_at": VALID_TIMES,
}
WILD = {
    "external_id": EXTERNAL_IDS, "status": STATUSES, "booked_at": TIMES, "started_at": TIMES,
    "finished_at": TIMES, "distance_km": DECIMALS, "fee": DECIMALS,
}


@st.composite
def pushes(draw, wild: bool):
    body = copy.deepcopy(order_payload(status=draw(st.sampled_from(["completed", "booked", "cancelled"]))))
    pools = WILD if wild else VALID
    for name in draw(st.sets(st.sampled_from(sorted(pools)), max_size=2)):
        body[name] = draw(pools[name])
    if not wild and body["status"] == "completed":
        body["started_at"] = body["finished_at"] = body["booked_at"]
    sometimes = st.integers(0, 3).map(lambda n: n == 0)
    if draw(sometimes):
        body["customer"]["mobile"] = draw(MOBILES if wild else st.sampled_from(
            ["13800138000", "+86 138-0013-8000", "008613800138000", " 19912345678 ", 13800138000]))
    if draw(sometimes):
        body["customer"]["name"] = draw(TEXT if wild else st.text(max_size=60))
    if draw(sometimes):
        body["driver"] = draw(st.one_of(st.none(), st.fixed_dictionaries(
            {"employee_no": TEXT if wild else st.text(min_size=1, max_size=30).filter(str.strip),
             "name": TEXT if wild else st.text(max_size=60)})))
    if draw(sometimes):
        body["pickup"] = {"address": draw(TEXT if wild else st.text(max_size=200)),
                          "lat": draw(COORDS if wild else st.floats(-90, 90)),
                          "lng": draw(COORDS if wild else st.floats(-180, 180))}
    if draw(sometimes) and (wild or body["status"] == "completed"):
        body["rating"] = {"score": draw(SCORES if wild else st.integers(1, 5)),
                          "recommend": draw(SCORES if wild else st.one_of(st.none(), st.integers(0, 10))),
                          "comment": draw(TEXT if wild else st.text(max_size=1000))}
    if wild and draw(sometimes):
        body.pop(draw(st.sampled_from(["customer", "status", "booked_at", "finished_at", "fee"])), None)
    return body


def _check(body):
    serializer = OrderInSerializer(data=copy.deepcopy(body))
    valid = serializer.is_valid()
    fast = order_in_fast(copy.deepcopy(body))
    if not valid:
        assert fast is None, (serializer.errors, fast)
    elif fast is not None:
        assert dict(fast) == _plain(serializer.validated_data)
    return valid, fast is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=pushes(wild=True))
def test_fast_validation_never_accepts_what_the_serializer_rejects(body):
    _check(body)


def test_fast_validation_gives_the_serializers_values_for_valid_pushes():
    seen = {"valid": 0, "fast": 0}

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=pushes(wild=False))
    def run(body):
        valid, fast = _check(body)
        seen["valid"] += valid
        seen["fast"] += fast

    run()
    assert seen["fast"] > 0.8 * seen["valid"] > 100  # the fast path really ran, and agreed


def _plain(data):
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    return data


def test_a_plain_valid_push_takes_the_fast_path_with_the_serializers_values():
    body = order_payload(rating={"score": 5, "recommend": 9, "comment": " 很好 "})
    fast = order_in_fast(copy.deepcopy(body))
    serializer = OrderInSerializer(data=body)
    assert serializer.is_valid(), serializer.errors
    assert fast is not None
    assert fast == _plain(serializer.validated_data)
    assert fast["booked_at"].utcoffset() == serializer.validated_data["booked_at"].utcoffset()
