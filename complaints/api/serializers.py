from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from complaints.models import Category, Complaint, TimelineEntry


class ComplainantSerializer(serializers.Serializer):
    mobile = serializers.RegexField(r"^1[3-9]\d{9}$", max_length=11,
                                    error_messages={"invalid": _("Enter an 11-digit mainland mobile number.")})
    name = serializers.CharField(max_length=60, required=False, allow_blank=True)


class ComplaintInSerializer(serializers.Serializer):
    order_external_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    customer = ComplainantSerializer()
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.filter(is_active=True))
    content = serializers.CharField(max_length=4000)
    demand = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)


# Derived from the customer's tier and complaint history: null for a platform that does not serve the
# customer (complaints.api.views._context).
GRADE_FIELDS = ("grade", "grade_name", "acknowledge_due_at", "resolve_due_at", "close_due_at")


class ComplaintCreatedSerializer(serializers.ModelSerializer):
    grade = serializers.CharField(source="grade.code", allow_null=True)
    grade_name = serializers.CharField(source="grade.name", allow_null=True)

    class Meta:
        model = Complaint
        fields = ("number", "grade", "grade_name", "status", "received_at", "acknowledge_due_at", "resolve_due_at",
                  "close_due_at")
        extra_kwargs = {name: {"allow_null": True} for name in GRADE_FIELDS[2:]}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("grade_hidden"):
            data.update(dict.fromkeys(GRADE_FIELDS))
        return data


class PublicTimelineEntrySerializer(serializers.ModelSerializer):
    message = serializers.SerializerMethodField()

    class Meta:
        model = TimelineEntry
        fields = ("at", "kind", "from_status", "to_status", "message")

    def get_message(self, entry) -> str:
        # Only messages written for the complainant; staff notes never leave the system.
        return entry.note if entry.kind == TimelineEntry.Kind.MESSAGE else ""


class ComplaintDetailSerializer(ComplaintCreatedSerializer):
    category = serializers.CharField(source="category.code")
    order_external_id = serializers.CharField(source="order.external_id", default=None)
    timeline = serializers.SerializerMethodField()

    class Meta(ComplaintCreatedSerializer.Meta):
        fields = (*ComplaintCreatedSerializer.Meta.fields, "category", "order_external_id", "acknowledged_at",
                  "resolved_at", "closed_at", "timeline")

    def get_timeline(self, complaint) -> list[dict]:
        from complaints.selectors import complaint_timeline

        return PublicTimelineEntrySerializer(complaint_timeline(complaint, public_only=True), many=True).data
