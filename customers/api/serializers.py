"""Input and output serializers of the order endpoints. Field rules come from
``customers.validators`` (the same functions the models and the admin use)."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customers.models import Order
from platform_api.fields import EXTERNAL_ID_HELP, EXTERNAL_ID_REGEX, MobileField


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
