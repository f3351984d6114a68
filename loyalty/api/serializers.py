from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from platform_api.fields import EXTERNAL_ID_HELP, EXTERNAL_ID_REGEX, MobileField


class LookupInSerializer(serializers.Serializer):
    mobile = MobileField(help_text=_("Mainland mobile; +86, spaces and dashes are accepted."))


class CouponRedeemInSerializer(serializers.Serializer):
    order_id = serializers.RegexField(EXTERNAL_ID_REGEX, required=False, allow_blank=True, help_text=EXTERNAL_ID_HELP)


class BenefitOutSerializer(serializers.Serializer):
    priority_dispatch = serializers.BooleanField()
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    dedicated_agent = serializers.BooleanField()
    dedicated_driver_team = serializers.BooleanField()
    callback_interval_days = serializers.IntegerField(allow_null=True)
    event_invitations = serializers.BooleanField()


class PointsOutSerializer(serializers.Serializer):
    available = serializers.IntegerField()
    pending = serializers.IntegerField()
    expiring_soon = serializers.IntegerField(help_text=_("Points that expire within expiring_within_days."))
    expiring_within_days = serializers.IntegerField()


class CouponOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()


class UsedCouponOutSerializer(CouponOutSerializer):
    status = serializers.CharField()
    used_at = serializers.DateTimeField(allow_null=True)
    order_id = serializers.CharField(source="used_order_ref", allow_blank=True)
    customer_id = serializers.UUIDField(source="customer.public_id")


class BenefitsOutSerializer(serializers.Serializer):
    customer_id = serializers.UUIDField()
    tier = serializers.ChoiceField(choices=["normal", "silver", "gold", "diamond"])
    tier_label = serializers.CharField()
    tier_since = serializers.DateTimeField(allow_null=True)
    benefits = BenefitOutSerializer(allow_null=True)
    points = PointsOutSerializer()
    coupons = CouponOutSerializer(many=True)
