"""Input and output serializers of the order endpoints. Field rules come from
``customers.validators`` (the same functions the models and the admin use)."""

import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import (
    MaxLengthValidator,
    MinLengthValidator,
    ProhibitNullCharactersValidator,
    RegexValidator,
)
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from core.sql import fetch_compiled
from customers.models import Order, Review
from customers.validators import normalise_mobile

EXTERNAL_ID_REGEX = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$"
EXTERNAL_ID_HELP = _("The platform's own order id: 1–64 letters, digits, “_”, “-”, “.”, “:”.")


class MobileField(serializers.CharField):
    """A mainland mobile, normalised to 11 digits by ``customers.validators.normalise_mobile``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool):
            data = str(data)
        value = super().to_internal_value(data)
        try:
            return normalise_mobile(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc


class CustomerInSerializer(serializers.Serializer):
    mobile = MobileField(help_text=_("Mainland mobile; +86, spaces and dashes are accepted."))
    name = serializers.CharField(max_length=60, required=False, allow_blank=True,
                                 help_text=_("Full name. A form of address (王先生) creates a pending name."))
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                        help_text=_("The platform's own user id of the customer."))


class DriverInSerializer(serializers.Serializer):
    employee_no = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=60, required=False, allow_blank=True)


class PlaceInSerializer(serializers.Serializer):
    address = serializers.CharField(max_length=200, allow_blank=True)
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=Decimal("-90"),
                                   max_value=Decimal("90"), rounding=ROUND_HALF_UP, required=False, allow_null=True)
    lng = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=Decimal("-180"),
                                   max_value=Decimal("180"), rounding=ROUND_HALF_UP, required=False, allow_null=True)


class RatingInSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5, help_text=_(
        "1–5 stars: 5 very satisfied, 4 satisfied, 3 neutral, 2 dissatisfied, 1 very dissatisfied."))
    recommend = serializers.IntegerField(min_value=0, max_value=10, required=False, allow_null=True,
                                         help_text=_("How likely to recommend us, 0–10 (NPS)."))
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class OrderInSerializer(serializers.Serializer):
    """One order as a platform pushes it. Required: ``external_id``, ``customer.mobile``, ``status``,
    ``booked_at``; optional fields omitted on an update keep their stored values."""

    external_id = serializers.RegexField(EXTERNAL_ID_REGEX, max_length=64, help_text=EXTERNAL_ID_HELP)
    customer = CustomerInSerializer()
    driver = DriverInSerializer(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Order.Status.choices)
    booked_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    finished_at = serializers.DateTimeField(required=False, allow_null=True)
    pickup = PlaceInSerializer(required=False, allow_null=True)
    dropoff = PlaceInSerializer(required=False, allow_null=True)
    distance_km = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0"),
                                           rounding=ROUND_HALF_UP, required=False, allow_null=True)
    fee = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"),
                                   rounding=ROUND_HALF_UP, required=False, allow_null=True,
                                   help_text=_("CNY, not negative, at most ORDER_FEE_MAX (3,000 by default)."))
    rating = RatingInSerializer(required=False, allow_null=True)

    def validate(self, attrs):
        errors = {}
        booked = attrs["booked_at"]
        earliest = timezone.now().replace(year=2000, month=1, day=1)
        latest = timezone.now() + timedelta(days=settings.API_ORDER_MAX_FUTURE_DAYS)
        if not earliest <= booked <= latest:
            errors["booked_at"] = [_("The booking time is not a plausible date.")]
        started, finished = attrs.get("started_at"), attrs.get("finished_at")
        if started is not None and started < booked:
            errors["started_at"] = [_("The order cannot start before it was booked.")]
        if finished is not None and finished < booked:
            errors["finished_at"] = [_("The order cannot finish before it was booked.")]
        elif finished is not None and started is not None and finished < started:
            errors["finished_at"] = [_("The order cannot finish before it started.")]
        if attrs["status"] == Order.Status.COMPLETED and finished is None:
            errors["finished_at"] = [_("A completed order needs its finish time.")]
        fee = attrs.get("fee")
        if fee is not None and fee > settings.ORDER_FEE_MAX:  # here, so the fast path checks it too
            errors["fee"] = [_("The fee is above the plausible maximum for one order (¥%(max)s).")
                             % {"max": settings.ORDER_FEE_MAX}]
        if attrs.get("rating") and attrs["status"] != Order.Status.COMPLETED:
            errors["rating"] = [_("Only a completed order can be rated.")]
        if attrs.get("driver") is None:
            attrs.pop("driver", None)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class BatchInSerializer(serializers.Serializer):
    # Items stay unvalidated here: each is validated on its own, so one bad item fails alone.
    orders = serializers.ListField(allow_empty=False,
                                   help_text=_("Up to 500 orders, each as for POST /api/v1/orders/."))

    def validate_orders(self, value):
        limit = settings.API_BATCH_MAX_ORDERS
        if len(value) > limit:
            raise serializers.ValidationError(
                _("At most %(limit)s orders per batch; this one has %(count)s.") % {"limit": limit,
                                                                                   "count": len(value)},
                code="too_many_items",
            )
        return value


# --- output --------------------------------------------------------------------------------------
class PlaceOutSerializer(serializers.Serializer):
    address = serializers.CharField()
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    lng = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)


class RatingOutSerializer(serializers.Serializer):
    score = serializers.IntegerField(source="rating")
    level = serializers.CharField(source="get_rating_display")
    recommend = serializers.IntegerField(source="recommend_score", allow_null=True)
    comment = serializers.CharField()
    updated_at = serializers.DateTimeField()


class DriverOutSerializer(serializers.Serializer):
    employee_no = serializers.CharField()
    name = serializers.CharField()


class OrderOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    status = serializers.ChoiceField(choices=Order.Status.choices)
    customer_id = serializers.UUIDField(source="customer.public_id",
                                        help_text=_("The customer's public id (for benefits look-ups)."))
    driver = DriverOutSerializer(allow_null=True)
    booked_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    pickup = serializers.SerializerMethodField()
    dropoff = serializers.SerializerMethodField()
    distance_km = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    fee = serializers.DecimalField(max_digits=12, decimal_places=2)
    rating = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def _place(self, order, kind):
        address = getattr(order, f"{kind}_address")
        if not address:
            return None
        return {"address": address, "lat": getattr(order, f"{kind}_lat"), "lng": getattr(order, f"{kind}_lng")}

    def get_pickup(self, order) -> PlaceOutSerializer(allow_null=True):
        return PlaceOutSerializer(self._place(order, "pickup")).data if order.pickup_address else None

    def get_dropoff(self, order) -> PlaceOutSerializer(allow_null=True):
        return PlaceOutSerializer(self._place(order, "dropoff")).data if order.dropoff_address else None

    def get_rating(self, order) -> RatingOutSerializer(allow_null=True):
        review = getattr(order, "review", None) if hasattr(order, "review") else None
        return RatingOutSerializer(review).data if review is not None else None


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
    statement is compiled once per process (``core.sql``; these columns need no conversion beyond
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


class BatchItemOutSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("Position of the item in the request."))
    external_id = serializers.CharField(allow_null=True)
    result = serializers.ChoiceField(choices=["created", "updated", "error"])
    id = serializers.IntegerField(required=False)
    customer_id = serializers.UUIDField(required=False)
    status = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    message = serializers.CharField(required=False)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class BatchOutSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = BatchItemOutSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    """The error shape of every API response with a 4xx/5xx status."""

    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


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
