"""系统设置: the QA checklist (items and their weights) and the appraisal weights (one row), edited
by operations managers and the GM; everyone appraised may read them (what they are scored on)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from appraisal.models import AppraisalWeights, ChecklistItem


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("position", "text", "weight", "applies_to", "is_active", "guidance")
    list_display_links = ("text",)
    list_editable = ("position", "weight", "is_active")
    list_filter = ("is_active", "applies_to")
    search_fields = ("text",)

    def has_delete_permission(self, request, obj=None):
        return False  # past scores refer to the item: make it inactive instead


@admin.register(AppraisalWeights)
class AppraisalWeightsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "qa_weight", "self_weight", "customer_weight", "updated_at")
    fields = ("qa_weight", "self_weight", "customer_weight")
    description = _("Relative weights of the monthly appraisal. A part an agent has no figure for in a month is "
                    "left out and the other weights are re-normalised (QA 50, self 20, customer 30 without "
                    "customer ratings: QA 50/70, self 20/70).")

    def has_add_permission(self, request):
        return False  # one row, seeded by the migration (and never deleted)

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": self.description}
        return super().changeform_view(request, object_id, form_url, extra_context)
