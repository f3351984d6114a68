"""The API's fast paths: the same answers as DRF's serializers, with less machinery per order.

Each stays only while ``bench/api_ingest.py`` shows it pays (``bench/README.md``: run with
``--fast-paths on`` and ``off``) and a test proves it equal to the serializer it shortcuts
(``tests/customers/api/test_fast_validation.py``, ``tests/customers/api/test_order_out.py``). ``API_FAST_PATHS``
(default on) switches them off: then the views use the serializers alone.

- ``order_validate``: one pushed order validated once: by ``order_in_fast`` when the item is plainly
  valid, else by ``OrderInSerializer``, which gives the field errors.
- ``order_out`` / ``order_out_row``: the push's answer read in one compiled statement and formatted
  by ``OrderOutSerializer``'s own bound fields.
"""

import re
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import (
    MaxLengthValidator,
    MinLengthValidator,
    ProhibitNullCharactersValidator,
    RegexValidator,
)
from django.db import connection
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from core.db import fetch_compiled
from customers.api.serializers import (
    OrderInSerializer,
    OrderOutSerializer,
    PlaceOutSerializer,
    RatingOutSerializer,
)
from customers.models import Order, Review
from customers.validators import normalise_mobile
from platform_api.fields import MobileField


def enabled() -> bool:
    return settings.API_FAST_PATHS


def order_validate(raw, *, serializer: OrderInSerializer | None = None) -> dict:
    """The validated data of one pushed order; raises DRF's ValidationError with the field errors.
    Validates once: the fast check when it is on and the item is plainly valid, else the serializer
    (``serializer``: a reusable unbound one, for a batch)."""
    if enabled():
        data = order_in_fast(raw)
        if data is not None:
            return data
    return (serializer or OrderInSerializer()).run_validation(raw)


def order_answer(order_id: int) -> dict:
    """``OrderOutSerializer``'s answer for one order (the push's response body)."""
    if enabled():
        return order_out(order_out_row(order_id))
    order = Order.objects.select_related("customer", "driver", "review").get(pk=order_id)
    return OrderOutSerializer(order).data


# The columns of one order as OrderOutSerializer shows it, read in one query without model instances.
ORDER_OUT_VALUES = (
    "id", "external_id", "status", "customer__public_id", "driver_id", "driver__employee_no", "driver__name",
    "booked_at", "started_at", "finished_at", "pickup_address", "pickup_lat", "pickup_lng", "dropoff_address",
    "dropoff_lat", "dropoff_lng", "distance_km", "fee", "created_at", "updated_at", "review__rating",
    "review__recommend_score", "review__comment", "review__updated_at",
)
_OUT = {}
_PROBE_ID = -987_654_321  # stands for the order id while the statement is compiled


def _order_out_query(order_id: int):
    return Order.objects.filter(pk=order_id).values_list(*ORDER_OUT_VALUES)


def order_out_row(order_id: int) -> dict:
    """``Order.objects.filter(pk=order_id).values(*ORDER_OUT_VALUES).get()``. On PostgreSQL the
    statement is compiled once per process (``core.db``; these columns need no conversion beyond
    psycopg's own), which was most of what reading the answer back cost."""
    if connection.vendor != "postgresql":
        return Order.objects.filter(pk=order_id).values(*ORDER_OUT_VALUES).get()
    row = fetch_compiled("order-out", _order_out_query, order_id, probe=_PROBE_ID)
    if row is None:
        raise Order.DoesNotExist
    return dict(zip(ORDER_OUT_VALUES, row, strict=True))


def _out_fields():
    """Bound fields of one OrderOutSerializer (and its nested ones), built once: their
    ``to_representation`` formats values exactly as the serializer does (dates in the current time
    zone, decimals to their places)."""
    if not _OUT:
        order, place, rating = OrderOutSerializer().fields, PlaceOutSerializer().fields, RatingOutSerializer().fields
        _OUT.update(order=order, place=place, rating=rating)
    return _OUT


def order_out(row: dict) -> dict:
    """``OrderOutSerializer(order).data`` from a ``values(*ORDER_OUT_VALUES)`` row: the hot path of the
    push response (a quarter of a single push's time went to building the instance and serializer)."""
    f = _out_fields()
    order, place, rating = f["order"], f["place"], f["rating"]

    def rep(fields, name, value):
        return None if value is None else fields[name].to_representation(value)

    def place_out(kind):
        address = row[f"{kind}_address"]
        if not address:
            return None
        return {"address": address, "lat": rep(place, "lat", row[f"{kind}_lat"]),
                "lng": rep(place, "lng", row[f"{kind}_lng"])}

    score = row["review__rating"]
    return {
        "id": row["id"],
        "external_id": row["external_id"],
        "status": rep(order, "status", row["status"]),
        "customer_id": rep(order, "customer_id", row["customer__public_id"]),
        "driver": None if row["driver_id"] is None else {
            "employee_no": row["driver__employee_no"], "name": row["driver__name"]},
        "booked_at": rep(order, "booked_at", row["booked_at"]),
        "started_at": rep(order, "started_at", row["started_at"]),
        "finished_at": rep(order, "finished_at", row["finished_at"]),
        "pickup": place_out("pickup"),
        "dropoff": place_out("dropoff"),
        "distance_km": rep(order, "distance_km", row["distance_km"]),
        "fee": rep(order, "fee", row["fee"]),
        "rating": None if score is None else {
            "score": score, "level": str(dict(Review._meta.get_field("rating").flatchoices).get(score, score)),
            "recommend": row["review__recommend_score"], "comment": row["review__comment"],
            "updated_at": rep(rating, "updated_at", row["review__updated_at"])},
        "created_at": rep(order, "created_at", row["created_at"]),
        "updated_at": rep(order, "updated_at", row["updated_at"]),
    }



