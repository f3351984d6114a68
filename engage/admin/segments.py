from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from care.adapters import tier_label
from customers.admin.privacy import PersonalDataAdminMixin
from engage.admin.forms import SegmentForm
from engage.models import Segment
from engage.selectors import segment_customers


@admin.register(Segment)
class SegmentAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    form = SegmentForm
    list_display = ("name", "tier_list", "status", "district", "last_order_before", "consent", "customers_now")
    search_fields = ("name",)

    @admin.display(description=_("tiers"))
    def tier_list(self, obj):
        return "、".join(tier_label(code) for code in obj.tiers) or _("every tier")

    @admin.display(description=_("customers now"))
    def customers_now(self, obj):
        return segment_customers(obj).count()
