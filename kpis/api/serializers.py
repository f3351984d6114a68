from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kpis.models import MonthlySnapshot

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MONTH_ERRORS = {"invalid": _("Use YYYY-MM.")}
RATE = {"max_digits": 7, "decimal_places": 2, "coerce_to_string": False, "allow_null": True}


class MonthQuerySerializer(serializers.Serializer):
    """``?from=YYYY-MM&to=YYYY-MM`` (both optional)."""

    to = serializers.RegexField(MONTH_PATTERN, required=False, error_messages=MONTH_ERRORS)
    # "from" is a Python keyword: declared through the class namespace.
    vars()["from"] = serializers.RegexField(MONTH_PATTERN, required=False, error_messages=MONTH_ERRORS)

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"from": [_("The first month is after the last month.")]})
        return attrs


class MonthlySnapshotOutputSerializer(serializers.ModelSerializer):
    """The company figures of a month, with exactly the field names of the definition."""

    month = serializers.DateField(format="%Y-%m")
    satisfaction_rate = serializers.DecimalField(**RATE)
    complaint_rate = serializers.DecimalField(**RATE)
    complaints_per_1000_orders = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False,
                                                          allow_null=True)
    retention_rate = serializers.DecimalField(**RATE)
    nps = serializers.DecimalField(**RATE)
    avg_acknowledge_hours = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False,
                                                     allow_null=True)
    avg_resolve_hours = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False,
                                                 allow_null=True)
    sla_acknowledge_rate = serializers.DecimalField(**RATE)
    sla_resolve_rate = serializers.DecimalField(**RATE)
    first_contact_resolution_rate = serializers.DecimalField(**RATE)
    reopen_rate = serializers.DecimalField(**RATE)
    inquiries_answered_in_time_rate = serializers.DecimalField(**RATE)
    appraisal_score = serializers.DecimalField(**RATE)
    repeat_purchase_rate = serializers.DecimalField(**RATE)
    avg_orders_per_customer = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False,
                                                       allow_null=True)
    revenue = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False, allow_null=True)
    avg_clv = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False, allow_null=True)

    class Meta:
        model = MonthlySnapshot
        fields = [
            "month", "orders_total", "orders_completed", "customers_active", "customers_new", "satisfaction_rate",
            "complaint_rate", "complaints_per_1000_orders", "retention_rate", "nps", "complaints_total",
            "avg_acknowledge_hours",
            "avg_resolve_hours", "sla_acknowledge_rate", "sla_resolve_rate", "first_contact_resolution_rate",
            "reopen_rate", "repeat_purchase_rate", "avg_orders_per_customer", "revenue", "avg_clv", "tiers",
            "points", "callbacks", "care_messages", "warnings_raised", "warnings_worked", "inquiries",
            "inquiries_answered_in_time_rate", "appraisal_score", "computed_at",
        ]
        read_only_fields = fields