# --- the hot path: one order validated without the serializer machinery -----------------------------
_ORDER_IN = None
_FALLBACK = object()


def _order_in_template() -> OrderInSerializer:
    global _ORDER_IN
    if _ORDER_IN is None:
        _ORDER_IN = OrderInSerializer()
    return _ORDER_IN


_SURROGATES = re.compile("[\ud800-\udfff]")
_PLAIN_STRING_VALIDATORS = (MaxLengthValidator, MinLengthValidator, ProhibitNullCharactersValidator,
                            ProhibitSurrogateCharactersValidator, RegexValidator)
_LEAF_CHECKS: dict = {}


def _string_check(field):
    """For a CharField (RegexField, MobileField) with only the usual validators: the field's rules on a
    plain string, without DRF's per-character surrogate scan and validator bookkeeping."""
    max_length, min_length = field.max_length, field.min_length
    regexes = [v.regex for v in field.validators if isinstance(v, RegexValidator) and not v.inverse_match]
    mobile = isinstance(field, MobileField)

    def check(value):
        if type(value) is not str:
            return _FALLBACK
        text = value.strip() if field.trim_whitespace else value
        if not text:
            return "" if field.allow_blank and not mobile else _FALLBACK
        if (max_length is not None and len(text) > max_length) or (min_length is not None and len(text) < min_length):
            return _FALLBACK
        if "\x00" in text or (not text.isascii() and _SURROGATES.search(text)):
            return _FALLBACK
        for regex in regexes:
            if not regex.search(text):
                return _FALLBACK
        if mobile:
            try:
                return normalise_mobile(text)
            except DjangoValidationError:
                return _FALLBACK
        return text

    return check


def _datetime_check(field):
    """ISO 8601 with an offset (what platforms send), as DRF parses it (Django's ``parse_datetime``
    tries ``fromisoformat`` first) and moves it to the current time zone; anything else: the field."""

    def check(value):
        if type(value) is not str:
            return _FALLBACK
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return _FALLBACK
        zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
        if parsed.tzinfo is None or zone is None:
            return _FALLBACK  # naive: DRF's own handling (current zone, DST checks)
        try:
            return parsed.astimezone(zone)
        except OverflowError:
            return _FALLBACK

    return check


def _generic_check(field):
    """Any other leaf: the field's own conversion and validators, without ``run_validation``'s wrapping."""
    validators = field.validators

    def check(value):
        if value is None:
            return _FALLBACK
        try:
            out = field.to_internal_value(value)
            for validator in validators:
                validator(out)
        except (serializers.ValidationError, DjangoValidationError):
            return _FALLBACK
        return out

    return check


def _leaf_check(field):
    key = id(field)
    check = _LEAF_CHECKS.get(key)
    if check is None:
        if isinstance(field, serializers.CharField) and all(
            isinstance(v, _PLAIN_STRING_VALIDATORS) for v in field.validators
        ):
            check = _string_check(field)
        elif type(field) is serializers.DateTimeField and not field.validators and list(
            getattr(field, "input_formats", api_settings.DATETIME_INPUT_FORMATS)
        ) == [ISO_8601]:
            check = _datetime_check(field)
        else:
            check = _generic_check(field)
        _LEAF_CHECKS[key] = (field, check)  # the field is kept alive with its id
        return check
    return check[1]


def _fast_fields(fields, raw):
    """``raw`` validated against ``fields`` (a serializer's bound fields) with each leaf field's own
    ``run_validation`` (same rules, same normalisation), or ``_FALLBACK`` whenever anything is not
    plainly valid: then the caller runs the full serializer, which produces the error messages."""
    if type(raw) is not dict:
        return _FALLBACK
    out = {}
    for name, field in fields.items():
        if name not in raw:
            if field.required:
                return _FALLBACK
            continue
        value = raw[name]
        if isinstance(field, serializers.Serializer):
            if value is None:
                if not field.allow_null:
                    return _FALLBACK
                out[name] = None
                continue
            value = _fast_fields(field.fields, value)
            if value is _FALLBACK:
                return _FALLBACK
            out[name] = value
            continue
        if value is None:
            if not field.allow_null:
                return _FALLBACK
            out[name] = None
            continue
        value = _leaf_check(field)(value)
        if value is _FALLBACK:
            return _FALLBACK
        out[name] = value
    return out


def order_in_fast(raw):
    """The validated data of one pushed order exactly as ``OrderInSerializer`` gives it, or None when
    the item is not plainly valid (the caller then runs the serializer for its field errors). Skips
    the per-instance field copies and nested-serializer bookkeeping of DRF, which cost more than the
    database work per order in a batch of 500."""
    template = _order_in_template()
    attrs = _fast_fields(template.fields, raw)
    if attrs is _FALLBACK:
        return None
    try:
        return template.validate(attrs)
    except serializers.ValidationError:
        return None
